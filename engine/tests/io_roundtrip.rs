//! Write then read every writable format and compare ids, geometries, column types and
//! values (nulls and Indonesian names included).

use crate::io_common::{assert_geometries_close, kelurahan, reprojected};
use std::path::Path;
use tepat_engine::crs::Crs;
use tepat_engine::io::{read_vector, write_vector, ReadOptions};
use tepat_engine::layer::FieldType;
use tepat_engine::{Layer, Role};

fn read_back(path: &Path, opts: &ReadOptions) -> Layer {
    let mut l = read_vector(path, opts).expect("read back");
    l.set_id_field("kode").expect("kode");
    l
}

fn assert_same_columns(written: &Layer, read: &Layer) {
    assert_eq!(read.field_names(), written.field_names());
    for (a, b) in written.columns.iter().zip(&read.columns) {
        assert_eq!(a.field_type(), b.field_type(), "type of '{}'", a.name);
        for i in 0..written.len() {
            assert_eq!(a.get(i), b.get(i), "'{}' row {i}", a.name);
        }
    }
}

#[test]
fn geojson_round_trip_reprojects_to_wgs84() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kelurahan.geojson");
    let layer = kelurahan();
    write_vector(&layer, &path)?;
    // RFC 7946: lon/lat, no crs member; ids are the kode strings.
    let text = std::fs::read_to_string(&path)?;
    assert!(!text.contains("\"crs\""));
    assert!(text.contains("\"id\":\"0712000004\""), "{text}");
    assert!(text.contains("\"geometry\":null"));
    assert!(text.contains("Sário"));

    let back = read_vector(&path, &ReadOptions::new("kelurahan", Role::Zones))?;
    assert_eq!(back.crs, Some(Crs::WGS84));
    assert_eq!(back.ids, layer.ids);
    assert_same_columns(&layer, &back);
    // Degrees against the layer reprojected in memory: the same transform both ways.
    assert_geometries_close(&back.geometries, &reprojected(&layer, &Crs::WGS84), 1e-12);
    // And back in metres after the 32651 → 4326 → 32651 round trip.
    assert_geometries_close(
        &reprojected(&back, &Crs::Epsg(32651)),
        &layer.geometries,
        1e-6,
    );
    Ok(())
}

/// serde_json (without its `float_roundtrip` feature) may read a float one unit in the
/// last place off, so "exact" here means within 1e-9 degrees (0.1 mm).
#[test]
fn geojson_round_trip_in_wgs84() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("k.geojson");
    let mut layer = kelurahan();
    layer.geometries = reprojected(&layer, &Crs::WGS84);
    layer.crs = Some(Crs::WGS84);
    write_vector(&layer, &path)?;
    let back = read_vector(&path, &ReadOptions::new("k", Role::Zones))?;
    assert_geometries_close(&back.geometries, &layer.geometries, 1e-9);
    assert_eq!(back.ids, layer.ids);
    assert_same_columns(&layer, &back);
    Ok(())
}

#[test]
fn geojson_numeric_ids_stay_numbers() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("n.geojson");
    let mut layer = kelurahan();
    layer.id_field = None;
    layer.ids = (1..=layer.len()).map(|i| i.to_string()).collect();
    write_vector(&layer, &path)?;
    let text = std::fs::read_to_string(&path)?;
    assert!(text.contains("\"id\":4,"), "{text}");
    let back = read_vector(&path, &ReadOptions::new("n", Role::Zones))?;
    assert_eq!(back.ids, vec!["1", "2", "3", "4"]);
    Ok(())
}

#[test]
fn csv_round_trip_with_wkt() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kelurahan.csv");
    let layer = kelurahan();
    write_vector(&layer, &path)?;
    let text = std::fs::read_to_string(&path)?;
    let header = text.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        "kode,nama,penduduk,luas_ha,pesisir,catatan,geometry"
    );

    let mut opts = ReadOptions::new("kelurahan", Role::Zones);
    opts.wkt = Some("geometry".into());
    opts.crs = Some(Crs::Epsg(32651));
    let back = read_back(&path, &opts);
    assert_eq!(back.crs, Some(Crs::Epsg(32651)));
    assert_eq!(back.ids, layer.ids);
    assert_eq!(back.geometries, layer.geometries);
    assert_same_columns(&layer, &back);
    // "0712000004" keeps its leading zero, so the whole column stays text.
    assert_eq!(back.column("kode")?.field_type(), FieldType::Text);
    Ok(())
}

#[test]
fn csv_without_id_field_gets_an_id_column() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("t.csv");
    let mut layer = kelurahan();
    layer.id_field = None;
    layer.ids = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    write_vector(&layer, &path)?;
    let text = std::fs::read_to_string(&path)?;
    assert!(text.starts_with("id,kode,"), "{text}");
    let mut opts = ReadOptions::new("t", Role::Zones);
    opts.wkt = Some("geometry".into());
    let mut back = read_vector(&path, &opts)?;
    back.set_id_field("id")?;
    assert_eq!(back.ids, layer.ids);
    Ok(())
}

#[test]
fn csv_table_has_no_geometry_column() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("statistik.csv");
    let mut layer = kelurahan();
    layer.role = Role::Table;
    layer.geometries = vec![None; layer.len()];
    write_vector(&layer, &path)?;
    let back = read_back(&path, &ReadOptions::new("statistik", Role::Table));
    assert_eq!(back.field_names(), layer.field_names());
    assert_same_columns(&layer, &back);
    Ok(())
}

#[test]
fn flatgeobuf_round_trip() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kelurahan.fgb");
    let layer = kelurahan();
    write_vector(&layer, &path)?;
    let back = read_back(&path, &ReadOptions::new("kelurahan", Role::Zones));
    assert_eq!(back.crs, Some(Crs::Epsg(32651)));
    assert_eq!(back.ids, layer.ids);
    assert_eq!(back.geometries, layer.geometries);
    assert_same_columns(&layer, &back);
    Ok(())
}

#[cfg(feature = "gdal")]
#[test]
fn geopackage_round_trip() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kelurahan.gpkg");
    let layer = kelurahan();
    write_vector(&layer, &path)?;
    let back = read_back(&path, &ReadOptions::new("kelurahan", Role::Zones));
    assert_eq!(back.crs, Some(Crs::Epsg(32651)));
    assert_eq!(back.ids, layer.ids);
    assert_eq!(back.geometries, layer.geometries);
    assert_same_columns(&layer, &back);
    assert_eq!(back.column("pesisir")?.field_type(), FieldType::Bool);
    // Overwriting an existing file works (written to a temporary, then renamed).
    write_vector(&layer, &path)?;
    assert_eq!(
        read_vector(&path, &ReadOptions::new("k", Role::Zones))?.len(),
        4
    );
    Ok(())
}

#[cfg(feature = "gdal")]
#[test]
fn geopackage_of_points_in_wgs84() -> anyhow::Result<()> {
    use geo::point;
    use tepat_engine::Value;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("puskesmas.gpkg");
    let geoms = vec![
        Some(point!(x: 124.8421, y: 1.4748).into()),
        Some(point!(x: 124.8302, y: 1.4651).into()),
    ];
    let cols = vec![tepat_engine::Column::from_values(
        "nama",
        vec![
            Value::Text("Puskesmas Tikala Baru".into()),
            Value::Text("Puskesmas Sário".into()),
        ],
    )];
    let layer = Layer::new("puskesmas", Role::Facilities, Some(Crs::WGS84), geoms, cols)?;
    write_vector(&layer, &path)?;
    let back = read_vector(&path, &ReadOptions::new("puskesmas", Role::Facilities))?;
    assert_eq!(back.crs, Some(Crs::WGS84));
    // Longitude stays x (no axis swap through GDAL).
    assert_eq!(back.geometries, layer.geometries);
    assert_eq!(
        back.column("nama")?.get(1),
        Value::Text("Puskesmas Sário".into())
    );
    Ok(())
}

#[test]
fn empty_layers_round_trip() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let layer = Layer::new(
        "kosong",
        Role::Zones,
        Some(Crs::Epsg(32651)),
        vec![],
        vec![],
    )?;
    let mut exts = vec!["geojson", "csv", "fgb"];
    if cfg!(feature = "gdal") {
        exts.push("gpkg");
    }
    for ext in exts {
        let path = dir.path().join(format!("kosong.{ext}"));
        write_vector(&layer, &path)?;
        let mut opts = ReadOptions::new("kosong", Role::Zones);
        opts.wkt = Some("geometry".into());
        let back = read_vector(&path, &opts)?;
        assert!(back.is_empty(), "{ext}");
    }
    Ok(())
}
