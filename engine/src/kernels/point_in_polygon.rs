//! Points-in-polygons join: which zone contains each point.
//!
//! **Boundary rule.** A point inside a zone's interior belongs to that zone. A point on the
//! boundary of one or more zones (a shared edge or vertex, or the outer edge of the city)
//! belongs to exactly one of them: the one that comes first in the zone layer (lowest
//! feature index). So every point that touches the zones' union is counted exactly once,
//! and totals over zones equal the number of points inside the city. Holes are outside
//! their polygon; a point on a hole's edge is on the boundary.

//!
//! **Speed.** [`assign`] answers many points at once through [`PreparedZones`]: a uniform
//! grid over the zones whose cells list the zones that can hold a point of the cell, in
//! index order, with the cells lying wholly inside one zone marked so that most points need
//! no geometry test at all; the rest are tested against rings whose edges are bucketed by
//! y (a point's test reads the 2–4 edges of its bucket instead of the whole ring). The test
//! replicates `geo`'s `coordinate_position` edge rules with the same robust predicate, so the
//! answer is identical to [`locate`]'s, point for point.

use crate::index::SpatialIndex;
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, Geometry, LineString, Polygon};
use rayon::prelude::*;

/// Below this many points the join runs on one thread (spawning costs more than it saves).
const PARALLEL_MIN: usize = 4096;

/// The zone (index into `zones`) containing `c`, by the boundary rule above.
pub fn locate(c: Coord, zones: &[Option<Geometry>], index: &SpatialIndex) -> Option<usize> {
    let mut boundary: Option<usize> = None;
    let mut inside: Option<usize> = None;
    for z in index.at_point(c) {
        let Some(g) = &zones[z] else { continue };
        match g.coordinate_position(&c) {
            CoordPos::Inside => {
                if inside.is_none_or(|i| z < i) {
                    inside = Some(z);
                }
            }
            CoordPos::OnBoundary => {
                if boundary.is_none_or(|b| z < b) {
                    boundary = Some(z);
                }
            }
            CoordPos::Outside => {}
        }
    }
    // Interior wins over boundary; among boundary hits the lowest index wins, and a point
    // on an edge shared with a zone where it is interior cannot happen in a valid tiling.
    match (inside, boundary) {
        (Some(i), Some(b)) => Some(i.min(b)),
        (Some(i), None) => Some(i),
        (None, b) => b,
    }
}

/// The zone of each point (`None` for points outside every zone or without a coordinate).
///
/// With at least as many points as zones the zones are first prepared ([`PreparedZones`],
/// linear in the zones' size); with fewer, each point queries `index` and tests its
/// candidates directly. Both give [`locate`]'s answer.
pub fn assign(points: &[Option<Coord>], zones: &[Option<Geometry>], index: &SpatialIndex) -> Vec<Option<usize>> {
    if points.len() >= zones.len().max(1) {
        if let Some(prepared) = PreparedZones::build(zones) {
            return prepared.assign(points, zones);
        }
    }
    let f = |p: &Option<Coord>| p.and_then(|c| locate(c, zones, index));
    if points.len() >= PARALLEL_MIN {
        points.par_iter().map(f).collect()
    } else {
        points.iter().map(f).collect()
    }
}

/// Target number of grid cells per zone: with cells about an eighth of a zone's width,
/// roughly a third to a half of the cells lie wholly inside one zone in a tiling.
const CELLS_PER_ZONE: usize = 64;
/// Grid size bounds (the upper one caps memory at ~16 MB of cell offsets).
const MIN_CELLS: usize = 256;
const MAX_CELLS: usize = 1 << 22;
/// Flag on a cell item: the cell lies wholly in the zone's interior.
const FULL: u32 = 1 << 31;

/// Zones prepared for fast point location (see the module docs). Build once, query many.
#[derive(Debug, Clone)]
pub struct PreparedZones {
    grid: Grid,
    /// Cell `c` lists `items[start[c]..start[c + 1]]`: zone index, `| FULL` when the cell
    /// is wholly inside that zone; sorted by zone index.
    start: Vec<u32>,
    items: Vec<u32>,
    shapes: Vec<Shape>,
}

#[derive(Debug, Clone)]
enum Shape {
    /// Null geometry: never contains anything.
    Null,
    /// Polygon or multipolygon parts, tested with the bucketed rings.
    Polygons(Vec<PreparedPolygon>),
    /// Any other geometry (rect, triangle, collection, point, line): tested with `geo`.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Grid {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    /// Cell side and its inverse.
    g: f64,
    inv: f64,
    nx: usize,
    ny: usize,
}

impl Grid {
    /// Column of `x`, clamped into the grid. `floor` is monotonic in `x`, which is what makes
    /// a point and the edge marks around it agree on cells (see `mark_edge`).
    fn col(&self, x: f64) -> usize {
        (((x - self.x0) * self.inv).max(0.0) as usize).min(self.nx - 1)
    }
    fn row(&self, y: f64) -> usize {
        (((y - self.y0) * self.inv).max(0.0) as usize).min(self.ny - 1)
    }
    /// Cell of a point, or `None` outside the grid (and for NaN).
    fn cell(&self, c: Coord) -> Option<usize> {
        if c.x >= self.x0 && c.x <= self.x1 && c.y >= self.y0 && c.y <= self.y1 {
            Some(self.row(c.y) * self.nx + self.col(c.x))
        } else {
            None
        }
    }
}

impl PreparedZones {
    /// Prepares `zones` (any geometries; polygons and multipolygons get the fast path).
    /// `None` when there is nothing to grid (no zone with an area-bearing extent).
    pub fn build(zones: &[Option<Geometry>]) -> Option<PreparedZones> {
        if zones.len() >= FULL as usize {
            return None;
        }
        let boxes: Vec<Option<geo::Rect>> = zones
            .iter()
            .map(|g| g.as_ref().and_then(|g| g.bounding_rect()))
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for r in boxes.iter().flatten() {
            x0 = x0.min(r.min().x);
            y0 = y0.min(r.min().y);
            x1 = x1.max(r.max().x);
            y1 = y1.max(r.max().y);
        }
        let (w, h) = (x1 - x0, y1 - y0);
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            return None;
        }
        let target = (zones.len() * CELLS_PER_ZONE).clamp(MIN_CELLS, MAX_CELLS) as f64;
        let g = (w * h / target).sqrt();
        let nx = ((w / g).ceil() as usize).clamp(1, MAX_CELLS);
        let ny = ((h / g).ceil() as usize).clamp(1, MAX_CELLS / nx);
        // The cell side covers the extent even after the clamp above.
        let g = (w / nx as f64).max(h / ny as f64);
        let grid = Grid { x0, y0, x1, y1, g, inv: 1.0 / g, nx, ny };

        let shapes: Vec<Shape> = zones.par_iter().map(|z| Shape::prepare(z.as_ref())).collect();
        // Per zone, the sorted cells it may occupy (`| FULL` when wholly inside).
        let per_zone: Vec<Vec<u32>> = shapes
            .par_iter()
            .zip(boxes.par_iter())
            .map(|(shape, bbox)| zone_cells(&grid, shape, bbox.as_ref()))
            .collect();
        let ncells = nx * ny;
        let mut start = vec![0u32; ncells + 1];
        for cells in &per_zone {
            for &c in cells {
                start[(c & !FULL) as usize + 1] += 1;
            }
        }
        for i in 0..ncells {
            start[i + 1] += start[i];
        }
        let mut cursor = start.clone();
        let mut items = vec![0u32; start[ncells] as usize];
        // Zones in index order, so every cell's list comes out sorted by zone.
        for (z, cells) in per_zone.iter().enumerate() {
            for &c in cells {
                let slot = &mut cursor[(c & !FULL) as usize];
                items[*slot as usize] = z as u32 | (c & FULL);
                *slot += 1;
            }
        }
        Some(PreparedZones { grid, start, items, shapes })
    }

    /// The zone containing `c` by the boundary rule: the lowest-index zone whose interior
    /// or boundary holds it. `zones` must be the slice the preparation was built from.
    pub fn locate(&self, c: Coord, zones: &[Option<Geometry>]) -> Option<usize> {
        let cell = self.grid.cell(c)?;
        let items = &self.items[self.start[cell] as usize..self.start[cell + 1] as usize];
        for &it in items {
            let z = (it & !FULL) as usize;
            if it & FULL != 0 {
                return Some(z);
            }
            let pos = match &self.shapes[z] {
                Shape::Null => CoordPos::Outside,
                Shape::Polygons(parts) => polygons_position(parts, c),
                Shape::Other => zones[z].as_ref().map_or(CoordPos::Outside, |g| g.coordinate_position(&c)),
            };
            if pos != CoordPos::Outside {
                return Some(z);
            }
        }
        None
    }

    /// The zone of each point, as [`assign`] (in parallel for large inputs).
    pub fn assign(&self, points: &[Option<Coord>], zones: &[Option<Geometry>]) -> Vec<Option<usize>> {
        let f = |p: &Option<Coord>| p.and_then(|c| self.locate(c, zones));
        if points.len() >= PARALLEL_MIN {
            points.par_iter().with_min_len(1024).map(f).collect()
        } else {
            points.iter().map(f).collect()
        }
    }
}

impl Shape {
    fn prepare(g: Option<&Geometry>) -> Shape {
        match g {
            None => Shape::Null,
            Some(Geometry::Polygon(p)) => Shape::Polygons(vec![PreparedPolygon::new(p)]),
            Some(Geometry::MultiPolygon(mp)) => Shape::Polygons(mp.iter().map(PreparedPolygon::new).collect()),
            Some(_) => Shape::Other,
        }
    }
}

/// `geo`'s rule for a collection of polygons: inside if inside any part, on the boundary if
/// on the boundary of an odd number of parts ("mod 2" union rule, OGC SFA 6.1.15.1).
fn polygons_position(parts: &[PreparedPolygon], c: Coord) -> CoordPos {
    let mut inside = false;
    let mut boundary = 0usize;
    for p in parts {
        match p.position(c) {
            CoordPos::Inside => inside = true,
            CoordPos::OnBoundary => boundary += 1,
            CoordPos::Outside => {}
        }
    }
    if boundary % 2 == 1 {
        CoordPos::OnBoundary
    } else if inside {
        CoordPos::Inside
    } else {
        CoordPos::Outside
    }
}

/// One polygon: exterior and holes as bucketed rings.
#[derive(Debug, Clone)]
struct PreparedPolygon {
    exterior: PreparedRing,
    holes: Vec<PreparedRing>,
}

impl PreparedPolygon {
    fn new(p: &Polygon) -> PreparedPolygon {
        PreparedPolygon {
            exterior: PreparedRing::new(p.exterior()),
            holes: p.interiors().iter().map(PreparedRing::new).collect(),
        }
    }

    /// `geo`'s `Polygon` rule: outside the exterior → outside; on it → boundary; inside it →
    /// the first hole that holds or touches the point decides, else inside.
    fn position(&self, c: Coord) -> CoordPos {
        match self.exterior.position(c) {
            CoordPos::Inside => {
                for h in &self.holes {
                    match h.position(c) {
                        CoordPos::Outside => {}
                        CoordPos::OnBoundary => return CoordPos::OnBoundary,
                        CoordPos::Inside => return CoordPos::Outside,
                    }
                }
                CoordPos::Inside
            }
            other => other,
        }
    }

    fn rings(&self) -> impl Iterator<Item = &PreparedRing> {
        std::iter::once(&self.exterior).chain(&self.holes)
    }
}

/// A ring with its edges bucketed into horizontal slabs: slab `k` lists every edge whose
/// y-range meets it, so a point's winding number needs only the edges of its slab.
#[derive(Debug, Clone)]
struct PreparedRing {
    coords: Vec<Coord>,
    xmin: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    inv_h: f64,
    slabs: usize,
    slab_start: Vec<u32>,
    slab_edges: Vec<u32>,
}

impl PreparedRing {
    fn new(ring: &LineString) -> PreparedRing {
        let coords = ring.0.clone();
        let (mut xmin, mut ymin, mut xmax, mut ymax) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for c in &coords {
            xmin = xmin.min(c.x);
            xmax = xmax.max(c.x);
            ymin = ymin.min(c.y);
            ymax = ymax.max(c.y);
        }
        let edges = coords.len().saturating_sub(1);
        let slabs = (edges / 2).clamp(1, 1 << 16);
        let inv_h = if ymax > ymin { slabs as f64 / (ymax - ymin) } else { 0.0 };
        let mut ring = PreparedRing {
            coords,
            xmin,
            xmax,
            ymin,
            ymax,
            inv_h,
            slabs,
            slab_start: vec![0; slabs + 1],
            slab_edges: Vec::new(),
        };
        let span = |r: &PreparedRing, e: usize| {
            let (a, b) = (r.coords[e], r.coords[e + 1]);
            (r.slab(a.y.min(b.y)), r.slab(a.y.max(b.y)))
        };
        for e in 0..edges {
            let (lo, hi) = span(&ring, e);
            for k in lo..=hi {
                ring.slab_start[k + 1] += 1;
            }
        }
        for k in 0..slabs {
            ring.slab_start[k + 1] += ring.slab_start[k];
        }
        let mut cursor = ring.slab_start.clone();
        let mut slab_edges = vec![0u32; ring.slab_start[slabs] as usize];
        for e in 0..edges {
            let (lo, hi) = span(&ring, e);
            for k in lo..=hi {
                slab_edges[cursor[k] as usize] = e as u32;
                cursor[k] += 1;
            }
        }
        ring.slab_edges = slab_edges;
        ring
    }

    /// Slab of `y` (clamped). Monotonic in `y`, so an edge spanning `y` is always listed in
    /// `y`'s slab (its own slab range is computed with this same function).
    fn slab(&self, y: f64) -> usize {
        (((y - self.ymin) * self.inv_h).max(0.0) as usize).min(self.slabs - 1)
    }

    /// `geo::coordinate_position::coord_pos_relative_to_ring`, restricted to the edges of the
    /// point's slab (edges outside it cannot span the point's y, and such edges neither
    /// change the winding number nor hold the point in `geo`'s loop either).
    fn position(&self, c: Coord) -> CoordPos {
        match self.coords.len() {
            0 => return CoordPos::Outside,
            1 => return if c == self.coords[0] { CoordPos::OnBoundary } else { CoordPos::Outside },
            _ => {}
        }
        if !(c.y >= self.ymin && c.y <= self.ymax && c.x >= self.xmin && c.x <= self.xmax) {
            return CoordPos::Outside;
        }
        let k = self.slab(c.y);
        let mut winding = 0i32;
        for &e in &self.slab_edges[self.slab_start[k] as usize..self.slab_start[k + 1] as usize] {
            let (start, end) = (self.coords[e as usize], self.coords[e as usize + 1]);
            if start.y <= c.y {
                if end.y >= c.y {
                    let o = RobustKernel::orient2d(start, end, c);
                    if o == Orientation::CounterClockwise && end.y != c.y {
                        winding += 1;
                    } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                        return CoordPos::OnBoundary;
                    }
                }
            } else if end.y <= c.y {
                let o = RobustKernel::orient2d(start, end, c);
                if o == Orientation::Clockwise {
                    winding -= 1;
                } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                    return CoordPos::OnBoundary;
                }
            }
        }
        if winding == 0 {
            CoordPos::Outside
        } else {
            CoordPos::Inside
        }
    }
}

fn between(v: f64, a: f64, b: f64) -> bool {
    if a < b {
        v >= a && v <= b
    } else {
        v >= b && v <= a
    }
}

/// The grid cells a zone may hold points of, sorted, `| FULL` for cells wholly inside it.
///
/// Per polygon part: mark the cells its edges pass (with a margin of a quarter cell, so
/// rounding can never leave a boundary point in an unmarked cell); along each row, a run of
/// unmarked cells is on one side of the boundary, so one test at the first cell's centre
/// classifies the whole run. Cells inside one part but marked by another (overlapping
/// parts) stay plain candidates. Other geometries list every cell of their box.
fn zone_cells(grid: &Grid, shape: &Shape, bbox: Option<&geo::Rect>) -> Vec<u32> {
    let Some(bbox) = bbox else { return Vec::new() };
    let m = 0.25 * grid.g;
    let parts = match shape {
        Shape::Null => return Vec::new(),
        Shape::Other => {
            let (c0, c1) = (grid.col(bbox.min().x - m), grid.col(bbox.max().x + m));
            let (r0, r1) = (grid.row(bbox.min().y - m), grid.row(bbox.max().y + m));
            return (r0..=r1)
                .flat_map(|r| (c0..=c1).map(move |c| (r * grid.nx + c) as u32))
                .collect();
        }
        Shape::Polygons(parts) => parts,
    };
    let mut out: Vec<u32> = Vec::new();
    for part in parts {
        let ext = &part.exterior;
        if ext.coords.is_empty() {
            continue;
        }
        let (pc0, pc1) = (grid.col(ext.xmin - m), grid.col(ext.xmax + m));
        let (pr0, pr1) = (grid.row(ext.ymin - m), grid.row(ext.ymax + m));
        let w = pc1 - pc0 + 1;
        let mut touched = vec![false; w * (pr1 - pr0 + 1)];
        for ring in part.rings() {
            for e in ring.coords.windows(2) {
                mark_edge(grid, e[0], e[1], m, |r, c| {
                    if (pr0..=pr1).contains(&r) && (pc0..=pc1).contains(&c) {
                        touched[(r - pr0) * w + c - pc0] = true;
                    }
                });
            }
            if ring.coords.len() == 1 {
                let p = ring.coords[0];
                mark_edge(grid, p, p, m, |r, c| {
                    if (pr0..=pr1).contains(&r) && (pc0..=pc1).contains(&c) {
                        touched[(r - pr0) * w + c - pc0] = true;
                    }
                });
            }
        }
        for r in pr0..=pr1 {
            let row = &touched[(r - pr0) * w..(r - pr0 + 1) * w];
            let cy = grid.y0 + (r as f64 + 0.5) * grid.g;
            let mut run = CoordPos::Outside;
            for (i, &t) in row.iter().enumerate() {
                let cell = (r * grid.nx + pc0 + i) as u32;
                if t {
                    out.push(cell);
                    continue;
                }
                if i == 0 || row[i - 1] {
                    let cx = grid.x0 + ((pc0 + i) as f64 + 0.5) * grid.g;
                    run = part.position(Coord { x: cx, y: cy });
                }
                match run {
                    CoordPos::Inside => out.push(cell | FULL),
                    // Cannot happen (the cell is clear of the boundary); stay exact anyway.
                    CoordPos::OnBoundary => out.push(cell),
                    CoordPos::Outside => {}
                }
            }
        }
    }
    if parts.len() > 1 {
        // Merge the parts: a cell any part's boundary touches is a plain candidate.
        out.sort_unstable_by_key(|c| (c & !FULL, c & FULL));
        out.dedup_by(|later, earlier| (*later & !FULL) == (*earlier & !FULL));
    }
    out
}

/// Calls `mark(row, col)` for every cell within `m` of the segment a–b (a few extra cells
/// near its ends are harmless: they only lose the wholly-inside shortcut).
fn mark_edge(grid: &Grid, a: Coord, b: Coord, m: f64, mut mark: impl FnMut(usize, usize)) {
    let (ylo, yhi) = (a.y.min(b.y), a.y.max(b.y));
    for r in grid.row(ylo - m)..=grid.row(yhi + m) {
        // The part of the segment within the row's band (widened by m), as an x-range.
        let band_lo = (grid.y0 + r as f64 * grid.g - m).max(ylo);
        let band_hi = (grid.y0 + (r + 1) as f64 * grid.g + m).min(yhi);
        let (xl, xr) = if a.y == b.y || band_lo > band_hi {
            (a.x.min(b.x), a.x.max(b.x))
        } else {
            let at = |y: f64| a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
            let (p, q) = (at(band_lo), at(band_hi));
            (p.min(q), p.max(q))
        };
        for c in grid.col(xl - m)..=grid.col(xr + m) {
            mark(r, c);
        }
    }
}

/// Number of points per zone (`zones.len()` counters) and the number outside all zones.
pub fn count(assignment: &[Option<usize>], n_zones: usize) -> (Vec<u64>, u64) {
    let mut counts = vec![0u64; n_zones];
    let mut outside = 0;
    for a in assignment {
        match a {
            Some(z) => counts[*z] += 1,
            None => outside += 1,
        }
    }
    (counts, outside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon, MultiPolygon};

    fn grid() -> Vec<Option<Geometry>> {
        // Two unit squares side by side sharing the edge x = 1, the left one with a hole.
        let left = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
            interiors: [[(x: 0.25, y: 0.25), (x: 0.75, y: 0.25), (x: 0.75, y: 0.75), (x: 0.25, y: 0.75)]],
        );
        let right = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
        // A multipolygon zone with two separate parts.
        let multi = MultiPolygon::new(vec![
            polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 6.0)],
            polygon![(x: 8.0, y: 5.0), (x: 9.0, y: 5.0), (x: 9.0, y: 6.0), (x: 8.0, y: 6.0)],
        ]);
        vec![Some(left.into()), Some(right.into()), Some(multi.into())]
    }

    #[test]
    fn interior_holes_multipolygons_and_shared_edges() {
        let zones = grid();
        let idx = SpatialIndex::build(&zones);
        let at = |x: f64, y: f64| locate(coord! {x: x, y: y}, &zones, &idx);
        assert_eq!(at(0.1, 0.1), Some(0));
        assert_eq!(at(0.5, 0.5), None, "inside the hole is outside the zone");
        assert_eq!(at(0.25, 0.5), Some(0), "on the hole's edge is on the boundary");
        assert_eq!(at(1.5, 0.5), Some(1));
        assert_eq!(at(1.0, 0.5), Some(0), "shared edge goes to the first zone only");
        assert_eq!(at(1.0, 1.0), Some(0), "shared vertex too");
        assert_eq!(at(2.0, 0.5), Some(1), "outer edge belongs to its only zone");
        assert_eq!(at(5.5, 5.5), Some(2));
        assert_eq!(at(8.5, 5.5), Some(2));
        assert_eq!(at(7.0, 5.5), None, "between the parts of a multipolygon");
    }

    #[test]
    fn every_point_counted_once() {
        let zones = grid();
        let idx = SpatialIndex::build(&zones);
        // A lattice including many points exactly on edges and vertices.
        let pts: Vec<Option<Coord>> = (0..=40)
            .flat_map(|i| (0..=20).map(move |j| Some(coord! {x: i as f64 * 0.05, y: j as f64 * 0.05})))
            .chain([None])
            .collect();
        let a = assign(&pts, &zones, &idx);
        let (counts, outside) = count(&a, zones.len());
        // Points in the hole's open interior: x,y in (0.25, 0.75) on a 0.05 lattice: 9 × 9.
        assert_eq!(outside, 81 + 1);
        assert_eq!(counts.iter().sum::<u64>() + outside, pts.len() as u64);
        // Column x = 1.0 (21 points) is shared and goes to zone 0.
        assert_eq!(counts[0], 21 * 21 - 81);
        assert_eq!(counts[1], 20 * 21);
        assert_eq!(counts[2], 0);
    }

    /// Zones meant to trip the prepared path: overlaps, a multipolygon whose parts share an
    /// edge (geo's mod-2 rule puts that edge outside), a concave star, a self-crossing
    /// bowtie, a hole touching its exterior, a rect, a null and a degenerate zone.
    fn awkward() -> Vec<Option<Geometry>> {
        let star: Vec<(f64, f64)> = (0..20)
            .map(|i| {
                let a = i as f64 * std::f64::consts::PI / 10.0;
                let r = if i % 2 == 0 { 3.0 } else { 1.25 };
                (5.0 + r * a.cos(), 5.0 + r * a.sin())
            })
            .collect();
        let touching = MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 6.0), (x: 2.0, y: 6.0), (x: 2.0, y: 8.0), (x: 0.0, y: 8.0)],
            polygon![(x: 2.0, y: 6.0), (x: 4.0, y: 6.0), (x: 4.0, y: 8.0), (x: 2.0, y: 8.0)],
        ]);
        let hole_touching = polygon!(
            exterior: [(x: 6.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 4.0), (x: 6.0, y: 4.0)],
            interiors: [[(x: 6.0, y: 2.0), (x: 8.0, y: 1.0), (x: 8.0, y: 3.0)]],
        );
        vec![
            Some(polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)].into()),
            Some(polygon![(x: 2.0, y: 2.0), (x: 6.0, y: 2.0), (x: 6.0, y: 6.0), (x: 2.0, y: 6.0)].into()),
            None,
            Some(Geometry::Polygon(Polygon::new(LineString::from(star), vec![]))),
            Some(touching.into()),
            Some(polygon![(x: 0.0, y: 9.0), (x: 3.0, y: 12.0), (x: 3.0, y: 9.0), (x: 0.0, y: 12.0)].into()),
            Some(hole_touching.into()),
            Some(geo::Rect::new(coord! {x: 7.0, y: 7.0}, coord! {x: 9.5, y: 11.0}).into()),
            Some(Polygon::new(LineString::new(vec![coord! {x: 11.0, y: 1.0}]), vec![]).into()),
        ]
    }

    #[test]
    fn prepared_matches_locate_everywhere() {
        for zones in [grid(), awkward()] {
            let idx = SpatialIndex::build(&zones);
            let prepared = PreparedZones::build(&zones).expect("prepared");
            // A lattice on every vertex and edge of both fixtures, plus off-lattice points.
            let mut pts: Vec<Coord> = (-4..=196)
                .flat_map(|i| (-4..=196).map(move |j| coord! {x: i as f64 * 0.0625, y: j as f64 * 0.0625}))
                .collect();
            let mut state = 12345u64;
            for _ in 0..20_000 {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let x = (state >> 11) as f64 / (1u64 << 53) as f64 * 13.0 - 1.0;
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let y = (state >> 11) as f64 / (1u64 << 53) as f64 * 13.0 - 1.0;
                pts.push(coord! {x: x, y: y});
            }
            pts.push(coord! {x: f64::NAN, y: 1.0});
            for p in &pts {
                assert_eq!(prepared.locate(*p, &zones), locate(*p, &zones, &idx), "{p:?}");
            }
            let opts: Vec<Option<Coord>> = pts.iter().copied().map(Some).collect();
            let rtree_only: Vec<Option<usize>> = opts.iter().map(|p| p.and_then(|c| locate(c, &zones, &idx))).collect();
            assert_eq!(assign(&opts, &zones, &idx), rtree_only);
        }
    }

    #[test]
    fn prepared_rules_by_hand() {
        let zones = awkward();
        let p = PreparedZones::build(&zones).expect("prepared");
        let at = |x: f64, y: f64| p.locate(coord! {x: x, y: y}, &zones);
        assert_eq!(at(3.0, 3.0), Some(0), "overlap goes to the lower index");
        assert_eq!(at(5.0, 3.0), Some(1));
        assert_eq!(at(2.0, 7.0), None, "edge shared by two parts of one multipolygon: mod-2 rule");
        assert_eq!(at(1.0, 7.0), Some(4));
        assert_eq!(at(7.0, 2.0), Some(6), "on the hole's edge");
        assert_eq!(at(7.5, 2.0), None, "in the hole");
        assert_eq!(at(8.0, 10.0), Some(7), "rect zone");
        assert_eq!(at(11.0, 1.0), Some(8), "degenerate one-point ring: its point is its boundary");
        assert_eq!(at(-1.0, 0.0), None);
        assert!(PreparedZones::build(&[]).is_none());
        assert!(PreparedZones::build(&[None]).is_none());
    }

    #[test]
    fn empty_inputs() {
        let idx = SpatialIndex::build(&[]);
        assert_eq!(assign(&[Some(coord! {x: 0.0, y: 0.0})], &[], &idx), vec![None]);
        assert!(assign(&[], &grid(), &SpatialIndex::build(&grid())).is_empty());
    }
}
