//! The readable table printed at the end of a run: the answer to the scenario's question
//! before anyone opens a file.

use std::fmt::Write;

use super::summary::{brief, Headline};
use crate::scenario::Target;

/// Renders the headline of a finished run as a small aligned table.
pub fn render(name: &str, target: &Target, h: &Headline) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    let ok = h.runs - h.failed;
    let goal = format!(
        "{}% lower than {} by {}",
        (target.relative_reduction * 10_000.0).round() / 100.0,
        target.baseline_year,
        target.target_year
    );
    rows.push(("target".into(), goal));
    let probability = match (ok, h.target_ci) {
        (0, _) | (_, None) => "-".to_string(),
        (_, Some((lo, hi))) => format!(
            "{:.2} (95% CI {lo:.2} to {hi:.2}; {} of {ok} runs)",
            h.target_met as f64 / ok as f64,
            h.target_met
        ),
    };
    rows.push(("probability of meeting it".into(), probability));
    let year = match h.year_reached.p50 {
        None => "never reached".to_string(),
        Some(y) => format!("{y:.0} ({} of {ok} runs reached it)", h.year_reached.n),
    };
    rows.push(("median year reached".into(), year));
    let fp = &h.final_prevalence;
    let when = h.final_date.map(|d| format!(" ({d})")).unwrap_or_default();
    rows.push((
        format!("final prevalence{when}"),
        format!(
            "{} (median; 90% of runs {} to {})",
            brief(fp.p50),
            brief(fp.p5),
            brief(fp.p95)
        ),
    ));
    let rr = &h.relative_reduction;
    rows.push((
        "relative reduction".into(),
        format!(
            "{} (median; 90% of runs {} to {})",
            brief(rr.p50),
            brief(rr.p5),
            brief(rr.p95)
        ),
    ));
    if h.failed > 0 {
        rows.push(("failed runs".into(), format!("{} of {}", h.failed, h.runs)));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = format!("{name}: {} runs\n", h.runs);
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:<width$}  {v}");
    }
    out
}
