//! The run plots, each built from the result files: the prevalence fan chart with target,
//! baseline and observed values; adoption per practice; active improvers; commitment and
//! membership.

use super::data::{SummaryRow, TimeSeries};
use super::svg::{Chart, Dash, BLUE, GREY, OKABE_ITO, VERMILLION};
use crate::scenario::date::YearMonth;
use crate::scenario::types::Scenario;

/// One finished plot: its file stem (`plots/<name>.svg`), caption and SVG text.
#[derive(Debug, Clone)]
pub struct Plot {
    pub name: String,
    pub caption: String,
    pub svg: String,
}

/// Quantiles of a fan chart: the 90% band, the 50% band and the median.
pub const FAN: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Adds a fan (90% and 50% bands across runs, median line) for `column` to `chart`.
fn fan(chart: &mut Chart, ts: &TimeSeries, column: &str, what: &str) {
    let label = |l: &str| {
        if what.is_empty() {
            l.to_string()
        } else {
            format!("{what}: {l}")
        }
    };
    let months = ts.months();
    let q = ts.quantiles(column, &FAN);
    chart.band(&label("90% of runs"), &months, &q[0], &q[4], BLUE, 0.18);
    chart.band(&label("50% of runs"), &months, &q[1], &q[3], BLUE, 0.38);
    chart.line(&label("median"), &months, &q[2], BLUE, Dash::Solid, 2.5);
}

fn summary_value(summary: &[SummaryRow], metric: &str) -> Option<f64> {
    summary
        .iter()
        .find(|r| r.metric == metric && r.date.is_empty())
        .and_then(|r| r.mean.parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// All run plots that the files allow (a column missing from the time series skips its plot).
pub fn run_plots(
    ts: &TimeSeries,
    summary: &[SummaryRow],
    scenario: Option<&Scenario>,
) -> Vec<Plot> {
    let mut plots = Vec::new();
    if ts.has("prevalence") {
        plots.push(prevalence(ts, summary, scenario));
    }
    let practices: Vec<String> = ts
        .columns
        .iter()
        .filter_map(|c| c.strip_prefix("embedded_").map(str::to_string))
        .collect();
    if !practices.is_empty() {
        plots.push(adoption(ts, &practices));
    }
    for (column, name, title, y_label, caption) in [
        (
            "active_improvers",
            "improvers",
            "Active improvers",
            "Active improvers (staff)",
            "Staff actively using improvement skills: median across runs with the 50% and 90% bands.",
        ),
        (
            "mean_commitment",
            "commitment",
            "Mean commitment of member organisations",
            "Mean commitment (0–1 scale)",
            "Mean commitment to the collaboration: median across runs with the 50% and 90% bands.",
        ),
        (
            "members",
            "members",
            "Member organisations",
            "Members (organisations)",
            "Organisations still members of the collaboration: median across runs with the 50% and 90% bands.",
        ),
    ] {
        if ts.has(column) {
            let mut chart = Chart::new(title, y_label, 1.0, true);
            fan(&mut chart, ts, column, "");
            plots.push(Plot {
                name: name.to_string(),
                caption: caption.to_string(),
                svg: chart.render(),
            });
        }
    }
    plots
}

fn prevalence(ts: &TimeSeries, summary: &[SummaryRow], scenario: Option<&Scenario>) -> Plot {
    let mut chart = Chart::new(
        "Physical inactivity prevalence",
        "Inactive adults (% of population)",
        100.0,
        false,
    );
    fan(&mut chart, ts, "prevalence", "simulated");
    let mut caption = String::from(
        "Pooled prevalence of inactivity: median across runs (line) with the bands holding \
         50% and 90% of runs.",
    );
    if let Some(s) = scenario {
        let t = &s.target;
        if let Some(baseline) = summary_value(summary, "baseline_prevalence") {
            chart.hline(
                "baseline (mean of runs)",
                baseline,
                GREY,
                Dash::Dashed,
                &format!("baseline {}: {:.1}%", t.baseline_year, baseline * 100.0),
            );
            let level = baseline * (1.0 - t.relative_reduction);
            chart.hline(
                "target level",
                level,
                VERMILLION,
                Dash::Dashed,
                &format!(
                    "target: {}% below baseline, {:.1}%",
                    percent(t.relative_reduction),
                    level * 100.0
                ),
            );
            caption.push_str(&format!(
                " Dashed lines: the mean {} baseline and the target level {}% below it \
                 (each run is judged against its own baseline).",
                t.baseline_year,
                percent(t.relative_reduction)
            ));
        }
        chart.vline(
            "target year",
            YearMonth::new(t.target_year, 12).index(),
            VERMILLION,
            Dash::Dotted,
            &format!("target year {}", t.target_year),
        );
        let observed: Vec<(i64, i64, f64)> = s
            .outcome
            .observed
            .iter()
            .map(|o| (o.from.index(), o.to.index(), o.prevalence))
            .collect();
        if !observed.is_empty() {
            chart.segments("observed", &observed, OKABE_ITO[0]);
            caption.push_str(" Black: observed prevalence over each survey window.");
        }
    }
    Plot {
        name: "prevalence".to_string(),
        caption,
        svg: chart.render(),
    }
}

fn adoption(ts: &TimeSeries, practices: &[String]) -> Plot {
    let mut chart = Chart::new(
        "Adoption of practices",
        "Organisations (median across runs)",
        1.0,
        true,
    );
    let months = ts.months();
    // Skip black (kept for observed data) and yellow (too pale for thin lines).
    let colours = [
        OKABE_ITO[5],
        OKABE_ITO[6],
        OKABE_ITO[3],
        OKABE_ITO[7],
        OKABE_ITO[1],
        OKABE_ITO[2],
    ];
    for (i, p) in practices.iter().enumerate() {
        let colour = colours[i % colours.len()];
        for (stage, dash) in [("trialling", Dash::Dashed), ("embedded", Dash::Solid)] {
            let column = format!("{stage}_{p}");
            if ts.has(&column) {
                let median = ts.quantiles(&column, &[0.5]).remove(0);
                chart.line(
                    &format!("{p}: {stage}"),
                    &months,
                    &median,
                    colour,
                    dash,
                    2.5,
                );
            }
        }
    }
    Plot {
        name: "adoption".to_string(),
        caption: "Organisations trialling (dashed) and embedding (solid) each practice: \
                  median across runs."
            .to_string(),
        svg: chart.render(),
    }
}

/// A share as a whole percent when it is one (0.15 -> "15"), else with one decimal.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round())
    } else {
        format!("{p:.1}")
    }
}
