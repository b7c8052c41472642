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
                // The bulk load sorts by coordinate and cannot order NaN: such features
                // (reported by `check`) are left out of the index.
                if ![r.min().x, r.min().y, r.max().x, r.max().y]
                    .iter()
                    .all(|v| v.is_finite())
                {
                    return None;
                }
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
    grid: PointGrid,
}

impl PointIndex {
    /// Bulk-loads the points of a geometry list (non-point geometries are skipped).
    pub fn build(geometries: &[Option<Geometry>]) -> PointIndex {
        let mut entries = Vec::with_capacity(geometries.len());
        for (i, g) in geometries.iter().enumerate() {
            let finite = |p: &&geo::Point| p.x().is_finite() && p.y().is_finite();
            match g {
                Some(Geometry::Point(p)) if finite(&p) => {
                    entries.push(GeomWithData::new([p.x(), p.y()], i))
                }
                Some(Geometry::MultiPoint(mp)) => entries.extend(
                    mp.iter()
                        .filter(finite)
                        .map(|p| GeomWithData::new([p.x(), p.y()], i)),
                ),
                _ => {}
            }
        }
        PointIndex::from_entries(entries)
    }

    fn from_entries(entries: Vec<PointEntry>) -> PointIndex {
        PointIndex {
            grid: PointGrid::build(&entries),
            tree: RTree::bulk_load(entries),
        }
    }

    /// Index of a (point) layer.
    pub fn of(layer: &Layer) -> PointIndex {
        PointIndex::build(&layer.geometries)
    }

    /// Builds from bare coordinates; data = position in the slice.
    pub fn from_coords(coords: &[Coord]) -> PointIndex {
        PointIndex::from_entries(
            coords
                .iter()
                .enumerate()
                .filter(|(_, c)| c.x.is_finite() && c.y.is_finite())
                .map(|(i, c)| GeomWithData::new([c.x, c.y], i))
                .collect(),
        )
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
    ///
    /// Answered from a uniform grid of about two points per cell, searched in square rings
    /// around the query until no unvisited cell can hold anything as close as the k-th
    /// feature found: for the usual few nearest of many queries that is several times
    /// faster than the R-tree's best-first search, and gives the same answer.
    pub fn nearest_k(&self, c: Coord, k: usize) -> Vec<(usize, f64)> {
        self.grid.nearest_k(c, k)
    }

    /// [`PointIndex::nearest_k`] by the R-tree's nearest-neighbour iterator (the reference
    /// the grid search is tested against).
    #[cfg(test)]
    fn nearest_k_tree(&self, c: Coord, k: usize) -> Vec<(usize, f64)> {
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

/// Uniform grid over indexed points (see [`PointIndex::nearest_k`]).
#[derive(Debug, Clone)]
struct PointGrid {
    x0: f64,
    y0: f64,
    g: f64,
    inv: f64,
    nx: usize,
    ny: usize,
    /// Cell `c` holds `points[start[c]..start[c + 1]]` (coordinates, feature index).
    start: Vec<u32>,
    points: Vec<([f64; 2], usize)>,
}

impl PointGrid {
    fn build(entries: &[PointEntry]) -> PointGrid {
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for e in entries {
            let [x, y] = *e.geom();
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
        if !(x1 >= x0 && y1 >= y0) || entries.len() >= u32::MAX as usize {
            // No finite point (or too many to count in u32): one cell holding everything.
            return PointGrid {
                x0: 0.0,
                y0: 0.0,
                g: 1.0,
                inv: 0.0,
                nx: 1,
                ny: 1,
                start: vec![0, entries.len() as u32],
                points: entries.iter().map(|e| (*e.geom(), e.data)).collect(),
            };
        }
        let target = (entries.len() / 2).clamp(1, 1 << 22) as f64;
        let (w, h) = (x1 - x0, y1 - y0);
        // Cells about two points each; a degenerate (line or point) extent gets square
        // cells sized from its long side.
        let area = (w * h).max(w.max(h).powi(2) / target);
        let g = if area > 0.0 {
            (area / target).sqrt()
        } else {
            1.0
        };
        let nx = ((w / g) as usize + 1).min(1 << 22);
        let ny = ((h / g) as usize + 1).min((1 << 22) / nx.max(1)).max(1);
        let mut grid = PointGrid {
            x0,
            y0,
            g,
            inv: 1.0 / g,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            points: Vec::new(),
        };
        let cells: Vec<usize> = entries
            .iter()
            .map(|e| grid.cell_of(e.geom()[0], e.geom()[1]))
            .collect();
        for &c in &cells {
            grid.start[c + 1] += 1;
        }
        for i in 0..nx * ny {
            grid.start[i + 1] += grid.start[i];
        }
        let mut cursor = grid.start.clone();
        let mut points = vec![([0.0, 0.0], 0usize); entries.len()];
        for (e, &c) in entries.iter().zip(&cells) {
            points[cursor[c] as usize] = (*e.geom(), e.data);
            cursor[c] += 1;
        }
        grid.points = points;
        grid
    }

    /// Column of `x`, clamped into the grid (NaN → 0).
    fn col(&self, x: f64) -> usize {
        (((x - self.x0) * self.inv).max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) * self.inv).max(0.0) as usize).min(self.ny - 1)
    }

    fn cell_of(&self, x: f64, y: f64) -> usize {
        self.row(y) * self.nx + self.col(x)
    }

    fn nearest_k(&self, c: Coord, k: usize) -> Vec<(usize, f64)> {
        if k == 0 || self.points.is_empty() {
            return Vec::new();
        }
        let (cx, cy) = (self.col(c.x) as isize, self.row(c.y) as isize);
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        // Candidates: (squared distance, feature), the minimum per feature once sorted.
        let mut found: Vec<(f64, usize)> = Vec::with_capacity(16);
        let mut r: isize = 0;
        loop {
            // Visit the cells at Chebyshev distance r from (cx, cy), clipped to the grid.
            let (xa, xb) = ((cx - r).max(0), (cx + r).min(nx - 1));
            let (ya, yb) = ((cy - r).max(0), (cy + r).min(ny - 1));
            for y in ya..=yb {
                let on_edge_row = y == cy - r || y == cy + r;
                let mut x = xa;
                while x <= xb {
                    if on_edge_row || x == cx - r || x == cx + r {
                        let cell = y as usize * self.nx + x as usize;
                        for &([px, py], f) in
                            &self.points[self.start[cell] as usize..self.start[cell + 1] as usize]
                        {
                            let (dx, dy) = (px - c.x, py - c.y);
                            found.push((dx * dx + dy * dy, f));
                        }
                        x += 1;
                    } else {
                        // Interior of the ring's square was visited before: jump to its right edge.
                        x = cx + r;
                    }
                }
            }
            let covered = cx - r <= 0 && cy - r <= 0 && cx + r >= nx - 1 && cy + r >= ny - 1;
            if covered || found.len() >= k {
                found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                // One entry per feature (its nearest part): later duplicates are farther.
                // Compacted in place (no second allocation); k + 1 entries are enough.
                let mut kept = 0;
                for i in 0..found.len() {
                    if kept > k {
                        break;
                    }
                    let e = found[i];
                    if !found[..kept].iter().any(|x| x.1 == e.1) {
                        found[kept] = e;
                        kept += 1;
                    }
                }
                found.truncate(kept);
                if covered {
                    break;
                }
                if found.len() >= k {
                    // Every unvisited point lies outside the square of rings 0..=r, so at
                    // least this far from c (a hair less, against rounding); stop when the
                    // k-th is strictly closer, so that ties with it are all seen.
                    let left = c.x - (self.x0 + (cx - r) as f64 * self.g);
                    let right = self.x0 + (cx + r + 1) as f64 * self.g - c.x;
                    let below = c.y - (self.y0 + (cy - r) as f64 * self.g);
                    let above = self.y0 + (cy + r + 1) as f64 * self.g - c.y;
                    let bound = left.min(right).min(below).min(above) * (1.0 - 1e-9);
                    if bound > 0.0 && found[k - 1].0 < bound * bound {
                        break;
                    }
                }
            }
            r += 1;
        }
        found.truncate(k);
        found.into_iter().map(|(d2, f)| (f, d2.sqrt())).collect()
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
    fn grid_nearest_matches_the_rtree() {
        // A scatter with duplicates, exact ties on a lattice, a multi-point feature, a
        // null, and queries inside, on and far outside the points' extent.
        let mut g: Vec<Option<Geometry>> = (0..400)
            .map(|i| {
                let t = i as f64;
                Some(Geometry::Point(
                    point!(x: ((t * 37.0) % 101.0).floor(), y: ((t * 53.0) % 97.0).floor()),
                ))
            })
            .collect();
        g.push(None);
        g.push(Some(
            geo::MultiPoint::from(vec![(50.0, 50.5), (-30.0, 7.0)]).into(),
        ));
        g.push(Some(Geometry::Point(point!(x: 10.0, y: 10.0))));
        let idx = PointIndex::build(&g);
        for qx in (-60..=170).step_by(7) {
            for qy in (-40..=150).step_by(9) {
                let c = coord! {x: qx as f64 * 0.75, y: qy as f64 * 0.75};
                for k in [1, 2, 3, 5, 17] {
                    assert_eq!(idx.nearest_k(c, k), idx.nearest_k_tree(c, k), "{c:?} k={k}");
                }
            }
        }
        assert!(idx.nearest_k(coord! {x: 0.0, y: 0.0}, 0).is_empty());
        // Everything collinear (a zero-height extent) and a single point.
        let line = PointIndex::build(&pts(&[(0.0, 1.0), (5.0, 1.0), (9.0, 1.0)]));
        assert_eq!(
            line.nearest_k(coord! {x: 6.0, y: 3.0}, 2),
            line.nearest_k_tree(coord! {x: 6.0, y: 3.0}, 2)
        );
        let one = PointIndex::build(&pts(&[(2.0, 2.0)]));
        assert_eq!(one.nearest_k(coord! {x: -1.0, y: 6.0}, 3), vec![(0, 5.0)]);
    }

    #[test]
    fn within_includes_boundary() {
        let idx = PointIndex::build(&pts(&[(0.0, 0.0), (3.0, 4.0), (10.0, 0.0)]));
        let r = idx.within(coord! {x: 0.0, y: 0.0}, 5.0);
        assert_eq!(r, vec![(0, 0.0), (1, 5.0)]);
    }

    #[test]
    fn nan_coordinates_are_left_out_not_a_panic() {
        let g = pts(&[(f64::NAN, 0.0), (1.0, 1.0)]);
        assert_eq!(SpatialIndex::build(&g).len(), 1);
        assert_eq!(PointIndex::build(&g).len(), 1);
        assert_eq!(
            PointIndex::from_coords(&[coord! {x: 0.0, y: f64::NAN}]).len(),
            0
        );
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
