//! Reading files made by other tools (GeoPandas, pyogrio/GDAL, rasterio; see
//! tests/data/io/make_fixtures.py): GeoParquet, Shapefile (plain and zipped), GeoPackage
//! layers and a GeoTIFF, plus GeoJSON inputs the spec allows.

use crate::io_common;

use geo::Geometry;
use std::path::{Path, PathBuf};
use tepat_engine::crs::Crs;
use tepat_engine::io::{read_vector, ReadOptions};
use tepat_engine::layer::FieldType;
use tepat_engine::{Layer, Role, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/io")
        .join(name)
}

/// The kelurahan fixture as every format holds it (penduduk null only where the format
/// has nulls).
fn check_kelurahan(l: &Layer, penduduk_null: bool) {
    assert_eq!(l.len(), 4);
    let kode = l.column("kode").expect("kode");
    assert_eq!(kode.field_type(), FieldType::Text);
    assert_eq!(kode.get(3), Value::Text("0712000004".into()));
    let nama = l.column("nama").expect("nama");
    assert_eq!(nama.get(0), Value::Text("Kelurahan Tikala Ares".into()));
    assert_eq!(nama.get(1), Value::Text("Sário".into()));
    assert_eq!(nama.get(2), Value::Text("Ranotana Weru".into()));
    let penduduk = l.column("penduduk").expect("penduduk");
    assert_eq!(penduduk.field_type(), FieldType::Int);
    assert_eq!(penduduk.get(0), Value::Int(5231));
    assert_eq!(penduduk.get(2) == Value::Null, penduduk_null);
    let luas = l.column("luas_ha").expect("luas_ha");
    assert_eq!(luas.field_type(), FieldType::Float);
    assert_eq!(luas.get(3), Value::Float(12.5));
    // Holed polygon (possibly promoted to a one-part multipolygon), two-part multipolygon,
    // null geometry.
    let holes = match &l.geometries[0] {
        Some(Geometry::Polygon(p)) => p.interiors().len(),
        Some(Geometry::MultiPolygon(m)) => m.0[0].interiors().len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(holes, 1);
    assert!(matches!(&l.geometries[1], Some(Geometry::MultiPolygon(m)) if m.0.len() == 2));
    assert!(l.geometries[3].is_none());
}

#[test]
fn geoparquet_from_geopandas() -> anyhow::Result<()> {
    let l = read_vector(
        &fixture("kelurahan.parquet"),
        &ReadOptions::new("k", Role::Zones),
    )?;
    assert_eq!(l.crs, Some(Crs::Epsg(32651)));
    check_kelurahan(&l, true);
    assert_eq!(l.column("pesisir")?.field_type(), FieldType::Bool);
    assert_eq!(l.column("pesisir")?.get(1), Value::Bool(true));
    assert_eq!(
        l.field_names(),
        vec!["kode", "nama", "penduduk", "luas_ha", "pesisir"]
    );
    match &l.geometries[0] {
        Some(Geometry::Polygon(p)) => {
            assert_eq!(p.exterior().0[0], io_common::c(700_000.0, 160_000.0));
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[test]
fn geoparquet_without_crs_is_crs84() -> anyhow::Result<()> {
    let l = read_vector(
        &fixture("kelurahan_nocrs.parquet"),
        &ReadOptions::new("k", Role::Zones),
    )?;
    assert_eq!(l.crs, Some(Crs::WGS84));
    check_kelurahan(&l, true);
    let bbox = l.bbox().expect("bbox");
    assert!((bbox.min().x - 124.7976).abs() < 1e-3 && (bbox.min().y - 1.4468).abs() < 1e-3);
    Ok(())
}

#[cfg(feature = "gdal")]
mod gdal_formats {
    use super::*;
    use std::io::Write;
    use tepat_engine::Error;

    #[test]
    fn shapefile_from_pyogrio() -> anyhow::Result<()> {
        let l = read_vector(
            &fixture("kelurahan.shp"),
            &ReadOptions::new("k", Role::Zones),
        )?;
        assert_eq!(l.crs, Some(Crs::Epsg(32651)));
        // Shapefiles have no integer nulls; the script filled penduduk with 0.
        check_kelurahan(&l, false);
        Ok(())
    }

    fn zip_shapefile(dir: &Path, inner_dir: &str, with_dbf: bool) -> anyhow::Result<PathBuf> {
        let path = dir.join("kelurahan.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&path)?);
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            if ext == "dbf" && !with_dbf {
                continue;
            }
            let opts: zip::write::SimpleFileOptions = Default::default();
            z.start_file(format!("{inner_dir}kelurahan.{ext}"), opts)?;
            z.write_all(&std::fs::read(fixture(&format!("kelurahan.{ext}")))?)?;
        }
        z.finish()?;
        Ok(path)
    }

    #[test]
    fn zipped_shapefile() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        for inner in ["", "data/Manado/"] {
            let path = zip_shapefile(dir.path(), inner, true)?;
            let l = read_vector(&path, &ReadOptions::new("k", Role::Zones))?;
            assert_eq!(l.crs, Some(Crs::Epsg(32651)), "{inner}");
            check_kelurahan(&l, false);
        }
        let path = zip_shapefile(dir.path(), "", false)?;
        let e = read_vector(&path, &ReadOptions::new("k", Role::Zones)).expect_err("no dbf");
        let msg = e.to_string();
        assert!(
            msg.contains("missing .dbf") && msg.contains("kelurahan.zip"),
            "{msg}"
        );
        Ok(())
    }

    #[test]
    fn geopackage_layers() -> anyhow::Result<()> {
        let path = fixture("kota.gpkg");
        let l = read_vector(&path, &ReadOptions::new("k", Role::Zones))?;
        assert_eq!(l.crs, Some(Crs::Epsg(32651)));
        check_kelurahan(&l, true);
        assert_eq!(l.column("pesisir")?.field_type(), FieldType::Bool);

        let mut opts = ReadOptions::new("puskesmas", Role::Facilities);
        opts.source_layer = Some("puskesmas".into());
        let p = read_vector(&path, &opts)?;
        assert_eq!(p.crs, Some(Crs::WGS84));
        assert_eq!(p.len(), 2);
        assert_eq!(p.column("rawat_inap")?.get(0), Value::Bool(true));
        assert_eq!(p.column("tempat_tidur")?.field_type(), FieldType::Int);
        assert_eq!(
            p.column("nama")?.get(1),
            Value::Text("Puskesmas Sário".into())
        );
        match &p.geometries[0] {
            Some(Geometry::Point(pt)) => assert_eq!((pt.x(), pt.y()), (124.8421, 1.4748)),
            other => panic!("{other:?}"),
        }
        p.check_role_geometries()?;

        opts.source_layer = Some("rumah_sakit".into());
        match read_vector(&path, &opts) {
            Err(Error::UnknownLayer { name, available }) => {
                assert_eq!(name, "rumah_sakit");
                assert_eq!(available, vec!["kelurahan", "puskesmas"]);
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }

    #[test]
    fn geotiff_raster() -> anyhow::Result<()> {
        let r = tepat_engine::io::read_raster(&fixture("banjir.tif"))?;
        assert_eq!(r.data.dim(), (3, 4));
        assert_eq!(
            r.geotransform,
            [700_000.0, 100.0, 0.0, 160_300.0, 0.0, -100.0]
        );
        assert_eq!(r.nodata, Some(-9999.0));
        assert_eq!(r.crs, Some(Crs::Epsg(32651)));
        assert_eq!(r.value(1, 3), Some(3.5));
        assert_eq!(r.value(0, 2), Some(1.25));
        assert_eq!(r.value(0, 3), None);
        assert_eq!(r.value(2, 0), None);
        assert_eq!(r.cell_center(0, 0), (700_050.0, 160_250.0));
        Ok(())
    }

    #[test]
    fn other_gdal_vector_formats() -> anyhow::Result<()> {
        // Any OGR format we do not read natively goes through GDAL: here GeoJSONSeq.
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("laporan.geojsonl");
        std::fs::write(
            &path,
            "{\"type\":\"Feature\",\"properties\":{\"kategori\":\"banjir\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[124.84,1.49]}}\n\
             {\"type\":\"Feature\",\"properties\":{\"kategori\":\"sampah\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[124.85,1.50]}}\n",
        )?;
        let l = read_vector(&path, &ReadOptions::new("laporan", Role::Events))?;
        assert_eq!(l.len(), 2);
        assert_eq!(l.crs, Some(Crs::WGS84));
        assert_eq!(l.column("kategori")?.get(1), Value::Text("sampah".into()));
        Ok(())
    }
}

#[test]
fn geojson_mixed_types_are_read_and_rejected_by_role() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("campuran.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"nama":"Sário"},"geometry":{"type":"Polygon","coordinates":[[[124.8,1.4],[124.9,1.4],[124.9,1.5],[124.8,1.4]],[[124.85,1.42],[124.86,1.43],[124.86,1.42],[124.85,1.42]]]}},
          {"type":"Feature","properties":{"nama":"Ranotana Weru"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}},
          {"type":"Feature","properties":{"nama":"Kelurahan Tikala Ares"},"geometry":{"type":"Point","coordinates":[124.84,1.49]}},
          {"type":"Feature","properties":{"nama":null},"geometry":null}
        ]}"#,
    )?;
    let l = read_vector(&path, &ReadOptions::new("campuran", Role::Zones))?;
    assert_eq!(l.len(), 4);
    assert!(matches!(&l.geometries[0], Some(Geometry::Polygon(p)) if p.interiors().len() == 1));
    assert!(matches!(&l.geometries[1], Some(Geometry::MultiPolygon(m)) if m.0.len() == 2));
    let e = l
        .check_role_geometries()
        .expect_err("zones cannot hold a point");
    assert!(e.to_string().contains("feature 3"), "{e}");
    Ok(())
}

#[test]
fn geojson_single_feature_and_bare_geometry_files() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let f = dir.path().join("satu.geojson");
    std::fs::write(
        &f,
        r#"{"type":"Feature","id":"7171","properties":{"nama":"Sário"},"geometry":{"type":"Point","coordinates":[124.84,1.49]}}"#,
    )?;
    let l = read_vector(&f, &ReadOptions::new("satu", Role::Facilities))?;
    assert_eq!(l.ids, vec!["7171"]);
    assert_eq!(l.column("nama")?.get(0), Value::Text("Sário".into()));
    let g = dir.path().join("garis.json");
    std::fs::write(
        &g,
        r#"{"type":"LineString","coordinates":[[124.84,1.49],[124.85,1.5]]}"#,
    )?;
    let l = read_vector(&g, &ReadOptions::new("garis", Role::Network))?;
    assert_eq!(l.len(), 1);
    assert!(matches!(l.geometries[0], Some(Geometry::LineString(_))));
    Ok(())
}

#[test]
fn geojson_legacy_crs_member_is_honoured() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("utm.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32651"}},
           "features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[704712.5,164775.6]}}]}"#,
    )?;
    let l = read_vector(&path, &ReadOptions::new("utm", Role::Facilities))?;
    assert_eq!(l.crs, Some(Crs::Epsg(32651)));
    Ok(())
}
