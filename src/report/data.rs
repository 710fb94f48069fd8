//! Reading a result folder for a report: the time series (kept per step, across runs) and
//! the summary rows, from the files alone (never from the model), so reports can be made
//! from folders written on another machine.

use std::collections::BTreeMap;
use std::path::Path;

use crate::output::{OutputError, SUMMARY_CSV, TIMESERIES_CSV};
use crate::scenario::date::YearMonth;

/// `timeseries.csv`, grouped by observed step.
#[derive(Debug, Clone, Default)]
pub struct TimeSeries {
    pub columns: Vec<String>,
    /// Step -> (month index of its date, one row of values per run that reached it).
    pub steps: BTreeMap<u64, (i64, Vec<Vec<f64>>)>,
}

impl TimeSeries {
    pub fn read(dir: &Path) -> Result<TimeSeries, OutputError> {
        let path = dir.join(TIMESERIES_CSV);
        let bad = |m: String| OutputError::invalid(&path, m);
        let (mut reader, header) = open_table(&path)?;
        let find = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                bad(format!(
                    "no {name} column; is this a changenet time series?"
                ))
            })
        };
        let (step_col, date_col) = (find("step")?, find("date")?);
        let first = find("prevalence")?;
        let columns = header[first..].to_vec();
        let mut steps: BTreeMap<u64, (i64, Vec<Vec<f64>>)> = BTreeMap::new();
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| bad(e.to_string()))?;
            let at = |m: String| bad(format!("line {}: {m}", line + 2));
            let field = |i: usize| record.get(i).unwrap_or("");
            let step: u64 = field(step_col)
                .parse()
                .map_err(|_| at(format!("step {:?} is not a whole number", field(step_col))))?;
            let month = YearMonth::parse(field(date_col)).map_err(at)?.index();
            let values = (first..header.len())
                .map(|i| field(i).parse::<f64>().unwrap_or(f64::NAN))
                .collect();
            steps
                .entry(step)
                .or_insert((month, Vec::new()))
                .1
                .push(values);
        }
        Ok(TimeSeries { columns, steps })
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    /// Months of the steps, in step order.
    pub fn months(&self) -> Vec<i64> {
        self.steps.values().map(|(m, _)| *m).collect()
    }

    /// For each step, the given quantiles of `column` across runs (NaN where no run has a
    /// value); one vector per quantile.
    pub fn quantiles(&self, column: &str, qs: &[f64]) -> Vec<Vec<f64>> {
        let Some(col) = self.columns.iter().position(|c| c == column) else {
            return vec![Vec::new(); qs.len()];
        };
        let mut out = vec![Vec::with_capacity(self.steps.len()); qs.len()];
        for (_, rows) in self.steps.values() {
            let mut v: Vec<f64> = rows
                .iter()
                .filter_map(|r| r.get(col).copied())
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            for (q, o) in qs.iter().zip(out.iter_mut()) {
                o.push(quantile(&v, *q));
            }
        }
        out
    }
}

/// Linear-interpolation quantile of sorted values (R type 7, numpy's default); NaN if empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// One row of `summary.csv`, fields kept as written (so the report quotes them exactly).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SummaryRow {
    pub metric: String,
    pub date: String,
    pub n: String,
    pub mean: String,
    pub sd: String,
    pub p5: String,
    pub p50: String,
    pub p95: String,
    pub ci_low: String,
    pub ci_high: String,
}

/// `summary.csv` of any result folder: the factor columns that lead each row (none for a
/// run; the varied fields of a sweep; `arm` for a comparison) and the rows with their values.
#[derive(Debug, Clone, Default)]
pub struct SummaryTable {
    pub factors: Vec<String>,
    pub rows: Vec<(Vec<String>, SummaryRow)>,
}

const SUMMARY_COLUMNS: &str = "metric,date,n,mean,sd,p5,p50,p95,ci_low,ci_high";

/// Reads `summary.csv` with any factor columns before `metric`.
pub fn read_summary_table(dir: &Path) -> Result<SummaryTable, OutputError> {
    let path = dir.join(SUMMARY_CSV);
    let bad = |m: String| OutputError::invalid(&path, m);
    let (mut reader, header) = open_table(&path)?;
    let lead = header.iter().position(|h| h == "metric").unwrap_or(0);
    if header[lead..].join(",") != SUMMARY_COLUMNS {
        return Err(bad(format!(
            "columns are {:?}, expected {SUMMARY_COLUMNS} (after any factor columns)",
            header.join(",")
        )));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| bad(e.to_string()))?;
        let f = |i: usize| r.get(lead + i).unwrap_or("").to_string();
        let values = (0..lead)
            .map(|i| r.get(i).unwrap_or("").to_string())
            .collect();
        rows.push((
            values,
            SummaryRow {
                metric: f(0),
                date: f(1),
                n: f(2),
                mean: f(3),
                sd: f(4),
                p5: f(5),
                p50: f(6),
                p95: f(7),
                ci_low: f(8),
                ci_high: f(9),
            },
        ));
    }
    Ok(SummaryTable {
        factors: header[..lead].to_vec(),
        rows,
    })
}

/// Opens a result table and reads its header; errors name the file.
pub(crate) fn open_table(
    path: &Path,
) -> Result<(csv::Reader<std::fs::File>, Vec<String>), OutputError> {
    let bad = |e: csv::Error| OutputError::invalid(path, e.to_string());
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let header = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((reader, header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.05), 1.15);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
