//! The per-run and per-step result tables, streamed as runs finish: `runs.csv`,
//! `timeseries.csv` and `places.csv`.
//!
//! Formatting and appending are apart: [`RowFormatter`] turns a finished run into its CSV
//! bytes on the worker thread that ran it (in parallel), and [`RunTables`] appends those
//! bytes in run order and flushes them to the operating system, so a killed process loses
//! only the runs in flight. Tables are tidy (one observation a row), the first row names
//! the columns, and floats follow [`super::format`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::atomic::AtomicFile;
use super::columns::{practice_names, step_metric_names, step_metric_values};
use super::format::{float, one_line, opt_float, opt_int};
use super::{OutputError, PLACES_CSV, RUNS_CSV, TIMESERIES_CSV};
use crate::plan::Plan;
use crate::runner::FinishedRun;

/// The CSV bytes of one run, one buffer per table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRows {
    pub runs: Vec<u8>,
    pub timeseries: Vec<u8>,
    pub places: Vec<u8>,
}

/// How many leading bytes of each table's `.partial` to keep when resuming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableLengths {
    pub runs: u64,
    pub timeseries: u64,
    /// `None`: no places table to continue.
    pub places: Option<u64>,
}

/// Turns finished runs of one plan into CSV rows; shared by all worker threads.
#[derive(Debug, Clone)]
pub struct RowFormatter {
    seed: u64,
    n_practices: usize,
    place_names: Vec<String>,
    places: bool,
    runs_header: Vec<String>,
    timeseries_header: Vec<String>,
    places_header: Vec<String>,
}

const PLACES_HEADER: [&str; 5] = ["run", "step", "date", "place", "prevalence"];

impl RowFormatter {
    pub fn new(plan: &Plan) -> RowFormatter {
        let practices = practice_names(plan);
        let mut runs_header: Vec<String> = [
            "run",
            "replicate",
            "seed",
            "baseline_prevalence",
            "final_prevalence",
            "relative_reduction",
            "target_met",
            "target_year_reached",
        ]
        .map(String::from)
        .to_vec();
        runs_header.extend(practices.iter().map(|p| format!("final_adopters_{p}")));
        runs_header.extend(
            [
                "active_improvers",
                "mean_commitment",
                "members",
                "fit_rmse",
                "total_cost",
                "cost_per_point",
                "error",
            ]
            .map(String::from),
        );
        let mut timeseries_header: Vec<String> = ["run", "step", "date"].map(String::from).to_vec();
        timeseries_header.extend(step_metric_names(&practices));
        RowFormatter {
            places_header: PLACES_HEADER.map(String::from).to_vec(),
            seed: plan.scenario.seed,
            n_practices: practices.len(),
            place_names: plan
                .scenario
                .places
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            places: plan.scenario.output.places,
            runs_header,
            timeseries_header,
        }
    }

    /// Adds factor columns (a sweep's varied paths, a comparison's arm) after `run` in
    /// every table; their values are given to [`RowFormatter::format_point`].
    pub fn with_factors(mut self, names: &[String]) -> RowFormatter {
        for h in [
            &mut self.runs_header,
            &mut self.timeseries_header,
            &mut self.places_header,
        ] {
            for (i, n) in names.iter().enumerate() {
                h.insert(1 + i, n.clone());
            }
        }
        self
    }

    /// Header rows of `runs.csv`, `timeseries.csv` and `places.csv` (if written), as bytes.
    pub fn headers(&self) -> (Vec<u8>, Vec<u8>, Option<Vec<u8>>) {
        let line = |h: &[String]| {
            let mut b = csv_buffer();
            put(&mut b, h);
            bytes(b)
        };
        let places = self.places.then(|| {
            let mut b = csv_buffer();
            put(&mut b, &self.places_header);
            bytes(b)
        });
        (
            line(&self.runs_header),
            line(&self.timeseries_header),
            places,
        )
    }

    /// The rows of one finished run in every table.
    pub fn format(&self, f: &FinishedRun) -> RunRows {
        self.format_point(f, &[])
    }

    /// The rows of one finished run with the values of its factor columns.
    pub fn format_point(&self, f: &FinishedRun, factors: &[String]) -> RunRows {
        let (mut timeseries, mut places) = (csv_buffer(), csv_buffer());
        // `run` and the factor values lead every row.
        let mut lead = vec![f.spec.run.to_string()];
        lead.extend(factors.iter().cloned());
        let mut values = Vec::new();
        let mut row: Vec<String> = Vec::new();
        for r in &f.records {
            let (step, date) = (r.step.to_string(), r.date.to_string());
            step_metric_values(r, self.n_practices, &mut values);
            row.clear();
            row.extend(lead.iter().cloned());
            row.extend([step.clone(), date.clone()]);
            row.extend(values.iter().map(|&v| float(v)));
            put(&mut timeseries, &row);
            if self.places {
                for (i, name) in self.place_names.iter().enumerate() {
                    let p = r.place_prevalence.get(i).copied().unwrap_or(f64::NAN);
                    let tail = [step.clone(), date.clone(), name.clone(), float(p)];
                    put(&mut places, lead.iter().chain(&tail));
                }
            }
        }
        row.clear();
        let n_lead = lead.len();
        row.extend(lead);
        row.extend([f.spec.replicate.to_string(), self.seed.to_string()]);
        match &f.outcome {
            Ok(o) => {
                row.extend([
                    float(o.baseline_prevalence),
                    float(o.final_prevalence),
                    float(o.relative_reduction),
                    o.target_met.to_string(),
                    opt_int(o.target_year_reached),
                ]);
                row.extend((0..self.n_practices).map(|i| opt_int(o.final_adopters.get(i))));
                row.extend([
                    o.active_improvers.to_string(),
                    float(o.mean_commitment),
                    o.members.to_string(),
                    opt_float(o.fit_rmse),
                    float(o.total_cost),
                    opt_float(super::columns::cost_per_point(o)),
                    String::new(),
                ]);
            }
            Err(e) => {
                let empty = self.runs_header.len() - 3 - n_lead;
                row.extend(std::iter::repeat_n(String::new(), empty));
                row.push(one_line(&e.to_string()));
            }
        }
        let mut runs = csv_buffer();
        put(&mut runs, &row);
        RunRows {
            runs: bytes(runs),
            timeseries: bytes(timeseries),
            places: bytes(places),
        }
    }
}

type Buffer = csv::Writer<Vec<u8>>;

fn csv_buffer() -> Buffer {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// Writing CSV into memory cannot fail: the only errors are the writer's I/O errors.
fn put<I, T>(b: &mut Buffer, row: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let _ = b.write_record(row);
}

fn bytes(b: Buffer) -> Vec<u8> {
    b.into_inner().unwrap_or_default()
}

/// The open tables of one experiment.
pub struct RunTables {
    runs: AtomicFile,
    timeseries: AtomicFile,
    places: Option<AtomicFile>,
}

impl RunTables {
    /// Creates the tables in `dir` and writes their header rows.
    pub fn create(dir: &Path, rows: &RowFormatter) -> Result<RunTables, OutputError> {
        let places = if rows.places {
            Some(open(dir, PLACES_CSV, &rows.places_header)?)
        } else {
            None
        };
        Ok(RunTables {
            runs: open(dir, RUNS_CSV, &rows.runs_header)?,
            timeseries: open(dir, TIMESERIES_CSV, &rows.timeseries_header)?,
            places,
        })
    }

    /// Continues interrupted tables in `dir`, keeping the given leading bytes of each
    /// `.partial` (see [`crate::experiment::resume`]).
    pub fn resume(
        dir: &Path,
        rows: &RowFormatter,
        keep: &TableLengths,
    ) -> Result<RunTables, OutputError> {
        let reopen = |name: &str, n: u64| {
            let path = dir.join(name);
            AtomicFile::resume(&path, n).map_err(|e| OutputError::io(&path, e))
        };
        let places = match (rows.places, keep.places) {
            (true, Some(n)) => Some(reopen(PLACES_CSV, n)?),
            (true, None) => Some(open(dir, PLACES_CSV, &rows.places_header)?),
            (false, _) => None,
        };
        Ok(RunTables {
            runs: reopen(RUNS_CSV, keep.runs)?,
            timeseries: reopen(TIMESERIES_CSV, keep.timeseries)?,
            places,
        })
    }

    /// Appends one run's rows to every table and flushes them.
    ///
    /// `runs.csv` comes last: a complete row there means the run's rows in the other
    /// tables were flushed before it, which is what resuming relies on.
    pub fn append(&mut self, rows: &RunRows) -> Result<(), OutputError> {
        self.append_bytes(&rows.timeseries, &rows.places, &rows.runs)
    }

    /// Appends raw rows (timeseries, places, runs) and flushes them.
    pub fn append_bytes(
        &mut self,
        timeseries: &[u8],
        places: &[u8],
        runs: &[u8],
    ) -> Result<(), OutputError> {
        append(&mut self.timeseries, timeseries)?;
        if let Some(p) = &mut self.places {
            append(p, places)?;
        }
        append(&mut self.runs, runs)
    }

    /// Commits every table; returns each file's name and SHA-256.
    pub fn commit(self) -> Result<BTreeMap<String, String>, OutputError> {
        let mut digests = BTreeMap::new();
        for file in [Some(self.runs), Some(self.timeseries), self.places]
            .into_iter()
            .flatten()
        {
            let path = file.path().to_path_buf();
            let digest = file.commit().map_err(|e| OutputError::io(&path, e))?;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            digests.insert(name.into_owned(), digest);
        }
        Ok(digests)
    }
}

fn open<T: AsRef<[u8]>>(dir: &Path, name: &str, header: &[T]) -> Result<AtomicFile, OutputError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path).map_err(|e| OutputError::io(&path, e))?;
    let mut b = csv_buffer();
    put(&mut b, header);
    append(&mut file, &bytes(b))?;
    Ok(file)
}

fn append(file: &mut AtomicFile, bytes: &[u8]) -> Result<(), OutputError> {
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| OutputError::io(file.path(), e))
}
