//! Weighted random choice of grid cells, and points inside them.

use crate::grid::Grid;
use geo::Point;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Cells with weights, for repeated weighted draws (binary search on the running sum).
#[derive(Debug, Clone)]
pub(crate) struct WeightedCells {
    cells: Vec<usize>,
    cumulative: Vec<f64>,
}

impl WeightedCells {
    /// `cells` with `weight(cell)`; cells with non-positive or non-finite weight are dropped.
    pub(crate) fn new(
        cells: impl IntoIterator<Item = usize>,
        weight: impl Fn(usize) -> f64,
    ) -> WeightedCells {
        let mut total = 0.0;
        let mut out = WeightedCells {
            cells: Vec::new(),
            cumulative: Vec::new(),
        };
        for k in cells {
            let w = weight(k);
            if w > 0.0 && w.is_finite() {
                total += w;
                out.cells.push(k);
                out.cumulative.push(total);
            }
        }
        out
    }

    /// True when there is nothing to draw from.
    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// One weighted draw.
    pub(crate) fn pick(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        let r = rng.random_range(0.0..total);
        let i = self.cumulative.partition_point(|&c| c <= r);
        self.cells.get(i.min(self.cells.len() - 1)).copied()
    }
}

/// A uniformly random point inside cell `k`, kept `margin` (a fraction of the cell) away
/// from its edges.
pub(crate) fn point_in_cell(grid: &Grid, k: usize, margin: f64, rng: &mut ChaCha8Rng) -> Point {
    let (x, y) = grid.center(k);
    let h = grid.cell * (0.5 - margin);
    Point::new(x + rng.random_range(-h..=h), y + rng.random_range(-h..=h))
}

/// Cells all of whose 8 neighbours satisfy `same` (and that do themselves): points in them
/// stay inside the smoothed polygon of their label.
pub(crate) fn interior(
    grid: &Grid,
    same: impl Fn(usize, usize) -> bool,
    member: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let nx = grid.nx;
    (0..grid.len())
        .map(|k| {
            member(k)
                && grid.is_inner(k)
                && [
                    k - nx - 1,
                    k - nx,
                    k - nx + 1,
                    k - 1,
                    k + 1,
                    k + nx - 1,
                    k + nx,
                    k + nx + 1,
                ]
                .into_iter()
                .all(|m| same(k, m))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draws_follow_weights() {
        let w = WeightedCells::new(0..4, |k| [0.0, 1.0, 3.0, -1.0][k]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0usize; 4];
        for _ in 0..4_000 {
            counts[w.pick(&mut rng).expect("pick")] += 1;
        }
        assert_eq!(counts[0] + counts[3], 0);
        assert!((2_700..3_300).contains(&counts[2]), "{counts:?}");
        assert!(WeightedCells::new(0..3, |_| 0.0).pick(&mut rng).is_none());
    }
}
