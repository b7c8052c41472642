//! Mapbox Vector Tiles (MVT 2.1), cut on the fly from a layer and its R-tree.
//!
//! A tile `z/x/y` of the Web Mercator (EPSG:3857) pyramid is made in five steps:
//! 1. **candidates**: the tile's square plus a [`BUFFER`], clamped to the layer's extent
//!    (so a world-sized tile at low zoom never asks a UTM zone about the far side of the
//!    globe), transformed into the layer's CRS and asked of the [`SpatialIndex`];
//! 2. **reproject** each candidate to Web Mercator, then scale it to tile units
//!    (`0..EXTENT`, y down);
//! 3. **generalise** below the layer's `max_zoom`: polygons smaller than a screen pixel are
//!    left out and every geometry is simplified (Ramer–Douglas–Peucker) to a fraction of a
//!    pixel; at `max_zoom` and beyond nothing is dropped or simplified;
//! 4. **clip** to the buffered tile with `geo`'s boolean operations (skipped for geometries
//!    already inside);
//! 5. **quantise** to integers, drop repeated vertices and collapsed rings, orient rings the
//!    way MVT wants (exterior positive area in tile coordinates), and encode with geozero's
//!    MVT writer.
//!
//! A tile holds one layer; a feature's MVT id is its row index in the source layer and its
//! properties are whatever the [`TileFeatures`] source writes (a [`Layer`] writes `id` and
//! every attribute column). A tile without features encodes as zero bytes (an empty
//! protobuf `Tile`), which MapLibre reads as an empty tile.

use crate::crs::{Crs, Transformer};
use crate::layer::{Layer, Value};
use crate::rtree::SpatialIndex;
use geo::orient::Direction;
use geo::{
    coord, Area, BooleanOps, BoundingRect, Coord, Geometry, LineString, MapCoordsInPlace,
    MultiLineString, MultiPoint, MultiPolygon, Orient, Point, Polygon, Rect, RemoveRepeatedPoints,
    Simplify,
};
use geozero::mvt::{tile, Message, TagsBuilder, TileValue};
use geozero::ToMvt;

/// Tile units per tile side (the MVT default).
pub const EXTENT: u32 = 4096;

/// Tile units kept around each tile, so that lines and outlines running across a tile edge
/// are drawn without seams.
pub const BUFFER: f64 = 64.0;

/// Deepest zoom a tile can be asked for.
pub const MAX_ZOOM: u8 = 22;

/// The zoom at which a layer is tiled at full detail by default (0.6 m per tile unit at the
/// equator): clients over-zoom its tiles beyond, as with OpenMapTiles.
pub const DEFAULT_MAX_ZOOM: u8 = 14;

/// Tile units per screen pixel: MapLibre draws a vector tile on 512 pixels.
const PIXEL: f64 = EXTENT as f64 / 512.0;

/// Simplification tolerance below `max_zoom`, in tile units: half a screen pixel (geojson-vt
/// uses 3 units of 4096 for the same purpose).
const TOLERANCE: f64 = 0.5 * PIXEL;

/// Half the side of the Web Mercator square, in metres (π · 6378137).
pub const MERCATOR_HALF: f64 = 20_037_508.342_789_244;

/// Radius of the Web Mercator sphere, in metres.
const MERCATOR_RADIUS: f64 = 6_378_137.0;

/// Why a tile could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// The tile is not in the pyramid (zoom above [`MAX_ZOOM`], or x/y not below 2^zoom).
    #[error("tile {z}/{x}/{y}: {message}")]
    OutOfRange {
        /// Requested zoom.
        z: u64,
        /// Requested column.
        x: u64,
        /// Requested row.
        y: u64,
        /// Which bound was broken.
        message: String,
    },
    /// Reprojecting a feature or the tile's bounds failed.
    #[error(transparent)]
    Engine(#[from] crate::Error),
    /// geozero could not encode a geometry.
    #[error("layer '{layer}' feature {feature}: cannot encode as a vector tile: {message}")]
    Encode {
        /// The tile layer.
        layer: String,
        /// Row index of the feature.
        feature: usize,
        /// geozero's message.
        message: String,
    },
}

/// A tile of the Web Mercator pyramid (XYZ scheme: y = 0 is the northernmost row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Zoom, `0..=MAX_ZOOM`.
    pub z: u8,
    /// Column, `0..2^z`, from the antimeridian eastwards.
    pub x: u32,
    /// Row, `0..2^z`, from the north.
    pub y: u32,
}

impl TileId {
    /// The tile `z/x/y`, checked to be in the pyramid.
    pub fn new(z: u64, x: u64, y: u64) -> Result<TileId, TileError> {
        let out = |message: String| TileError::OutOfRange { z, x, y, message };
        if z > MAX_ZOOM as u64 {
            return Err(out(format!("zoom must be 0..={MAX_ZOOM}")));
        }
        let n = 1u64 << z;
        if x >= n {
            return Err(out(format!("x must be below {n} at zoom {z}")));
        }
        if y >= n {
            return Err(out(format!("y must be below {n} at zoom {z}")));
        }
        Ok(TileId {
            z: z as u8,
            x: x as u32,
            y: y as u32,
        })
    }

    /// Side of the tile in Web Mercator metres.
    pub fn size(&self) -> f64 {
        2.0 * MERCATOR_HALF / (1u64 << self.z) as f64
    }

    /// The tile's square in Web Mercator metres.
    pub fn bounds(&self) -> Rect {
        let s = self.size();
        let minx = -MERCATOR_HALF + self.x as f64 * s;
        let maxy = MERCATOR_HALF - self.y as f64 * s;
        Rect::new(
            coord! { x: minx, y: maxy - s },
            coord! { x: minx + s, y: maxy },
        )
    }
}

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// The features a tile is cut from: geometries by row index (the rows an index was built
/// on) and the properties each writes.
pub trait TileFeatures {
    /// Geometry of row `i` in the source CRS; `None` leaves the row out of every tile.
    fn geometry(&self, i: usize) -> Option<&Geometry>;
    /// Writes the properties of row `i`.
    fn properties(&self, i: usize, tags: &mut Tags<'_>);
}

/// A layer's tiles carry `id` (the layer's feature id) and every attribute column (a
/// column called `id` gives way to the feature id).
impl TileFeatures for Layer {
    fn geometry(&self, i: usize) -> Option<&Geometry> {
        self.geometries.get(i)?.as_ref()
    }

    fn properties(&self, i: usize, tags: &mut Tags<'_>) {
        if let Some(id) = self.ids.get(i) {
            tags.text("id", id);
        }
        for c in self.columns.iter().filter(|c| c.name != "id") {
            tags.value(&c.name, &c.get(i));
        }
    }
}

/// The properties of one feature being written (keys and values shared by the layer).
#[derive(Debug)]
pub struct Tags<'a> {
    builder: &'a mut TagsBuilder,
    out: &'a mut Vec<u32>,
}

impl Tags<'_> {
    fn put(&mut self, key: &str, v: TileValue) {
        let (k, v) = self.builder.insert_ref(key, v);
        self.out.push(k);
        self.out.push(v);
    }

    /// A text property.
    pub fn text(&mut self, key: &str, v: &str) {
        self.put(key, TileValue::Str(v.to_string()));
    }

    /// A cell; nulls and non-finite numbers are left out (MVT has no null).
    pub fn value(&mut self, key: &str, v: &Value) {
        match v {
            Value::Null => {}
            Value::Int(i) => self.put(key, TileValue::Int(*i)),
            Value::Float(f) if f.is_finite() => self.put(key, TileValue::Double(*f)),
            Value::Float(_) => {}
            Value::Text(s) => self.text(key, s),
            Value::Bool(b) => self.put(key, TileValue::Bool(*b)),
        }
    }

    /// A JSON value (an analysis row's field); null is left out, arrays and objects are
    /// written as JSON text.
    pub fn json(&mut self, key: &str, v: &serde_json::Value) {
        use serde_json::Value as J;
        match v {
            J::Null => {}
            J::Bool(b) => self.put(key, TileValue::Bool(*b)),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.put(key, TileValue::Int(i));
                } else if let Some(u) = n.as_u64() {
                    self.put(key, TileValue::Uint(u));
                } else if let Some(f) = n.as_f64() {
                    self.put(key, TileValue::Double(f));
                }
            }
            J::String(s) => self.text(key, s),
            other => self.text(key, &other.to_string()),
        }
    }
}

/// What a tile is cut from, besides the features and their index.
#[derive(Debug, Clone)]
pub struct TileSpec<'a> {
    /// Name of the tile's one layer (the source-layer of a map style).
    pub layer: &'a str,
    /// CRS of the geometries.
    pub crs: &'a Crs,
    /// Web Mercator envelope of all geometries ([`mercator_bounds`]); `None` when there is
    /// no geometry, and every tile is empty.
    pub bounds: Option<Rect>,
    /// The zoom of full detail: below it small polygons are dropped and lines simplified.
    pub max_zoom: u8,
}

/// The Web Mercator envelope of the geometries of `layer` (in `crs`, or its own), padded by
/// a hair against the curvature of the transformed box; `None` without geometry.
pub fn mercator_bounds(layer: &Layer, crs: &Crs) -> Result<Option<Rect>, TileError> {
    let crs = layer.crs.as_ref().unwrap_or(crs);
    let Some(bbox) = layer.bbox() else {
        return Ok(None);
    };
    let r = Transformer::new(crs, &Crs::Epsg(3857))?.envelope(bbox)?;
    let pad = 1.0 + 0.01 * r.width().max(r.height());
    Ok(Some(Rect::new(
        coord! { x: r.min().x - pad, y: r.min().y - pad },
        coord! { x: r.max().x + pad, y: r.max().y + pad },
    )))
}

/// `[west, south, east, north]` in degrees of a Web Mercator rectangle (clamped to the
/// Mercator square), the TileJSON `bounds` order.
pub fn lon_lat_bounds(r: Rect) -> [f64; 4] {
    let c = |v: f64| v.clamp(-MERCATOR_HALF, MERCATOR_HALF);
    let lon = |x: f64| c(x) / MERCATOR_RADIUS * 180.0 / std::f64::consts::PI;
    let lat = |y: f64| {
        (2.0 * (c(y) / MERCATOR_RADIUS).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees()
    };
    [
        lon(r.min().x),
        lat(r.min().y),
        lon(r.max().x),
        lat(r.max().y),
    ]
}

/// The tile `t` of `layer` (in `crs`, or its own) as MVT bytes, with the layer's name,
/// id and columns, and its mercator bounds computed here. Servers keep the bounds and call
/// [`tile`] instead.
pub fn layer_tile(
    layer: &Layer,
    index: &SpatialIndex,
    crs: &Crs,
    t: TileId,
) -> Result<Vec<u8>, TileError> {
    let spec = TileSpec {
        layer: &layer.name,
        crs: layer.crs.as_ref().unwrap_or(crs),
        bounds: mercator_bounds(layer, crs)?,
        max_zoom: DEFAULT_MAX_ZOOM,
    };
    tile(&spec, layer, index, t)
}

/// The tile `t` of `features` (indexed by `index`) as MVT bytes: one layer named
/// `spec.layer`, zero bytes when no feature reaches the tile.
pub fn tile<F: TileFeatures + ?Sized>(
    spec: &TileSpec<'_>,
    features: &F,
    index: &SpatialIndex,
    t: TileId,
) -> Result<Vec<u8>, TileError> {
    let Some(bounds) = spec.bounds else {
        return Ok(Vec::new());
    };
    let frame = Frame::of(t);
    let clip = frame.clip_mercator();
    // Only the part of the (buffered) tile where the layer has data is asked of the index
    // (compared before making a Rect, which would put its corners back in order).
    let (lo, hi) = (
        coord! { x: clip.min().x.max(bounds.min().x), y: clip.min().y.max(bounds.min().y) },
        coord! { x: clip.max().x.min(bounds.max().x), y: clip.max().y.min(bounds.max().y) },
    );
    if lo.x > hi.x || lo.y > hi.y {
        return Ok(Vec::new());
    }
    let query = Rect::new(lo, hi);
    let query = Transformer::new(&Crs::Epsg(3857), spec.crs)?.envelope(query)?;
    let mut candidates: Vec<usize> = index.in_rect(query).collect();
    candidates.sort_unstable(); // the R-tree's order is arbitrary; tiles are deterministic
    candidates.dedup();

    let to_mercator = Transformer::new(spec.crs, &Crs::Epsg(3857))?;
    let generalise = t.z < spec.max_zoom;
    let cut = Cut {
        tolerance: if generalise { TOLERANCE } else { 0.0 },
        min_area: if generalise { PIXEL * PIXEL } else { 0.0 },
        clip: frame.clip_tile(),
    };
    let mut builder = TagsBuilder::new();
    let mut out: Vec<tile::Feature> = Vec::new();
    for i in candidates {
        let Some(g) = features.geometry(i) else {
            continue;
        };
        let mut g = g.clone();
        to_mercator.geometry(&mut g)?;
        g.map_coords_in_place(|c| frame.to_tile(c));
        let parts = cut.parts(g);
        if parts.is_empty() {
            continue;
        }
        let mut tags = Vec::new();
        features.properties(
            i,
            &mut Tags {
                builder: &mut builder,
                out: &mut tags,
            },
        );
        for part in parts {
            let mut f = part.to_mvt_unscaled().map_err(|e| TileError::Encode {
                layer: spec.layer.to_string(),
                feature: i,
                message: e.to_string(),
            })?;
            f.id = Some(i as u64);
            f.tags = tags.clone();
            out.push(f);
        }
    }
    if out.is_empty() {
        return Ok(Vec::new());
    }
    let (keys, values) = builder.into_tags();
    let layer = tile::Layer {
        version: 2,
        name: spec.layer.to_string(),
        features: out,
        keys,
        values: values.into_iter().map(Into::into).collect(),
        extent: Some(EXTENT),
    };
    Ok(geozero::mvt::Tile {
        layers: vec![layer],
    }
    .encode_to_vec())
}

/// Web Mercator ↔ tile units of one tile.
#[derive(Debug, Clone, Copy)]
struct Frame {
    minx: f64,
    maxy: f64,
    /// Tile units per metre.
    scale: f64,
}

impl Frame {
    fn of(t: TileId) -> Frame {
        let b = t.bounds();
        Frame {
            minx: b.min().x,
            maxy: b.max().y,
            scale: EXTENT as f64 / t.size(),
        }
    }

    /// Mercator metres to tile units (y down).
    fn to_tile(self, c: Coord) -> Coord {
        coord! { x: (c.x - self.minx) * self.scale, y: (self.maxy - c.y) * self.scale }
    }

    /// The buffered tile in tile units.
    fn clip_tile(self) -> Rect {
        let e = EXTENT as f64;
        Rect::new(
            coord! { x: -BUFFER, y: -BUFFER },
            coord! { x: e + BUFFER, y: e + BUFFER },
        )
    }

    /// The buffered tile in Mercator metres.
    fn clip_mercator(self) -> Rect {
        let r = self.clip_tile();
        let back =
            |c: Coord| coord! { x: self.minx + c.x / self.scale, y: self.maxy - c.y / self.scale };
        Rect::new(back(r.min()), back(r.max()))
    }
}

/// How one tile generalises and clips geometries (in tile units).
#[derive(Debug, Clone, Copy)]
struct Cut {
    tolerance: f64,
    min_area: f64,
    clip: Rect,
}

impl Cut {
    /// The geometry (in tile units) as what the tile shows of it: at most one point, one
    /// line and one polygon part (a collection can hold all three; MVT types each feature).
    fn parts(&self, g: Geometry) -> Vec<Geometry> {
        let (mut points, mut lines, mut polygons) = (Vec::new(), Vec::new(), Vec::new());
        split(g, &mut points, &mut lines, &mut polygons);
        let mut parts = Vec::new();
        let points: Vec<Point> = points
            .into_iter()
            .filter(|p| inside(&self.clip, p.0))
            .map(|p| Point(quantise(p.0)))
            .collect();
        if !points.is_empty() {
            parts.push(Geometry::MultiPoint(MultiPoint(points)));
        }
        if let Some(l) = self.lines(MultiLineString(lines)) {
            parts.push(Geometry::MultiLineString(l));
        }
        if let Some(p) = self.polygons(MultiPolygon(polygons)) {
            parts.push(Geometry::MultiPolygon(p));
        }
        parts
    }

    fn lines(&self, mut l: MultiLineString) -> Option<MultiLineString> {
        let bbox = l.bounding_rect()?;
        if !meets(&self.clip, &bbox) {
            return None;
        }
        if self.tolerance > 0.0 {
            l = l.simplify(self.tolerance);
        }
        if !within(&self.clip, &bbox) {
            l = self.clip.to_polygon().clip(&l, false);
        }
        let lines: Vec<LineString> = l
            .into_iter()
            .map(|mut ls| {
                ls.map_coords_in_place(quantise);
                ls.remove_repeated_points()
            })
            .filter(|ls| ls.0.len() >= 2)
            .collect();
        (!lines.is_empty()).then_some(MultiLineString(lines))
    }

    fn polygons(&self, mut p: MultiPolygon) -> Option<MultiPolygon> {
        let bbox = p.bounding_rect()?;
        if !meets(&self.clip, &bbox) {
            return None;
        }
        if self.min_area > 0.0 && p.unsigned_area() < self.min_area {
            return None;
        }
        if self.tolerance > 0.0 {
            p = p.simplify(self.tolerance);
        }
        if !within(&self.clip, &bbox) {
            p = p.intersection(&self.clip.to_polygon());
        }
        let polygons: Vec<Polygon> = p
            .into_iter()
            .filter_map(|poly| {
                let (exterior, interiors) = poly.into_inner();
                let exterior = ring(exterior)?;
                let interiors = interiors.into_iter().filter_map(ring).collect();
                Some(Polygon::new(exterior, interiors))
            })
            .collect();
        // MVT: exteriors have positive area by the surveyor's formula in tile coordinates,
        // which is geo's counter-clockwise on these (y down) numbers.
        (!polygons.is_empty()).then(|| MultiPolygon(polygons).orient(Direction::Default))
    }
}

/// A ring quantised, without repeated vertices; `None` when it collapsed.
fn ring(mut r: LineString) -> Option<LineString> {
    r.map_coords_in_place(quantise);
    let r = r.remove_repeated_points();
    (r.0.len() >= 4 && Polygon::new(r.clone(), vec![]).unsigned_area() > 0.0).then_some(r)
}

fn quantise(c: Coord) -> Coord {
    coord! { x: c.x.round(), y: c.y.round() }
}

fn inside(r: &Rect, c: Coord) -> bool {
    (r.min().x..=r.max().x).contains(&c.x) && (r.min().y..=r.max().y).contains(&c.y)
}

fn meets(a: &Rect, b: &Rect) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

fn within(outer: &Rect, inner: &Rect) -> bool {
    inside(outer, inner.min()) && inside(outer, inner.max())
}

/// Sorts the parts of any geometry into points, lines and polygons.
fn split(g: Geometry, pts: &mut Vec<Point>, lines: &mut Vec<LineString>, polys: &mut Vec<Polygon>) {
    match g {
        Geometry::Point(p) => pts.push(p),
        Geometry::MultiPoint(mp) => pts.extend(mp),
        Geometry::Line(l) => lines.push(LineString::from(l)),
        Geometry::LineString(l) => lines.push(l),
        Geometry::MultiLineString(ml) => lines.extend(ml),
        Geometry::Polygon(p) => polys.push(p),
        Geometry::MultiPolygon(mp) => polys.extend(mp),
        Geometry::Rect(r) => polys.push(r.to_polygon()),
        Geometry::Triangle(t) => polys.push(t.to_polygon()),
        Geometry::GeometryCollection(gc) => {
            for g in gc {
                split(g, pts, lines, polys);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Column, Role};
    use geo::{line_string, point, polygon, Winding};
    use geozero::ToGeo;

    const H: f64 = MERCATOR_HALF;

    fn layer(name: &str, crs: Crs, geoms: Vec<Geometry>, columns: Vec<Column>) -> Layer {
        Layer::new(
            name,
            Role::Zones,
            Some(crs),
            geoms.into_iter().map(Some).collect(),
            columns,
        )
        .expect("layer")
    }

    fn at(l: &Layer, z: u64, x: u64, y: u64) -> Vec<u8> {
        let t = TileId::new(z, x, y).expect("tile");
        layer_tile(l, &SpatialIndex::of(l), &Crs::Epsg(3857), t).expect("tile bytes")
    }

    fn decode(bytes: &[u8]) -> geozero::mvt::Tile {
        geozero::mvt::Tile::decode(bytes).expect("valid MVT protobuf")
    }

    fn geometry(f: &tile::Feature) -> Geometry {
        f.to_geo().expect("decodable geometry")
    }

    /// Coordinates of the first polygon's exterior, closing vertex dropped, sorted.
    fn corners(g: &Geometry) -> Vec<(i64, i64)> {
        let ring = match g {
            Geometry::Polygon(p) => p.exterior().clone(),
            Geometry::MultiPolygon(mp) => mp.0[0].exterior().clone(),
            other => panic!("not a polygon: {other:?}"),
        };
        let mut v: Vec<(i64, i64)> = ring.0[..ring.0.len() - 1]
            .iter()
            .map(|c| (c.x as i64, c.y as i64))
            .collect();
        v.sort_unstable();
        v
    }

    fn merc_square(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry {
        polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)]
            .into()
    }

    #[test]
    fn tile_ids_are_checked() {
        assert_eq!(
            TileId::new(22, (1 << 22) - 1, 0).map(|t| t.z).ok(),
            Some(22)
        );
        for (z, x, y, why) in [(23, 0, 0, "zoom"), (1, 2, 0, "x must"), (3, 0, 8, "y must")] {
            let e = TileId::new(z, x, y).expect_err("out of range").to_string();
            assert!(
                e.contains(&format!("{z}/{x}/{y}")) && e.contains(why),
                "{e}"
            );
        }
        // Tile 1/1/0 is the north-east quarter of the Mercator square.
        let b = TileId::new(1, 1, 0).expect("tile").bounds();
        assert_eq!(
            (b.min().x, b.min().y, b.max().x, b.max().y),
            (0.0, 0.0, H, H)
        );
        let [w, s, e, n] = lon_lat_bounds(TileId::new(0, 0, 0).expect("tile").bounds());
        assert!(
            (w + 180.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9,
            "{w} {e}"
        );
        assert!(
            (n - 85.051_128_78).abs() < 1e-6 && (s + n).abs() < 1e-9,
            "{s} {n}"
        );
    }

    #[test]
    fn mercator_square_lands_on_the_expected_pixels() {
        // x H/4..H/2, y H/4..H/2 in tile 1/1/0 (x 0..H, y H..0 on 4096 units):
        // columns 1024..2048, rows (H - y)/H·4096 = 2048..3072.
        let l = layer(
            "t",
            Crs::Epsg(3857),
            vec![merc_square(H / 4.0, H / 4.0, H / 2.0, H / 2.0)],
            vec![],
        );
        let tile = decode(&at(&l, 1, 1, 0));
        assert_eq!(tile.layers.len(), 1);
        let layer = &tile.layers[0];
        assert_eq!(
            (layer.name.as_str(), layer.extent, layer.version),
            ("t", Some(4096), 2)
        );
        assert_eq!(layer.features.len(), 1);
        let f = &layer.features[0];
        assert_eq!(f.id, Some(0));
        assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
        let g = geometry(f);
        assert_eq!(
            corners(&g),
            vec![(1024, 2048), (1024, 3072), (2048, 2048), (2048, 3072)]
        );
        // MVT winding: the exterior has positive area by the surveyor's formula in tile
        // coordinates (clockwise on screen, y down).
        let Geometry::Polygon(p) = &g else {
            panic!("one polygon expected: {g:?}");
        };
        assert!(p.signed_area() > 0.0, "{p:?}");
        // The command stream starts with MoveTo(1) and ends with ClosePath(1).
        assert_eq!(f.geometry.first(), Some(&9));
        assert_eq!(f.geometry.last(), Some(&15));
    }

    #[test]
    fn lon_lat_square_is_reprojected() {
        // lon 45..90 → x H/4..H/2 (columns 1024..2048 of tile 1/1/0); lat 0 → y 0 (row
        // 4096, the tile's south edge) and lat 66.51326° → y H/2 (row 2048), since
        // y = R·asinh(tan φ) and asinh(tan 66.51326°) = π/2.
        let lat = (std::f64::consts::FRAC_PI_2).sinh().atan().to_degrees();
        let l = layer(
            "t",
            Crs::WGS84,
            vec![merc_square(45.0, 0.0, 90.0, lat)],
            vec![],
        );
        let tile = decode(&at(&l, 1, 1, 0));
        let g = geometry(&tile.layers[0].features[0]);
        assert_eq!(
            corners(&g),
            vec![(1024, 2048), (1024, 4096), (2048, 2048), (2048, 4096)]
        );
        // The point (90°, 0°) is on the edge between tiles 1/1/0 and 1/1/1: in both (the
        // buffer), at the bottom of one and the top of the other; not in tile 1/0/0.
        let p = layer(
            "p",
            Crs::WGS84,
            vec![point!(x: 90.0, y: 0.0).into()],
            vec![],
        );
        for (y, row) in [(0, 4096.0), (1, 0.0)] {
            let tile = decode(&at(&p, 1, 1, y));
            let f = &tile.layers[0].features[0];
            assert_eq!(f.r#type, Some(tile::GeomType::Point as i32));
            assert_eq!(geometry(f), Geometry::Point(point!(x: 2048.0, y: row)));
        }
        assert!(at(&p, 1, 0, 0).is_empty());
    }

    #[test]
    fn features_outside_the_tile_are_absent() {
        let l = layer(
            "t",
            Crs::Epsg(3857),
            vec![
                merc_square(H / 4.0, H / 4.0, H / 2.0, H / 2.0),
                merc_square(-H / 2.0, -H / 2.0, -H / 4.0, -H / 4.0),
            ],
            vec![],
        );
        // Tile 1/0/0 (north-west) holds neither; 1/0/1 (south-west) only the second.
        assert!(at(&l, 1, 0, 0).is_empty(), "an empty tile is zero bytes");
        let tile = decode(&at(&l, 1, 0, 1));
        let ids: Vec<Option<u64>> = tile.layers[0].features.iter().map(|f| f.id).collect();
        assert_eq!(ids, vec![Some(1)]);
        // Zoom 0 holds both; the world tile is cut although the layer is only part of it.
        assert_eq!(decode(&at(&l, 0, 0, 0)).layers[0].features.len(), 2);
    }

    #[test]
    fn polygons_across_the_tile_edge_are_clipped_to_the_buffer() {
        // x -H/4..H/4 spans tiles 1/0/0 and 1/1/0: in 1/1/0 it runs from column -1024 (cut
        // at the buffer, -64) to 1024; in 1/0/0 from 3072 to 5120 (cut at 4096 + 64).
        let l = layer(
            "t",
            Crs::Epsg(3857),
            vec![merc_square(-H / 4.0, H / 4.0, H / 4.0, H / 2.0)],
            vec![],
        );
        let east = geometry(&decode(&at(&l, 1, 1, 0)).layers[0].features[0]);
        assert_eq!(
            corners(&east),
            vec![(-64, 2048), (-64, 3072), (1024, 2048), (1024, 3072)]
        );
        let west = geometry(&decode(&at(&l, 1, 0, 0)).layers[0].features[0]);
        assert_eq!(
            corners(&west),
            vec![(3072, 2048), (3072, 3072), (4160, 2048), (4160, 3072)]
        );
        // A line across the edge is clipped the same way.
        let line = layer(
            "l",
            Crs::Epsg(3857),
            vec![line_string![(x: -H / 4.0, y: H / 2.0), (x: H / 4.0, y: H / 2.0)].into()],
            vec![],
        );
        let g = geometry(&decode(&at(&line, 1, 1, 0)).layers[0].features[0]);
        assert_eq!(
            g,
            Geometry::LineString(line_string![(x: -64.0, y: 2048.0), (x: 1024.0, y: 2048.0)])
        );
    }

    #[test]
    fn properties_ids_and_names_decode() {
        let squares = vec![
            merc_square(1000.0, 1000.0, 2000.0, 2000.0),
            merc_square(3000.0, 1000.0, 4000.0, 2000.0),
        ];
        let mut l = layer(
            "kelurahan",
            Crs::Epsg(3857),
            squares,
            vec![
                Column::from_values(
                    "kode",
                    vec![Value::Text("A1".into()), Value::Text("B2".into())],
                ),
                Column::from_values("population", vec![Value::Int(1200), Value::Int(-3)]),
                Column::from_values("share", vec![Value::Float(0.25), Value::Null]),
                Column::from_values("coastal", vec![Value::Bool(true), Value::Bool(false)]),
            ],
        );
        l.set_id_field("kode").expect("id field");
        let t = TileId::new(12, 2048, 2047).expect("tile"); // just north-east of (0, 0)
        let tile = decode(&layer_tile(&l, &SpatialIndex::of(&l), &Crs::WGS84, t).expect("tile"));
        let layer = &tile.layers[0];
        assert_eq!(layer.name, "kelurahan");
        assert_eq!(layer.features.len(), 2);
        let props = |f: &tile::Feature| -> Vec<(String, TileValue)> {
            f.tags
                .chunks(2)
                .map(|kv| {
                    let v = layer.values[kv[1] as usize].clone();
                    (
                        layer.keys[kv[0] as usize].clone(),
                        TileValue::try_from(v).expect("value"),
                    )
                })
                .collect()
        };
        let s = |v: &str| TileValue::Str(v.to_string());
        assert_eq!(layer.features[0].id, Some(0));
        assert_eq!(
            props(&layer.features[0]),
            vec![
                ("id".into(), s("A1")),
                ("kode".into(), s("A1")),
                ("population".into(), TileValue::Int(1200)),
                ("share".into(), TileValue::Double(0.25)),
                ("coastal".into(), TileValue::Bool(true)),
            ]
        );
        // The null share is left out.
        assert_eq!(layer.features[1].id, Some(1));
        assert_eq!(
            props(&layer.features[1]),
            vec![
                ("id".into(), s("B2")),
                ("kode".into(), s("B2")),
                ("population".into(), TileValue::Int(-3)),
                ("coastal".into(), TileValue::Bool(false)),
            ]
        );
    }

    #[test]
    fn small_polygons_are_dropped_below_max_zoom_only() {
        // 4 × 4 tile units of tile 1/1/0 (16 units², a quarter of a 8 × 8 screen pixel).
        let unit = H / 4096.0;
        let tiny = merc_square(
            100.0 * unit,
            H - 104.0 * unit,
            104.0 * unit,
            H - 100.0 * unit,
        );
        let l = layer("t", Crs::Epsg(3857), vec![tiny], vec![]);
        let index = SpatialIndex::of(&l);
        let t = TileId::new(1, 1, 0).expect("tile");
        let spec = |max_zoom| TileSpec {
            layer: "t",
            crs: &Crs::Epsg(3857),
            bounds: mercator_bounds(&l, &Crs::Epsg(3857)).expect("bounds"),
            max_zoom,
        };
        assert!(tile(&spec(14), &l, &index, t).expect("tile").is_empty());
        let kept = decode(&tile(&spec(1), &l, &index, t).expect("tile"));
        assert_eq!(
            corners(&geometry(&kept.layers[0].features[0])),
            vec![(100, 100), (100, 104), (104, 100), (104, 104)]
        );
    }

    #[test]
    fn lines_are_simplified_below_max_zoom_only() {
        // A line along row 2048 of tile 1/1/0 with 1-unit wiggles every 16 units: below the
        // max zoom the wiggles (under half a pixel) go; at it every vertex stays.
        let unit = H / 4096.0;
        let coords: Vec<Coord> = (0..=64)
            .map(|k| coord! { x: (1000.0 + 16.0 * k as f64) * unit, y: H / 2.0 + (k % 2) as f64 * unit })
            .collect();
        let l = layer(
            "l",
            Crs::Epsg(3857),
            vec![LineString::from(coords).into()],
            vec![],
        );
        let index = SpatialIndex::of(&l);
        let t = TileId::new(1, 1, 0).expect("tile");
        let vertices = |max_zoom| {
            let spec = TileSpec {
                layer: "l",
                crs: &Crs::Epsg(3857),
                bounds: mercator_bounds(&l, &Crs::Epsg(3857)).expect("bounds"),
                max_zoom,
            };
            match geometry(
                &decode(&tile(&spec, &l, &index, t).expect("tile")).layers[0].features[0],
            ) {
                Geometry::LineString(ls) => ls.0.len(),
                other => panic!("not a line: {other:?}"),
            }
        };
        assert_eq!(vertices(14), 2);
        assert_eq!(vertices(1), 65);
    }

    #[test]
    fn tiles_far_from_a_utm_layer_are_empty() {
        // A square in UTM 51N (near 124.8°E): a tile over the Atlantic never reaches the
        // index, so it is empty rather than a reprojection error on the far side of the zone.
        let utm = merc_square(700_000.0, 160_000.0, 701_000.0, 161_000.0);
        let l = layer("t", Crs::Epsg(32651), vec![utm], vec![]);
        assert!(at(&l, 10, 300, 400).is_empty());
        // The tile holding it (124.802°E 1.451°N at z8, where 1 km is ~26 pixels) has it.
        assert_eq!(decode(&at(&l, 8, 216, 126)).layers[0].features.len(), 1);
    }

    #[test]
    fn no_geometry_means_empty_tiles() {
        let l = Layer::new("t", Role::Table, None, vec![None, None], vec![]).expect("layer");
        assert!(at(&l, 0, 0, 0).is_empty());
        assert_eq!(mercator_bounds(&l, &Crs::WGS84).expect("bounds"), None);
    }

    #[test]
    fn holes_wind_the_other_way() {
        let outer = LineString::from(vec![
            (0.0, 0.0),
            (40_000.0, 0.0),
            (40_000.0, 40_000.0),
            (0.0, 40_000.0),
            (0.0, 0.0),
        ]);
        let hole = LineString::from(vec![
            (10_000.0, 10_000.0),
            (20_000.0, 10_000.0),
            (20_000.0, 20_000.0),
            (10_000.0, 20_000.0),
            (10_000.0, 10_000.0),
        ]);
        let l = layer(
            "t",
            Crs::Epsg(3857),
            vec![Polygon::new(outer, vec![hole]).into()],
            vec![],
        );
        let g = geometry(&decode(&at(&l, 10, 512, 511)).layers[0].features[0]);
        let Geometry::Polygon(p) = g else {
            panic!("a polygon with a hole expected");
        };
        assert_eq!(p.interiors().len(), 1);
        assert!(p.exterior().is_ccw() && p.interiors()[0].is_cw(), "{p:?}");
    }
}
