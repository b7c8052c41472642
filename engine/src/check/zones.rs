//! Zone-layer topology: overlaps between zones, gaps between zones, and points of point
//! layers that fall outside every zone.
//!
//! **Overlap.** Two zones of one layer overlap when their intersection is larger than
//! [`OVERLAP_TOLERANCE_M2`] (smaller intersections are digitising noise along shared
//! edges). Candidate pairs come from the R-tree, areas from [`kernels::overlay`].
//!
//! **Gap.** A gap is a part of the plane not covered by any zone that is either
//! 1. a *hole* of the union of the layer's zones which is not simply a hole of one zone
//!    (a zone with a lake or an enclave cut out is fine; an uncovered patch between
//!    zones is not), or
//! 2. a *sliver* open to the outside: a part of the morphological closing of the union's
//!    outline (dilate then erode by half of [`SLIVER_MAX_WIDTH_M`], mitred joins so
//!    corners come back sharp) that the union does not cover, and that at least two zones
//!    touch — a crack narrower than [`SLIVER_MAX_WIDTH_M`] (and at least 1 cm wide on
//!    average) reaching the edge of the city between neighbouring zones. Wider inlets are
//!    indistinguishable from coastline and are not reported.
//!
//! Gaps of at most [`GAP_TOLERANCE_M2`] are ignored. Each gap is reported with its area
//! and the zones that touch it (its neighbours).
//!
//! [`kernels::overlay`]: crate::kernels::overlay

use super::geometry::{is_finite, LonLat};
use super::report::{plural, Finding, Severity};
use crate::kernels::overlay::{as_multipolygon, overlaps};
use crate::kernels::point_coord;
use crate::kernels::point_in_polygon::assign;
use crate::layer::Layer;
use crate::rtree::SpatialIndex;
use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::orient::Direction;
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, Buffer, Coord, Distance, Euclidean, Geometry,
    InteriorPoint, Length, MultiPolygon, Orient, Polygon, Rect,
};
use std::borrow::Cow;

/// Intersections between two zones up to this area (m²) are not reported.
pub const OVERLAP_TOLERANCE_M2: f64 = 1.0;
/// Gaps up to this area (m²) are not reported.
pub const GAP_TOLERANCE_M2: f64 = 1.0;
/// Cracks between zones narrower than this (m) that open to the outside are slivers.
pub const SLIVER_MAX_WIDTH_M: f64 = 4.0;
/// Slivers thinner than this on average (m) are rounding noise of the closing, not cracks.
const MIN_SLIVER_WIDTH_M: f64 = 0.01;
/// A zone touches a gap when it is within this distance (m): the union is computed on a
/// fixed-point grid, so shared edges come back within micrometres, not exactly.
const TOUCH_M: f64 = 0.05;

/// A zone layer ready for topology: geometries with non-finite coordinates left out (they
/// are reported as invalid and would poison the R-tree and the overlay), and their index.
#[derive(Debug)]
pub(crate) struct ZoneSet<'a> {
    pub layer: &'a Layer,
    pub geoms: Cow<'a, [Option<Geometry>]>,
    pub index: SpatialIndex,
}

impl<'a> ZoneSet<'a> {
    pub fn new(layer: &'a Layer) -> ZoneSet<'a> {
        let geoms: Cow<'a, [Option<Geometry>]> = if layer.geometries.iter().flatten().all(is_finite)
        {
            Cow::Borrowed(&layer.geometries)
        } else {
            Cow::Owned(
                layer
                    .geometries
                    .iter()
                    .map(|g| g.as_ref().filter(|g| is_finite(g)).cloned())
                    .collect(),
            )
        };
        let index = SpatialIndex::build(&geoms);
        ZoneSet {
            layer,
            geoms,
            index,
        }
    }
}

/// Overlaps and gaps of one zone layer (one union serves both).
///
/// Overlaps: the sum of the zones' areas exceeds the area of their union by at least the
/// largest pairwise intersection, so when the excess is within half the tolerance no pair
/// can overlap by more than the tolerance and the pairwise overlay (the expensive part) is
/// skipped. The other half is a margin for the union's fixed-point grid (extent / 2^29),
/// which moves its area by far less (about 0.01 m² on the 15 km demo city). With invalid
/// polygons (`all_valid == false`) areas mean little, so the pairs are always computed.
pub(crate) fn check_zone_layer(zs: &ZoneSet, lonlat: &LonLat, all_valid: bool) -> Vec<Finding> {
    let (layer, index) = (zs.layer, &zs.index);
    // The union's fill rule follows the first ring's winding, so orient every zone alike.
    let zones: Vec<Option<MultiPolygon>> = zs
        .geoms
        .iter()
        .map(|g| {
            g.as_ref()
                .and_then(as_multipolygon)
                .map(|m| m.orient(Direction::Default))
        })
        .collect();
    let present: Vec<&MultiPolygon> = zones.iter().flatten().collect();
    if present.is_empty() {
        return Vec::new();
    }
    let union = unary_union(present.iter().copied());
    let excess = present.iter().map(|m| m.unsigned_area()).sum::<f64>() - union.unsigned_area();
    let mut out = Vec::new();
    if !all_valid || excess > OVERLAP_TOLERANCE_M2 / 2.0 {
        out.extend(overlap_findings(layer, &zs.geoms, &zones, index, lonlat));
    }
    out.extend(gap_findings(layer, &zones, &union, index, lonlat));
    out
}

/// One `zone-overlap` finding (Warning) per pair of zones overlapping by more than the
/// tolerance, with the area in m².
fn overlap_findings(
    layer: &Layer,
    geoms: &[Option<Geometry>],
    zones: &[Option<MultiPolygon>],
    index: &SpatialIndex,
    lonlat: &LonLat,
) -> Vec<Finding> {
    overlaps(geoms, geoms, index)
        .into_iter()
        .filter(|o| o.a < o.b && o.measure > OVERLAP_TOLERANCE_M2)
        .map(|o| {
            let (ia, ib) = (&layer.ids[o.a], &layer.ids[o.b]);
            // Recompute the (few) reported intersections for a point to find them by.
            let at = match (&zones[o.a], &zones[o.b]) {
                (Some(a), Some(b)) => a
                    .intersection(b)
                    .interior_point()
                    .and_then(|p| lonlat.point(p.0)),
                _ => None,
            };
            Finding::new(
                Severity::Warning,
                "zone-overlap",
                Some(&layer.name),
                format!("zones {ia} and {ib} overlap by {} m²", fmt_area(o.measure)),
            )
            .features([ia.clone(), ib.clone()])
            .value(o.measure)
            .location(at)
        })
        .collect()
}

/// One `zone-gap` finding (Warning) per gap, by the definition in the module docs.
fn gap_findings(
    layer: &Layer,
    zones: &[Option<MultiPolygon>],
    union: &MultiPolygon,
    index: &SpatialIndex,
    lonlat: &LonLat,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // 1. Holes of the union that are not a single zone's own hole.
    for part in union {
        for ring in part.interiors() {
            let hole = Polygon::new(ring.clone(), vec![]);
            let area = hole.unsigned_area();
            if area <= GAP_TOLERANCE_M2 || is_zone_hole(&hole, area, zones, index) {
                continue;
            }
            let neighbours = touching(&hole, zones, index);
            out.push(gap_finding(
                layer,
                &hole,
                area,
                &neighbours,
                lonlat,
                "enclosed by zones",
            ));
        }
    }
    // 2. Slivers: what closing the union's outline adds, between at least two zones.
    let outline = MultiPolygon::new(
        union
            .0
            .iter()
            .map(|p| Polygon::new(p.exterior().clone(), vec![]))
            .collect(),
    );
    let r = SLIVER_MAX_WIDTH_M / 2.0;
    // Mitred joins with a tiny limit angle: a dilated-then-eroded corner comes back sharp,
    // so only real cracks (not every concave corner of the city edge) are filled.
    let style = |d: f64| BufferStyle::new(d).line_join(LineJoin::Miter(0.01));
    let closed = outline
        .buffer_with_style(style(r))
        .buffer_with_style(style(-r));
    for sliver in closed.difference(&outline) {
        let area = sliver.unsigned_area();
        // Mean width 2·area/perimeter: the buffer's own rounding leaves hair-thin strips
        // along long straight edges that can add up to a square metre; a crack is wider.
        let width = 2.0 * area / Euclidean.length(sliver.exterior()).max(f64::MIN_POSITIVE);
        if area <= GAP_TOLERANCE_M2 || width < MIN_SLIVER_WIDTH_M {
            continue;
        }
        let neighbours = touching(&sliver, zones, index);
        if neighbours.len() < 2 {
            continue; // a narrow inlet in one zone's own outline, not a crack between zones
        }
        out.push(gap_finding(
            layer,
            &sliver,
            area,
            &neighbours,
            lonlat,
            &format!("a sliver narrower than {SLIVER_MAX_WIDTH_M} m open to the outside"),
        ));
    }
    out
}

fn gap_finding(
    layer: &Layer,
    gap: &Polygon,
    area: f64,
    neighbours: &[usize],
    lonlat: &LonLat,
    kind: &str,
) -> Finding {
    let ids: Vec<String> = neighbours.iter().map(|&i| layer.ids[i].clone()).collect();
    let mut shown = ids.clone();
    shown.sort_by(|a, b| super::report::cmp_ids(a, b));
    shown.truncate(8);
    let at = gap.interior_point().and_then(|p| lonlat.point(p.0));
    Finding::new(
        Severity::Warning,
        "zone-gap",
        Some(&layer.name),
        format!(
            "gap of {} m² not covered by any zone ({kind}), between zones {}{}",
            fmt_area(area),
            shown.join(", "),
            if ids.len() > shown.len() { ", …" } else { "" }
        ),
    )
    .features(ids)
    .value(area)
    .location(at)
}

/// True when `hole` is (within tolerance) exactly a hole of one zone: same area, same box.
fn is_zone_hole(
    hole: &Polygon,
    area: f64,
    zones: &[Option<MultiPolygon>],
    index: &SpatialIndex,
) -> bool {
    let Some(hb) = hole.bounding_rect() else {
        return false;
    };
    let tol = GAP_TOLERANCE_M2.max(area * 1e-3);
    let close = |a: Rect, b: Rect| {
        let d = 0.5;
        (a.min().x - b.min().x).abs() < d
            && (a.min().y - b.min().y).abs() < d
            && (a.max().x - b.max().x).abs() < d
            && (a.max().y - b.max().y).abs() < d
    };
    index.in_rect(hb).any(|z| {
        zones[z]
            .iter()
            .flat_map(|mp| mp.iter())
            .flat_map(|p| p.interiors())
            .any(|ring| {
                let rp = Polygon::new(ring.clone(), vec![]);
                (rp.unsigned_area() - area).abs() <= tol
                    && rp.bounding_rect().is_some_and(|rb| close(rb, hb))
            })
    })
}

/// Zones within [`TOUCH_M`] of `gap`, by feature index (ascending).
fn touching(gap: &Polygon, zones: &[Option<MultiPolygon>], index: &SpatialIndex) -> Vec<usize> {
    let Some(b) = gap.bounding_rect() else {
        return Vec::new();
    };
    let grown = Rect::new(
        Coord {
            x: b.min().x - TOUCH_M,
            y: b.min().y - TOUCH_M,
        },
        Coord {
            x: b.max().x + TOUCH_M,
            y: b.max().y + TOUCH_M,
        },
    );
    let mut out: Vec<usize> = index
        .in_rect(grown)
        .filter(|&z| {
            zones[z]
                .as_ref()
                .is_some_and(|mp| Euclidean.distance(mp, gap) <= TOUCH_M)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Points of `points` (a point layer) outside every zone of `zones`: one
/// `point-outside-zones` finding (Warning) listing them, or none.
pub(crate) fn check_points_outside(points: &Layer, zones: &ZoneSet) -> Option<Finding> {
    let coords: Vec<Option<Coord>> = points
        .geometries
        .iter()
        .map(|g| g.as_ref().and_then(point_coord))
        .map(|c| c.filter(|c| c.x.is_finite() && c.y.is_finite()))
        .collect();
    let located = coords.iter().filter(|c| c.is_some()).count();
    let assigned = assign(&coords, &zones.geoms, &zones.index);
    let outside: Vec<usize> = (0..coords.len())
        .filter(|&i| coords[i].is_some() && assigned[i].is_none())
        .collect();
    if outside.is_empty() {
        return None;
    }
    Some(
        Finding::new(
            Severity::Warning,
            "point-outside-zones",
            Some(&points.name),
            format!(
                "{} of {located} lie outside every zone of '{}'; analyses by zone will not count them",
                plural(outside.len(), "point"),
                zones.layer.name
            ),
        )
        .features(outside.iter().map(|&i| points.ids[i].clone())),
    )
}

/// m² with one decimal below 10 000, whole numbers above (and thin spaces never: plain text).
fn fmt_area(a: f64) -> String {
    if a < 10_000.0 {
        format!("{a:.1}")
    } else {
        format!("{a:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Role;
    use geo::{polygon, Geometry};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Geometry> {
        Some(polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)].into())
    }

    fn layer(geoms: Vec<Option<Geometry>>) -> Layer {
        Layer::new("z", Role::Zones, None, geoms, vec![]).expect("layer")
    }

    #[test]
    fn tiling_has_no_gaps_or_overlaps() {
        // 3 × 3 tiling of 100 m squares with mixed winding (one reversed).
        let mut g: Vec<Option<Geometry>> = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                let (x, y) = (i as f64 * 100.0, j as f64 * 100.0);
                g.push(rect(x, y, x + 100.0, y + 100.0));
            }
        }
        if let Some(Some(Geometry::Polygon(p))) = g.get_mut(4) {
            *p = p.orient(Direction::Reversed);
        }
        let l = layer(g);
        let zs = ZoneSet::new(&l);
        assert!(check_zone_layer(&zs, &LonLat::new(None), true).is_empty());
        assert!(check_zone_layer(&zs, &LonLat::new(None), false).is_empty());
    }

    #[test]
    fn overlaps_above_tolerance_only() {
        // 0.5 m × 1 m = 0.5 m² (below tolerance), then 5 m × 100 m = 500 m².
        for (reach, expect) in [(100.5, None), (105.0, Some(500.0))] {
            let l = layer(vec![
                rect(0.0, 0.0, reach, 1.0),
                rect(100.0, 0.0, 200.0, 1.0),
            ]);
            let l = if reach > 101.0 {
                layer(vec![
                    rect(0.0, 0.0, reach, 100.0),
                    rect(100.0, 0.0, 200.0, 100.0),
                ])
            } else {
                l
            };
            let zs = ZoneSet::new(&l);
            for all_valid in [true, false] {
                let f = check_zone_layer(&zs, &LonLat::new(None), all_valid);
                let got = f
                    .iter()
                    .find(|f| f.code == "zone-overlap")
                    .and_then(|f| f.value);
                match expect {
                    None => assert!(got.is_none(), "{f:?}"),
                    Some(a) => assert!((got.expect("overlap") - a).abs() < 1e-9, "{f:?}"),
                }
            }
        }
    }

    #[test]
    fn concave_city_edge_is_not_a_sliver() {
        // An L-shaped city of three squares: its reflex corner must not read as a gap.
        let l = layer(vec![
            rect(0.0, 0.0, 100.0, 100.0),
            rect(100.0, 0.0, 200.0, 100.0),
            rect(0.0, 100.0, 100.0, 200.0),
        ]);
        assert!(check_zone_layer(&ZoneSet::new(&l), &LonLat::new(None), true).is_empty());
    }

    #[test]
    fn zone_with_own_hole_is_not_a_gap() {
        let holed = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)],
            interiors: [[(x: 40.0, y: 40.0), (x: 60.0, y: 40.0), (x: 60.0, y: 60.0), (x: 40.0, y: 60.0)]],
        );
        let l = layer(vec![Some(holed.into()), rect(100.0, 0.0, 200.0, 100.0)]);
        assert!(check_zone_layer(&ZoneSet::new(&l), &LonLat::new(None), true).is_empty());
    }
}
