//! `locate` against PySAL spopt (PuLP + CBC): spopt's own San Francisco test case (205
//! tracts × 16 stores, network distances, POP2000) and the demo city, on identical cost
//! tables (golden files written by `golden/make_spopt.py`); plus the infeasible cases,
//! capacities, budgets, the heuristic's honesty and brute-force checks on small instances.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use tepat_engine::analysis::locate::models::{self, Instance, Kind, Method, Spec};
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, Layer, Role, Value as Cell};
use tepat_engine::project::{LayerSpec, Project};
use tepat_engine::Error;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden() -> &'static Value {
    static G: OnceLock<Value> = OnceLock::new();
    G.get_or_init(|| {
        let text = std::fs::read_to_string(golden_dir().join("spopt_locate.json")).expect("golden");
        serde_json::from_str(&text).expect("json")
    })
}

/// Rows of a small CSV file (no quoted commas in these files).
fn csv(file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(golden_dir().join(file)).expect("csv");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn text_col(name: &str, rows: &[Vec<String>], k: usize) -> Column {
    Column::from_values(
        name,
        rows.iter().map(|r| Cell::Text(r[k].clone())).collect(),
    )
}

fn num_col(name: &str, rows: &[Vec<String>], k: usize) -> Column {
    Column::from_values(
        name,
        rows.iter()
            .map(|r| Cell::Float(r[k].parse().expect("number")))
            .collect(),
    )
}

fn spec(name: &str, role: &str) -> LayerSpec {
    LayerSpec {
        name: name.into(),
        role: role.into(),
        ..LayerSpec::default()
    }
}

/// San Francisco: `tracts` (demand, weight `pop2000`), `stores` (candidates), `od` (network
/// distances), all without geometry: the costs come from the table.
fn sf() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let (_, d) = csv("sf_demand.csv");
        let (_, s) = csv("sf_sites.csv");
        let (_, c) = csv("sf_costs.csv");
        let mut tracts = Layer::new(
            "tracts",
            Role::Demand,
            Some(Crs::Epsg(32610)),
            vec![None; d.len()],
            vec![text_col("id", &d, 0), num_col("pop2000", &d, 1)],
        )
        .expect("tracts");
        tracts.set_id_field("id").expect("id");
        let mut stores = Layer::new(
            "stores",
            Role::Facilities,
            Some(Crs::Epsg(32610)),
            vec![None; s.len()],
            vec![text_col("id", &s, 0)],
        )
        .expect("stores");
        stores.set_id_field("id").expect("id");
        let od = Layer::new(
            "od",
            Role::Table,
            None,
            vec![None; c.len()],
            vec![
                text_col("origin", &c, 0),
                text_col("destination", &c, 1),
                num_col("cost", &c, 2),
            ],
        )
        .expect("od");
        Project::from_layers(
            "sf",
            Crs::Epsg(32610),
            vec![
                (spec("tracts", "demand"), tracts),
                (spec("stores", "facilities"), stores),
                (spec("od", "table"), od),
            ],
        )
        .expect("project")
    })
}

/// The demo city plus `od`, the golden euclidean cost table kelurahan × (puskesmas + sekolah).
fn demo() -> &'static Project {
    static P: OnceLock<(tempfile::TempDir, Project)> = OnceLock::new();
    &P.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let toml = tepat_datasets::write_demo(dir.path()).expect("write demo");
        std::fs::copy(
            golden_dir().join("demo_locate_costs.csv"),
            dir.path().join("od.csv"),
        )
        .expect("copy costs");
        let mut text = std::fs::read_to_string(&toml).expect("toml");
        text.push_str("\n[[layers]]\nname = \"od\"\nrole = \"table\"\npath = \"od.csv\"\n");
        std::fs::write(&toml, text).expect("toml");
        let p = Project::load(&toml).expect("load demo");
        (dir, p)
    })
    .1
}

fn run(p: &Project, params: Value) -> AnalysisResult {
    analysis::run(p, "locate", params.clone()).unwrap_or_else(|e| panic!("{params}: {e}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        (a - b).abs() / b.abs()
    }
}

/// The result's objective equals spopt's (1e-6 relative), it is proven optimal, and, for
/// the models where spopt reports them, the unweighted coverage figures equal too.
fn matches_spopt(r: &AnalysisResult, run_name: &str) {
    let g = &golden()[run_name];
    let s = &r.summary;
    assert_eq!(g["status"], "Optimal", "{run_name}");
    assert_eq!(s["status"], "optimal", "{run_name}: {s:?}");
    let (got, want) = (f(&s["objective"]), f(&g["objective"]));
    assert!(
        rel(got, want) <= 1e-6,
        "{run_name}: tepat {got} vs spopt {want}"
    );
    assert!(f(&s["gap"]) <= 1e-6, "{run_name}: gap {}", s["gap"]);
    if let Some(u) = g.get("n_cli_uncov") {
        assert_eq!(s["uncovered_count"], *u, "{run_name}");
        let share = f(&g["perc_cov"]) / 100.0;
        assert!(rel(f(&s["covered_share"]), share) <= 1e-12, "{run_name}");
    }
    if let Some(m) = g.get("mean_dist") {
        assert!(
            rel(f(&s["mean_distance"]), f(m)) <= 1e-6,
            "{run_name}: mean {} vs {m}",
            s["mean_distance"]
        );
    }
    eprintln!(
        "{run_name}: tepat {got} vs spopt {want} (rel {:.2e}), {} ms",
        rel(got, want),
        s["solve_ms"]
    );
}

fn sf_params(model: &str) -> Value {
    json!({"model": model, "demand": "tracts", "weight": "pop2000", "candidates": "stores",
           "costs": {"layer": "od", "origin": "origin", "destination": "destination", "cost": "cost"}})
}

#[test]
fn sf_mclp_leaves_21_tracts_uncovered_as_spopt() {
    let mut p = sf_params("mclp");
    p["radius_m"] = json!(5000);
    p["p"] = json!(4);
    let r = run(sf(), p);
    matches_spopt(&r, "sf_mclp");
    // The published spopt test values.
    assert_eq!(r.summary["uncovered_count"], 21);
    assert!((f(&r.summary["covered_share"]) - 0.8975609756097561).abs() < 1e-12);
    assert_eq!(r.summary["selected"].as_array().map(Vec::len), Some(4));
}

#[test]
fn sf_pmedian_mean_distance_as_spopt() {
    let mut p = sf_params("pmedian");
    p["p"] = json!(4);
    let r = run(sf(), p);
    matches_spopt(&r, "sf_pmedian");
    assert!(rel(f(&r.summary["mean_distance"]), 2982.1268579890657) <= 1e-6);
}

#[test]
fn sf_lscp_and_pcenter_as_spopt() {
    let mut p = sf_params("lscp");
    p["radius_m"] = json!(5000);
    let r = run(sf(), p);
    matches_spopt(&r, "sf_lscp");
    assert_eq!(r.summary["uncovered_count"], 0);
    let mut p = sf_params("pcenter");
    p["p"] = json!(4);
    let r = run(sf(), p);
    matches_spopt(&r, "sf_pcenter");
    assert!(rel(f(&r.summary["max_distance"]), f(&r.summary["objective"])) <= 1e-12);
}

fn demo_params(model: &str, existing: bool) -> Value {
    let mut p = json!({"model": model, "demand": "kelurahan", "candidates": "sekolah",
        "costs": {"layer": "od", "origin": "origin", "destination": "destination", "cost": "cost"}});
    if existing {
        p["existing"] = json!("puskesmas");
    }
    p
}

#[test]
fn demo_models_match_spopt_on_the_same_cost_table() {
    let mut p = demo_params("mclp", true);
    p["radius_m"] = json!(1000);
    p["p"] = json!(3);
    p["weight"] = json!("poor_households");
    p["zones"] = json!("kecamatan");
    let r = run(demo(), p);
    matches_spopt(&r, "demo_mclp_poor");
    // Zone rows: after ≥ before (existing sites stay open), and they add up.
    let zones: Vec<_> = r.rows.iter().filter(|x| x["kind"] == "zone").collect();
    assert!(!zones.is_empty());
    let mut after = 0.0;
    for z in &zones {
        assert!(f(&z["covered_weight_after"]) >= f(&z["covered_weight_before"]) - 1e-9);
        after += f(&z["covered_weight_after"]);
    }
    assert!(rel(after, f(&r.summary["objective"])) < 1e-9);
    assert!(f(&r.summary["objective"]) >= f(&r.summary["covered_weight_before"]));

    let mut p = demo_params("mclp", false);
    p["radius_m"] = json!(1000);
    p["p"] = json!(5);
    let r = run(demo(), p);
    matches_spopt(&r, "demo_mclp_new");

    let mut p = demo_params("pmedian", true);
    p["p"] = json!(3);
    let r = run(demo(), p);
    matches_spopt(&r, "demo_pmedian");

    let mut p = demo_params("pcenter", true);
    p["p"] = json!(3);
    let r = run(demo(), p);
    matches_spopt(&r, "demo_pcenter");

    let mut p = demo_params("lscp", true);
    p["radius_m"] = json!(1500);
    let r = run(demo(), p);
    matches_spopt(&r, "demo_lscp");
}

#[test]
fn demo_rows_describe_the_plan() {
    let mut p = demo_params("pmedian", true);
    p["p"] = json!(3);
    p["zones"] = json!("kelurahan");
    let r = run(demo(), p);
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let count = |k: &str| r.rows.iter().filter(|x| x["kind"] == k).count();
    assert_eq!(count("demand"), kel.len());
    assert_eq!(count("zone"), kel.len());
    assert_eq!(count("site"), 16 + 3, "16 puskesmas stay open, 3 new sites");
    let selected = r.summary["selected"].as_array().expect("selected");
    assert_eq!(selected.len(), 3);
    for s in selected {
        let row = r
            .rows
            .iter()
            .find(|x| x["kind"] == "site" && x["id"] == *s)
            .expect("a row per selected site");
        assert_eq!(row["existing"], false);
    }
    // Every demand row names its site, at a cost no worse than before.
    let mut total = 0.0;
    for d in r.rows.iter().filter(|x| x["kind"] == "demand") {
        assert!(d["site"].is_string());
        assert!(f(&d["distance"]) <= f(&d["distance_before"]) + 1e-9);
        total += f(&d["weight"]) * f(&d["distance"]);
    }
    assert!(rel(total, f(&r.summary["objective"])) < 1e-9);
}

#[test]
fn demo_euclidean_geometry_equals_the_cost_table() {
    // tepat's own distances (kelurahan centroids, school points) against the golden table:
    // the same optimum up to reprojection noise.
    let mut p = demo_params("pmedian", true);
    p["p"] = json!(3);
    p.as_object_mut().expect("object").remove("costs");
    let r = run(demo(), p);
    let want = f(&golden()["demo_pmedian"]["objective"]);
    assert!(rel(f(&r.summary["objective"]), want) <= 1e-6);
    assert_eq!(r.summary["cost_source"], "euclidean");
}

#[test]
fn demo_grid_candidates_outside_the_flood_and_a_budget() {
    let r = run(
        demo(),
        json!({"model": "mclp", "demand": "kelurahan", "weight": "poor_households",
               "grid": {"spacing_m": 1000, "within": "daratan"}, "existing": "puskesmas",
               "exclude_hazard": "banjir_q100", "radius_m": 1000, "p": 2}),
    );
    assert_eq!(r.summary["status"], "optimal");
    assert!(r.summary["candidates_in_hazard"].as_u64().expect("count") > 0);
    for id in r.summary["selected"].as_array().expect("selected") {
        assert!(id.as_str().expect("id").starts_with("grid-"));
    }
    // A budget instead of p: site costs from a field of the candidates.
    let r = run(
        demo(),
        json!({"model": "mclp", "demand": "kelurahan", "candidates": "sekolah",
               "site_cost": "students", "budget": 2000, "radius_m": 1000}),
    );
    assert_eq!(r.summary["status"], "optimal");
    assert!(f(&r.summary["total_site_cost"]) <= 2000.0 + 1e-9);
}

#[test]
fn demo_weights_from_another_analysis() {
    // People exposed to the 25-year flood per kelurahan (the `exposure` rows) as the weight.
    let r = run(
        demo(),
        json!({"model": "mclp", "demand": "kelurahan", "candidates": "sekolah", "radius_m": 1000, "p": 2,
               "weight_from": {"analysis": "exposure", "field": "exposed_population",
                               "params": {"zones": "kelurahan", "hazard": "banjir_q25"}}}),
    );
    let ex = analysis::run(
        demo(),
        "exposure",
        json!({"zones": "kelurahan", "hazard": "banjir_q25"}),
    )
    .expect("exposure");
    let total: f64 = ex.rows.iter().map(|x| f(&x["exposed_population"])).sum();
    assert!(rel(f(&r.summary["total_weight"]), total) < 1e-9);
    assert_eq!(r.summary["status"], "optimal");
}

#[test]
fn heuristic_reports_an_honest_gap_on_the_demo() {
    let mut p = demo_params("mclp", false);
    p["radius_m"] = json!(1000);
    p["p"] = json!(5);
    p["method"] = json!("heuristic");
    let r = run(demo(), p);
    let opt = f(&golden()["demo_mclp_new"]["objective"]);
    let (obj, bound) = (f(&r.summary["objective"]), f(&r.summary["bound"]));
    assert!(
        obj <= opt + 1e-6 && bound >= opt - 1e-6,
        "{obj} ≤ {opt} ≤ {bound}"
    );
    assert!(r.summary["gap"].is_number());
    assert_eq!(r.summary["method"], "heuristic");
}

fn invalid_param(r: Result<AnalysisResult, Error>) -> String {
    match r {
        Err(Error::InvalidParams {
            analysis, param, ..
        }) => {
            assert_eq!(analysis, "locate");
            param
        }
        other => panic!("expected InvalidParams, got {other:?}"),
    }
}

#[test]
fn infeasible_cases_are_typed_errors() {
    // LSCP with a radius too small (spopt's own infeasible cases: 20 m and 0 m).
    for radius in [20.0, 0.0] {
        let mut p = sf_params("lscp");
        p["radius_m"] = json!(radius);
        assert_eq!(invalid_param(analysis::run(sf(), "locate", p)), "radius_m");
    }
    // p larger than the sites.
    let mut p = sf_params("mclp");
    p["radius_m"] = json!(5000);
    p["p"] = json!(1000);
    assert_eq!(invalid_param(analysis::run(sf(), "locate", p)), "p");
    // p = 0 with nothing open.
    let mut p = sf_params("pmedian");
    p["p"] = json!(0);
    assert_eq!(invalid_param(analysis::run(sf(), "locate", p)), "p");
    // Capacity below demand: puskesmas capacities against the whole population.
    let p = json!({"model": "pmedian", "demand": "kelurahan", "candidates": "puskesmas",
                   "capacity": "capacity", "p": 3});
    assert_eq!(
        invalid_param(analysis::run(demo(), "locate", p)),
        "capacity"
    );
    // Missing radius, p with lscp.
    let p = json!({"model": "mclp", "demand": "kelurahan", "candidates": "sekolah", "p": 2});
    assert_eq!(
        invalid_param(analysis::run(demo(), "locate", p)),
        "radius_m"
    );
    let p = json!({"model": "lscp", "demand": "kelurahan", "candidates": "sekolah", "p": 2, "radius_m": 1000});
    assert_eq!(invalid_param(analysis::run(demo(), "locate", p)), "p");
}

// ---- small instances: capacities, budgets, brute force ----

/// Deterministic pseudo-random numbers (no RNG crate needed here).
fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

fn random_instance(seed: u64, n: usize, m: usize, radius: Option<f64>) -> Instance {
    let mut s = seed;
    let pts: Vec<(f64, f64)> = (0..n + m)
        .map(|_| (lcg(&mut s) * 10.0, lcg(&mut s) * 10.0))
        .collect();
    let reach = (0..n)
        .map(|i| {
            let mut l: Vec<(u32, f64)> = (0..m)
                .map(|j| {
                    let (a, b) = (pts[i], pts[n + j]);
                    (j as u32, ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
                })
                .filter(|x| radius.is_none_or(|r| x.1 <= r))
                .collect();
            l.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            l
        })
        .collect();
    Instance {
        weight: (0..n).map(|_| (1.0 + 9.0 * lcg(&mut s)).round()).collect(),
        reach,
        sites: m,
        forced: vec![false; m],
        site_cost: (0..m).map(|_| (1.0 + 4.0 * lcg(&mut s)).round()).collect(),
        capacity: None,
    }
}

/// Best objective over every set of `p` sites (uncapacitated), by enumeration.
fn brute_force(inst: &Instance, kind: Kind, p: usize, budget: Option<f64>) -> f64 {
    let m = inst.sites;
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << m) {
        if mask.count_ones() as usize != p {
            continue;
        }
        let open: Vec<bool> = (0..m).map(|j| mask & (1 << j) != 0).collect();
        let cost: f64 = (0..m).filter(|&j| open[j]).map(|j| inst.site_cost[j]).sum();
        if budget.is_some_and(|b| cost > b) {
            continue;
        }
        let assign: Vec<Option<(u32, f64)>> = inst
            .reach
            .iter()
            .map(|l| l.iter().copied().find(|&(j, _)| open[j as usize]))
            .collect();
        let v = models::objective_of(inst, kind, &open, &assign);
        let better = match (best, kind) {
            (None, _) => true,
            (Some(b), Kind::Mclp) => v > b,
            (Some(b), _) => v < b,
        };
        if better {
            best = Some(v);
        }
    }
    best.expect("some subset")
}

fn spec_of(kind: Kind, p: usize, budget: Option<f64>, method: Method) -> Spec {
    Spec {
        kind,
        p: Some(p),
        budget,
        method,
        time_limit: Duration::from_secs(30),
    }
}

#[test]
fn exact_and_heuristic_against_brute_force() {
    for seed in 1..=4u64 {
        for (kind, radius) in [
            (Kind::Mclp, Some(2.5)),
            (Kind::PMedian, None),
            (Kind::PCenter, None),
        ] {
            let inst = random_instance(seed, 30, 10, radius);
            for budget in [None, Some(7.0)] {
                let want = brute_force(&inst, kind, 3, budget);
                let e =
                    models::solve(&inst, &spec_of(kind, 3, budget, Method::Exact)).expect("exact");
                assert_eq!(e.status, "optimal");
                assert!(
                    rel(e.objective, want) <= 1e-9,
                    "{kind:?} seed {seed} budget {budget:?}: {} vs {want}",
                    e.objective
                );
                let h = models::solve(&inst, &spec_of(kind, 3, budget, Method::Heuristic))
                    .expect("heuristic");
                let b = h.bound.expect("bound");
                if kind == Kind::Mclp {
                    assert!(h.objective <= want + 1e-9 && b >= want - 1e-9);
                } else {
                    assert!(h.objective >= want - 1e-9 && b <= want + 1e-9);
                }
            }
        }
    }
}

#[test]
fn capacitated_models_by_hand() {
    // Two demand points of weight 6 at 0 and 1; sites A at 0 (capacity 6) and B at 10
    // (capacity 10). p = 2: each point goes to a site; A can take only one point.
    let inst = Instance {
        weight: vec![6.0, 6.0],
        reach: vec![vec![(0, 0.0), (1, 10.0)], vec![(0, 1.0), (1, 9.0)]],
        sites: 2,
        forced: vec![false, false],
        site_cost: vec![0.0, 0.0],
        capacity: Some(vec![6.0, 10.0]),
    };
    // p-median: (0 → A, 1 → B) = 6·0 + 6·9 = 54 beats (0 → B, 1 → A) = 60 + 6 = 66.
    let r = models::solve(&inst, &spec_of(Kind::PMedian, 2, None, Method::Auto)).expect("pmedian");
    assert_eq!(r.status, "optimal");
    assert!((r.objective - 54.0).abs() < 1e-9);
    assert_eq!(r.assign[0].map(|a| a.0), Some(0));
    assert_eq!(r.assign[1].map(|a| a.0), Some(1));
    // p-center: max(0, 9) = 9 beats max(10, 1) = 10.
    let r = models::solve(&inst, &spec_of(Kind::PCenter, 2, None, Method::Auto)).expect("pcenter");
    assert!((r.objective - 9.0).abs() < 1e-9);
    // Capacitated MCLP within radius 5 and one site: A covers only one of the two points.
    let near = Instance {
        reach: vec![vec![(0, 0.0)], vec![(0, 1.0)]],
        ..inst.clone()
    };
    let r = models::solve(&near, &spec_of(Kind::Mclp, 1, None, Method::Auto)).expect("mclp");
    assert!((r.objective - 6.0).abs() < 1e-9);
    assert_eq!(r.assign.iter().filter(|a| a.is_some()).count(), 1);
    // Capacitated LSCP: A alone cannot serve both points, so both sites open.
    let spec = Spec {
        kind: Kind::Lscp,
        p: None,
        budget: None,
        method: Method::Auto,
        time_limit: Duration::from_secs(10),
    };
    let r = models::solve(&inst, &spec).expect("lscp");
    assert!((r.objective - 2.0).abs() < 1e-9);
    // Total capacity below total demand: a typed error, before any solver runs.
    let short = Instance {
        capacity: Some(vec![3.0, 3.0]),
        ..inst
    };
    let e = models::solve(&short, &spec_of(Kind::PMedian, 2, None, Method::Auto))
        .expect_err("infeasible");
    assert_eq!(e.param, "capacity");
}

#[test]
fn existing_sites_stay_open_and_do_not_count_in_p() {
    let mut inst = random_instance(9, 25, 8, None);
    inst.forced[2] = true;
    let r = models::solve(&inst, &spec_of(Kind::PMedian, 2, None, Method::Exact)).expect("solve");
    assert!(r.open[2]);
    assert_eq!(r.open.iter().filter(|o| **o).count(), 3);
}
