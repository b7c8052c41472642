//! Shared sample data for the `io_*` integration tests: a small Manado zones layer with
//! holed and multi-part polygons, a null geometry, nulls in every column type and
//! Indonesian names.

#![allow(dead_code)]

use geo::{coord, Geometry, LineString, MultiPolygon, Polygon};
use tepat_engine::crs::{Crs, Transformer};
use tepat_engine::{Column, Layer, Role, Value};

pub const X0: f64 = 700_000.0;
pub const Y0: f64 = 160_000.0;

pub fn square(x: f64, y: f64, size: f64) -> LineString {
    LineString::from(vec![
        (x, y),
        (x + size, y),
        (x + size, y + size),
        (x, y + size),
        (x, y),
    ])
}

/// Four kelurahan in EPSG:32651 with id field `kode`.
pub fn kelurahan() -> Layer {
    let mut hole = square(X0 + 400.0, Y0 + 400.0, 200.0);
    hole.0.reverse();
    let geoms: Vec<Option<Geometry>> = vec![
        Some(Polygon::new(square(X0, Y0, 1000.0), vec![hole]).into()),
        Some(
            MultiPolygon(vec![
                Polygon::new(square(X0 + 1000.0, Y0, 500.0), vec![]),
                Polygon::new(square(X0 + 2000.0, Y0, 300.5), vec![]),
            ])
            .into(),
        ),
        None,
        Some(Polygon::new(square(X0 + 0.125, Y0 + 1000.0, 800.0), vec![]).into()),
    ];
    let text = |v: &[Option<&str>]| -> Vec<Value> {
        v.iter()
            .map(|s| s.map_or(Value::Null, |s| Value::Text(s.to_string())))
            .collect()
    };
    let columns = vec![
        Column::from_values(
            "kode",
            text(&[
                Some("7171010001"),
                Some("7171010002"),
                Some("0712000004"),
                Some("7171010005"),
            ]),
        ),
        Column::from_values(
            "nama",
            text(&[
                Some("Kelurahan Tikala Ares"),
                Some("Sário"),
                Some("Ranotana Weru"),
                Some("Titiwungen \"Selatan\", Wenang"),
            ]),
        ),
        Column::from_values(
            "penduduk",
            vec![
                Value::Int(5231),
                Value::Null,
                Value::Int(870),
                Value::Int(-1),
            ],
        ),
        Column::from_values(
            "luas_ha",
            vec![
                Value::Float(96.0),
                Value::Float(34.25),
                Value::Null,
                Value::Float(1e-7),
            ],
        ),
        Column::from_values(
            "pesisir",
            vec![
                Value::Bool(false),
                Value::Bool(true),
                Value::Null,
                Value::Bool(true),
            ],
        ),
        Column::from_values("catatan", vec![Value::Null; 4]),
    ];
    let mut l = Layer::new(
        "kelurahan",
        Role::Zones,
        Some(Crs::Epsg(32651)),
        geoms,
        columns,
    )
    .expect("sample layer");
    l.set_id_field("kode").expect("id field");
    l
}

/// Asserts two geometry lists are equal within `tol` in every coordinate.
pub fn assert_geometries_close(a: &[Option<Geometry>], b: &[Option<Geometry>], tol: f64) {
    use geo::CoordsIter;
    assert_eq!(a.len(), b.len(), "feature count");
    for (i, (ga, gb)) in a.iter().zip(b).enumerate() {
        match (ga, gb) {
            (None, None) => {}
            (Some(ga), Some(gb)) => {
                assert_eq!(
                    std::mem::discriminant(ga),
                    std::mem::discriminant(gb),
                    "feature {i}: {ga:?} vs {gb:?}"
                );
                let ca: Vec<_> = ga.coords_iter().collect();
                let cb: Vec<_> = gb.coords_iter().collect();
                assert_eq!(ca.len(), cb.len(), "feature {i} coordinate count");
                for (p, q) in ca.iter().zip(&cb) {
                    assert!(
                        (p.x - q.x).abs() <= tol && (p.y - q.y).abs() <= tol,
                        "feature {i}: {p:?} vs {q:?} (tol {tol})"
                    );
                }
            }
            _ => panic!("feature {i}: {ga:?} vs {gb:?}"),
        }
    }
}

/// A copy of the layer's geometries in `to`.
pub fn reprojected(layer: &Layer, to: &Crs) -> Vec<Option<Geometry>> {
    let from = layer.crs.clone().expect("layer has a CRS");
    let t = Transformer::new(&from, to).expect("transformer");
    let mut g = layer.geometries.clone();
    t.geometries(&mut g).map_err(|(_, e)| e).expect("reproject");
    g
}

pub fn c(x: f64, y: f64) -> geo::Coord {
    coord! { x: x, y: y }
}
