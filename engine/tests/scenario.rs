//! Scenarios on the demo city, each checked against a figure computed here by hand from
//! the baseline: a new puskesmas at the worst-served kelurahan, the Q25 flood swapped for
//! Q100, a puskesmas closed, population growth, excluded zones, and `compare` over all.

use geo::{Centroid, Geometry};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::project::Project;
use tepat_engine::scenario::{self, AnalysisRequest, Scenario, ScenarioError};

fn demo() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| tepat_datasets::demo_project().expect("demo city"))
}

fn run(p: &Project, name: &str, params: &Value) -> AnalysisResult {
    analysis::run(p, name, params.clone()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn with_edits(edits: Value) -> Scenario {
    let mut s = Scenario::new("test");
    s.edits = serde_json::from_value(edits).expect("edits");
    s
}

fn applied(edits: Value) -> Project {
    scenario::apply(demo(), &with_edits(edits))
        .expect("apply")
        .project
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn by_id(r: &AnalysisResult) -> BTreeMap<String, &serde_json::Map<String, Value>> {
    r.rows
        .iter()
        .map(|row| (row["id"].as_str().unwrap_or_default().to_string(), row))
        .collect()
}

/// Kelurahan centroids (where `access` puts a zone's people) and populations.
fn kelurahan_points() -> Vec<(String, geo::Point, f64)> {
    let kel = demo().layers.get("kelurahan").expect("kelurahan");
    let pop = kel.numeric_column("population").expect("population");
    (0..kel.len())
        .map(|i| {
            let c = kel.geometries[i]
                .as_ref()
                .and_then(|g| g.centroid())
                .expect("centroid");
            (kel.ids[i].clone(), c, pop.f64_at(i).unwrap_or(0.0))
        })
        .collect()
}

fn puskesmas_points() -> Vec<(String, geo::Point)> {
    let p = demo().layers.get("puskesmas").expect("puskesmas");
    (0..p.len())
        .filter_map(|i| match &p.geometries[i] {
            Some(Geometry::Point(pt)) => Some((p.ids[i].clone(), *pt)),
            _ => None,
        })
        .collect()
}

fn access_params(extra: Value) -> Value {
    let mut p = json!({"demand": "kelurahan", "facilities": "puskesmas"});
    for (k, v) in extra.as_object().expect("object") {
        p[k] = v.clone();
    }
    p
}

#[test]
fn a_scenario_shares_every_layer_it_does_not_edit() {
    let view = applied(
        json!([{"op": "set_capacity", "layer": "puskesmas", "id": "PKM-01", "capacity": 1}]),
    );
    for layer in demo().layers.layers() {
        let same = Arc::ptr_eq(layer, view.layers.get(&layer.name).expect("in view"));
        assert_eq!(same, layer.name != "puskesmas", "{}", layer.name);
    }
    for (name, raster) in demo().layers.rasters() {
        assert!(Arc::ptr_eq(
            raster,
            view.layers.raster(name).expect("raster")
        ));
    }
}

#[test]
fn a_puskesmas_at_the_worst_served_kelurahan_serves_it() {
    let params = access_params(json!({"method": "nearest", "radius_m": 2000}));
    let before = run(demo(), "access", &params);
    let worst = before
        .rows
        .iter()
        .max_by(|a, b| f(&a["nearest_m"]).total_cmp(&f(&b["nearest_m"])))
        .expect("rows");
    let id = worst["id"].as_str().expect("id");
    let (_, at, pop) = kelurahan_points()
        .into_iter()
        .find(|(k, _, _)| k == id)
        .expect("worst kelurahan");
    assert!(f(&worst["nearest_m"]) > 2000.0, "the worst is out of reach");
    let view = applied(json!([{
        "op": "add_facility", "layer": "puskesmas", "id": "PKM-BARU",
        "x": at.x(), "y": at.y(), "kind": "puskesmas", "capacity": 30000
    }]));
    let after = run(&view, "access", &params);
    let row = by_id(&after)[id];
    assert!(f(&row["nearest_m"]).abs() < 1e-6, "{row:?}");
    assert_eq!(row["nearest_id"], "PKM-BARU");
    assert_eq!(f(&row["covered_population"]), pop);
    // Other kelurahan gain too when the new site is their nearest within 2 km: the summary
    // rises by the worst one's people at least.
    let gained = f(&after.summary["covered_population"]) - f(&before.summary["covered_population"]);
    assert!(gained >= pop, "{gained} < {pop}");
    assert_eq!(
        after.summary["facilities_open"],
        before.summary["facilities_open"].as_u64().expect("n") + 1
    );

    // 2SFCA: its access goes from nothing in reach to the new supply over the people it serves.
    let tsfca = access_params(json!({"method": "2sfca", "radius_m": 2000}));
    let b = run(demo(), "access", &tsfca);
    let a = run(&view, "access", &tsfca);
    assert_eq!(f(&by_id(&b)[id]["access_raw"]), 0.0);
    assert!(f(&by_id(&a)[id]["access_raw"]) > 0.0);
}

#[test]
fn swapping_q25_for_q100_raises_exposure_to_exactly_q100s() {
    let params =
        json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class"});
    let before = run(demo(), "exposure", &params);
    let view = applied(json!([{"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"}]));
    let after = run(&view, "exposure", &params);
    let q100 = run(
        demo(),
        "exposure",
        &json!({"zones": "kelurahan", "hazard": "banjir_q100", "class_field": "depth_class"}),
    );
    let (b, a) = (
        f(&before.summary["exposed_population"]),
        f(&after.summary["exposed_population"]),
    );
    assert!(a > b, "Q100 {a} vs Q25 {b}");
    assert_eq!(a, f(&q100.summary["exposed_population"]));
    assert_eq!(after.rows.len(), q100.rows.len());
    for (x, y) in after.rows.iter().zip(&q100.rows) {
        assert_eq!(
            x["exposed_population"], y["exposed_population"],
            "{}",
            x["id"]
        );
    }
    assert_eq!(
        after.meta.layers["banjir_q25"], q100.meta.layers["banjir_q100"],
        "the result names the data it was computed from"
    );
}

/// Covered = the nearest open puskesmas within 2 km. Closing F uncovers exactly the
/// kelurahan for which F is the only puskesmas within 2 km: computed here from centroids.
#[test]
fn closing_a_puskesmas_uncovers_exactly_its_sole_catchment() {
    let r = 2000.0;
    let pkm = puskesmas_points();
    let mut sole: BTreeMap<String, f64> = BTreeMap::new();
    for (_, c, pop) in kelurahan_points() {
        let reach: Vec<&String> = pkm
            .iter()
            .filter(|(_, p)| ((p.x() - c.x()).powi(2) + (p.y() - c.y()).powi(2)).sqrt() <= r)
            .map(|(id, _)| id)
            .collect();
        if let [only] = reach[..] {
            *sole.entry(only.clone()).or_default() += pop;
        }
    }
    let (closed, lost) = sole
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, v)| (k.clone(), *v))
        .expect("some puskesmas is the only one in reach of some kelurahan");
    assert!(lost > 0.0);
    let params = access_params(json!({"method": "coverage", "radius_m": r}));
    let before = run(demo(), "access", &params);
    let view = applied(json!([{"op": "close_facility", "layer": "puskesmas", "id": closed}]));
    let after = run(&view, "access", &params);
    let drop = f(&before.summary["covered_population"]) - f(&after.summary["covered_population"]);
    assert!(
        (drop - lost).abs() < 1e-6,
        "{closed}: lost {drop}, expected {lost}"
    );
}

#[test]
fn city_wide_growth_scales_exposed_people_by_the_factor() {
    let params = json!({"zones": "kelurahan", "hazard": "banjir_q25"});
    let before = run(demo(), "exposure", &params);
    let view = applied(json!([{"op": "scale_demand", "layer": "kelurahan", "factor": 1.1}]));
    let after = run(&view, "exposure", &params);
    let (b, a) = (
        f(&before.summary["exposed_population"]),
        f(&after.summary["exposed_population"]),
    );
    assert!((a - 1.1 * b).abs() < 1e-6 * b, "{a} vs 1.1 × {b}");
}

#[test]
fn compare_reports_deltas_and_sentences() {
    let base_access = run(
        demo(),
        "access",
        &access_params(json!({"method": "nearest", "radius_m": 2000})),
    );
    let worst = base_access
        .rows
        .iter()
        .max_by(|a, b| f(&a["nearest_m"]).total_cmp(&f(&b["nearest_m"])))
        .expect("rows");
    let worst_id = worst["id"].as_str().expect("id").to_string();
    let (_, at, _) = kelurahan_points()
        .into_iter()
        .find(|(k, _, _)| *k == worst_id)
        .expect("worst");
    let mut new_site = with_edits(json!([
        {"op": "add_facility", "layer": "puskesmas", "id": "PKM-BARU", "x": at.x(), "y": at.y(), "capacity": 30000, "cost": 2.5e9},
        {"op": "set_budget", "amount": 2e9}
    ]));
    new_site.name = "puskesmas baru".into();
    let mut flood = with_edits(json!([
        {"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"},
        {"op": "exclude_zones", "layer": "kelurahan", "ids": [worst_id]}
    ]));
    flood.name = "banjir besar".into();
    let exposure =
        json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class"});
    let access = access_params(json!({"method": "2sfca", "radius_m": 2000}));
    let index = json!({
        "zones": "kelurahan",
        "inputs": {"banjir": {"analysis": "exposure", "params": exposure}, "akses": {"analysis": "access", "params": access}},
        "indicators": [
            {"from": "banjir", "field": "exposed_share", "weight": 0.5},
            {"from": "akses", "field": "access", "direction": "higher_is_better", "weight": 0.5}
        ],
        "top_n": 10
    });
    let requests = vec![
        AnalysisRequest {
            name: "exposure".into(),
            params: exposure.clone(),
        },
        AnalysisRequest {
            name: "access".into(),
            params: access.clone(),
        },
        AnalysisRequest {
            name: "index".into(),
            params: index,
        },
    ];
    let c =
        scenario::compare(demo(), &[new_site.clone(), flood.clone()], &requests).expect("compare");
    assert_eq!(c.analyses.len(), 3);
    assert_eq!(
        c.scenarios[0].sentences,
        vec![
            "spends 2,500,000,000 of a budget of 2,000,000,000 IDR",
            "over budget by 500,000,000 IDR"
        ]
    );
    assert_eq!(
        c.scenarios[0].sentences_id,
        vec![
            "membelanjakan Rp 2,5 miliar dari anggaran Rp 2 miliar",
            "melebihi anggaran sebesar Rp 500 juta"
        ]
    );

    // Exposure: the new puskesmas changes nothing; the bigger flood adds what a direct run says.
    let exp = &c.analyses[0];
    assert_eq!(
        exp.scenarios[0].summary_delta["exposed_population"],
        json!(0.0)
    );
    assert_eq!(
        exp.scenarios[0].sentences[0],
        "±0 people exposed to banjir_q25"
    );
    let direct = run(
        &scenario::apply(demo(), &flood).expect("apply").project,
        "exposure",
        &exposure,
    );
    let delta =
        f(&direct.summary["exposed_population"]) - f(&exp.baseline.summary["exposed_population"]);
    assert_eq!(
        f(&exp.scenarios[1].summary_delta["exposed_population"]),
        delta
    );
    assert_eq!(exp.scenarios[1].only_in_baseline, vec![worst_id.clone()]);
    let flood_words = &exp.scenarios[1].sentences[0];
    assert!(
        flood_words.starts_with('+')
            && flood_words.ends_with(" people exposed to banjir_q100 (in place of banjir_q25)"),
        "{flood_words}"
    );
    assert!(
        exp.scenarios[1].sentences_id[0]
            .ends_with(" jiwa terpapar banjir_q100 (menggantikan banjir_q25)"),
        "{:?}",
        exp.scenarios[1].sentences_id
    );

    // Access: per-row delta = scenario − baseline; the headline in people within 2 km.
    let acc = &c.analyses[1];
    let base_rows = by_id(&acc.baseline);
    for row in &acc.scenarios[0].rows {
        let id = row["id"].as_str().expect("id");
        let want = f(&row["access_raw"]) - f(&base_rows[id]["access_raw"]);
        assert!((f(&row["access_raw_delta"]) - want).abs() < 1e-12, "{id}");
    }
    assert!(f(&base_rows[worst_id.as_str()]["access_raw"]) == 0.0);
    let worst_row = acc.scenarios[0]
        .rows
        .iter()
        .find(|r| r["id"] == worst_id.as_str())
        .expect("row");
    assert!(f(&worst_row["access_raw_delta"]) > 0.0);
    let gained = f(&acc.scenarios[0].summary_delta["covered_population"]);
    assert!(gained > 0.0);
    assert_eq!(
        acc.scenarios[0].sentences[0],
        format!("+{} people within 2 km of a puskesmas", thousands(gained))
    );
    assert_eq!(acc.scenarios[0].sentences[1], "+1 puskesmas open");
    assert_eq!(
        acc.scenarios[0].sentences_id[0],
        format!(
            "+{} jiwa dalam jarak 2 km dari puskesmas",
            thousands(gained).replace(',', ".")
        )
    );
    assert_eq!(acc.scenarios[0].sentences_id[1], "+1 puskesmas beroperasi");

    // Index: the sentences name exactly the kelurahan that left and entered the top 10.
    let idx = &c.analyses[2];
    let top = |s: &serde_json::Map<String, Value>| -> Vec<String> {
        s["top"]
            .as_array()
            .expect("top")
            .iter()
            .map(|z| z["id"].as_str().expect("id").to_string())
            .collect()
    };
    let base_top = top(&idx.baseline.summary);
    for o in &idx.scenarios {
        let new_top = top(&o.summary);
        let left = base_top.iter().filter(|z| !new_top.contains(z)).count();
        let entered = new_top.iter().filter(|z| !base_top.contains(z)).count();
        if left > 0 {
            assert!(
                o.sentences
                    .iter()
                    .any(|s| s.starts_with(&format!("{left} kelurahan leave the top 10: "))),
                "{:?}",
                o.sentences
            );
        }
        if entered > 0 {
            assert!(
                o.sentences
                    .iter()
                    .any(|s| s.starts_with(&format!("{entered} kelurahan enter the top 10: "))),
                "{:?}",
                o.sentences
            );
        }
        if left + entered == 0 {
            assert_eq!(o.sentences, vec!["the top 10 kelurahan are unchanged"]);
        }
        let rank_deltas = o
            .rows
            .iter()
            .filter(|r| r.contains_key("rank_delta"))
            .count();
        assert!(rank_deltas > 0);
    }
}

fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.round());
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            s.push(',');
        }
        s.push(c);
    }
    s
}

#[test]
fn compare_limits_and_errors() {
    let req = vec![AnalysisRequest {
        name: "exposure".into(),
        params: json!({"zones": "kelurahan", "hazard": "banjir_q25"}),
    }];
    let six: Vec<Scenario> = (0..6).map(|i| Scenario::new(format!("s{i}"))).collect();
    let e = scenario::compare(demo(), &six, &req).expect_err("six");
    assert_eq!(e.kind(), "invalid-compare");
    let e = scenario::compare(demo(), &six[..1], &[]).expect_err("no analyses");
    assert_eq!(e.kind(), "invalid-compare");
    let bad = vec![AnalysisRequest {
        name: "nope".into(),
        params: Value::Null,
    }];
    let e = scenario::compare(demo(), &six[..1], &bad).expect_err("unknown analysis");
    assert_eq!(e.kind(), "unknown-analysis");
    let bad_params = vec![AnalysisRequest {
        name: "exposure".into(),
        params: json!({"zones": "kelurahan", "hazard": "banjir_q25"}),
    }];
    let s = with_edits(json!([{"op": "exclude_zones", "layer": "kelurahan", "ids": ["0000"]}]));
    let e = scenario::compare(demo(), &[s], &bad_params).expect_err("unknown zone");
    assert!(matches!(e, ScenarioError::UnknownFeature { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "edit 1 (exclude_zones): layer 'kelurahan' has no feature '0000'"
    );
}
