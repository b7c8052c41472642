//! Between a project's working CRS (metres) and WGS 84 longitude/latitude, which the web
//! speaks: GeoJSON is EPSG:4326 (RFC 7946) and map clients send bounding boxes in lon/lat.

use geo::{coord, Geometry, MapCoordsInPlace, Rect};
use tepat_engine::crs::Transformer;
use tepat_engine::{Error, Result};

/// Points sampled along each edge when transforming a rectangle: a lon/lat box is curved
/// in UTM (and the other way round), so its four corners alone can miss a bulging edge.
const EDGE_SAMPLES: usize = 8;

/// Decimal places kept in lon/lat output: 1e-7° is about 1 cm, far below the data's
/// accuracy, and it keeps GeoJSON responses small.
const DECIMALS: f64 = 1e7;

/// The envelope of rectangle `r` after transforming it with `t`.
pub fn rect(t: &Transformer, r: Rect) -> Result<Rect> {
    let (min, max) = (r.min(), r.max());
    let (mut lo, mut hi) = (
        (f64::INFINITY, f64::INFINITY),
        (f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for i in 0..=EDGE_SAMPLES {
        let f = i as f64 / EDGE_SAMPLES as f64;
        let (x, y) = (min.x + f * (max.x - min.x), min.y + f * (max.y - min.y));
        for (px, py) in [(x, min.y), (x, max.y), (min.x, y), (max.x, y)] {
            let (tx, ty) = t.point(px, py)?;
            if !(tx.is_finite() && ty.is_finite()) {
                return Err(Error::Crs {
                    context: format!("coordinate ({px}, {py})"),
                    message: "is outside the area the CRS can represent".into(),
                });
            }
            lo = (lo.0.min(tx), lo.1.min(ty));
            hi = (hi.0.max(tx), hi.1.max(ty));
        }
    }
    Ok(Rect::new(
        coord! { x: lo.0, y: lo.1 },
        coord! { x: hi.0, y: hi.1 },
    ))
}

/// `[minx, miny, maxx, maxy]` of a rectangle, the GeoJSON `bbox` order.
pub fn bbox_array(r: Rect) -> [f64; 4] {
    [r.min().x, r.min().y, r.max().x, r.max().y].map(round)
}

/// A geometry transformed by `t` (a transformer to EPSG:4326), rounded to ~1 cm.
pub fn lon_lat(t: &Transformer, g: &Geometry) -> Result<Geometry> {
    let mut g = g.clone();
    t.geometry(&mut g)?;
    g.map_coords_in_place(|c| coord! { x: round(c.x), y: round(c.y) });
    Ok(g)
}

/// A geometry transformed to lon/lat by `t` (a transformer to EPSG:4326), as GeoJSON.
pub fn geometry(t: &Transformer, g: &Geometry) -> Result<geojson::Geometry> {
    Ok(geojson::Geometry::new(geojson::GeometryValue::from(
        &lon_lat(t, g)?,
    )))
}

fn round(v: f64) -> f64 {
    (v * DECIMALS).round() / DECIMALS
}

#[cfg(test)]
mod tests {
    use super::*;
    use tepat_engine::crs::Crs;

    #[test]
    fn rect_round_trip_contains_the_original() -> Result<()> {
        let lonlat = Rect::new(coord! { x: 124.80, y: 1.40 }, coord! { x: 124.95, y: 1.55 });
        let to_utm = Transformer::new(&Crs::WGS84, &Crs::Epsg(32651))?;
        let utm = rect(&to_utm, lonlat)?;
        assert!(utm.width() > 16_000.0 && utm.width() < 17_500.0, "{utm:?}");
        let back = rect(&Transformer::new(&Crs::Epsg(32651), &Crs::WGS84)?, utm)?;
        assert!(
            back.min().x <= 124.80 + 1e-9 && back.max().y >= 1.55 - 1e-9,
            "{back:?}"
        );
        Ok(())
    }

    #[test]
    fn geometry_is_rounded_lon_lat() -> Result<()> {
        let t = Transformer::new(&Crs::Epsg(32651), &Crs::WGS84)?;
        let g = geometry(
            &t,
            &Geometry::Point(geo::point!(x: 700_000.0, y: 160_000.0)),
        )?;
        let geojson::GeometryValue::Point { coordinates } = &g.value else {
            panic!("not a point: {g:?}");
        };
        assert!((124.0..126.0).contains(&coordinates[0]), "{coordinates:?}");
        assert_eq!(coordinates[0], round(coordinates[0]));
        Ok(())
    }
}
