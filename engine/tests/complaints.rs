//! `complaints`: a hand-computed city of nine 100 m zones and eight complaints (counts,
//! rates, categories, trend, time to resolution across UTC offsets, the window's edges),
//! hot spots equal to the `hotspots` analysis run on the same rate, the demo city's
//! `pengaduan` recounted from the layer, and every bad input with the parameter it names.

use geo::polygon;
use serde_json::{json, Value};
use std::sync::OnceLock;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::crs::Crs;
use tepat_engine::error::Error;
use tepat_engine::layer::{Column, Layer, Role, Value as Cell};
use tepat_engine::project::{LayerSpec, Project};

fn square(x: f64, y: f64) -> Option<geo::Geometry> {
    Some(polygon![(x: x, y: y), (x: x + 100.0, y: y), (x: x + 100.0, y: y + 100.0), (x: x, y: y + 100.0)].into())
}

fn text(name: &str, v: &[Option<&str>]) -> Column {
    Column::from_values(
        name,
        v.iter()
            .map(|s| s.map_or(Cell::Null, |s| Cell::Text(s.into())))
            .collect(),
    )
}

/// Zones k1..k9 (row-major 3 × 3 of 100 m squares), 1,000 residents each but k9 (none).
fn zones(rate: Option<&[Option<f64>]>) -> Layer {
    let geoms = (0..9)
        .map(|i| square((i % 3) as f64 * 100.0, (i / 3) as f64 * 100.0))
        .collect();
    let ids: Vec<String> = (1..=9).map(|i| format!("k{i}")).collect();
    let mut cols = vec![
        Column::from_values("kode", ids.iter().map(|s| Cell::Text(s.clone())).collect()),
        Column::from_values(
            "pop",
            (0..9)
                .map(|i| Cell::Int(if i == 8 { 0 } else { 1000 }))
                .collect(),
        ),
    ];
    if let Some(r) = rate {
        cols.push(Column::from_values(
            "rate",
            r.iter()
                .map(|v| v.map_or(Cell::Null, Cell::Float))
                .collect(),
        ));
    }
    let mut l = Layer::new("kel", Role::Zones, None, geoms, cols).expect("zones");
    l.set_id_field("kode").expect("ids");
    l
}

/// (id, category, reported, resolved, x, y)
type Complaint<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, f64, f64);

fn events() -> Layer {
    // (id, category, reported, resolved, x, y)
    let e: [Complaint; 8] = [
        (
            "e1",
            "jalan",
            "2025-03-05T10:00:00+08:00",
            Some("2025-03-06T10:00:00+08:00"),
            50.0,
            50.0,
        ),
        (
            "e2",
            "sampah",
            "2025-03-10T08:00:00+08:00",
            Some("2025-03-10T20:00:00+08:00"),
            60.0,
            40.0,
        ),
        (
            "e3",
            "jalan",
            "2025-02-01T00:00:00+08:00",
            None,
            150.0,
            50.0,
        ),
        // Resolved in UTC: 2025-01-15T04:00Z → 2025-01-16T00:00Z = 20 h.
        (
            "e4",
            "jalan",
            "2025-01-15T12:00:00+08:00",
            Some("2025-01-16T00:00:00Z"),
            20.0,
            80.0,
        ),
        (
            "e5",
            "drainase",
            "2024-12-31T23:30:00+08:00",
            Some("2025-01-01T01:30:00+08:00"),
            150.0,
            150.0,
        ),
        (
            "e6",
            "jalan",
            "2025-03-31T23:59:59+08:00",
            None,
            250.0,
            250.0,
        ),
        (
            "e7",
            "sampah",
            "2025-03-15T09:00:00+08:00",
            Some("2025-03-15T10:00:00+08:00"),
            500.0,
            500.0,
        ),
        ("e8", "jalan", "2024-11-20T10:00:00+08:00", None, 30.0, 30.0),
    ];
    let geoms = e
        .iter()
        .map(|r| Some(geo::Point::new(r.4, r.5).into()))
        .collect();
    let cols = vec![
        text("id", &e.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
        text("kategori", &e.iter().map(|r| Some(r.1)).collect::<Vec<_>>()),
        text("waktu", &e.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        text("selesai_pada", &e.iter().map(|r| r.3).collect::<Vec<_>>()),
    ];
    let mut l = Layer::new("aduan", Role::Events, None, geoms, cols).expect("events");
    l.set_id_field("id").expect("ids");
    l
}

fn project_with(z: Layer) -> Project {
    let zs = LayerSpec {
        name: "kel".into(),
        role: "zones".into(),
        id: Some("kode".into()),
        population: Some("pop".into()),
        ..LayerSpec::default()
    };
    let es = LayerSpec {
        name: "aduan".into(),
        role: "events".into(),
        id: Some("id".into()),
        time: Some("waktu".into()),
        category: Some("kategori".into()),
        ..LayerSpec::default()
    };
    Project::from_layers(
        "hand",
        Crs::parse("EPSG:32651").expect("crs"),
        vec![(zs, z), (es, events())],
    )
    .expect("project")
}

fn hand() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| project_with(zones(None)))
}

fn run(p: &Project, params: Value) -> AnalysisResult {
    analysis::run(p, "complaints", params).unwrap_or_else(|e| panic!("complaints: {e}"))
}

fn row<'a>(r: &'a AnalysisResult, id: &str) -> &'a serde_json::Map<String, Value> {
    r.rows
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("row {id}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

const WINDOW: [&str; 2] = ["2025-01-01", "2025-03-31"];

fn base() -> Value {
    json!({"events": "aduan", "zones": "kel", "from": WINDOW[0], "to": WINDOW[1],
           "hotspots": {"permutations": 0}})
}

#[test]
fn counts_rates_trend_and_resolution_by_hand() {
    let r = run(hand(), base());
    // In the window: e1 e2 e4 (k1), e3 (k2), e6 (k9, the last second of March), e7 (outside).
    assert_eq!(r.summary["events"], 6);
    assert_eq!(r.summary["outside_zones"], 1);
    assert_eq!(r.params["population"], "pop");
    assert_eq!(r.params["resolved_field"], "selesai_pada");
    assert_eq!(r.params["month"], "2025-03");
    let k1 = row(&r, "k1");
    assert_eq!(k1["count"], 3);
    assert_eq!(k1["rate"], 3.0);
    assert_eq!(k1["count_jalan"], 2);
    assert_eq!(k1["count_sampah"], 1);
    assert!(
        k1.get("count_drainase").is_none(),
        "no drainage complaint in the window"
    );
    // March 2, Feb 0, Jan 1, Dec 0 (e8 is November): mean 1/3, trend 6.
    assert_eq!(k1["this_month"], 2);
    assert!((f(&k1["previous_3_mean"]) - 1.0 / 3.0).abs() < 1e-15);
    assert!((f(&k1["trend"]) - 6.0).abs() < 1e-12);
    assert_eq!(k1["median_resolution_hours"], 20.0, "median of 24, 12, 20");
    assert_eq!(k1["open"], 0);
    let k2 = row(&r, "k2");
    assert_eq!(
        (k2["count"].as_u64(), k2["open"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(k2["median_resolution_hours"], Value::Null);
    assert_eq!(k2["trend"], 0.0);
    let k5 = row(&r, "k5");
    assert_eq!(
        k5["count"], 0,
        "e5 is 2024-12-31 local time, before the window"
    );
    assert_eq!(
        k5["previous_3_mean"].as_f64().map(|v| (v * 3.0).round()),
        Some(1.0)
    );
    let k9 = row(&r, "k9");
    assert_eq!(k9["count"], 1);
    assert_eq!(k9["rate"], Value::Null, "no residents: no rate");
    assert_eq!(
        k9["trend"],
        Value::Null,
        "no complaint in the three months before"
    );
    // City: March e1 e2 e6 e7 = 4 against 1 a month: trend 4; rate 6 / 8,000 × 1,000.
    assert_eq!(r.summary["this_month"], 4);
    assert_eq!(r.summary["previous_3_mean"], 1.0);
    assert_eq!(r.summary["trend"], 4.0);
    assert_eq!(r.summary["rate"], 0.75);
    assert_eq!(
        r.summary["median_resolution_hours"], 16.0,
        "median of 24, 12, 20, 1"
    );
    assert_eq!(r.summary["open"], 2);
    assert_eq!(r.summary["categories"]["jalan"]["count"], 4);
    assert_eq!(
        r.summary["categories"]["jalan"]["median_resolution_hours"],
        22.0
    );
    assert_eq!(
        r.summary["categories"]["sampah"]["median_resolution_hours"],
        6.5
    );
    assert!(r.summary.get("trend_note").is_none());
    assert_eq!(r.rows.len(), 9);
}

#[test]
fn one_category_and_a_month() {
    let mut p = base();
    p["category"] = json!("jalan");
    p["month"] = json!("2025-02");
    let r = run(hand(), p);
    assert_eq!(r.summary["events"], 4);
    let k1 = row(&r, "k1");
    assert_eq!(k1["count"], 2);
    assert!(k1.get("count_sampah").is_none());
    // February of jalan: e3 (k2); before: Jan e4 (k1), Dec none, Nov e8 (k1).
    assert_eq!(r.summary["this_month"], 1);
    assert!((f(&r.summary["previous_3_mean"]) - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(row(&r, "k2")["this_month"], 1);
}

#[test]
fn hot_spots_are_the_hotspots_analysis_of_the_rate() {
    let r = run(hand(), base());
    let rates: Vec<Option<f64>> = (1..=9)
        .map(|i| row(&r, &format!("k{i}"))["rate"].as_f64())
        .collect();
    let direct = project_with(zones(Some(&rates)));
    let h = analysis::run(
        &direct,
        "hotspots",
        json!({"layer": "kel", "field": "rate", "statistic": "gi_star", "permutations": 0}),
    )
    .expect("hotspots");
    for hr in &h.rows {
        let id = hr["id"].as_str().expect("id");
        let cr = row(&r, id);
        assert_eq!(cr["hotspot"], hr["label"], "{id}");
        assert_eq!(cr["hotspot_z"], hr["z"], "{id}");
        assert_eq!(cr["hotspot_p"], hr["p"], "{id}");
    }
    assert_eq!(r.summary["hotspots"]["statistic"], "gi_star");
    assert_eq!(r.summary["hotspots"]["counts"], h.summary["counts"]);
    assert_eq!(row(&r, "k9")["hotspot"], Value::Null, "no rate, no test");
}

#[test]
fn bad_input_names_the_parameter() {
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let with = |k: &str, v: Value| {
        let mut p = base();
        p[k] = v;
        p
    };
    cases.push((with("category", json!("banjir")), "category"));
    // No complaint between 10 and 20 February: an empty window.
    let mut empty = with("from", json!("2025-02-10"));
    empty["to"] = json!("2025-02-20");
    cases.push((empty.clone(), "from"));
    cases.push((with("to", json!("2024-01-01")), "to"));
    cases.push((with("month", json!("Maret")), "month"));
    cases.push((with("per", json!(0)), "per"));
    cases.push((with("zones", json!("aduan")), "zones"));
    cases.push((with("events", json!("kel")), "events"));
    cases.push((
        with("hotspots", json!({"weights": {"transform": "V"}})),
        "hotspots.weights.transform",
    ));
    for (params, want) in cases {
        let e = analysis::run(hand(), "complaints", params.clone())
            .err()
            .unwrap_or_else(|| panic!("{params} should fail"));
        match &e {
            Error::InvalidParams { param, .. } => assert_eq!(param, want, "{params}: {e}"),
            other => panic!("{params}: {other}"),
        }
    }
    let e = analysis::run(hand(), "complaints", with("category", json!("banjir")))
        .expect_err("unknown");
    assert!(
        e.to_string().contains("jalan, sampah"),
        "lists the categories: {e}"
    );
    let e = analysis::run(hand(), "complaints", empty).expect_err("empty");
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn demo_complaints_per_kelurahan() {
    let demo = tepat_datasets::demo_project().expect("demo");
    let r = analysis::run(
        &demo,
        "complaints",
        json!({"events": "pengaduan", "zones": "kelurahan", "from": "2025-01-01", "to": "2025-12-31",
               "hotspots": {"permutations": 99}}),
    )
    .expect("complaints");
    let ev = demo.layers.get("pengaduan").expect("pengaduan");
    let kel = demo.layers.get("kelurahan").expect("kelurahan");
    assert_eq!(r.rows.len(), kel.len());
    assert_eq!(r.summary["events"], ev.len(), "every complaint is of 2025");
    let counted: u64 = r.rows.iter().filter_map(|x| x["count"].as_u64()).sum();
    assert_eq!(
        counted + r.summary["outside_zones"].as_u64().expect("outside"),
        ev.len() as u64
    );
    // Per category, recounted from the layer.
    let cat = ev.column("kategori").expect("kategori");
    for c in ["jalan", "drainase", "sampah", "lampu_jalan"] {
        let want = (0..ev.len())
            .filter(|&i| cat.get(i).as_key().as_deref() == Some(c))
            .count();
        assert_eq!(r.summary["categories"][c]["count"], want, "{c}");
        let zones: u64 = r
            .rows
            .iter()
            .filter_map(|x| x[format!("count_{c}").as_str()].as_u64())
            .sum();
        assert!(zones as usize <= want);
    }
    // December against September–November, from the timestamps' text.
    let t = ev.column("waktu").expect("waktu");
    let month_count = |m: &str| {
        (0..ev.len())
            .filter(|&i| t.get(i).as_key().is_some_and(|s| s.starts_with(m)))
            .count()
    };
    assert_eq!(r.params["month"], "2025-12");
    assert_eq!(r.summary["this_month"], month_count("2025-12"));
    let prev =
        (month_count("2025-09") + month_count("2025-10") + month_count("2025-11")) as f64 / 3.0;
    assert!((f(&r.summary["previous_3_mean"]) - prev).abs() < 1e-9);
    // Resolution: the demo's resolved complaints; open ones are `proses`.
    let status = ev.column("status").expect("status");
    let open = (0..ev.len())
        .filter(|&i| status.get(i).as_key().as_deref() == Some("proses"))
        .count();
    assert_eq!(r.summary["open"], open);
    let med = f(&r.summary["median_resolution_hours"]);
    assert!(med > 2.0 && med < 24.0 * 30.0, "median hours {med}");
    // Drainage is slower to fix than rubbish (9 vs 3 days on average in the generator).
    let m = |c: &str| f(&r.summary["categories"][c]["median_resolution_hours"]);
    assert!(m("drainase") > m("sampah"));
    // Rates per 1,000 residents.
    let pop = kel.numeric_column("population").expect("pop");
    for (i, x) in r.rows.iter().enumerate() {
        let p = pop.f64_at(i).expect("pop");
        assert!((f(&x["rate"]) - f(&x["count"]) / p * 1000.0).abs() < 1e-9);
        assert!(
            x["hotspot"].is_string(),
            "every populated kelurahan is tested"
        );
    }
    assert!(r.summary["hotspots"]["counts"]["Hot spot"]
        .as_u64()
        .is_some());
}
