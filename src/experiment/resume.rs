//! `--resume`: continue an interrupted result folder from the runs it already holds.
//!
//! Each finished run's rows are flushed to the tables' `.partial` files, `runs.csv` last,
//! so a complete `runs.csv` row means the run's other rows are complete too. Resuming keeps
//! the leading complete rows of runs that are in `runs.csv`, cuts everything after them
//! (a torn row, rows of a run in flight), feeds the kept rows back into the summary (which
//! needs every replicate's values) and runs the rest. `resume.json` in the folder records
//! what was being run, so a folder is never continued with another scenario, seed or slice.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::tables::{add_run_row, add_step_row, field, scan, Next};
use super::Shard;
use crate::output::atomic::partial_path;
use crate::output::streams::{RowFormatter, TableLengths};
use crate::output::summary::SummaryBuilder;
use crate::output::{OutputError, PLACES_CSV, RUNS_CSV, TIMESERIES_CSV};

/// File recording what an unfinished folder is running; removed when the folder is done.
pub const RESUME_JSON: &str = "resume.json";

/// What an unfinished folder is running; a resume must match it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub version: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replicates: u32,
    pub overrides: Vec<String>,
    pub shard: Option<Shard>,
}

impl Identity {
    /// Writes `dir/resume.json` (plain write: it only guards a later resume).
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(RESUME_JSON);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| OutputError::invalid(&path, e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| OutputError::io(&path, e))
    }

    /// Checks that `dir/resume.json` records this identity; `Ok(false)` if there is none.
    pub fn matches(&self, dir: &Path) -> Result<bool, OutputError> {
        let path = dir.join(RESUME_JSON);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(false);
        };
        let found: Identity = serde_json::from_str(&text).map_err(|e| {
            OutputError::invalid(&path, format!("not a changenet resume record: {e}"))
        })?;
        if &found != self {
            return Err(OutputError::invalid(
                &path,
                "the folder holds an unfinished run of another scenario, seed, replicates, \
                 overrides, shard or version; resume with the same arguments, or drop --resume \
                 to start again",
            ));
        }
        Ok(true)
    }

    /// Removes `dir/resume.json` once the folder is complete.
    pub fn remove(dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(RESUME_JSON);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::io(&path, e)),
            _ => Ok(()),
        }
    }
}

/// The runs already finished in a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    /// How many runs of the list, from its start, are done.
    pub done: u64,
    pub keep: TableLengths,
}

/// Reads the `.partial` tables of `dir` for runs `runs` (run index = position in the
/// experiment) written with `seed`; adds the finished runs to `summary`. `None`: nothing
/// to resume (no tables, or not even a header), so start afresh.
pub fn scan_partial(
    dir: &Path,
    rows: &RowFormatter,
    runs: Range<u64>,
    seed: u64,
    summary: &mut SummaryBuilder,
) -> Result<Option<Resumed>, OutputError> {
    let (runs_header, ts_header, places_header) = rows.headers();
    let runs_path = partial_path(&dir.join(RUNS_CSV));
    let mut ok = Vec::new();
    let runs_len = scan(&runs_path, &runs_header, |r| {
        let run: u64 = field(&runs_path, r, 0)?;
        let row_seed: u64 = field(&runs_path, r, 2)?;
        if run != runs.start + ok.len() as u64 || run >= runs.end || row_seed != seed {
            return Err(OutputError::invalid(
                &runs_path,
                format!("row of run {run} (seed {row_seed}) does not belong here: expected run {} of seed {seed}", runs.start + ok.len() as u64),
            ));
        }
        ok.push(add_run_row(&runs_path, r, summary)?);
        Ok(Next::Continue)
    })?;
    let Some(runs_len) = runs_len else {
        return Ok(None);
    };
    let end = runs.start + ok.len() as u64;
    let missing = |path: &Path| {
        OutputError::invalid(
            path,
            "missing or without its header, though runs.csv.partial has finished runs",
        )
    };
    let ts_path = partial_path(&dir.join(TIMESERIES_CSV));
    let mut scratch = Vec::new();
    let ts_len = scan(&ts_path, &ts_header, |r| {
        let run: u64 = field(&ts_path, r, 0)?;
        if run < runs.start || run >= end {
            return Ok(Next::Stop);
        }
        if ok[(run - runs.start) as usize] {
            add_step_row(&ts_path, r, summary, &mut scratch)?;
        }
        Ok(Next::Continue)
    })?;
    let ts_len = match ts_len {
        Some(n) => n,
        None if ok.is_empty() => return Ok(None),
        None => return Err(missing(&ts_path)),
    };
    let places = match places_header {
        None => None,
        Some(h) => {
            let path = partial_path(&dir.join(PLACES_CSV));
            let n = scan(&path, &h, |r| {
                let run: u64 = field(&path, r, 0)?;
                Ok(if run >= runs.start && run < end {
                    Next::Continue
                } else {
                    Next::Stop
                })
            })?;
            match n {
                None if ok.is_empty() => return Ok(None),
                None => return Err(missing(&path)),
                n => n,
            }
        }
    };
    Ok(Some(Resumed {
        done: ok.len() as u64,
        keep: TableLengths {
            runs: runs_len,
            timeseries: ts_len,
            places,
        },
    }))
}
