//! Running many runs of the model: in parallel on a local rayon pool, handed on strictly in
//! run order.
//!
//! A run is one (plan, replicate) pair with its index in the experiment ([`RunSpec`]); a
//! plain `run` has one plan and run index = replicate, while sweeps and comparisons (many
//! plans) and shards or resumed runs (a subset of the indices) pass a different list. The
//! engine [`run_in_order`] keeps at most two runs per thread in flight or waiting, and hands
//! each finished run to a sink in list order, so output files are written as results arrive,
//! memory stays bounded by the thread count, and the bytes written do not depend on how many
//! threads ran or which finished first.

pub mod job;
pub mod progress;
pub mod toy;
pub mod verify;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::model::{ModelError, RunOutcome, StepRecord};
use crate::plan::Plan;

/// The model as the runner sees it: `changenet::model::run_replicate` or a stand-in.
/// May borrow (e.g. a model wrapped with per-arm settings), hence the lifetime.
pub type ModelFn<'a> =
    dyn Fn(&Plan, u32, &mut dyn FnMut(&StepRecord)) -> Result<RunOutcome, ModelError> + Sync + 'a;

/// One run of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    /// Position in the experiment's outputs (the `run` column).
    pub run: u64,
    /// Which plan (sweep point, comparison arm) it runs; an index into the plans given.
    pub plan: usize,
    /// Replicate: with the master seed, keys every random draw of the run.
    pub replicate: u32,
}

/// Why a run produced no outcome.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunFailure {
    #[error("{0}")]
    Model(#[from] ModelError),
    /// The model panicked: a bug, recorded like any other failure so other runs go on.
    #[error("model panicked: {0}")]
    Panic(String),
    #[error("run refers to plan {0}, which does not exist")]
    NoPlan(usize),
}

/// A finished run: what it observed and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    pub spec: RunSpec,
    /// Every observed step, in step order (also those before a failure).
    pub records: Vec<StepRecord>,
    pub outcome: Result<RunOutcome, RunFailure>,
}

/// Runs one run, catching a panic of the model as a failure of this run alone.
pub fn run_one(plans: &[Plan], spec: RunSpec, model: &ModelFn<'_>) -> FinishedRun {
    let mut records = Vec::new();
    let outcome = match plans.get(spec.plan) {
        None => Err(RunFailure::NoPlan(spec.plan)),
        Some(plan) => {
            let mut observe = |r: &StepRecord| records.push(r.clone());
            match catch_unwind(AssertUnwindSafe(|| {
                model(plan, spec.replicate, &mut observe)
            })) {
                Ok(result) => result.map_err(RunFailure::Model),
                Err(payload) => Err(RunFailure::Panic(panic_message(payload.as_ref()))),
            }
        }
    };
    FinishedRun {
        spec,
        records,
        outcome,
    }
}

/// The text of a panic payload (panics carry a `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown cause".to_string()
    }
}

/// Does `work` for every run of `runs` on `pool` and calls `sink` with each result, in the
/// order of `runs`.
///
/// `work` runs in parallel: the model run and whatever can be prepared without order
/// (formatting rows, say), so the sink only appends. Everything runs on the pool's
/// threads, so a pool of N threads is N threads in all: whichever thread finishes a run
/// hands on every run now due in order (unless another thread is already doing so, which
/// then hands on its run too: no thread ever waits for another to finish writing), and
/// starts the next runs. At most two runs per pool thread are started ahead of the next
/// one to hand on, which bounds memory to a few runs per thread. If the sink fails, no
/// further runs start; those in flight finish and are dropped, and its first error is
/// returned. `runs` is consumed lazily, so a long experiment (or a shard's or a resumed
/// run's subset of it) never needs its whole list in memory. A panic in `work` (not in
/// the model: [`run_one`] records those) or in the sink stops the runs and is re-raised
/// here once those in flight are done. A lone run has the pool to itself: the other
/// threads are kept awake for its parallel work
/// ([`crate::model::par::with_threads_awake`]).
pub fn run_in_order<T, E, I, S>(
    runs: I,
    work: &(dyn Fn(RunSpec) -> T + Sync),
    pool: &rayon::ThreadPool,
    sink: S,
) -> Result<(), E>
where
    T: Send,
    E: Send,
    I: IntoIterator<Item = RunSpec>,
    I::IntoIter: Send,
    S: FnMut(T) -> Result<(), E> + Send,
{
    let mut runs = runs.into_iter().peekable();
    let first = runs.next();
    let alone = first.is_some() && runs.peek().is_none();
    let engine = InOrder {
        work,
        alone,
        window: 2 * pool.current_num_threads().max(1),
        feed: Mutex::new((first.into_iter().chain(runs), 0)),
        arrived: Mutex::new(BTreeMap::new()),
        sink: Mutex::new((sink, 0, Ok(()))),
        handed: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    };
    pool.in_place_scope_fifo(|scope| engine.start(scope));
    let (_, _, result) = engine
        .sink
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    result
}

/// The shared state of [`run_in_order`].
struct InOrder<'w, T, E, I, S> {
    work: &'w (dyn Fn(RunSpec) -> T + Sync),
    alone: bool,
    /// Runs that may be started ahead of the next one to hand on.
    window: usize,
    /// The runs not yet started, and how many have been.
    feed: Mutex<(I, usize)>,
    /// Finished runs waiting for their turn, by position.
    arrived: Mutex<BTreeMap<usize, T>>,
    /// The sink, how many runs it has been handed, and its first error.
    sink: Mutex<(S, usize, Result<(), E>)>,
    /// Runs handed on (read to start more without taking the sink's lock).
    handed: AtomicUsize,
    /// Start no more runs (the sink failed, or something panicked).
    stop: AtomicBool,
}

impl<'w, T, E, I, S> InOrder<'w, T, E, I, S>
where
    T: Send,
    E: Send,
    I: Iterator<Item = RunSpec> + Send,
    S: FnMut(T) -> Result<(), E> + Send,
{
    /// Starts runs while the window allows.
    fn start<'s>(&'s self, scope: &rayon::ScopeFifo<'s>) {
        let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        while !self.stop.load(Ordering::Acquire)
            && feed.1 < self.handed.load(Ordering::Acquire) + self.window
        {
            let Some(spec) = feed.0.next() else { break };
            let i = feed.1;
            feed.1 += 1;
            scope.spawn_fifo(move |scope| self.run(scope, i, spec));
        }
    }

    /// Does run `i`, hands on what is due, and starts what may start.
    fn run<'s>(&'s self, scope: &rayon::ScopeFifo<'s>, i: usize, spec: RunSpec) {
        let _stop = StopOnPanic(&self.stop);
        let t = if self.alone {
            crate::model::par::with_threads_awake(|| (self.work)(spec))
        } else {
            (self.work)(spec)
        };
        self.lock_arrived().insert(i, t);
        self.hand_on();
        self.start(scope);
    }

    fn lock_arrived(&self) -> std::sync::MutexGuard<'_, BTreeMap<usize, T>> {
        self.arrived.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands every run due in order to the sink, unless another thread holds it: that one
    /// hands on what has arrived (ours too) before it lets go, and looks again after.
    fn hand_on(&self) {
        loop {
            let mut sink = match self.sink.try_lock() {
                Ok(guard) => guard,
                // Busy, or poisoned by a panic in the sink (which stops everything).
                Err(_) => return,
            };
            let (sink_fn, handed, result) = &mut *sink;
            loop {
                let Some(t) = self.lock_arrived().remove(handed) else {
                    break;
                };
                if result.is_ok() && !self.stop.load(Ordering::Acquire) {
                    *result = sink_fn(t);
                    if result.is_err() {
                        self.stop.store(true, Ordering::Release);
                    }
                }
                *handed += 1;
                self.handed.store(*handed, Ordering::Release);
            }
            drop(sink);
            // A run that arrived after the last look found the sink taken and left it to
            // us: look once more now that it is free.
            let next = self.handed.load(Ordering::Acquire);
            if !self.lock_arrived().contains_key(&next) {
                return;
            }
        }
    }
}

/// Stops new runs when dropped in a panic (of `work` or of the sink), which rayon then
/// raises to [`run_in_order`]'s caller once the runs in flight are done.
struct StopOnPanic<'a>(&'a AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::toy::{toy_model, toy_plan};

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn specs(n: u32) -> impl Iterator<Item = RunSpec> {
        (0..n).map(|r| RunSpec {
            run: r as u64,
            plan: 0,
            replicate: r,
        })
    }

    #[test]
    fn hands_runs_on_in_order_whatever_the_thread_count() {
        let plans = [toy_plan(3)];
        let mut seen = Vec::new();
        for threads in [1, 2, 8] {
            let mut got = Vec::new();
            let work = |s| run_one(&plans, s, &toy_model);
            run_in_order::<_, (), _, _>(specs(20), &work, &pool(threads), |f| {
                got.push(f);
                Ok(())
            })
            .unwrap();
            let runs: Vec<u64> = got.iter().map(|f| f.spec.run).collect();
            assert_eq!(runs, (0..20).collect::<Vec<_>>());
            seen.push(got);
        }
        assert_eq!(seen[0], seen[1]);
        assert_eq!(seen[0], seen[2]);
    }

    /// Runs of uneven length finishing in every order, on few and many threads: every run
    /// is handed on, once, in order (a run that finishes while another thread hands on
    /// is never left behind).
    #[test]
    fn uneven_runs_are_all_handed_on_in_order() {
        let work = |s: RunSpec| {
            let us = (s.run * 7919) % 300;
            std::thread::sleep(std::time::Duration::from_micros(us));
            s.run
        };
        for threads in [2, 3, 8] {
            let mut got = Vec::new();
            run_in_order::<_, (), _, _>(specs(400), &work, &pool(threads), |r| {
                // A slow sink now and then, so that runs arrive while it is busy.
                if r % 13 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                got.push(r);
                Ok(())
            })
            .unwrap();
            assert_eq!(got, (0..400).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    /// A pool of one thread is one thread in all: the sink runs there too.
    #[test]
    fn the_sink_runs_on_the_pool_threads() {
        let plans = [toy_plan(3)];
        let work = |s| run_one(&plans, s, &toy_model);
        let pool = pool(1);
        let worker = pool.install(std::thread::current).id();
        let mut threads = Vec::new();
        run_in_order::<_, (), _, _>(specs(12), &work, &pool, |_| {
            threads.push(std::thread::current().id());
            Ok(())
        })
        .unwrap();
        assert_eq!(threads, vec![worker; 12]);
    }

    #[test]
    fn a_panic_in_the_sink_is_raised_to_the_caller_without_hanging() {
        let work = |s: RunSpec| s.run;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            run_in_order::<_, (), _, _>(specs(50), &work, &pool(2), |r| {
                if r == 7 {
                    panic!("sink broke");
                }
                Ok(())
            })
        }));
        let payload = caught.unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "sink broke");
    }

    #[test]
    fn a_failing_or_panicking_run_does_not_stop_the_others() {
        let plans = [toy_plan(3)];
        let model = |p: &Plan, r: u32, o: &mut dyn FnMut(&StepRecord)| {
            if r == 2 {
                panic!("boom at {r}");
            }
            if r == 4 {
                return Err(ModelError::Invariant {
                    step: 1,
                    message: "negative".into(),
                });
            }
            toy_model(p, r, o)
        };
        let mut got = Vec::new();
        let work = |s| run_one(&plans, s, &model);
        run_in_order::<_, (), _, _>(specs(6), &work, &pool(2), |f| {
            got.push(f);
            Ok(())
        })
        .unwrap();
        assert_eq!(got.len(), 6);
        assert_eq!(
            got[2].outcome,
            Err(RunFailure::Panic("boom at 2".to_string()))
        );
        assert!(matches!(got[4].outcome, Err(RunFailure::Model(_))));
        assert_eq!(got.iter().filter(|f| f.outcome.is_ok()).count(), 4);
    }

    #[test]
    fn no_run_starts_more_than_two_per_thread_ahead_of_the_sink() {
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        let plans = [toy_plan(3)];
        let handed = AtomicU32::new(0);
        let too_early = AtomicBool::new(false);
        let model = |p: &Plan, r: u32, o: &mut dyn FnMut(&StepRecord)| {
            // 2 threads: window of 4 runs, so run r may start once r - 3 has been handed on.
            if r >= handed.load(Ordering::SeqCst) + 4 {
                too_early.store(true, Ordering::SeqCst);
            }
            toy_model(p, r, o)
        };
        let work = |s| run_one(&plans, s, &model);
        run_in_order::<_, (), _, _>(specs(40), &work, &pool(2), |_| {
            handed.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .unwrap();
        assert_eq!(handed.load(Ordering::SeqCst), 40);
        assert!(!too_early.load(Ordering::SeqCst));
    }

    #[test]
    fn a_failing_sink_stops_new_runs_and_reports_its_error() {
        let plans = [toy_plan(3)];
        let mut calls = 0;
        let work = |s| run_one(&plans, s, &toy_model);
        let r = run_in_order(specs(100), &work, &pool(2), |f: FinishedRun| {
            calls += 1;
            if f.spec.run == 3 {
                Err("disk full")
            } else {
                Ok(())
            }
        });
        assert_eq!(r, Err("disk full"));
        assert_eq!(calls, 4);
    }

    #[test]
    fn a_panic_outside_the_model_is_raised_to_the_caller_without_hanging() {
        let work = |s: RunSpec| {
            if s.run == 5 {
                panic!("formatting broke");
            }
            s.run
        };
        let caught = catch_unwind(AssertUnwindSafe(|| {
            let mut handed = Vec::new();
            let r = run_in_order::<_, (), _, _>(specs(50), &work, &pool(2), |r| {
                handed.push(r);
                Ok(())
            });
            (r, handed)
        }));
        let payload = caught.unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "formatting broke");
    }
}
