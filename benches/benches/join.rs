//! Points-in-polygons: `kernels::point_in_polygon::assign` with the index build, on the
//! generated tiling (`tepat_benches`), and `aggregate` on the demo city.
//!
//! `cargo bench -p tepat-benches --bench join` (criterion; HTML under target/criterion).
//! Sizes stay small enough for criterion's repetitions; the sizes (1M–5M points)
//! are measured side by side with GeoPandas and DuckDB by `benches/peers/run.py`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::{Coord, Geometry};
use serde_json::json;
use tepat_benches::{points, polygons, SEED_POINTS, SEED_POLYGONS};
use tepat_engine::kernels::point_in_polygon;
use tepat_engine::rtree::SpatialIndex;

fn inputs(n: usize, m: usize) -> (Vec<Option<Coord>>, Vec<Option<Geometry>>) {
    let pts = points(n, SEED_POINTS).into_iter().map(Some).collect();
    let zones = polygons(m, SEED_POLYGONS)
        .into_iter()
        .map(|p| Some(p.into()))
        .collect();
    (pts, zones)
}

fn join(c: &mut Criterion) {
    let mut g = c.benchmark_group("point_in_polygon");
    g.sample_size(10);
    for (n, m) in [(100_000, 1_000), (100_000, 5_000), (20_000, 20_000)] {
        let (pts, zones) = inputs(n, m);
        g.throughput(Throughput::Elements(n as u64));
        // What an analysis pays: build the zones' R-tree, then assign every point (the
        // kernel prepares its grid inside `assign` when there are more points than zones).
        g.bench_with_input(
            BenchmarkId::new("index+assign", format!("{n}x{m}")),
            &(),
            |b, _| {
                b.iter(|| {
                    let index = SpatialIndex::build(&zones);
                    black_box(point_in_polygon::assign(&pts, &zones, &index))
                })
            },
        );
    }
    // One point at a time through the R-tree (what `locate` costs a caller with few points).
    let (pts, zones) = inputs(10_000, 1_000);
    let index = SpatialIndex::build(&zones);
    g.throughput(Throughput::Elements(pts.len() as u64));
    g.bench_function("locate/10000x1000", |b| {
        b.iter(|| {
            pts.iter()
                .flatten()
                .filter_map(|c| point_in_polygon::locate(*c, &zones, &index))
                .count()
        })
    });
    g.finish();
}

fn aggregate(c: &mut Criterion) {
    let project = match tepat_datasets::demo_project() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping aggregate benches: demo city unavailable: {e}");
            return;
        }
    };
    let mut g = c.benchmark_group("aggregate_demo_city");
    g.sample_size(20);
    for (layer, sum) in [("sekolah", json!([])), ("pengaduan", json!([]))] {
        let params = json!({"zones": "kelurahan", "layer": layer, "sum": sum});
        if tepat_engine::analysis::run(&project, "aggregate", params.clone()).is_err() {
            eprintln!("skipping aggregate {layer}: not in the demo city");
            continue;
        }
        g.bench_function(format!("{layer}_per_kelurahan"), |b| {
            b.iter(|| tepat_engine::analysis::run(&project, "aggregate", params.clone()))
        });
    }
    g.finish();
}

criterion_group!(benches, join, aggregate);
criterion_main!(benches);
