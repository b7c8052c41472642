//! R-trees (rstar) over layers, built by bulk load.
//!
//! [`SpatialIndex`] indexes any geometry by its bounding box and answers candidate queries
//! (which features' boxes contain a point or meet a rectangle); exact predicates are the
//! kernels' job. [`PointIndex`] indexes point features by their coordinates and answers
//! exact nearest-k and within-distance queries, with distances in the layer's CRS units
//! (metres in a project's working CRS).

use crate::layer::Layer;
use geo::{BoundingRect, Coord, Geometry, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type PointEntry = GeomWithData<[f64; 2], usize>;

/// Bounding-box R-tree over the features of one layer; data = feature index.
#[derive(Debug, Clone)]
pub struct SpatialIndex {
    tree: RTree<BoxEntry>,
}

impl SpatialIndex {
    /// Bulk-loads the boxes of all non-null geometries.
    pub fn build(geometries: &[Option<Geometry>]) -> SpatialIndex {
        let entries = geometries
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.as_ref()?.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        SpatialIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Index of a layer's geometries.
    pub fn of(layer: &Layer) -> SpatialIndex {
        SpatialIndex::build(&layer.geometries)
    }

    /// Number of indexed features.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Features whose box contains the point (boundary included).
    pub fn at_point(&self, c: Coord) -> impl Iterator<Item = usize> + '_ {
        self.tree.locate_all_at_point(&[c.x, c.y]).map(|e| e.data)
    }

    /// Features whose box meets the rectangle.
    pub fn in_rect(&self, r: Rect) -> impl Iterator<Item = usize> + '_ {
        let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        self.tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
    }

    /// Features whose box is within `d` of the point (a superset of those within `d`).
    pub fn near_point(&self, c: Coord, d: f64) -> impl Iterator<Item = usize> + '_ {
        let env = AABB::from_corners([c.x - d, c.y - d], [c.x + d, c.y + d]);
        self.tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
    }
}

/// Point R-tree; data = feature index. Multi-points contribute one entry per part.
#[derive(Debug, Clone)]
pub struct PointIndex {
    tree: RTree<PointEntry>,
}

impl PointIndex {
    /// Bulk-loads the points of a geometry list (non-point geometries are skipped).
    pub fn build(geometries: &[Option<Geometry>]) -> PointIndex {
        let mut entries = Vec::with_capacity(geometries.len());
        for (i, g) in geometries.iter().enumerate() {
            match g {
                Some(Geometry::Point(p)) => entries.push(GeomWithData::new([p.x(), p.y()], i)),
                Some(Geometry::MultiPoint(mp)) => {
                    entries.extend(mp.iter().map(|p| GeomWithData::new([p.x(), p.y()], i)))
                }
                _ => {}
            }
        }
        PointIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Index of a (point) layer.
    pub fn of(layer: &Layer) -> PointIndex {
        PointIndex::build(&layer.geometries)
    }

    /// Builds from bare coordinates; data = position in the slice.
    pub fn from_coords(coords: &[Coord]) -> PointIndex {
        PointIndex {
            tree: RTree::bulk_load(
                coords
                    .iter()
                    .enumerate()
                    .map(|(i, c)| GeomWithData::new([c.x, c.y], i))
                    .collect(),
            ),
        }
    }

    /// Number of indexed points.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The `k` nearest features to `c` with their distances, nearest first; ties are
    /// broken by feature index so results are deterministic. A multi-point feature counts
    /// once, at its nearest part.
    pub fn nearest_k(&self, c: Coord, k: usize) -> Vec<(usize, f64)> {
        if k == 1 {
            // The common case, without the iterator's heap: rstar returns every entry at the
            // minimum distance, and the lowest feature index among them wins.
            return self
                .tree
                .nearest_neighbors(&[c.x, c.y])
                .into_iter()
                .min_by_key(|e| e.data)
                .map(|e| {
                    let (dx, dy) = (e.geom()[0] - c.x, e.geom()[1] - c.y);
                    vec![(e.data, (dx * dx + dy * dy).sqrt())]
                })
                .unwrap_or_default();
        }
        let mut out: Vec<(usize, f64)> = Vec::with_capacity(k);
        let mut boundary: Option<f64> = None;
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&[c.x, c.y]) {
            // Keep going past k while distances tie with the k-th, so ties resolve by index.
            if let Some(b) = boundary {
                if d2 > b {
                    break;
                }
            }
            if out.iter().any(|(i, _)| *i == e.data) {
                continue;
            }
            out.push((e.data, d2));
            if out.len() == k && boundary.is_none() {
                boundary = Some(d2);
            }
        }
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out.truncate(k);
        out.into_iter().map(|(i, d2)| (i, d2.sqrt())).collect()
    }

    /// All features within distance `d` of `c` (boundary included), sorted by distance then index.
    pub fn within(&self, c: Coord, d: f64) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::new();
        for e in self.tree.locate_within_distance([c.x, c.y], d * d) {
            let dist = ((e.geom()[0] - c.x).powi(2) + (e.geom()[1] - c.y).powi(2)).sqrt();
            match out.iter_mut().find(|(i, _)| *i == e.data) {
                Some(slot) => slot.1 = slot.1.min(dist),
                None => out.push((e.data, dist)),
            }
        }
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, point, polygon};

    fn pts(v: &[(f64, f64)]) -> Vec<Option<Geometry>> {
        v.iter()
            .map(|&(x, y)| Some(Geometry::Point(point!(x: x, y: y))))
            .collect()
    }

    #[test]
    fn nearest_k_is_exact_and_tie_stable() {
        let idx = PointIndex::build(&pts(&[(0.0, 0.0), (3.0, 4.0), (-3.0, 4.0), (10.0, 0.0)]));
        let r = idx.nearest_k(coord! {x: 0.0, y: 0.0}, 3);
        assert_eq!(r, vec![(0, 0.0), (1, 5.0), (2, 5.0)]);
        // Asking for 2 among a tie at 5: the lower index wins.
        let r = idx.nearest_k(coord! {x: 0.0, y: 0.0}, 2);
        assert_eq!(r, vec![(0, 0.0), (1, 5.0)]);
        // k = 1 takes a separate path: same tie rule, multi-point parts count once.
        assert_eq!(idx.nearest_k(coord! {x: 0.0, y: 4.0}, 1), vec![(1, 3.0)]);
        let tie = PointIndex::build(&pts(&[(3.0, 0.0), (-3.0, 0.0), (0.0, 3.0)]));
        assert_eq!(tie.nearest_k(coord! {x: 0.0, y: 0.0}, 1), vec![(0, 3.0)]);
        let mp: Geometry = geo::MultiPoint::from(vec![(5.0, 0.0), (1.0, 0.0)]).into();
        let multi = PointIndex::build(&[Some(mp), Some(Geometry::Point(point!(x: 2.0, y: 0.0)))]);
        assert_eq!(multi.nearest_k(coord! {x: 0.0, y: 0.0}, 1), vec![(0, 1.0)]);
        assert_eq!(
            multi.nearest_k(coord! {x: 0.0, y: 0.0}, 2),
            vec![(0, 1.0), (1, 2.0)]
        );
        assert!(PointIndex::build(&[])
            .nearest_k(coord! {x: 0.0, y: 0.0}, 3)
            .is_empty());
    }

    #[test]
    fn within_includes_boundary() {
        let idx = PointIndex::build(&pts(&[(0.0, 0.0), (3.0, 4.0), (10.0, 0.0)]));
        let r = idx.within(coord! {x: 0.0, y: 0.0}, 5.0);
        assert_eq!(r, vec![(0, 0.0), (1, 5.0)]);
    }

    #[test]
    fn boxes_at_point() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        let b = polygon![(x: 2.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 2.0), (x: 2.0, y: 2.0)];
        let idx = SpatialIndex::build(&[Some(a.into()), None, Some(b.into())]);
        assert_eq!(idx.len(), 2);
        let mut hits: Vec<usize> = idx.at_point(coord! {x: 2.0, y: 1.0}).collect();
        hits.sort();
        assert_eq!(hits, vec![0, 2]);
        assert_eq!(idx.at_point(coord! {x: 9.0, y: 1.0}).count(), 0);
    }
}
