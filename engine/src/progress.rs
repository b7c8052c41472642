//! Progress of a long run, reported from inside an analysis to whoever started it (the
//! server's job and its event stream). Analyses stay pure functions of their inputs: the
//! receiver is not a parameter but is installed around a run with [`scoped`], and an
//! analysis that has nothing to say simply never calls [`report`].
//!
//! Runs nest (`index` runs `exposure` and `access`; `compare` runs analyses on several
//! views), so a run reports fractions of its own work, 0 to 1, and [`within`] maps a part
//! of the work into its share of the whole. Work spread over rayon threads takes a
//! [`Reporter`] from [`current`] before it fans out, since the scope is per thread.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// Receives the fraction of the whole run done so far, 0 to 1.
pub type Sink = Arc<dyn Fn(f64) + Send + Sync>;

/// Where reports go and which share of the whole the current part is.
#[derive(Clone)]
pub struct Reporter {
    sink: Sink,
    lo: f64,
    hi: f64,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("lo", &self.lo)
            .field("hi", &self.hi)
            .finish_non_exhaustive()
    }
}

impl Reporter {
    /// `fraction` (0 to 1) of the current part is done.
    pub fn report(&self, fraction: f64) {
        let f = fraction.clamp(0.0, 1.0);
        (self.sink)(self.lo + f * (self.hi - self.lo));
    }

    /// The reporter of the part from `lo` to `hi` (fractions of the current part).
    fn part(&self, lo: f64, hi: f64) -> Reporter {
        let span = self.hi - self.lo;
        Reporter {
            sink: self.sink.clone(),
            lo: self.lo + lo.clamp(0.0, 1.0) * span,
            hi: self.lo + hi.clamp(0.0, 1.0) * span,
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Reporter>> = const { RefCell::new(None) };
}

/// Runs `f` with `sink` receiving its progress on this thread.
pub fn scoped<R>(sink: Sink, f: impl FnOnce() -> R) -> R {
    with_reporter(
        Some(Reporter {
            sink,
            lo: 0.0,
            hi: 1.0,
        }),
        f,
    )
}

/// Runs `f` as the part from `lo` to `hi` of the current work: its reports of 0 to 1 land
/// in that range. Without a receiver, just runs `f`.
pub fn within<R>(lo: f64, hi: f64, f: impl FnOnce() -> R) -> R {
    match current() {
        Some(r) => with_reporter(Some(r.part(lo, hi)), f),
        None => f(),
    }
}

/// `fraction` of the current work is done (nothing happens without a receiver).
pub fn report(fraction: f64) {
    if let Some(r) = current() {
        r.report(fraction);
    }
}

/// The current reporter, to carry into other threads.
pub fn current() -> Option<Reporter> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Counts finished items of a parallel loop and reports about every 1 % of `total`.
#[derive(Debug)]
pub struct Counter {
    reporter: Option<Reporter>,
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    step: usize,
}

impl Counter {
    /// A counter of `total` items for the current reporter (inert without one).
    pub fn new(total: usize) -> Counter {
        Counter {
            reporter: current(),
            done: std::sync::atomic::AtomicUsize::new(0),
            total: total.max(1),
            step: (total / 100).max(1),
        }
    }

    /// One more item is done.
    pub fn tick(&self) {
        if let Some(r) = &self.reporter {
            let d = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(self.step) || d == self.total {
                r.report(d as f64 / self.total as f64);
            }
        }
    }
}

fn with_reporter<R>(r: Option<Reporter>, f: impl FnOnce() -> R) -> R {
    // Restored on the way out, also when `f` panics.
    struct Restore(Option<Reporter>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| c.replace(r));
    let _restore = Restore(prev);
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn recorder() -> (Sink, Arc<Mutex<Vec<f64>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let sink: Sink = Arc::new(move |f| s.lock().expect("lock").push(f));
        (sink, seen)
    }

    #[test]
    fn nested_parts_map_into_their_share() {
        let (sink, seen) = recorder();
        scoped(sink, || {
            report(0.0);
            within(0.0, 0.5, || {
                report(0.5);
                within(0.5, 1.0, || report(1.0));
            });
            within(0.5, 1.0, || report(0.5));
            report(1.0);
        });
        assert_eq!(*seen.lock().expect("lock"), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        // Outside the scope nothing is received and nothing fails.
        report(0.3);
        assert_eq!(seen.lock().expect("lock").len(), 5);
        assert!(current().is_none());
    }

    #[test]
    fn a_counter_reports_from_other_threads() {
        use rayon::prelude::*;
        let (sink, seen) = recorder();
        scoped(sink, || {
            let c = Counter::new(1000);
            (0..1000).into_par_iter().for_each(|_| c.tick());
        });
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 100, "every 1 %");
        assert!(seen.contains(&1.0));
        assert!(seen.iter().all(|&f| f > 0.0 && f <= 1.0));
    }
}
