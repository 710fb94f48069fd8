//! The columns of the per-step and per-run tables, defined once so that the CSV writers,
//! the summary and any later reader agree on names and order.

use crate::model::{RunOutcome, StepRecord};
use crate::plan::Plan;

/// Practice names in scenario order.
pub fn practice_names(plan: &Plan) -> Vec<String> {
    plan.scenario
        .practices
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

/// Names of the per-step metrics, in `timeseries.csv` order (after `run,step,date`).
pub fn step_metric_names(practices: &[String]) -> Vec<String> {
    let mut names = vec!["prevalence".to_string(), "inactive".to_string()];
    for state in ["trialling", "embedded", "discontinued"] {
        names.extend(practices.iter().map(|p| format!("{state}_{p}")));
    }
    names.extend(
        [
            "trained",
            "active_improvers",
            "mean_commitment",
            "members",
            "ties",
        ]
        .map(String::from),
    );
    names
}

/// Values of the per-step metrics of one record, in [`step_metric_names`] order.
///
/// Counts are exact as `f64` (below 2^53) and print without a decimal point. A record with
/// the wrong number of practices (a model bug) gets `NaN` rather than a ragged row.
pub fn step_metric_values(record: &StepRecord, n_practices: usize, out: &mut Vec<f64>) {
    out.clear();
    out.push(record.prevalence);
    out.push(record.inactive);
    for counts in [&record.trialling, &record.embedded, &record.discontinued] {
        out.extend((0..n_practices).map(|i| counts.get(i).map_or(f64::NAN, |&c| c as f64)));
    }
    out.push(record.trained as f64);
    out.push(record.active_improvers as f64);
    out.push(record.mean_commitment);
    out.push(record.members as f64);
    out.push(record.ties as f64);
}

/// Per-run numeric results summarised across replicates (besides the target rows).
pub const RUN_METRICS: [&str; 6] = [
    "baseline_prevalence",
    "final_prevalence",
    "relative_reduction",
    "fit_rmse",
    "total_cost",
    "cost_per_point",
];

/// Values of [`RUN_METRICS`] for one outcome; `None` where the run has none.
pub fn run_metric_values(o: &RunOutcome) -> [Option<f64>; 6] {
    [
        Some(o.baseline_prevalence),
        Some(o.final_prevalence),
        Some(o.relative_reduction),
        o.fit_rmse,
        Some(o.total_cost),
        cost_per_point(o),
    ]
}

/// Cost per percentage point of prevalence reduced from the baseline to the target year;
/// `None` when prevalence did not fall.
pub fn cost_per_point(o: &RunOutcome) -> Option<f64> {
    let in_target_year = o.baseline_prevalence * (1.0 - o.relative_reduction);
    crate::intervention::cost_per_point(o.total_cost, o.baseline_prevalence, in_target_year)
}
