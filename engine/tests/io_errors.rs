//! Bad input: every case is a clear error naming the file (and line, field or feature
//! where there is one), never a panic.

use std::path::{Path, PathBuf};
use tepat_engine::io::{read_raster, read_vector, ReadOptions};
use tepat_engine::{Error, Role};

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write fixture");
    p
}

fn xy(name: &str) -> ReadOptions {
    let mut o = ReadOptions::new(name, Role::Facilities);
    o.x = Some("lon".into());
    o.y = Some("lat".into());
    o
}

#[test]
fn missing_file_is_io_naming_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in [
        "tidak_ada.geojson",
        "tidak_ada.csv",
        "tidak_ada.fgb",
        "tidak_ada.parquet",
        "tidak_ada.shp",
        "tidak_ada.gpkg",
    ] {
        let p = dir.path().join(name);
        match read_vector(&p, &xy("t")) {
            Err(e @ Error::Io { .. }) => assert!(e.to_string().contains(name), "{e}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let p = dir.path().join("tidak_ada.tif");
    match read_raster(&p) {
        Err(e @ Error::Io { .. }) => assert!(e.to_string().contains("tidak_ada.tif"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_coordinate_or_wkt_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(
        dir.path(),
        "faskes.csv",
        b"nama,bujur,lintang\nA,124.8,1.4\n",
    );
    match read_vector(&p, &xy("faskes")) {
        Err(Error::UnknownField {
            layer,
            field,
            available,
        }) => {
            assert_eq!((layer.as_str(), field.as_str()), ("faskes", "lon"));
            assert_eq!(available, vec!["nama", "bujur", "lintang"]);
        }
        other => panic!("{other:?}"),
    }
    let mut o = ReadOptions::new("faskes", Role::Zones);
    o.wkt = Some("wkt".into());
    let e = read_vector(&p, &o).expect_err("no wkt column");
    assert!(
        matches!(&e, Error::UnknownField { field, .. } if field == "wkt"),
        "{e}"
    );
}

#[test]
fn csv_bad_number_names_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("nama,lon,lat\n");
    for i in 0..5 {
        text.push_str(&format!("Puskesmas {i},124.8{i},1.4{i}\n"));
    }
    text.push_str("Puskesmas Sário,124.9,abc\n");
    let p = write(dir.path(), "faskes.csv", text.as_bytes());
    let e = read_vector(&p, &xy("faskes")).expect_err("bad number");
    assert!(
        e.to_string()
            .ends_with("faskes.csv line 7: field 'lat': 'abc' is not a number"),
        "{e}"
    );
    assert!(matches!(e, Error::Parse { line: Some(7), .. }));
    // An empty coordinate is an error too (line counting survives a quoted newline).
    let p = write(
        dir.path(),
        "faskes.csv",
        "nama,lon,lat\n\"dua\nbaris\",124.8,1.4\nB,,1.5\n".as_bytes(),
    );
    let e = read_vector(&p, &xy("faskes")).expect_err("empty");
    assert!(e.to_string().contains("line 4: field 'lon': empty"), "{e}");
}

#[test]
fn csv_bad_wkt_names_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(
        dir.path(),
        "zona.csv",
        b"kode,wkt\n1,\"POLYGON((0 0,1 0,1 1,0 0))\"\n2,\n3,\"POLYGON((0 0,1 0\"\n",
    );
    let mut o = ReadOptions::new("zona", Role::Zones);
    o.wkt = Some("wkt".into());
    let e = read_vector(&p, &o).expect_err("bad wkt");
    let msg = e.to_string();
    assert!(
        msg.contains("zona.csv line 4: field 'wkt': bad WKT"),
        "{msg}"
    );
}

#[test]
fn csv_ragged_and_non_utf8_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "r.csv", b"lon,lat\n1,2\n1,2,3\n");
    let e = read_vector(&p, &xy("r")).expect_err("too many fields");
    assert!(e.to_string().contains("line 3"), "{e}");
    let p = write(dir.path(), "r.csv", b"lon,lat,nama\n1,2,S\xe1rio\n");
    let e = read_vector(&p, &xy("r")).expect_err("latin-1");
    assert!(
        e.to_string()
            .contains("line 2: field 'nama': not valid UTF-8"),
        "{e}"
    );
    // A CSV layer with geometry needs x/y or wkt.
    let e = read_vector(&p, &ReadOptions::new("r", Role::Facilities)).expect_err("no xy");
    assert!(e.to_string().contains("`x` and `y`"), "{e}");
}

#[test]
fn truncated_geojson_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = "{\"type\":\"FeatureCollection\",\"features\":[\n\
        {\"type\":\"Feature\",\"properties\":{\"nama\":\"Sário\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[124.8,1.4]}},\n\
        {\"type\":\"Feature\",\"properties\":{\"nama\":\"Ranotana Weru\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[124.9,1.5]}}\n]}\n";
    let cut = &full[..full.len() / 2 + 40];
    let p = write(dir.path(), "kelurahan.geojson", cut.as_bytes());
    let e = read_vector(&p, &ReadOptions::new("kelurahan", Role::Facilities)).expect_err("cut");
    match &e {
        Error::Parse {
            path,
            line,
            feature,
            ..
        } => {
            assert!(path.ends_with("kelurahan.geojson"));
            assert_eq!(*line, Some(3));
            assert_eq!(*feature, Some(1));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("kelurahan.geojson line 3"), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
    // An empty file and plain garbage are parse errors too.
    for bad in [
        "",
        "not json",
        "{\"type\":\"FeatureCollection\",\"features\":{}}",
    ] {
        let p = write(dir.path(), "x.geojson", bad.as_bytes());
        let e = read_vector(&p, &ReadOptions::new("x", Role::Zones)).expect_err(bad);
        assert!(matches!(e, Error::Parse { .. }), "{bad}: {e}");
    }
}

#[test]
fn empty_layers_read_as_zero_features() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let p = write(
        dir.path(),
        "kosong.geojson",
        br#"{"type":"FeatureCollection","features":[]}"#,
    );
    assert!(read_vector(&p, &ReadOptions::new("kosong", Role::Zones))?.is_empty());
    let p = write(dir.path(), "kosong.csv", b"nama,lon,lat\n");
    let l = read_vector(&p, &xy("kosong"))?;
    assert!(l.is_empty());
    assert_eq!(l.field_names(), vec!["nama", "lon", "lat"]);
    Ok(())
}

#[cfg(feature = "gdal")]
#[test]
fn shapefile_without_dbf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/io");
    for ext in ["shp", "shx", "prj"] {
        std::fs::copy(
            src.join(format!("kelurahan.{ext}")),
            dir.path().join(format!("kelurahan.{ext}")),
        )
        .expect("copy");
    }
    let p = dir.path().join("kelurahan.shp");
    let e = read_vector(&p, &ReadOptions::new("kelurahan", Role::Zones)).expect_err("no dbf");
    let msg = e.to_string();
    assert!(
        msg.contains("kelurahan.shp") && msg.contains("missing .dbf"),
        "{msg}"
    );
    assert!(msg.contains("kelurahan.dbf"), "{msg}");
}

#[test]
fn geoparquet_without_geo_metadata() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/io/plain.parquet");
    let e = read_vector(&p, &ReadOptions::new("plain", Role::Zones)).expect_err("plain");
    let msg = e.to_string();
    assert!(
        msg.contains("plain.parquet") && msg.contains("no 'geo' metadata"),
        "{msg}"
    );
}

/// Garbage under every extension is an error, not a panic.
#[test]
fn garbage_never_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut exts = vec!["geojson", "json", "csv", "fgb", "parquet"];
    if cfg!(feature = "gdal") {
        exts.extend(["shp", "gpkg", "zip", "kml", "dat"]);
    }
    for ext in exts {
        for content in [&garbage[..], b"", b"fgb\x03fgb\x00\x10\x00\x00\x00"] {
            let p = write(dir.path(), &format!("sampah.{ext}"), content);
            if ext == "shp" {
                write(dir.path(), "sampah.shx", content);
                write(dir.path(), "sampah.dbf", content);
            }
            let mut opts = ReadOptions::new("sampah", Role::Zones);
            opts.wkt = Some("geometry".into());
            match read_vector(&p, &opts) {
                Err(e) => assert!(e.to_string().contains("sampah"), "{ext}: {e}"),
                Ok(l) => assert!(
                    l.is_empty() || ext == "csv",
                    "{ext}: read {} features",
                    l.len()
                ),
            }
        }
    }
    if cfg!(feature = "gdal") {
        let p = write(dir.path(), "sampah.tif", &garbage);
        assert!(read_raster(&p).is_err());
    }
}

#[test]
fn unclosed_ring_is_read_and_noted_for_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("open.geojson");
    std::fs::write(
        &p,
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"k":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
 {"type":"Feature","properties":{"k":"b"},"geometry":{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,1]]]}}]}"#,
    )
    .expect("write");
    let opts = tepat_engine::io::ReadOptions::new("z", tepat_engine::Role::Zones);
    let layer = tepat_engine::io::read_vector(&p, &opts).expect("reads");
    assert_eq!(layer.len(), 2);
    assert_eq!(layer.notes.len(), 1);
    assert_eq!(layer.notes[0].feature, 1);
    assert_eq!(layer.notes[0].kind, "unclosed-ring");
}
