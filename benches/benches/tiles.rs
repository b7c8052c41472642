//! Vector tiles cut on the fly (`tepat_engine::tiles`), on the demo city and on the
//! synthetic city of 20,000 kelurahan (`TEPAT_BENCH_SYNTH_ZONES=N` for another size):
//!
//! - `cut/{layer}/z{Z}`: one uncached tile at the middle of the layer — R-tree query,
//!   reprojection to Web Mercator, simplification, clipping, quantisation and MVT encoding
//!   (what the server does on a cache miss; the layer's Mercator bounds are kept, as the
//!   server keeps them);
//! - `tiles_server/hit/z14`: `GET /api/v1/tiles/kelurahan/{z}/{x}/{y}.mvt` through the
//!   whole router in-process on the demo city, for a tile in the tile cache (a miss costs
//!   about this plus `cut/kelurahan/z14`).
//!
//! `cargo bench -p tepat-benches --bench tiles`.

use axum::body::Body;
use axum::http::Request;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;
use tepat_benches::synth_city::{synth_city, SEED_CITY};
use tepat_engine::project::Project;
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::tiles::{self, TileId, TileSpec, MERCATOR_HALF};
use tower::ServiceExt;

/// The tile at zoom `z` holding the middle of `bounds` (Web Mercator).
fn middle(bounds: geo::Rect, z: u8) -> Option<TileId> {
    let c = bounds.center();
    let size = 2.0 * MERCATOR_HALF / (1u64 << z) as f64;
    let x = ((c.x + MERCATOR_HALF) / size).floor() as u64;
    let y = ((MERCATOR_HALF - c.y) / size).floor() as u64;
    TileId::new(z as u64, x, y).ok()
}

fn cut(c: &mut Criterion, group: &str, project: &Project, layers: &[&str]) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for name in layers {
        let Ok(layer) = project.layers.get(name) else {
            eprintln!("skipping {name}: not in {}", project.name);
            continue;
        };
        let index = SpatialIndex::of(layer);
        let bounds = match tiles::mercator_bounds(layer, &project.crs) {
            Ok(Some(b)) => b,
            Ok(None) | Err(_) => {
                eprintln!("skipping {name}: no bounds");
                continue;
            }
        };
        let spec = TileSpec {
            layer: name,
            crs: layer.crs.as_ref().unwrap_or(&project.crs),
            bounds: Some(bounds),
            max_zoom: tiles::DEFAULT_MAX_ZOOM,
        };
        for z in [10u8, 12, 14] {
            let Some(t) = middle(bounds, z) else {
                continue;
            };
            g.bench_with_input(
                BenchmarkId::new(format!("cut/{name}"), format!("z{z}")),
                &t,
                |b, t| b.iter(|| black_box(tiles::tile(&spec, &**layer, &index, *t))),
            );
        }
    }
    g.finish();
}

fn demo(c: &mut Criterion) {
    let project = match tepat_datasets::demo_project() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the demo city: {e}");
            return;
        }
    };
    cut(
        c,
        "tiles_demo",
        &project,
        &["kelurahan", "jalan", "puskesmas"],
    );
}

fn synthetic(c: &mut Criterion) {
    let zones: usize = std::env::var("TEPAT_BENCH_SYNTH_ZONES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let project = match synth_city(zones, SEED_CITY).and_then(|city| city.project()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the synthetic city: {e:#}");
            return;
        }
    };
    cut(c, &format!("tiles_synth_{zones}"), &project, &["kelurahan"]);
}

/// The whole server path for a cached tile.
fn server(c: &mut Criterion) {
    let (state, rt) = match (
        tepat_datasets::demo_project()
            .map_err(|e| e.to_string())
            .and_then(|p| tepat::AppState::new(p).map_err(|e| e.to_string())),
        tokio::runtime::Runtime::new(),
    ) {
        (Ok(s), Ok(rt)) => (s, rt),
        (Err(e), _) => {
            eprintln!("skipping the server tiles: {e}");
            return;
        }
        (_, Err(e)) => {
            eprintln!("skipping the server tiles: {e}");
            return;
        }
    };
    let bounds = state.project().layers.get("kelurahan").ok().and_then(|l| {
        tiles::mercator_bounds(l, &state.project().crs)
            .ok()
            .flatten()
    });
    let Some(t) = bounds.and_then(|b| middle(b, 14)) else {
        eprintln!("skipping the server tiles: no kelurahan bounds");
        return;
    };
    let get = |z: u8, x: u32, y: u32| {
        let state = state.clone();
        async move {
            let req = Request::builder()
                .uri(format!("/api/v1/tiles/kelurahan/{z}/{x}/{y}.mvt"))
                .body(Body::empty())
                .expect("request");
            let r = tepat::router(state).oneshot(req).await.expect("response");
            axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .expect("body")
        }
    };
    let mut g = c.benchmark_group("tiles_server");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    rt.block_on(get(t.z, t.x, t.y));
    g.bench_function("hit/z14", |b| b.iter(|| rt.block_on(get(t.z, t.x, t.y))));
    g.finish();
}

criterion_group!(benches, demo, synthetic, server);
criterion_main!(benches);
