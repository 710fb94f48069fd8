//! One scenario's replicates run into a result folder: the work of `changenet run`, also
//! used by `verify` to reproduce a folder.

use std::path::PathBuf;

use super::progress::Progress;
use super::{run_in_order, run_one, ModelFn, RunSpec};
use crate::experiment::resume::{scan_partial, Identity};
use crate::experiment::Shard;
use crate::output::manifest::{sha256_hex, Manifest};
use crate::output::streams::{RowFormatter, RunTables};
use crate::output::summary::{Headline, SummaryBuilder};
use crate::output::{OutputError, PLACES_CSV, SUMMARY_CSV};
use crate::plan::Plan;
use crate::scenario::canonical;

/// What to run and where to put it.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    /// The checked scenario; its `seed` and `replicates` are the ones run.
    pub plan: &'a Plan,
    /// Scenario file as given (recorded in the manifest); `None` for the embedded default.
    pub scenario_file: Option<String>,
    /// `--set` overrides as `path=value`, already applied to the plan.
    pub overrides: Vec<String>,
    pub out_dir: PathBuf,
    /// Worker threads (at least 1).
    pub threads: usize,
    pub show_progress: bool,
    /// Run only this slice of the replicates (`--shard K/N`).
    pub shard: Option<Shard>,
    /// Continue the unfinished runs of `out_dir` (`--resume`) instead of starting afresh.
    pub resume: bool,
}

/// What a finished job wrote and found.
#[derive(Debug, Clone)]
pub struct JobReport {
    pub manifest: Manifest,
    pub headline: Headline,
}

/// Why a job could not finish (failed runs are not errors: they are in the report).
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("cannot start {threads} worker threads: {message}")]
    Pool { threads: usize, message: String },
}

/// Runs every replicate of the job's plan and writes the result folder.
pub fn run_job(job: &Job, model: &ModelFn<'_>) -> Result<JobReport, JobError> {
    let plan = job.plan;
    let dir = &job.out_dir;
    std::fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.threads.max(1))
        .thread_name(|i| format!("changenet-run-{i}"))
        .build()
        .map_err(|e| JobError::Pool {
            threads: job.threads,
            message: e.to_string(),
        })?;
    let (seed, replicates) = (plan.scenario.seed, plan.scenario.replicates);
    let range = match job.shard {
        Some(s) => s.range(replicates as u64),
        None => 0..replicates as u64,
    };
    let text = canonical(&plan.scenario);
    let overrides = job.overrides.clone();
    let identity = Identity {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_sha256: sha256_hex(&text),
        seed,
        replicates,
        overrides,
        shard: job.shard,
    };
    let formatter = RowFormatter::new(plan);
    let mut summary = SummaryBuilder::new(plan);
    let resumed = if job.resume && identity.matches(dir)? {
        scan_partial(dir, &formatter, range.clone(), seed, &mut summary)?
    } else {
        None
    };
    let (mut tables, done) = match &resumed {
        Some(r) => (RunTables::resume(dir, &formatter, &r.keep)?, r.done),
        None => {
            summary = SummaryBuilder::new(plan);
            (RunTables::create(dir, &formatter)?, 0)
        }
    };
    identity.write(dir)?;
    let runs = (range.start + done..range.end).map(|r| RunSpec {
        run: r,
        plan: 0,
        replicate: r as u32,
    });
    let progress = Progress::new(range.end - range.start, job.show_progress);
    progress.add(done);
    let plans = std::slice::from_ref(plan);
    // Model run and row formatting happen on the workers; the sink only appends in order.
    let work = |spec| {
        let finished = run_one(plans, spec, model);
        let rows = formatter.format(&finished);
        (finished, rows)
    };
    run_in_order(runs, &work, &pool, |(finished, rows)| {
        tables.append(&rows)?;
        summary.add(&finished);
        progress.run_done();
        Ok::<(), OutputError>(())
    })?;
    progress.finish();
    let mut files = tables.commit()?;
    files.insert(SUMMARY_CSV.to_string(), summary.write(dir)?);
    if !files.contains_key(PLACES_CSV) {
        // A places table left by an earlier run into this folder would contradict the manifest.
        let stale = dir.join(PLACES_CSV);
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| OutputError::io(&stale, e))?;
        }
    }
    let headline = summary.headline().map_err(|e| OutputError::io(dir, e))?;
    let manifest = Manifest {
        tool: env!("CARGO_PKG_NAME").to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: plan.scenario.name.clone(),
        scenario_file: job.scenario_file.clone(),
        scenario_sha256: sha256_hex(&text),
        seed,
        replicates,
        overrides: job.overrides.clone(),
        failed_runs: headline.failed,
        files,
        scenario: text,
        shard: job.shard,
        points: None,
    };
    manifest.write(dir)?;
    Identity::remove(dir)?;
    Ok(JobReport { manifest, headline })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{MANIFEST_JSON, RUNS_CSV, TIMESERIES_CSV};
    use crate::runner::toy::{toy_model, toy_plan};

    fn run(plan: &Plan, threads: usize, dir: &std::path::Path) -> JobReport {
        let job = Job {
            plan,
            scenario_file: None,
            overrides: vec![],
            out_dir: dir.to_path_buf(),
            threads,
            show_progress: false,
            shard: None,
            resume: false,
        };
        run_job(&job, &toy_model).unwrap()
    }

    #[test]
    fn outputs_are_byte_identical_at_1_2_and_8_threads() {
        let plan = toy_plan(9);
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let reports: Vec<_> = [1, 2, 8]
            .iter()
            .zip(&dirs)
            .map(|(&t, d)| run(&plan, t, d.path()))
            .collect();
        for name in [
            RUNS_CSV,
            TIMESERIES_CSV,
            SUMMARY_CSV,
            PLACES_CSV,
            MANIFEST_JSON,
        ] {
            let bytes: Vec<Vec<u8>> = dirs
                .iter()
                .map(|d| std::fs::read(d.path().join(name)).unwrap())
                .collect();
            assert!(!bytes[0].is_empty());
            assert_eq!(bytes[0], bytes[1], "{name} differs between 1 and 2 threads");
            assert_eq!(bytes[0], bytes[2], "{name} differs between 1 and 8 threads");
        }
        assert_eq!(reports[0].manifest.files.len(), 4);
    }

    #[test]
    fn tables_have_the_documented_columns_and_rows() {
        let plan = toy_plan(3);
        let dir = tempfile::tempdir().unwrap();
        let report = run(&plan, 2, dir.path());
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        let runs = read(RUNS_CSV);
        let mut lines = runs.lines();
        assert_eq!(
            lines.next().unwrap(),
            "run,replicate,seed,baseline_prevalence,final_prevalence,relative_reduction,\
             target_met,target_year_reached,final_adopters_walking,final_adopters_qi,\
             active_improvers,mean_commitment,members,fit_rmse,total_cost,cost_per_point,error"
        );
        assert_eq!(lines.count(), 3);
        let ts = read(TIMESERIES_CSV);
        assert_eq!(
            ts.lines().next().unwrap(),
            "run,step,date,prevalence,inactive,trialling_walking,trialling_qi,\
             embedded_walking,embedded_qi,discontinued_walking,discontinued_qi,\
             trained,active_improvers,mean_commitment,members,ties"
        );
        // Three years monthly: the initial state and 36 steps, for each of 3 runs.
        assert_eq!(ts.lines().count(), 1 + 3 * 37);
        let second = ts.lines().nth(2).unwrap();
        assert!(second.starts_with("0,1,2016-01,"), "{second}");
        // Two places per observed step.
        assert_eq!(read(PLACES_CSV).lines().count(), 1 + 3 * 37 * 2);
        let summary = read(SUMMARY_CSV);
        assert!(summary.starts_with("metric,date,n,mean,sd,p5,p50,p95,ci_low,ci_high\n"));
        // Reported dates: the initial state (2015-12) and each December.
        let prevalence_dates: Vec<&str> = summary
            .lines()
            .filter(|l| l.starts_with("prevalence,"))
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(
            prevalence_dates,
            ["2015-12", "2016-12", "2017-12", "2018-12"]
        );
        assert!(summary.lines().any(|l| l.starts_with("target_met,,3,")));
        let manifest = Manifest::read(dir.path()).unwrap();
        assert_eq!(manifest, report.manifest);
        assert_eq!(manifest.scenario_name, "toy");
        assert_eq!(manifest.seed, 7);
        assert_eq!(manifest.scenario_sha256, sha256_hex(&manifest.scenario));
        for (name, digest) in &manifest.files {
            let actual = crate::output::atomic::digest_file(&dir.path().join(name)).unwrap();
            assert_eq!(&actual, digest, "{name}");
        }
    }

    #[test]
    fn failed_runs_are_recorded_and_left_out_of_the_summary() {
        let plan = toy_plan(4);
        let dir = tempfile::tempdir().unwrap();
        let model = |p: &Plan, r: u32, o: &mut dyn FnMut(&crate::model::StepRecord)| {
            if r == 1 {
                Err(crate::model::ModelError::Invariant {
                    step: 3,
                    message: "prevalence above 1, at\norganisation 5".into(),
                })
            } else {
                toy_model(p, r, o)
            }
        };
        let job = Job {
            plan: &plan,
            scenario_file: None,
            overrides: vec![],
            out_dir: dir.path().to_path_buf(),
            threads: 2,
            show_progress: false,
            shard: None,
            resume: false,
        };
        let report = run_job(&job, &model).unwrap();
        assert_eq!((report.headline.runs, report.headline.failed), (4, 1));
        assert_eq!(report.manifest.failed_runs, 1);
        let runs = std::fs::read_to_string(dir.path().join(RUNS_CSV)).unwrap();
        let row = runs.lines().nth(2).unwrap();
        assert_eq!(
            row,
            "1,1,7,,,,,,,,,,,,,,\"step 3: prevalence above 1, at organisation 5\""
        );
        let summary = std::fs::read_to_string(dir.path().join(SUMMARY_CSV)).unwrap();
        assert!(summary.lines().any(|l| l.starts_with("target_met,,3,")));
    }
}
