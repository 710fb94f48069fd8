//! The per-run and per-step result tables, streamed as runs finish: `runs.csv`,
//! `timeseries.csv` and `places.csv`.
//!
//! Each finished run is written and flushed to the operating system before the next, so a
//! killed process loses only the runs in flight. Tables are tidy (one observation a row),
//! the first row names the columns, and floats follow [`super::format`].

use std::collections::BTreeMap;
use std::path::Path;

use super::atomic::AtomicFile;
use super::columns::{practice_names, step_metric_names, step_metric_values};
use super::format::{float, one_line, opt_float, opt_int};
use super::{OutputError, PLACES_CSV, RUNS_CSV, TIMESERIES_CSV};
use crate::plan::Plan;
use crate::runner::FinishedRun;

type Table = csv::Writer<AtomicFile>;

/// The open tables of one experiment.
pub struct RunTables {
    runs: Table,
    timeseries: Table,
    places: Option<Table>,
    n_practices: usize,
    place_names: Vec<String>,
    values: Vec<f64>,
    row: Vec<String>,
}

impl RunTables {
    /// Creates the tables in `dir` and writes their header rows.
    pub fn create(dir: &Path, plan: &Plan) -> Result<RunTables, OutputError> {
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
                "error",
            ]
            .map(String::from),
        );
        let mut ts_header: Vec<String> = ["run", "step", "date"].map(String::from).to_vec();
        ts_header.extend(step_metric_names(&practices));
        let places = if plan.scenario.output.places {
            let header = ["run", "step", "date", "place", "prevalence"].map(String::from);
            Some(open(dir, PLACES_CSV, &header)?)
        } else {
            None
        };
        Ok(RunTables {
            runs: open(dir, RUNS_CSV, &runs_header)?,
            timeseries: open(dir, TIMESERIES_CSV, &ts_header)?,
            places,
            n_practices: practices.len(),
            place_names: plan
                .scenario
                .places
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            values: Vec::new(),
            row: Vec::new(),
        })
    }

    /// Appends one finished run to every table and flushes them.
    pub fn write(&mut self, f: &FinishedRun, seed: u64) -> Result<(), OutputError> {
        let run = f.spec.run.to_string();
        for r in &f.records {
            let (step, date) = (r.step.to_string(), r.date.to_string());
            step_metric_values(r, self.n_practices, &mut self.values);
            self.row.clear();
            self.row.extend([run.clone(), step.clone(), date.clone()]);
            self.row.extend(self.values.iter().map(|&v| float(v)));
            write_row(&mut self.timeseries, &self.row)?;
            if let Some(places) = &mut self.places {
                for (i, name) in self.place_names.iter().enumerate() {
                    let p = r.place_prevalence.get(i).copied().unwrap_or(f64::NAN);
                    let row = [&run, &step, &date, name, &float(p)];
                    write_row(places, row)?;
                }
            }
        }
        self.row.clear();
        self.row
            .extend([run, f.spec.replicate.to_string(), seed.to_string()]);
        match &f.outcome {
            Ok(o) => {
                self.row.extend([
                    float(o.baseline_prevalence),
                    float(o.final_prevalence),
                    float(o.relative_reduction),
                    o.target_met.to_string(),
                    opt_int(o.target_year_reached),
                ]);
                self.row
                    .extend((0..self.n_practices).map(|i| opt_int(o.final_adopters.get(i))));
                self.row.extend([
                    o.active_improvers.to_string(),
                    float(o.mean_commitment),
                    o.members.to_string(),
                    opt_float(o.fit_rmse),
                    String::new(),
                ]);
            }
            Err(e) => {
                let empty = 5 + self.n_practices + 4;
                self.row.extend(std::iter::repeat_n(String::new(), empty));
                self.row.push(one_line(&e.to_string()));
            }
        }
        write_row(&mut self.runs, &self.row)?;
        for t in self.tables() {
            flush(t)?;
        }
        Ok(())
    }

    fn tables(&mut self) -> impl Iterator<Item = &mut Table> {
        [
            Some(&mut self.runs),
            Some(&mut self.timeseries),
            self.places.as_mut(),
        ]
        .into_iter()
        .flatten()
    }

    /// Commits every table; returns each file's name and SHA-256.
    pub fn commit(self) -> Result<BTreeMap<String, String>, OutputError> {
        let mut digests = BTreeMap::new();
        for t in [Some(self.runs), Some(self.timeseries), self.places]
            .into_iter()
            .flatten()
        {
            let file = t
                .into_inner()
                .map_err(|e| OutputError::io(Path::new("result table"), e.into_error()))?;
            let path = file.path().to_path_buf();
            let digest = file.commit().map_err(|e| OutputError::io(&path, e))?;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            digests.insert(name.into_owned(), digest);
        }
        Ok(digests)
    }
}

fn open(dir: &Path, name: &str, header: &[String]) -> Result<Table, OutputError> {
    let path = dir.join(name);
    let file = AtomicFile::create(&path).map_err(|e| OutputError::io(&path, e))?;
    let mut t = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(file);
    write_row(&mut t, header)?;
    Ok(t)
}

fn write_row<I, T>(t: &mut Table, row: I) -> Result<(), OutputError>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    t.write_record(row)
        .map_err(|e| OutputError::io(t.get_ref().path(), std::io::Error::other(e)))
}

fn flush(t: &mut Table) -> Result<(), OutputError> {
    t.flush()
        .map_err(|e| OutputError::io(t.get_ref().path(), e))
}
