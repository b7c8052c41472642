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

use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::progress;
use tokio::sync::watch;

/// Most jobs held at once; past it finished jobs are forgotten oldest first, and a new job
/// is refused (503) while all of them are still unfinished.
pub const MAX_JOBS: usize = 1024;

/// How long a finished job stays readable at `GET /jobs/{id}`.
pub const KEEP_FINISHED: Duration = Duration::from_secs(60 * 60);

/// Default of `tepat serve --sync-timeout-ms`: how long a run without `Prefer:
/// respond-async` is waited for before it becomes a job.
pub const DEFAULT_SYNC_TIMEOUT_MS: u64 = 10_000;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for a blocking thread.
    Queued,
    /// Computing.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with a problem.
    Failed,
}

impl Status {
    fn finished(self) -> bool {
        matches!(self, Status::Done | Status::Failed)
    }
}

/// What is known of a job now; published through a watch channel so event streams wake on
/// every change.
#[derive(Debug, Clone)]
struct Progress {
    status: Status,
    progress: f64,
    result: Option<Arc<AnalysisResult>>,
    error: Option<Problem>,
    finished_at: Option<Instant>,
}

/// One analysis run.
#[derive(Debug)]
pub struct Job {
    id: String,
    analysis: String,
    scenario: Option<String>,
    state: watch::Sender<Progress>,
}

impl Job {
    /// A queued job of `analysis` (on `scenario`, or the baseline).
    pub fn new(analysis: &str, scenario: Option<&str>) -> Arc<Job> {
        let (state, _) = watch::channel(Progress {
            status: Status::Queued,
            progress: 0.0,
            result: None,
            error: None,
            finished_at: None,
        });
        Arc::new(Job {
            id: new_job_id(),
            analysis: analysis.to_string(),
            scenario: scenario.map(str::to_string),
            state,
        })
    }

    /// The job's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `/api/v1/jobs/{id}`.
    pub fn href(&self) -> String {
        format!("/api/v1/jobs/{}", self.id)
    }

    fn start(&self) {
        self.state.send_modify(|p| p.status = Status::Running);
    }

    /// The engine's report of the work done (0 to 1). Progress only grows, and 1 is left
    /// for the finished job, so a stream never shows 100 % of a run still going.
    fn advance(&self, fraction: f64) {
        let f = fraction.clamp(0.0, 0.99);
        self.state.send_if_modified(|p| {
            if p.status == Status::Running && f >= p.progress + 0.005 {
                p.progress = f;
                true
            } else {
                false
            }
        });
    }

    fn finish(&self, outcome: Result<Arc<AnalysisResult>, Problem>) {
        self.state.send_modify(|p| {
            p.progress = 1.0;
            p.finished_at = Some(Instant::now());
            match outcome {
                Ok(r) => {
                    p.status = Status::Done;
                    p.result = Some(r);
                }
                Err(e) => {
                    p.status = Status::Failed;
                    p.error = Some(e);
                }
            }
        });
    }

    /// The job as `GET /jobs/{id}` shows it.
    pub fn view(&self) -> JobView {
        self.view_of(self.state.borrow().clone())
    }

    fn view_of(&self, p: Progress) -> JobView {
        JobView {
            job: self.id.clone(),
            analysis: self.analysis.clone(),
            scenario: self.scenario.clone(),
            status: p.status,
            progress: p.progress,
            href: self.href(),
            events: format!("{}/events", self.href()),
            result: p.result,
            error: p.error,
        }
    }

    fn finished_at(&self) -> Option<Instant> {
        self.state.borrow().finished_at
    }
}

/// The JSON of a job.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// Job id.
    pub job: String,
    /// The analysis run.
    pub analysis: String,
    /// The scenario it runs on (null: the baseline).
    pub scenario: Option<String>,
    /// Where it is.
    pub status: Status,
    /// 0..1: 0 queued or running, 1 finished.
    pub progress: f64,
    /// `GET` this to follow the job.
    pub href: String,
    /// Server-Sent Events of the job.
    pub events: String,
    /// The result envelope, once done.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "envelope")]
    pub result: Option<Arc<AnalysisResult>>,
    /// The problem, once failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
}

fn envelope<S: Serializer>(r: &Option<Arc<AnalysisResult>>, s: S) -> Result<S::Ok, S::Error> {
    r.as_deref().serialize(s)
}

/// The registry of jobs (one per server, in [`AppState`]).
#[derive(Debug, Default)]
pub struct Jobs {
    inner: Mutex<Registry>,
}

#[derive(Debug, Default)]
struct Registry {
    by_id: HashMap<String, Arc<Job>>,
    /// Ids oldest first, for forgetting.
    order: VecDeque<String>,
}

impl Jobs {
    /// Job `id`, if it is still known.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        let reg = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        reg.by_id.get(id).cloned()
    }

    /// Number of jobs held.
    pub fn len(&self) -> usize {
        let reg = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        reg.by_id.len()
    }

    /// Whether no job is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers `job`, first forgetting jobs finished longer than [`KEEP_FINISHED`] ago
    /// and, when full, the oldest finished ones. 503 when every held job is unfinished.
    pub fn insert(&self, job: Arc<Job>) -> Result<(), Problem> {
        let mut reg = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let expired = |j: &Job| {
            j.finished_at()
                .is_some_and(|t| now.duration_since(t) >= KEEP_FINISHED)
        };
        reg.forget(|j| expired(j));
        if reg.by_id.len() >= MAX_JOBS {
            let surplus = reg.by_id.len() + 1 - MAX_JOBS;
            let oldest: Vec<String> = reg
                .order
                .iter()
                .filter(|id| {
                    reg.by_id
                        .get(*id)
                        .is_some_and(|j| j.finished_at().is_some())
                })
                .take(surplus)
                .cloned()
                .collect();
            reg.forget(|j| oldest.contains(&j.id));
        }
        if reg.by_id.len() >= MAX_JOBS {
            return Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too-many-jobs",
                "Too many jobs",
                format!("{MAX_JOBS} analysis jobs are unfinished; try again when some are done"),
            ));
        }
        reg.order.push_back(job.id.clone());
        reg.by_id.insert(job.id.clone(), job);
        Ok(())
    }
}

impl Registry {
    fn forget(&mut self, gone: impl Fn(&Job) -> bool) {
        let by_id = &mut self.by_id;
        self.order.retain(|id| match by_id.get(id) {
            Some(j) if gone(j) => {
                by_id.remove(id);
                false
            }
            Some(_) => true,
            None => false,
        });
    }
}

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
            body = crate::openapi::Job),
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
        rx: Some(job.state.subscribe()),
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

fn new_job_id() -> String {
    use rand::RngCore;
    let mut buf = [0u8; 8];
    rand::rng().fill_bytes(&mut buf);
    format!("job_{}", hex::encode(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn full_registry_forgets_finished_jobs_first_and_refuses_when_all_run() {
        let jobs = Jobs::default();
        let first = Job::new("exposure", None);
        jobs.insert(first.clone()).expect("room");
        for _ in 1..MAX_JOBS {
            jobs.insert(Job::new("exposure", None)).expect("room");
        }
        assert_eq!(jobs.len(), MAX_JOBS);
        let refused = jobs.insert(Job::new("exposure", None));
        assert_eq!(refused.map_err(|p| p.status), Err(503));
        first.finish(Err(Problem::internal("x")));
        let next = Job::new("access", None);
        jobs.insert(next.clone())
            .expect("the finished job makes room");
        assert!(jobs.get(first.id()).is_none());
        assert!(jobs.get(next.id()).is_some());
        assert_eq!(jobs.len(), MAX_JOBS);
    }

    #[test]
    fn progress_only_grows_and_one_means_finished() {
        let job = Job::new("hotspots", None);
        job.advance(0.4);
        assert_eq!(job.view().progress, 0.0, "a queued job does not move");
        job.start();
        job.advance(0.4);
        assert_eq!(job.view().progress, 0.4);
        job.advance(0.2);
        assert_eq!(
            job.view().progress,
            0.4,
            "a late report from another thread"
        );
        job.advance(1.0);
        assert_eq!(job.view().progress, 0.99, "not 100 % while still running");
        job.finish(Err(Problem::internal("x")));
        assert_eq!(job.view().progress, 1.0);
        job.advance(0.5);
        assert_eq!(job.view().progress, 1.0);
    }

    #[test]
    fn the_engine_reports_into_the_job() {
        // What `run` installs around the work: the engine's reports reach the job.
        let job = Job::new("hotspots", None);
        job.start();
        let j = job.clone();
        let sink: progress::Sink = Arc::new(move |f| j.advance(f));
        progress::scoped(sink, || {
            progress::within(0.5, 1.0, || progress::report(0.5));
        });
        assert_eq!(job.view().progress, 0.75);
    }
}
