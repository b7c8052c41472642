//! The area of the intersection of two polygons, without building the intersection.
//!
//! Exposure and areal interpolation need only `area(A ∩ B)` for many small pairs (a zone and
//! a census block, a zone and a piece of a flood zone). A general boolean overlay (geo's
//! `BooleanOps`, built on i_overlay) builds the intersection polygon through a sweep and a
//! graph, which costs far more than the area needs. By Green's theorem the area is the
//! boundary integral `½∮(x dy − y dx)` over `∂(A ∩ B)`, and that boundary is made of the
//! parts of `∂A` that lie inside `B` and the parts of `∂B` that lie inside `A`. So: cut each
//! edge where it meets the other polygon's edges, keep the sub-segments whose midpoint is
//! inside the other polygon, and sum their shoelace terms.
//!
//! Shared boundaries (kelurahan inside their kecamatan, tilings that share an outer border)
//! are the case that breaks naive versions: an edge that runs along an edge of the other
//! polygon is neither inside nor outside it. Exactly collinear overlaps are found with the
//! robust orientation predicate and counted once when both polygons lie on the same side of
//! them (from `A`'s edge only), and not at all when they lie on opposite sides.
//!
//! Rings are oriented with the interior on the left (exterior counter-clockwise, holes
//! clockwise); inside-ness is even-odd over all rings of a multipolygon, as in the overlay,
//! so the parts of a multipolygon must not overlap. Each polygon's edges are bucketed in
//! horizontal bands, so an edge meets only the other polygon's edges near its own y range,
//! and a point-in-polygon test reads one band: close to linear in the number of edges.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, MultiPolygon, Winding};

/// A multipolygon's edges, interior on the left, with their bounding box.
#[derive(Debug, Clone)]
pub struct Edges {
    edges: Vec<[Coord; 2]>,
    min: Coord,
    max: Coord,
    bands: Bands,
}

/// Horizontal bands over the bounding box, each listing the edges that reach into it (CSR),
/// so that finding the edges near a y range, or those a horizontal ray crosses, looks at a
/// few edges instead of all of them.
#[derive(Debug, Clone)]
struct Bands {
    /// Band `k` holds `index[start[k]..start[k + 1]]`.
    start: Vec<u32>,
    index: Vec<u32>,
    y0: f64,
    /// Bands per unit of y.
    scale: f64,
}

impl Bands {
    fn new(edges: &[[Coord; 2]], y0: f64, y1: f64) -> Bands {
        // About four edges per band.
        let n = (edges.len() / 4).clamp(1, 4096);
        let scale = if y1 > y0 { n as f64 / (y1 - y0) } else { 0.0 };
        let mut b = Bands {
            start: vec![0; n + 1],
            index: Vec::new(),
            y0,
            scale,
        };
        for [r, s] in edges {
            let (k0, k1) = b.range(r.y.min(s.y), r.y.max(s.y));
            for k in k0..=k1 {
                b.start[k + 1] += 1;
            }
        }
        for k in 0..n {
            b.start[k + 1] += b.start[k];
        }
        b.index = vec![0; b.start[n] as usize];
        let mut fill = b.start.clone();
        for (i, [r, s]) in edges.iter().enumerate() {
            let (k0, k1) = b.range(r.y.min(s.y), r.y.max(s.y));
            for slot in &mut fill[k0..=k1] {
                b.index[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        b
    }

    fn band(&self, y: f64) -> usize {
        let last = self.start.len() - 2;
        let k = (y - self.y0) * self.scale;
        // Truncation is floor for k > 0; below the box (or NaN) is band 0.
        if k > 0.0 {
            (k as usize).min(last)
        } else {
            0
        }
    }

    /// The bands a y range reaches (monotone in y, so overlapping ranges share a band).
    fn range(&self, lo: f64, hi: f64) -> (usize, usize) {
        (self.band(lo), self.band(hi))
    }

    fn edges_in(&self, k: usize) -> &[u32] {
        &self.index[self.start[k] as usize..self.start[k + 1] as usize]
    }
}

impl Edges {
    /// The edges of `mp`'s rings, oriented; zero-length edges dropped.
    pub fn of(mp: &MultiPolygon) -> Edges {
        let mut edges = Vec::new();
        for p in &mp.0 {
            push_ring(p.exterior(), true, &mut edges);
            for hole in p.interiors() {
                push_ring(hole, false, &mut edges);
            }
        }
        let mut min = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut max = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        for [p, _] in &edges {
            min.x = min.x.min(p.x);
            min.y = min.y.min(p.y);
            max.x = max.x.max(p.x);
            max.y = max.y.max(p.y);
        }
        let bands = Bands::new(&edges, min.y, max.y);
        Edges {
            edges,
            min,
            max,
            bands,
        }
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// True when there is no edge (an empty or degenerate multipolygon).
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    fn boxes_meet(&self, other: &Edges) -> bool {
        self.min.x <= other.max.x
            && other.min.x <= self.max.x
            && self.min.y <= other.max.y
            && other.min.y <= self.max.y
    }

    /// Even-odd point-in-polygon over all rings.
    fn contains(&self, c: Coord) -> bool {
        if c.x < self.min.x || c.x > self.max.x || c.y < self.min.y || c.y > self.max.y {
            return false;
        }
        let mut inside = false;
        // An edge the ray crosses spans c.y, so it is listed in c.y's band.
        for &i in self.bands.edges_in(self.bands.band(c.y)) {
            let [r, s] = self.edges[i as usize];
            if (r.y > c.y) != (s.y > c.y) {
                let x = r.x + (c.y - r.y) / (s.y - r.y) * (s.x - r.x);
                if c.x < x {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

fn push_ring(ring: &LineString, exterior: bool, out: &mut Vec<[Coord; 2]>) {
    let pts = &ring.0;
    if pts.len() < 4 {
        return;
    }
    // Interior on the left: exteriors counter-clockwise, holes clockwise.
    let forward = ring.is_ccw() == exterior;
    let mut push = |p: Coord, q: Coord| {
        if p != q {
            out.push([p, q]);
        }
    };
    if forward {
        for w in pts.windows(2) {
            push(w[0], w[1]);
        }
    } else {
        for w in pts.windows(2).rev() {
            push(w[1], w[0]);
        }
    }
}

/// Rings with more edges than this are scanned through their bands, not edge by edge.
const BANDED_SCAN_MIN: usize = 64;

/// `area(a ∩ b)`.
pub fn intersection_area(a: &Edges, b: &Edges) -> f64 {
    if a.is_empty() || b.is_empty() || !a.boxes_meet(b) {
        return 0.0;
    }
    // Shoelace terms relative to a nearby origin, so that UTM-sized coordinates do not
    // cancel catastrophically; the predicates still see the original coordinates.
    let origin = Coord {
        x: a.min.x.max(b.min.x),
        y: a.min.y.max(b.min.y),
    };
    let twice = boundary_inside(a, b, true, origin) + boundary_inside(b, a, false, origin);
    (twice / 2.0).max(0.0)
}

/// Twice the signed area contributed by the parts of `e`'s edges inside `other`. Parts that
/// run along an edge of `other` in the same direction count only when `keep_shared`.
fn boundary_inside(e: &Edges, other: &Edges, keep_shared: bool, origin: Coord) -> f64 {
    let mut sum = 0.0;
    let mut cuts: Vec<f64> = Vec::new();
    let mut shared: Vec<(f64, f64, bool)> = Vec::new();
    // Whether an edge lies inside carries over from the previous edge of its ring when
    // nothing met the vertex between them: (that vertex, inside), sparing a point-in-polygon
    // test per edge where one per run of untouched edges does.
    let mut carry: Option<(Coord, bool)> = None;
    // A long ring (a kecamatan, a coastline) meets a small polygon with a few of its edges:
    // take only those in the other's y range, from the bands, in ring order so the carry
    // still works along runs of them.
    let near: Option<Vec<u32>> = (e.edges.len() > BANDED_SCAN_MIN).then(|| {
        let (k0, k1) = e.bands.range(other.min.y, other.max.y);
        let mut near: Vec<u32> = (k0..=k1)
            .flat_map(|k| {
                e.bands.edges_in(k).iter().copied().filter(move |&i| {
                    let [r, s] = e.edges[i as usize];
                    e.bands.band(r.y.min(s.y)).max(k0) == k
                })
            })
            .collect();
        near.sort_unstable();
        near
    });
    let all = 0..e.edges.len() as u32;
    let order: Box<dyn Iterator<Item = u32>> = match &near {
        Some(v) => Box::new(v.iter().copied()),
        None => Box::new(all),
    };
    for i in order {
        let [p, q] = e.edges[i as usize];
        let (lo, hi) = (
            Coord {
                x: p.x.min(q.x),
                y: p.y.min(q.y),
            },
            Coord {
                x: p.x.max(q.x),
                y: p.y.max(q.y),
            },
        );
        // An edge outside the other's box is outside it, whole.
        if hi.x < other.min.x || lo.x > other.max.x || hi.y < other.min.y || lo.y > other.max.y {
            carry = Some((q, false));
            continue;
        }
        cuts.clear();
        shared.clear();
        let (k0, k1) = other.bands.range(lo.y, hi.y);
        let candidates = (k0..=k1).flat_map(|k| {
            other.bands.edges_in(k).iter().filter_map(move |&i| {
                let f = other.edges[i as usize];
                // An edge in several of these bands is taken in the first of them only.
                let first = other.bands.band(f[0].y.min(f[1].y)).max(k0);
                (first == k).then_some(f)
            })
        });
        for [r, s] in candidates {
            if r.x.max(s.x) < lo.x
                || r.x.min(s.x) > hi.x
                || r.y.max(s.y) < lo.y
                || r.y.min(s.y) > hi.y
            {
                continue;
            }
            let o_r = RobustKernel::orient2d(p, q, r);
            let o_s = RobustKernel::orient2d(p, q, s);
            if o_r == Orientation::Collinear && o_s == Orientation::Collinear {
                let (tr, ts) = (param(p, q, r), param(p, q, s));
                let (t0, t1) = (tr.min(ts).max(0.0), tr.max(ts).min(1.0));
                if t1 > t0 {
                    let same = (q.x - p.x) * (s.x - r.x) + (q.y - p.y) * (s.y - r.y) > 0.0;
                    shared.push((t0, t1, same));
                    cuts.push(t0);
                    cuts.push(t1);
                }
                continue;
            }
            if o_r == o_s {
                continue;
            }
            let o_p = RobustKernel::orient2d(r, s, p);
            let o_q = RobustKernel::orient2d(r, s, q);
            if o_p == o_q && o_p != Orientation::Collinear {
                continue;
            }
            if o_r == Orientation::Collinear {
                cuts.push(param(p, q, r));
            } else if o_s == Orientation::Collinear {
                cuts.push(param(p, q, s));
            } else if o_p != Orientation::Collinear && o_q != Orientation::Collinear {
                // A proper crossing.
                let d = Coord {
                    x: s.x - r.x,
                    y: s.y - r.y,
                };
                let den = (q.x - p.x) * d.y - (q.y - p.y) * d.x;
                if den != 0.0 {
                    cuts.push(((r.x - p.x) * d.y - (r.y - p.y) * d.x) / den);
                }
            } else {
                // p or q lies on rs: no cut inside the edge, but the inside-ness may change
                // at that end, so it must not be carried across it.
                cuts.push(if o_p == Orientation::Collinear {
                    0.0
                } else {
                    1.0
                });
            }
        }
        let at = |t: f64| -> Coord {
            if t <= 0.0 {
                p
            } else if t >= 1.0 {
                q
            } else {
                Coord {
                    x: p.x + t * (q.x - p.x),
                    y: p.y + t * (q.y - p.y),
                }
            }
        };
        // Adds the sub-segment [t0, t1] if it lies inside; returns (inside, decided by a
        // shared edge).
        let mut add = |t0: f64, t1: f64, known: Option<bool>| {
            let tm = 0.5 * (t0 + t1);
            let (keep, on_edge) = match shared.iter().find(|(s0, s1, _)| *s0 <= tm && tm <= *s1) {
                Some((_, _, same)) => (keep_shared && *same, true),
                None => (known.unwrap_or_else(|| other.contains(at(tm))), false),
            };
            if keep {
                let (u, v) = (at(t0), at(t1));
                let (ux, uy, vx, vy) = (
                    u.x - origin.x,
                    u.y - origin.y,
                    v.x - origin.x,
                    v.y - origin.y,
                );
                sum += ux * vy - vx * uy;
            }
            (keep, on_edge)
        };
        if cuts.is_empty() {
            let known = carry.filter(|(c, _)| *c == p).map(|(_, inside)| inside);
            let (inside, _) = add(0.0, 1.0, known);
            carry = Some((q, inside));
            continue;
        }
        let end_touched = cuts.iter().any(|t| *t >= 1.0);
        cuts.retain(|t| *t > 0.0 && *t < 1.0);
        cuts.sort_by(f64::total_cmp);
        let mut t0 = 0.0;
        let mut last = (false, true);
        for &t in cuts.iter().chain(std::iter::once(&1.0)) {
            if t > t0 {
                last = add(t0, t, None);
                t0 = t;
            }
        }
        carry = (!end_touched && !last.1).then_some((q, last.0));
    }
    sum
}

/// The parameter of `c`'s projection on the segment `p → q`.
fn param(p: Coord, q: Coord, c: Coord) -> f64 {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    ((c.x - p.x) * dx + (c.y - p.y) * dy) / (dx * dx + dy * dy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area, BooleanOps, Polygon};

    fn mp(p: Polygon) -> MultiPolygon {
        MultiPolygon::new(vec![p])
    }

    fn sq(x0: f64, y0: f64, s: f64) -> Polygon {
        polygon![(x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]
    }

    fn area(a: &MultiPolygon, b: &MultiPolygon) -> f64 {
        intersection_area(&Edges::of(a), &Edges::of(b))
    }

    #[test]
    fn squares_by_hand() {
        let a = mp(sq(0.0, 0.0, 2.0));
        assert_eq!(area(&a, &mp(sq(1.0, 1.0, 2.0))), 1.0);
        assert_eq!(area(&a, &mp(sq(5.0, 5.0, 1.0))), 0.0);
        // Contained, either way round.
        assert_eq!(area(&a, &mp(sq(0.5, 0.5, 1.0))), 1.0);
        assert_eq!(area(&mp(sq(0.5, 0.5, 1.0)), &a), 1.0);
        // Identical: every edge shared, in the same direction.
        assert_eq!(area(&a, &a), 4.0);
        // Neighbours sharing an edge (opposite directions), and corner-touching.
        assert_eq!(area(&a, &mp(sq(2.0, 0.0, 2.0))), 0.0);
        assert_eq!(area(&a, &mp(sq(2.0, 2.0, 2.0))), 0.0);
        // Inside, sharing two edges with the outer square.
        assert_eq!(area(&a, &mp(sq(0.0, 0.0, 1.0))), 1.0);
        assert_eq!(area(&mp(sq(0.0, 0.0, 1.0)), &a), 1.0);
        // Crossing a's bottom edge, and running partly along it (T-junctions).
        assert_eq!(area(&a, &mp(sq(0.5, -0.5, 1.0))), 0.5);
        assert_eq!(area(&a, &mp(sq(0.5, 0.0, 1.0))), 1.0);
        assert_eq!(area(&a, &mp(sq(1.5, 1.0, 1.0))), 0.5);
    }

    #[test]
    fn holes_orientation_and_multiparts() {
        let holed = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)]],
        );
        let b = sq(0.0, 0.0, 2.0);
        assert!((area(&mp(holed.clone()), &mp(b.clone())) - 3.0).abs() < 1e-12);
        // Clockwise rings give the same answer.
        let cw = Polygon::new(
            b.exterior()
                .0
                .iter()
                .rev()
                .copied()
                .collect::<Vec<_>>()
                .into(),
            vec![],
        );
        assert!((area(&mp(holed.clone()), &mp(cw)) - 3.0).abs() < 1e-12);
        // The hole itself, exactly: only shared edges bound the intersection, which is empty.
        assert_eq!(area(&mp(holed), &mp(sq(1.0, 1.0, 2.0))), 0.0);
        let two = MultiPolygon::new(vec![sq(0.0, 0.0, 1.0), sq(3.0, 0.0, 1.0)]);
        assert!((area(&two, &mp(sq(0.5, -1.0, 3.0))) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn utm_coordinates_do_not_cancel() {
        let a = mp(sq(700_000.125, 150_000.25, 100.0));
        let b = mp(sq(700_050.125, 150_050.25, 100.0));
        assert!((area(&a, &b) - 2_500.0).abs() < 1e-6);
    }

    /// Against geo's boolean overlay on star-shaped polygons. The overlay snaps coordinates
    /// to an integer grid (about 1e-8 of the extent here), so it is itself only that exact:
    /// the tiling test below is the sharp one.
    #[test]
    fn agrees_with_the_boolean_overlay() {
        let star = |cx: f64, cy: f64, r: f64, k: usize, phase: f64| -> Polygon {
            let n = 4 * k;
            let pts: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let t = phase + i as f64 * std::f64::consts::TAU / n as f64;
                    let rr = if i % 2 == 0 { r } else { 0.55 * r };
                    (cx + rr * t.cos(), cy + rr * t.sin())
                })
                .collect();
            Polygon::new(pts.into(), vec![])
        };
        let mut checked = 0;
        for i in 0..12 {
            for j in 0..12 {
                let a = mp(star(0.0, 0.0, 10.0, 3 + i % 4, 0.1 * i as f64));
                let b = mp(star(
                    -6.0 + j as f64,
                    -3.0 + 0.5 * i as f64,
                    4.0 + j as f64 * 0.7,
                    3 + j % 5,
                    0.37 * j as f64,
                ));
                let want = a.intersection(&b).unsigned_area();
                let got = area(&a, &b);
                assert!(
                    (got - want).abs() <= 1e-7 * want.max(1.0),
                    "{i},{j}: {got} vs {want}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 144);
        // Rings long enough to be scanned through their bands.
        for j in 0..12 {
            let a = mp(star(0.0, 0.0, 10.0, 60, 0.05));
            let b = mp(star(-6.0 + j as f64, 1.0, 3.0 + j as f64, 20 + 7 * j, 0.3));
            assert!(Edges::of(&a).len() > BANDED_SCAN_MIN);
            let want = a.intersection(&b).unsigned_area();
            for got in [area(&a, &b), area(&b, &a)] {
                assert!(
                    (got - want).abs() <= 1e-7 * want.max(1.0),
                    "{j}: {got} vs {want}"
                );
            }
        }
    }

    /// The pieces of a polygon cut by a grid add up to its area, exactly up to rounding:
    /// grid lines run along a's edges and through its vertices, so every degenerate case
    /// (shared edges both ways, vertices on edges) is met many times.
    #[test]
    fn a_tiling_partitions_the_area() {
        let a = mp(
            polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 1.0), (x: 2.0, y: 1.0),
            (x: 2.0, y: 3.0), (x: 4.0, y: 3.0), (x: 1.0, y: 4.0), (x: 0.0, y: 2.5)],
        );
        let want = a.unsigned_area();
        for cell in [0.5f64, 1.0, 0.3, 1.0 / 3.0] {
            let n = (5.0 / cell).ceil() as i32;
            let mut total = 0.0;
            for i in -1..n {
                for j in -1..n {
                    total += area(&a, &mp(sq(i as f64 * cell, j as f64 * cell, cell)));
                }
            }
            assert!(
                (total - want).abs() < 1e-12 * want,
                "cell {cell}: {total} vs {want}"
            );
        }
    }
}
