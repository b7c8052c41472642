//! `clusters` on the synthetic city of 20,000 kelurahan (`tepat_benches::synth_city`, built
//! once outside the timing; `TEPAT_BENCH_SYNTH_ZONES=N` for another size):
//!
//! - `kmeans_k5_silhouette`: the whole `clusters` run with `method: kmeans`, k = 5, on
//!   population, households and poor households (standardise, 10 k-means++ runs with linfa,
//!   Lloyd finish, and the O(n²) silhouette of every zone);
//! - `kmeans_k5_fit`: the k-means fit alone (no silhouette), to see the split;
//! - `dbscan_centroids`: DBSCAN (eps 150 m, min_points 5) of the 20,000 zone centroids as
//!   an events layer, with the clusters' convex hulls;
//! - `skater_k10`: SKATER, queen contiguity, 10 regions with a population floor.
//!
//! `cargo bench -p tepat-benches --bench clusters`.

use criterion::{criterion_group, criterion_main, Criterion};
use geo::{Centroid, Geometry};
use serde_json::json;
use std::time::Duration;
use tepat_benches::synth_city::{synth_city, SEED_CITY};
use tepat_engine::analysis::clusters::kmeans;
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::{LayerSpec, Project};

fn zones() -> usize {
    std::env::var("TEPAT_BENCH_SYNTH_ZONES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

/// The synthetic city plus `titik`, an events layer of the kelurahan centroids.
fn project(n: usize) -> anyhow::Result<Project> {
    let city = synth_city(n, SEED_CITY)?;
    let mut items = city.layers.clone();
    let kel = city
        .layer("kelurahan")
        .ok_or_else(|| anyhow::anyhow!("no kelurahan"))?;
    let pts: Vec<Option<Geometry>> = kel
        .geometries
        .iter()
        .map(|g| g.as_ref().and_then(|g| g.centroid()).map(Geometry::Point))
        .collect();
    let mut titik = Layer::new("titik", Role::Events, kel.crs.clone(), pts, Vec::new())?;
    titik.ids = kel.ids.clone();
    let spec = LayerSpec {
        name: "titik".into(),
        role: "events".into(),
        ..LayerSpec::default()
    };
    items.push((spec, titik));
    let crs = kel
        .crs
        .clone()
        .ok_or_else(|| anyhow::anyhow!("kelurahan without CRS"))?;
    Ok(Project::from_layers(&city.name, crs, items)?)
}

fn bench(c: &mut Criterion) {
    let n = zones();
    let project = match project(n) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the synthetic city: {e}");
            return;
        }
    };
    let mut g = c.benchmark_group(format!("clusters_synth_{n}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let fields = ["population", "households", "poor_households"];
    let km = json!({"layer": "kelurahan", "fields": fields, "k": 5, "seed": 1});
    g.bench_function("kmeans_k5_silhouette", |b| {
        b.iter(|| tepat_engine::analysis::run(&project, "clusters", km.clone()))
    });
    if let Ok(kel) = project.layers.get("kelurahan") {
        let ind = tepat_engine::analysis::clusters::indicators::gather(
            &project,
            "bench",
            kel,
            &fields.map(String::from),
            &[],
            3,
        );
        if let Ok(ind) = ind {
            let o = kmeans::Options {
                n_init: 10,
                max_iterations: 300,
                seed: 1,
                init: None,
            };
            g.bench_function("kmeans_k5_fit", |b| {
                b.iter(|| kmeans::fit(&ind.z, ind.d(), 5, &o))
            });
        }
    }
    let db = json!({"method": "dbscan", "layer": "titik", "eps": 150, "min_points": 5});
    g.bench_function("dbscan_centroids", |b| {
        b.iter(|| tepat_engine::analysis::run(&project, "clusters", db.clone()))
    });
    let sk = json!({"method": "skater", "layer": "kelurahan", "fields": fields, "k": 10,
                    "floor": 10000, "floor_field": "population"});
    g.bench_function("skater_k10", |b| {
        b.iter(|| tepat_engine::analysis::run(&project, "clusters", sk.clone()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
