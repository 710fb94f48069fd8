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
/// (formatting rows, say), so the sink only appends. The sink runs on the pool's threads
/// too: whichever finishes the run next in order hands it on, with any later ones already
/// waiting, so a pool of N threads is N threads in all (no writer thread of its own beside
/// them). At most two runs per pool thread are started ahead of the next one to hand on,
/// which bounds memory to a few runs per thread. If the sink fails, no further runs start;
/// those in flight finish and are dropped, and its first error is returned. `runs` is
/// consumed lazily, so a long experiment (or a shard's or a resumed run's subset of it)
/// never needs its whole list in memory. A panic in `work` (not in the model: [`run_one`]
/// records those) or in the sink stops the runs and is re-raised here once those in flight
/// are done. A lone run has the pool to itself: the other threads are kept awake for its
/// parallel work ([`crate::model::par::with_threads_awake`]).
pub fn run_in_order<T: Send, E: Send>(
    runs: impl IntoIterator<Item = RunSpec>,
    work: &(dyn Fn(RunSpec) -> T + Sync),
    pool: &rayon::ThreadPool,
    sink: impl FnMut(T) -> Result<(), E> + Send,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};
    let window = 2 * pool.current_num_threads().max(1);
    let mut runs = runs.into_iter().peekable();
    let first = runs.next();
    let alone = first.is_some() && runs.peek().is_none();
    let mut runs = first.into_iter().chain(runs);
    let order = Mutex::new(InOrder {
        waiting: BTreeMap::new(),
        handed: 0,
        result: Ok(()),
        sink,
    });
    // Runs handed on (read by the caller to start more), and whether to start no more.
    let (handed, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let panic = Mutex::new(None);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (mut started, mut done) = (0usize, 0usize);
    pool.in_place_scope(|scope| loop {
        while !stop.load(Ordering::Acquire) && started < handed.load(Ordering::Acquire) + window {
            let Some(spec) = runs.next() else { break };
            let i = started;
            let finished = Finished(tx.clone(), &stop);
            let (order, handed, stop, panic) = (&order, &handed, &stop, &panic);
            scope.spawn(move |_| {
                let _finished = finished;
                let run = || {
                    if alone {
                        crate::model::par::with_threads_awake(|| work(spec))
                    } else {
                        work(spec)
                    }
                };
                match catch_unwind(AssertUnwindSafe(run)) {
                    Ok(t) => {
                        let mut guard = order.lock().unwrap_or_else(PoisonError::into_inner);
                        let o = &mut *guard;
                        o.waiting.insert(i, t);
                        while let Some(t) = o.waiting.remove(&o.handed) {
                            if o.result.is_ok() && !stop.load(Ordering::Acquire) {
                                o.result = (o.sink)(t);
                                if o.result.is_err() {
                                    stop.store(true, Ordering::Release);
                                }
                            }
                            o.handed += 1;
                            handed.store(o.handed, Ordering::Release);
                        }
                    }
                    Err(payload) => {
                        let mut p = panic.lock().unwrap_or_else(PoisonError::into_inner);
                        p.get_or_insert(payload);
                        stop.store(true, Ordering::Release);
                    }
                }
            });
            started += 1;
        }
        if done == started {
            break;
        }
        // Every started task sends exactly once (when its guard drops, even in a panic of
        // the sink), so this cannot hang.
        let Ok(()) = rx.recv() else { break };
        done += 1;
    });
    if let Some(payload) = panic.into_inner().unwrap_or_else(PoisonError::into_inner) {
        std::panic::resume_unwind(payload);
    }
    order
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .result
}

/// [`run_in_order`]'s results waiting for their turn, the sink and its first error.
struct InOrder<T, E, S> {
    waiting: BTreeMap<usize, T>,
    handed: usize,
    result: Result<(), E>,
    sink: S,
}

/// Tells [`run_in_order`]'s caller that a run is done, when dropped: also when the sink
/// panics on its thread, which then stops the runs too.
struct Finished<'a>(
    std::sync::mpsc::Sender<()>,
    &'a std::sync::atomic::AtomicBool,
);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.1.store(true, std::sync::atomic::Ordering::Release);
        }
        // The receiver outlives the scope, so sending cannot fail.
        let _ = self.0.send(());
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
            run_in_order::<_, ()>(specs(20), &work, &pool(threads), |f| {
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

    /// A pool of one thread is one thread in all: the sink runs there too.
    #[test]
    fn the_sink_runs_on_the_pool_threads() {
        let plans = [toy_plan(3)];
        let work = |s| run_one(&plans, s, &toy_model);
        let pool = pool(1);
        let worker = pool.install(std::thread::current).id();
        let mut threads = Vec::new();
        run_in_order::<_, ()>(specs(12), &work, &pool, |_| {
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
            run_in_order::<_, ()>(specs(50), &work, &pool(2), |r| {
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
        run_in_order::<_, ()>(specs(6), &work, &pool(2), |f| {
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
        run_in_order::<_, ()>(specs(40), &work, &pool(2), |_| {
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
            let r = run_in_order::<_, ()>(specs(50), &work, &pool(2), |r| {
                handed.push(r);
                Ok(())
            });
            (r, handed)
        }));
        let payload = caught.unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "formatting broke");
    }
}
