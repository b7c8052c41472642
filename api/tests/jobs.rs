//! Analysis runs as jobs over HTTP, in-process (`tower::ServiceExt::oneshot`) on the demo
//! city: `Prefer: respond-async`, following a job to `done` or `failed`, its Server-Sent
//! Events, and the sync timeout that turns a direct run into a job.

use crate::common::{oneshot, Reply};
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;
use tepat::state::Options;
use tepat::store::Store;
use tepat::{AppState, Problem};
use tepat_engine::project::Project;

fn demo() -> Result<Project> {
    static P: OnceLock<std::result::Result<Project, String>> = OnceLock::new();
    P.get_or_init(|| tepat_datasets::demo_project().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("demo city: {e}"))
}

fn server(sync_timeout_ms: u64) -> Result<AppState> {
    let options = Options {
        sync_timeout_ms,
        ..Options::default()
    };
    Ok(AppState::with_store(demo()?, Store::in_memory()?, options)?)
}

async fn send(
    state: &AppState,
    method: Method,
    uri: &str,
    prefer_async: bool,
    body: Option<Value>,
) -> Result<Reply> {
    let mut b = Request::builder().method(method).uri(uri);
    if prefer_async {
        b = b.header("prefer", "respond-async");
    }
    let request = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))?,
        None => b.body(Body::empty())?,
    };
    oneshot(state, request).await
}

fn exposure() -> Value {
    json!({"zones": "kelurahan", "hazard": "banjir_q25"})
}

async fn send_raw_body(state: &AppState, uri: &str, body: &str) -> Result<Reply> {
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("prefer", "respond-async")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))?;
    oneshot(state, request).await
}

/// The 202 of a job: its body and `Location` name it.
fn accepted(r: &Reply) -> Result<(String, String)> {
    anyhow::ensure!(
        r.status == StatusCode::ACCEPTED,
        "{}: {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json()?;
    let id = v["job"].as_str().context("job id")?.to_string();
    let href = format!("/api/v1/jobs/{id}");
    anyhow::ensure!(v["href"] == href.as_str(), "{v}");
    anyhow::ensure!(v["events"] == format!("{href}/events").as_str(), "{v}");
    anyhow::ensure!(
        matches!(
            v["status"].as_str(),
            Some("queued" | "running" | "done" | "failed")
        ),
        "{v}"
    );
    anyhow::ensure!(r.header("location") == Some(href.as_str()), "Location");
    Ok((id, href))
}

/// Polls a job until it is finished (bounded, so a stuck job fails the test).
async fn follow(state: &AppState, href: &str) -> Result<Value> {
    for _ in 0..3000 {
        let r = send(state, Method::GET, href, false, None).await?;
        anyhow::ensure!(r.status == StatusCode::OK, "{}", r.status);
        let job = r.json()?;
        match job["status"].as_str() {
            Some("done" | "failed") => return Ok(job),
            Some("queued" | "running") => {
                assert_eq!(job["progress"], 0.0, "unfinished jobs claim no progress");
            }
            other => anyhow::bail!("status {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::bail!("job {href} never finished")
}

/// Parses a `text/event-stream` body into (event, data) pairs.
fn events(body: &[u8]) -> Result<Vec<(String, Value)>> {
    let text = std::str::from_utf8(body)?;
    let mut out = Vec::new();
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let mut name = "message".to_string();
        let mut data = String::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if data.is_empty() {
            continue; // a keep-alive comment
        }
        out.push((name, serde_json::from_str(&data).context("event data")?));
    }
    Ok(out)
}

#[tokio::test]
async fn prefer_respond_async_gives_a_job_with_the_direct_result() -> Result<()> {
    let state = server(tepat::jobs::DEFAULT_SYNC_TIMEOUT_MS)?;
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        true,
        Some(exposure()),
    )
    .await?;
    let (id, href) = accepted(&r)?;
    assert_eq!(r.header("preference-applied"), Some("respond-async"));
    let key = r
        .header("x-tepat-result")
        .context("result key")?
        .to_string();
    assert_eq!(r.json()?["analysis"], "exposure");
    let job = follow(&state, &href).await?;
    assert_eq!(job["job"], id.as_str());
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["progress"], 1.0);
    assert!(job.get("error").is_none());

    // The job's result went into the cache: a direct run now is a hit, and the same.
    let direct = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        false,
        Some(exposure()),
    )
    .await?;
    assert_eq!(direct.status, StatusCode::OK);
    assert_eq!(direct.header("x-tepat-cache"), Some("hit"));
    assert_eq!(direct.header("x-tepat-result"), Some(key.as_str()));
    assert_eq!(direct.json()?, job["result"]);
    assert_eq!(job["result"]["analysis"], "exposure");
    assert!(job["result"]["rows"]
        .as_array()
        .is_some_and(|rows| !rows.is_empty()));

    // Another format asked for asynchronously: the job holds the envelope all the same.
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure?format=csv",
        true,
        Some(exposure()),
    )
    .await?;
    let (_, href) = accepted(&r)?;
    let job = follow(&state, &href).await?;
    assert_eq!(job["status"], "done");
    assert_eq!(job["result"], direct.json()?);
    Ok(())
}

#[tokio::test]
async fn the_event_stream_delivers_progress_then_done() -> Result<()> {
    let state = server(tepat::jobs::DEFAULT_SYNC_TIMEOUT_MS)?;
    let params = json!({"demand": "kelurahan", "facilities": "puskesmas",
                        "method": "coverage", "radius_m": 2000});
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/access",
        true,
        Some(params.clone()),
    )
    .await?;
    let (id, href) = accepted(&r)?;
    let r = send(&state, Method::GET, &format!("{href}/events"), false, None).await?;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("text/event-stream")));
    let evs = events(&r.body)?;
    let names: Vec<&str> = evs.iter().map(|(n, _)| n.as_str()).collect();
    let (last, progress) = names.split_last().context("no events")?;
    assert_eq!(*last, "done", "{names:?}");
    assert!(!progress.is_empty(), "progress before done: {names:?}");
    assert!(progress.iter().all(|n| *n == "progress"), "{names:?}");
    let fractions: Vec<f64> = evs[..progress.len()]
        .iter()
        .map(|(_, d)| d["progress"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)));
    assert_eq!(fractions.last(), Some(&1.0));
    let done = &evs[evs.len() - 1].1;
    assert_eq!(done["job"], id.as_str());
    assert_eq!(done["status"], "done");
    let direct = send(
        &state,
        Method::POST,
        "/api/v1/analyses/access",
        false,
        Some(params),
    )
    .await?
    .json()?;
    assert_eq!(done["result"], direct);

    // A finished job's stream replays its end at once.
    let again = send(&state, Method::GET, &format!("{href}/events"), false, None).await?;
    let names: Vec<String> = events(&again.body)?.into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["progress", "done"]);
    Ok(())
}

#[tokio::test]
async fn a_failing_job_ends_failed_with_the_problem() -> Result<()> {
    let state = server(tepat::jobs::DEFAULT_SYNC_TIMEOUT_MS)?;
    let bad = json!({"zones": "kelurahan", "hazard": "banjir_q25", "breaks": "tinggi"});
    let direct = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        false,
        Some(bad.clone()),
    )
    .await?;
    assert_eq!(direct.status, StatusCode::UNPROCESSABLE_ENTITY);
    let expected: Problem = serde_json::from_slice(&direct.body)?;

    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        true,
        Some(bad),
    )
    .await?;
    let (_, href) = accepted(&r)?;
    let job = follow(&state, &href).await?;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["progress"], 1.0);
    assert!(job.get("result").is_none());
    let p: Problem = serde_json::from_value(job["error"].clone())?;
    assert_eq!(p, expected, "the same problem as a direct run");
    assert!(p.type_uri.ends_with("/invalid-params"));
    assert!(p.detail.contains("breaks"), "names the param: {}", p.detail);

    let r = send(&state, Method::GET, &format!("{href}/events"), false, None).await?;
    let evs = events(&r.body)?;
    let (name, data) = evs.last().context("events")?;
    assert_eq!(name, "failed");
    assert_eq!(data["error"]["status"], 422);

    Ok(())
}

#[tokio::test]
async fn what_is_wrong_before_running_is_answered_at_once() -> Result<()> {
    let state = server(0)?;
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/nope",
        true,
        Some(json!({})),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "an unknown analysis is no job"
    );
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure?scenario=sc_nope",
        true,
        Some(exposure()),
    )
    .await?;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "nor is an unknown scenario"
    );
    let p: Problem = serde_json::from_slice(&r.body)?;
    assert!(p.detail.contains("sc_nope"), "{}", p.detail);
    let r = send_raw_body(&state, "/api/v1/analyses/exposure", "{\"zones\":").await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "nor malformed JSON");
    let r = send(&state, Method::GET, "/api/v1/jobs/job_nope", false, None).await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let p: Problem = serde_json::from_slice(&r.body)?;
    assert!(p.type_uri.ends_with("/unknown-job"));
    assert!(p.detail.contains("'job_nope'"));
    let r = send(
        &state,
        Method::GET,
        "/api/v1/jobs/job_nope/events",
        false,
        None,
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(state.jobs().len(), 0);
    Ok(())
}

#[tokio::test]
async fn a_sync_timeout_of_zero_turns_a_direct_run_into_a_job() -> Result<()> {
    let state = server(0)?;
    let r = send(
        &state,
        Method::POST,
        "/api/v1/analyses/exposure",
        false,
        Some(exposure()),
    )
    .await?;
    let (_, href) = accepted(&r)?;
    assert_eq!(r.header("preference-applied"), None, "nobody asked for it");
    let job = follow(&state, &href).await?;
    assert_eq!(job["status"], "done");

    // With the default timeout the same run answers directly (from the cache, too).
    let state_default = server(tepat::jobs::DEFAULT_SYNC_TIMEOUT_MS)?;
    let r = send(
        &state_default,
        Method::POST,
        "/api/v1/analyses/exposure",
        false,
        Some(exposure()),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        state_default.jobs().len(),
        0,
        "a direct answer leaves no job"
    );
    let direct = r.json()?;
    assert_eq!(direct["rows"], job["result"]["rows"]);
    assert_eq!(direct["summary"], job["result"]["summary"]);
    Ok(())
}
