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
    let target = target_phrase(scenario);
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
#points{table-layout:auto}#points th:first-child{width:auto}code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}pre{background:#f8f8f8;\
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

/// The answer paragraph: its sentence and the exact values it quotes (as written in the
/// result files), shown as `data-*` attributes for tests and for anyone checking the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    pub text: String,
    /// (attribute name without `data-`, value).
    pub data: Vec<(String, String)>,
}

impl From<&Headline> for Answer {
    fn from(a: &Headline) -> Answer {
        Answer {
            text: a.text.clone(),
            data: [
                ("n", &a.n),
                ("p", &a.p),
                ("ci-low", &a.ci_low),
                ("ci-high", &a.ci_high),
                ("median-year", &a.median_year),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        }
    }
}

/// What a page shows, in order: title, description, the answer, notes, sections of plots,
/// extra tables (HTML already escaped), key parameters, provenance, canonical scenario.
#[derive(Debug, Clone, Default)]
pub struct Page<'a> {
    pub title: String,
    pub description: String,
    pub answer: Option<Answer>,
    /// Shown instead of the answer when there is none.
    pub no_answer: String,
    /// `(failed, runs)` when runs failed.
    pub failed: Option<(u64, u64)>,
    pub notes: Vec<String>,
    pub sections: Vec<(String, Vec<Plot>)>,
    pub tables: Vec<String>,
    pub scenario: Option<&'a Scenario>,
    /// Overrides in force, as the manifest lists them (`PATH=VALUE`, `point K: ...`,
    /// `arm NAME: ...`), marked against the parameters they change.
    pub overrides: Vec<String>,
    pub provenance: Vec<(String, String)>,
    pub canonical: Option<String>,
}

/// The provenance rows of a result folder's manifest.
pub fn provenance(manifest: &Manifest) -> Vec<(String, String)> {
    let file = manifest
        .scenario_file
        .clone()
        .unwrap_or_else(|| "embedded default".to_string());
    let overrides = if manifest.overrides.is_empty() {
        "none".to_string()
    } else {
        manifest.overrides.join("; ")
    };
    let mut rows: Vec<(String, String)> = [
        ("Tool", format!("{} {}", manifest.tool, manifest.version)),
        ("Scenario", manifest.scenario_name.clone()),
        ("Scenario file", file),
        ("Scenario SHA-256", manifest.scenario_sha256.clone()),
        ("Seed", manifest.seed.to_string()),
        ("Replicates", manifest.replicates.to_string()),
        ("Overrides", overrides),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (name, digest) in &manifest.files {
        rows.push((format!("SHA-256 {name}"), digest.clone()));
    }
    rows
}

/// The page of a result folder with a manifest, its answer and its plots under `heading`.
pub fn manifest_page<'a>(
    manifest: &Manifest,
    scenario: Option<&'a Scenario>,
    answer: Option<Answer>,
    heading: &str,
    plots: Vec<Plot>,
    notes: &[String],
) -> Page<'a> {
    Page {
        title: format!("changenet report: {}", manifest.scenario_name),
        description: scenario.map(|s| s.description.clone()).unwrap_or_default(),
        answer,
        no_answer: "summary.csv has no target row.".to_string(),
        failed: (manifest.failed_runs > 0)
            .then_some((manifest.failed_runs, manifest.replicates as u64)),
        notes: notes.to_vec(),
        sections: vec![(heading.to_string(), plots)],
        tables: Vec::new(),
        scenario,
        overrides: manifest.overrides.clone(),
        provenance: provenance(manifest),
        canonical: Some(manifest.scenario.clone()),
    }
}

/// Which parameter rows an override path changes: the row names it starts with.
fn overridden_rows(path: &str) -> &'static str {
    let head = path.split(['.', '[']).next().unwrap_or("");
    match head {
        "calendar" => "Period",
        "places" => "Places",
        "organisations" | "kinds" => "Organisations",
        "network" => "Network",
        "practices" => "Practice",
        "training" => "Training",
        "commitment" => "Commitment",
        "outcome" => "Outcome",
        "interventions" => "Intervention",
        "target" => "Target",
        _ => "",
    }
}

/// The `PATH=VALUE` pairs of one manifest override entry, and how they were set.
fn override_sets(entry: &str) -> (String, Vec<String>) {
    let (how, sets) = match entry.split_once(": ") {
        Some((lead, rest)) if lead.starts_with("point ") => ("varied in this sweep", rest),
        Some((lead, rest)) if lead.starts_with("arm ") => (lead, rest),
        _ => ("--set", entry),
    };
    (
        how.to_string(),
        sets.split(' ')
            .filter(|p| p.contains('='))
            .map(str::to_string)
            .collect(),
    )
}

/// Puts the scenario's own `sources` (a citation or "assumption" per section) in the source
/// column of the rows about that section.
fn cited(rows: &mut [(String, String, String)], s: &Scenario) {
    let (mut practice, mut intervention) = (0, 0);
    for row in rows.iter_mut() {
        let (specific, section) = match row.0.as_str() {
            "Period" => (None, "calendar"),
            "Places" => (None, "places"),
            "Organisations" => (None, "organisations"),
            "Network" => (None, "network"),
            "Training" => (None, "training"),
            "Commitment" => (None, "commitment"),
            "Outcome" => (None, "outcome"),
            "Target" => (None, "target"),
            name if name.starts_with("Practice ") => {
                practice += 1;
                (Some(format!("practices[{}]", practice - 1)), "practices")
            }
            name if name.starts_with("Intervention ") => {
                intervention += 1;
                (
                    Some(format!("interventions[{}]", intervention - 1)),
                    "interventions",
                )
            }
            _ => continue,
        };
        let found = specific
            .and_then(|k| s.sources.get(&k))
            .or_else(|| s.sources.get(section));
        if let Some(source) = found {
            row.2 = source.clone();
        }
    }
}

/// Marks the rows an override changes (after [`cited`] has filled in the scenario's sources;
/// comments give them), the observed series' labels, and the overrides that change a row.
fn sources(rows: &mut [(String, String, String)], overrides: &[String]) {
    // Practices and interventions are matched by index: `practices[1]` is the second
    // "Practice ..." row.
    let mut marks: Vec<std::collections::BTreeSet<String>> = vec![Default::default(); rows.len()];
    for entry in overrides {
        let (how, sets) = override_sets(entry);
        for set in sets {
            let path = set.split('=').next().unwrap_or("");
            let name = overridden_rows(path);
            if name.is_empty() {
                continue;
            }
            let index: Option<usize> = path
                .split_once('[')
                .and_then(|(_, r)| r.split(']').next())
                .and_then(|i| i.parse().ok());
            let matching: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].0 == name || rows[i].0.starts_with(&format!("{name} ")))
                .collect();
            let chosen: Vec<usize> = match (name, index) {
                ("Practice" | "Intervention", Some(k)) => {
                    matching.get(k).copied().into_iter().collect()
                }
                _ => matching,
            };
            let label = if how == "varied in this sweep" {
                format!("{path} varied in this sweep")
            } else if how == "--set" {
                format!("--set {set}")
            } else {
                format!("{how}: {set}")
            };
            for i in chosen {
                marks[i].insert(label.clone());
            }
        }
    }
    for (row, m) in rows.iter_mut().zip(marks) {
        if !m.is_empty() {
            row.2 = format!(
                "{}; {}",
                row.2,
                m.into_iter().collect::<Vec<_>>().join("; ")
            );
        }
    }
}

/// The page's HTML.
pub fn render(p: &Page) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&p.title),
        escape(&p.title)
    );
    if !p.description.is_empty() {
        let _ = writeln!(h, "<p class=\"muted\">{}</p>", escape(&p.description));
    }
    match &p.answer {
        Some(a) => {
            h.push_str("<p class=\"answer\" id=\"answer\"");
            for (k, v) in &a.data {
                let _ = write!(h, " data-{}=\"{}\"", escape(k), escape(v));
            }
            let _ = writeln!(h, ">{}</p>", escape(&a.text));
        }
        None => {
            let _ = writeln!(
                h,
                "<p class=\"answer\" id=\"answer\">{}</p>",
                escape(&p.no_answer)
            );
        }
    }
    if let Some((failed, runs)) = p.failed {
        let _ = writeln!(
            h,
            "<p><strong>{failed} of {runs} runs failed</strong> and are left out (see runs.csv).</p>"
        );
    }
    for note in &p.notes {
        let _ = writeln!(h, "<p class=\"muted\">Note: {}</p>", escape(note));
    }
    for (heading, plots) in &p.sections {
        if plots.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h2>{}</h2>", escape(heading));
        for plot in plots {
            let _ = writeln!(
                h,
                "<figure id=\"plot-{}\">\n{}<figcaption>{}</figcaption>\n</figure>",
                escape(&plot.name),
                plot.svg,
                escape(&plot.caption)
            );
        }
    }
    for table in &p.tables {
        h.push_str(table);
    }
    if let Some(s) = p.scenario {
        h.push_str(
            "<h2>Key parameters</h2>\n<table id=\"parameters\">\n\
             <tr><th>Parameter</th><th>Value</th><th>Source</th></tr>\n",
        );
        let mut rows = key_parameters(s);
        cited(&mut rows, s);
        sources(&mut rows, &p.overrides);
        for (name, value, source) in rows {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&name),
                escape(&value),
                escape(&source)
            );
        }
        h.push_str(
            "</table>\n<p class=\"muted\">Sources are the scenario's own `sources` entries \
             (a citation, or \"assumption\" where no published value exists); \"scenario\": \
             set in the scenario file without a source named; observed values show their \
             labels.</p>\n",
        );
    }
    if !p.provenance.is_empty() {
        h.push_str("<h2>Provenance</h2>\n<table id=\"provenance\">\n");
        for (k, v) in &p.provenance {
            let _ = writeln!(
                h,
                "<tr><th>{}</th><td><code>{}</code></td></tr>",
                escape(k),
                escape(v)
            );
        }
        h.push_str("</table>\n");
    }
    if let Some(text) = &p.canonical {
        let _ = writeln!(
            h,
            "<details><summary>Canonical scenario (every default filled in)</summary>\n<pre>{}</pre>\n</details>",
            escape(text)
        );
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// "the 15% target (inactivity 15% below its 2016 level by 2030)", or "the target".
pub(crate) fn target_phrase(scenario: Option<&Scenario>) -> String {
    match scenario {
        Some(s) => format!(
            "the {}% target (inactivity {}% below its {} level by {})",
            percent(s.target.relative_reduction),
            percent(s.target.relative_reduction),
            s.target.baseline_year,
            s.target.target_year
        ),
        None => "the target".to_string(),
    }
}
