//! Analysis runs as jobs. `POST /analyses/{name}` with `Prefer: respond-async` (or a run that
//! outlasts `--sync-timeout-ms`) answers `202` with a job; the work goes on on the blocking
//! pool, and `GET /jobs/{id}` or the Server-Sent Events of `GET /jobs/{id}/events` follow it
//! to `done` (with the result envelope, which is in the results cache too) or `failed` (with
//! the problem).
//!
//! The registry is in memory and bounded ([`MAX_JOBS`]); finished jobs are kept for
//! [`KEEP_FINISHED`], then forgotten (the result stays reachable through the cache).
//! Progress is what the engine reports from inside the run (`tepat_engine::progress`:
//! permutations done, inputs of an index run, views of a comparison), growing only, at
//! most 0.99 while running and 1 when finished.

pub mod registry;

pub use registry::{
    Job, JobView, Jobs, Progress, Status, DEFAULT_SYNC_TIMEOUT_MS, KEEP_FINISHED, MAX_JOBS,
};

use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::progress;
use tokio::sync::watch;

/// How a run ended for the request that asked for it.
#[derive(Debug)]
pub enum Ran<T> {
    /// Finished in time: answer directly.
    Now(T),
    /// Goes on as a job: answer this `202`.
    Later(Response),
}

/// Whether `headers` carry `Prefer: respond-async` (RFC 7240; other preferences may come
/// along, in one header or several).
pub fn prefers_async(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| {
            let name = p.split(';').next().unwrap_or_default();
            let name = name.split('=').next().unwrap_or_default();
            name.trim().eq_ignore_ascii_case("respond-async")
        })
}

/// Runs `work` (an analysis of `analysis`, on `scenario` or the baseline) on the blocking
/// pool. With `respond_async`, or a sync timeout of 0, it becomes a job at once; otherwise
/// it is waited for up to the server's sync timeout and becomes a job only if it is still
/// running then. The envelope `work` returns is the job's result; `T` is whatever else the
/// direct answer needs.
pub async fn run<T: Send + 'static>(
    state: &AppState,
    analysis: &str,
    scenario: Option<&str>,
    respond_async: bool,
    work: impl FnOnce() -> Result<(Arc<AnalysisResult>, T), Problem> + Send + 'static,
) -> Result<Ran<(Arc<AnalysisResult>, T)>, Problem> {
    let job = Job::new(analysis, scenario);
    let wait = Duration::from_millis(state.options().sync_timeout_ms);
    let defer = respond_async || wait.is_zero();
    if defer {
        // Before spawning: a refused job must not run unobserved.
        state.jobs().insert(job.clone())?;
    }
    let worker = job.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        worker.start();
        let reporting = worker.clone();
        let sink: progress::Sink = Arc::new(move |f| reporting.advance(f));
        let out = progress::scoped(sink, || std::panic::catch_unwind(AssertUnwindSafe(work)))
            .unwrap_or_else(|panic| Err(Problem::internal(panic_message(&*panic))));
        worker.finish(match &out {
            Ok((r, _)) => Ok(r.clone()),
            Err(p) => Err(p.clone()),
        });
        out
    });
    if defer {
        return Ok(Ran::Later(accepted(&job, respond_async)));
    }
    let joined = match tokio::time::timeout(wait, &mut handle).await {
        Ok(joined) => joined,
        Err(_) => match state.jobs().insert(job.clone()) {
            Ok(()) => return Ok(Ran::Later(accepted(&job, false))),
            // No room to follow it as a job: keep the client waiting instead.
            Err(_) => handle.await,
        },
    };
    joined
        .map_err(|e| Problem::internal(format!("worker task failed: {e}")))?
        .map(Ran::Now)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    format!("the analysis panicked: {what}")
}

/// `202 Accepted` with the job, its `Location`, and `Preference-Applied` when asked for.
fn accepted(job: &Job, preferred: bool) -> Response {
    let mut r = (
        StatusCode::ACCEPTED,
        [(header::LOCATION, job.href())],
        axum::Json(job.view()),
    )
        .into_response();
    if preferred {
        r.headers_mut().insert(
            "preference-applied",
            HeaderValue::from_static("respond-async"),
        );
    }
    r
}

fn unknown_job(id: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-job",
        "Unknown job",
        format!(
            "no job '{id}' (finished jobs are kept for {} minutes)",
            KEEP_FINISHED.as_secs() / 60
        ),
    )
}

/// `GET /jobs/{id}`.
#[utoipa::path(get, path = "/jobs/{id}", operation_id = "get_job", tag = "analyses",
    params(("id" = String, Path, description = "Job id.")),
    responses(
        (status = 200, description = "The job; `result` once done, `error` once failed.",
            body = JobSchema),
        (status = 404, description = "No such job (finished jobs are kept a while).", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = state.jobs().get(&id).ok_or_else(|| unknown_job(&id))?;
    Ok(axum::Json(job.view()).into_response())
}

/// `GET /jobs/{id}/events`: `event: progress` (`{"progress", "status"}`) on every change,
/// then `event: done` or `event: failed` with the job, and the stream ends.
#[utoipa::path(get, path = "/jobs/{id}/events", operation_id = "job_events", tag = "analyses",
    params(("id" = String, Path, description = "Job id.")),
    responses(
        (status = 200, description = "Server-Sent Events: `progress` (`{\"progress\", \
            \"status\"}`) on every change, then `done` or `failed` with the job.",
            content_type = "text/event-stream", body = String),
        (status = 404, description = "No such job.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = state.jobs().get(&id).ok_or_else(|| unknown_job(&id))?;
    let feed = Feed {
        rx: Some(job.subscribe()),
        first: true,
        pending: VecDeque::new(),
        job,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        loop {
            if let Some(e) = feed.pending.pop_front() {
                return Some((Ok::<_, Infallible>(e), feed));
            }
            let rx = feed.rx.as_mut()?;
            // The first snapshot is sent as it is; after it, only changes.
            if !feed.first && rx.changed().await.is_err() {
                return None;
            }
            feed.first = false;
            let p = rx.borrow_and_update().clone();
            feed.pending.push_back(
                Event::default().event("progress").data(
                    serde_json::json!({"progress": p.progress, "status": p.status}).to_string(),
                ),
            );
            if p.status.finished() {
                let name = if p.status == Status::Done {
                    "done"
                } else {
                    "failed"
                };
                let view = feed.job.view_of(p);
                let data = serde_json::to_string(&view).unwrap_or_else(|e| {
                    serde_json::json!({"job": view.job, "status": view.status, "error":
                        Problem::internal(format!("encoding the job: {e}"))})
                    .to_string()
                });
                feed.pending
                    .push_back(Event::default().event(name).data(data));
                feed.rx = None;
            }
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// State of one event stream.
struct Feed {
    rx: Option<watch::Receiver<Progress>>,
    first: bool,
    pending: VecDeque<Event>,
    job: Arc<Job>,
}

// The job as the document describes it (the handlers send a [`JobView`]).
/// Where a job is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Computing.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with a problem.
    Failed,
}

/// An analysis run that outlasted the request (`202`), or was asked to with `Prefer:
/// respond-async`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Job)]
pub struct JobSchema {
    /// Job id.
    pub job: String,
    /// The analysis run.
    pub analysis: String,
    /// The scenario it runs on (null: the baseline).
    pub scenario: Option<String>,
    /// Where it is.
    pub status: JobStatus,
    /// 0..1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub progress: f64,
    /// `GET` this to follow the job.
    pub href: String,
    /// Server-Sent Events of the job.
    pub events: String,
    /// The result envelope, once done.
    #[schema(nullable = false)]
    pub result: Option<tepat_engine::analysis::AnalysisResult>,
    /// The problem, once failed.
    #[schema(nullable = false)]
    pub error: Option<Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use utoipa::PartialSchema;

    #[test]
    fn prefer_header_is_read_among_other_preferences() {
        let mut h = HeaderMap::new();
        assert!(!prefers_async(&h));
        h.insert("prefer", HeaderValue::from_static("return=minimal"));
        assert!(!prefers_async(&h));
        h.append("prefer", HeaderValue::from_static("wait=5, Respond-Async"));
        assert!(prefers_async(&h));
    }

    #[test]
    fn job_statuses_match_the_registry() {
        let schema = serde_json::to_value(JobStatus::schema()).expect("schema serialises");
        let described = schema["enum"].as_array().cloned().unwrap_or_default();
        let statuses: Vec<Value> = [
            Status::Queued,
            Status::Running,
            Status::Done,
            Status::Failed,
        ]
        .iter()
        .map(|s| serde_json::to_value(s).expect("status serialises"))
        .collect();
        assert_eq!(described, statuses);
    }
}
