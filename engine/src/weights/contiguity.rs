//! Queen and rook contiguity from the R-tree: candidate pairs are the polygons whose
//! bounding boxes (grown by the tolerance) meet; each pair is then tested on the parts of
//! the two boundaries that lie in the overlap of the boxes, so the work is about linear in
//! the number of shared boundary vertices, not O(n²).
//!
//! Tolerance 0 is libpysal's (and GeoDa's) vertex-identity rule: queen = a vertex with
//! identical coordinates; rook = an edge whose two end points are identical (either
//! direction). A positive tolerance switches to a geometric test that survives slivers,
//! gaps, overlaps and T-junctions: queen = the boundaries come within `tol` of each other;
//! rook = a segment of each runs within `tol` of the other's line along more than `tol`.

use super::{geometry_of, Weights};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::rtree::SpatialIndex;
use geo::{BoundingRect, Coord, Geometry, MultiPolygon, Rect};
use rayon::prelude::*;

/// One polygon feature prepared for the pair tests.
#[derive(Debug, Clone)]
pub struct Prepared {
    bbox: Rect,
    /// Distinct vertices, sorted by (x, y).
    vertices: Vec<[f64; 2]>,
    /// Distinct edges (lower end point first), sorted.
    edges: Vec<[[f64; 2]; 2]>,
}

/// The polygons of a layer, or an error naming a feature that is null or not a polygon.
pub fn polygons_of(layer: &Layer) -> Result<Vec<MultiPolygon>> {
    (0..layer.len())
        .map(|i| {
            let g = geometry_of(layer, i, "contiguity")?;
            let mp = match g {
                Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                Geometry::MultiPolygon(mp) => mp.clone(),
                Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]),
                Geometry::Triangle(t) => MultiPolygon(vec![t.to_polygon()]),
                _ => {
                    return Err(Error::Geometry {
                        layer: layer.name.clone(),
                        feature: Some(layer.ids[i].clone()),
                        message: "queen / rook contiguity needs polygons; use knn or distance weights for points and lines".into(),
                    })
                }
            };
            Ok(mp)
        })
        .collect()
}

/// -0.0 and 0.0 are the same point.
fn key(c: Coord) -> [f64; 2] {
    [c.x + 0.0, c.y + 0.0]
}

fn cmp_pt(a: &[f64; 2], b: &[f64; 2]) -> std::cmp::Ordering {
    a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1]))
}

/// Prepares each polygon (vertices and edges of every ring of every part; no phantom edge
/// between parts or rings).
pub fn prepare(polys: &[MultiPolygon]) -> Vec<Prepared> {
    polys
        .par_iter()
        .map(|mp| {
            let mut vertices = Vec::new();
            let mut edges = Vec::new();
            for p in &mp.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let pts: Vec<[f64; 2]> = ring.0.iter().map(|c| key(*c)).collect();
                    vertices.extend_from_slice(&pts);
                    for w in pts.windows(2) {
                        let (a, b) = (w[0], w[1]);
                        match cmp_pt(&a, &b) {
                            std::cmp::Ordering::Less => edges.push([a, b]),
                            std::cmp::Ordering::Greater => edges.push([b, a]),
                            std::cmp::Ordering::Equal => {}
                        }
                    }
                }
            }
            vertices.sort_by(cmp_pt);
            vertices.dedup();
            edges.sort_by(|a, b| cmp_pt(&a[0], &b[0]).then(cmp_pt(&a[1], &b[1])));
            edges.dedup();
            let bbox = mp.bounding_rect().unwrap_or(Rect::new(
                Coord { x: 0.0, y: 0.0 },
                Coord { x: 0.0, y: 0.0 },
            ));
            Prepared {
                bbox,
                vertices,
                edges,
            }
        })
        .collect()
}

/// Queen contiguity (see the module docs for the rule at `tol` = 0 and above).
pub fn queen(polys: &[MultiPolygon], tol: f64) -> Weights {
    build(polys, tol, true)
}

/// Rook contiguity (see the module docs for the rule at `tol` = 0 and above).
pub fn rook(polys: &[MultiPolygon], tol: f64) -> Weights {
    build(polys, tol, false)
}

fn build(polys: &[MultiPolygon], tol: f64, queen: bool) -> Weights {
    let prep = prepare(polys);
    let geoms: Vec<Option<Geometry>> = prep.iter().map(|p| Some(Geometry::Rect(p.bbox))).collect();
    let index = SpatialIndex::build(&geoms);
    let pairs: Vec<Vec<usize>> = (0..prep.len())
        .into_par_iter()
        .map(|i| {
            let b = grow(prep[i].bbox, tol);
            let mut out: Vec<usize> = index
                .in_rect(b)
                .filter(|&j| j > i)
                .filter(|&j| {
                    if tol > 0.0 {
                        near(&polys[i], &polys[j], &prep[i], &prep[j], tol, queen)
                    } else if queen {
                        share_vertex(&prep[i], &prep[j])
                    } else {
                        share_edge(&prep[i], &prep[j])
                    }
                })
                .collect();
            out.sort_unstable();
            out
        })
        .collect();
    let mut nb: Vec<Vec<usize>> = vec![Vec::new(); prep.len()];
    for (i, js) in pairs.iter().enumerate() {
        for &j in js {
            nb[i].push(j);
            nb[j].push(i);
        }
    }
    Weights::binary(nb)
}

fn grow(r: Rect, d: f64) -> Rect {
    Rect::new(
        Coord {
            x: r.min().x - d,
            y: r.min().y - d,
        },
        Coord {
            x: r.max().x + d,
            y: r.max().y + d,
        },
    )
}

/// The x-range both boxes cover (a shared point or edge lies in it).
fn x_overlap(a: &Prepared, b: &Prepared) -> Option<(f64, f64)> {
    let lo = a.bbox.min().x.max(b.bbox.min().x);
    let hi = a.bbox.max().x.min(b.bbox.max().x);
    (lo <= hi).then_some((lo, hi))
}

fn share_vertex(a: &Prepared, b: &Prepared) -> bool {
    let Some((lo, hi)) = x_overlap(a, b) else {
        return false;
    };
    let slice = |v: &'_ [[f64; 2]]| -> std::ops::Range<usize> {
        v.partition_point(|p| p[0] < lo)..v.partition_point(|p| p[0] <= hi)
    };
    let (ra, rb) = (slice(&a.vertices), slice(&b.vertices));
    let (va, vb) = (&a.vertices[ra], &b.vertices[rb]);
    // Merge of two sorted lists.
    let (mut i, mut j) = (0, 0);
    while i < va.len() && j < vb.len() {
        match cmp_pt(&va[i], &vb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

fn share_edge(a: &Prepared, b: &Prepared) -> bool {
    let Some((lo, hi)) = x_overlap(a, b) else {
        return false;
    };
    let slice = |v: &'_ [[[f64; 2]; 2]]| -> std::ops::Range<usize> {
        v.partition_point(|e| e[0][0] < lo)..v.partition_point(|e| e[0][0] <= hi)
    };
    let (ea, eb) = (&a.edges[slice(&a.edges)], &b.edges[slice(&b.edges)]);
    let cmp =
        |x: &[[f64; 2]; 2], y: &[[f64; 2]; 2]| cmp_pt(&x[0], &y[0]).then(cmp_pt(&x[1], &y[1]));
    let (mut i, mut j) = (0, 0);
    while i < ea.len() && j < eb.len() {
        match cmp(&ea[i], &eb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Segments of `mp` whose box meets `r`.
fn segments_in(mp: &MultiPolygon, r: Rect) -> Vec<(Coord, Coord)> {
    let mut out = Vec::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for l in ring.lines() {
                let (a, b) = (l.start, l.end);
                if a.x.max(b.x) >= r.min().x
                    && a.x.min(b.x) <= r.max().x
                    && a.y.max(b.y) >= r.min().y
                    && a.y.min(b.y) <= r.max().y
                {
                    out.push((a, b));
                }
            }
        }
    }
    out
}

/// The geometric test at a positive tolerance.
fn near(
    pa: &MultiPolygon,
    pb: &MultiPolygon,
    a: &Prepared,
    b: &Prepared,
    tol: f64,
    queen: bool,
) -> bool {
    let (ga, gb) = (grow(a.bbox, tol), grow(b.bbox, tol));
    let lo = Coord {
        x: ga.min().x.max(gb.min().x),
        y: ga.min().y.max(gb.min().y),
    };
    let hi = Coord {
        x: ga.max().x.min(gb.max().x),
        y: ga.max().y.min(gb.max().y),
    };
    if lo.x > hi.x || lo.y > hi.y {
        return false;
    }
    let r = Rect::new(lo, hi);
    let sa = segments_in(pa, r);
    if sa.is_empty() {
        return false;
    }
    let sb = segments_in(pb, r);
    sa.iter().any(|&(p, q)| {
        sb.iter().any(|&(s, t)| {
            if queen {
                segment_distance(p, q, s, t) <= tol
            } else {
                collinear_overlap(p, q, s, t, tol) > tol
            }
        })
    })
}

fn sub(a: Coord, b: Coord) -> Coord {
    Coord {
        x: a.x - b.x,
        y: a.y - b.y,
    }
}

fn cross(a: Coord, b: Coord) -> f64 {
    a.x * b.y - a.y * b.x
}

fn dot(a: Coord, b: Coord) -> f64 {
    a.x * b.x + a.y * b.y
}

fn point_segment(p: Coord, a: Coord, b: Coord) -> f64 {
    let ab = sub(b, a);
    let l2 = dot(ab, ab);
    let t = if l2 > 0.0 {
        (dot(sub(p, a), ab) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let c = Coord {
        x: a.x + t * ab.x,
        y: a.y + t * ab.y,
    };
    dot(sub(p, c), sub(p, c)).sqrt()
}

/// Distance between segments pq and st (0 when they cross).
fn segment_distance(p: Coord, q: Coord, s: Coord, t: Coord) -> f64 {
    let d1 = cross(sub(q, p), sub(s, p));
    let d2 = cross(sub(q, p), sub(t, p));
    let d3 = cross(sub(t, s), sub(p, s));
    let d4 = cross(sub(t, s), sub(q, s));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return 0.0;
    }
    point_segment(p, s, t)
        .min(point_segment(q, s, t))
        .min(point_segment(s, p, q))
        .min(point_segment(t, p, q))
}

/// Length along pq over which st runs within `tol` of pq's line (0 if it strays further).
fn collinear_overlap(p: Coord, q: Coord, s: Coord, t: Coord, tol: f64) -> f64 {
    let d = sub(q, p);
    let len = dot(d, d).sqrt();
    if len == 0.0 {
        return 0.0;
    }
    let u = Coord {
        x: d.x / len,
        y: d.y / len,
    };
    let off = |c: Coord| cross(u, sub(c, p)).abs();
    if off(s) > tol || off(t) > tol {
        return 0.0;
    }
    let (ts, tt) = (dot(sub(s, p), u), dot(sub(t, p), u));
    let lo = ts.min(tt).max(0.0);
    let hi = ts.max(tt).min(len);
    (hi - lo).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Polygon};

    fn sq(x: f64, y: f64) -> MultiPolygon {
        let p: Polygon = polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)];
        MultiPolygon(vec![p])
    }

    /// 3 × 3 unit squares, row-major from the origin.
    fn grid() -> Vec<MultiPolygon> {
        (0..9).map(|i| sq((i % 3) as f64, (i / 3) as f64)).collect()
    }

    #[test]
    fn queen_and_rook_on_a_grid() {
        let q = queen(&grid(), 0.0);
        assert_eq!(q.neighbors(4), &[0, 1, 2, 3, 5, 6, 7, 8]);
        assert_eq!(q.neighbors(0), &[1, 3, 4]);
        let r = rook(&grid(), 0.0);
        assert_eq!(r.neighbors(4), &[1, 3, 5, 7]);
        assert_eq!(r.neighbors(0), &[1, 3]);
        assert!(q.is_symmetric_structure() && r.is_symmetric_structure());
        // Same answer from the geometric test.
        assert_eq!(queen(&grid(), 1e-9), q);
        assert_eq!(rook(&grid(), 1e-9), r);
    }

    #[test]
    fn a_sliver_gap_needs_the_tolerance() {
        // Two squares 1e-7 apart: exact rule sees islands, tolerance 1e-6 sees neighbours.
        let polys = vec![sq(0.0, 0.0), sq(1.0 + 1e-7, 0.0)];
        assert_eq!(queen(&polys, 0.0).islands(), vec![0, 1]);
        assert_eq!(queen(&polys, 1e-6).neighbors(0), &[1]);
        assert_eq!(rook(&polys, 1e-6).neighbors(0), &[1]);
    }

    #[test]
    fn t_junction_is_rook_only_with_tolerance() {
        // Left square 0..2 tall; two right squares share its right edge, with a vertex at
        // (2, 1) that the left square does not have.
        let left: Polygon =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        let polys = vec![
            MultiPolygon(vec![left]),
            MultiPolygon(vec![
                polygon![(x: 2.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 1.0), (x: 2.0, y: 1.0)],
            ]),
            MultiPolygon(vec![
                polygon![(x: 2.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 2.0), (x: 2.0, y: 2.0)],
            ]),
        ];
        // libpysal's rule: no identical edge between 0 and 1 (queen: they share (2, 0)).
        assert_eq!(rook(&polys, 0.0).neighbors(0), &[] as &[usize]);
        assert_eq!(queen(&polys, 0.0).neighbors(0), &[1, 2]);
        assert_eq!(rook(&polys, 1e-9).neighbors(0), &[1, 2]);
    }

    #[test]
    fn corner_touch_is_queen_not_rook() {
        let polys = vec![sq(0.0, 0.0), sq(1.0, 1.0)];
        assert_eq!(queen(&polys, 0.0).neighbors(0), &[1]);
        assert!(rook(&polys, 0.0).neighbors(0).is_empty());
        assert_eq!(queen(&polys, 1e-6).neighbors(0), &[1]);
        assert!(rook(&polys, 1e-6).neighbors(0).is_empty());
    }

    #[test]
    fn holes_and_multipart() {
        // A square with a hole and a square filling the hole: neighbours through the hole.
        let outer = polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 0.0, y: 3.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        ];
        let polys = vec![MultiPolygon(vec![outer]), sq(1.0, 1.0), sq(10.0, 10.0)];
        let r = rook(&polys, 0.0);
        assert_eq!(r.neighbors(0), &[1]);
        assert_eq!(r.islands(), vec![2]);
    }
}
