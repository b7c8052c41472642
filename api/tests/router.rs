//! The HTTP API driven in-process (`tower::ServiceExt::oneshot`) on the embedded demo city.

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::sync::OnceLock;
use tepat::{AppState, Problem};
use tower::ServiceExt;

/// The demo city, generated and indexed once for all tests of this file.
fn state() -> Result<AppState> {
    static STATE: OnceLock<std::result::Result<AppState, String>> = OnceLock::new();
    STATE
        .get_or_init(|| AppState::load(None).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// The body as a problem, checking the media type and that `status` matches.
    fn problem(&self) -> Result<Problem> {
        anyhow::ensure!(
            self.content_type == "application/problem+json",
            "content type {}",
            self.content_type
        );
        let p: Problem = serde_json::from_slice(&self.body)?;
        anyhow::ensure!(p.status == self.status.as_u16(), "{p:?} vs {}", self.status);
        anyhow::ensure!(
            p.type_uri.starts_with("https://tepat.dev/problems/"),
            "{p:?}"
        );
        Ok(p)
    }
}

async fn send(method: Method, uri: &str, body: impl Into<Body>) -> Result<Reply> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())?;
    let response = tepat::router(state()?).oneshot(request).await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await?
        .to_vec();
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

async fn get(uri: &str) -> Result<Reply> {
    send(Method::GET, uri, Body::empty()).await
}

async fn post(uri: &str, body: &str) -> Result<Reply> {
    send(Method::POST, uri, body.to_string()).await
}

fn aggregate_params() -> String {
    json!({"zones": "kelurahan", "layer": "sekolah", "sum": ["students"]}).to_string()
}

#[tokio::test]
async fn health_names_engine_and_project() -> Result<()> {
    let r = get("/api/v1/health").await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    assert_eq!(v["status"], "ok");
    assert_eq!(v["engine_version"], tepat_engine::ENGINE_VERSION);
    assert_eq!(v["project"], "Kota Demo");
    Ok(())
}

#[tokio::test]
async fn layers_lists_every_layer_with_fields_and_lon_lat_bbox() -> Result<()> {
    let r = get("/api/v1/layers").await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    let layers = v.as_array().context("a list")?;
    let names: Vec<&str> = layers.iter().filter_map(|l| l["name"].as_str()).collect();
    for expected in [
        "kelurahan",
        "kecamatan",
        "sekolah",
        "puskesmas",
        "jalan",
        "statistik",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    let kel = layers
        .iter()
        .find(|l| l["name"] == "kelurahan")
        .context("kelurahan")?;
    assert_eq!(kel["role"], "zones");
    assert_eq!(kel["geometry"], "polygon");
    assert_eq!(kel["crs"], "EPSG:32651");
    assert!(kel["features"].as_u64().is_some_and(|n| n > 10), "{kel}");
    let bbox: Vec<f64> = kel["bbox"]
        .as_array()
        .context("bbox")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert!(
        bbox.len() == 4 && (124.0..126.0).contains(&bbox[0]) && (0.5..2.5).contains(&bbox[1]),
        "{bbox:?}"
    );
    assert!(bbox[0] < bbox[2] && bbox[1] < bbox[3], "{bbox:?}");
    let fields = kel["fields"].as_array().context("fields")?;
    assert!(
        fields
            .iter()
            .any(|f| f["name"] == "kode" && f["type"] == "text"),
        "{fields:?}"
    );
    let stat = layers
        .iter()
        .find(|l| l["name"] == "statistik")
        .context("statistik")?;
    assert_eq!(
        (stat["role"].as_str(), &stat["bbox"]),
        (Some("table"), &Value::Null)
    );
    Ok(())
}

#[tokio::test]
async fn layer_detail_has_the_project_entry() -> Result<()> {
    let r = get("/api/v1/layers/kelurahan").await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    assert_eq!(
        (v["name"].as_str(), v["id_field"].as_str()),
        (Some("kelurahan"), Some("kode"))
    );
    assert_eq!(v["spec"]["role"], "zones");
    assert!(v["fields"].is_array());
    Ok(())
}

#[tokio::test]
async fn unknown_layer_is_a_404_problem_naming_it() -> Result<()> {
    for uri in [
        "/api/v1/layers/sekolahx",
        "/api/v1/layers/sekolahx/features",
    ] {
        let r = get(uri).await?;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        let p = r.problem()?;
        assert_eq!(p.type_uri, "https://tepat.dev/problems/unknown-layer");
        assert!(p.detail.contains("'sekolahx'"), "{}", p.detail);
    }
    Ok(())
}

#[tokio::test]
async fn features_are_geojson_and_a_bbox_selects_fewer() -> Result<()> {
    let all = get("/api/v1/layers/sekolah/features").await?;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.content_type, "application/geo+json");
    let all = all.json()?;
    assert_eq!(all["type"], "FeatureCollection");
    let n_all = all["features"].as_array().context("features")?.len();
    assert_eq!(all["numberMatched"].as_u64(), Some(n_all as u64));
    let first = &all["features"][0];
    assert_eq!(first["geometry"]["type"], "Point");
    assert!(
        first["id"].is_string() && first["properties"]["students"].is_number(),
        "{first}"
    );

    // The south-west quarter of the layer's extent.
    let layers = get("/api/v1/layers/sekolah").await?.json()?;
    let b: Vec<f64> = layers["bbox"]
        .as_array()
        .context("bbox")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let (mx, my) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let part = get(&format!(
        "/api/v1/layers/sekolah/features?bbox={},{},{mx},{my}",
        b[0], b[1]
    ))
    .await?
    .json()?;
    let features = part["features"].as_array().context("features")?;
    assert!(
        !features.is_empty() && features.len() < n_all,
        "{} of {n_all}",
        features.len()
    );
    for f in features {
        let c = &f["geometry"]["coordinates"];
        let (x, y) = (
            c[0].as_f64().unwrap_or(f64::NAN),
            c[1].as_f64().unwrap_or(f64::NAN),
        );
        assert!(
            x >= b[0] - 1e-6 && x <= mx + 1e-6 && y >= b[1] - 1e-6 && y <= my + 1e-6,
            "{c} outside"
        );
    }
    Ok(())
}

#[tokio::test]
async fn features_limit_and_properties() -> Result<()> {
    let v = get("/api/v1/layers/kelurahan/features?limit=3&properties=kode")
        .await?
        .json()?;
    let features = v["features"].as_array().context("features")?;
    assert_eq!(features.len(), 3);
    assert_eq!(v["numberReturned"], 3);
    assert!(v["numberMatched"].as_u64().is_some_and(|n| n > 3));
    let props = features[0]["properties"]
        .as_object()
        .context("properties")?;
    assert_eq!(props.keys().collect::<Vec<_>>(), ["kode"]);
    assert_eq!(features[0]["geometry"]["type"], "Polygon");

    let r = get("/api/v1/layers/kelurahan/features?properties=kode,nope").await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.problem()?.detail.contains("'nope'"));
    Ok(())
}

#[tokio::test]
async fn bad_query_parameters_are_400_problems() -> Result<()> {
    for (query, name) in [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("limit=-1", "limit"),
    ] {
        let r = get(&format!("/api/v1/layers/sekolah/features?{query}")).await?;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        let p = r.problem()?;
        assert!(
            p.type_uri.ends_with("/invalid-query") && p.detail.starts_with(name),
            "{p:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn analyses_lists_aggregate_with_its_schema() -> Result<()> {
    let v = get("/api/v1/analyses").await?.json()?;
    let agg = v
        .as_array()
        .context("list")?
        .iter()
        .find(|a| a["name"] == "aggregate")
        .context("aggregate")?;
    assert_eq!(agg["title"]["id"], "Agregasi per zona");
    assert!(agg["description"]["en"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(agg["params_schema"]["type"], "object");
    let zones = &agg["params_schema"]["properties"]["zones"];
    assert_eq!(zones["x-tepat-label"]["id"], "Zona", "{agg}");
    assert_eq!(zones["x-tepat-layer"]["roles"][0], "zones", "{agg}");
    // The help's English is the doc comment; its Indonesian is the annotation.
    assert_eq!(zones["x-tepat-help"]["en"], zones["description"], "{agg}");
    let headline: Vec<&Value> = agg["columns"]
        .as_array()
        .context("columns")?
        .iter()
        .filter(|c| c["headline"] == true)
        .collect();
    assert_eq!(headline.len(), 1, "{agg}");
    assert_eq!(headline[0]["name"], "count");
    // The served project is the demo city: aggregate defaults to its kelurahan and a
    // facility layer, and those params run.
    assert_eq!(agg["default_params"]["zones"], "kelurahan", "{agg}");
    let r = post(
        "/api/v1/analyses/aggregate",
        &agg["default_params"].to_string(),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn aggregate_gives_one_row_per_kelurahan_sorted_by_id() -> Result<()> {
    let r = post("/api/v1/analyses/aggregate", &aggregate_params()).await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    assert_eq!(v["analysis"], "aggregate");
    assert_eq!(v["params"]["sum"], json!(["students"]));
    assert_eq!(v["meta"]["row_layer"], "kelurahan");
    assert!(v["meta"]["layers"]["sekolah"]
        .as_str()
        .is_some_and(|h| h.len() == 64));
    let kelurahan = get("/api/v1/layers/kelurahan").await?.json()?;
    let rows = v["rows"].as_array().context("rows")?;
    assert_eq!(Some(rows.len() as u64), kelurahan["features"].as_u64());
    let ids: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| tepat_engine::analysis::compare_ids(a, b));
    sorted.dedup();
    assert_eq!(ids, sorted, "unique and sorted by id");
    assert!(
        rows.iter()
            .all(|r| r["count"].is_u64() && r["sum_students"].is_number()),
        "{}",
        rows[0]
    );
    let total: f64 = rows.iter().filter_map(|r| r["sum_students"].as_f64()).sum();
    let expected = v["summary"]["total_sum_students"]
        .as_f64()
        .context("total")?;
    assert!(
        (total - expected).abs() < 1e-6 * expected.max(1.0),
        "{total} vs {expected}"
    );
    Ok(())
}

#[tokio::test]
async fn aggregate_with_an_unknown_layer_is_a_404_naming_it() -> Result<()> {
    let r = post(
        "/api/v1/analyses/aggregate",
        r#"{"zones":"kelurahan","layer":"sekolahx"}"#,
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.problem()?.detail.contains("'sekolahx'"));
    Ok(())
}

#[tokio::test]
async fn bad_params_are_a_422_naming_the_param() -> Result<()> {
    let r = post(
        "/api/v1/analyses/aggregate",
        r#"{"zones":"kelurahan","layer":"sekolah","sum":"students"}"#,
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.problem()?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/invalid-params");
    assert!(p.detail.contains("parameter 'sum'"), "{}", p.detail);

    let r = post(
        "/api/v1/analyses/aggregate",
        r#"{"zones":"kelurahan","layer":"sekolah","sum":["nama"]}"#,
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.problem()?.detail.contains("'nama'"));
    Ok(())
}

#[tokio::test]
async fn malformed_json_is_a_400() -> Result<()> {
    let r = post("/api/v1/analyses/aggregate", r#"{"zones": "kelurahan","#).await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let p = r.problem()?;
    assert_eq!(p.type_uri, "https://tepat.dev/problems/invalid-json");
    assert!(p.detail.contains("line 1"), "{}", p.detail);
    Ok(())
}

#[tokio::test]
async fn unknown_analysis_route_and_method_are_problems() -> Result<()> {
    let r = post("/api/v1/analyses/nope", "{}").await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.problem()?.type_uri.ends_with("/unknown-analysis"));
    let r = get("/api/v1/nope").await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.problem()?;
    let r = get("/api/v1/analyses/aggregate").await?;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    r.problem()?;
    Ok(())
}

#[tokio::test]
async fn oversized_body_is_a_413_problem() -> Result<()> {
    let big = format!(
        r#"{{"zones":"{}"}}"#,
        "x".repeat(tepat::limits::MAX_BODY_BYTES)
    );
    let r = post("/api/v1/analyses/aggregate", &big).await?;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    r.problem()?;
    Ok(())
}

#[tokio::test]
async fn rasters_are_listed_but_have_no_features() -> Result<()> {
    let v = get("/api/v1/layers/elevasi").await?.json()?;
    assert_eq!(v["role"], "raster");
    assert!(v["grid"][0].as_u64().is_some_and(|rows| rows > 0), "{v}");
    let r = get("/api/v1/layers/elevasi/features").await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.problem()?.detail.contains("'elevasi' is a raster"));
    Ok(())
}

/// The targeting chain over HTTP: `index` with `exposure` as an input, as CSV (the nested
/// contributions and reasons become JSON cells) and with a weight list that doesn't fit.
#[tokio::test]
async fn index_ranks_over_http_and_names_a_bad_weight_list() -> Result<()> {
    let body = r#"{"zones":"kelurahan",
        "inputs":{"banjir":{"analysis":"exposure","params":{"zones":"kelurahan","hazard":"banjir_q25"}}},
        "indicators":[{"from":"banjir","field":"exposed_share"},{"field":"poor_households","per":"households"}],
        "top_n":5}"#;
    let r = post("/api/v1/analyses/index", body).await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    let rows = v["rows"].as_array().context("rows")?;
    assert_eq!(rows.len(), 83);
    let first = rows
        .iter()
        .find(|row| row["rank"] == 1)
        .context("a rank-1 row")?;
    assert!(!first["reasons"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    assert_eq!(v["summary"]["top"].as_array().map(Vec::len), Some(5));

    let r = post("/api/v1/analyses/index?format=csv", body).await?;
    assert_eq!(r.status, StatusCode::OK);
    let text = String::from_utf8(r.body)?;
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("id,") && header.contains("contributions") && header.contains("reasons"),
        "{header}"
    );
    assert_eq!(text.lines().count(), 84);

    let r = post("/api/v1/analyses/index?format=geojson", body).await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/geo+json");
    let fc = r.json()?;
    assert_eq!(fc["features"].as_array().map(Vec::len), Some(83));
    assert!(fc["features"][0]["properties"]["rank"].is_u64());

    let r = post("/api/v1/analyses/index?format=xlsx", body).await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.problem()?.detail.contains("format: 'xlsx'"));

    let r = post(
        "/api/v1/analyses/index",
        r#"{"zones":"kelurahan","indicators":[{"field":"population"},{"field":"households"}],"weights":[1,2,3]}"#,
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.problem()?;
    assert!(
        p.detail.contains("weights") && p.detail.contains("3 weights for 2 indicators"),
        "{}",
        p.detail
    );
    Ok(())
}

/// Rows a layer has no feature for keep their own geometry in GeoJSON: `locate`'s chosen
/// sites are points on the map, in lon/lat, not attribute-only features.
#[tokio::test]
async fn locate_sites_are_points_in_geojson() -> Result<()> {
    let body = json!({"model": "mclp", "demand": "kelurahan", "weight": "poor_households",
        "grid": {"spacing_m": 500, "within": "daratan"}, "exclude_hazard": "banjir_q100",
        "existing": "puskesmas", "radius_m": 1000, "p": 3});
    let r = post("/api/v1/analyses/locate?format=geojson", &body.to_string()).await?;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let fc: Value = r.json()?;
    let sites: Vec<&Value> = fc["features"]
        .as_array()
        .context("features")?
        .iter()
        .filter(|f| f["properties"]["kind"] == "site")
        .collect();
    assert!(sites.len() >= 3, "{} sites", sites.len());
    let demand = fc["features"]
        .as_array()
        .context("features")?
        .iter()
        .filter(|f| f["properties"]["kind"] == "demand")
        .count();
    assert!(demand > 0, "demand rows are features too");
    for s in sites {
        assert_eq!(s["geometry"]["type"], "Point", "{s}");
        let c = s["geometry"]["coordinates"]
            .as_array()
            .context("coordinates")?;
        let (lon, lat) = (c[0].as_f64().context("lon")?, c[1].as_f64().context("lat")?);
        // The demo city lies near Manado: lon/lat, not UTM metres.
        assert!(
            (120.0..130.0).contains(&lon) && (-5.0..5.0).contains(&lat),
            "{lon} {lat}"
        );
        assert!(
            s["properties"].get("geometry").is_none(),
            "WKT left in the properties"
        );
    }
    Ok(())
}
