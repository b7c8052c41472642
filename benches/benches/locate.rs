//! `locate` end to end (`tepat_engine::analysis::run`: distances, model, HiGHS or the
//! heuristic, rows), on the instances of `benches/peers/locate.py`:
//!
//! - synthetic: 2,000 demand points (weights 1–100) × 200 candidate sites uniform over a
//!   10 km square ([`instance`]); MCLP with p = 10 and radius 1 km, and p-median p = 10;
//! - the demo city: kelurahan × schools with the puskesmas kept open (MCLP r = 1 km, p = 3;
//!   p-median p = 3);
//! - large: 50,000 demand × 2,000 candidates, MCLP p = 10 radius 1 km, `method: heuristic`
//!   (greedy + interchange with the Lagrangian bound; target under 10 s with the gap).
//!
//! A case whose single run exceeds 5 s (`TEPAT_BENCH_MAX_RUN_SECS`) prints that run's time
//! and summary instead of being benched.
//!
//! `cargo bench -p tepat-benches --bench locate`

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tepat_engine::project::Project;

/// The synthetic instance: demand and candidate points uniform over a 10 km square (dyadic
/// coordinates, as the crate's other generators), integer weights 1–100.
mod instance {
    use serde_json::{json, Value};
    use tepat_engine::crs::Crs;
    use tepat_engine::layer::{Column, Layer, Role, Value as Cell};
    use tepat_engine::project::{LayerSpec, Project};

    pub const SEED: u64 = 2026;

    fn layer(name: &str, role: Role, n: usize, seed: u64) -> anyhow::Result<Layer> {
        let pts = tepat_benches::points(n, seed);
        let geoms = pts
            .iter()
            .map(|c| Some(geo::Point::new(700_000.0 + c.x / 2.0, 150_000.0 + c.y / 2.0).into()))
            .collect();
        let mut x = seed;
        let weights = (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                Cell::Int(1 + (x >> 33) as i64 % 100)
            })
            .collect();
        let ids = (0..n).map(|i| Cell::Text(format!("{name}-{i}"))).collect();
        let mut l = Layer::new(
            name,
            role,
            Some(Crs::Epsg(32651)),
            geoms,
            vec![
                Column::from_values("id", ids),
                Column::from_values("weight", weights),
            ],
        )?;
        l.set_id_field("id")?;
        Ok(l)
    }

    pub fn project(n: usize, m: usize, seed: u64) -> anyhow::Result<Project> {
        let spec = |name: &str, role: &str| LayerSpec {
            name: name.into(),
            role: role.into(),
            ..LayerSpec::default()
        };
        Ok(Project::from_layers(
            "locate",
            Crs::Epsg(32651),
            vec![
                (
                    spec("demand", "demand"),
                    layer("demand", Role::Demand, n, seed)?,
                ),
                (
                    spec("sites", "facilities"),
                    layer("sites", Role::Facilities, m, seed + 1)?,
                ),
            ],
        )?)
    }

    pub fn params(model: &str) -> Value {
        let mut p = json!({"model": model, "demand": "demand", "weight": "weight",
                           "candidates": "sites", "p": 10});
        if model == "mclp" {
            p["radius_m"] = json!(1000);
        }
        p
    }
}

fn max_run_secs() -> f64 {
    std::env::var("TEPAT_BENCH_MAX_RUN_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5.0)
}

fn case(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    project: &Project,
    label: &str,
    params: Value,
) {
    let t = Instant::now();
    let r = match tepat_engine::analysis::run(project, "locate", params.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("skipping {label}: {e}");
            return;
        }
    };
    let once = t.elapsed().as_secs_f64();
    let s = &r.summary;
    eprintln!(
        "{label}: one run {once:.3} s, status {}, objective {}, bound {}, gap {}",
        s["status"], s["objective"], s["bound"], s["gap"]
    );
    if once > max_run_secs() {
        eprintln!("not benching {label}: over the per-run budget");
        return;
    }
    g.bench_function(label, |b| {
        b.iter(|| tepat_engine::analysis::run(project, "locate", params.clone()))
    });
}

fn synthetic(c: &mut Criterion) {
    let project = match instance::project(2_000, 200, instance::SEED) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the synthetic instance: {e:#}");
            return;
        }
    };
    let mut g = c.benchmark_group("locate_2000x200");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    case(&mut g, &project, "mclp_p10_r1000", instance::params("mclp"));
    case(&mut g, &project, "pmedian_p10", instance::params("pmedian"));
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
    let mut g = c.benchmark_group("locate_demo");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let base =
        json!({"demand": "kelurahan", "candidates": "sekolah", "existing": "puskesmas", "p": 3});
    let mut mclp = base.clone();
    mclp["model"] = json!("mclp");
    mclp["radius_m"] = json!(1000);
    mclp["weight"] = json!("poor_households");
    case(&mut g, &project, "mclp_p3_r1000", mclp);
    let mut pmed = base;
    pmed["model"] = json!("pmedian");
    case(&mut g, &project, "pmedian_p3", pmed);
    g.finish();
}

fn large(c: &mut Criterion) {
    let project = match instance::project(50_000, 2_000, instance::SEED) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the large instance: {e:#}");
            return;
        }
    };
    let mut g = c.benchmark_group("locate_50000x2000");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let mut p = instance::params("mclp");
    p["method"] = json!("heuristic");
    case(&mut g, &project, "mclp_p10_r1000_heuristic", p);
    g.finish();
}

criterion_group!(benches, synthetic, demo, large);
criterion_main!(benches);
