//! Every analysis describes itself fully and truthfully: each params property has a label
//! and help in both languages, and on the demo city every column a row carries is one its
//! descriptor describes, and every column the descriptor describes is carried by some row
//! of the examples below. Defaults run where an analysis has them.

use crate::analyses_demo::demo;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use tepat_engine::analysis::{self, Focus};
use tepat_engine::project::Project;
use tepat_engine::Role;

/// The demo city plus its schools as a demand layer of points, `murid` (pupils), for the
/// columns `access` gives only when demand is points reported per zone.
fn city() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = demo().clone();
        let mut pupils = (**p.layers.get("sekolah").expect("sekolah")).clone();
        pupils.name = "murid".into();
        pupils.role = Role::Demand;
        p.layers.insert(pupils);
        p
    })
}

/// Param sets that between them make every described column appear on the demo city.
fn examples(name: &str) -> Vec<Value> {
    let exposure = json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class",
                          "classes": ["rendah", "sedang", "tinggi"], "facilities": "puskesmas"});
    let access = json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "2sfca", "radius_m": 3000.0});
    match name {
        "aggregate" => vec![
            json!({"zones": "kelurahan", "layer": "sekolah", "sum": ["students"]}),
            json!({"zones": "kelurahan", "layer": "statistik", "sum": ["penduduk_bps"]}),
            json!({"zones": "kecamatan", "layer": "banjir_q25"}),
            json!({"zones": "kecamatan", "layer": "jalan"}),
        ],
        "exposure" => vec![
            exposure.clone(),
            json!({"zones": "kelurahan", "hazard": "banjir_q100"}),
            // A count beyond the four named ones takes the `exposed_{count}` templates.
            json!({"zones": "kecamatan", "hazard": "banjir_q25", "counts": ["households", "jumlah_kelurahan"]}),
        ],
        "interpolate" => vec![
            json!({"source": "kecamatan", "target": "kelurahan", "extensive": ["population"], "intensive": ["households"]}),
        ],
        "access" => vec![
            access.clone(),
            json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "nearest", "k": 2}),
            json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "gravity"}),
            // Demand as points reported per zone: the schools' pupils (see `demo_city`).
            json!({"demand": "murid", "population": "students", "zones": "kelurahan",
                   "facilities": "puskesmas", "method": "2sfca", "radius_m": 3000.0}),
        ],
        "index" => vec![json!({
            "zones": "kelurahan",
            "inputs": {"banjir": {"analysis": "exposure", "params": exposure},
                       "akses": {"analysis": "access", "params": access}},
            "indicators": [
                {"from": "banjir", "field": "poor_exposed_share", "weight": 0.5},
                {"field": "poor_households", "per": "households", "weight": 0.3},
                {"from": "akses", "field": "access", "direction": "higher_is_better", "weight": 0.2}
            ],
            "top_n": 10,
            "sensitivity": {"runs": 50, "spread": 0.2, "seed": 7}
        })],
        "locate" => vec![
            json!({"model": "mclp", "demand": "kelurahan", "weight": "poor_households",
                   "grid": {"spacing_m": 500, "within": "daratan"}, "exclude_hazard": "banjir_q100",
                   "existing": "puskesmas", "radius_m": 1000, "p": 3, "zones": "kecamatan"}),
            json!({"model": "pmedian", "demand": "kelurahan", "candidates": "sekolah", "p": 3}),
            // Capacitated: site rows carry `capacity`.
            json!({"model": "mclp", "demand": "kelurahan", "candidates": "sekolah", "capacity": "capacity",
                   "radius_m": 1500, "p": 2}),
        ],
        "allocate" => vec![
            json!({"layer": "kelurahan", "cost": "households", "benefit": "poor_households",
                   "budget": 30000, "group_zones": "kecamatan", "min_one_per_group": true}),
        ],
        "hotspots" => vec![
            json!({"layer": "kelurahan", "numerator": "poor_households", "denominator": "households",
                   "per": 100, "smoothing": "eb", "permutations": 99}),
            json!({"layer": "kelurahan", "field": "poor_households", "statistic": "gi_star", "permutations": 99}),
        ],
        "clusters" => vec![
            json!({"layer": "kelurahan", "fields": ["population", "poor_households"], "k": 4}),
            json!({"method": "dbscan", "layer": "pengaduan", "category": "drainase",
                   "from": "2025-01-01", "to": "2025-03-31", "eps": 300, "min_points": 8}),
            json!({"method": "skater", "layer": "kelurahan", "fields": ["poor_households", "under5", "elderly"],
                   "k": 8, "floor": 30000}),
        ],
        "complaints" => vec![
            json!({"events": "pengaduan", "zones": "kelurahan", "from": "2025-01-01", "to": "2025-12-31",
                   "hotspots": {"permutations": 99}}),
        ],
        other => panic!("no examples for '{other}': add them here"),
    }
}

#[test]
fn every_param_has_labels_and_help_in_both_languages() {
    let mut problems = Vec::new();
    for a in analysis::registry() {
        let d = a.descriptor();
        for (what, t) in [("title", d.title), ("description", d.description)] {
            if t.id.is_empty() || t.en.is_empty() {
                problems.push(format!("{}: {what} not in both languages", a.name()));
            }
        }
        for p in analysis::descriptor::schema_problems(&a.params_schema()) {
            problems.push(format!("{}: {p}", a.name()));
        }
        let headlines = d.columns.iter().filter(|c| c.headline).count();
        if headlines != 1 {
            problems.push(format!(
                "{}: {headlines} headline columns, want 1",
                a.name()
            ));
        }
        for c in d.columns {
            if c.label.id.is_empty() || c.label.en.is_empty() {
                problems.push(format!(
                    "{}: column {} not labelled in both languages",
                    a.name(),
                    c.name
                ));
            }
            if c.headline && c.name.contains('{') {
                problems.push(format!("{}: headline {} is a template", a.name(), c.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rows_carry_exactly_the_described_columns() {
    let mut problems = Vec::new();
    for a in analysis::registry() {
        let d = a.descriptor();
        let mut seen = BTreeSet::new();
        for params in examples(a.name()) {
            let r = analysis::run(city(), a.name(), params.clone())
                .unwrap_or_else(|e| panic!("{} {params}: {e}", a.name()));
            assert!(!r.rows.is_empty(), "{} {params}: no rows", a.name());
            for row in &r.rows {
                for key in row.keys().filter(|k| *k != "id") {
                    match d.column(key) {
                        Some(c) => {
                            seen.insert(c.name);
                        }
                        None => problems.push(format!(
                            "{}: rows carry '{key}', which the descriptor does not describe",
                            a.name()
                        )),
                    }
                }
            }
        }
        for c in d.columns {
            if !seen.contains(c.name) {
                problems.push(format!(
                    "{}: the descriptor names '{}', which no example row carries",
                    a.name(),
                    c.name
                ));
            }
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn category_values_are_the_values_rows_carry() {
    let mut problems = Vec::new();
    for a in analysis::registry() {
        let d = a.descriptor();
        for params in examples(a.name()) {
            let r = analysis::run(city(), a.name(), params).expect("ran above");
            for c in d.columns.iter().filter(|c| !c.values.is_empty()) {
                for row in &r.rows {
                    let Some(v) = row.get(c.name).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    let v = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    if !c.values.iter().any(|x| x.value == v) {
                        problems.push(format!(
                            "{}: {} = '{v}' is not a listed value",
                            a.name(),
                            c.name
                        ));
                    }
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn defaults_run_on_the_demo_city() {
    // The analyses compare runs without params, and those the viewer can prefill.
    for name in [
        "aggregate",
        "exposure",
        "access",
        "index",
        "hotspots",
        "complaints",
    ] {
        let a = analysis::find(name).expect("registered");
        let params = a
            .default_params(demo(), &Focus::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = analysis::run(demo(), name, params).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!r.rows.is_empty(), "{name}");
    }
    // A focus on the Q100 flood is what exposure then defaults to.
    let focus = Focus {
        hazard: Some("banjir_q100".into()),
        facilities: None,
    };
    let p = analysis::find("exposure")
        .and_then(|a| a.default_params(demo(), &focus))
        .expect("defaults");
    assert_eq!(p["hazard"], "banjir_q100");
}
