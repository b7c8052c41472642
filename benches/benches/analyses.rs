//! The analyses end to end, as a caller of the engine pays for them
//! (`tepat_engine::analysis::run`: params, computation, result rows), with the params of
//! `tepat_benches::synth_city::params`:
//!
//! - on the demo city (in memory): `exposure` (Q25 flood by depth class), `interpolate`
//!   (kecamatan → kelurahan), `access` (2SFCA, 3 km), `index` (zone fields only) and the
//!   whole chain a planner reruns — `index` with `exposure` and `access` as inputs and a
//!   200-run weight sensitivity (target: under 100 ms);
//! - on the synthetic city of 20,000 kelurahan (`tepat_benches::synth_city`, built once
//!   outside the timing; `TEPAT_BENCH_SYNTH_ZONES=N` for another size): `exposure`
//!   (overlapping classes), `interpolate` (2,000 census blocks → kelurahan), `access`
//!   (2SFCA, 2 km, 1,000 facilities).
//!
//! A case whose single run exceeds a budget (5 s, `TEPAT_BENCH_MAX_RUN_SECS`) is reported
//! with that one run's time instead of being benched, so the bench stays within minutes.
//!
//! `cargo bench -p tepat-benches --bench analyses` (or `make bench-analyses`); the same work
//! side by side with GeoPandas, tobler and PySAL `access` is `benches/peers/analyses.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::Value;
use std::time::{Duration, Instant};
use tepat_benches::synth_city::{params, synth_city, SEED_CITY};
use tepat_engine::project::Project;

/// Longest single run (s) a case may take to be benched; criterion needs at least 10
/// samples plus a warm-up, so a slower case would hold the bench for minutes. Override with
/// `TEPAT_BENCH_MAX_RUN_SECS`.
fn max_run_secs() -> f64 {
    std::env::var("TEPAT_BENCH_MAX_RUN_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5.0)
}

/// Benches `analysis` with `params` on `project`, after one untimed run that must succeed
/// (else the case is skipped with the reason, so one unfinished analysis does not hide the
/// others) and stay within [`max_run_secs`] (else its one run's time is printed instead).
fn case(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    project: &Project,
    label: &str,
    analysis: &str,
    params: Value,
) {
    let t = Instant::now();
    if let Err(e) = tepat_engine::analysis::run(project, analysis, params.clone()) {
        eprintln!("skipping {label}: {e}");
        return;
    }
    let once = t.elapsed().as_secs_f64();
    if once > max_run_secs() {
        eprintln!(
            "not benching {label}: one run took {once:.1} s, over the per-run budget of {:.0} s \
             (11 runs would take {:.0} s); set TEPAT_BENCH_MAX_RUN_SECS to bench it anyway",
            max_run_secs(),
            11.0 * once
        );
        return;
    }
    g.bench_function(label, |b| {
        b.iter(|| tepat_engine::analysis::run(project, analysis, params.clone()))
    });
}

fn demo(c: &mut Criterion) {
    let project = match tepat_datasets::demo_project() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the demo city's analyses: {e}");
            return;
        }
    };
    let mut g = c.benchmark_group("analyses_demo");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    case(
        &mut g,
        &project,
        "exposure_q25",
        "exposure",
        params::demo_exposure(),
    );
    case(
        &mut g,
        &project,
        "interpolate_kecamatan_kelurahan",
        "interpolate",
        params::demo_interpolate(),
    );
    case(
        &mut g,
        &project,
        "access_2sfca",
        "access",
        params::demo_access(),
    );
    case(&mut g, &project, "index", "index", params::demo_index());
    case(
        &mut g,
        &project,
        "chain_exposure_access_index",
        "index",
        params::demo_chain(),
    );
    g.finish();
}

fn synthetic(c: &mut Criterion) {
    let zones: usize = std::env::var("TEPAT_BENCH_SYNTH_ZONES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let project = match synth_city(zones, SEED_CITY).and_then(|city| city.project()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipping the synthetic city's analyses: {e:#}");
            return;
        }
    };
    let mut g = c.benchmark_group(format!("analyses_synth_{zones}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    case(
        &mut g,
        &project,
        "exposure",
        "exposure",
        params::synth_exposure(),
    );
    case(
        &mut g,
        &project,
        "interpolate",
        "interpolate",
        params::synth_interpolate(),
    );
    case(
        &mut g,
        &project,
        "access_2sfca",
        "access",
        params::synth_access(),
    );
    g.finish();
}

criterion_group!(benches, demo, synthetic);
criterion_main!(benches);
