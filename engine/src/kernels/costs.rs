//! Costs between demand and supply: where a feature stands, and which open facilities each
//! demand point reaches at what cost, from straight-line distance or from a table computed
//! elsewhere. `access` measures with these; `locate` and `allocate` place demand with
//! [`location`] and read cost tables into a [`Reach`] with [`sort_reach`].
//!
//! Boundaries are PySAL `access`'s: a facility is within `max` when its cost is `≤ max`.

use super::point_coord;
use crate::rtree::PointIndex;
use geo::{Centroid, Coord, Geometry};
use rayon::prelude::*;

/// Per origin, the (target slot, cost) pairs it can reach, sorted by cost then slot.
pub type Reach = Vec<Vec<(usize, f64)>>;

/// A feature's location: the point itself, or a polygon's (or line's) centroid.
pub fn location(g: &Option<Geometry>) -> Option<Coord> {
    let g = g.as_ref()?;
    point_coord(g)
        .or_else(|| g.centroid().map(|p| p.0))
        .filter(|c| c.x.is_finite() && c.y.is_finite())
}

/// An (origin, slot) pair a cost table gives twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeated {
    /// The origin.
    pub origin: usize,
    /// The target slot.
    pub slot: usize,
}

/// Sorts every origin's pairs by cost then slot, as [`Reach`] promises; a pair given twice
/// is an error, since no one can say which of its costs is meant.
pub fn sort_reach(reach: &mut Reach) -> Result<(), Repeated> {
    for (origin, l) in reach.iter_mut().enumerate() {
        l.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut slots: Vec<usize> = l.iter().map(|x| x.0).collect();
        slots.sort_unstable();
        if let Some(w) = slots.windows(2).find(|w| w[0] == w[1]) {
            return Err(Repeated { origin, slot: w[0] });
        }
    }
    Ok(())
}

/// Where costs come from. Each variant answers two questions per origin: which targets are
/// within a cost, and which k are cheapest. A road-network source (shortest paths over a
/// `network` layer) is meant to be one more variant.
pub enum Costs {
    /// Straight-line distance in the working CRS.
    Euclidean {
        /// Origin locations.
        origins: Vec<Option<Coord>>,
        /// Target locations, by slot.
        targets: Vec<Coord>,
        /// Index of `targets` (data = slot).
        index: PointIndex,
    },
    /// A table, read into per-origin lists.
    Table(Reach),
}

// By hand: the point index has no `Debug`, and its sizes say enough.
impl std::fmt::Debug for Costs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Costs::Euclidean {
                origins, targets, ..
            } => write!(
                f,
                "Costs::Euclidean({} origins, {} targets)",
                origins.len(),
                targets.len()
            ),
            Costs::Table(rows) => write!(f, "Costs::Table({} origins)", rows.len()),
        }
    }
}

impl Costs {
    /// Straight-line costs from `origins` to `targets` (slot = position in `targets`).
    pub fn euclidean(origins: Vec<Option<Coord>>, targets: Vec<Coord>) -> Costs {
        let index = PointIndex::from_coords(&targets);
        Costs::Euclidean {
            origins,
            targets,
            index,
        }
    }

    /// Targets at cost ≤ `max` (all reachable ones without), as (slot, cost).
    pub fn within(&self, i: usize, max: Option<f64>) -> Vec<(usize, f64)> {
        match self {
            Costs::Euclidean {
                origins,
                targets,
                index,
            } => {
                let Some(o) = origins[i] else {
                    return Vec::new();
                };
                match max {
                    // The index compares squared distances; ask a hair wider and apply the
                    // rule to the distance itself, as the cost table of PySAL would.
                    Some(d) => index
                        .within(o, d * (1.0 + 1e-9) + 1e-9)
                        .into_iter()
                        .filter(|(_, c)| *c <= d)
                        .collect(),
                    None => targets
                        .iter()
                        .enumerate()
                        .map(|(j, t)| (j, ((t.x - o.x).powi(2) + (t.y - o.y).powi(2)).sqrt()))
                        .collect(),
                }
            }
            Costs::Table(rows) => match max {
                Some(d) => rows[i]
                    .iter()
                    .copied()
                    .take_while(|(_, c)| *c <= d)
                    .collect(),
                None => rows[i].clone(),
            },
        }
    }

    /// The `k` cheapest targets, cheapest first (ties: lower slot first).
    pub fn nearest(&self, i: usize, k: usize) -> Vec<(usize, f64)> {
        match self {
            Costs::Euclidean { origins, index, .. } => origins[i]
                .map(|o| index.nearest_k(o, k))
                .unwrap_or_default(),
            Costs::Table(rows) => rows[i].iter().copied().take(k).collect(),
        }
    }
}

/// Origins processed per block of this many, in parallel within a block and in order across
/// blocks, so sums are deterministic and memory stays bounded without a cut-off.
const BLOCK: usize = 4096;

/// Calls `f(i, pairs)` for every origin `i < n` in order, with its targets within `max`.
/// The first error `f` returns stops the walk.
pub fn each_reachable<E>(
    costs: &Costs,
    n: usize,
    max: Option<f64>,
    mut f: impl FnMut(usize, &[(usize, f64)]) -> Result<(), E>,
) -> Result<(), E> {
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let lists: Vec<Vec<(usize, f64)>> = (start..end)
            .into_par_iter()
            .map(|i| costs.within(i, max))
            .collect();
        for (off, l) in lists.iter().enumerate() {
            f(start + off, l)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, point, polygon};

    #[test]
    fn a_location_is_the_point_or_the_centroid() {
        let p: Option<Geometry> = Some(point!(x: 3.0, y: 4.0).into());
        assert_eq!(location(&p), Some(coord! {x: 3.0, y: 4.0}));
        let sq: Option<Geometry> = Some(
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)].into(),
        );
        assert_eq!(location(&sq), Some(coord! {x: 1.0, y: 1.0}));
        assert_eq!(location(&None), None);
        let nan: Option<Geometry> = Some(point!(x: f64::NAN, y: 0.0).into());
        assert_eq!(location(&nan), None);
    }

    #[test]
    fn euclidean_reach_is_inclusive_and_ties_go_to_the_lower_slot() {
        // Origin at 0; targets at 10, -10 (a tie) and 30; an origin with no location.
        let costs = Costs::euclidean(
            vec![Some(coord! {x: 0.0, y: 0.0}), None],
            vec![
                coord! {x: 10.0, y: 0.0},
                coord! {x: -10.0, y: 0.0},
                coord! {x: 30.0, y: 0.0},
            ],
        );
        let mut w = costs.within(0, Some(10.0));
        w.sort_by_key(|x| x.0);
        assert_eq!(w, vec![(0, 10.0), (1, 10.0)]);
        assert_eq!(costs.within(0, Some(9.999)), vec![]);
        assert_eq!(costs.within(0, None).len(), 3);
        assert_eq!(costs.nearest(0, 2), vec![(0, 10.0), (1, 10.0)]);
        assert!(costs.within(1, None).is_empty());
        assert!(costs.nearest(1, 1).is_empty());
    }

    #[test]
    fn a_table_is_sorted_once_and_cut_at_the_cost() {
        let mut reach: Reach = vec![vec![(2, 5.0), (0, 7.0), (1, 5.0)], vec![]];
        assert_eq!(sort_reach(&mut reach), Ok(()));
        assert_eq!(reach[0], vec![(1, 5.0), (2, 5.0), (0, 7.0)]);
        let costs = Costs::Table(reach);
        assert_eq!(costs.within(0, Some(5.0)), vec![(1, 5.0), (2, 5.0)]);
        assert_eq!(costs.within(0, None).len(), 3);
        assert_eq!(costs.nearest(0, 1), vec![(1, 5.0)]);
        assert!(costs.nearest(1, 3).is_empty());
        let mut twice: Reach = vec![vec![], vec![(4, 1.0), (3, 2.0), (4, 9.0)]];
        assert_eq!(sort_reach(&mut twice), Err(Repeated { origin: 1, slot: 4 }));
    }

    #[test]
    fn every_origin_is_visited_in_order_across_blocks() {
        let n = BLOCK + 3;
        let reach: Reach = (0..n).map(|i| vec![(0, i as f64)]).collect();
        let costs = Costs::Table(reach);
        let mut seen = Vec::new();
        each_reachable::<()>(&costs, n, Some(BLOCK as f64), |i, l| {
            seen.push((i, l.len()));
            Ok(())
        })
        .expect("no error");
        assert_eq!(seen.len(), n);
        assert!(seen.iter().enumerate().all(|(k, (i, _))| k == *i));
        assert_eq!(seen[BLOCK].1, 1);
        assert_eq!(seen[BLOCK + 1].1, 0);
        // An error stops the walk at that origin.
        let mut last = 0;
        let r = each_reachable(&costs, n, None, |i, _| {
            last = i;
            if i == 5 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert_eq!((r, last), (Err("stop"), 5));
    }
}
