//! The folder of an experiment over many points (a sweep's points, a comparison's arms):
//! its summary written point by point, what its manifest records about the points, and
//! reading its tables back run by run (to resume, and to merge shards).
//!
//! Runs are listed point by point (point p, replicate r is run `p * replicates + r`), so a
//! point's runs arrive together. [`PointSummaries`] keeps the values of the current point
//! only and writes its block of `summary.csv` as soon as the next point starts: memory
//! holds one point's replicates, however many points there are. Reading back walks
//! `runs.csv` and `timeseries.csv` side by side ([`read_runs`]), a run at a time, for the
//! same reason.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sweep::PointResult;
use super::tables::{add_run_row_at, add_step_row_at, field, RowReader};
use crate::output::atomic::AtomicFile;
use crate::output::streams::{RowFormatter, TableLengths};
use crate::output::summary::{summary_block, summary_header, SummaryBuilder};
use crate::output::{OutputError, SUMMARY_CSV};
use crate::plan::Plan;
use crate::runner::FinishedRun;
use crate::scenario::{check_text, ScenarioErrors};

/// File of a whole experiment ranking its points by the probability of meeting the target.
pub const RANKING_TXT: &str = "ranking.txt";

/// What an experiment over points is, as its manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `changenet sweep`: points of a design over factors.
    Sweep,
    /// `changenet compare`: named arms; `paired.csv` compares them with the first.
    Compare,
}

/// The points of an experiment, recorded in its manifest so that `merge` and `verify` can
/// rebuild every point's scenario from the base scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsRecord {
    pub kind: Kind,
    /// Names of the factor columns (`arm` for a comparison).
    pub factors: Vec<String>,
    /// Each point's values of the factor columns, in point order.
    pub values: Vec<Vec<String>>,
    /// Each point's overrides when they are not its factor values (a comparison's arms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<Vec<(String, String)>>,
}

impl PointsRecord {
    /// The overrides that turn the base scenario into point `p`.
    pub fn overrides(&self, p: usize) -> Vec<(String, String)> {
        match self.sets.get(p) {
            Some(sets) => sets.clone(),
            None => self
                .factors
                .iter()
                .cloned()
                .zip(self.values.get(p).cloned().unwrap_or_default())
                .collect(),
        }
    }

    /// The manifest's human-readable overrides after the base ones: one line per point.
    pub fn lines(&self) -> Vec<String> {
        let join = |sets: &[(String, String)]| {
            sets.iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        match self.kind {
            Kind::Sweep => (0..self.values.len())
                .map(|p| format!("point {p}: {}", join(&self.overrides(p))))
                .collect(),
            Kind::Compare => (0..self.values.len())
                .map(|p| {
                    let name = self.values.get(p).and_then(|v| v.first());
                    format!(
                        "arm {}: {}",
                        name.map(String::as_str).unwrap_or(""),
                        join(&self.overrides(p))
                    )
                })
                .collect(),
        }
    }
}

/// The base plan and every point's plan, rebuilt from a manifest's canonical scenario
/// `text` (named `label` in messages; relative paths resolve against `base_dir`) with the
/// recorded seed and replicates.
pub fn point_plans(
    record: &PointsRecord,
    label: &str,
    text: &str,
    base_dir: &Path,
    seed: u64,
    replicates: u32,
) -> Result<(Plan, Vec<Plan>), ScenarioErrors> {
    let build = |overrides: &[(String, String)]| {
        check_text(label, text, base_dir, overrides).map(|mut plan| {
            plan.scenario.seed = seed;
            plan.scenario.replicates = replicates;
            plan
        })
    };
    let base = build(&[])?;
    let plans = (0..record.values.len())
        .map(|p| build(&record.overrides(p)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((base, plans))
}

/// `summary.csv` of an experiment over points, written block by block as points finish.
pub struct PointSummaries<'p> {
    plans: &'p [Plan],
    values: &'p [Vec<String>],
    replicates: u64,
    file: AtomicFile,
    current: Option<(usize, SummaryBuilder)>,
    results: Vec<PointResult>,
    failed: u64,
}

/// What a finished summary gives: its digest, the results of the points it holds (in
/// point order) and how many runs failed.
pub struct SummaryDone {
    pub digest: String,
    pub results: Vec<PointResult>,
    pub failed: u64,
}

impl<'p> PointSummaries<'p> {
    /// Starts `dir/summary.csv` (as a `.partial` until [`PointSummaries::finish`]).
    pub fn create(
        dir: &Path,
        factors: &[String],
        plans: &'p [Plan],
        values: &'p [Vec<String>],
        replicates: u32,
    ) -> Result<PointSummaries<'p>, OutputError> {
        let path = dir.join(SUMMARY_CSV);
        let io = |e| OutputError::io(&path, e);
        let mut file = AtomicFile::create(&path).map_err(io)?;
        file.write_all(&summary_header(factors)).map_err(io)?;
        Ok(PointSummaries {
            plans,
            values,
            replicates: replicates.max(1) as u64,
            file,
            current: None,
            results: Vec::new(),
            failed: 0,
        })
    }

    /// The summary of the point that run `run` belongs to; runs must come in run order.
    pub fn builder(&mut self, run: u64) -> Result<&mut SummaryBuilder, OutputError> {
        let p = (run / self.replicates) as usize;
        let next = match self.current.take() {
            Some((q, b)) if q == p => (q, b),
            other => {
                if let Some((q, b)) = other {
                    self.close(q, &b)?;
                }
                let plan = self.plans.get(p).ok_or_else(|| {
                    OutputError::invalid(
                        self.file.path(),
                        format!("run {run} is beyond the last point"),
                    )
                })?;
                (p, SummaryBuilder::new(plan))
            }
        };
        Ok(&mut self.current.insert(next).1)
    }

    /// Adds a finished run to its point's summary.
    pub fn add(&mut self, f: &FinishedRun) -> Result<(), OutputError> {
        self.builder(f.spec.run)?.add(f);
        Ok(())
    }

    fn close(&mut self, p: usize, b: &SummaryBuilder) -> Result<(), OutputError> {
        let empty = Vec::new();
        let values = self.values.get(p).unwrap_or(&empty);
        let path = self.file.path().to_path_buf();
        let io = |e| OutputError::io(&path, e);
        let block = summary_block(values, b).map_err(io)?;
        self.file.write_all(&block).map_err(io)?;
        let h = b.headline().map_err(io)?;
        self.failed += h.failed;
        self.results.push(PointResult {
            values: values.clone(),
            ok: h.runs - h.failed,
            met: h.target_met,
            final_p50: h.final_prevalence.p50,
        });
        Ok(())
    }

    /// Writes the last point's block and commits the file.
    pub fn finish(mut self) -> Result<SummaryDone, OutputError> {
        if let Some((p, b)) = self.current.take() {
            self.close(p, &b)?;
        }
        let path = self.file.path().to_path_buf();
        let digest = self.file.commit().map_err(|e| OutputError::io(&path, e))?;
        Ok(SummaryDone {
            digest,
            results: self.results,
            failed: self.failed,
        })
    }
}

/// The tables to read back: `runs.csv`, `timeseries.csv` and, if written, `places.csv`.
pub struct TablePaths {
    pub runs: PathBuf,
    pub timeseries: PathBuf,
    pub places: Option<PathBuf>,
}

/// Runs read back from tables.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBack {
    /// How many runs of the list, from its start, are complete.
    pub done: u64,
    /// Bytes of each table up to the end of those runs' rows.
    pub keep: TableLengths,
}

/// Reads the complete runs of `runs` (in order, from its start) from the tables, with
/// `lead` factor columns, feeding each run's rows into its point's summary. A run is
/// complete when its `runs.csv` row is (its other rows are flushed before it); reading
/// stops at the first run that is not. Rows of another seed or out of order are an error.
/// `None`: a table is missing or has another header, so there is nothing to read.
pub fn read_runs(
    paths: &TablePaths,
    rows: &RowFormatter,
    lead: usize,
    runs: Range<u64>,
    seed: u64,
    sums: &mut PointSummaries,
) -> Result<Option<ReadBack>, OutputError> {
    let (runs_header, ts_header, places_header) = rows.headers();
    let Some(mut run_rows) = RowReader::open(&paths.runs, &runs_header)? else {
        return Ok(None);
    };
    let Some(mut steps) = RowReader::open(&paths.timeseries, &ts_header)? else {
        return Ok(None);
    };
    let mut places = match (&paths.places, places_header) {
        (Some(p), Some(h)) => match RowReader::open(p, &h)? {
            Some(r) => Some(r),
            None => return Ok(None),
        },
        _ => None,
    };
    let (runs_path, ts_path) = (paths.runs.clone(), paths.timeseries.clone());
    let mut scratch = Vec::new();
    let mut next = runs.start;
    while next < runs.end {
        let Some(r) = run_rows.peek()? else { break };
        let run: u64 = field(&runs_path, r, 0)?;
        let row_seed: u64 = field(&runs_path, r, lead + 2)?;
        if run != next || row_seed != seed {
            return Err(OutputError::invalid(
                &runs_path,
                format!(
                    "row of run {run} (seed {row_seed}) does not belong here: expected run \
                     {next} of seed {seed}"
                ),
            ));
        }
        let record = r.clone();
        run_rows.take();
        let ok = record.get(record.len().saturating_sub(1)) == Some("");
        let summary = sums.builder(run)?;
        while steps.next_run()? == Some(run) {
            if ok {
                if let Some(s) = steps.peek()? {
                    add_step_row_at(&ts_path, s, lead, summary, &mut scratch)?;
                }
            }
            steps.take();
        }
        if let Some(p) = &mut places {
            while p.next_run()? == Some(run) {
                p.take();
            }
        }
        add_run_row_at(&runs_path, &record, lead, summary)?;
        next += 1;
    }
    Ok(Some(ReadBack {
        done: next - runs.start,
        keep: TableLengths {
            runs: run_rows.kept(),
            timeseries: steps.kept(),
            places: places.map(|p| p.kept()),
        },
    }))
}
