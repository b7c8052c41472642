//! Polygon–polygon (and line–polygon) overlay: how much of each feature of one layer lies
//! in each feature of another. This is the join that exposure (population in flood zones)
//! and areal interpolation (counts split by area share) are built on.

use crate::kernels::intersection_area::{intersection_area, Edges};
use crate::rtree::SpatialIndex;
use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, Coord, Euclidean, Geometry, Intersects, Length,
    MultiLineString, MultiPolygon, Polygon, Rect,
};
use rayon::prelude::*;
use std::borrow::Cow;

/// One non-empty intersection between feature `a` of the first set and `b` of the second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Index into the first set.
    pub a: usize,
    /// Index into the second set.
    pub b: usize,
    /// Area (m²) of the intersection for polygons, length (m) for lines.
    pub measure: f64,
    /// `measure` divided by the total area / length of `a` (its share inside `b`).
    pub share: f64,
}

/// The polygonal part of a geometry as a multipolygon (None for points and lines).
pub fn as_multipolygon(g: &Geometry) -> Option<MultiPolygon> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(mp) => Some(mp.clone()),
        Geometry::Rect(r) => Some(MultiPolygon::new(vec![r.to_polygon()])),
        Geometry::Triangle(t) => Some(MultiPolygon::new(vec![t.to_polygon()])),
        Geometry::GeometryCollection(gc) => {
            let polys: Vec<_> = gc
                .iter()
                .filter_map(as_multipolygon)
                .flat_map(|m| m.0)
                .collect();
            (!polys.is_empty()).then(|| MultiPolygon::new(polys))
        }
        _ => None,
    }
}

/// The linear part of a geometry as a multilinestring (None for points and polygons).
pub fn as_multilinestring(g: &Geometry) -> Option<MultiLineString> {
    match g {
        Geometry::LineString(l) => Some(MultiLineString::new(vec![l.clone()])),
        Geometry::MultiLineString(m) => Some(m.clone()),
        Geometry::Line(l) => Some(MultiLineString::new(vec![(*l).into()])),
        _ => None,
    }
}

/// Size of a geometry: area for polygons, length for lines, 0 otherwise.
pub fn measure(g: &Geometry) -> f64 {
    if let Some(mp) = as_multipolygon(g) {
        mp.unsigned_area()
    } else if let Some(ml) = as_multilinestring(g) {
        Euclidean.length(&ml)
    } else {
        0.0
    }
}

/// Polygons of `b` with more vertices than this are cut into pieces (at the middle of their
/// bounding box, recursively) before the overlay. A dissolved hazard class is one polygon
/// of tens of thousands of vertices spanning the city; intersecting every zone with all of
/// it made the overlay O(zones × hazard vertices), while a zone only meets a few pieces.
/// Below this size the cutting (a boolean overlay per cut) costs more than it saves.
const PIECE_MAX_VERTICES: usize = 128;
/// Enough halvings for any city; a polygon whose vertices will not spread (a degenerate
/// cluster) stops here instead of recursing forever.
const PIECE_MAX_DEPTH: u32 = 24;

/// Every non-empty intersection of a feature of `a` (polygons or lines) with a polygon of
/// `b`, sorted by (a, b). Runs in parallel over `a`.
///
/// The parts of a multipolygon in `b` must not overlap (a valid multipolygon, or one passed
/// through [`parts_unioned`]): each part is measured on its own and the parts summed.
pub fn overlaps(
    a: &[Option<Geometry>],
    b: &[Option<Geometry>],
    b_index: &SpatialIndex,
) -> Vec<Overlap> {
    // Small features of `b` are used whole, through the caller's index; large ones are
    // replaced by pieces with an index of their own.
    let b_polys: Vec<Option<MultiPolygon>> = b
        .par_iter()
        .map(|g| g.as_ref().and_then(as_multipolygon))
        .collect();
    let is_large: Vec<bool> = b_polys
        .iter()
        .map(|m| {
            m.as_ref()
                .is_some_and(|m| m.0.iter().any(|p| vertices(p) > PIECE_MAX_VERTICES))
        })
        .collect();
    let pieces: Vec<(usize, Polygon)> = b_polys
        .par_iter()
        .enumerate()
        .filter(|(bi, _)| is_large[*bi])
        .flat_map_iter(|(bi, m)| {
            let mut out = Vec::new();
            for p in m.iter().flat_map(|m| m.0.iter()) {
                split(p.clone(), 0, &mut out);
            }
            out.into_iter().map(move |p| (bi, p))
        })
        .collect();
    let piece_geoms: Vec<Option<Geometry>> = pieces
        .iter()
        .map(|(_, p)| Some(Geometry::Polygon(p.clone())))
        .collect();
    let piece_index = SpatialIndex::build(&piece_geoms);
    let b_edges: Vec<Option<Edges>> = b_polys
        .par_iter()
        .enumerate()
        .map(|(bi, m)| m.as_ref().filter(|_| !is_large[bi]).map(Edges::of))
        .collect();
    let piece_edges: Vec<Edges> = pieces
        .par_iter()
        .map(|(_, p)| Edges::of(&MultiPolygon::new(vec![p.clone()])))
        .collect();

    let mut out: Vec<Overlap> = a
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ai, g)| {
            let mut found: Vec<(usize, f64)> = Vec::new();
            let Some(g) = g else { return Vec::new() };
            let Some(bbox) = g.bounding_rect() else {
                return Vec::new();
            };
            let total = measure(g);
            let whole = b_index.in_rect(bbox).filter(|bi| !is_large[*bi]);
            if let Some(pa) = as_multipolygon(g) {
                let ea = Edges::of(&pa);
                for bi in whole {
                    if let Some(eb) = &b_edges[bi] {
                        found.push((bi, intersection_area(&ea, eb)));
                    }
                }
                for k in piece_index.in_rect(bbox) {
                    found.push((pieces[k].0, intersection_area(&ea, &piece_edges[k])));
                }
            } else if let Some(la) = as_multilinestring(g) {
                for bi in whole {
                    if let Some(pb) = &b_polys[bi] {
                        found.push((bi, Euclidean.length(&pb.clip(&la, false))));
                    }
                }
                for k in piece_index.in_rect(bbox) {
                    found.push((pieces[k].0, Euclidean.length(&pieces[k].1.clip(&la, false))));
                }
            }
            // One overlap per (a, b): the pieces of a large feature are summed.
            found.sort_by_key(|(bi, _)| *bi);
            let mut merged: Vec<Overlap> = Vec::new();
            for (bi, m) in found {
                match merged.last_mut() {
                    Some(last) if last.b == bi => last.measure += m,
                    _ => merged.push(Overlap {
                        a: ai,
                        b: bi,
                        measure: m,
                        share: 0.0,
                    }),
                }
            }
            merged.retain(|o| o.measure > 0.0);
            for o in &mut merged {
                o.share = share(o.measure, total);
            }
            merged
        })
        .collect();
    out.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
    out
}

fn vertices(p: &Polygon) -> usize {
    p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
}

/// Cuts `p` at the middle of the longer side of its bounding box until every piece has at
/// most [`PIECE_MAX_VERTICES`]. The pieces are disjoint and their union is `p`.
fn split(p: Polygon, depth: u32, out: &mut Vec<Polygon>) {
    let Some(r) = p.bounding_rect() else { return };
    if vertices(&p) <= PIECE_MAX_VERTICES || depth >= PIECE_MAX_DEPTH {
        out.push(p);
        return;
    }
    let (lo, hi) = (r.min(), r.max());
    let halves = if r.width() >= r.height() {
        let xm = (lo.x + hi.x) / 2.0;
        [
            Rect::new(lo, Coord { x: xm, y: hi.y }),
            Rect::new(Coord { x: xm, y: lo.y }, hi),
        ]
    } else {
        let ym = (lo.y + hi.y) / 2.0;
        [
            Rect::new(lo, Coord { x: hi.x, y: ym }),
            Rect::new(Coord { x: lo.x, y: ym }, hi),
        ]
    };
    for half in halves {
        for q in p.intersection(&half.to_polygon()) {
            split(q, depth + 1, out);
        }
    }
}

/// The geometries with every multipolygon whose parts overlap or nest replaced by the
/// union of its parts, and how many were replaced (borrowed as is when none is).
///
/// Published boundaries store islets as separate parts inside their mainland (8 kecamatan
/// of Sulawesi Utara do); point-in-polygon reads "inside any part" as inside, and so must
/// the overlay, whose even-odd rule would otherwise read a nested part as a hole.
pub fn parts_unioned(geoms: &[Option<Geometry>]) -> (Cow<'_, [Option<Geometry>]>, usize) {
    let fixed: Vec<(usize, Geometry)> = geoms
        .iter()
        .enumerate()
        .filter_map(|(i, g)| match g {
            Some(Geometry::MultiPolygon(mp)) if parts_overlap(&mp.0) => {
                let parts: Vec<Polygon> =
                    mp.0.iter().map(|p| p.orient(Direction::Default)).collect();
                let u: MultiPolygon = unary_union(&parts);
                Some((i, Geometry::MultiPolygon(u)))
            }
            _ => None,
        })
        .collect();
    if fixed.is_empty() {
        return (Cow::Borrowed(geoms), 0);
    }
    let n = fixed.len();
    let mut out = geoms.to_vec();
    for (i, g) in fixed {
        out[i] = Some(g);
    }
    (Cow::Owned(out), n)
}

/// True when two parts of a multipolygon intersect (overlap, nest or touch).
fn parts_overlap(parts: &[Polygon]) -> bool {
    if parts.len() < 2 {
        return false;
    }
    let mut boxes: Vec<(usize, Rect)> = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p.bounding_rect()?)))
        .collect();
    boxes.sort_by(|a, b| a.1.min().x.total_cmp(&b.1.min().x));
    for (k, (i, a)) in boxes.iter().enumerate() {
        for (j, b) in &boxes[k + 1..] {
            if b.min().x > a.max().x {
                break;
            }
            if b.min().y <= a.max().y && a.min().y <= b.max().y && parts[*i].intersects(&parts[*j])
            {
                return true;
            }
        }
    }
    false
}

fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        (part / total).min(1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    fn sq(x0: f64, y0: f64, s: f64) -> Geometry {
        polygon![(x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]
            .into()
    }

    #[test]
    fn areas_by_hand() {
        // a: a 2×2 square over two unit-height zones; zone 1 has a 0.5×0.5 hole inside a.
        let a = vec![Some(sq(0.0, 0.0, 2.0)), None];
        let holed = polygon!(
            exterior: [(x: -1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: -1.0, y: 3.0)],
            interiors: [[(x: 0.5, y: 1.25), (x: 1.0, y: 1.25), (x: 1.0, y: 1.75), (x: 0.5, y: 1.75)]],
        );
        let b = vec![
            Some(sq(-1.0, -1.0, 2.0)),
            Some(holed.into()),
            Some(sq(10.0, 10.0, 1.0)),
        ];
        let idx = SpatialIndex::build(&b);
        let o = overlaps(&a, &b, &idx);
        assert_eq!(o.len(), 2);
        assert_eq!((o[0].a, o[0].b), (0, 0));
        assert!((o[0].measure - 1.0).abs() < 1e-12);
        assert!((o[0].share - 0.25).abs() < 1e-12);
        assert_eq!((o[1].a, o[1].b), (0, 1));
        assert!((o[1].measure - (2.0 - 0.25)).abs() < 1e-12);
    }

    #[test]
    fn line_lengths() {
        let a = vec![Some(Geometry::LineString(
            line_string![(x: -1.0, y: 0.5), (x: 3.0, y: 0.5)],
        ))];
        let b = vec![Some(sq(0.0, 0.0, 1.0)), Some(sq(1.0, 0.0, 1.0))];
        let o = overlaps(&a, &b, &SpatialIndex::build(&b));
        assert_eq!(o.len(), 2);
        assert!((o[0].measure - 1.0).abs() < 1e-9 && (o[0].share - 0.25).abs() < 1e-9);
        assert!((o[1].measure - 1.0).abs() < 1e-9);
    }

    /// A polygon of `b` too large to use whole is cut into pieces; the overlaps with it are
    /// the same as with the whole polygon, and a tiling of zones recovers its area.
    #[test]
    fn large_polygons_are_cut_without_changing_the_result() {
        let ring = |r: f64, n: usize| -> Vec<(f64, f64)> {
            (0..n)
                .map(|i| {
                    let t = i as f64 * std::f64::consts::TAU / n as f64;
                    let rr = r * (1.0 + 0.1 * (7.0 * t).sin());
                    (10.0 + rr * t.cos(), 10.0 + rr * t.sin())
                })
                .collect()
        };
        let big = geo::Polygon::new(ring(8.0, 1000).into(), vec![ring(3.0, 300).into()]);
        assert!(vertices(&big) > PIECE_MAX_VERTICES);
        let b = vec![Some(Geometry::Polygon(big.clone()))];
        let zones: Vec<Option<Geometry>> = (0..10)
            .flat_map(|i| (0..10).map(move |j| Some(sq(2.0 * i as f64, 2.0 * j as f64, 2.0))))
            .collect();
        let o = overlaps(&zones, &b, &SpatialIndex::build(&b));
        let whole = MultiPolygon::new(vec![big.clone()]);
        for x in &o {
            let z = as_multipolygon(zones[x.a].as_ref().expect("zone")).expect("polygon");
            let want = z.intersection(&whole).unsigned_area();
            assert!(
                (x.measure - want).abs() <= 1e-7 * want.max(1.0),
                "{x:?} vs {want}"
            );
        }
        let total: f64 = o.iter().map(|x| x.measure).sum();
        assert!(
            (total - big.unsigned_area()).abs() < 1e-9 * total,
            "{total}"
        );
        let mut pieces = Vec::new();
        split(big.clone(), 0, &mut pieces);
        assert!(pieces.len() > 1 && pieces.iter().all(|p| vertices(p) <= PIECE_MAX_VERTICES));
    }

    #[test]
    fn shares_of_a_tiling_sum_to_one() {
        let zones: Vec<Option<Geometry>> = (0..4)
            .flat_map(|i| (0..4).map(move |j| Some(sq(i as f64, j as f64, 1.0))))
            .collect();
        let a = vec![Some(sq(0.3, 0.7, 2.1))];
        let o = overlaps(&a, &zones, &SpatialIndex::build(&zones));
        let total: f64 = o.iter().map(|x| x.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }
}
