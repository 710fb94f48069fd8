//! `changenet sensitivity`: builds a Morris or Sobol design over `--factor PATH=LO..HI`
//! ranges, runs one sweep point per design row (every point runs the scenario's
//! replicates), then analyses the folder from its files (`runs.csv`, `sensitivity.json`).
//! `--analyse-only` redoes the analysis of an existing folder (another outcome, or a
//! folder merged from shards).

use std::io::Write;
use std::path::Path;

use clap::Args;

use super::{default_out_dir, load_plan, say, CliError, RunAction, RunArgs};
use crate::output::OutputError;
use crate::runner::job::JobError;
use crate::runner::ModelFn;
use crate::sensitivity::study::{
    analyse_folder, check_outcome, ranking_table, sentence, Design, Factor, Method,
    DEFAULT_RESAMPLES, OUTCOMES,
};

#[derive(Debug, Args)]
pub(super) struct SensitivityArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// A factor: `PATH=LO..HI`, or `PATH=LO..HI:int` for a whole-number field; repeatable.
    #[arg(long, value_name = "PATH=LO..HI", value_parser = crate::sensitivity::study::parse_factor)]
    pub factor: Vec<Factor>,
    /// Morris elementary effects (screening) or Sobol indices (Saltelli design).
    #[arg(long, value_enum, default_value = "morris")]
    pub method: Method,
    /// Morris trajectories r (default 10) or Sobol base samples N (default 64).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub samples: Option<u32>,
    /// Morris grid levels p (even).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=100))]
    pub levels: u32,
    /// The outcome analysed (default target_met: the probability of meeting the target).
    #[arg(long, value_name = "NAME")]
    pub outcome: Option<String>,
    /// Only compute the indices of the folder given by --out (no runs).
    #[arg(long)]
    pub analyse_only: bool,
}

/// A checked `sensitivity` request.
#[derive(Debug)]
pub struct SensitivityAction {
    pub run: RunAction,
    pub factors: Vec<Factor>,
    pub method: Method,
    pub samples: Option<usize>,
    pub levels: usize,
    pub outcome: Option<String>,
    pub analyse_only: bool,
}

impl SensitivityAction {
    pub(super) fn new(
        a: SensitivityArgs,
        threads: impl Fn(Option<u32>) -> usize,
    ) -> Result<SensitivityAction, CliError> {
        Ok(SensitivityAction {
            run: super::run_action(a.run, threads)?,
            factors: a.factor,
            method: a.method,
            samples: a.samples.map(|n| n as usize),
            levels: a.levels as usize,
            outcome: a.outcome,
            analyse_only: a.analyse_only,
        })
    }
}

pub(super) fn sensitivity(
    s: SensitivityAction,
    model: &ModelFn<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if s.analyse_only {
        let dir = s.run.out.as_ref().ok_or_else(|| {
            CliError::InvalidInput("--analyse-only needs the folder as --out DIR".into())
        })?;
        return analyse(dir, s.outcome.as_deref(), out);
    }
    let a = &s.run;
    let base = load_plan(a, &a.overrides)?;
    let practices = crate::output::columns::practice_names(&base);
    let outcome = s
        .outcome
        .clone()
        .unwrap_or_else(|| OUTCOMES[0].0.to_string());
    check_outcome(&outcome, &practices).map_err(CliError::InvalidInput)?;
    let design = Design {
        method: s.method,
        samples: s.samples.unwrap_or(match s.method {
            Method::Morris => 10,
            Method::Sobol => 64,
        }),
        levels: s.levels,
        seed: base.scenario.seed,
        replicates: base.scenario.replicates,
        factors: s.factors.clone(),
        outcome,
        resamples: DEFAULT_RESAMPLES,
    };
    design.check().map_err(CliError::InvalidInput)?;
    let values = design.values().map_err(CliError::InvalidInput)?;
    let paths: Vec<String> = design.factors.iter().map(|f| f.path.clone()).collect();
    let mut plans = Vec::with_capacity(values.len());
    for v in &values {
        let mut o = a.overrides.clone();
        o.extend(paths.iter().cloned().zip(v.iter().cloned()));
        plans.push(load_plan(a, &o)?);
    }
    let out_dir = match &a.out {
        Some(dir) => dir.clone(),
        None => default_out_dir(&format!("{}-sensitivity", base.scenario.name))?,
    };
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| CliError::Failed(OutputError::io(&out_dir, e).to_string()))?;
    // Written first, so every folder holding these runs (a shard too) can be analysed.
    design.write(&out_dir).map_err(JobError::from)?;
    let sweep = crate::experiment::sweep::Sweep {
        plans: &plans,
        factors: paths,
        values,
        base: &base,
        scenario_file: a.scenario_file(),
        overrides: a.override_strings(),
        out_dir: out_dir.clone(),
        threads: a.threads,
        show_progress: !a.quiet,
        kind: crate::experiment::points::Kind::Sweep,
        sets: Vec::new(),
        shard: a.shard,
        resume: a.resume,
    };
    let (manifest, _) = crate::experiment::sweep::run_sweep(&sweep, model)?;
    manifest.write(&out_dir).map_err(JobError::from)?;
    if let Some(k) = a.shard {
        // A shard holds only some points' runs: merge the shards, then `--analyse-only`.
        return say(
            out,
            &format!(
                "{} sensitivity: shard {k} of {} points x {} replicates -> {}",
                base.scenario.name,
                plans.len(),
                design.replicates,
                out_dir.display()
            ),
        );
    }
    say(
        out,
        &format!(
            "{} sensitivity ({:?}), {} points x {} replicates -> {}",
            base.scenario.name,
            design.method,
            plans.len(),
            design.replicates,
            out_dir.display()
        ),
    )?;
    analyse(&out_dir, None, out)?;
    if !a.no_report {
        super::write_report(&out_dir, out)?;
    }
    if manifest.failed_runs > 0 {
        return Err(CliError::RunsFailed {
            failed: manifest.failed_runs,
            total: plans.len() as u64 * design.replicates as u64,
            runs: out_dir.join(crate::output::RUNS_CSV).display().to_string(),
        });
    }
    Ok(())
}

fn analyse(dir: &Path, outcome: Option<&str>, out: &mut dyn Write) -> Result<(), CliError> {
    let a = analyse_folder(dir, outcome).map_err(|e| match e {
        e @ OutputError::Invalid { .. } => CliError::InvalidInput(e.to_string()),
        e => CliError::Failed(e.to_string()),
    })?;
    let d = &a.design;
    say(
        out,
        &format!(
            "outcome {} per point: {:.4} to {:.4}; factors ranked by {}:",
            d.outcome,
            a.range.0,
            a.range.1,
            crate::sensitivity::study::ranking_index(d.method)
        ),
    )?;
    say(out, ranking_table(d.method, &a.rows).trim_end())?;
    say(out, &sentence(d.method, &d.outcome, &a.rows))?;
    say(
        out,
        &format!(
            "indices: {}",
            dir.join(crate::sensitivity::study::INDICES_CSV).display()
        ),
    )
}
