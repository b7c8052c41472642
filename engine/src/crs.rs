//! Coordinate reference systems and reprojection.
//!
//! Every layer is reprojected on load into the project's working CRS (metric, e.g. a UTM
//! zone), so all distances and areas in the engine are in metres. EPSG codes known to the
//! pure-Rust `proj4rs` (WGS 84, the UTM zones, Web Mercator, DGN95 and most others) are
//! transformed in-process; with the `gdal` feature, anything GDAL/PROJ knows (WKT from a
//! `.prj`, any EPSG code) falls back to OSR.

use crate::error::{Error, Result};
use geo::{coord, Geometry, MapCoordsInPlace, Rect};
use serde::{Serialize, Serializer};
use std::fmt;

/// A coordinate reference system: an EPSG code or, when none is known, its WKT/PROJ text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Crs {
    /// `EPSG:<code>`.
    Epsg(u32),
    /// A WKT or PROJ definition that could not be reduced to an EPSG code.
    Definition(String),
}

impl Crs {
    /// WGS 84 longitude/latitude (GeoJSON's CRS).
    pub const WGS84: Crs = Crs::Epsg(4326);

    /// Parses `EPSG:32651`, `epsg:4326`, `OGC:CRS84`, a bare code, a URN, WKT or a PROJ string.
    pub fn parse(s: &str) -> Result<Crs> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if lower.is_empty() {
            return Err(Error::Crs {
                context: "crs".into(),
                message: "empty CRS".into(),
            });
        }
        if lower.ends_with("crs84") || lower.ends_with("crs:84") {
            return Ok(Crs::WGS84);
        }
        let code_part = lower
            .strip_prefix("epsg:")
            .or_else(|| lower.rsplit_once("epsg::").map(|(_, c)| c))
            .or_else(|| lower.rsplit_once("/epsg/0/").map(|(_, c)| c))
            .unwrap_or(&lower);
        if let Ok(code) = code_part.parse::<u32>() {
            return Ok(Crs::Epsg(code));
        }
        if t.starts_with('+') || t.contains('[') {
            return Ok(Crs::from_definition(t));
        }
        Err(Error::Crs {
            context: "crs".into(),
            message: format!("cannot understand CRS '{t}' (expected e.g. EPSG:32651)"),
        })
    }

    /// A CRS from WKT (e.g. a `.prj`) or a PROJ string, reduced to an EPSG code when the
    /// text names one (`AUTHORITY["EPSG","32651"]`, `ID["EPSG",4326]`, ESRI UTM names).
    pub fn from_definition(text: &str) -> Crs {
        if let Some(code) = epsg_in_wkt(text) {
            return Crs::Epsg(code);
        }
        #[cfg(feature = "gdal")]
        if let Some(code) = gdal_identify(text) {
            return Crs::Epsg(code);
        }
        Crs::Definition(text.to_string())
    }

    /// The EPSG code, if known.
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Epsg(c) => Some(*c),
            Crs::Definition(_) => None,
        }
    }

    /// True for longitude/latitude CRSs (distances would be in degrees).
    pub fn is_geographic(&self) -> bool {
        match proj_for(self) {
            Ok(p) => p.is_latlong(),
            Err(_) => {
                matches!(self, Crs::Definition(d) if d.starts_with("GEOGCS") || d.starts_with("GEOGCRS"))
            }
        }
    }

    /// The WGS 84 UTM zone (EPSG:326xx north, 327xx south) containing lon/lat.
    pub fn utm_for(lon: f64, lat: f64) -> Crs {
        let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
        Crs::Epsg(if lat >= 0.0 {
            32600 + zone
        } else {
            32700 + zone
        })
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Epsg(c) => write!(f, "EPSG:{c}"),
            Crs::Definition(d) => f.write_str(d),
        }
    }
}

impl Serialize for Crs {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The last top-level `AUTHORITY["EPSG","…"]` / `ID["EPSG",…]` in a WKT names the CRS itself
/// (inner ones name its datum, ellipsoid and units); ESRI `.prj` files carry no authority
/// but name WGS 84 UTM zones and GCS_WGS_1984, which we recognise by name.
fn epsg_in_wkt(text: &str) -> Option<u32> {
    let up = text.to_ascii_uppercase();
    let mut depth = 0i32;
    let mut last_top: Option<u32> = None;
    let bytes = up.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            _ => {}
        }
        if depth == 1 {
            let rest = &up[i..];
            for key in ["AUTHORITY[\"EPSG\",", "ID[\"EPSG\","] {
                if let Some(r) = rest.strip_prefix(&format!(",{key}")) {
                    let digits: String = r
                        .trim_start_matches('"')
                        .chars()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    if let Ok(c) = digits.parse() {
                        last_top = Some(c);
                    }
                }
            }
        }
        i += 1;
    }
    if last_top.is_some() {
        return last_top;
    }
    let name: String = up
        .split('"')
        .nth(1)
        .unwrap_or_default()
        .replace([' ', '/'], "_");
    if let Some(z) = name
        .strip_prefix("WGS_1984_UTM_ZONE_")
        .or_else(|| name.strip_prefix("WGS_84_UTM_ZONE_"))
        .or_else(|| name.strip_prefix("WGS_84___UTM_ZONE_"))
    {
        let digits: String = z.chars().take_while(|c| c.is_ascii_digit()).collect();
        let zone: u32 = digits.parse().ok()?;
        let hemi = z[digits.len()..].trim_start_matches('_');
        return match hemi {
            "N" => Some(32600 + zone),
            "S" => Some(32700 + zone),
            _ => None,
        };
    }
    if (up.starts_with("GEOGCS") || up.starts_with("GEOGCRS"))
        && (name == "GCS_WGS_1984" || name == "WGS_84" || name == "WGS84")
    {
        return Some(4326);
    }
    None
}

#[cfg(feature = "gdal")]
fn gdal_identify(text: &str) -> Option<u32> {
    let mut sr = gdal::spatial_ref::SpatialRef::from_definition(text).ok()?;
    sr.auto_identify_epsg().ok()?;
    sr.auth_code().ok().and_then(|c| u32::try_from(c).ok())
}

fn proj_for(crs: &Crs) -> Result<proj4rs::Proj> {
    let err = |m: String| Error::Crs {
        context: crs.to_string(),
        message: m,
    };
    match crs {
        Crs::Epsg(code) => {
            let c = u16::try_from(*code).map_err(|_| err(format!("EPSG:{code} is not known")))?;
            proj4rs::Proj::from_epsg_code(c).map_err(|e| err(format!("EPSG:{code}: {e}")))
        }
        Crs::Definition(d) if d.trim_start().starts_with('+') => {
            proj4rs::Proj::from_proj_string(d).map_err(|e| err(e.to_string()))
        }
        Crs::Definition(_) => Err(err("WKT definitions need GDAL to transform".into())),
    }
}

/// Transforms coordinates from one CRS to another.
pub struct Transformer {
    inner: Inner,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.inner {
            Inner::Identity => "Transformer(identity)",
            Inner::Proj { .. } => "Transformer(proj4rs)",
            #[cfg(feature = "gdal")]
            Inner::Gdal(_) => "Transformer(gdal)",
        })
    }
}

struct ProjPair {
    src: proj4rs::Proj,
    dst: proj4rs::Proj,
    src_deg: bool,
    dst_deg: bool,
}

impl ProjPair {
    fn point(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        let mut p = if self.src_deg {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(&self.src, &self.dst, &mut p).map_err(|e| Error::Crs {
            context: format!("coordinate ({x}, {y})"),
            message: e.to_string(),
        })?;
        Ok(if self.dst_deg {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        })
    }
}

/// Applies a point transform to every coordinate of a geometry; the first failure wins.
fn map_geometry(g: &mut Geometry, f: impl Fn(f64, f64) -> Result<(f64, f64)> + Copy) -> Result<()> {
    let failure = std::cell::RefCell::new(None);
    let failure_ref = &failure;
    g.map_coords_in_place(move |c| match f(c.x, c.y) {
        Ok((x, y)) if x.is_finite() && y.is_finite() => geo::coord! { x: x, y: y },
        Ok(_) => {
            failure_ref.borrow_mut().get_or_insert_with(|| Error::Crs {
                context: format!("coordinate ({}, {})", c.x, c.y),
                message: "is outside the area the CRS can represent".into(),
            });
            c
        }
        Err(e) => {
            failure_ref.borrow_mut().get_or_insert(e);
            c
        }
    });
    failure.into_inner().map_or(Ok(()), Err)
}

enum Inner {
    Identity,
    Proj(Box<ProjPair>),
    #[cfg(feature = "gdal")]
    Gdal(gdal::spatial_ref::CoordTransform),
}

/// The proj4rs pair is plain data (Sync), so geometries can be transformed in parallel;
/// a GDAL transform is not, so it runs on one thread.
impl Transformer {
    /// Transforms many geometries in place, returning the index and error of the first failure.
    pub fn geometries(
        &self,
        geoms: &mut [Option<Geometry>],
    ) -> std::result::Result<(), (usize, Error)> {
        use rayon::prelude::*;
        match &self.inner {
            Inner::Identity => Ok(()),
            Inner::Proj(pair) => {
                let pair: &ProjPair = pair;
                let failures: Vec<(usize, Error)> = geoms
                    .par_iter_mut()
                    .enumerate()
                    .filter_map(|(i, g)| {
                        g.as_mut().and_then(|g| {
                            map_geometry(g, |x, y| pair.point(x, y))
                                .err()
                                .map(|e| (i, e))
                        })
                    })
                    .collect();
                failures.into_iter().next().map_or(Ok(()), Err)
            }
            #[cfg(feature = "gdal")]
            Inner::Gdal(_) => {
                for (i, g) in geoms.iter_mut().enumerate() {
                    if let Some(g) = g {
                        self.geometry(g).map_err(|e| (i, e))?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl Transformer {
    /// A transformer from `src` to `dst`.
    pub fn new(src: &Crs, dst: &Crs) -> Result<Transformer> {
        if src == dst {
            return Ok(Transformer {
                inner: Inner::Identity,
            });
        }
        match (proj_for(src), proj_for(dst)) {
            (Ok(s), Ok(d)) => {
                let (src_deg, dst_deg) = (s.is_latlong(), d.is_latlong());
                Ok(Transformer {
                    inner: Inner::Proj(Box::new(ProjPair {
                        src: s,
                        dst: d,
                        src_deg,
                        dst_deg,
                    })),
                })
            }
            #[cfg(feature = "gdal")]
            _ => gdal_transformer(src, dst),
            #[cfg(not(feature = "gdal"))]
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    /// True when no transformation is needed.
    pub fn is_identity(&self) -> bool {
        matches!(self.inner, Inner::Identity)
    }

    /// Transforms one coordinate (degrees for geographic CRSs).
    pub fn point(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        match &self.inner {
            Inner::Identity => Ok((x, y)),
            Inner::Proj(pair) => pair.point(x, y),
            #[cfg(feature = "gdal")]
            Inner::Gdal(t) => {
                let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
                t.transform_coords(&mut xs, &mut ys, &mut zs)
                    .map_err(|e| Error::Crs {
                        context: format!("coordinate ({x}, {y})"),
                        message: e.to_string(),
                    })?;
                Ok((xs[0], ys[0]))
            }
        }
    }

    /// Transforms a geometry in place; the first failing coordinate is the error.
    pub fn geometry(&self, g: &mut Geometry) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        map_geometry(g, |x, y| self.point(x, y))
    }
}

#[cfg(feature = "gdal")]
fn gdal_transformer(src: &Crs, dst: &Crs) -> Result<Transformer> {
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
    let sr = |c: &Crs| -> Result<SpatialRef> {
        let r = match c {
            Crs::Epsg(code) => SpatialRef::from_epsg(*code),
            Crs::Definition(d) => SpatialRef::from_definition(d),
        };
        let mut r = r.map_err(|e| Error::Crs {
            context: c.to_string(),
            message: e.to_string(),
        })?;
        // Always x = easting/longitude, whatever the authority's axis order.
        r.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        Ok(r)
    };
    let t = CoordTransform::new(&sr(src)?, &sr(dst)?).map_err(|e| Error::Crs {
        context: format!("{src} → {dst}"),
        message: e.to_string(),
    })?;
    Ok(Transformer {
        inner: Inner::Gdal(t),
    })
}

/// Points sampled along each edge when transforming a rectangle: a lon/lat box is curved
/// in UTM (and the other way round), so its four corners alone can miss a bulging edge.
const EDGE_SAMPLES: usize = 8;

/// Decimal places kept in lon/lat output: 1e-7° is about 1 cm, far below the data's
/// accuracy, and it keeps GeoJSON responses small.
const LON_LAT_DECIMALS: f64 = 1e7;

impl Transformer {
    /// The envelope of rectangle `r` after transforming it: the box of points sampled along
    /// its edges, so a bulging edge is inside.
    pub fn envelope(&self, r: Rect) -> Result<Rect> {
        if self.is_identity() {
            return Ok(r);
        }
        let (min, max) = (r.min(), r.max());
        let (mut lo, mut hi) = (
            coord! { x: f64::INFINITY, y: f64::INFINITY },
            coord! { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY },
        );
        for i in 0..=EDGE_SAMPLES {
            let f = i as f64 / EDGE_SAMPLES as f64;
            let (x, y) = (min.x + f * (max.x - min.x), min.y + f * (max.y - min.y));
            for (px, py) in [(x, min.y), (x, max.y), (min.x, y), (max.x, y)] {
                let (tx, ty) = self.point(px, py)?;
                if !(tx.is_finite() && ty.is_finite()) {
                    return Err(Error::Crs {
                        context: format!("coordinate ({px}, {py})"),
                        message: "is outside the area the CRS can represent".into(),
                    });
                }
                lo = coord! { x: lo.x.min(tx), y: lo.y.min(ty) };
                hi = coord! { x: hi.x.max(tx), y: hi.y.max(ty) };
            }
        }
        Ok(Rect::new(lo, hi))
    }

    /// A geometry transformed (to EPSG:4326, for the web) and rounded to ~1 cm.
    pub fn lon_lat(&self, g: &Geometry) -> Result<Geometry> {
        let mut g = g.clone();
        self.geometry(&mut g)?;
        g.map_coords_in_place(|c| coord! { x: round_lon_lat(c.x), y: round_lon_lat(c.y) });
        Ok(g)
    }

    /// [`Transformer::lon_lat`] as a GeoJSON geometry.
    pub fn geojson(&self, g: &Geometry) -> Result<geojson::Geometry> {
        Ok(geojson::Geometry::new(geojson::GeometryValue::from(
            &self.lon_lat(g)?,
        )))
    }
}

/// `[minx, miny, maxx, maxy]` of a lon/lat rectangle, the GeoJSON `bbox` order, rounded to
/// ~1 cm.
pub fn bbox_array(r: Rect) -> [f64; 4] {
    [r.min().x, r.min().y, r.max().x, r.max().y].map(round_lon_lat)
}

fn round_lon_lat(v: f64) -> f64 {
    (v * LON_LAT_DECIMALS).round() / LON_LAT_DECIMALS
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from pyproj 3 (PROJ 9), always_xy=True.
    fn close(a: (f64, f64), b: (f64, f64), tol: f64) {
        assert!(
            (a.0 - b.0).abs() < tol && (a.1 - b.1).abs() < tol,
            "{a:?} vs {b:?}"
        );
    }

    #[test]
    fn utm_and_mercator_match_pyproj() {
        let cases = [
            (
                32651,
                (124.84, 1.49),
                (704712.5455690805, 164775.6359306975),
            ),
            (
                32751,
                (124.84, 1.49),
                (704712.5455690805, 10164775.635930698),
            ),
            (32647, (124.84, 1.49), (3477694.330087256, 183121.135218368)),
            (
                32751,
                (106.8, -6.2),
                (-1316124.6952193244, 9286383.824652221),
            ),
            (
                3857,
                (124.84, 1.49),
                (13897125.230632272, 165884.7397891653),
            ),
            (
                3857,
                (106.8, -6.2),
                (11888921.616721617, -691531.7440853078),
            ),
        ];
        for (code, from, to) in cases {
            let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(code)).expect("transformer");
            close(t.point(from.0, from.1).expect("point"), to, 0.01);
            let back = Transformer::new(&Crs::Epsg(code), &Crs::WGS84).expect("inverse");
            let (x, y) = t.point(from.0, from.1).expect("point");
            close(back.point(x, y).expect("back"), from, 1e-8);
        }
    }

    #[test]
    fn every_indonesian_utm_zone_round_trips() {
        for code in (32647..=32654).chain(32747..=32754) {
            let zone = code % 100;
            let lon = -180.0 + 6.0 * zone as f64 - 3.0 + 1.0;
            let lat = if code < 32700 { 3.0 } else { -7.0 };
            let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(code)).expect("t");
            let (x, y) = t.point(lon, lat).expect("fwd");
            assert!((x - 611_000.0).abs() < 1_500.0, "EPSG:{code} x={x}");
            let b = Transformer::new(&Crs::Epsg(code), &Crs::WGS84).expect("b");
            close(b.point(x, y).expect("inv"), (lon, lat), 1e-8);
        }
    }

    #[test]
    fn parse_forms() {
        assert_eq!(Crs::parse("EPSG:32651").expect("p"), Crs::Epsg(32651));
        assert_eq!(Crs::parse("epsg:4326").expect("p"), Crs::WGS84);
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84").expect("p"),
            Crs::WGS84
        );
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::32751").expect("p"),
            Crs::Epsg(32751)
        );
        assert!(Crs::parse("metres please").is_err());
        assert!(Crs::WGS84.is_geographic());
        assert!(!Crs::Epsg(32651).is_geographic());
        assert_eq!(Crs::utm_for(124.84, 1.49), Crs::Epsg(32651));
        assert_eq!(Crs::utm_for(106.8, -6.2), Crs::Epsg(32748));
    }

    #[test]
    fn prj_wkt_is_identified() {
        let esri = r#"PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_definition(esri), Crs::Epsg(32651));
        let ogc = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]"#;
        assert_eq!(Crs::from_definition(ogc), Crs::WGS84);
        let esri_geo = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(Crs::from_definition(esri_geo), Crs::WGS84);
    }

    /// A CRS that only GDAL/PROJ can handle: a WKT with no EPSG authority and no name we
    /// recognise (a UTM 51N clone called "Kota custom TM").
    #[cfg(feature = "gdal")]
    #[test]
    fn wkt_without_epsg_goes_through_gdal() {
        let wkt = r#"PROJCS["Kota custom TM",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",123],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#;
        let crs = Crs::from_definition(wkt);
        let t = Transformer::new(&Crs::WGS84, &crs).expect("gdal transformer");
        close(
            t.point(124.84, 1.49).expect("point"),
            (704712.5455690805, 164775.6359306975),
            0.01,
        );
        // The Indonesian national grid DGN95 / Indonesia TM-3 zone 50.2 (EPSG:23835), vs pyproj.
        let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(23835)).expect("EPSG:23835");
        close(
            t.point(124.84, 1.49).expect("point"),
            (1927777.4758845698, 1670865.9971207017),
            0.01,
        );
    }

    #[test]
    fn unknown_code_is_a_clear_error() {
        let e = Transformer::new(&Crs::WGS84, &Crs::Epsg(999_999)).expect_err("unknown");
        assert!(e.to_string().contains("999999"), "{e}");
    }

    #[test]
    fn envelope_round_trip_contains_the_original() -> Result<()> {
        let lonlat = Rect::new(coord! { x: 124.80, y: 1.40 }, coord! { x: 124.95, y: 1.55 });
        let utm = Transformer::new(&Crs::WGS84, &Crs::Epsg(32651))?.envelope(lonlat)?;
        assert!(utm.width() > 16_000.0 && utm.width() < 17_500.0, "{utm:?}");
        let back = Transformer::new(&Crs::Epsg(32651), &Crs::WGS84)?.envelope(utm)?;
        assert!(
            back.min().x <= 124.80 + 1e-9 && back.max().y >= 1.55 - 1e-9,
            "{back:?}"
        );
        Ok(())
    }

    #[test]
    fn geojson_is_rounded_lon_lat() -> Result<()> {
        let t = Transformer::new(&Crs::Epsg(32651), &Crs::WGS84)?;
        let g = t.geojson(&Geometry::Point(geo::point!(x: 700_000.0, y: 160_000.0)))?;
        let geojson::GeometryValue::Point { coordinates } = &g.value else {
            panic!("not a point: {g:?}");
        };
        assert!((124.0..126.0).contains(&coordinates[0]), "{coordinates:?}");
        assert_eq!(coordinates[0], round_lon_lat(coordinates[0]));
        Ok(())
    }
}
