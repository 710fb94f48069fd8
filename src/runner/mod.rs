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
/// (formatting rows, say), so the sink, which runs on the calling thread, only appends. At
/// most two runs per pool thread are started ahead of the next one to hand on, which bounds
/// memory to a few runs per thread. If the sink fails, no further runs start; those in
/// flight finish and are dropped, and its first error is returned. `runs` is consumed
/// lazily, so a long experiment (or a shard's or a resumed run's subset of it) never needs
/// its whole list in memory. A panic in `work` (not in the model: [`run_one`] records
/// those) stops the runs and is re-raised here once those in flight are done.
pub fn run_in_order<T: Send, E>(
    runs: impl IntoIterator<Item = RunSpec>,
    work: &(dyn Fn(RunSpec) -> T + Sync),
    pool: &rayon::ThreadPool,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let window = 2 * pool.current_num_threads().max(1);
    let mut runs = runs.into_iter();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, std::thread::Result<T>)>();
    let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
    let (mut result, mut panic) = (Ok(()), None);
    let (mut started, mut received, mut handed) = (0usize, 0usize, 0usize);
    pool.in_place_scope(|scope| loop {
        let stopped = result.is_err() || panic.is_some();
        while !stopped && started < handed + window {
            let Some(spec) = runs.next() else { break };
            let (i, tx) = (started, tx.clone());
            scope.spawn(move |_| {
                let out = catch_unwind(AssertUnwindSafe(|| work(spec)));
                // The receiver outlives the scope, so sending cannot fail.
                let _ = tx.send((i, out));
            });
            started += 1;
        }
        if received == started {
            break;
        }
        // Every started task sends exactly once, so this cannot hang.
        let Ok((i, out)) = rx.recv() else { break };
        received += 1;
        match out {
            Ok(t) => {
                waiting.insert(i, t);
            }
            Err(payload) => {
                panic.get_or_insert(payload);
            }
        }
        while let Some(t) = waiting.remove(&handed) {
            if result.is_ok() && panic.is_none() {
                result = sink(t);
            }
            handed += 1;
        }
    });
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    result
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
