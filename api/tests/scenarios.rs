//! Scenarios, compare, the results cache, persistence and roles over HTTP, in-process
//! (`tower::ServiceExt::oneshot`) on the demo city.

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use tepat::state::Options;
use tepat::store::{Store, UserRole};
use tepat::AppState;
use tower::ServiceExt;

use crate::common::{demo, send, Reply};

/// A server on the demo city with a store in `dir` (in memory without).
fn server(dir: Option<&std::path::Path>, private: bool) -> Result<AppState> {
    let store = match dir {
        Some(d) => Store::open(d)?,
        None => Store::in_memory()?,
    };
    Ok(AppState::with_store(
        demo()?,
        store,
        Options {
            private,
            ..Options::default()
        },
    )?)
}

fn new_puskesmas() -> Value {
    json!({
        "name": "Puskesmas baru",
        "edits": [{"op": "add_facility", "layer": "puskesmas", "id": "PKM-BARU",
                   "lon": 124.86, "lat": 1.47, "capacity": 30000, "cost": 2.5e9}]
    })
}

#[tokio::test]
async fn scenario_crud_with_versions() -> Result<()> {
    let state = server(None, false)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let t = Some(planner.as_str());

    let r = send(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        t,
        Some(json!({"name": "kosong"})),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let s = r.json()?;
    let id = s["id"].as_str().context("id")?.to_string();
    assert_eq!(s["name"], "kosong");
    assert_eq!(s["version"], 1);
    assert_eq!(s["edits"], json!([]));
    assert_eq!(
        r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some(format!("/api/v1/scenarios/{id}").as_str())
    );

    let uri = format!("/api/v1/scenarios/{id}");
    let edit = json!({"op": "close_facility", "layer": "puskesmas", "id": "PKM-01"});
    let r = send(&state, Method::POST, &format!("{uri}/edits"), t, Some(edit)).await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()?["version"], 2);
    let r = send(&state, Method::PUT, &uri, t, Some(new_puskesmas())).await?;
    assert_eq!(r.json()?["version"], 3);
    assert_eq!(r.json()?["name"], "Puskesmas baru");

    let r = send(&state, Method::GET, &uri, None, None).await?;
    assert_eq!(r.json()?["version"], 3);
    let r = send(&state, Method::GET, &format!("{uri}?version=2"), None, None).await?;
    assert_eq!(r.json()?["edits"][0]["op"], "close_facility");
    let r = send(&state, Method::GET, "/api/v1/scenarios", None, None).await?;
    assert_eq!(r.json()?.as_array().map(Vec::len), Some(1));

    let r = send(&state, Method::DELETE, &uri, t, None).await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&state, Method::GET, &uri, None, None).await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.problem()?.type_uri,
        "https://tepat.dev/problems/unknown-scenario"
    );

    let audit = send(&state, Method::GET, "/api/v1/audit", None, None)
        .await?
        .json()?;
    let actions: Vec<&str> = audit
        .as_array()
        .context("list")?
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "scenario.delete",
            "scenario.update",
            "scenario.update",
            "scenario.create",
            "token.create"
        ]
    );
    let update = &audit[1];
    assert_eq!(update["role"], "planner");
    assert_eq!(update["detail"]["scenario"]["name"], "Puskesmas baru");
    let hash = state
        .project()
        .layers
        .get("puskesmas")?
        .content_hash()
        .to_string();
    assert_eq!(
        update["detail"]["layers"]["puskesmas"],
        hash.as_str(),
        "based on which data"
    );
    Ok(())
}

#[tokio::test]
async fn bad_scenarios_are_422_and_store_nothing() -> Result<()> {
    let state = server(None, false)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let t = Some(planner.as_str());
    let cases = [
        (
            json!({"name": "x", "edits": [{"op": "close_facility", "layer": "klinik", "id": "1"}]}),
            "unknown-layer",
            "klinik",
        ),
        (
            json!({"name": "x", "edits": [{"op": "close_facility", "layer": "puskesmas", "id": "PKM-99"}]}),
            "unknown-feature",
            "PKM-99",
        ),
        (
            json!({"name": "x", "edits": [{"op": "add_facility", "layer": "puskesmas", "id": "N", "lon": 124.8, "lat": 1.5, "attributes": {"beds": 2}}]}),
            "unknown-field",
            "beds",
        ),
        (
            json!({"name": "x", "edits": [{"op": "swap_hazard", "layer": "banjir_q25", "to": "kelurahan"}]}),
            "scenario-wrong-role",
            "kelurahan",
        ),
        (
            json!({"name": "x", "edits": [{"op": "teleport"}]}),
            "invalid-scenario",
            "teleport",
        ),
        (json!({"nama": "x"}), "invalid-scenario", "nama"),
    ];
    for (body, kind, names) in cases {
        let r = send(
            &state,
            Method::POST,
            "/api/v1/scenarios",
            t,
            Some(body.clone()),
        )
        .await?;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = r.problem()?;
        assert_eq!(
            p.type_uri,
            format!("https://tepat.dev/problems/{kind}"),
            "{body}"
        );
        assert!(p.detail.contains(names), "{}", p.detail);
    }
    let r = send(&state, Method::GET, "/api/v1/scenarios", None, None).await?;
    assert_eq!(r.json()?, json!([]));
    let raw = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/scenarios")
        .header(header::AUTHORIZATION, format!("Bearer {planner}"))
        .body(Body::from("{not json"))?;
    let response = tepat::router(state.clone()).oneshot(raw).await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let r = send(
        &state,
        Method::PUT,
        "/api/v1/scenarios/sc_nope",
        t,
        Some(json!({"name": "x"})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn run_on_a_scenario_is_cached_until_it_changes() -> Result<()> {
    let state = server(None, false)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let t = Some(planner.as_str());
    let s = send(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        t,
        Some(new_puskesmas()),
    )
    .await?
    .json()?;
    let id = s["id"].as_str().context("id")?;
    let params = json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "coverage", "radius_m": 2000});
    let cache = |r: &Reply| {
        r.headers
            .get("x-tepat-cache")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let base = send(
        &state,
        Method::POST,
        "/api/v1/analyses/access",
        None,
        Some(params.clone()),
    )
    .await?;
    assert_eq!(cache(&base), "miss");
    let uri = format!("/api/v1/analyses/access?scenario={id}");
    let first = send(&state, Method::POST, &uri, None, Some(params.clone())).await?;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(cache(&first), "miss");
    let again = send(&state, Method::POST, &uri, None, Some(params.clone())).await?;
    assert_eq!(cache(&again), "hit");
    assert_eq!(first.body, again.body);
    let (b, s1) = (base.json()?, first.json()?);
    assert_eq!(
        s1["summary"]["facilities_open"],
        b["summary"]["facilities_open"].as_u64().context("n")? + 1
    );
    assert_ne!(
        s1["meta"]["layers"]["puskesmas"],
        b["meta"]["layers"]["puskesmas"]
    );

    // An edit is a new version: the old result is not served for it.
    let close = json!({"op": "close_facility", "layer": "puskesmas", "id": "PKM-BARU"});
    send(
        &state,
        Method::POST,
        &format!("/api/v1/scenarios/{id}/edits"),
        t,
        Some(close),
    )
    .await?;
    let after = send(&state, Method::POST, &uri, None, Some(params.clone())).await?;
    assert_eq!(cache(&after), "miss");
    assert_eq!(
        after.json()?["summary"],
        b["summary"],
        "added then closed = the baseline"
    );
    let v1 = send(
        &state,
        Method::POST,
        &format!("{uri}&version=1"),
        None,
        Some(params),
    )
    .await?;
    assert_eq!(cache(&v1), "hit");

    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/access?scenario=sc_nope",
        None,
        Some(json!({})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &state,
        Method::POST,
        &format!("/api/v1/analyses/access?scenario={id}&version=0"),
        None,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let geo = send(
        &state,
        Method::POST,
        &format!("{uri}&format=geojson"),
        None,
        Some(json!({"demand": "kelurahan", "facilities": "puskesmas"})),
    )
    .await?;
    assert_eq!(geo.json()?["type"], "FeatureCollection");
    Ok(())
}

#[tokio::test]
async fn compare_over_http() -> Result<()> {
    let state = server(None, false)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let t = Some(planner.as_str());
    let a = send(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        t,
        Some(new_puskesmas()),
    )
    .await?
    .json()?;
    let flood = json!({"name": "Banjir besar", "edits": [{"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"}]});
    let b = send(&state, Method::POST, "/api/v1/scenarios", t, Some(flood))
        .await?
        .json()?;
    let body = json!({"scenarios": [a["id"], {"id": b["id"], "version": 1}]});
    let r = send(&state, Method::POST, "/api/v1/compare", None, Some(body)).await?;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let c = r.json()?;
    let names: Vec<&str> = c["analyses"]
        .as_array()
        .context("analyses")?
        .iter()
        .filter_map(|a| a["analysis"].as_str())
        .collect();
    assert_eq!(names, ["exposure", "access", "index"]);
    assert_eq!(c["scenarios"][0]["name"], "Puskesmas baru");
    // Default exposure params take the hazard a scenario edits.
    assert_eq!(
        c["analyses"][0]["baseline"]["params"]["hazard"],
        "banjir_q25"
    );
    let exposed = &c["analyses"][0]["scenarios"][1]["summary_delta"]["exposed_population"];
    assert!(exposed.as_f64().context("delta")? > 0.0);
    let access_sentence = c["analyses"][1]["scenarios"][0]["sentences"][0]
        .as_str()
        .context("sentence")?;
    assert!(
        access_sentence.ends_with("people within 2 km of a puskesmas"),
        "{access_sentence}"
    );
    let kalimat = c["analyses"][1]["scenarios"][0]["sentences_id"][0]
        .as_str()
        .context("kalimat")?;
    assert!(
        kalimat.ends_with("jiwa dalam jarak 2 km dari puskesmas"),
        "{kalimat}"
    );
    // The flood scenario's sentence names the hazard it swapped in, not the params' layer.
    let flood_sentence = c["analyses"][0]["scenarios"][1]["sentences"][0]
        .as_str()
        .context("sentence")?;
    assert!(
        flood_sentence.starts_with('+')
            && flood_sentence.ends_with("people exposed to banjir_q100 (in place of banjir_q25)"),
        "{flood_sentence}"
    );

    let one = send(
        &state,
        Method::POST,
        &format!(
            "/api/v1/scenarios/{}/compare",
            a["id"].as_str().context("id")?
        ),
        None,
        Some(json!({"analyses": ["access"]})),
    )
    .await?;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()?["analyses"].as_array().map(Vec::len), Some(1));

    let r = send(
        &state,
        Method::POST,
        "/api/v1/compare",
        None,
        Some(json!({"scenarios": []})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.problem()?.type_uri,
        "https://tepat.dev/problems/invalid-compare"
    );
    let r = send(
        &state,
        Method::POST,
        "/api/v1/compare",
        None,
        Some(json!({"scenarios": [a["id"]], "analyses": ["allocate"]})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.problem()?.detail.contains("no default params"));
    let r = send(
        &state,
        Method::POST,
        "/api/v1/compare",
        None,
        Some(json!({"scenarios": ["sc_nope"]})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn writes_need_a_role_reads_are_open_unless_private() -> Result<()> {
    let state = server(None, false)?;
    let token = |role| state.store().create_token(role, None);
    let (admin, planner, leader, researcher) = (
        token(UserRole::Admin)?,
        token(UserRole::Planner)?,
        token(UserRole::Leader)?,
        token(UserRole::Researcher)?,
    );
    let body = || Some(json!({"name": "x"}));
    let r = send(&state, Method::POST, "/api/v1/scenarios", None, body()).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.problem()?.type_uri,
        "https://tepat.dev/problems/unauthorized"
    );
    assert_eq!(
        r.headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let r = send(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        Some("tepat_forged"),
        body(),
    )
    .await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for t in [&leader, &researcher] {
        let r = send(&state, Method::POST, "/api/v1/scenarios", Some(t), body()).await?;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            r.problem()?.type_uri,
            "https://tepat.dev/problems/forbidden"
        );
    }
    for t in [&admin, &planner] {
        let r = send(&state, Method::POST, "/api/v1/scenarios", Some(t), body()).await?;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let id = send(&state, Method::GET, "/api/v1/scenarios", None, None)
        .await?
        .json()?[0]["id"]
        .as_str()
        .context("id")?
        .to_string();
    let r = send(
        &state,
        Method::DELETE,
        &format!("/api/v1/scenarios/{id}"),
        Some(&researcher),
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Reads and runs are open; a researcher's token is accepted on them too.
    let r = send(&state, Method::GET, "/api/v1/scenarios", None, None).await?;
    assert_eq!(r.status, StatusCode::OK);
    let params = json!({"zones": "kelurahan", "hazard": "banjir_q25"});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        Some(&researcher),
        Some(params),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &state,
        Method::GET,
        "/api/v1/layers",
        Some("not a token"),
        None,
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a bad token is refused even on a read"
    );

    let private = server(None, true)?;
    let reader = private.store().create_token(UserRole::Leader, None)?;
    let r = send(&private, Method::GET, "/api/v1/layers", None, None).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(&private, Method::GET, "/api/v1/layers", Some(&reader), None).await?;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&private, Method::GET, "/api/v1/health", None, None).await?;
    assert_eq!(r.status, StatusCode::OK, "health stays open for probes");
    Ok(())
}

#[tokio::test]
async fn scenarios_and_tokens_survive_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (id, token) = {
        let state = server(Some(dir.path()), false)?;
        let token = state.store().create_token(UserRole::Planner, None)?;
        let s = send(
            &state,
            Method::POST,
            "/api/v1/scenarios",
            Some(&token),
            Some(new_puskesmas()),
        )
        .await?
        .json()?;
        let id = s["id"].as_str().context("id")?.to_string();
        let edit = json!({"op": "set_budget", "amount": 3e9});
        send(
            &state,
            Method::POST,
            &format!("/api/v1/scenarios/{id}/edits"),
            Some(&token),
            Some(edit),
        )
        .await?;
        (id, token)
    };
    let state = server(Some(dir.path()), false)?;
    let r = send(
        &state,
        Method::GET,
        &format!("/api/v1/scenarios/{id}"),
        None,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK);
    let s = r.json()?;
    assert_eq!(s["version"], 2);
    assert_eq!(s["edits"][1]["op"], "set_budget");
    let r = send(
        &state,
        Method::DELETE,
        &format!("/api/v1/scenarios/{id}"),
        Some(&token),
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "the token still works");
    Ok(())
}
