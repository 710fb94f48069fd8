//! `report.html`: one self-contained page (plots inline, no external requests) that opens
//! with the answer in plain words, then the plots, the scenario's key parameters and the
//! provenance. All text from files is escaped.

use std::fmt::Write;

use super::data::SummaryRow;
use super::plots::{percent, Plot};
use super::svg::escape;
use crate::output::manifest::Manifest;
use crate::scenario::types::{Organisations, Scenario};

/// The answer, from summary.csv's `target_met` and `target_year_reached` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Runs summarised (failed runs are left out of the summary).
    pub n: String,
    /// Probability of meeting the target, as written in summary.csv.
    pub p: String,
    pub ci_low: String,
    pub ci_high: String,
    /// Median year reached among the runs that reached it; empty when none did.
    pub median_year: String,
    /// The sentence.
    pub text: String,
}

fn whole_percent(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => {
            let p = x * 100.0;
            if p > 0.0 && p < 0.5 {
                "<1".to_string()
            } else if p < 100.0 && p > 99.5 {
                ">99".to_string()
            } else {
                format!("{}", p.round())
            }
        }
        _ => "?".to_string(),
    }
}

fn year_text(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(y) if (y - y.round()).abs() < 1e-9 => format!("{}", y.round()),
        Ok(y) if y.is_finite() => format!("{y:.1}"),
        _ => v.to_string(),
    }
}

/// Builds the headline from the summary rows; `None` when summary.csv has no `target_met`.
pub fn headline(summary: &[SummaryRow], scenario: Option<&Scenario>) -> Option<Headline> {
    let met = summary.iter().find(|r| r.metric == "target_met")?;
    let year = summary
        .iter()
        .find(|r| r.metric == "target_year_reached")
        .map(|r| r.p50.clone())
        .unwrap_or_default();
    let target = match scenario {
        Some(s) => format!(
            "the {}% target (inactivity {}% below its {} level by {})",
            percent(s.target.relative_reduction),
            percent(s.target.relative_reduction),
            s.target.baseline_year,
            s.target.target_year
        ),
        None => "the target".to_string(),
    };
    let n: u64 = met.n.parse().unwrap_or(0);
    let p: f64 = met.mean.parse().unwrap_or(f64::NAN);
    let interval = format!(
        "95% interval {}–{}%",
        whole_percent(&met.ci_low),
        whole_percent(&met.ci_high)
    );
    let runs = if n == 1 { "run" } else { "runs" };
    let text = if n == 0 || !p.is_finite() {
        "No run finished, so the results cannot say whether the target is met.".to_string()
    } else if p == 0.0 {
        format!("Under this scenario {target} is not met in any of the {n} {runs} ({interval}).")
    } else {
        let share = if p == 1.0 {
            format!("all {n} {runs}")
        } else {
            format!("{}% of {n} {runs}", whole_percent(&met.mean))
        };
        let median = if year.is_empty() {
            String::new()
        } else {
            format!("; median year {}", year_text(&year))
        };
        format!("Under this scenario {target} is met in {share} ({interval}){median}.")
    };
    Some(Headline {
        n: met.n.clone(),
        p: met.mean.clone(),
        ci_low: met.ci_low.clone(),
        ci_high: met.ci_high.clone(),
        median_year: year,
        text,
    })
}

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;max-width:940px;margin:2em auto;\
padding:0 1em;color:#111;line-height:1.45}h1{font-size:1.7em;margin-bottom:.2em}\
.answer{font-size:1.3em;background:#f2f6fa;border-left:6px solid #0072B2;padding:.8em 1em}\
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}figcaption{color:#333;font-size:.95em}\
table{border-collapse:collapse;margin:1em 0;width:100%;table-layout:fixed}th:first-child{width:24%}#parameters th:nth-child(3){width:16%}td{overflow-wrap:anywhere}td,th{border:1px solid #ccc;padding:.3em .6em;\
text-align:left;vertical-align:top;font-size:.95em}th{background:#f4f4f4}\
code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}pre{background:#f8f8f8;\
padding:.8em;overflow-x:auto}.muted{color:#555}";

fn ron_text<T: serde::Serialize>(value: &T) -> String {
    ron::to_string(value).unwrap_or_else(|e| format!("(cannot show: {e})"))
}

/// (parameter, value, source) rows of the scenario's key parameters.
fn key_parameters(s: &Scenario) -> Vec<(String, String, String)> {
    let scenario = "scenario".to_string();
    let mut rows = vec![(
        "Period".to_string(),
        format!(
            "{} to {}, {}-month steps",
            s.calendar.start, s.calendar.end, s.calendar.step_months
        ),
        scenario.clone(),
    )];
    let population: f64 = s.places.iter().map(|p| p.population).sum();
    let inactive: f64 = s
        .places
        .iter()
        .map(|p| p.population * p.inactive_prevalence)
        .sum();
    rows.push((
        "Places".to_string(),
        format!(
            "{} places, population {:.0}, initial inactivity {:.1}%",
            s.places.len(),
            population,
            if population > 0.0 {
                inactive / population * 100.0
            } else {
                f64::NAN
            }
        ),
        scenario.clone(),
    ));
    rows.push(match &s.organisations {
        Organisations::Generate(groups) => {
            let mut by_kind: std::collections::BTreeMap<&str, u64> = Default::default();
            for g in groups {
                *by_kind.entry(g.kind.as_str()).or_default() += g.count as u64;
            }
            let parts: Vec<String> = by_kind.iter().map(|(k, c)| format!("{c} {k}")).collect();
            (
                "Organisations".to_string(),
                parts.join(", "),
                "generated".to_string(),
            )
        }
        Organisations::Table(path) => (
            "Organisations".to_string(),
            "node table".to_string(),
            path.clone(),
        ),
    });
    rows.push((
        "Network".to_string(),
        ron_text(&s.network.model),
        scenario.clone(),
    ));
    for p in &s.practices {
        rows.push((
            format!("Practice {}", p.name),
            format!(
                "kernel {}; adopters {}; effect {}; embedded after {} years",
                ron_text(&p.kernel),
                p.adopter_kinds.join(", "),
                p.effect,
                p.dwell_years
            ),
            scenario.clone(),
        ));
    }
    let t = &s.training;
    rows.push((
        "Training".to_string(),
        format!(
            "activation {}/yr, skill fade {}/yr, improver lapse {}/yr, staff turnover {}/yr",
            t.activation_rate, t.skill_fade, t.improver_lapse, t.staff_turnover
        ),
        scenario.clone(),
    ));
    let c = &s.commitment;
    rows.push((
        "Commitment".to_string(),
        if c.enabled {
            format!(
                "erosion {}/yr, exit below {}, rejoin above {}",
                c.erosion, c.exit_threshold, c.rejoin_threshold
            )
        } else {
            "off".to_string()
        },
        scenario.clone(),
    ));
    let o = &s.outcome;
    rows.push((
        "Outcome".to_string(),
        format!(
            "relapse {}/yr, reach {}, trend {}, shocks {}",
            o.relapse,
            o.reach,
            ron_text(&o.trend),
            ron_text(&o.shocks)
        ),
        scenario.clone(),
    ));
    for i in &s.interventions {
        rows.push((
            format!("Intervention {}", i.name),
            format!("{} at {}", ron_text(&i.action), ron_text(&i.when)),
            scenario.clone(),
        ));
    }
    for ob in &o.observed {
        rows.push((
            "Observed prevalence".to_string(),
            format!("{:.1}% ({} to {})", ob.prevalence * 100.0, ob.from, ob.to),
            if ob.label.is_empty() {
                scenario.clone()
            } else {
                ob.label.clone()
            },
        ));
    }
    rows.push((
        "Target".to_string(),
        format!(
            "{}% below the {} mean by {}",
            percent(s.target.relative_reduction),
            s.target.baseline_year,
            s.target.target_year
        ),
        scenario,
    ));
    rows
}

/// The whole page.
pub fn page(
    manifest: &Manifest,
    scenario: Option<&Scenario>,
    headline: Option<&Headline>,
    plots: &[Plot],
    notes: &[String],
) -> String {
    let mut h = String::new();
    let title = format!("changenet report: {}", manifest.scenario_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    if let Some(s) = scenario.filter(|s| !s.description.is_empty()) {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", escape(&s.description));
    }
    match headline {
        Some(a) => {
            let _ = writeln!(
                h,
                "<p class=\"answer\" id=\"answer\" data-n=\"{}\" data-p=\"{}\" data-ci-low=\"{}\" \
                 data-ci-high=\"{}\" data-median-year=\"{}\">{}</p>",
                escape(&a.n),
                escape(&a.p),
                escape(&a.ci_low),
                escape(&a.ci_high),
                escape(&a.median_year),
                escape(&a.text)
            );
        }
        None => {
            h.push_str("<p class=\"answer\" id=\"answer\">summary.csv has no target row.</p>\n")
        }
    }
    if manifest.failed_runs > 0 {
        let _ = writeln!(
            h,
            "<p><strong>{} of {} runs failed</strong> and are left out (see runs.csv).</p>",
            manifest.failed_runs, manifest.replicates
        );
    }
    for note in notes {
        let _ = writeln!(h, "<p class=\"muted\">Note: {}</p>", escape(note));
    }
    h.push_str("<h2>Results over time</h2>\n");
    for p in plots {
        let _ = writeln!(
            h,
            "<figure id=\"plot-{}\">\n{}<figcaption>{}</figcaption>\n</figure>",
            escape(&p.name),
            p.svg,
            escape(&p.caption)
        );
    }
    if let Some(s) = scenario {
        h.push_str(
            "<h2>Key parameters</h2>\n<table id=\"parameters\">\n\
             <tr><th>Parameter</th><th>Value</th><th>Source</th></tr>\n",
        );
        for (name, value, source) in key_parameters(s) {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&name),
                escape(&value),
                escape(&source)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Provenance</h2>\n<table id=\"provenance\">\n");
    let file = manifest
        .scenario_file
        .clone()
        .unwrap_or_else(|| "embedded default".to_string());
    let overrides = if manifest.overrides.is_empty() {
        "none".to_string()
    } else {
        manifest.overrides.join(" ")
    };
    for (k, v) in [
        ("Tool", format!("{} {}", manifest.tool, manifest.version)),
        ("Scenario", manifest.scenario_name.clone()),
        ("Scenario file", file),
        ("Scenario SHA-256", manifest.scenario_sha256.clone()),
        ("Seed", manifest.seed.to_string()),
        ("Replicates", manifest.replicates.to_string()),
        ("Overrides", overrides),
    ] {
        let _ = writeln!(
            h,
            "<tr><th>{k}</th><td><code>{}</code></td></tr>",
            escape(&v)
        );
    }
    for (name, digest) in &manifest.files {
        let _ = writeln!(
            h,
            "<tr><th>SHA-256 {}</th><td><code>{}</code></td></tr>",
            escape(name),
            escape(digest)
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<details><summary>Canonical scenario (every default filled in)</summary>\n<pre>{}</pre>\n</details>",
        escape(&manifest.scenario)
    );
    h.push_str("</body>\n</html>\n");
    h
}
