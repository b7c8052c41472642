//! Polygon–polygon (and line–polygon) overlay: how much of each feature of one layer lies
//! in each feature of another. This is the join that exposure (population in flood zones)
//! and areal interpolation (counts split by area share) are built on.

use crate::index::SpatialIndex;
use geo::{
    Area, BooleanOps, BoundingRect, Euclidean, Geometry, Length, MultiLineString, MultiPolygon,
};
use rayon::prelude::*;

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

/// Every non-empty intersection of a feature of `a` (polygons or lines) with a polygon of
/// `b`, sorted by (a, b). Runs in parallel over `a`.
pub fn overlaps(
    a: &[Option<Geometry>],
    b: &[Option<Geometry>],
    b_index: &SpatialIndex,
) -> Vec<Overlap> {
    let b_polys: Vec<Option<MultiPolygon>> = b
        .iter()
        .map(|g| g.as_ref().and_then(as_multipolygon))
        .collect();
    let mut out: Vec<Overlap> = a
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ai, g)| {
            let mut found = Vec::new();
            let Some(g) = g else { return found };
            let Some(bbox) = g.bounding_rect() else {
                return found;
            };
            let total = measure(g);
            let mut candidates: Vec<usize> = b_index.in_rect(bbox).collect();
            candidates.sort_unstable();
            if let Some(pa) = as_multipolygon(g) {
                for bi in candidates {
                    let Some(pb) = &b_polys[bi] else { continue };
                    let m = pa.intersection(pb).unsigned_area();
                    if m > 0.0 {
                        found.push(Overlap {
                            a: ai,
                            b: bi,
                            measure: m,
                            share: share(m, total),
                        });
                    }
                }
            } else if let Some(la) = as_multilinestring(g) {
                for bi in candidates {
                    let Some(pb) = &b_polys[bi] else { continue };
                    let m = Euclidean.length(&pb.clip(&la, false));
                    if m > 0.0 {
                        found.push(Overlap {
                            a: ai,
                            b: bi,
                            measure: m,
                            share: share(m, total),
                        });
                    }
                }
            }
            found
        })
        .collect();
    out.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
    out
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
