//! What a run reports: one [`StepRecord`] per observed step and one [`RunOutcome`] at the
//! end. These are the only things that leave the model; outputs and reports build on them.

use crate::scenario::YearMonth;

/// The state of one run after one step, aggregated.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// Step index; 0 is the initial state before any step is taken.
    pub step: u32,
    /// Month whose end the record describes (for step 0, the month before the start).
    pub date: YearMonth,
    /// Pooled prevalence of inactivity (inactive / population).
    pub prevalence: f64,
    /// Inactive people, pooled.
    pub inactive: f64,
    /// Prevalence per place, in scenario order.
    pub place_prevalence: Vec<f64>,
    /// Organisations trialling each practice, in scenario order.
    pub trialling: Vec<u32>,
    /// Organisations with each practice embedded.
    pub embedded: Vec<u32>,
    /// Organisations that discontinued each practice.
    pub discontinued: Vec<u32>,
    /// Trained staff (including active improvers).
    pub trained: u64,
    /// Active improvers.
    pub active_improvers: u64,
    /// Mean commitment over all organisations (withdrawn ones included).
    pub mean_commitment: f64,
    /// Member organisations (not withdrawn).
    pub members: u32,
    /// Live ties.
    pub ties: u64,
}

/// The end-of-run result of one replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub replicate: u32,
    /// Mean pooled prevalence over the target's baseline year.
    pub baseline_prevalence: f64,
    /// Pooled prevalence after the last step.
    pub final_prevalence: f64,
    /// 1 - (mean prevalence in the target year) / baseline.
    pub relative_reduction: f64,
    /// Whether the target year's mean prevalence is at or below (1 - target) * baseline.
    pub target_met: bool,
    /// First calendar year after the baseline year whose mean prevalence meets the target.
    pub target_year_reached: Option<i32>,
    /// Adopters (trialling + embedded) of each practice at the end.
    pub final_adopters: Vec<u32>,
    pub active_improvers: u64,
    pub mean_commitment: f64,
    pub members: u32,
    /// Root-mean-square error against the scenario's observed series, if it has one.
    pub fit_rmse: Option<f64>,
    /// Money spent on interventions over the run (their `cost` items).
    pub total_cost: f64,
}
