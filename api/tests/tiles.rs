//! Vector tiles, TileJSON and result tiles over HTTP, in-process
//! (`tower::ServiceExt::oneshot`) on the demo city.

use crate::common::{self, Reply};
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use geozero::mvt::{tile, Message, Tile, TileValue};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use tepat::store::UserRole;
use tepat::AppState;
use tepat_engine::crs::{Crs, Transformer};
use tepat_engine::Layer;

/// The demo city, generated and indexed once for all tests of this file.
fn state() -> Result<AppState> {
    static STATE: OnceLock<std::result::Result<AppState, String>> = OnceLock::new();
    STATE
        .get_or_init(|| AppState::load(None).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

fn layer(name: &str) -> Result<Arc<Layer>> {
    Ok(state()?.project().layers.get(name)?.clone())
}

/// The body of a reply as a vector tile, checking status and media type.
fn tile(r: &Reply) -> Result<Tile> {
    anyhow::ensure!(r.status == StatusCode::OK, "{}: {}", r.status, r.text());
    anyhow::ensure!(
        r.header("content-type") == Some("application/vnd.mapbox-vector-tile"),
        "{:?}",
        r.headers
    );
    Ok(Tile::decode(r.body.as_slice())?)
}

async fn send(state: &AppState, req: Request<Body>) -> Result<Reply> {
    common::oneshot(state, req).await
}

async fn get(uri: &str) -> Result<Reply> {
    let req = Request::builder().uri(uri).body(Body::empty())?;
    send(&state()?, req).await
}

async fn write(
    state: &AppState,
    method: Method,
    uri: &str,
    token: &str,
    body: Value,
) -> Result<Reply> {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))?;
    send(state, req).await
}

/// The XYZ tile holding longitude/latitude `(lon, lat)` at zoom `z`.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = (1u64 << z) as f64;
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

/// The layer's lon/lat bounding box `[w, s, e, n]`.
fn lon_lat_bbox(l: &Layer) -> Result<[f64; 4]> {
    let crs = l.crs.clone().unwrap_or(Crs::Epsg(32651));
    let t = Transformer::new(&crs, &Crs::WGS84)?;
    let b = l.bbox().context("layer without geometry")?;
    let (w, s) = t.point(b.min().x, b.min().y)?;
    let (e, n) = t.point(b.max().x, b.max().y)?;
    Ok([w, s, e, n])
}

/// The deepest tile holding the whole bbox.
fn covering(b: [f64; 4]) -> (u32, u32, u32) {
    (0..=14)
        .rev()
        .find_map(|z| {
            let (x0, y0) = tile_of(b[0], b[3], z);
            let (x1, y1) = tile_of(b[2], b[1], z);
            (x0 == x1 && y0 == y1).then_some((z, x0, y0))
        })
        .unwrap_or((0, 0, 0))
}

/// Properties of a tile feature by key.
fn props(l: &tile::Layer, f: &tile::Feature) -> Result<BTreeMap<String, TileValue>> {
    f.tags
        .chunks(2)
        .map(|kv| {
            let key = l.keys.get(kv[0] as usize).context("key index")?.clone();
            let v = l.values.get(kv[1] as usize).context("value index")?.clone();
            let v = TileValue::try_from(v).map_err(|_| anyhow::anyhow!("empty value"))?;
            Ok((key, v))
        })
        .collect()
}

fn text(v: Option<&TileValue>) -> Option<&str> {
    match v {
        Some(TileValue::Str(s)) => Some(s),
        _ => None,
    }
}

fn one_layer<'a>(t: &'a Tile, name: &str) -> Result<&'a tile::Layer> {
    anyhow::ensure!(t.layers.len() == 1, "{} layers", t.layers.len());
    anyhow::ensure!(t.layers[0].name == name, "layer {}", t.layers[0].name);
    Ok(&t.layers[0])
}

#[tokio::test]
async fn a_tile_covering_the_city_has_every_kelurahan_with_its_fields() -> Result<()> {
    let kel = layer("kelurahan")?;
    let (z, x, y) = covering(lon_lat_bbox(&kel)?);
    assert!(z >= 8, "the demo city fits a zoom-{z} tile");
    let r = get(&format!("/api/v1/tiles/kelurahan/{z}/{x}/{y}.mvt")).await?;
    let t = tile(&r)?;
    let l = one_layer(&t, "kelurahan")?;
    assert_eq!(l.extent, Some(4096));
    assert_eq!(l.features.len(), kel.len(), "one feature per kelurahan");
    let ids: BTreeSet<u64> = l.features.iter().filter_map(|f| f.id).collect();
    assert_eq!(
        ids,
        (0..kel.len() as u64).collect(),
        "feature id = row index"
    );
    let nama = kel.column("nama")?;
    for f in &l.features {
        let i = f.id.context("id")? as usize;
        let p = props(l, f)?;
        assert_eq!(text(p.get("id")), Some(kel.ids[i].as_str()), "{p:?}");
        assert_eq!(
            text(p.get("nama")),
            nama.get(i).as_key().as_deref(),
            "{p:?}"
        );
        assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
        // Every field of the layer with a value is a property (nulls are left out).
        for c in &kel.columns {
            let present = p.contains_key(&c.name);
            assert_eq!(present, c.get(i) != tepat_engine::Value::Null, "{}", c.name);
        }
    }
    assert_eq!(r.header("x-tepat-cache"), Some("miss"));
    assert!(r.header("etag").is_some() && r.header("cache-control").is_some());
    Ok(())
}

#[tokio::test]
async fn zoom_10_tiles_hold_every_feature_at_least_once() -> Result<()> {
    for name in ["kelurahan", "puskesmas"] {
        let l = layer(name)?;
        let b = lon_lat_bbox(&l)?;
        let (x0, y0) = tile_of(b[0], b[3], 10);
        let (x1, y1) = tile_of(b[2], b[1], 10);
        let (mut seen, mut total) = (BTreeSet::new(), 0);
        for x in x0..=x1 {
            for y in y0..=y1 {
                let r = get(&format!("/api/v1/tiles/{name}/10/{x}/{y}.mvt")).await?;
                if r.body.is_empty() {
                    assert_eq!(r.status, StatusCode::OK);
                    continue;
                }
                let t = tile(&r)?;
                let tl = one_layer(&t, name)?;
                total += tl.features.len();
                seen.extend(tl.features.iter().filter_map(|f| f.id));
            }
        }
        let with_geometry = l.geometries.iter().filter(|g| g.is_some()).count();
        // Features across a tile edge are in both tiles; none is lost.
        assert_eq!(seen.len(), with_geometry, "{name}");
        assert!(total >= with_geometry, "{name}: {total}");
    }
    Ok(())
}

#[tokio::test]
async fn tiles_are_cached_revalidated_and_empty_far_away() -> Result<()> {
    let kel = layer("kelurahan")?;
    let (z, x, y) = covering(lon_lat_bbox(&kel)?);
    let uri = format!("/api/v1/tiles/kelurahan/{}/{}/{}.mvt", z + 1, 2 * x, 2 * y);
    let first = get(&uri).await?;
    let second = get(&uri).await?;
    assert_eq!(second.header("x-tepat-cache"), Some("hit"));
    assert_eq!(first.body, second.body);
    let etag = second.header("etag").context("etag")?.to_string();
    assert_eq!(first.header("etag"), Some(etag.as_str()));
    let req = Request::builder()
        .uri(&uri)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())?;
    let r = send(&state()?, req).await?;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    // Over the Atlantic: an empty tile, 200 with no body, as MapLibre expects.
    let r = get("/api/v1/tiles/kelurahan/10/300/400.mvt").await?;
    assert_eq!((r.status, r.body.len()), (StatusCode::OK, 0));
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    Ok(())
}

#[tokio::test]
async fn tilejson_describes_the_layer() -> Result<()> {
    let kel = layer("kelurahan")?;
    let req = Request::builder()
        .uri("/api/v1/tiles/kelurahan.json")
        .header(header::HOST, "peta.example:8080")
        .body(Body::empty())?;
    let r = send(&state()?, req).await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(
        v["tiles"],
        json!(["http://peta.example:8080/api/v1/tiles/kelurahan/{z}/{x}/{y}.mvt"])
    );
    assert_eq!(
        (v["minzoom"].as_u64(), v["maxzoom"].as_u64()),
        (Some(0), Some(14))
    );
    let bounds: Vec<f64> = serde_json::from_value(v["bounds"].clone())?;
    let b = lon_lat_bbox(&kel)?;
    assert!(
        bounds[0] <= b[0] && bounds[1] <= b[1] && bounds[2] >= b[2] && bounds[3] >= b[3],
        "{bounds:?} holds {b:?}"
    );
    assert!(bounds[2] - bounds[0] < 1.0, "{bounds:?} is about the city");
    let center = v["center"].as_array().context("center")?;
    assert!(center[0]
        .as_f64()
        .is_some_and(|lon| lon > b[0] && lon < b[2]));
    let vl = &v["vector_layers"][0];
    assert_eq!(vl["id"], "kelurahan");
    assert_eq!(vl["fields"]["id"], "String");
    for c in &kel.columns {
        let expected = match c.field_type() {
            tepat_engine::layer::FieldType::Text => "String",
            tepat_engine::layer::FieldType::Bool => "Boolean",
            _ => "Number",
        };
        assert_eq!(vl["fields"][&c.name], expected, "{}", c.name);
    }
    Ok(())
}

#[tokio::test]
async fn scenario_tiles_follow_the_scenario_version() -> Result<()> {
    let state = AppState::new(tepat_datasets::demo_project()?)?;
    let token = state.store().create_token(UserRole::Planner, None)?;
    let (lon, lat) = (124.86, 1.47);
    let (x, y) = tile_of(lon, lat, 12);
    let r = write(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        &token,
        json!({"name": "dua puskesmas", "edits": [{"op": "add_facility", "layer": "puskesmas",
            "id": "PKM-BARU", "lon": lon, "lat": lat, "capacity": 30000}]}),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let id = r.json()?["id"].as_str().context("id")?.to_string();

    let ids_in = |t: &Tile| -> Result<BTreeSet<String>> {
        let Some(l) = t.layers.first() else {
            return Ok(BTreeSet::new());
        };
        l.features
            .iter()
            .map(|f| Ok(text(props(l, f)?.get("id")).context("id")?.to_string()))
            .collect()
    };
    let tile_at = |q: String| {
        let state = state.clone();
        async move {
            let req = Request::builder()
                .uri(format!("/api/v1/tiles/puskesmas/12/{x}/{y}.mvt{q}"))
                .body(Body::empty())?;
            send(&state, req).await
        }
    };
    let base = ids_in(&tile(&tile_at(String::new()).await?)?)?;
    assert!(!base.contains("PKM-BARU"));
    let v1 = tile_at(format!("?scenario={id}")).await?;
    let v1_ids = ids_in(&tile(&v1)?)?;
    assert!(v1_ids.contains("PKM-BARU"), "{v1_ids:?}");
    assert_eq!(v1_ids.len(), base.len() + 1);

    // A second facility: version 2. The scenario's tile changes; version 1 stays as it was.
    let r = write(
        &state,
        Method::POST,
        &format!("/api/v1/scenarios/{id}/edits"),
        &token,
        json!({"op": "add_facility", "layer": "puskesmas", "id": "PKM-BARU-2",
            "lon": lon + 0.001, "lat": lat, "capacity": 10000}),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v2 = tile_at(format!("?scenario={id}")).await?;
    assert_eq!(
        v2.header("x-tepat-cache"),
        Some("miss"),
        "not version 1's tile"
    );
    assert_ne!(v2.header("etag"), v1.header("etag"));
    let v2_ids = ids_in(&tile(&v2)?)?;
    assert!(
        v2_ids.contains("PKM-BARU") && v2_ids.contains("PKM-BARU-2"),
        "{v2_ids:?}"
    );
    let old = tile_at(format!("?scenario={id}&version=1")).await?;
    assert_eq!(ids_in(&tile(&old)?)?, v1_ids);
    assert_eq!(old.body, v1.body);

    // A layer the scenario leaves alone shares the baseline's tiles.
    let kel = layer("kelurahan")?;
    let (z, kx, ky) = covering(lon_lat_bbox(&kel)?);
    let base_uri = format!("/api/v1/tiles/kelurahan/{z}/{kx}/{ky}.mvt");
    let baseline = send(
        &state,
        Request::builder().uri(&base_uri).body(Body::empty())?,
    )
    .await?;
    let scen = send(
        &state,
        Request::builder()
            .uri(format!("{base_uri}?scenario={id}"))
            .body(Body::empty())?,
    )
    .await?;
    assert_eq!(scen.header("x-tepat-cache"), Some("hit"));
    assert_eq!(scen.body, baseline.body);

    // The scenario's TileJSON pins the version its tiles come from.
    let tj = send(
        &state,
        Request::builder()
            .uri(format!("/api/v1/tiles/puskesmas.json?scenario={id}"))
            .body(Body::empty())?,
    )
    .await?
    .json()?;
    let url = tj["tiles"][0].as_str().context("tiles")?;
    assert!(
        url.ends_with(&format!(
            "/api/v1/tiles/puskesmas/{{z}}/{{x}}/{{y}}.mvt?scenario={id}&version=2"
        )),
        "{url}"
    );
    Ok(())
}

#[tokio::test]
async fn result_tiles_carry_the_result_fields() -> Result<()> {
    let state = state()?;
    let params = json!({"zones": "kelurahan", "layer": "sekolah", "sum": ["students"]});
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/analyses/aggregate")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(params.to_string()))?;
    let r = send(&state, req).await?;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let key = r
        .header("x-tepat-result")
        .context("x-tepat-result")?
        .to_string();
    let envelope = r.json()?;

    let cached = get(&format!("/api/v1/results/{key}")).await?;
    assert_eq!(cached.status, StatusCode::OK);
    assert_eq!(cached.json()?, envelope);

    let kel = layer("kelurahan")?;
    let (z, x, y) = covering(lon_lat_bbox(&kel)?);
    let r = get(&format!("/api/v1/results/{key}/tiles/{z}/{x}/{y}.mvt")).await?;
    assert!(
        r.header("cache-control")
            .is_some_and(|c| c.contains("immutable")),
        "{:?}",
        r.headers
    );
    let t = tile(&r)?;
    let l = one_layer(&t, "result")?;
    let rows = envelope["rows"].as_array().context("rows")?;
    assert_eq!(l.features.len(), rows.len());
    let by_id: BTreeMap<&str, &Value> = rows
        .iter()
        .filter_map(|r| Some((r["id"].as_str()?, r)))
        .collect();
    for f in &l.features {
        let p = props(l, f)?;
        let id = text(p.get("id")).context("id")?;
        let row = by_id.get(id).context("a row of the result")?;
        // The feature id is the zone's row index in the kelurahan layer.
        assert_eq!(
            kel.ids
                .get(f.id.context("fid")? as usize)
                .map(String::as_str),
            Some(id)
        );
        let students = match p.get("sum_students") {
            Some(TileValue::Int(v)) => *v as f64,
            Some(TileValue::Uint(v)) => *v as f64,
            Some(TileValue::Double(v)) => *v,
            other => anyhow::bail!("sum_students: {other:?}"),
        };
        assert_eq!(Some(students), row["sum_students"].as_f64(), "{id}");
    }
    Ok(())
}

/// With room for about one result, a thousand other runs push the first out of the cache; its
/// link still answers, with the same envelope and tiles, made again from its recipe, on
/// the scenario version it was made on even after the scenario has moved on.
#[tokio::test]
async fn a_result_link_survives_a_thousand_other_runs() -> Result<()> {
    let options = tepat::state::Options {
        result_bytes: 24_000,
        ..Default::default()
    };
    let state = AppState::with_store(
        state()?.project().clone(),
        tepat::store::Store::in_memory()?,
        options,
    )?;
    let token = state.store().create_token(UserRole::Planner, None)?;
    let s = write(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        &token,
        json!({"name": "Sekolah baru", "edits": [{"op": "add_facility", "layer": "sekolah", "id": "SD-BARU",
               "lon": 124.85, "lat": 1.48, "attributes": {"students": 100000}}]}),
    )
    .await?;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
    let id = s.json()?["id"].as_str().context("id")?.to_string();
    let run = |uri: String, params: Value| {
        let state = state.clone();
        async move {
            let req = Request::builder()
                .method(Method::POST)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(params.to_string()))?;
            send(&state, req).await
        }
    };
    let params = json!({"zones": "kelurahan", "layer": "sekolah", "sum": ["students"]});
    let first = run(format!("/api/v1/analyses/aggregate?scenario={id}"), params).await?;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let key = first.header("x-tepat-result").context("key")?.to_string();
    let envelope = first.json()?;
    // The scenario moves on to version 2; the link pins version 1.
    let edit = json!({"op": "scale_demand", "layer": "kelurahan", "factor": 2.0});
    let r = write(
        &state,
        Method::POST,
        &format!("/api/v1/scenarios/{id}/edits"),
        &token,
        edit,
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for i in 0..1000 {
        let other = json!({"zones": "kelurahan", "layer": "sekolah",
                           "filter": {"field": "jenjang", "values": [format!("jenjang-{i}")]}});
        let r = run("/api/v1/analyses/aggregate".into(), other).await?;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    assert!(
        state.cached(&key).is_none(),
        "the first result is still cached"
    );
    let req = Request::builder()
        .uri(format!("/api/v1/results/{key}"))
        .body(Body::empty())?;
    let again = send(&state, req).await?;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let mut again = again.json()?;
    // Made again: the same rows, params and data; only the run's own time differs.
    again["meta"]["elapsed_ms"] = envelope["meta"]["elapsed_ms"].clone();
    assert_eq!(again, envelope);
    let kel = layer("kelurahan")?;
    let (z, x, y) = covering(lon_lat_bbox(&kel)?);
    let req = Request::builder()
        .uri(format!("/api/v1/results/{key}/tiles/{z}/{x}/{y}.mvt"))
        .body(Body::empty())?;
    let t = tile(&send(&state, req).await?)?;
    assert_eq!(one_layer(&t, "result")?.features.len(), kel.len());
    // A key never handed out is still unknown.
    let req = Request::builder()
        .uri("/api/v1/results/feedbeef")
        .body(Body::empty())?;
    assert_eq!(send(&state, req).await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn bad_tile_addresses_and_unknown_layers_are_problems() -> Result<()> {
    let raster = get("/api/v1/layers")
        .await?
        .json()?
        .as_array()
        .context("layers")?
        .iter()
        .find(|l| l["role"] == "raster")
        .and_then(|l| l["name"].as_str().map(String::from));
    let mut cases = vec![
        (
            "/api/v1/tiles/kelurahan/23/0/0.mvt",
            404,
            "tile-out-of-range",
            "zoom",
        ),
        (
            "/api/v1/tiles/kelurahan/3/8/0.mvt",
            404,
            "tile-out-of-range",
            "x must be below 8",
        ),
        (
            "/api/v1/tiles/kelurahan/3/0/8.mvt",
            404,
            "tile-out-of-range",
            "y must be below 8",
        ),
        (
            "/api/v1/tiles/kelurahan/z/0/0.mvt",
            400,
            "invalid-tile",
            "z: 'z'",
        ),
        (
            "/api/v1/tiles/kelurahan/1/0/0.png",
            400,
            "invalid-tile",
            ".mvt",
        ),
        ("/api/v1/tiles/nope/0/0/0.mvt", 404, "unknown-layer", "nope"),
        ("/api/v1/tiles/nope.json", 404, "unknown-layer", "nope"),
        ("/api/v1/tiles/kelurahan", 404, "not-found", ".json"),
        (
            "/api/v1/tiles/kelurahan/0/0/0.mvt?version=2",
            400,
            "invalid-query",
            "version",
        ),
        (
            "/api/v1/tiles/kelurahan/0/0/0.mvt?scenario=s_none",
            404,
            "unknown-scenario",
            "s_none",
        ),
        (
            "/api/v1/results/feedbeef",
            404,
            "unknown-result",
            "feedbeef",
        ),
        (
            "/api/v1/results/feedbeef/tiles/0/0/0.mvt",
            404,
            "unknown-result",
            "feedbeef",
        ),
        (
            "/api/v1/results/feedbeef/tiles/0/1/0.mvt",
            404,
            "tile-out-of-range",
            "x must",
        ),
    ];
    let raster_uri = raster.map(|n| format!("/api/v1/tiles/{n}/0/0/0.mvt"));
    if let Some(uri) = &raster_uri {
        cases.push((uri.as_str(), 422, "raster-layer", "raster"));
    }
    for (uri, status, kind, detail) in cases {
        let r = get(uri).await?;
        let p = r
            .problem_with(StatusCode::from_u16(status)?)
            .with_context(|| uri.to_string())?;
        assert_eq!(
            p.type_uri,
            format!("https://tepat.dev/problems/{kind}"),
            "{uri}"
        );
        assert!(p.detail.contains(detail), "{uri}: {}", p.detail);
    }
    Ok(())
}
