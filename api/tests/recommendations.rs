//! Recommendations and the decision log over HTTP, in-process (`tower::ServiceExt::oneshot`)
//! on the demo city: saving a run, deciding, commenting, the audit trail with the data's
//! hashes, roles, and every bad input.

use anyhow::{Context, Result};
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use tepat::state::Options;
use tepat::store::{Store, UserRole};
use tepat::AppState;

use crate::common::{demo, send, send_raw};

fn server(dir: Option<&std::path::Path>) -> Result<AppState> {
    let store = match dir {
        Some(d) => Store::open(d)?,
        None => Store::in_memory()?,
    };
    Ok(AppState::with_store(demo()?, store, Options::default())?)
}

/// A ranking: the index of poor households per household, top 5.
fn ranking_params() -> Value {
    json!({"zones": "kelurahan",
           "indicators": [{"field": "poor_households", "per": "households"}],
           "top_n": 5})
}

fn new_recommendation() -> Value {
    json!({"title": "Bantuan air bersih: 5 kelurahan termiskin",
           "question": "Where first?",
           "analysis": "index",
           "params": ranking_params(),
           "top_n": 5,
           "budget": 2.5e9,
           "notes": "baseline data of 2024"})
}

fn audit_entries(v: &Value, action: &str) -> Vec<Value> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["action"] == action)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn planner_saves_leader_approves_and_the_audit_log_traces_it() -> Result<()> {
    let state = server(None)?;
    let planner = state
        .store()
        .create_token(UserRole::Planner, Some("bappeda"))?;
    let leader = state
        .store()
        .create_token(UserRole::Leader, Some("walikota"))?;
    let leader_actor = state.store().principal(&leader)?.context("leader")?.actor;
    let planner_actor = state.store().principal(&planner)?.context("planner")?.actor;

    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        Some(&planner),
        Some(new_recommendation()),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let rec = r.json()?;
    let id = rec["id"].as_str().context("id")?.to_string();
    assert_eq!(
        r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some(format!("/api/v1/recommendations/{id}").as_str())
    );
    assert_eq!(rec["status"], "proposed");
    assert_eq!(rec["title"], "Bantuan air bersih: 5 kelurahan termiskin");
    assert_eq!(rec["question"], "Where first?");
    assert_eq!(rec["analysis"], "index");
    assert_eq!(rec["params"], ranking_params());
    assert_eq!(rec["scenario"], Value::Null);
    assert_eq!(rec["scenario_version"], Value::Null);
    assert_eq!(rec["top_n"], 5);
    assert_eq!(rec["budget"], 2.5e9);
    assert_eq!(rec["notes"], "baseline data of 2024");
    assert_eq!(rec["created_by"], planner_actor.as_str());
    assert!(rec["created_at"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(rec["decisions"], json!([]));
    assert_eq!(rec["comments"], json!([]));
    assert_eq!(rec["result"]["analysis"], "index");
    assert_eq!(rec["result"]["rows"].as_array().map(Vec::len), Some(83));
    let kelurahan = state
        .project()
        .layers
        .get("kelurahan")?
        .content_hash()
        .to_string();
    assert_eq!(rec["layers"]["kelurahan"], kelurahan.as_str());
    assert_eq!(rec["result"]["meta"]["layers"], rec["layers"]);

    // The snapshot is the run itself: running it again now is a cache hit, identical.
    let direct = send(
        &state,
        Method::POST,
        "/api/v1/analyses/index",
        None,
        Some(ranking_params()),
    )
    .await?;
    assert_eq!(
        direct.headers.get("x-tepat-cache").map(|v| v.as_bytes()),
        Some(&b"hit"[..])
    );
    assert_eq!(direct.json()?, rec["result"]);

    let uri = format!("/api/v1/recommendations/{id}");
    let r = send(
        &state,
        Method::POST,
        &format!("{uri}/decision"),
        Some(&leader),
        Some(json!({"decision": "approve", "comment": "Setuju, mulai Juli"})),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let decided = r.json()?;
    assert_eq!(decided["status"], "approved");
    let d = &decided["decisions"][0];
    assert_eq!(d["decision"], "approve");
    assert_eq!(d["comment"], "Setuju, mulai Juli");
    assert_eq!(d["by"], leader_actor.as_str());
    assert_eq!(d["role"], "leader");

    let r = send(
        &state,
        Method::POST,
        &format!("{uri}/comments"),
        Some(&leader),
        Some(json!({"text": "  Laporkan tiap bulan. "})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = send(
        &state,
        Method::POST,
        &format!("{uri}/comments"),
        Some(&planner),
        Some(json!({"text": "Siap."})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED);
    let with_comments = r.json()?;
    let comments = with_comments["comments"].as_array().context("comments")?;
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["text"], "Laporkan tiap bulan.");
    assert_eq!(comments[0]["role"], "leader");
    assert_eq!(comments[1]["by"], planner_actor.as_str());

    // Read back: one in the list (without the snapshot), the full one by id.
    let list = send(&state, Method::GET, "/api/v1/recommendations", None, None)
        .await?
        .json()?;
    let list = list.as_array().context("list")?;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["status"], "approved");
    assert!(
        list[0].get("result").is_none(),
        "listings leave the snapshot out"
    );
    assert_eq!(list[0]["comments"].as_array().map(Vec::len), Some(2));
    let approved = send(
        &state,
        Method::GET,
        "/api/v1/recommendations?status=approved",
        None,
        None,
    )
    .await?
    .json()?;
    assert_eq!(approved.as_array().map(Vec::len), Some(1));
    let proposed = send(
        &state,
        Method::GET,
        "/api/v1/recommendations?status=proposed",
        None,
        None,
    )
    .await?
    .json()?;
    assert_eq!(proposed, json!([]));
    let full = send(&state, Method::GET, &uri, None, None).await?.json()?;
    assert_eq!(full["result"], rec["result"]);
    assert_eq!(full["decisions"], decided["decisions"]);

    // The decision log: who, when, what, and the data it was based on.
    let audit = send(&state, Method::GET, "/api/v1/audit", None, None)
        .await?
        .json()?;
    let created = audit_entries(&audit, "recommendation.create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["target"], id.as_str());
    assert_eq!(created[0]["actor"], planner_actor.as_str());
    assert_eq!(created[0]["role"], "planner");
    assert_eq!(
        created[0]["detail"]["layers"]["kelurahan"],
        kelurahan.as_str()
    );
    assert_eq!(created[0]["detail"]["params"], rec["result"]["params"]);
    assert_eq!(created[0]["detail"]["result_sha256"], rec["result_sha256"]);
    let approvals = audit_entries(&audit, "recommendation.approve");
    assert_eq!(approvals.len(), 1);
    let a = &approvals[0];
    assert_eq!(a["actor"], leader_actor.as_str());
    assert_eq!(a["role"], "leader");
    assert!(a["at"].as_str().is_some_and(|s| s.len() >= 20), "{a}");
    assert_eq!(a["detail"]["decision"], "approve");
    assert_eq!(a["detail"]["comment"], "Setuju, mulai Juli");
    assert_eq!(a["detail"]["previous_status"], "proposed");
    assert_eq!(a["detail"]["layers"], rec["layers"]);
    assert_eq!(a["detail"]["params"], rec["result"]["params"]);
    assert_eq!(a["detail"]["result_sha256"], rec["result_sha256"]);
    let sha = rec["result_sha256"].as_str().context("sha")?;
    assert_eq!(sha.len(), 64);
    assert_eq!(audit_entries(&audit, "recommendation.comment").len(), 2);
    Ok(())
}

#[tokio::test]
async fn roles_guard_every_write() -> Result<()> {
    let state = server(None)?;
    let token = |role| state.store().create_token(role, None);
    let (planner, leader, researcher) = (
        token(UserRole::Planner)?,
        token(UserRole::Leader)?,
        token(UserRole::Researcher)?,
    );
    let post = |uri: String, t: Option<String>, body: Value| {
        let state = state.clone();
        async move { send(&state, Method::POST, &uri, t.as_deref(), Some(body)).await }
    };
    let create = "/api/v1/recommendations".to_string();
    for (t, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(researcher.clone()), StatusCode::FORBIDDEN),
        (Some(leader.clone()), StatusCode::FORBIDDEN),
    ] {
        let r = post(create.clone(), t, new_recommendation()).await?;
        assert_eq!(r.status, want);
        r.problem()?;
    }
    let r = post(create, Some(planner.clone()), new_recommendation()).await?;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()?["id"].as_str().context("id")?.to_string();
    let decision = format!("/api/v1/recommendations/{id}/decision");
    let comments = format!("/api/v1/recommendations/{id}/comments");
    for t in [None, Some(&planner), Some(&researcher)] {
        let r = post(decision.clone(), t.cloned(), json!({"decision": "approve"})).await?;
        let want = if t.is_some() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(r.status, want);
    }
    let r = post(comments.clone(), Some(researcher), json!({"text": "hm"})).await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.problem()?.detail.contains("researcher"));
    let r = post(comments, None, json!({"text": "hm"})).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Reads stay open.
    let r = send(
        &state,
        Method::GET,
        &format!("/api/v1/recommendations/{id}"),
        None,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()?["status"],
        "proposed",
        "no refused write changed it"
    );
    Ok(())
}

/// A decided recommendation stays decided for leaders (409); an admin may change the
/// decision, and both stay in its history.
#[tokio::test]
async fn only_an_admin_may_change_a_decision() -> Result<()> {
    let state = server(None)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let leader = state.store().create_token(UserRole::Leader, None)?;
    let other_leader = state.store().create_token(UserRole::Leader, None)?;
    let admin = state.store().create_token(UserRole::Admin, None)?;
    let id = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        Some(&planner),
        Some(new_recommendation()),
    )
    .await?
    .json()?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let uri = format!("/api/v1/recommendations/{id}/decision");
    let decide = |t: &str, d: &str| {
        let (state, uri, t, d) = (state.clone(), uri.clone(), t.to_string(), d.to_string());
        async move {
            send(
                &state,
                Method::POST,
                &uri,
                Some(&t),
                Some(json!({"decision": d})),
            )
            .await
        }
    };
    assert_eq!(decide(&leader, "reject").await?.status, StatusCode::OK);
    for t in [&leader, &other_leader] {
        let r = decide(t, "approve").await?;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let p = r.problem()?;
        assert!(p.type_uri.ends_with("/already-decided"));
        assert!(
            p.detail.contains("rejected") && p.detail.contains("admin"),
            "{}",
            p.detail
        );
    }
    let r = decide(&admin, "approve").await?;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json()?;
    assert_eq!(v["status"], "approved");
    let history: Vec<(&str, &str)> = v["decisions"]
        .as_array()
        .context("decisions")?
        .iter()
        .map(|d| {
            (
                d["decision"].as_str().unwrap_or_default(),
                d["role"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(history, [("reject", "leader"), ("approve", "admin")]);
    let audit = send(&state, Method::GET, "/api/v1/audit", None, None)
        .await?
        .json()?;
    let changed = audit_entries(&audit, "recommendation.approve");
    assert_eq!(changed.len(), 1, "refused decisions leave no trace");
    assert_eq!(changed[0]["detail"]["previous_status"], "rejected");
    Ok(())
}

/// A recommendation on a scenario keeps the version it was based on, and its snapshot,
/// when the scenario changes afterwards.
#[tokio::test]
async fn a_scenario_recommendation_keeps_its_version_and_snapshot() -> Result<()> {
    let state = server(None)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let t = Some(planner.as_str());
    let s = send(
        &state,
        Method::POST,
        "/api/v1/scenarios",
        t,
        Some(json!({"name": "Puskesmas baru",
            "edits": [{"op": "add_facility", "layer": "puskesmas", "id": "PKM-BARU",
                       "lon": 124.86, "lat": 1.47, "capacity": 30000, "cost": 2.5e9}]})),
    )
    .await?
    .json()?;
    let sid = s["id"].as_str().context("id")?.to_string();
    let access = json!({"demand": "kelurahan", "facilities": "puskesmas",
                        "method": "coverage", "radius_m": 2000});
    let body = json!({"title": "Puskesmas di utara", "analysis": "access",
                      "params": access, "scenario": sid});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        t,
        Some(body),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let rec = r.json()?;
    assert_eq!(rec["scenario"], sid.as_str());
    assert_eq!(rec["scenario_version"], 1);
    assert_eq!(rec["top_n"], 10, "the default");

    // The scenario moves on to version 2: the recommendation still shows version 1's result.
    let edit = json!({"op": "close_facility", "layer": "puskesmas", "id": "PKM-BARU"});
    let r = send(
        &state,
        Method::POST,
        &format!("/api/v1/scenarios/{sid}/edits"),
        t,
        Some(edit),
    )
    .await?;
    assert_eq!(r.json()?["version"], 2);
    let id = rec["id"].as_str().context("id")?;
    let later = send(
        &state,
        Method::GET,
        &format!("/api/v1/recommendations/{id}"),
        None,
        None,
    )
    .await?
    .json()?;
    assert_eq!(later["scenario_version"], 1);
    assert_eq!(later["result"], rec["result"]);
    let v2 = send(
        &state,
        Method::POST,
        &format!("/api/v1/analyses/access?scenario={sid}"),
        None,
        Some(access.clone()),
    )
    .await?
    .json()?;
    assert_ne!(v2["summary"], rec["result"]["summary"], "version 2 differs");

    // An older version can be pinned.
    let pinned = json!({"title": "Versi 1", "analysis": "access", "params": access,
                        "scenario": sid, "scenario_version": 1});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        t,
        Some(pinned),
    )
    .await?;
    assert_eq!(r.status, StatusCode::CREATED);
    let p = r.json()?;
    assert_eq!(p["scenario_version"], 1);
    assert_eq!(p["result"]["summary"], rec["result"]["summary"]);
    Ok(())
}

#[tokio::test]
async fn bad_input_names_what_is_wrong_and_stores_nothing() -> Result<()> {
    let state = server(None)?;
    let planner = state.store().create_token(UserRole::Planner, None)?;
    let leader = state.store().create_token(UserRole::Leader, None)?;
    let with = |patch: Value| {
        let mut v = new_recommendation();
        if let (Some(o), Some(p)) = (v.as_object_mut(), patch.as_object()) {
            for (k, x) in p {
                o.insert(k.clone(), x.clone());
            }
        }
        v
    };
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (
            with(json!({"analysis": "nope"})),
            StatusCode::NOT_FOUND,
            "unknown-analysis",
            "'nope'",
        ),
        (
            with(
                json!({"params": {"zones": "kelurahan", "indicators": [{"field": "population"}], "top_n": "lima"}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-params",
            "top_n",
        ),
        (
            with(json!({"scenario": "sc_nope"})),
            StatusCode::NOT_FOUND,
            "unknown-scenario",
            "sc_nope",
        ),
        (
            with(json!({"title": "   "})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "title",
        ),
        (
            with(json!({"top_n": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "top_n",
        ),
        (
            with(json!({"budget": -1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "budget",
        ),
        (
            with(json!({"scenario_version": 2})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "scenario_version",
        ),
        (
            with(json!({"titel": "typo"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "titel",
        ),
        (
            json!({"analysis": "index"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-recommendation",
            "title",
        ),
    ];
    for (body, status, kind, names) in cases {
        let r = send(
            &state,
            Method::POST,
            "/api/v1/recommendations",
            Some(&planner),
            Some(body.clone()),
        )
        .await?;
        assert_eq!(r.status, status, "{body}");
        let p = r.problem()?;
        assert!(p.type_uri.ends_with(kind), "{body}: {p:?}");
        assert!(p.detail.contains(names), "{body}: {}", p.detail);
    }
    let r = send_raw(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        Some(&planner),
        Some(r#"{"title": "x","#.to_string()),
    )
    .await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.problem()?.type_uri.ends_with("/invalid-json"));
    let big = json!({"title": "x", "analysis": "index",
                     "notes": "x".repeat(tepat::limits::MAX_BODY_BYTES)});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        Some(&planner),
        Some(big),
    )
    .await?;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    r.problem()?;

    // Unknown recommendations, for each route.
    let r = send(
        &state,
        Method::GET,
        "/api/v1/recommendations/rec_nope",
        None,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let p = r.problem()?;
    assert!(p.type_uri.ends_with("/unknown-recommendation"));
    assert!(p.detail.contains("'rec_nope'"));
    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations/rec_nope/decision",
        Some(&leader),
        Some(json!({"decision": "approve"})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.problem()?.detail.contains("'rec_nope'"));
    let r = send(
        &state,
        Method::POST,
        "/api/v1/recommendations/rec_nope/comments",
        Some(&leader),
        Some(json!({"text": "?"})),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.problem()?;
    let r = send(
        &state,
        Method::GET,
        "/api/v1/recommendations?status=maybe",
        None,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.problem()?.detail.contains("status: 'maybe'"));

    // Bad decisions and comments on a real one.
    let id = send(
        &state,
        Method::POST,
        "/api/v1/recommendations",
        Some(&planner),
        Some(new_recommendation()),
    )
    .await?
    .json()?["id"]
        .as_str()
        .context("id")?
        .to_string();
    for (body, names) in [
        (json!({"decision": "approved"}), "\"approved\""),
        (json!({"decision": 1}), "decision: 1"),
        (json!({"comment": "no decision"}), "decision"),
        (json!({"decision": "approve", "why": "x"}), "why"),
    ] {
        let r = send(
            &state,
            Method::POST,
            &format!("/api/v1/recommendations/{id}/decision"),
            Some(&leader),
            Some(body.clone()),
        )
        .await?;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = r.problem()?;
        assert!(p.type_uri.ends_with("/invalid-decision"), "{p:?}");
        assert!(p.detail.contains(names), "{body}: {}", p.detail);
    }
    for body in [json!({"text": ""}), json!({"text": " \n "}), json!({})] {
        let r = send(
            &state,
            Method::POST,
            &format!("/api/v1/recommendations/{id}/comments"),
            Some(&leader),
            Some(body.clone()),
        )
        .await?;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = r.problem()?;
        assert!(p.type_uri.ends_with("/invalid-comment"));
        assert!(p.detail.contains("text"), "{}", p.detail);
    }
    let v = send(
        &state,
        Method::GET,
        &format!("/api/v1/recommendations/{id}"),
        None,
        None,
    )
    .await?
    .json()?;
    assert_eq!(v["status"], "proposed");
    assert_eq!(v["comments"], json!([]));
    let list = send(&state, Method::GET, "/api/v1/recommendations", None, None)
        .await?
        .json()?;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "only the good one");
    let audit = send(&state, Method::GET, "/api/v1/audit", None, None)
        .await?
        .json()?;
    let writes: Vec<&str> = audit
        .as_array()
        .context("audit")?
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("recommendation."))
        .collect();
    assert_eq!(writes, ["recommendation.create"]);
    Ok(())
}

#[tokio::test]
async fn me_names_the_caller() -> Result<()> {
    let state = server(None)?;
    let leader = state
        .store()
        .create_token(UserRole::Leader, Some("Ibu Walikota"))?;
    let anonymous = state.store().create_token(UserRole::Researcher, None)?;
    let r = send(&state, Method::GET, "/api/v1/me", None, None).await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()?,
        json!({"role": null, "name": null, "actor": null})
    );
    let v = send(&state, Method::GET, "/api/v1/me", Some(&leader), None)
        .await?
        .json()?;
    assert_eq!(v["role"], "leader");
    assert_eq!(v["name"], "Ibu Walikota");
    let v = send(&state, Method::GET, "/api/v1/me", Some(&anonymous), None)
        .await?
        .json()?;
    assert_eq!(v["role"], "researcher");
    assert_eq!(
        v["name"], v["actor"],
        "without a label, the token's hash prefix"
    );
    let r = send(&state, Method::GET, "/api/v1/me", Some("tepat_nope"), None).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    r.problem()?;

    // A private server still tells an anonymous caller who it is: nobody.
    let private = AppState::with_store(
        demo()?,
        Store::in_memory()?,
        Options {
            private: true,
            ..Options::default()
        },
    )?;
    let r = send(&private, Method::GET, "/api/v1/me", None, None).await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()?["role"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn recommendations_survive_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (id, snapshot) = {
        let state = server(Some(dir.path()))?;
        let planner = state.store().create_token(UserRole::Planner, None)?;
        let leader = state.store().create_token(UserRole::Leader, None)?;
        let rec = send(
            &state,
            Method::POST,
            "/api/v1/recommendations",
            Some(&planner),
            Some(new_recommendation()),
        )
        .await?
        .json()?;
        let id = rec["id"].as_str().context("id")?.to_string();
        let r = send(
            &state,
            Method::POST,
            &format!("/api/v1/recommendations/{id}/decision"),
            Some(&leader),
            Some(json!({"decision": "approve"})),
        )
        .await?;
        assert_eq!(r.status, StatusCode::OK);
        (id, rec["result"].clone())
    };
    let state = server(Some(dir.path()))?;
    let v = send(
        &state,
        Method::GET,
        &format!("/api/v1/recommendations/{id}"),
        None,
        None,
    )
    .await?
    .json()?;
    assert_eq!(v["status"], "approved");
    assert_eq!(v["result"], snapshot);
    assert_eq!(v["decisions"].as_array().map(Vec::len), Some(1));
    Ok(())
}
