//! Reports: plots (`DIR/plots/*.svg`) and one self-contained page (`DIR/report.html`),
//! built from a result folder's files alone (manifest, summary, time series), never from
//! the model, so `changenet report DIR` works on folders from another machine or a merged
//! Slurm run. Plotting stays out of the simulation path.
//!
//! The folder's files say what it holds: a `paired.csv` makes it a comparison
//! ([`compare`]), factor columns before `metric` in summary.csv a sweep ([`sweep`]), neither
//! a single run ([`plots`]); a folder without `manifest.json` but with `nodes.csv` and
//! `summary.json` is a network analysis ([`network`]).

pub mod compare;
pub mod data;
pub mod figure;
pub mod html;
pub mod intervals;
pub mod network;
pub mod plots;
pub mod svg;
pub mod sweep;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::output::atomic::AtomicFile;
use crate::output::manifest::Manifest;
use crate::output::OutputError;

/// The page's file name.
pub const REPORT_HTML: &str = "report.html";
/// The folder of plots inside a result folder.
pub const PLOTS_DIR: &str = "plots";

/// What a report wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub html: PathBuf,
    pub plots: Vec<PathBuf>,
    /// The answer in words, when the files give one.
    pub headline: Option<String>,
}

/// Writes `dir/plots/*.svg` and `dir/report.html` from the result files in `dir`.
pub fn write_report(dir: &Path) -> Result<Written, OutputError> {
    if !dir.join(crate::output::MANIFEST_JSON).is_file() && network::is_analysis(dir) {
        return write_analysis(dir);
    }
    let manifest = Manifest::read(dir)?;
    let mut notes = Vec::new();
    // The canonical scenario gives the target, observed series and parameters; a report is
    // still useful without them, so a scenario this version cannot read becomes a note.
    let scenario = match crate::scenario::parse_str("manifest.json scenario", &manifest.scenario) {
        Ok(s) => Some(s),
        Err(e) => {
            notes.push(format!(
                "the scenario in manifest.json could not be read by this version ({e}); \
                 target lines, observed data and parameters are left out"
            ));
            None
        }
    };
    let table = data::read_summary_table(dir)?;
    let page = if dir.join(crate::experiment::compare::PAIRED_CSV).is_file() {
        let paired = compare::read_paired(dir)?;
        let arms = sweep::points(&table);
        let mut page = html::manifest_page(
            &manifest,
            scenario.as_ref(),
            compare::answer(&paired),
            "Paired differences between arms",
            compare::plots(&paired),
            &notes,
        );
        page.no_answer = "paired.csv has no arm with a difference.".into();
        page.tables
            .push(sweep::table("Arms", &table.factors, &arms, &table));
        page
    } else if !table.factors.is_empty() {
        let points = sweep::points(&table);
        let mut page = html::manifest_page(
            &manifest,
            scenario.as_ref(),
            sweep::answer(&table.factors, &points, scenario.as_ref()),
            "Probability of meeting the target across the sweep",
            sweep::plots(&table.factors, &points),
            &notes,
        );
        page.no_answer = "No run finished at any point, so the results cannot say whether \
                          the target is met."
            .into();
        page.tables
            .push(sweep::table("Points", &table.factors, &points, &table));
        page
    } else {
        let summary: Vec<data::SummaryRow> = table.rows.into_iter().map(|(_, r)| r).collect();
        let ts = data::TimeSeries::read(dir)?;
        let headline = html::headline(&summary, scenario.as_ref());
        html::manifest_page(
            &manifest,
            scenario.as_ref(),
            headline.as_ref().map(html::Answer::from),
            "Results over time",
            plots::run_plots(&ts, &summary, scenario.as_ref()),
            &notes,
        )
    };
    finish(dir, &page)
}

/// The report of an `analyse` folder (see [`network`]).
fn write_analysis(dir: &Path) -> Result<Written, OutputError> {
    let nodes = network::read_nodes(dir)?;
    let ties = network::read_ties(dir, &nodes)?;
    let summary = network::read_summary(dir)?;
    let (plots, notes) = network::plots(&nodes, ties.as_deref());
    let mut provenance = vec![(
        "Written by".to_string(),
        "changenet analyse (see report.md for the analysis in words)".to_string(),
    )];
    for name in ["nodes.csv", crate::analyse::TIES_CSV, "summary.json"] {
        let path = dir.join(name);
        if path.is_file() {
            let digest =
                crate::output::atomic::digest_file(&path).map_err(|e| OutputError::io(&path, e))?;
            provenance.push((format!("SHA-256 {name}"), digest));
        }
    }
    let page = html::Page {
        title: "changenet network analysis".into(),
        answer: Some(network::answer(&summary)),
        notes,
        sections: vec![("The network".into(), plots)],
        provenance,
        ..Default::default()
    };
    finish(dir, &page)
}

/// Writes the page's plots and the page itself.
fn finish(dir: &Path, page: &html::Page) -> Result<Written, OutputError> {
    let plot_dir = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plot_dir).map_err(|e| OutputError::io(&plot_dir, e))?;
    let mut written = Vec::new();
    for (_, plots) in &page.sections {
        for p in plots {
            let path = plot_dir.join(format!("{}.svg", p.name));
            write_atomic(&path, &p.svg)?;
            written.push(path);
        }
    }
    let html_path = dir.join(REPORT_HTML);
    write_atomic(&html_path, &html::render(page))?;
    Ok(Written {
        html: html_path,
        plots: written,
        headline: page.answer.as_ref().map(|a| a.text.clone()),
    })
}

fn write_atomic(path: &Path, text: &str) -> Result<(), OutputError> {
    let io = |e| OutputError::io(path, e);
    let mut file = AtomicFile::create(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.commit().map_err(io)?;
    Ok(())
}
