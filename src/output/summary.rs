//! Statistics across replicates: `summary.csv` and the headline of a run.
//!
//! `summary.csv` is long: one row per metric and reported date with columns
//! `metric,date,n,mean,sd,p5,p50,p95,ci_low,ci_high`. Reported dates are the observed steps
//! whose elapsed months are a multiple of `output.summary_every_months`, and the last step.
//! Then come the per-run metrics (empty date), then `target_met` (mean = probability of
//! meeting the target, with its 95% Wilson interval in `ci_low`/`ci_high`) and
//! `target_year_reached` (statistics over the runs that reached the target; `n` says how
//! many). Statistics: `sd` is the sample standard deviation (n - 1); percentiles
//! interpolate linearly between order statistics (R type 7, numpy's default). Failed runs
//! are left out. Sums run in run order, so results do not depend on thread count.

use std::collections::BTreeMap;
use std::path::Path;

use super::atomic::AtomicFile;
use super::columns::{
    practice_names, run_metric_values, step_metric_names, step_metric_values, RUN_METRICS,
};
use super::format::opt_float;
use super::spill::Columns;
use super::{OutputError, SUMMARY_CSV};
use crate::plan::Plan;
use crate::runner::FinishedRun;
use crate::scenario::YearMonth;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Descriptive statistics of one metric at one date.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

impl Stats {
    /// Statistics of `values` (in run order).
    pub fn of(values: &[f64]) -> Stats {
        let n = values.len();
        if n == 0 {
            return Stats::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (n > 1).then(|| {
            let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (ss / (n - 1) as f64).sqrt()
        });
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Stats {
            n: n as u64,
            mean: Some(mean),
            sd,
            p5: Some(percentile(&sorted, 0.05)),
            p50: Some(percentile(&sorted, 0.5)),
            p95: Some(percentile(&sorted, 0.95)),
        }
    }
}

/// Percentile `q` (0..1) of sorted, non-empty values by linear interpolation (R type 7).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The 95% Wilson score interval of `k` successes in `n` trials; `None` when `n` is 0.
pub fn wilson95(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (n, p) = (n as f64, k as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub metric: String,
    /// Reported date; `None` for per-run metrics.
    pub date: Option<YearMonth>,
    pub stats: Stats,
    pub ci: Option<(f64, f64)>,
}

/// What the end of a run prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub runs: u64,
    pub failed: u64,
    pub target_met: u64,
    pub target_ci: Option<(f64, f64)>,
    pub year_reached: Stats,
    pub final_date: Option<YearMonth>,
    pub final_prevalence: Stats,
    pub relative_reduction: Stats,
}

/// Collects the values that the summary needs as runs finish: only reported steps are kept,
/// in [`Columns`] that move to a temporary file past a few thousand runs, so memory does
/// not grow with the number of runs.
pub struct SummaryBuilder {
    step_metrics: Vec<String>,
    n_practices: usize,
    step_months: u32,
    every_months: u32,
    last_step: u32,
    /// Per reported step: its date and the column of each metric (values in run order).
    steps: BTreeMap<u32, (YearMonth, Vec<usize>)>,
    run_values: Vec<usize>,
    years: usize,
    columns: Columns,
    met: u64,
    ok: u64,
    failed: u64,
    scratch: Vec<f64>,
}

impl SummaryBuilder {
    pub fn new(plan: &Plan) -> SummaryBuilder {
        let mut columns = Columns::new();
        SummaryBuilder {
            step_metrics: step_metric_names(&practice_names(plan)),
            n_practices: plan.scenario.practices.len(),
            step_months: plan.scenario.calendar.step_months,
            every_months: plan.scenario.output.summary_every_months,
            last_step: plan.steps,
            steps: BTreeMap::new(),
            run_values: (0..RUN_METRICS.len())
                .map(|_| columns.add_column())
                .collect(),
            years: columns.add_column(),
            columns,
            met: 0,
            ok: 0,
            failed: 0,
            scratch: Vec::new(),
        }
    }

    /// Whether `step` is one the summary reports (other steps' values are not kept).
    pub fn reports(&self, step: u32) -> bool {
        self.reported(step)
    }

    fn reported(&self, step: u32) -> bool {
        let months = step as u64 * self.step_months as u64;
        step == self.last_step
            || (self.every_months > 0 && months.is_multiple_of(self.every_months as u64))
    }

    /// Adds a finished run; failed runs are only counted.
    pub fn add(&mut self, f: &FinishedRun) {
        let Ok(outcome) = &f.outcome else {
            self.add_failed();
            return;
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        for r in &f.records {
            if !self.reported(r.step) {
                continue;
            }
            step_metric_values(r, self.n_practices, &mut scratch);
            self.add_step(r.step, r.date, &scratch);
        }
        self.scratch = scratch;
        self.add_run(
            run_metric_values(outcome),
            outcome.target_met,
            outcome.target_year_reached,
        );
    }

    /// Counts a failed run.
    pub fn add_failed(&mut self) {
        self.failed += 1;
    }

    /// Adds the per-step metric values (in [`step_metric_names`] order) of a successful run
    /// at `step`; ignored unless the step is reported. Steps of one run must be added before
    /// its [`SummaryBuilder::add_run`], runs in run order.
    pub fn add_step(&mut self, step: u32, date: YearMonth, values: &[f64]) {
        if !self.reported(step) {
            return;
        }
        let n = values.len();
        let store = &mut self.columns;
        let (_, columns) = self
            .steps
            .entry(step)
            .or_insert_with(|| (date, (0..n).map(|_| store.add_column()).collect()));
        for (&col, &v) in columns.iter().zip(values) {
            self.columns.push(col, v);
        }
    }

    /// Adds the per-run results of a successful run ([`RUN_METRICS`] order).
    pub fn add_run(
        &mut self,
        values: [Option<f64>; RUN_METRICS.len()],
        target_met: bool,
        year: Option<i32>,
    ) {
        self.ok += 1;
        for (&col, v) in self.run_values.iter().zip(values) {
            if let Some(v) = v {
                self.columns.push(col, v);
            }
        }
        self.met += target_met as u64;
        if let Some(y) = year {
            self.columns.push(self.years, y as f64);
        }
    }

    /// Statistics of one column (an error only if its spilled values cannot be read back).
    fn stats(&self, col: Option<usize>) -> std::io::Result<Stats> {
        match col {
            Some(c) => Ok(Stats::of(&self.columns.values(c)?)),
            None => Ok(Stats::default()),
        }
    }

    /// The rows of `summary.csv`, in file order.
    pub fn rows(&self) -> std::io::Result<Vec<SummaryRow>> {
        let mut rows = Vec::new();
        for (m, metric) in self.step_metrics.iter().enumerate() {
            for (date, columns) in self.steps.values() {
                rows.push(SummaryRow {
                    metric: metric.clone(),
                    date: Some(*date),
                    stats: self.stats(columns.get(m).copied())?,
                    ci: None,
                });
            }
        }
        for (metric, &col) in RUN_METRICS.iter().zip(&self.run_values) {
            rows.push(SummaryRow {
                metric: metric.to_string(),
                date: None,
                stats: self.stats(Some(col))?,
                ci: None,
            });
        }
        rows.push(SummaryRow {
            metric: "target_met".into(),
            date: None,
            stats: Stats {
                n: self.ok,
                mean: (self.ok > 0).then(|| self.met as f64 / self.ok as f64),
                ..Stats::default()
            },
            ci: wilson95(self.met, self.ok),
        });
        rows.push(SummaryRow {
            metric: "target_year_reached".into(),
            date: None,
            stats: self.stats(Some(self.years))?,
            ci: None,
        });
        Ok(rows)
    }

    /// The headline figures of the run.
    pub fn headline(&self) -> std::io::Result<Headline> {
        let column = |name: &str| {
            RUN_METRICS
                .iter()
                .position(|m| *m == name)
                .and_then(|i| self.run_values.get(i).copied())
        };
        Ok(Headline {
            runs: self.ok + self.failed,
            failed: self.failed,
            target_met: self.met,
            target_ci: wilson95(self.met, self.ok),
            year_reached: self.stats(Some(self.years))?,
            final_date: self.steps.values().next_back().map(|(d, _)| *d),
            final_prevalence: self.stats(column("final_prevalence"))?,
            relative_reduction: self.stats(column("relative_reduction"))?,
        })
    }

    /// Writes `summary.csv` into `dir`; returns its SHA-256.
    pub fn write(&self, dir: &Path) -> Result<String, OutputError> {
        write_summaries(dir, &[], &[(&[], self)])
    }
}

/// Writes `summary.csv` for several plans (sweep points, arms): one block of rows per plan,
/// led by its values of the `factors` columns.
pub fn write_summaries(
    dir: &Path,
    factors: &[String],
    parts: &[(&[String], &SummaryBuilder)],
) -> Result<String, OutputError> {
    use std::io::Write;
    let path = dir.join(SUMMARY_CSV);
    let io = |e| OutputError::io(&path, e);
    let mut file = AtomicFile::create(&path).map_err(io)?;
    file.write_all(&summary_header(factors)).map_err(io)?;
    for (lead, builder) in parts {
        file.write_all(&summary_block(lead, builder).map_err(io)?)
            .map_err(io)?;
    }
    file.commit().map_err(io)
}

/// The header row of `summary.csv` with `factors` columns first.
pub fn summary_header(factors: &[String]) -> Vec<u8> {
    let mut header: Vec<String> = factors.to_vec();
    header.extend(
        [
            "metric", "date", "n", "mean", "sd", "p5", "p50", "p95", "ci_low", "ci_high",
        ]
        .map(String::from),
    );
    let mut t = csv_writer();
    let _ = t.write_record(&header);
    t.into_inner().unwrap_or_default()
}

/// The rows of `summary.csv` for one plan, led by its factor values `lead`; a sweep writes
/// one such block per point as the point finishes.
pub fn summary_block(lead: &[String], builder: &SummaryBuilder) -> std::io::Result<Vec<u8>> {
    let mut t = csv_writer();
    for r in builder.rows()? {
        let s = &r.stats;
        let mut row: Vec<String> = lead.to_vec();
        row.extend([
            r.metric,
            r.date.map(|d| d.to_string()).unwrap_or_default(),
            s.n.to_string(),
            opt_float(s.mean),
            opt_float(s.sd),
            opt_float(s.p5),
            opt_float(s.p50),
            opt_float(s.p95),
            opt_float(r.ci.map(|c| c.0)),
            opt_float(r.ci.map(|c| c.1)),
        ]);
        // Writing into memory cannot fail.
        let _ = t.write_record(&row);
    }
    Ok(t.into_inner().unwrap_or_default())
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// Formats a float for a person (not for files): 4 significant decimals.
pub fn brief(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.4}")).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_by_hand() {
        let s = Stats::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, Some(2.5));
        // Sample variance: (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3.
        assert_eq!(s.sd, Some((5.0f64 / 3.0).sqrt()));
        // Type 7: h = 3 * 0.05 = 0.15 -> 1 + 0.15 * (2 - 1).
        assert_eq!(s.p5, Some(1.15));
        assert_eq!(s.p50, Some(2.5));
        // h = 3 * 0.95 is 2.8499999999999996 in binary, as numpy.percentile also gets.
        assert_eq!(s.p95, Some(3.8499999999999996));
        let one = Stats::of(&[7.0]);
        assert_eq!((one.mean, one.sd, one.p95), (Some(7.0), None, Some(7.0)));
        assert_eq!(Stats::of(&[]), Stats::default());
    }

    #[test]
    fn statistics_are_exact_when_the_values_outgrow_memory() {
        // More runs than a column keeps in memory: values go through the temporary file.
        let plan = crate::runner::toy::toy_plan(1);
        let mut b = SummaryBuilder::new(&plan);
        let n = 2 * crate::output::spill::CHUNK + 5;
        let value = |i: usize| ((i * 7919) % 1000) as f64 / 997.0;
        for i in 0..n {
            let mut v = [Some(0.25); RUN_METRICS.len()];
            v[1] = Some(value(i));
            b.add_run(v, i % 3 == 0, (i % 2 == 0).then_some(2020 + (i % 5) as i32));
        }
        let all: Vec<f64> = (0..n).map(value).collect();
        let rows = b.rows().unwrap();
        let row = rows.iter().find(|r| r.metric == RUN_METRICS[1]).unwrap();
        assert_eq!(row.stats, Stats::of(&all));
        let years: Vec<f64> = (0..n)
            .filter(|i| i % 2 == 0)
            .map(|i| (2020 + i % 5) as f64)
            .collect();
        assert_eq!(b.headline().unwrap().year_reached, Stats::of(&years));
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Table I: 81 of 263 -> 0.2553 to 0.3662; 15 of 148 -> 0.0624 to 0.1605.
        let (lo, hi) = wilson95(81, 263).unwrap();
        assert_eq!(
            (format!("{lo:.4}"), format!("{hi:.4}")),
            ("0.2553".into(), "0.3662".into())
        );
        let (lo, hi) = wilson95(15, 148).unwrap();
        assert_eq!(
            (format!("{lo:.4}"), format!("{hi:.4}")),
            ("0.0624".into(), "0.1605".into())
        );
        // 0 of 20 -> 0 to 0.1611 (same table).
        let (lo, hi) = wilson95(0, 20).unwrap();
        assert_eq!((lo, format!("{hi:.4}")), (0.0, "0.1611".into()));
        assert_eq!(wilson95(0, 0), None);
    }
}
