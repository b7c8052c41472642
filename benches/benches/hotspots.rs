//! `hotspots` and its `weights` on the synthetic city of 20,000 kelurahan
//! (`tepat_benches::synth_city`, built once outside the timing; `TEPAT_BENCH_SYNTH_ZONES=N`
//! for another size):
//!
//! - `weights_queen`: queen contiguity from the R-tree (the work of libpysal
//!   `Queen.from_dataframe`);
//! - `weights_knn8`: 8 nearest neighbours of the centroids;
//! - `moran_analytic`: the whole `hotspots` run with `statistic: moran`, no permutations
//!   (weights + Moran's I and its moments);
//! - `local_moran_999`: the whole `hotspots` run as a user calls it: queen weights, local
//!   Moran with 999 conditional permutations per feature, and the global Moran's I with 999
//!   permutations for the summary (the work of esda `Moran_Local(permutations=999)`, plus a
//!   little more).
//!
//! `cargo bench -p tepat-benches --bench hotspots`; the same work beside libpysal / esda is
//! `benches/peers/hotspots.py` (`make bench-peers-hotspots`).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::time::Duration;
use tepat_benches::synth_city::{synth_city, SEED_CITY};
use tepat_engine::weights::{WeightsKind, WeightsSpec};

fn zones() -> usize {
    std::env::var("TEPAT_BENCH_SYNTH_ZONES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn bench(c: &mut Criterion) {
    let n = zones();
    let project = match synth_city(n, SEED_CITY).and_then(|city| city.project()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the synthetic city: {e}");
            return;
        }
    };
    let kel = match project.layers.get("kelurahan") {
        Ok(l) => l.clone(),
        Err(e) => {
            eprintln!("skipping: {e}");
            return;
        }
    };
    let mut g = c.benchmark_group(format!("hotspots_synth_{n}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let queen = WeightsSpec::of(WeightsKind::Queen);
    g.bench_function("weights_queen", |b| {
        b.iter(|| queen.build(&kel, "bench", "weights"))
    });
    let mut knn = WeightsSpec::of(WeightsKind::Knn);
    knn.k = Some(8);
    g.bench_function("weights_knn8", |b| {
        b.iter(|| knn.build(&kel, "bench", "weights"))
    });
    let analytic = json!({"layer": "kelurahan", "field": "poor_households",
                          "statistic": "moran", "permutations": 0});
    g.bench_function("moran_analytic", |b| {
        b.iter(|| tepat_engine::analysis::run(&project, "hotspots", analytic.clone()))
    });
    let lisa = json!({"layer": "kelurahan", "field": "poor_households",
                      "statistic": "local_moran", "permutations": 999, "seed": 1});
    g.bench_function("local_moran_999", |b| {
        b.iter(|| tepat_engine::analysis::run(&project, "hotspots", lisa.clone()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
