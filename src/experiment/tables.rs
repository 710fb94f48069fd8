//! Reading result tables back: complete rows only, and the summary values they hold.
//!
//! Used when resuming (the `.partial` files of an interrupted run) and when merging shard
//! folders. A row counts only if it ends with a newline, so a row torn by a kill is ignored
//! (and cut off by the caller). Fields are never multi-line: error messages are written on
//! one line, so a line is a row.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::output::summary::SummaryBuilder;
use crate::output::OutputError;
use crate::scenario::YearMonth;

/// What to do after a row.
pub enum Next {
    Continue,
    /// Stop before this row (it is not counted).
    Stop,
}

/// Calls `row` with the fields of each complete row of `path` after the header; returns the
/// byte length of the header and the rows accepted, or `None` if the file is absent or its
/// header is missing, torn or not `header`.
pub fn scan(
    path: &Path,
    header: &[u8],
    mut row: impl FnMut(&csv::StringRecord) -> Result<Next, OutputError>,
) -> Result<Option<u64>, OutputError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputError::io(path, e)),
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let io = |e| OutputError::io(path, e);
    reader.read_until(b'\n', &mut line).map_err(io)?;
    if line != header {
        return Ok(None);
    }
    let mut kept = line.len() as u64;
    let mut record = csv::StringRecord::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io)?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_slice());
        match r.read_record(&mut record) {
            Ok(true) => {}
            _ => {
                return Err(OutputError::invalid(
                    path,
                    format!("unreadable row after byte {kept}"),
                ))
            }
        }
        match row(&record)? {
            Next::Continue => kept += n as u64,
            Next::Stop => break,
        }
    }
    Ok(Some(kept))
}

/// Complete rows of a table read one at a time, with one row of look-ahead: how two tables
/// in run order are read side by side (a run's `runs.csv` row with its time-series rows).
pub struct RowReader {
    path: std::path::PathBuf,
    reader: BufReader<File>,
    line: Vec<u8>,
    record: csv::StringRecord,
    /// `record` holds a complete row not yet taken.
    ready: bool,
    /// Bytes of the header and the rows taken.
    kept: u64,
    at_end: bool,
}

impl RowReader {
    /// Opens `path` if it exists and starts with `header`; `None` otherwise.
    pub fn open(path: &Path, header: &[u8]) -> Result<Option<RowReader>, OutputError> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(OutputError::io(path, e)),
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut line = Vec::new();
        reader
            .read_until(b'\n', &mut line)
            .map_err(|e| OutputError::io(path, e))?;
        if line != header {
            return Ok(None);
        }
        Ok(Some(RowReader {
            path: path.to_path_buf(),
            reader,
            kept: line.len() as u64,
            line,
            record: csv::StringRecord::new(),
            ready: false,
            at_end: false,
        }))
    }

    /// The next complete row, without taking it; `None` at the end or at a torn row.
    pub fn peek(&mut self) -> Result<Option<&csv::StringRecord>, OutputError> {
        if !self.ready && !self.at_end {
            self.line.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(|e| OutputError::io(&self.path, e))?;
            if n == 0 || self.line.last() != Some(&b'\n') {
                self.at_end = true;
            } else {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(self.line.as_slice());
                if !matches!(r.read_record(&mut self.record), Ok(true)) {
                    return Err(OutputError::invalid(
                        &self.path,
                        format!("unreadable row after byte {}", self.kept),
                    ));
                }
                self.ready = true;
            }
        }
        Ok(self.ready.then_some(&self.record))
    }

    /// Takes the row [`RowReader::peek`] returned.
    pub fn take(&mut self) {
        if self.ready {
            self.ready = false;
            self.kept += self.line.len() as u64;
        }
    }

    /// The run (first column) of the next complete row, if any.
    pub fn next_run(&mut self) -> Result<Option<u64>, OutputError> {
        let path = self.path.clone();
        match self.peek()? {
            Some(r) => field(&path, r, 0).map(Some),
            None => Ok(None),
        }
    }

    /// Bytes of the header and of the rows taken.
    pub fn kept(&self) -> u64 {
        self.kept
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A field of a row as a number, or an error naming the file and column.
pub fn field<T: std::str::FromStr>(
    path: &Path,
    r: &csv::StringRecord,
    i: usize,
) -> Result<T, OutputError> {
    let text = r.get(i).unwrap_or("");
    text.parse().map_err(|_| {
        OutputError::invalid(
            path,
            format!("column {} holds {text:?}, expected a number", i + 1),
        )
    })
}

fn opt_field<T: std::str::FromStr>(
    path: &Path,
    r: &csv::StringRecord,
    i: usize,
) -> Result<Option<T>, OutputError> {
    match r.get(i) {
        None | Some("") => Ok(None),
        Some(_) => field(path, r, i).map(Some),
    }
}

/// Adds a `runs.csv` row to `summary`; returns whether the run succeeded (empty `error`).
pub fn add_run_row(
    path: &Path,
    r: &csv::StringRecord,
    summary: &mut SummaryBuilder,
) -> Result<bool, OutputError> {
    add_run_row_at(path, r, 0, summary)
}

/// As [`add_run_row`] for a row with `lead` factor columns after `run`.
pub fn add_run_row_at(
    path: &Path,
    r: &csv::StringRecord,
    lead: usize,
    summary: &mut SummaryBuilder,
) -> Result<bool, OutputError> {
    let n = r.len();
    if n < 10 + lead {
        return Err(OutputError::invalid(
            path,
            format!("a row has {n} fields, too few"),
        ));
    }
    if !r.get(n - 1).unwrap_or("").is_empty() {
        summary.add_failed();
        return Ok(false);
    }
    let values = [
        Some(field(path, r, lead + 3)?),
        Some(field(path, r, lead + 4)?),
        Some(field(path, r, lead + 5)?),
        // The row ends `fit_rmse,total_cost,cost_per_point,error`.
        opt_field(path, r, n - 4)?,
        Some(field(path, r, n - 3)?),
        opt_field(path, r, n - 2)?,
    ];
    let met = r.get(lead + 6) == Some("true");
    summary.add_run(values, met, opt_field(path, r, lead + 7)?);
    Ok(true)
}

/// Adds a `timeseries.csv` row (of a successful run) to `summary`.
pub fn add_step_row(
    path: &Path,
    r: &csv::StringRecord,
    summary: &mut SummaryBuilder,
    scratch: &mut Vec<f64>,
) -> Result<(), OutputError> {
    add_step_row_at(path, r, 0, summary, scratch)
}

/// As [`add_step_row`] for a row with `lead` factor columns after `run`; steps the summary
/// does not report are skipped unparsed.
pub fn add_step_row_at(
    path: &Path,
    r: &csv::StringRecord,
    lead: usize,
    summary: &mut SummaryBuilder,
    scratch: &mut Vec<f64>,
) -> Result<(), OutputError> {
    let step: u32 = field(path, r, lead + 1)?;
    if !summary.reports(step) {
        return Ok(());
    }
    let date = YearMonth::parse(r.get(lead + 2).unwrap_or(""))
        .map_err(|e| OutputError::invalid(path, e))?;
    scratch.clear();
    for i in lead + 3..r.len() {
        scratch.push(field(path, r, i)?);
    }
    summary.add_step(step, date, scratch);
    Ok(())
}
