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
//! y (a point's test reads the 2–4 edges of its bucket instead of the whole ring), stopping
//! at the first zone that holds the point. Points are processed grouped by cell, so the
//! zones they test stay in cache. The test replicates `geo`'s `coordinate_position` edge
//! rules with the same robust predicate, so the answer is identical to [`locate`]'s, point
//! for point (`prepared_matches_locate_everywhere`).

use crate::rtree::SpatialIndex;
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
/// With many more points than zones (8×) the zones are first prepared ([`PreparedZones`],
/// linear in the zones' size, a few µs per zone); with fewer, each point queries `index`
/// and tests its candidates directly. Both give [`locate`]'s answer.
pub fn assign(
    points: &[Option<Coord>],
    zones: &[Option<Geometry>],
    index: &SpatialIndex,
) -> Vec<Option<usize>> {
    if points.len() >= 8 * zones.len().max(1) {
        // Cells: about two points per cell, but 16–256 cells per zone (fewer and the cells'
        // candidate lists grow; more and building the grid outweighs the points it serves).
        let target = (points.len() / 2).clamp(16 * zones.len(), 256 * zones.len());
        if let Some(prepared) = PreparedZones::with_cells(zones, target) {
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

/// Default number of grid cells per zone: cells about an eighth of a zone's width, so that
/// roughly a third of the cells lie wholly inside one zone in a tiling.
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
    rings: Rings,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Null geometry: never contains anything.
    Null,
    /// Polygon or multipolygon: parts `parts` of [`Rings::parts`].
    Polygons { first: u32, end: u32 },
    /// Any other geometry (rect, triangle, collection, point, line), or one with a
    /// non-finite coordinate: tested with `geo` inside its bounding box (as the R-tree path
    /// of [`locate`] does; the box is a placeholder until `with_cells` sets it).
    Other(geo::Rect),
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
        PreparedZones::with_cells(zones, zones.len() * CELLS_PER_ZONE)
    }

    /// As [`PreparedZones::build`] with a grid of about `target` cells.
    pub fn with_cells(zones: &[Option<Geometry>], target: usize) -> Option<PreparedZones> {
        if zones.len() >= FULL as usize {
            return None;
        }
        // A zone with a non-finite coordinate gets no cells, as `SpatialIndex` leaves it out.
        let boxes: Vec<Option<geo::Rect>> = zones
            .iter()
            .map(|g| g.as_ref().and_then(|g| g.bounding_rect()))
            .map(|r| {
                r.filter(|r| {
                    [r.min().x, r.min().y, r.max().x, r.max().y]
                        .iter()
                        .all(|v| v.is_finite())
                })
            })
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
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
        let target = target.clamp(MIN_CELLS, MAX_CELLS) as f64;
        let g = (w * h / target).sqrt();
        let nx = ((w / g).ceil() as usize).clamp(1, MAX_CELLS);
        let ny = ((h / g).ceil() as usize).clamp(1, MAX_CELLS / nx);
        // The cell side covers the extent even after the clamp above.
        let g = (w / nx as f64).max(h / ny as f64);
        let grid = Grid {
            x0,
            y0,
            x1,
            y1,
            g,
            inv: 1.0 / g,
            nx,
            ny,
        };

        let mut rings = Rings::default();
        let shapes: Vec<Shape> = zones
            .iter()
            .zip(&boxes)
            .map(|(z, bbox)| match (rings.push_zone(z.as_ref()), bbox) {
                (Shape::Other(_), Some(r)) => Shape::Other(*r),
                (Shape::Other(_), None) => Shape::Null,
                (shape, _) => shape,
            })
            .collect();
        // Per zone, the sorted cells it may occupy (`| FULL` when wholly inside).
        let per_zone: Vec<Vec<u32>> = shapes
            .par_iter()
            .zip(boxes.par_iter())
            .with_min_len(64)
            .map_init(Vec::new, |scratch, (shape, bbox)| {
                zone_cells(&grid, &rings, *shape, bbox.as_ref(), scratch)
            })
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
        Some(PreparedZones {
            grid,
            start,
            items,
            shapes,
            rings,
        })
    }

    /// The zone containing `c` by the boundary rule: the lowest-index zone whose interior
    /// or boundary holds it. `zones` must be the slice the preparation was built from.
    pub fn locate(&self, c: Coord, zones: &[Option<Geometry>]) -> Option<usize> {
        self.locate_in(self.grid.cell(c)?, c, zones)
    }

    /// [`PreparedZones::locate`] for a point known to lie in grid cell `cell`.
    fn locate_in(&self, cell: usize, c: Coord, zones: &[Option<Geometry>]) -> Option<usize> {
        let items = &self.items[self.start[cell] as usize..self.start[cell + 1] as usize];
        for &it in items {
            let z = (it & !FULL) as usize;
            if it & FULL != 0 {
                return Some(z);
            }
            let pos = match self.shapes[z] {
                Shape::Null => CoordPos::Outside,
                Shape::Polygons { first, end } => self.rings.position(first..end, c),
                Shape::Other(r) => {
                    let inside_box = c.x >= r.min().x
                        && c.x <= r.max().x
                        && c.y >= r.min().y
                        && c.y <= r.max().y;
                    match &zones[z] {
                        Some(g) if inside_box => g.coordinate_position(&c),
                        _ => CoordPos::Outside,
                    }
                }
            };
            if pos != CoordPos::Outside {
                return Some(z);
            }
        }
        None
    }

    /// The zone of each point, as [`assign`].
    ///
    /// Large inputs are answered in grid-cell order (a counting sort of the points by cell),
    /// in parallel: consecutive points then share their cell's list and zones, which stay
    /// in cache. In input order every point would fetch a different zone's rings from
    /// memory, and with thousands of zones that, not arithmetic, is what the time goes on.
    pub fn assign(
        &self,
        points: &[Option<Coord>],
        zones: &[Option<Geometry>],
    ) -> Vec<Option<usize>> {
        if points.len() < PARALLEL_MIN {
            return points
                .iter()
                .map(|p| p.and_then(|c| self.locate(c, zones)))
                .collect();
        }
        if points.len() >= u32::MAX as usize {
            return points
                .par_iter()
                .map(|p| p.and_then(|c| self.locate(c, zones)))
                .collect();
        }
        const NONE: u32 = u32::MAX;
        let ncells = self.start.len() - 1;
        let cells: Vec<u32> = points
            .par_iter()
            .with_min_len(4096)
            .map(|p| p.and_then(|c| self.grid.cell(c)).map_or(NONE, |c| c as u32))
            .collect();
        // Counting sort: `bounds[c]..bounds[c + 1]` are cell c's points in `sorted`, which
        // carries the coordinates along so the parallel pass below reads memory in order.
        let mut bounds = vec![0u32; ncells + 1];
        for &c in &cells {
            if c != NONE {
                bounds[c as usize + 1] += 1;
            }
        }
        for i in 0..ncells {
            bounds[i + 1] += bounds[i];
        }
        let mut cursor = bounds.clone();
        let mut sorted = vec![(Coord { x: 0.0, y: 0.0 }, 0u32); bounds[ncells] as usize];
        for (i, (&cell, p)) in cells.iter().zip(points).enumerate() {
            if let (true, Some(c)) = (cell != NONE, p) {
                let slot = &mut cursor[cell as usize];
                sorted[*slot as usize] = (*c, i as u32);
                *slot += 1;
            }
        }
        drop(cursor);
        // Work units: runs of whole cells holding about `CHUNK` points each.
        const CHUNK: u32 = 8192;
        let mut tasks = Vec::new();
        let mut c = 0;
        while c < ncells {
            let begin = c;
            c += 1;
            while c < ncells && bounds[c + 1] - bounds[begin] <= CHUNK {
                c += 1;
            }
            tasks.push(begin..c);
        }
        let found: Vec<Vec<u32>> = tasks
            .par_iter()
            .map(|cells| {
                let mut res =
                    Vec::with_capacity((bounds[cells.end] - bounds[cells.start]) as usize);
                for cell in cells.clone() {
                    let pts = &sorted[bounds[cell] as usize..bounds[cell + 1] as usize];
                    if pts.is_empty() {
                        continue;
                    }
                    let items =
                        &self.items[self.start[cell] as usize..self.start[cell + 1] as usize];
                    match items.first() {
                        Some(&it) if it & FULL != 0 => res.extend(pts.iter().map(|_| it & !FULL)),
                        _ => res.extend(pts.iter().map(|(c, _)| {
                            self.locate_in(cell, *c, zones).map_or(NONE, |z| z as u32)
                        })),
                    }
                }
                res
            })
            .collect();
        let mut out = vec![None; points.len()];
        for ((_, i), &z) in sorted.iter().zip(found.iter().flatten()) {
            if z != NONE {
                out[*i as usize] = Some(z as usize);
            }
        }
        out
    }
}

/// Every ring of every zone in flat arrays (one allocation each, not three per ring): a
/// point's test then reads a ring header, its slab's edge list and a few coordinates.
#[derive(Debug, Clone, Default)]
struct Rings {
    coords: Vec<Coord>,
    rings: Vec<Ring>,
    /// Per polygon part: its exterior ring; its holes are the rings that follow it.
    parts: Vec<(u32, u32)>,
    /// Per ring, `slabs + 1` offsets into `slab_edges`.
    slab_offsets: Vec<u32>,
    /// Edge start indices into `coords` (the edge runs to the next coordinate).
    slab_edges: Vec<u32>,
}

/// A ring whose edges are bucketed into horizontal slabs: slab `k` lists every edge whose
/// y-range meets it, so a point's winding number needs only the edges of its slab.
#[derive(Debug, Clone, Copy)]
struct Ring {
    xmin: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    inv_h: f64,
    coords: u32,
    len: u32,
    slabs: u32,
    offsets: u32,
}

impl Ring {
    /// Slab of `y` (clamped). Monotonic in `y`, so an edge spanning `y` is always listed in
    /// `y`'s slab (its own slab range is computed with this same function).
    fn slab(&self, y: f64) -> usize {
        (((y - self.ymin) * self.inv_h).max(0.0) as usize).min(self.slabs as usize - 1)
    }
}

impl Rings {
    fn push_zone(&mut self, g: Option<&Geometry>) -> Shape {
        let first = self.parts.len() as u32;
        // A NaN or infinite vertex would break the cell marking's geometry: such a zone is
        // left to `geo`'s own test (`Shape::Other`), which keeps the answer identical.
        let finite = |g: &Geometry| {
            use geo::CoordsIter;
            g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite())
        };
        match g {
            None => return Shape::Null,
            Some(g) if !finite(g) => {
                return Shape::Other(geo::Rect::new(Coord::zero(), Coord::zero()))
            }
            Some(Geometry::Polygon(p)) => self.push_polygon(p),
            Some(Geometry::MultiPolygon(mp)) => mp.iter().for_each(|p| self.push_polygon(p)),
            Some(_) => return Shape::Other(geo::Rect::new(Coord::zero(), Coord::zero())),
        }
        Shape::Polygons {
            first,
            end: self.parts.len() as u32,
        }
    }

    fn push_polygon(&mut self, p: &Polygon) {
        let ext = self.push_ring(p.exterior());
        for h in p.interiors() {
            self.push_ring(h);
        }
        self.parts.push((ext, p.interiors().len() as u32));
    }

    fn push_ring(&mut self, ls: &LineString) -> u32 {
        let start = self.coords.len();
        self.coords.extend_from_slice(&ls.0);
        let pts = &self.coords[start..];
        let (mut xmin, mut ymin, mut xmax, mut ymax) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for c in pts {
            xmin = xmin.min(c.x);
            xmax = xmax.max(c.x);
            ymin = ymin.min(c.y);
            ymax = ymax.max(c.y);
        }
        let edges = pts.len().saturating_sub(1);
        let slabs = (edges / 2).clamp(1, 1 << 16);
        let ring = Ring {
            xmin,
            xmax,
            ymin,
            ymax,
            inv_h: if ymax > ymin {
                slabs as f64 / (ymax - ymin)
            } else {
                0.0
            },
            coords: start as u32,
            len: pts.len() as u32,
            slabs: slabs as u32,
            offsets: self.slab_offsets.len() as u32,
        };
        let span = |e: usize| {
            let (a, b) = (pts[e], pts[e + 1]);
            ring.slab(a.y.min(b.y))..=ring.slab(a.y.max(b.y))
        };
        // Counting sort of edges into slabs: counts, prefix sums, then fill.
        let base = self.slab_edges.len() as u32;
        let off = ring.offsets as usize;
        self.slab_offsets.resize(off + slabs + 1, 0);
        for e in 0..edges {
            for k in span(e) {
                self.slab_offsets[off + k + 1] += 1;
            }
        }
        self.slab_offsets[off] = base;
        for k in 0..slabs {
            self.slab_offsets[off + k + 1] += self.slab_offsets[off + k];
        }
        self.slab_edges
            .resize(self.slab_offsets[off + slabs] as usize, 0);
        for e in 0..edges {
            for k in span(e) {
                // Fill slab k from its end (offsets[k + 1] counts down to offsets[k]).
                self.slab_offsets[off + k + 1] -= 1;
                let at = self.slab_offsets[off + k + 1] as usize;
                self.slab_edges[at] = (start + e) as u32;
            }
        }
        // Filling from the end left offsets[k + 1] at slab k's start: shift down by one and
        // close with the end of the last slab.
        for k in 0..slabs {
            self.slab_offsets[off + k] = self.slab_offsets[off + k + 1];
        }
        self.slab_offsets[off + slabs] = self.slab_edges.len() as u32;
        self.rings.push(ring);
        (self.rings.len() - 1) as u32
    }

    /// `geo`'s rule for a collection of polygons: inside if inside any part, on the boundary
    /// if on the boundary of an odd number of parts ("mod 2" union rule, OGC SFA 6.1.15.1).
    fn position(&self, parts: std::ops::Range<u32>, c: Coord) -> CoordPos {
        let mut inside = false;
        let mut boundary = 0usize;
        for p in parts {
            match self.part_position(p as usize, c) {
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

    /// `geo`'s `Polygon` rule: outside the exterior → outside; on it → boundary; inside it →
    /// the first hole that holds or touches the point decides, else inside.
    fn part_position(&self, part: usize, c: Coord) -> CoordPos {
        let (ext, holes) = self.parts[part];
        match self.ring_position(ext as usize, c) {
            CoordPos::Inside => {
                for h in ext + 1..=ext + holes {
                    match self.ring_position(h as usize, c) {
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

    /// `geo::coordinate_position::coord_pos_relative_to_ring`, restricted to the edges of the
    /// point's slab (edges outside it cannot span the point's y, and such edges neither
    /// change the winding number nor hold the point in `geo`'s loop either).
    fn ring_position(&self, ring: usize, c: Coord) -> CoordPos {
        let r = &self.rings[ring];
        match r.len {
            0 => return CoordPos::Outside,
            1 => {
                return if c == self.coords[r.coords as usize] {
                    CoordPos::OnBoundary
                } else {
                    CoordPos::Outside
                };
            }
            _ => {}
        }
        if !(c.y >= r.ymin && c.y <= r.ymax && c.x >= r.xmin && c.x <= r.xmax) {
            return CoordPos::Outside;
        }
        let k = r.offsets as usize + r.slab(c.y);
        let edges =
            &self.slab_edges[self.slab_offsets[k] as usize..self.slab_offsets[k + 1] as usize];
        let mut winding = 0i32;
        for &e in edges {
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
fn zone_cells(
    grid: &Grid,
    rings: &Rings,
    shape: Shape,
    bbox: Option<&geo::Rect>,
    touched: &mut Vec<bool>,
) -> Vec<u32> {
    let Some(bbox) = bbox else { return Vec::new() };
    let m = 0.25 * grid.g;
    let (first, end) = match shape {
        Shape::Null => return Vec::new(),
        Shape::Other(_) => {
            let (c0, c1) = (grid.col(bbox.min().x - m), grid.col(bbox.max().x + m));
            let (r0, r1) = (grid.row(bbox.min().y - m), grid.row(bbox.max().y + m));
            return (r0..=r1)
                .flat_map(|r| (c0..=c1).map(move |c| (r * grid.nx + c) as u32))
                .collect();
        }
        Shape::Polygons { first, end } => (first as usize, end as usize),
    };
    let mut out: Vec<u32> = Vec::new();
    for part in first..end {
        let (ext, holes) = rings.parts[part];
        let e = rings.rings[ext as usize];
        if e.len == 0 {
            continue;
        }
        let (pc0, pc1) = (grid.col(e.xmin - m), grid.col(e.xmax + m));
        let (pr0, pr1) = (grid.row(e.ymin - m), grid.row(e.ymax + m));
        let w = pc1 - pc0 + 1;
        touched.clear();
        touched.resize(w * (pr1 - pr0 + 1), false);
        for ring in &rings.rings[ext as usize..=(ext + holes) as usize] {
            let pts = &rings.coords[ring.coords as usize..(ring.coords + ring.len) as usize];
            let mut mark = |r: usize, c: usize| {
                if (pr0..=pr1).contains(&r) && (pc0..=pc1).contains(&c) {
                    touched[(r - pr0) * w + c - pc0] = true;
                }
            };
            for edge in pts.windows(2) {
                mark_edge(grid, edge[0], edge[1], m, &mut mark);
            }
            if let [p] = pts {
                mark_edge(grid, *p, *p, m, &mut mark);
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
                    run = rings.part_position(part, Coord { x: cx, y: cy });
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
    if end - first > 1 {
        // Merge the parts: a cell any part's boundary touches is a plain candidate.
        out.sort_unstable_by_key(|c| (c & !FULL, c & FULL));
        out.dedup_by(|later, earlier| (*later & !FULL) == (*earlier & !FULL));
    }
    out
}

/// Calls `mark(row, col)` for every cell within `m` of the segment a–b (a few extra cells
/// near its ends are harmless: they only lose the wholly-inside shortcut).
fn mark_edge(grid: &Grid, a: Coord, b: Coord, m: f64, mark: &mut impl FnMut(usize, usize)) {
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
        let right =
            polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
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
        assert_eq!(
            at(0.25, 0.5),
            Some(0),
            "on the hole's edge is on the boundary"
        );
        assert_eq!(at(1.5, 0.5), Some(1));
        assert_eq!(
            at(1.0, 0.5),
            Some(0),
            "shared edge goes to the first zone only"
        );
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
            .flat_map(|i| {
                (0..=20).map(move |j| Some(coord! {x: i as f64 * 0.05, y: j as f64 * 0.05}))
            })
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
    /// bowtie, a hole touching its exterior, a rect, a null, a degenerate zone and one with a
    /// NaN vertex (left out, as by `SpatialIndex`).
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
            Some(
                polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)]
                    .into(),
            ),
            Some(
                polygon![(x: 2.0, y: 2.0), (x: 6.0, y: 2.0), (x: 6.0, y: 6.0), (x: 2.0, y: 6.0)]
                    .into(),
            ),
            None,
            Some(Geometry::Polygon(Polygon::new(
                LineString::from(star),
                vec![],
            ))),
            Some(touching.into()),
            Some(
                polygon![(x: 0.0, y: 9.0), (x: 3.0, y: 12.0), (x: 3.0, y: 9.0), (x: 0.0, y: 12.0)]
                    .into(),
            ),
            Some(hole_touching.into()),
            Some(geo::Rect::new(coord! {x: 7.0, y: 7.0}, coord! {x: 9.5, y: 11.0}).into()),
            Some(Polygon::new(LineString::new(vec![coord! {x: 11.0, y: 1.0}]), vec![]).into()),
            Some(polygon![(x: 11.5, y: 5.0), (x: f64::NAN, y: 5.0), (x: 12.5, y: 6.0)].into()),
        ]
    }

    #[test]
    fn prepared_matches_locate_everywhere() {
        for zones in [grid(), awkward()] {
            let idx = SpatialIndex::build(&zones);
            let prepared = PreparedZones::build(&zones).expect("prepared");
            // A lattice on every vertex and edge of both fixtures, plus off-lattice points.
            let mut pts: Vec<Coord> = (-4..=196)
                .flat_map(|i| {
                    (-4..=196).map(move |j| coord! {x: i as f64 * 0.0625, y: j as f64 * 0.0625})
                })
                .collect();
            let mut state = 12345u64;
            for _ in 0..20_000 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let x = (state >> 11) as f64 / (1u64 << 53) as f64 * 13.0 - 1.0;
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let y = (state >> 11) as f64 / (1u64 << 53) as f64 * 13.0 - 1.0;
                pts.push(coord! {x: x, y: y});
            }
            pts.push(coord! {x: f64::NAN, y: 1.0});
            for p in &pts {
                assert_eq!(
                    prepared.locate(*p, &zones),
                    locate(*p, &zones, &idx),
                    "{p:?}"
                );
            }
            let opts: Vec<Option<Coord>> = pts.iter().copied().map(Some).collect();
            let rtree_only: Vec<Option<usize>> = opts
                .iter()
                .map(|p| p.and_then(|c| locate(c, &zones, &idx)))
                .collect();
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
        assert_eq!(
            at(2.0, 7.0),
            None,
            "edge shared by two parts of one multipolygon: mod-2 rule"
        );
        assert_eq!(at(1.0, 7.0), Some(4));
        assert_eq!(at(7.0, 1.5), Some(6), "on the hole's edge");
        assert_eq!(
            at(6.0, 2.0),
            Some(1),
            "hole vertex on the exterior, also zone 1's corner"
        );
        assert_eq!(at(7.5, 2.0), None, "in the hole");
        assert_eq!(at(8.0, 10.0), Some(7), "rect zone");
        assert_eq!(
            at(11.0, 1.0),
            Some(8),
            "degenerate one-point ring: its point is its boundary"
        );
        assert_eq!(at(-1.0, 0.0), None);
        assert!(PreparedZones::build(&[]).is_none());
        assert!(PreparedZones::build(&[None]).is_none());
    }

    #[test]
    fn empty_inputs() {
        let idx = SpatialIndex::build(&[]);
        assert_eq!(
            assign(&[Some(coord! {x: 0.0, y: 0.0})], &[], &idx),
            vec![None]
        );
        assert!(assign(&[], &grid(), &SpatialIndex::build(&grid())).is_empty());
    }
}
