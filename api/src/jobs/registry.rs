//! The registry of analysis jobs: each job's state (queued, running with its progress,
//! done with its result or failed with its problem), watched by event streams, and the
//! bounded set of jobs a server holds ([`MAX_JOBS`]; finished jobs are kept for
//! [`KEEP_FINISHED`], then forgotten). No HTTP here: the handlers are in [`crate::jobs`].

use crate::problem::Problem;
use axum::http::StatusCode;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tepat_engine::analysis::AnalysisResult;
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
    /// Done or failed.
    pub fn finished(self) -> bool {
        matches!(self, Status::Done | Status::Failed)
    }
}

/// What is known of a job now; published through a watch channel so event streams wake on
/// every change.
#[derive(Debug, Clone)]
pub struct Progress {
    pub(crate) status: Status,
    pub(crate) progress: f64,
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

    /// A blocking thread took the job.
    pub(crate) fn start(&self) {
        self.state.send_modify(|p| p.status = Status::Running);
    }

    /// The engine's report of the work done (0 to 1). Progress only grows, and 1 is left
    /// for the finished job, so a stream never shows 100 % of a run still going.
    pub(crate) fn advance(&self, fraction: f64) {
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

    /// The job ended with `outcome`.
    pub(crate) fn finish(&self, outcome: Result<Arc<AnalysisResult>, Problem>) {
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

    /// The job as it was at `p`.
    pub(crate) fn view_of(&self, p: Progress) -> JobView {
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

    /// Every change of the job from now on (the current state first).
    pub(crate) fn subscribe(&self) -> watch::Receiver<Progress> {
        self.state.subscribe()
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

/// The registry of jobs (one per server, in the server's state).
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

fn new_job_id() -> String {
    use rand::RngCore;
    let mut buf = [0u8; 8];
    rand::rng().fill_bytes(&mut buf);
    format!("job_{}", hex::encode(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tepat_engine::progress;

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
