//! Geometry validity per feature, and layer bounding boxes.
//!
//! A feature's geometry is invalid when it is null (on a layer whose role needs geometry),
//! empty, or fails the OGC simple-feature rules as checked by `geo::Validation` (too few
//! points, self-intersecting rings, holes outside their shell, crossing rings, overlapping
//! multipolygon parts, non-finite coordinates), or when a reader had to repair it
//! (`Layer::notes`, e.g. an `unclosed-ring`). Findings are grouped per reason, one finding
//! per (layer, reason), listing the feature ids.

use super::report::{Finding, Severity};
use crate::crs::{Crs, Transformer};
use crate::layer::{Layer, Role};
use geo::algorithm::validation::{
    InvalidGeometry, InvalidLine, InvalidLineString, InvalidMultiPolygon, InvalidPolygon,
    InvalidRect, InvalidTriangle, Validation,
};
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{
    BoundingRect, Coord, CoordsIter, Geometry, HasDimensions, Intersects, Line, LineString,
    MultiPolygon, Polygon, PreparedGeometry, Relate, RemoveRepeatedPoints,
};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};
use std::collections::BTreeMap;

/// Rings with more vertices than this are tested for self-intersection over R-tree
/// candidate segment pairs instead of by `geo::Validation`, whose ring test compares all
/// pairs of segments (O(n²): seconds for one detailed coastline kelurahan). The predicate
/// is the same as geo's, so results do not depend on which path ran; 64 is about where
/// building the R-tree starts to pay off.
const FAST_RING_MIN: usize = 64;

/// One reason a geometry is invalid: a stable key (used to group features) and detail.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeometryFault {
    pub reason: &'static str,
    pub detail: String,
}

fn problem(reason: &'static str, detail: impl Into<String>) -> GeometryFault {
    GeometryFault {
        reason,
        detail: detail.into(),
    }
}

/// Human description of each reason, used in messages.
fn describe(reason: &str) -> &str {
    match reason {
        "null" => "a null geometry",
        "empty" => "an empty geometry",
        "too-few-points" => "too few distinct points",
        "self-intersection" => "a self-intersecting ring",
        "non-finite" => "non-finite coordinates",
        "hole-outside-shell" => "a hole outside its shell",
        "rings-intersect" => "rings that overlap or touch along a line",
        "overlapping-parts" => "multipolygon parts that overlap or touch along a line",
        "unclosed-ring" => "an unclosed ring (closed by the reader)",
        "collinear" => "collinear or repeated corners",
        "repaired-by-reader" => "a geometry the reader had to repair",
        other => other,
    }
}

/// Invalid-geometry findings (Error) for one layer, one per reason.
pub(crate) fn check_geometries(layer: &Layer) -> Vec<Finding> {
    // Per feature: its problems (parallel: validation dominates the check on big layers).
    let mut per_feature: Vec<(usize, Vec<GeometryFault>)> = layer
        .geometries
        .par_iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let probs = match g {
                None if layer.role != Role::Table => vec![problem("null", "")],
                None => Vec::new(),
                Some(g) => geometry_problems(g),
            };
            (!probs.is_empty()).then_some((i, probs))
        })
        .collect();
    for note in &layer.notes {
        let p = problem(note_reason(&note.kind), note.message.clone());
        match per_feature.iter_mut().find(|(i, _)| *i == note.feature) {
            Some((_, v)) => v.push(p),
            None => per_feature.push((note.feature, vec![p])),
        }
    }
    // Group by reason (BTreeMap: deterministic order); keep the first detail per feature.
    let mut by_reason: BTreeMap<&'static str, Vec<(usize, String)>> = BTreeMap::new();
    for (i, probs) in per_feature {
        let mut seen: Vec<&'static str> = Vec::new();
        for p in probs {
            if seen.contains(&p.reason) {
                continue;
            }
            seen.push(p.reason);
            by_reason.entry(p.reason).or_default().push((i, p.detail));
        }
    }
    by_reason
        .into_iter()
        .map(|(reason, mut feats)| {
            feats.sort_by_key(|(i, _)| *i);
            let id = |i: usize| layer.ids.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
            let examples: Vec<String> = feats
                .iter()
                .take(5)
                .map(|(i, d)| {
                    if d.is_empty() {
                        id(*i)
                    } else {
                        format!("{} ({d})", id(*i))
                    }
                })
                .collect();
            let n = feats.len();
            let more = if n > examples.len() {
                format!(", … {} more", n - examples.len())
            } else {
                String::new()
            };
            Finding::new(
                Severity::Error,
                "invalid-geometry",
                Some(&layer.name),
                format!(
                    "{n} feature{} with {}: {}{more}",
                    if n == 1 { "" } else { "s" },
                    describe(reason),
                    examples.join("; ")
                ),
            )
            .features(feats.into_iter().map(|(i, _)| id(i)))
        })
        .collect()
}

/// Reader note kinds map to a reason key; unknown kinds are kept under a generic one.
fn note_reason(kind: &str) -> &'static str {
    match kind {
        "unclosed-ring" => "unclosed-ring",
        "too-few-points" => "too-few-points",
        "self-intersection" => "self-intersection",
        "empty" => "empty",
        "non-finite" => "non-finite",
        _ => "repaired-by-reader",
    }
}

/// True when every coordinate is finite.
pub(crate) fn is_finite(g: &Geometry) -> bool {
    g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite())
}

/// Everything wrong with one geometry (empty list when valid).
pub(crate) fn geometry_problems(g: &Geometry) -> Vec<GeometryFault> {
    if g.is_empty() {
        return vec![problem("empty", "")];
    }
    // NaN / ∞ make every other test (and the R-trees below) meaningless: report only that.
    if !is_finite(g) {
        return vec![problem("non-finite", "a coordinate is NaN or infinite")];
    }
    match g {
        Geometry::Polygon(p) => polygon_problems(p),
        Geometry::MultiPolygon(mp) => multipolygon_problems(mp),
        other => other.validation_errors().iter().map(classify).collect(),
    }
}

fn max_ring_len(p: &Polygon) -> usize {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|r| r.0.len())
        .max()
        .unwrap_or(0)
}

fn polygon_problems(p: &Polygon) -> Vec<GeometryFault> {
    if max_ring_len(p) <= FAST_RING_MIN {
        return p
            .validation_errors()
            .into_iter()
            .map(|e| classify_polygon(&e))
            .collect();
    }
    large_polygon_problems(p)
}

fn multipolygon_problems(mp: &MultiPolygon) -> Vec<GeometryFault> {
    if mp.0.iter().all(|p| max_ring_len(p) <= FAST_RING_MIN) && mp.0.len() <= 64 {
        return mp
            .validation_errors()
            .iter()
            .map(classify_multipolygon)
            .collect();
    }
    // Large parts or many parts: each part on its own, then only the pairs of parts whose
    // boxes meet (geo relates all pairs), with the same two tests as geo.
    let mut out: Vec<GeometryFault> = mp.0.iter().flat_map(polygon_problems).collect();
    for (i, j) in overlapping_pairs(&mp.0) {
        out.push(problem(
            "overlapping-parts",
            format!("parts {i} and {j} overlap or touch along a line"),
        ));
    }
    out
}

/// Pairs (i < j) whose interiors overlap or whose boundaries share a line, geo's two tests
/// for parts and holes, evaluated only where the R-tree says the boxes meet.
fn overlapping_pairs<G>(items: &[G]) -> Vec<(usize, usize)>
where
    G: BoundingRect<f64> + Relate<f64>,
    G::Output: Into<Option<geo::Rect>>,
{
    let boxes: Vec<_> = items
        .iter()
        .enumerate()
        .filter_map(|(i, g)| Some(GeomWithData::new(rect_of(g.bounding_rect().into()?), i)))
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut pairs = Vec::new();
    for (a, b) in tree.intersection_candidates_with_other_tree(&tree) {
        let (i, j) = (a.data, b.data);
        if i >= j {
            continue;
        }
        let im = items[i].relate(&items[j]);
        if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
            || im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
        {
            pairs.push((i, j));
        }
    }
    pairs
}

fn rect_of(r: geo::Rect) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// The checks `geo::Validation` runs on a polygon, for polygons with long rings: the ring
/// self-intersection test runs over R-tree candidate pairs; the ring-relation tests are
/// geo's own (relate on prepared geometries, already sub-quadratic).
fn large_polygon_problems(p: &Polygon) -> Vec<GeometryFault> {
    let mut out = Vec::new();
    let rings = std::iter::once(p.exterior()).chain(p.interiors());
    for (k, ring) in rings.enumerate() {
        if ring.0.is_empty() {
            continue;
        }
        let role = if k == 0 {
            "exterior ring".to_string()
        } else {
            format!("interior ring at index {}", k - 1)
        };
        if ring.remove_repeated_points().0.len() < 4 {
            out.push(problem(
                "too-few-points",
                format!("{role} must have at least 3 distinct points"),
            ));
        }
        if ring_self_intersects(ring) {
            out.push(problem(
                "self-intersection",
                format!("{role} has a self-intersection"),
            ));
        }
        if ring.0.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            out.push(problem(
                "non-finite",
                format!("{role} has a non-finite coordinate"),
            ));
        }
    }
    let interiors: Vec<&LineString> = p.interiors().iter().filter(|r| !r.0.is_empty()).collect();
    if interiors.is_empty() {
        return out;
    }
    let shell = Polygon::new(p.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon> = interiors
        .iter()
        .map(|r| Polygon::new((*r).clone(), vec![]))
        .collect();
    for (i, h) in holes.iter().enumerate() {
        let im = shell.relate(h);
        if !im.is_contains() {
            out.push(problem(
                "hole-outside-shell",
                format!(
                    "interior ring at index {i} is not contained within the polygon's exterior"
                ),
            ));
        }
        if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            out.push(problem(
                "rings-intersect",
                format!("exterior ring and interior ring at index {i} intersect on a line"),
            ));
        }
    }
    // Hole pairs: only those whose boxes meet.
    for (i, j) in overlapping_pairs(&holes) {
        out.push(problem(
            "rings-intersect",
            format!("interior rings at index {i} and {j} overlap or touch along a line"),
        ));
    }
    out
}

/// geo's ring self-intersection predicate (two segments that meet, other than consecutive
/// segments at their shared vertex), evaluated only on segment pairs whose boxes meet.
pub(crate) fn ring_self_intersects(ring: &LineString) -> bool {
    let lines: Vec<Line> = ring.lines().collect();
    let entries: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            GeomWithData::new(
                Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]),
                i,
            )
        })
        .collect();
    let tree = RTree::bulk_load(entries);
    for e in tree.iter() {
        let i = e.data;
        let a = lines[i];
        let env: AABB<[f64; 2]> = e.envelope();
        for other in tree.locate_in_envelope_intersecting(&env) {
            let j = other.data;
            if j <= i {
                continue;
            }
            let b = lines[j];
            if a.intersects(&b) && a.start != b.end && a.end != b.start {
                return true;
            }
        }
    }
    false
}

fn classify(e: &InvalidGeometry) -> GeometryFault {
    let d = e.to_string();
    let reason = match e {
        InvalidGeometry::InvalidPoint(_)
        | InvalidGeometry::InvalidMultiPoint(_)
        | InvalidGeometry::InvalidRect(InvalidRect::NonFiniteCoord(_)) => "non-finite",
        InvalidGeometry::InvalidLine(InvalidLine::IdenticalCoords) => "too-few-points",
        InvalidGeometry::InvalidLine(InvalidLine::NonFiniteCoord(_)) => "non-finite",
        InvalidGeometry::InvalidLineString(l) => line_string_reason(l),
        InvalidGeometry::InvalidMultiLineString(
            geo::algorithm::validation::InvalidMultiLineString::InvalidLineString(_, l),
        ) => line_string_reason(l),
        InvalidGeometry::InvalidPolygon(p) => return classify_polygon(p),
        InvalidGeometry::InvalidMultiPolygon(m) => return classify_multipolygon(m),
        InvalidGeometry::InvalidGeometryCollection(
            geo::algorithm::validation::InvalidGeometryCollection::InvalidGeometry(_, inner),
        ) => {
            return GeometryFault {
                detail: d,
                ..classify(inner)
            }
        }
        InvalidGeometry::InvalidTriangle(InvalidTriangle::NonFiniteCoord(_)) => "non-finite",
        InvalidGeometry::InvalidTriangle(_) => "collinear",
    };
    problem(reason, d)
}

fn line_string_reason(e: &InvalidLineString) -> &'static str {
    match e {
        InvalidLineString::TooFewPoints => "too-few-points",
        InvalidLineString::NonFiniteCoord(_) => "non-finite",
    }
}

fn polygon_reason(e: &InvalidPolygon) -> &'static str {
    match e {
        InvalidPolygon::TooFewPointsInRing(_) => "too-few-points",
        InvalidPolygon::SelfIntersection(_) => "self-intersection",
        InvalidPolygon::NonFiniteCoord(..) => "non-finite",
        InvalidPolygon::InteriorRingNotContainedInExteriorRing(_) => "hole-outside-shell",
        InvalidPolygon::IntersectingRingsOnALine(..)
        | InvalidPolygon::IntersectingRingsOnAnArea(..) => "rings-intersect",
    }
}

fn classify_polygon(e: &InvalidPolygon) -> GeometryFault {
    problem(polygon_reason(e), e.to_string())
}

fn classify_multipolygon(e: &InvalidMultiPolygon) -> GeometryFault {
    let reason = match e {
        InvalidMultiPolygon::InvalidPolygon(_, p) => polygon_reason(p),
        InvalidMultiPolygon::ElementsOverlaps(..)
        | InvalidMultiPolygon::ElementsTouchOnALine(..) => "overlapping-parts",
    };
    problem(reason, e.to_string())
}

/// Transforms working-CRS coordinates to WGS 84 lon/lat (for bboxes and locations).
#[derive(Debug)]
pub(crate) struct LonLat {
    t: Option<Transformer>,
}

impl LonLat {
    /// From `crs` to WGS 84; `None` when the CRS is unknown or cannot be transformed.
    pub fn new(crs: Option<&Crs>) -> LonLat {
        LonLat {
            t: crs.and_then(|c| Transformer::new(c, &Crs::WGS84).ok()),
        }
    }

    /// The lon/lat of a coordinate, if it can be transformed.
    pub fn point(&self, c: Coord) -> Option<[f64; 2]> {
        let (x, y) = self.t.as_ref()?.point(c.x, c.y).ok()?;
        (x.is_finite() && y.is_finite()).then_some([x, y])
    }

    /// The lon/lat box of a working-CRS box: corners and edge points (a projected box's
    /// edges bow in lon/lat, so corners alone can miss the extremes).
    pub fn bbox(&self, b: [f64; 4]) -> Option<[f64; 4]> {
        let mut acc: Option<[f64; 4]> = None;
        let steps = 8;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            let x = b[0] + (b[2] - b[0]) * t;
            let y = b[1] + (b[3] - b[1]) * t;
            for c in [
                Coord { x, y: b[1] },
                Coord { x, y: b[3] },
                Coord { x: b[0], y },
                Coord { x: b[2], y },
            ] {
                let [lon, lat] = self.point(c)?;
                acc = Some(match acc {
                    None => [lon, lat, lon, lat],
                    Some(a) => [a[0].min(lon), a[1].min(lat), a[2].max(lon), a[3].max(lat)],
                });
            }
        }
        acc
    }
}

/// The layer's bounding box in its CRS and in lon/lat.
pub(crate) fn layer_bbox(layer: &Layer) -> (Option<[f64; 4]>, Option<[f64; 4]>) {
    let Some(r) = layer.bbox() else {
        return (None, None);
    };
    let b = [r.min().x, r.min().y, r.max().x, r.max().y];
    if !b.iter().all(|v| v.is_finite()) {
        return (None, None);
    }
    (Some(b), LonLat::new(layer.crs.as_ref()).bbox(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    fn reasons(g: impl Into<Geometry>) -> Vec<&'static str> {
        geometry_problems(&g.into())
            .into_iter()
            .map(|p| p.reason)
            .collect()
    }

    #[test]
    fn classifies_common_problems() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert!(reasons(square).is_empty());
        let bowtie =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        assert_eq!(reasons(bowtie), vec!["self-intersection"]);
        let thin = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0)];
        assert!(reasons(thin).contains(&"too-few-points"));
        let empty = Polygon::new(LineString::new(vec![]), vec![]);
        assert_eq!(reasons(empty), vec!["empty"]);
        let ls = line_string![(x: 1.0, y: 1.0), (x: 1.0, y: 1.0)];
        assert_eq!(reasons(ls), vec!["too-few-points"]);
    }

    /// A ring with many vertices: a circle, optionally with one vertex pushed across it.
    fn circle(n: usize, kink: bool) -> LineString {
        let mut pts: Vec<Coord> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                Coord {
                    x: a.cos() * 100.0,
                    y: a.sin() * 100.0,
                }
            })
            .collect();
        if kink {
            pts[n / 4] = Coord { x: 0.0, y: -150.0 };
        }
        pts.push(pts[0]);
        LineString::new(pts)
    }

    #[test]
    fn fast_path_agrees_with_geo() {
        for kink in [false, true] {
            let ring = circle(600, kink);
            let p = Polygon::new(ring.clone(), vec![]);
            let geo_says = !p.validation_errors().is_empty();
            assert_eq!(ring_self_intersects(&ring), geo_says, "kink={kink}");
            assert_eq!(!large_polygon_problems(&p).is_empty(), kink);
        }
        // A hole poking out of its shell, on the large path.
        let hole = LineString::from(vec![
            (90.0, 0.0),
            (120.0, 0.0),
            (120.0, 10.0),
            (90.0, 10.0),
            (90.0, 0.0),
        ]);
        let p = Polygon::new(circle(600, false), vec![hole]);
        let r: Vec<&str> = large_polygon_problems(&p)
            .into_iter()
            .map(|p| p.reason)
            .collect();
        assert!(r.contains(&"hole-outside-shell"), "{r:?}");
    }

    #[test]
    fn lonlat_of_utm_51n() {
        let t = LonLat::new(Some(&Crs::Epsg(32651)));
        // 500 000 E on the equator is the central meridian of zone 51: 123°E.
        let [lon, lat] = t
            .point(Coord {
                x: 500_000.0,
                y: 0.0,
            })
            .expect("transform");
        assert!(
            (lon - 123.0).abs() < 1e-6 && lat.abs() < 1e-6,
            "{lon} {lat}"
        );
        assert!(LonLat::new(None).point(Coord { x: 0.0, y: 0.0 }).is_none());
    }
}
