//! `changenet sweep`: run a scenario's replicates at each point of a design over factors
//! given as `--vary PATH=V1,V2,...` (levels) or `--vary PATH=LO..HI` (a range).
//!
//! Point p, replicate r is run `p * replicates + r`; replicate r of every point uses the
//! same random numbers (draws are keyed by seed and replicate only), so points differ by
//! their factors alone. Tables are those of `run` with one column per factor after `run`;
//! `summary.csv` has one block per point led by the factor columns. With a range, a grid
//! takes `--points` equally spaced levels from LO to HI; Latin-hypercube and Sobol points
//! map the unit interval onto the range (onto the levels, by equal shares, for a list).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::compare::{read_arms, write_paired, PAIRED_CSV};
use super::design::{grid, latin_hypercube, sobol};
use super::points::{point_plans, read_runs, PointSummaries, TablePaths};
pub use super::points::{Kind, PointsRecord, RANKING_TXT};
use super::resume::Identity;
use super::Shard;
use crate::output::atomic::{partial_path, AtomicFile};
use crate::output::format::float;
use crate::output::manifest::{sha256_hex, Manifest};
use crate::output::streams::{RowFormatter, RunTables};
use crate::output::summary::wilson95;
use crate::output::{OutputError, PLACES_CSV, RUNS_CSV, SUMMARY_CSV, TIMESERIES_CSV};
use crate::plan::Plan;
use crate::runner::job::JobError;
use crate::runner::progress::Progress;
use crate::runner::verify::VerifyError;
use crate::runner::{run_in_order, run_one, ModelFn, RunSpec};
use crate::scenario::canonical;

/// One varied field.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub path: String,
    pub levels: Levels,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Levels {
    List(Vec<String>),
    Range(f64, f64),
}

/// How points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
pub enum Design {
    Grid,
    Lhs,
    Sobol,
}

/// Parses `PATH=V1,V2,...` or `PATH=LO..HI`.
pub fn parse_vary(s: &str) -> Result<Factor, String> {
    let bad = || {
        format!("expected PATH=V1,V2,... or PATH=LO..HI (e.g. practices[0].effect=0.05..0.15), got {s:?}")
    };
    let (path, values) = s.split_once('=').ok_or_else(bad)?;
    let (path, values) = (path.trim(), values.trim());
    if path.is_empty() || values.is_empty() {
        return Err(bad());
    }
    let levels = match values.split_once("..") {
        Some((lo, hi)) => {
            let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
            let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(format!("{s:?}: a range needs finite LO <= HI"));
            }
            Levels::Range(lo, hi)
        }
        None => Levels::List(values.split(',').map(|v| v.trim().to_string()).collect()),
    };
    Ok(Factor {
        path: path.to_string(),
        levels,
    })
}

/// The override values of every point, in run order.
pub fn points(
    factors: &[Factor],
    design: Design,
    n: Option<usize>,
    seed: u64,
) -> Result<Vec<Vec<String>>, String> {
    if factors.is_empty() {
        return Err("give at least one --vary PATH=...".into());
    }
    match design {
        Design::Grid => {
            let levels: Vec<Vec<String>> = factors
                .iter()
                .map(|f| match &f.levels {
                    Levels::List(v) => Ok(v.clone()),
                    Levels::Range(lo, hi) => {
                        let k = n.ok_or_else(|| {
                            format!(
                                "{}: a range in a grid needs --points N (levels from LO to HI)",
                                f.path
                            )
                        })?;
                        Ok((0..k)
                            .map(|i| {
                                let t = if k > 1 {
                                    i as f64 / (k - 1) as f64
                                } else {
                                    0.0
                                };
                                float(lo + t * (hi - lo))
                            })
                            .collect())
                    }
                })
                .collect::<Result<_, String>>()?;
            let counts: Vec<usize> = levels.iter().map(Vec::len).collect();
            Ok(grid(&counts)
                .into_iter()
                .map(|idx| {
                    idx.iter()
                        .zip(&levels)
                        .map(|(&i, l)| l[i].clone())
                        .collect()
                })
                .collect())
        }
        Design::Lhs | Design::Sobol => {
            let n = n.ok_or("--design lhs and sobol need --points N")?;
            let unit = if design == Design::Lhs {
                latin_hypercube(n, factors.len(), seed)
            } else {
                sobol(n, factors.len())?
            };
            Ok(unit
                .iter()
                .map(|u| {
                    u.iter()
                        .zip(factors)
                        .map(|(&x, f)| match &f.levels {
                            Levels::Range(lo, hi) => float(lo + x * (hi - lo)),
                            Levels::List(v) => {
                                let i = ((x * v.len() as f64) as usize).min(v.len() - 1);
                                v[i].clone()
                            }
                        })
                        .collect()
                })
                .collect())
        }
    }
}

/// A sweep (or comparison) to run: one checked plan per point, all with the same seed,
/// replicates and output columns.
pub struct Sweep<'a> {
    pub plans: &'a [Plan],
    /// Names of the factor columns, and each point's values.
    pub factors: Vec<String>,
    pub values: Vec<Vec<String>>,
    /// The scenario without the points' overrides (recorded in the manifest).
    pub base: &'a Plan,
    pub scenario_file: Option<String>,
    /// `--set` overrides applied to the base (the points' own are recorded after them).
    pub overrides: Vec<String>,
    pub out_dir: PathBuf,
    pub threads: usize,
    pub show_progress: bool,
    /// A sweep, or a comparison (whose whole folder also gets `paired.csv`).
    pub kind: Kind,
    /// Each point's overrides when they are not its factor values (a comparison's arms);
    /// empty for a sweep. Recorded so that `verify` and `merge` can rebuild the points.
    pub sets: Vec<Vec<(String, String)>>,
    /// Run only this slice of the runs (`--shard K/N`); `merge` combines the slices.
    pub shard: Option<Shard>,
    /// Continue the unfinished runs of `out_dir` (`--resume`) instead of starting afresh.
    pub resume: bool,
}

/// A point's results, for the ranking and paired differences.
#[derive(Debug, Clone)]
pub struct PointResult {
    pub values: Vec<String>,
    pub ok: u64,
    pub met: u64,
    pub final_p50: Option<f64>,
}

/// Runs every point's replicates (or the shard's slice of them) into one folder; returns
/// the manifest (for the caller to write last, after any files of its own) and the results
/// of the points run. A whole experiment also gets `ranking.txt` and, for a comparison,
/// `paired.csv`; a shard gets neither (`merge` writes them).
pub fn run_sweep(s: &Sweep, model: &ModelFn<'_>) -> Result<(Manifest, Vec<PointResult>), JobError> {
    let dir = &s.out_dir;
    std::fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))?;
    let (seed, reps) = (s.base.scenario.seed, s.base.scenario.replicates);
    let formatter = RowFormatter::new(s.base).with_factors(&s.factors);
    if s.values.len() != s.plans.len() {
        return Err(JobError::Output(OutputError::invalid(
            dir,
            format!(
                "{} points but {} sets of factor values",
                s.plans.len(),
                s.values.len()
            ),
        )));
    }
    for (p, plan) in s.plans.iter().enumerate() {
        let same =
            RowFormatter::new(plan).with_factors(&s.factors).headers() == formatter.headers();
        if plan.scenario.seed != seed || plan.scenario.replicates != reps || !same {
            return Err(JobError::Output(OutputError::invalid(dir, format!(
                "point {p} ({}) changes the seed, the replicates or the output columns; sweep other fields",
                s.values.get(p).map(|v| v.join(", ")).unwrap_or_default()))));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(s.threads.max(1))
        .thread_name(|i| format!("changenet-sweep-{i}"))
        .build()
        .map_err(|e| JobError::Pool {
            threads: s.threads,
            message: e.to_string(),
        })?;
    let total = s.plans.len() as u64 * reps as u64;
    let range = match s.shard {
        Some(k) => k.range(total),
        None => 0..total,
    };
    let record = PointsRecord {
        kind: s.kind,
        factors: s.factors.clone(),
        values: s.values.clone(),
        sets: s.sets.clone(),
    };
    let text = canonical(&s.base.scenario);
    let mut overrides = s.overrides.clone();
    overrides.extend(record.lines());
    let identity = Identity {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_sha256: sha256_hex(&text),
        seed,
        replicates: reps,
        overrides: overrides.clone(),
        shard: s.shard,
    };
    let lead = s.factors.len();
    let new_summaries = || PointSummaries::create(dir, &s.factors, s.plans, &s.values, reps);
    let mut sums = new_summaries()?;
    let resumed = if s.resume && identity.matches(dir)? {
        let paths = TablePaths {
            runs: partial_path(&dir.join(RUNS_CSV)),
            timeseries: partial_path(&dir.join(TIMESERIES_CSV)),
            places: Some(partial_path(&dir.join(PLACES_CSV))),
        };
        read_runs(&paths, &formatter, lead, range.clone(), seed, &mut sums)?
    } else {
        None
    };
    let (mut tables, done) = match &resumed {
        Some(r) => (RunTables::resume(dir, &formatter, &r.keep)?, r.done),
        None => {
            sums = new_summaries()?;
            (RunTables::create(dir, &formatter)?, 0)
        }
    };
    identity.write(dir)?;
    let runs = (range.start + done..range.end).map(|run| RunSpec {
        run,
        plan: (run / reps as u64) as usize,
        replicate: (run % reps as u64) as u32,
    });
    let progress = Progress::new(range.end - range.start, s.show_progress);
    progress.add(done);
    let empty = Vec::new();
    // Model run and row formatting happen on the workers; the sink only appends in order.
    let work = |spec: RunSpec| {
        let finished = run_one(s.plans, spec, model);
        let rows = formatter.format_point(&finished, s.values.get(spec.plan).unwrap_or(&empty));
        (finished, rows)
    };
    run_in_order(runs, &work, &pool, |(finished, rows)| {
        tables.append(&rows)?;
        sums.add(&finished)?;
        progress.run_done();
        Ok::<(), OutputError>(())
    })?;
    progress.finish();
    let mut files = tables.commit()?;
    let summary = sums.finish()?;
    files.insert(SUMMARY_CSV.to_string(), summary.digest);
    if !files.contains_key(PLACES_CSV) {
        remove_stale(&dir.join(PLACES_CSV))?;
    }
    if s.shard.is_none() {
        files.extend(write_whole_files(dir, &record, reps, &summary.results)?);
    } else {
        for name in [RANKING_TXT, PAIRED_CSV] {
            remove_stale(&dir.join(name))?;
        }
    }
    let manifest = Manifest {
        tool: env!("CARGO_PKG_NAME").to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: s.base.scenario.name.clone(),
        scenario_file: s.scenario_file.clone(),
        scenario_sha256: sha256_hex(&text),
        seed,
        replicates: reps,
        overrides,
        failed_runs: summary.failed,
        files,
        scenario: text,
        shard: s.shard,
        points: Some(record),
    };
    Identity::remove(dir)?;
    Ok((manifest, summary.results))
}

/// Re-runs the sweep or comparison that `manifest` describes into `out_dir` (for
/// `verify`): the points rebuilt from the recorded scenario text (`label` in messages,
/// relative paths against `base_dir`) and overrides, the same slice if it was a shard.
/// Returns the fresh manifest (not written).
pub fn rerun(
    manifest: &Manifest,
    record: &PointsRecord,
    (label, base_dir): (&str, &Path),
    out_dir: &Path,
    (threads, show_progress): (usize, bool),
    model: &ModelFn<'_>,
) -> Result<Manifest, VerifyError> {
    let (base, plans) = point_plans(
        record,
        label,
        &manifest.scenario,
        base_dir,
        manifest.seed,
        manifest.replicates,
    )
    .map_err(VerifyError::Scenario)?;
    // The manifest lists the base overrides, then one line per point.
    let n_base = manifest.overrides.len().saturating_sub(record.values.len());
    let s = Sweep {
        plans: &plans,
        factors: record.factors.clone(),
        values: record.values.clone(),
        base: &base,
        scenario_file: manifest.scenario_file.clone(),
        overrides: manifest.overrides[..n_base].to_vec(),
        out_dir: out_dir.to_path_buf(),
        threads,
        show_progress,
        kind: record.kind,
        sets: record.sets.clone(),
        shard: manifest.shard,
        resume: false,
    };
    Ok(run_sweep(&s, model)?.0)
}

/// Removes a file an earlier experiment left in the folder, which this one does not write
/// (it would contradict the manifest).
fn remove_stale(path: &Path) -> Result<(), OutputError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::io(path, e)),
        _ => Ok(()),
    }
}

/// Writes the files of a whole experiment that need every point: `ranking.txt` and, for a
/// comparison, `paired.csv` (read back from the committed `runs.csv`); returns their
/// names and SHA-256. Used by a sweep and by `merge`.
pub fn write_whole_files(
    dir: &Path,
    record: &PointsRecord,
    replicates: u32,
    results: &[PointResult],
) -> Result<BTreeMap<String, String>, OutputError> {
    let mut files = BTreeMap::new();
    let path = dir.join(RANKING_TXT);
    let io = |e| OutputError::io(&path, e);
    let mut f = AtomicFile::create(&path).map_err(io)?;
    f.write_all(ranking(&record.factors, results).as_bytes())
        .map_err(io)?;
    files.insert(RANKING_TXT.to_string(), f.commit().map_err(io)?);
    match record.kind {
        Kind::Compare => {
            let names: Vec<String> = record
                .values
                .iter()
                .map(|v| v.first().cloned().unwrap_or_default())
                .collect();
            let arms = read_arms(&dir.join(RUNS_CSV), names.len(), replicates)?;
            files.insert(PAIRED_CSV.to_string(), write_paired(dir, &names, &arms)?);
        }
        Kind::Sweep => remove_stale(&dir.join(PAIRED_CSV))?,
    }
    Ok(files)
}

/// The points ranked by probability of meeting the target (ties: run order), as a table.
pub fn ranking(factors: &[String], results: &[PointResult]) -> String {
    let mut order: Vec<usize> = (0..results.len()).collect();
    let p = |r: &PointResult| {
        if r.ok > 0 {
            r.met as f64 / r.ok as f64
        } else {
            -1.0
        }
    };
    order.sort_by(|&a, &b| p(&results[b]).total_cmp(&p(&results[a])).then(a.cmp(&b)));
    let mut rows = vec![{
        let mut h = vec!["rank".to_string(), "point".to_string()];
        h.extend(factors.iter().cloned());
        h.extend([
            "P(target met)".into(),
            "95% CI".into(),
            "median final prevalence".into(),
        ]);
        h
    }];
    for (rank, &i) in order.iter().enumerate() {
        let r = &results[i];
        let mut row = vec![(rank + 1).to_string(), i.to_string()];
        row.extend(r.values.iter().cloned());
        let (prob, ci) = match wilson95(r.met, r.ok) {
            Some((lo, hi)) => (
                format!("{:.2}", r.met as f64 / r.ok as f64),
                format!("{lo:.2}-{hi:.2}"),
            ),
            None => ("-".into(), "-".into()),
        };
        row.extend([
            prob,
            ci,
            r.final_p50.map(|x| format!("{x:.4}")).unwrap_or("-".into()),
        ]);
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(x, w)| format!("{x:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}
