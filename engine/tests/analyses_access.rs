//! `access` on the demo city and on the real Manado/Bitung data, against PySAL `access`
//! (golden files written by `golden/make_access.py`), plus bad input.
//!
//! The demo is written to files and loaded back, as the golden script reads it; the demo's
//! euclidean cost table the script built (`golden/demo_access_costs.csv`) is added to the
//! project as a `table` layer `od`, so the cost-table source is checked against PySAL on
//! exactly PySAL's costs. The real-city tests skip (saying why) without
//! `../shared/datasets/real`, unless `TEPAT_REQUIRE_REAL_DATA=1`.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, ColumnData, Layer, Role};
use tepat_engine::project::Project;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The demo city plus `od`, the golden euclidean cost table.
fn demo() -> &'static Project {
    static P: OnceLock<(tempfile::TempDir, Project)> = OnceLock::new();
    &P.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let toml = tepat_datasets::write_demo(dir.path()).expect("write demo");
        std::fs::copy(
            golden_dir().join("demo_access_costs.csv"),
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
    analysis::run(p, "access", params.clone()).unwrap_or_else(|e| panic!("{params}: {e}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Every cell of golden CSV `file` (header: id then result columns; an empty cell = null)
/// equals the result row with that id within 1e-6 relative; every row is covered. Prints
/// the largest relative difference per column (`cargo test -- --nocapture`).
fn matches_pysal(r: &AnalysisResult, file: &str) {
    let text = std::fs::read_to_string(golden_dir().join(file)).expect("golden");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let rows: BTreeMap<&str, &serde_json::Map<String, Value>> = r
        .rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or_default(), r))
        .collect();
    let mut n = 0;
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let row = rows
            .get(cells[0])
            .unwrap_or_else(|| panic!("{file}: no row for {}", cells[0]));
        for (name, cell) in header.iter().zip(&cells).skip(1) {
            if cell.is_empty() {
                assert!(
                    row[*name].is_null(),
                    "{file} {} {name}: {}",
                    cells[0],
                    row[*name]
                );
                continue;
            }
            let want: f64 = cell.parse().expect("number");
            let got = f(&row[*name]);
            let rel = if want == 0.0 {
                got.abs()
            } else {
                (got - want).abs() / want.abs()
            };
            assert!(
                rel <= 1e-6,
                "{file} {} {name}: tepat {got} vs PySAL {want}",
                cells[0]
            );
            let w = worst.entry(name).or_default();
            *w = w.max(rel);
        }
        n += 1;
    }
    assert_eq!(n, rows.len(), "{file} covers every row");
    eprintln!("{file}: {n} rows, max relative difference per column {worst:?}");
}

/// covered + uncovered = population per row and in total; the demand-weighted mean of
/// `access` is 1.
fn invariants(r: &AnalysisResult) {
    let (mut pop, mut weighted) = (0.0, 0.0);
    for row in &r.rows {
        let p = f(&row["population"]);
        let (c, u) = (
            f(&row["covered_population"]),
            f(&row["uncovered_population"]),
        );
        assert!(c >= 0.0 && u >= 0.0 && (c + u - p).abs() <= 1e-9 * p.max(1.0));
        pop += p;
        if let Some(a) = row["access"].as_f64() {
            weighted += a * p;
        }
    }
    let s = &r.summary;
    assert!((f(&s["covered_population"]) + f(&s["uncovered_population"]) - pop).abs() < 1e-6);
    assert!(
        (weighted / pop - 1.0).abs() < 1e-9,
        "mean access {}",
        weighted / pop
    );
}

const DEMO: &str = r#"{"demand": "kelurahan", "facilities": "puskesmas"}"#;

fn demo_params(extra: Value) -> Value {
    let mut p: Value = serde_json::from_str(DEMO).expect("json");
    for (k, v) in extra.as_object().expect("object") {
        p[k] = v.clone();
    }
    p
}

fn od() -> Value {
    json!({"layer": "od", "origin": "origin", "destination": "dest", "cost": "cost"})
}

#[test]
fn demo_2sfca_matches_pysal_from_geometry_and_from_the_cost_table() {
    let r = run(
        demo(),
        demo_params(json!({"method": "2sfca", "radius_m": 2000})),
    );
    assert_eq!(r.rows.len(), 83);
    assert_eq!(r.meta.row_layer.as_deref(), Some("kelurahan"));
    assert_eq!(r.params["population"], "population");
    assert_eq!(r.params["capacity"], "capacity");
    assert_eq!(r.summary["cost_source"], "euclidean");
    assert_eq!(r.summary["facilities_open"], 16);
    matches_pysal(&r, "demo_access_2sfca.csv");
    invariants(&r);
    // Capacity is conserved: Σ P·A = the capacity of the puskesmas anyone reaches.
    let served: f64 = r
        .rows
        .iter()
        .map(|row| f(&row["population"]) * f(&row["access_raw"]))
        .sum();
    assert!(served <= f(&r.summary["total_capacity_open"]) + 1e-6);

    let t = run(
        demo(),
        demo_params(json!({"method": "2sfca", "radius_m": 2000, "costs": od()})),
    );
    assert_eq!(t.summary["cost_source"], "table od");
    assert_eq!(t.summary["cost_rows_used"], 83 * 16);
    matches_pysal(&t, "demo_access_2sfca.csv");
}

#[test]
fn demo_e2sfca_default_steps_match_pysal() {
    let r = run(
        demo(),
        demo_params(json!({"method": "e2sfca", "radius_m": 3000})),
    );
    assert_eq!(
        r.params["weights"],
        json!({"steps": [[1000.0, 1.0], [2000.0, 0.68], [3000.0, 0.22]]})
    );
    matches_pysal(&r, "demo_access_e2sfca.csv");
    invariants(&r);
    let t = run(
        demo(),
        demo_params(json!({"method": "e2sfca", "radius_m": 3000, "costs": od()})),
    );
    matches_pysal(&t, "demo_access_e2sfca.csv");
}

#[test]
fn demo_e2sfca_gaussian_matches_pysal() {
    let r = run(
        demo(),
        demo_params(json!({"method": "e2sfca", "weights": {"gaussian": 1500}})),
    );
    matches_pysal(&r, "demo_access_e2sfca_gaussian.csv");
    invariants(&r);
}

#[test]
fn demo_coverage_and_gravity_match_pysal_weighted_catchment() {
    let r = run(
        demo(),
        demo_params(json!({"method": "coverage", "radius_m": 2000})),
    );
    matches_pysal(&r, "demo_access_coverage.csv");
    invariants(&r);
    // Covered = a puskesmas within 2 km = a positive catchment.
    for row in &r.rows {
        assert_eq!(
            f(&row["access_raw"]) > 0.0,
            f(&row["covered_population"]) > 0.0,
            "{}",
            row["id"]
        );
    }
    let r = run(demo(), demo_params(json!({"method": "gravity"})));
    assert_eq!(
        r.params["gravity"],
        json!({"scale": 1000.0, "alpha": -1.0, "min_cost": 0.0})
    );
    matches_pysal(&r, "demo_access_gravity.csv");
    invariants(&r);
}

#[test]
fn demo_flood_closes_puskesmas_and_lowers_access() {
    let base = run(
        demo(),
        demo_params(json!({"method": "2sfca", "radius_m": 2000})),
    );
    let r = run(
        demo(),
        demo_params(
            json!({"method": "2sfca", "radius_m": 2000, "exclude_in_hazard": "banjir_q100"}),
        ),
    );
    assert_eq!(
        r.summary["closed_facilities"],
        json!(["PKM-01", "PKM-02", "PKM-04", "PKM-06"])
    );
    assert_eq!(r.summary["facilities_open"], 12);
    matches_pysal(&r, "demo_access_2sfca_q100.csv");
    invariants(&r);
    assert!(f(&r.summary["covered_population"]) < f(&base.summary["covered_population"]));
    assert!(f(&r.summary["mean_nearest_m"]) > f(&base.summary["mean_nearest_m"]));
    // The same puskesmas are the ones `exposure` finds in the Q100 flood.
    let e = analysis::run(
        demo(),
        "exposure",
        json!({"zones": "kelurahan", "hazard": "banjir_q100", "facilities": "puskesmas"}),
    )
    .expect("exposure");
    let mut exposed: Vec<Value> = e
        .rows
        .iter()
        .filter_map(|row| row["facilities_exposed"].as_array())
        .flatten()
        .cloned()
        .collect();
    exposed.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(Value::Array(exposed), r.summary["closed_facilities"]);
}

#[test]
fn demo_nearest_and_kth() {
    let r = run(demo(), demo_params(json!({"k": 3, "radius_m": 1500})));
    assert_eq!(r.summary["method"], "nearest");
    for row in &r.rows {
        let (n, k) = (f(&row["nearest_m"]), f(&row["kth_m"]));
        assert!(n <= k, "{}", row["id"]);
        assert_eq!(row["access_raw"], row["nearest_m"]);
        assert_eq!(
            f(&row["covered_population"]) > 0.0,
            n <= 1500.0,
            "{}",
            row["id"]
        );
    }
    // nearest_m is PySAL's cost table minimum (the golden's nearest_m column).
    let golden = run(
        demo(),
        demo_params(json!({"method": "2sfca", "radius_m": 2000})),
    );
    for (a, b) in r.rows.iter().zip(&golden.rows) {
        assert_eq!(a["nearest_m"], b["nearest_m"]);
        assert_eq!(a["nearest_id"], b["nearest_id"]);
    }
    let w = f(&r.summary["mean_nearest_m"]);
    assert!(w > 0.0 && w <= f(&r.summary["max_nearest_m"]));
}

#[test]
fn bad_input_is_named() {
    let p = demo();
    let err = |extra: Value| analysis::run(p, "access", demo_params(extra)).expect_err("bad input");
    let e = err(json!({"facilities": "klinik"}));
    assert_eq!(e.kind(), "unknown-layer", "{e}");
    let e = err(json!({"zones": "kelurahan_x"}));
    assert_eq!(e.kind(), "unknown-layer", "{e}");
    let e = err(json!({"exclude_in_hazard": "banjir_q1000"}));
    assert_eq!(e.kind(), "unknown-layer", "{e}");
    let e = err(json!({"population": "penduduk"}));
    assert_eq!(e.kind(), "unknown-field", "{e}");
    assert!(e.to_string().contains("penduduk"), "{e}");
    let e = err(json!({"capacity": "kapasitas"}));
    assert_eq!(e.kind(), "unknown-field", "{e}");
    let e = err(json!({"kind": ["puskesmas"], "kind_field": "jenis"}));
    assert_eq!(e.kind(), "unknown-field", "{e}");
    // Wrong roles and shapes.
    let e = err(json!({"facilities": "banjir_q25"}));
    assert!(e.to_string().contains("parameter 'facilities'"), "{e}");
    let e = err(json!({"demand": "puskesmas"}));
    assert!(e.to_string().contains("parameter 'demand'"), "{e}");
    let e = err(json!({"zones": "kecamatan"}));
    assert!(e.to_string().contains("parameter 'zones'"), "{e}");
    let e = err(json!({"method": "2sfca"}));
    assert!(e.to_string().contains("radius_m"), "{e}");
    // Cost tables: a field the table lacks, a key the params lack, a non-numeric cost.
    let e = err(
        json!({"costs": {"layer": "od", "origin": "asal", "destination": "dest", "cost": "cost"}}),
    );
    assert_eq!(e.kind(), "unknown-field", "{e}");
    let e = err(json!({"costs": {"layer": "od", "origin": "origin", "cost": "cost"}}));
    assert_eq!(e.kind(), "invalid-params", "{e}");
    assert!(e.to_string().contains("destination"), "{e}");
    let e = err(
        json!({"costs": {"layer": "od", "origin": "origin", "destination": "dest", "cost": "dest"}}),
    );
    assert_eq!(e.kind(), "field-type", "{e}");
    let e =
        err(json!({"costs": {"layer": "jarak", "origin": "o", "destination": "d", "cost": "c"}}));
    assert_eq!(e.kind(), "unknown-layer", "{e}");
}

#[test]
fn zero_population_demand_is_defined() {
    // Demand at the puskesmas themselves, nobody living there.
    let tmp = tempfile::tempdir().expect("tmp");
    let toml = tepat_datasets::write_demo(tmp.path()).expect("demo");
    let mut p = Project::load(&toml).expect("load");
    let pk = p.layers.get("puskesmas").expect("puskesmas");
    let n = pk.len();
    let d = Layer::new(
        "kosong",
        Role::Demand,
        Some(Crs::Epsg(32651)),
        pk.geometries.clone(),
        vec![Column {
            name: "jiwa".into(),
            data: ColumnData::Int(vec![Some(0); n]),
        }],
    )
    .expect("layer");
    p.layers.insert(d);
    for method in [json!("2sfca"), json!("e2sfca"), json!("coverage")] {
        let r = run(
            &p,
            json!({"demand": "kosong", "population": "jiwa", "facilities": "puskesmas", "method": method, "radius_m": 2000}),
        );
        assert_eq!(r.summary["population"], 0.0);
        assert_eq!(r.summary["covered_share"], Value::Null);
        for row in &r.rows {
            assert_eq!(row["covered_population"], 0.0);
            assert_eq!(row["uncovered_population"], 0.0);
            assert_eq!(row["nearest_m"], 0.0);
            let raw = f(&row["access_raw"]);
            assert!(raw.is_finite(), "{method}: {raw}");
        }
        if method == "coverage" {
            // Plain-mean normalization: every value defined.
            assert!(r.rows.iter().all(|row| row["access"].is_number()));
        } else {
            // No one to serve: R = 0 everywhere, so the normalizer is 0 and access null.
            assert!(r.rows.iter().all(|row| row["access_raw"] == 0.0));
            assert!(r.rows.iter().all(|row| row["access"].is_null()));
        }
    }
}

// ---- The real city: Manado + Bitung ----------------------------------------------------

const GHS: &str = "ghs-pop-grid-manado-bitung/ghs_pop_points_manado_bitung.geojson";
const FASKES: &str = "health-facilities-kemenkes-2019/faskes_sulut_2019.geojson";
const KELURAHAN: &str = "sulut-admin-boundaries/kelurahan_manado_bitung.geojson";

fn real() -> Option<&'static Project> {
    static P: OnceLock<Option<(tempfile::TempDir, Project)>> = OnceLock::new();
    P.get_or_init(|| {
        let dir = crate::real_data::dir("", &[GHS, FASKES, KELURAHAN])?;
        let path = |f: &str| toml::Value::String(dir.join(f).display().to_string()).to_string();
        let text = format!(
            r#"name = "Manado + Bitung (real data)"
crs = "EPSG:32651"

[[layers]]
name = "ghs"
role = "demand"
path = {ghs}
population = "pop"

[[layers]]
name = "faskes"
role = "facilities"
path = {fas}
id = "kode_faskes"
kind = "jenis_faskes"

[[layers]]
name = "kelurahan"
role = "zones"
path = {kel}
id = "kode"
"#,
            ghs = path(GHS),
            fas = path(FASKES),
            kel = path(KELURAHAN),
        );
        let tmp = tempfile::tempdir().expect("tmp");
        let file = tmp.path().join("tepat.toml");
        std::fs::write(&file, text).expect("toml");
        let p = Project::load(&file).expect("load the real city");
        Some((tmp, p))
    })
    .as_ref()
    .map(|(_, p)| p)
}

fn real_params(extra: Value) -> Value {
    let mut p = json!({"demand": "ghs", "facilities": "faskes", "kind": ["PUSKESMAS"]});
    for (k, v) in extra.as_object().expect("object") {
        p[k] = v.clone();
    }
    p
}

#[test]
fn real_city_2sfca_per_ghs_point_matches_pysal() {
    let Some(p) = real() else { return };
    let r = run(p, real_params(json!({"method": "2sfca", "radius_m": 5000})));
    assert_eq!(r.rows.len(), 1122);
    assert_eq!(r.summary["facilities_open"], 170);
    assert_eq!(r.summary["facilities_other_kind"], 26);
    assert_eq!(r.params["capacity"], Value::Null);
    matches_pysal(&r, "real_access_2sfca.csv");
    invariants(&r);
}

#[test]
fn real_city_e2sfca_gaussian_matches_pysal() {
    let Some(p) = real() else { return };
    let r = run(
        p,
        real_params(json!({"method": "e2sfca", "weights": {"gaussian": 2500}, "radius_m": 10000})),
    );
    matches_pysal(&r, "real_access_e2sfca.csv");
    invariants(&r);
}

#[test]
fn real_city_2sfca_per_kelurahan_matches_pysal_weighted() {
    let Some(p) = real() else { return };
    let r = run(
        p,
        real_params(json!({"method": "2sfca", "radius_m": 5000, "zones": "kelurahan"})),
    );
    assert_eq!(r.rows.len(), 156);
    assert_eq!(r.meta.row_layer.as_deref(), Some("kelurahan"));
    matches_pysal(&r, "real_access_2sfca_kelurahan.csv");
    assert_eq!(r.summary["demand_outside_zones"], 774);
    // Zone populations plus the population outside every kelurahan = all GHS points.
    let inside: f64 = r.rows.iter().map(|row| f(&row["population"])).sum();
    let total = f(&r.summary["population"]);
    assert!((inside + f(&r.summary["population_outside_zones"]) - total).abs() < 1e-6 * total);
    for row in &r.rows {
        let (c, u, pop) = (
            f(&row["covered_population"]),
            f(&row["uncovered_population"]),
            f(&row["population"]),
        );
        assert!((c + u - pop).abs() <= 1e-9 * pop.max(1.0));
        if row["demand_points"] == 0 {
            assert!(row["nearest_id"].is_null() && row["access"].is_null());
        } else {
            assert!(f(&row["nearest_m"]) <= f(&row["nearest_m_max"]) + 1e-9);
        }
    }
}
