//! The command line: the only code that knows clap. Raw flags ([`Cli`]) become a checked
//! [`Action`], which [`execute`] carries out by calling the library. Errors carry their exit
//! code: 2 for invalid input or usage, 1 for anything else.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::output::headline;
use crate::output::OutputError;
use crate::plan::Plan;
use crate::runner::job::{run_job, Job, JobError};
use crate::runner::verify::{verify, Mismatch, VerifyError};
use crate::runner::ModelFn;
use crate::scenario::ScenarioErrors;
use crate::scenario::{check_file, check_text};

mod sensitivity;

/// The embedded default scenario, run when `run` is given no scenario file.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/england_gappa.ron");
const DEFAULT_LABEL: &str = "england_gappa.ron (embedded default)";
/// Most replicates one `run` accepts (the scenario's own limit): past it, split the work
/// into shards or a sweep.
pub const MAX_REPLICATES: u32 = crate::scenario::validate::MAX_REPLICATES;

#[derive(Debug, Parser)]
#[command(
    name = "changenet",
    version,
    about = "Deterministic agent-based simulator of large-scale change in organisation networks"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's replicates and write results (manifest, runs, time series, summary).
    Run(RunArgs),
    /// Run replicate 0 until the first step that adds no adopter and print one JSON line:
    /// load and simulation seconds apart, steps, final adopters and their digest
    /// (the benchmark workload of docs/PERFORMANCE.md).
    Bench {
        /// Scenario file (RON).
        scenario: PathBuf,
        /// Override a scenario field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_override)]
        set: Vec<(String, String)>,
    },
    /// Check scenario files and report every problem; exit 0 if all are valid, 2 if not.
    Validate {
        /// Scenario files (RON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Re-run what DIR/manifest.json describes and compare every output file.
    Verify {
        /// A result folder written by `changenet run`.
        dir: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..=4096))]
        threads: Option<u32>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Social-network analysis of a collaboration network: report.md, nodes.csv, summary.json.
    Analyse {
        /// Edge list: CSV `source,target[,weight][,type]` with a header, or plain `u v` lines.
        edges: PathBuf,
        /// Node table CSV (`id[,kind][,place][,staff][,catchment]`).
        #[arg(long, value_name = "FILE")]
        nodes: Option<PathBuf>,
        /// Event attendance CSV (`organisation,event`), projected to co-attendance ties.
        #[arg(long, value_name = "FILE")]
        attendance: Option<PathBuf>,
        /// Read CSV rows as directed nominations.
        #[arg(long)]
        directed: bool,
        /// Output folder (default: results/analysis/).
        #[arg(long, short = 'o', value_name = "DIR")]
        out: Option<PathBuf>,
        /// Do not write plots and report.html after the analysis.
        #[arg(long)]
        no_report: bool,
    },
    /// Write DIR/plots/*.svg and DIR/report.html from a result folder's files.
    Report {
        /// A folder written by `changenet run`, `sweep`, `compare` or `analyse`.
        dir: PathBuf,
    },
    /// Run the scenario's replicates at each point of a design over varied fields.
    Sweep(SweepArgs),
    /// Run arms (named sets of overrides) with common random numbers; paired differences.
    Compare(CompareArgs),
    /// Which factors decide an outcome: Morris or Sobol indices over factor ranges.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Write a Slurm job-array script running shards of a run or sweep, and the script
    /// merging them.
    Slurm(SlurmArgs),
    /// Combine shard folders (`run --shard K/N`) into the folder of the whole run.
    Merge {
        /// Shard folders, all N of them, in any order.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Folder for the merged results.
        #[arg(long, short = 'o', value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario file (RON); the embedded England GAPPA scenario when omitted.
    scenario: Option<PathBuf>,
    /// Replicates (overrides the scenario's).
    #[arg(long, short = 'r', value_parser = clap::value_parser!(u32).range(1..=MAX_REPLICATES as i64))]
    replicates: Option<u32>,
    /// Master seed (overrides the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// Output folder (default: results/<scenario name>/).
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Override a scenario field, e.g. `--set practices[0].effect=0.1` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_override)]
    set: Vec<(String, String)>,
    /// Do not write plots and report.html after the run.
    #[arg(long)]
    no_report: bool,
    /// Continue an interrupted run in the output folder: keep its finished runs, run the rest.
    #[arg(long)]
    resume: bool,
    /// Run only the K-th of N slices of the runs (default: from SLURM_ARRAY_TASK_ID and
    /// SLURM_ARRAY_TASK_COUNT when both are set); combine slices with `changenet merge`.
    #[arg(long, value_name = "K/N", value_parser = crate::experiment::Shard::parse)]
    shard: Option<crate::experiment::Shard>,
}

#[derive(Debug, Args)]
struct SweepArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A varied field: `PATH=V1,V2,...` (levels) or `PATH=LO..HI` (a range); repeatable.
    /// Not with a sweep file (`Sweep(...)`), which declares its own factors.
    #[arg(long, value_name = "PATH=VALUES", value_parser = crate::experiment::sweep::parse_vary)]
    vary: Vec<crate::experiment::sweep::Factor>,
    /// Which points: every combination (grid, the default), Latin hypercube (lhs) or Sobol
    /// sequence.
    #[arg(long, value_enum)]
    design: Option<crate::experiment::sweep::Design>,
    /// Points of an lhs or sobol design; levels of a range in a grid.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    points: Option<u32>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    #[command(flatten)]
    run: RunArgs,
    /// An arm: `NAME:PATH=V[,PATH=V...]` (`NAME:` for no change); the first is the baseline.
    #[arg(long, value_name = "NAME:OVERRIDES", required = true, value_parser = crate::experiment::compare::parse_arm)]
    arm: Vec<(String, Vec<(String, String)>)>,
}

#[derive(Debug, Args)]
struct SlurmArgs {
    /// Scenario file (RON), or a sweep file with `--command sweep`.
    scenario: PathBuf,
    /// What each array task runs on its shard.
    #[arg(long, value_enum, default_value = "run")]
    command: crate::experiment::slurm::Command,
    /// Further arguments for each task's command, after `--` (e.g. `-- --vary PATH=1,2`).
    #[arg(last = true, value_name = "ARGS")]
    extra: Vec<String>,
    /// Array tasks (shards).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    tasks: u32,
    /// Folder for the scripts, the shards (`shard-K/`) and the merged result (`merged/`).
    #[arg(long, short = 'o', value_name = "DIR")]
    out: PathBuf,
    /// Replicates (overrides the scenario's).
    #[arg(long, short = 'r')]
    replicates: Option<u32>,
    /// Master seed (overrides the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Override a scenario field (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_override)]
    set: Vec<(String, String)>,
}

fn parse_override(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() => {
            Ok((path.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("expected PATH=VALUE (e.g. seed=7), got {s:?}")),
    }
}

/// What the user asked for, checked.
#[derive(Debug)]
pub enum Action {
    Run(RunAction),
    Validate(Vec<PathBuf>),
    Verify {
        dir: PathBuf,
        threads: usize,
        quiet: bool,
    },
    Analyse {
        opts: crate::analyse::AnalyseOptions,
        no_report: bool,
    },
    Report(PathBuf),
    Bench {
        scenario: PathBuf,
        overrides: Vec<(String, String)>,
    },
    Merge {
        dirs: Vec<PathBuf>,
        out: PathBuf,
    },
    Slurm {
        scenario: PathBuf,
        command: crate::experiment::slurm::Command,
        tasks: u32,
        out: PathBuf,
        /// Arguments passed on to each task's `changenet run`.
        pass: Vec<String>,
    },
    Compare {
        run: RunAction,
        arms: Vec<(String, Vec<(String, String)>)>,
    },
    Sensitivity(sensitivity::SensitivityAction),
    Sweep {
        run: RunAction,
        vary: Vec<crate::experiment::sweep::Factor>,
        /// `None`: not given (grid, unless a sweep file says otherwise).
        design: Option<crate::experiment::sweep::Design>,
        points: Option<usize>,
    },
}

/// A checked `run` request.
#[derive(Debug)]
pub struct RunAction {
    /// `None`: the embedded default scenario.
    pub scenario: Option<PathBuf>,
    pub overrides: Vec<(String, String)>,
    pub replicates: Option<u32>,
    pub seed: Option<u64>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub quiet: bool,
    /// Skip plots and report.html.
    pub no_report: bool,
    pub resume: bool,
    pub shard: Option<crate::experiment::Shard>,
}

impl RunAction {
    /// The scenario file as given, for manifests (`None`: the embedded default).
    fn scenario_file(&self) -> Option<String> {
        self.scenario.as_ref().map(|p| p.display().to_string())
    }

    /// The overrides as `PATH=VALUE`, for manifests.
    fn override_strings(&self) -> Vec<String> {
        self.overrides
            .iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect()
    }
}

/// A failure of a command, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments, or `--help`/`--version` (which clap reports as errors).
    #[error("{0}")]
    Usage(#[from] clap::Error),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Scenario(ScenarioErrors),
    #[error("{invalid} of {total} scenario files are invalid")]
    InvalidFiles { invalid: usize, total: usize },
    #[error("{failed} of {total} runs failed (see the error column of {runs})")]
    RunsFailed {
        failed: u64,
        total: u64,
        runs: String,
    },
    #[error("{dir} does not match its re-run: {mismatch}")]
    Mismatch {
        dir: String,
        mismatch: Box<Mismatch>,
    },
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// 0 for help and version, 2 for invalid input or usage, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(e) if !e.use_stderr() => 0,
            CliError::Usage(_)
            | CliError::InvalidInput(_)
            | CliError::Scenario(_)
            | CliError::InvalidFiles { .. } => 2,
            CliError::RunsFailed { .. } | CliError::Mismatch { .. } | CliError::Failed(_) => 1,
        }
    }
}

impl From<JobError> for CliError {
    fn from(e: JobError) -> Self {
        CliError::Failed(e.to_string())
    }
}

impl From<VerifyError> for CliError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Output(e @ OutputError::Invalid { .. }) => {
                CliError::InvalidInput(e.to_string())
            }
            VerifyError::Scenario(e) => CliError::Scenario(e),
            e => CliError::Failed(e.to_string()),
        }
    }
}

/// Parses and checks the command line.
pub fn parse<I, T>(args: I) -> Result<Action, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let threads = |t: Option<u32>| {
        t.map(|t| t as usize)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    };
    Ok(match cli.command {
        Command::Sweep(a) => Action::Sweep {
            run: run_action(a.run, threads)?,
            vary: a.vary,
            design: a.design,
            points: a.points.map(|n| n as usize),
        },
        Command::Run(a) => Action::Run(run_action(a, threads)?),
        Command::Sensitivity(a) => {
            Action::Sensitivity(sensitivity::SensitivityAction::new(a, threads)?)
        }
        Command::Slurm(a) => {
            let mut pass = Vec::new();
            if let Some(r) = a.replicates {
                pass.extend(["--replicates".to_string(), r.to_string()]);
            }
            if let Some(s) = a.seed {
                pass.extend(["--seed".to_string(), s.to_string()]);
            }
            for (p, v) in a.set {
                pass.extend(["--set".to_string(), format!("{p}={v}")]);
            }
            pass.extend(a.extra);
            Action::Slurm {
                scenario: a.scenario,
                command: a.command,
                tasks: a.tasks,
                out: a.out,
                pass,
            }
        }
        Command::Compare(a) => Action::Compare {
            run: run_action(a.run, threads)?,
            arms: a.arm,
        },
        Command::Merge { dirs, out } => Action::Merge { dirs, out },
        Command::Validate { files } => Action::Validate(files),
        Command::Bench { scenario, set } => Action::Bench {
            scenario,
            overrides: set,
        },
        Command::Report { dir } => Action::Report(dir),
        Command::Verify {
            dir,
            threads: t,
            quiet,
        } => Action::Verify {
            dir,
            threads: threads(t),
            quiet,
        },
        Command::Analyse {
            edges,
            nodes,
            attendance,
            directed,
            out,
            no_report,
        } => {
            let out = out.unwrap_or_else(|| Path::new("results").join("analysis"));
            let mut opts = crate::analyse::AnalyseOptions::new(edges, out);
            opts.nodes = nodes;
            opts.attendance = attendance;
            opts.directed = directed;
            Action::Analyse { opts, no_report }
        }
    })
}

fn run_action(a: RunArgs, threads: impl Fn(Option<u32>) -> usize) -> Result<RunAction, CliError> {
    Ok(RunAction {
        scenario: a.scenario,
        overrides: a.set,
        replicates: a.replicates,
        seed: a.seed,
        threads: threads(a.threads),
        out: a.out,
        quiet: a.quiet,
        no_report: a.no_report,
        resume: a.resume,
        shard: match a.shard {
            Some(s) => Some(s),
            None => crate::experiment::Shard::from_env().map_err(CliError::InvalidInput)?,
        },
    })
}

/// Carries out an action with `model`; what a person should read goes to `out`.
pub fn execute(action: Action, model: &ModelFn<'_>, out: &mut dyn Write) -> Result<(), CliError> {
    match action {
        Action::Run(a) => run(a, model, out),
        Action::Validate(files) => validate(&files, out),
        Action::Report(dir) => write_report(&dir, out),
        Action::Bench {
            scenario,
            overrides,
        } => {
            let plan = check_file(&scenario, &overrides).map_err(CliError::Scenario)?;
            let settled =
                crate::bench::settle(&plan).map_err(|e| CliError::Failed(e.to_string()))?;
            say(out, &settled.json())
        }
        Action::Verify {
            dir,
            threads,
            quiet,
        } => match verify(&dir, threads, !quiet, model)? {
            None => say(out, &format!("{}: identical to its re-run", dir.display())),
            Some(mismatch) => Err(CliError::Mismatch {
                dir: dir.display().to_string(),
                mismatch: Box::new(mismatch),
            }),
        },
        Action::Analyse { opts, no_report } => {
            analyse(&opts, out)?;
            if no_report {
                return Ok(());
            }
            write_report(&opts.out, out)
        }
        Action::Sensitivity(s) => sensitivity::sensitivity(s, model, out),
        Action::Sweep {
            run,
            vary,
            design,
            points,
        } => sweep(run, &vary, design, points, model, out),
        Action::Slurm {
            scenario,
            command,
            tasks,
            out: dir,
            pass,
        } => {
            let (job, merge) =
                crate::experiment::slurm::write_scripts(&scenario, command, tasks, &dir, &pass)
                    .map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
            say(
                out,
                &format!(
                    "wrote {} (submit with sbatch) and {} (run when the array is done)",
                    job.display(),
                    merge.display()
                ),
            )
        }
        Action::Compare { run, arms } => compare(run, &arms, model, out),
        Action::Merge { dirs, out: to } => {
            use crate::experiment::merge::{merge, MergeError};
            let report = merge(&dirs, &to).map_err(|e| match e {
                MergeError::Output(e @ OutputError::Invalid { .. }) => {
                    CliError::InvalidInput(e.to_string())
                }
                MergeError::Mismatch(_) => CliError::InvalidInput(e.to_string()),
                MergeError::Scenario(e) => CliError::Scenario(e),
                e => CliError::Failed(e.to_string()),
            })?;
            say(
                out,
                &format!(
                    "merged {} shards ({} runs, {} failed) -> {}",
                    report.shards,
                    report.runs,
                    report.failed,
                    to.display()
                ),
            )
        }
    }
}

fn analyse(opts: &crate::analyse::AnalyseOptions, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::analyse::AnalyseError;
    let s = crate::analyse::analyse(opts).map_err(|e| match e {
        AnalyseError::Write { .. } => CliError::Failed(e.to_string()),
        _ => CliError::InvalidInput(e.to_string()),
    })?;
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    say(
        out,
        &format!(
            "{} organisations, {} ties, density {:.4}, {} components (largest {}), {} isolates; \
             transitivity {:.3}, mean constraint {:.3}\nwrote {}/report.md, nodes.csv, ties.csv, summary.json",
            s.organisations,
            s.ties,
            s.density,
            s.components,
            s.largest_component,
            s.isolates,
            s.transitivity,
            s.mean_constraint,
            opts.out.display()
        ),
    )
}

fn say(out: &mut dyn Write, text: &str) -> Result<(), CliError> {
    writeln!(out, "{text}").map_err(|e| CliError::Failed(format!("writing to stdout: {e}")))
}

fn sweep(
    mut a: RunAction,
    vary: &[crate::experiment::sweep::Factor],
    design: Option<crate::experiment::sweep::Design>,
    n: Option<usize>,
    model: &ModelFn<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::experiment::sweep::{points, Design, Kind};
    let sweep_file = a
        .scenario
        .as_deref()
        .filter(|p| crate::scenario::top_level_name(p).as_deref() == Some("Sweep"));
    let (vary, design, n, design_seed) =
        match sweep_file {
            Some(file) => {
                if !vary.is_empty() || design.is_some() || n.is_some() {
                    return Err(CliError::InvalidInput(format!(
                        "{} is a sweep file, which declares its factors, design and points; \
                     drop --vary, --design and --points",
                        file.display()
                    )));
                }
                let plan = crate::experiment::sweep_file::load(file).map_err(CliError::Scenario)?;
                a.scenario = Some(plan.scenario);
                (plan.factors, plan.design, plan.points, plan.seed)
            }
            None if vary.is_empty() => return Err(CliError::InvalidInput(
                "give the varied fields (--vary PATH=V1,V2,... or PATH=LO..HI) or a sweep file \
                 (Sweep(scenario: ..., factors: [...]))"
                    .into(),
            )),
            None => (vary.to_vec(), design.unwrap_or(Design::Grid), n, None),
        };
    let base = load_plan(&a, &a.overrides)?;
    let seed = design_seed.unwrap_or(base.scenario.seed);
    let values = points(&vary, design, n, seed).map_err(CliError::InvalidInput)?;
    let factors: Vec<String> = vary.iter().map(|f| f.path.clone()).collect();
    let sets: Vec<Vec<(String, String)>> = values
        .iter()
        .map(|v| factors.iter().cloned().zip(v.iter().cloned()).collect())
        .collect();
    let plans = point_plans(&a, &sets)?;
    let out_dir = match &a.out {
        Some(dir) => dir.clone(),
        None => default_out_dir(&format!("{}-sweep", base.scenario.name))?,
    };
    let label = format!("{} sweep, {} points", base.scenario.name, values.len());
    run_points(
        a,
        &base,
        &plans,
        factors,
        values,
        vec![],
        Kind::Sweep,
        out_dir,
        label,
        model,
        out,
    )
}

/// Each point's plan: the base request with the point's overrides after its own. Each
/// point reads and checks the scenario again (a design may have thousands of points), so
/// the points are built on the run's threads, kept in order; a bad point is reported as
/// the first one in order.
fn point_plans(a: &RunAction, sets: &[Vec<(String, String)>]) -> Result<Vec<Plan>, CliError> {
    use rayon::prelude::*;
    let build = |set: &Vec<(String, String)>| {
        let mut o = a.overrides.clone();
        o.extend(set.iter().cloned());
        load_plan(a, &o)
    };
    let pool = (a.threads > 1 && sets.len() > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(a.threads)
                .build()
                .ok()
        })
        .flatten();
    let built: Vec<Result<Plan, CliError>> = match pool {
        Some(pool) => pool.install(|| sets.par_iter().map(build).collect()),
        None => sets.iter().map(build).collect(),
    };
    built.into_iter().collect()
}

/// Runs the points of a sweep or comparison into `out_dir` and reports it.
#[allow(clippy::too_many_arguments)]
fn run_points(
    a: RunAction,
    base: &Plan,
    plans: &[Plan],
    factors: Vec<String>,
    values: Vec<Vec<String>>,
    sets: Vec<Vec<(String, String)>>,
    kind: crate::experiment::sweep::Kind,
    out_dir: PathBuf,
    label: String,
    model: &ModelFn<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::experiment::sweep::{ranking, run_sweep, Sweep};
    let reps = base.scenario.replicates as u64;
    let total = plans.len() as u64 * reps;
    let s = Sweep {
        plans,
        factors: factors.clone(),
        values,
        base,
        scenario_file: a.scenario_file(),
        overrides: a.override_strings(),
        out_dir: out_dir.clone(),
        threads: a.threads,
        show_progress: !a.quiet,
        kind,
        sets,
        shard: a.shard,
        resume: a.resume,
    };
    let (manifest, results) = run_sweep(&s, model)?;
    manifest.write(&out_dir).map_err(JobError::from)?;
    let runs = match a.shard {
        Some(k) => {
            let r = k.range(total);
            say(
                out,
                &format!(
                    "{label} x {reps} replicates: shard {k}, runs {} to {} -> {}",
                    r.start,
                    r.end.saturating_sub(1),
                    out_dir.display()
                ),
            )?;
            r.end - r.start
        }
        None => {
            say(
                out,
                &format!("{label} x {reps} replicates -> {}", out_dir.display()),
            )?;
            say(out, ranking(&factors, &results).trim_end())?;
            // A shard has no report: its points are partial; merge the shards first.
            if !a.no_report {
                write_report(&out_dir, out)?;
            }
            total
        }
    };
    if manifest.failed_runs > 0 {
        return Err(CliError::RunsFailed {
            failed: manifest.failed_runs,
            total: runs,
            runs: out_dir.join(crate::output::RUNS_CSV).display().to_string(),
        });
    }
    Ok(())
}

fn compare(
    a: RunAction,
    arms: &[(String, Vec<(String, String)>)],
    model: &ModelFn<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let names: Vec<String> = arms.iter().map(|(n, _)| n.clone()).collect();
    if arms.len() < 2 || (1..names.len()).any(|i| names[..i].contains(&names[i])) {
        return Err(CliError::InvalidInput(
            "give at least two --arm NAME:..., with different names".into(),
        ));
    }
    let base = load_plan(&a, &a.overrides)?;
    let sets: Vec<Vec<(String, String)>> = arms.iter().map(|(_, s)| s.clone()).collect();
    let plans = point_plans(&a, &sets)?;
    let out_dir = match &a.out {
        Some(dir) => dir.clone(),
        None => default_out_dir(&format!("{}-compare", base.scenario.name))?,
    };
    let label = format!("{} comparison, {} arms", base.scenario.name, arms.len());
    run_points(
        a,
        &base,
        &plans,
        vec!["arm".to_string()],
        names.iter().map(|n| vec![n.clone()]).collect(),
        sets,
        crate::experiment::sweep::Kind::Compare,
        out_dir,
        label,
        model,
        out,
    )
}

/// The scenario of a run request with `overrides`, `--seed` and `--replicates` applied.
fn load_plan(a: &RunAction, overrides: &[(String, String)]) -> Result<Plan, CliError> {
    let mut plan: Plan = match &a.scenario {
        Some(path) => check_file(path, overrides),
        None => check_text(DEFAULT_LABEL, DEFAULT_SCENARIO, Path::new("."), overrides),
    }
    .map_err(CliError::Scenario)?;
    if let Some(seed) = a.seed {
        plan.scenario.seed = seed;
    }
    if let Some(r) = a.replicates {
        plan.scenario.replicates = r;
    }
    if !(1..=MAX_REPLICATES).contains(&plan.scenario.replicates) {
        return Err(CliError::InvalidInput(format!(
            "replicates: must be 1 to {MAX_REPLICATES} (got {}); split larger experiments \
             into shards (--shard K/N) or the points of a sweep",
            plan.scenario.replicates
        )));
    }
    Ok(plan)
}

fn run(a: RunAction, model: &ModelFn<'_>, out: &mut dyn Write) -> Result<(), CliError> {
    let plan = load_plan(&a, &a.overrides)?;
    let out_dir = match &a.out {
        Some(dir) => dir.clone(),
        None => default_out_dir(&plan.scenario.name)?,
    };
    let job = Job {
        plan: &plan,
        scenario_file: a.scenario_file(),
        overrides: a.override_strings(),
        out_dir: out_dir.clone(),
        threads: a.threads,
        show_progress: !a.quiet,
        shard: a.shard,
        resume: a.resume,
    };
    let report = run_job(&job, model)?;
    let title = format!("{} -> {}", plan.scenario.name, out_dir.display());
    let table = headline::render(&title, &plan.scenario.target, &report.headline);
    say(out, table.trim_end())?;
    if !a.no_report {
        write_report(&out_dir, out)?;
    }
    if report.headline.failed > 0 {
        return Err(CliError::RunsFailed {
            failed: report.headline.failed,
            total: report.headline.runs,
            runs: out_dir.join(crate::output::RUNS_CSV).display().to_string(),
        });
    }
    Ok(())
}

/// Writes plots and report.html for a result folder.
fn write_report(dir: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let written = crate::report::write_report(dir).map_err(|e| match e {
        e @ OutputError::Invalid { .. } => CliError::InvalidInput(e.to_string()),
        e => CliError::Failed(e.to_string()),
    })?;
    say(out, &format!("report: {}", written.html.display()))
}

/// `results/<name>/`, refusing names that are not a plain folder name and the committed
/// reference results.
fn default_out_dir(name: &str) -> Result<PathBuf, CliError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !plain {
        return Err(CliError::InvalidInput(format!(
            "scenario name {name:?} cannot name a results folder (letters, digits, _ - . only); \
             give one with --out"
        )));
    }
    if name == "reference" {
        return Err(CliError::InvalidInput(
            "results/reference/ holds committed reference results; give another folder with --out"
                .into(),
        ));
    }
    Ok(Path::new("results").join(name))
}

fn validate(files: &[PathBuf], out: &mut dyn Write) -> Result<(), CliError> {
    let mut invalid = 0;
    for f in files {
        match check_file(f, &[]) {
            Ok(plan) => say(
                out,
                &format!("{}: valid (scenario {:?})", f.display(), plan.scenario.name),
            )?,
            Err(errors) => {
                invalid += 1;
                eprintln!("{errors}");
            }
        }
    }
    if invalid > 0 {
        return Err(CliError::InvalidFiles {
            invalid,
            total: files.len(),
        });
    }
    Ok(())
}

/// Prints an error as the binary should (clap's own format for usage, help and version;
/// `changenet: cause` otherwise) and returns the exit code.
pub fn report(e: &CliError) -> i32 {
    match e {
        CliError::Usage(e) => {
            let _ = e.print();
        }
        CliError::Scenario(errors) => {
            // Diagnostics start with `file:line:column:` so editors can jump to them.
            eprintln!("{errors}");
            eprintln!(
                "changenet: the scenario is invalid ({} problems)",
                errors.0.len()
            );
        }
        e => eprintln!("changenet: {e}"),
    }
    e.exit_code()
}

/// Makes a panic print one line instead of a trace; `main` turns it into exit code 1.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let cause = crate::runner::panic_message(info.payload());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "changenet: internal error (a bug; please report it): {}{place}",
            crate::output::format::one_line(&cause)
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::toy::{toy_model, TOY_SCENARIO};

    fn cli(args: &[&str]) -> Result<(), CliError> {
        let action = parse(std::iter::once("changenet").chain(args.iter().copied()))?;
        execute(action, &toy_model, &mut Vec::new())
    }

    #[test]
    fn run_writes_identical_files_at_any_thread_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("toy.ron");
        std::fs::write(&file, TOY_SCENARIO).unwrap();
        let out = |t: &str| dir.path().join(format!("out{t}"));
        for t in ["1", "2", "8"] {
            let args = [
                "run",
                file.to_str().unwrap(),
                "-j",
                t,
                "-r",
                "6",
                "--seed",
                "9",
            ];
            let o = out(t);
            let mut args = args.to_vec();
            args.extend(["--out", o.to_str().unwrap(), "--quiet"]);
            cli(&args).unwrap();
        }
        for name in ["runs.csv", "timeseries.csv", "summary.csv", "places.csv"] {
            let read = |t: &str| std::fs::read(out(t).join(name)).unwrap();
            assert_eq!(read("1"), read("2"), "{name}");
            assert_eq!(read("1"), read("8"), "{name}");
        }
        let m = crate::output::manifest::Manifest::read(&out("1")).unwrap();
        assert_eq!((m.seed, m.replicates), (9, 6));
        assert_eq!(m.scenario_file.as_deref(), file.to_str());
        assert!(cli(&["verify", out("2").to_str().unwrap(), "-q"]).is_ok());
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let code = |args: &[&str]| cli(args).map_or_else(|e| e.exit_code(), |_| 0);
        assert_eq!(code(&["--help"]), 0);
        assert_eq!(code(&["--version"]), 0);
        assert_eq!(code(&["run", "--replicates", "0"]), 2);
        assert_eq!(code(&["run", "--replicates", "1000001"]), 2);
        assert_eq!(code(&["run", "--threads", "zero"]), 2);
        assert_eq!(code(&["run", "--set", "no-equals-sign"]), 2);
        assert_eq!(code(&["frobnicate"]), 2);
        assert_eq!(code(&["run", "/no/such/scenario.ron"]), 2);
        assert_eq!(code(&["validate", "/no/such/scenario.ron"]), 2);
        assert_eq!(code(&["verify", "/no/such/folder"]), 2);
    }

    #[test]
    fn default_folder_is_a_plain_name_under_results_and_never_the_reference() {
        assert_eq!(
            default_out_dir("small").unwrap(),
            Path::new("results").join("small")
        );
        for bad in ["", "../etc", ".hidden", "a/b", "reference"] {
            assert_eq!(default_out_dir(bad).unwrap_err().exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn overrides_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_override("practices[0].name=a=b").unwrap(),
            ("practices[0].name".to_string(), "a=b".to_string())
        );
        assert!(parse_override("=3").is_err());
    }
}
