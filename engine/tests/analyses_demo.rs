//! Every registered analysis on the demo city, with outputs checked (not only that it ran).
//!
//! The demo is written to files and loaded back, as a user would, so the GeoPandas golden
//! file (`golden/make_demo_exposure.py`, reading the same files) sees the same input. If the
//! demo generator changes, regenerate it with the command in that script.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::project::Project;

pub fn demo() -> &'static Project {
    static P: OnceLock<(tempfile::TempDir, Project)> = OnceLock::new();
    &P.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let toml = tepat_datasets::write_demo(dir.path()).expect("write demo");
        let p = Project::load(&toml).expect("load demo");
        (dir, p)
    })
    .1
}

fn run(name: &str, params: Value) -> AnalysisResult {
    analysis::run(demo(), name, params).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Every cell of golden CSV `file` (header: `kode` then result columns) equals the result row
/// with that id within 1e-6 relative (the scale never below `floor`), and every row is covered.
fn matches_golden(r: &AnalysisResult, file: &str, tool: &str, floor: f64) {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    let golden = std::fs::read_to_string(&path).expect("golden");
    let mut lines = golden.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let rows: BTreeMap<&str, &serde_json::Map<String, Value>> = r
        .rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or_default(), r))
        .collect();
    let mut n = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let row = rows
            .get(cells[0])
            .unwrap_or_else(|| panic!("no row for {}", cells[0]));
        for (name, cell) in header.iter().zip(&cells).skip(1) {
            let want: f64 = cell.parse().expect("number");
            let got = f(&row[*name]);
            assert!(
                (got - want).abs() <= 1e-6 * want.abs().max(floor),
                "{} {name}: tepat {got} vs {tool} {want}",
                cells[0]
            );
        }
        n += 1;
    }
    assert_eq!(n, rows.len(), "{file} covers every row");
}

#[test]
fn every_registered_analysis_is_covered_here() {
    let names: Vec<_> = analysis::registry().iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "aggregate",
            "exposure",
            "interpolate",
            "access",
            "index",
            "locate",
            "allocate",
            "hotspots",
            // Demo-city tests beside their goldens: engine/tests/clusters.rs (`demo_*`).
            "clusters",
            // engine/tests/complaints.rs (`demo_complaints_per_kelurahan`).
            "complaints"
        ],
        "add a demo-city test for each new analysis"
    );
}

#[test]
fn aggregate_schools_per_kelurahan() {
    let r = run(
        "aggregate",
        json!({"zones": "kelurahan", "layer": "sekolah", "sum": ["students"]}),
    );
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let schools = demo().layers.get("sekolah").expect("sekolah");
    assert_eq!(
        r.rows.len(),
        kel.len(),
        "one row per kelurahan, empty ones included"
    );
    let ids: Vec<&str> = r.rows.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows sorted by id");
    // Every school stands in a kelurahan (the generator places them there).
    let count: u64 = r.rows.iter().filter_map(|r| r["count"].as_u64()).sum();
    assert_eq!(count as usize, schools.len());
    assert_eq!(r.summary["total_count"], schools.len());
    assert_eq!(r.summary["outside_count"], 0);
    let students = schools.numeric_column("students").expect("students");
    let total: f64 = (0..schools.len()).filter_map(|i| students.f64_at(i)).sum();
    assert!((f(&r.summary["total_sum_students"]) - total).abs() < 1e-6);
    for row in &r.rows {
        if row["count"] == 0 {
            assert_eq!(row["mean_students"], Value::Null);
        } else {
            let mean = f(&row["sum_students"]) / f(&row["count"]);
            assert!((f(&row["mean_students"]) - mean).abs() < 1e-9);
        }
    }
}

#[test]
fn aggregate_table_by_code_matches_every_kelurahan() {
    let r = run(
        "aggregate",
        json!({"zones": "kelurahan", "layer": "statistik", "sum": ["penduduk_bps"]}),
    );
    assert_eq!(r.summary["unmatched_keys"], json!([]));
    assert!(
        r.rows.iter().all(|row| row["count"] == 1),
        "one statistics row per kelurahan"
    );
}

#[test]
fn exposure_q25_matches_geopandas_overlay() {
    let r = run(
        "exposure",
        json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class", "classes": ["rendah", "sedang", "tinggi"], "facilities": "puskesmas"}),
    );
    // 1e-6 relative, with an absolute floor of 1e-3 m² / people for empty intersections.
    matches_golden(&r, "demo_exposure_q25.csv", "GeoPandas", 1e3);
}

#[test]
fn exposure_invariants_and_nesting() {
    let by_rp: Vec<AnalysisResult> = ["banjir_q10", "banjir_q25", "banjir_q100"]
        .iter()
        .map(|h| run("exposure", json!({"zones": "kelurahan", "hazard": h})))
        .collect();
    for r in &by_rp {
        for row in &r.rows {
            let (pop, exp) = (f(&row["population"]), f(&row["exposed_population"]));
            assert!(
                exp >= 0.0 && exp <= pop + 1e-9,
                "exposed ≤ population in {}",
                row["id"]
            );
            assert!(f(&row["hazard_share"]) <= 1.0 + 1e-12);
            assert!((f(&row["displaced"]) - 0.01 * exp).abs() < 1e-9);
        }
        assert!(
            f(&r.summary["exposed_population"]) > 0.0,
            "the demo floods someone"
        );
        let poor = f(&r.summary["poor_exposed_share"]);
        assert!((0.0..=1.0).contains(&poor));
    }
    // Q10 ⊂ Q25 ⊂ Q100, so exposure grows with the return period in every kelurahan.
    for z in 0..by_rp[0].rows.len() {
        let e: Vec<f64> = by_rp
            .iter()
            .map(|r| f(&r.rows[z]["exposed_population"]))
            .collect();
        assert!(
            e[0] <= e[1] + 1e-6 && e[1] <= e[2] + 1e-6,
            "{:?} in {}",
            e,
            by_rp[0].rows[z]["id"]
        );
    }
    let total = f(&by_rp[0].summary["population"]);
    assert!((430_000.0..470_000.0).contains(&total), "{total}");
}

#[test]
fn interpolate_kecamatan_to_kelurahan_matches_tobler() {
    let r = run(
        "interpolate",
        json!({"source": "kecamatan", "target": "kelurahan", "extensive": ["population"], "intensive": ["households"]}),
    );
    matches_golden(&r, "demo_interpolate.csv", "tobler", 1.0);
    // allocate_total: the city's population is preserved.
    let (src, dst) = (
        f(&r.summary["source_total_population"]),
        f(&r.summary["target_total_population"]),
    );
    assert!((src - dst).abs() < 1e-6 * src, "{src} vs {dst}");
}

/// The targeting chain in one request: `exposure` runs as an input of `index`, whose ranking
/// is recomputed here by hand from the raw values it reports and from an independent
/// exposure run.
#[test]
fn index_ranks_kelurahan_from_exposure_and_poverty() {
    let exposure = json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class", "classes": ["rendah", "sedang", "tinggi"]});
    let access = json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "2sfca", "radius_m": 3000.0});
    let r = run(
        "index",
        json!({
            "zones": "kelurahan",
            "inputs": {
                "banjir": {"analysis": "exposure", "params": exposure},
                "akses": {"analysis": "access", "params": access}
            },
            "indicators": [
                {"from": "banjir", "field": "poor_exposed_share", "weight": 0.5},
                {"field": "poor_households", "per": "households", "weight": 0.2},
                {"field": "under5", "per": "population", "weight": 0.1, "normalize": "rank"},
                {"from": "akses", "field": "access", "direction": "higher_is_better", "weight": 0.2}
            ],
            "top_n": 10,
            "sensitivity": {"runs": 200, "spread": 0.2, "seed": 7}
        }),
    );
    assert_eq!(r.rows.len(), 83);
    let direct = run("exposure", exposure);
    let exposed: BTreeMap<&str, f64> = direct
        .rows
        .iter()
        .map(|row| {
            (
                row["id"].as_str().expect("present"),
                f(&row["poor_exposed_share"]),
            )
        })
        .collect();
    let raw = |row: &serde_json::Map<String, Value>, k: &str| f(&row["contributions"][k]["raw"]);
    let (lo, hi) = r.rows.iter().fold((f64::MAX, f64::MIN), |(lo, hi), row| {
        let x = raw(row, "poor_exposed_share");
        (lo.min(x), hi.max(x))
    });
    assert!(hi > lo && lo == 0.0, "some kelurahan are dry, some flooded");
    let mut flooded_poor = 0;
    for row in &r.rows {
        let id = row["id"].as_str().expect("present");
        let x = raw(row, "poor_exposed_share");
        assert!(
            (x - exposed[id]).abs() < 1e-12,
            "{id}: index sees the exposure row"
        );
        let c = &row["contributions"];
        // Min-max by hand, weight 0.5.
        let want = 0.5 * (x - lo) / (hi - lo);
        assert!((f(&c["poor_exposed_share"]["contribution"]) - want).abs() < 1e-12);
        let sum: f64 = c
            .as_object()
            .expect("present")
            .values()
            .map(|v| f(&v["contribution"]))
            .sum();
        assert!(
            (sum - f(&row["score"])).abs() < 1e-12,
            "{id}: contributions sum to score"
        );
        let rank = row["rank"].as_u64().expect("present");
        let (low, high) = (
            row["rank_low"].as_u64().expect("present"),
            row["rank_high"].as_u64().expect("present"),
        );
        assert!(low <= rank && rank <= high, "{id}: {low} ≤ {rank} ≤ {high}");
        let reasons = row["reasons"].as_array().expect("present");
        assert!(reasons.len() <= 3);
        if x > 0.0 && reasons[0]["indicator"] == "poor_exposed_share" {
            flooded_poor += 1;
            let pct = format!("{:.0}%", x * 100.0);
            let en = reasons[0]["en"].as_str().expect("present");
            if x >= 0.1 {
                assert!(en.starts_with(&pct), "{en} vs {pct}");
            }
            assert!(en.contains("Q25 flood zone"), "{en}");
            assert!(reasons[0]["id"]
                .as_str()
                .expect("present")
                .contains("zona banjir Q25"));
        }
    }
    assert!(flooded_poor > 0, "flood exposure explains some ranks");
    // Access enters oriented (less access = more need): min-max of −access, weight 0.2.
    let direct = run("access", access);
    let acc: BTreeMap<&str, f64> = direct
        .rows
        .iter()
        .map(|row| (row["id"].as_str().expect("id"), f(&row["access"])))
        .collect();
    let (amin, amax) = acc
        .values()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    for row in &r.rows {
        let a = acc[row["id"].as_str().expect("id")];
        assert_eq!(raw(row, "access"), a);
        let want = 0.2 * (amax - a) / (amax - amin);
        assert!((f(&row["contributions"]["access"]["contribution"]) - want).abs() < 1e-12);
    }
    // Ranks follow scores, and the top of the list is the summary's shortlist.
    let mut by_rank: Vec<&serde_json::Map<String, Value>> = r.rows.iter().collect();
    by_rank.sort_by_key(|row| row["rank"].as_u64());
    assert_eq!(by_rank[0]["rank"], 1);
    for w in by_rank.windows(2) {
        assert!(f(&w[0]["score"]) >= f(&w[1]["score"]));
    }
    let top = r.summary["top"].as_array().expect("present");
    assert_eq!(top.len(), 10);
    assert_eq!(top[0]["id"], by_rank[0]["id"]);
    assert!(
        r.summary["inputs"]["banjir"]["summary"]["exposed_population"]
            .as_f64()
            .expect("present")
            > 0.0
    );
    assert!(
        r.meta.layers.contains_key("banjir_q25"),
        "the hazard's hash is in meta"
    );
}

/// A hazard delivered in another CRS (Web Mercator FlatGeobuf, while the project works in
/// UTM 51N) is reprojected on load and gives the same exposure as the GeoJSON original.
#[test]
fn exposure_with_a_hazard_in_another_crs_is_reprojected() {
    let dir = tempfile::tempdir().expect("tmp");
    let toml = tepat_datasets::write_demo(dir.path()).expect("write demo");
    let mut hazard = (**demo().layers.get("banjir_q25").expect("layer")).clone();
    tepat_engine::project::reproject(&mut hazard, &tepat_engine::crs::Crs::Epsg(3857))
        .expect("to 3857");
    tepat_engine::io::write_vector(&hazard, &dir.path().join("banjir_q25_3857.fgb"))
        .expect("write fgb");
    let mut text = std::fs::read_to_string(&toml).expect("toml");
    text.push_str(
        "\n[[layers]]\nname = \"banjir_q25_3857\"\nrole = \"hazard\"\npath = \"banjir_q25_3857.fgb\"\nid = \"kode\"\n",
    );
    std::fs::write(&toml, text).expect("toml");
    let p = Project::load(&toml).expect("load");
    assert_eq!(
        p.layers.get("banjir_q25_3857").expect("layer").crs,
        Some(tepat_engine::crs::Crs::Epsg(32651)),
        "reprojected into the working CRS"
    );
    let params = |h: &str| json!({"zones": "kelurahan", "hazard": h, "class_field": "depth_class", "classes": ["rendah", "sedang", "tinggi"]});
    let a = analysis::run(&p, "exposure", params("banjir_q25")).expect("run");
    let b = analysis::run(&p, "exposure", params("banjir_q25_3857")).expect("run");
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        for k in [
            "hazard_area_m2_tinggi",
            "hazard_area_m2",
            "exposed_population",
        ] {
            let (x, y) = (f(&ra[k]), f(&rb[k]));
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(1.0),
                "{} {k}: {x} vs {y}",
                ra["id"]
            );
        }
    }
    assert!(f(&b.summary["exposed_population"]) > 0.0);
}

#[test]
fn locate_new_puskesmas_for_poor_households_outside_the_flood() {
    // "With three new puskesmas, where do we cover the most poor households outside the
    // flood zone?": candidate sites on a 500 m grid over the land, none in the Q100 flood.
    let r = run(
        "locate",
        json!({"model": "mclp", "demand": "kelurahan", "weight": "poor_households",
               "grid": {"spacing_m": 500, "within": "daratan"}, "exclude_hazard": "banjir_q100",
               "existing": "puskesmas", "radius_m": 1000, "p": 3, "zones": "kecamatan"}),
    );
    let s = &r.summary;
    assert_eq!(s["status"], "optimal");
    assert_eq!(s["selected"].as_array().map(Vec::len), Some(3));
    assert!(f(&s["objective"]) >= f(&s["covered_weight_before"]));
    assert!(f(&s["covered_weight_share"]) <= 1.0);
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let demand_rows = r.rows.iter().filter(|x| x["kind"] == "demand").count();
    assert_eq!(demand_rows, kel.len());
    let uncovered = s["uncovered_count"].as_u64().expect("count") as f64;
    assert!((f(&s["covered_share"]) - (1.0 - uncovered / kel.len() as f64)).abs() < 1e-12);
}

#[test]
fn allocate_programme_budget_across_kelurahan() {
    let r = run(
        "allocate",
        json!({"layer": "kelurahan", "cost": "households", "benefit": "poor_households",
               "budget": 30000, "group_zones": "kecamatan", "min_one_per_group": true}),
    );
    let s = &r.summary;
    assert_eq!(s["status"], "optimal");
    assert!(f(&s["spent"]) <= 30000.0);
    let kec = demo().layers.get("kecamatan").expect("kecamatan");
    let groups = s["groups"].as_object().expect("groups");
    assert_eq!(groups.len(), kec.len(), "every kecamatan holds kelurahan");
    assert!(groups.values().all(|g| g["funded"].as_u64() >= Some(1)));
}

#[test]
fn hotspots_of_poverty_rate_per_kelurahan() {
    let r = run(
        "hotspots",
        json!({"layer": "kelurahan", "numerator": "poor_households",
               "denominator": "households", "per": 100, "smoothing": "eb"}),
    );
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    assert_eq!(r.rows.len(), kel.len());
    assert_eq!(r.params["statistic"], "local_moran");
    assert_eq!(r.params["weights"]["type"], "queen");
    assert_eq!(r.params["permutations"], 999);
    // The demo's kelurahan tile their kecamatan exactly: no island under queen contiguity.
    assert_eq!(r.summary["islands"], json!([]));
    let counts = r.summary["counts"].as_object().expect("counts");
    let total: u64 = counts.values().filter_map(Value::as_u64).sum();
    assert_eq!(total as usize, kel.len());
    for row in &r.rows {
        let v = f(&row["value"]);
        assert!((0.0..=100.0).contains(&v), "a percentage: {v}");
        let p = f(&row["p"]);
        assert!(p > 0.0 && p <= 0.5 + 1e-12, "folded pseudo p: {p}");
        let label = row["label"].as_str().expect("label");
        if label != "Not significant" {
            assert!(p < 0.05);
            let q = row["quadrant"].as_str().expect("quadrant");
            let want = match q {
                "HH" => "High-High",
                "LH" => "Low-High",
                "LL" => "Low-Low",
                _ => "High-Low",
            };
            assert_eq!(label, want);
        }
    }
    assert!(f(&r.summary["moran_i"]).is_finite());
}

/// A long run says how far it is: hotspots reports its permutations (the global third, then
/// the local rest) and an index its inputs, all within 0..1, reaching 1.
#[test]
fn runs_report_their_progress() {
    use std::sync::{Arc, Mutex};
    use tepat_engine::progress;
    let record = |name: &str, params: Value| -> Vec<f64> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let sink: progress::Sink = Arc::new(move |f| s.lock().expect("lock").push(f));
        progress::scoped(sink, || run(name, params));
        let v = seen.lock().expect("lock").clone();
        v
    };
    let hot = record(
        "hotspots",
        json!({"layer": "kelurahan", "field": "poor_households", "statistic": "local_moran"}),
    );
    assert!(hot.iter().all(|f| (0.0..=1.0).contains(f)), "{hot:?}");
    // 1 % steps of 999 global permutations in [0, 0.3], of the local ones in [0.3, 1].
    assert!(
        hot.iter().filter(|f| **f <= 0.3).count() >= 50,
        "{} global reports",
        hot.len()
    );
    assert!(hot.iter().filter(|f| **f > 0.3).count() >= 50);
    assert!(hot.iter().any(|f| (*f - 0.3).abs() < 1e-12));
    assert!(hot.contains(&1.0));

    let index = record(
        "index",
        json!({
            "zones": "kelurahan",
            "inputs": {"h": {"analysis": "hotspots", "params":
                {"layer": "kelurahan", "field": "poor_households", "statistic": "moran"}}},
            "indicators": [{"field": "poor_households"}]
        }),
    );
    // One input, 90 % of the run: its permutations land in [0, 0.9].
    assert!(
        index.iter().all(|f| (0.0..=0.9 + 1e-12).contains(f)),
        "{index:?}"
    );
    assert!(index.iter().any(|f| (*f - 0.9).abs() < 1e-12));
}
