//! A million point features in GeoJSON and CSV read in reasonable time (no timing
//! assertion: benchmarks live in benches/; this guards against quadratic behaviour and
//! memory blow-ups, and checks the values survive).

use std::fs::File;
use std::io::{BufWriter, Write};
use tepat_engine::io::{read_vector, ReadOptions};
use tepat_engine::layer::FieldType;
use tepat_engine::{Role, Value};

const N: usize = 1_000_000;

fn lon(i: usize) -> f64 {
    124.80 + (i % 1000) as f64 * 1e-4
}

fn lat(i: usize) -> f64 {
    1.40 + (i / 1000) as f64 * 1e-4
}

#[test]
fn million_points_geojson() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("laporan.geojson");
    let mut w = BufWriter::new(File::create(&path)?);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for i in 0..N {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        write!(
            w,
            "{{\"type\":\"Feature\",\"id\":{i},\"properties\":{{\"kategori\":\"{}\",\"skor\":{},\"bobot\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}}}}",
            ["banjir", "sampah", "jalan rusak"][i % 3],
            i % 100,
            (i % 7) as f64 * 0.5,
            lon(i),
            lat(i)
        )?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()?;
    drop(w);

    let start = std::time::Instant::now();
    let layer = read_vector(&path, &ReadOptions::new("laporan", Role::Events))?;
    eprintln!("read {N} GeoJSON features in {:?}", start.elapsed());
    assert_eq!(layer.len(), N);
    assert_eq!(layer.ids[N - 1], (N - 1).to_string());
    assert_eq!(
        layer.column("kategori")?.get(4),
        Value::Text("sampah".into())
    );
    assert_eq!(layer.column("skor")?.field_type(), FieldType::Int);
    assert_eq!(layer.column("bobot")?.field_type(), FieldType::Float);
    match &layer.geometries[N - 1] {
        Some(geo::Geometry::Point(p)) => {
            assert!((p.x() - lon(N - 1)).abs() < 1e-12 && (p.y() - lat(N - 1)).abs() < 1e-12)
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[test]
fn million_points_csv() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("laporan.csv");
    let mut w = BufWriter::new(File::create(&path)?);
    writeln!(w, "no,kategori,skor,lon,lat")?;
    for i in 0..N {
        writeln!(
            w,
            "{i},{},{},{},{}",
            ["banjir", "sampah", "jalan rusak"][i % 3],
            i % 100,
            lon(i),
            lat(i)
        )?;
    }
    w.flush()?;
    drop(w);

    let mut opts = ReadOptions::new("laporan", Role::Events);
    opts.x = Some("lon".into());
    opts.y = Some("lat".into());
    let start = std::time::Instant::now();
    let layer = read_vector(&path, &opts)?;
    eprintln!("read {N} CSV rows in {:?}", start.elapsed());
    assert_eq!(layer.len(), N);
    assert_eq!(layer.column("no")?.get(N - 1), Value::Int((N - 1) as i64));
    assert_eq!(
        layer.column("kategori")?.get(2),
        Value::Text("jalan rusak".into())
    );
    assert_eq!(layer.column("skor")?.field_type(), FieldType::Int);
    match &layer.geometries[12_345] {
        Some(geo::Geometry::Point(p)) => {
            assert_eq!((p.x(), p.y()), (lon(12_345), lat(12_345)))
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}
