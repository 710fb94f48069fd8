//! Reports: plots (`DIR/plots/*.svg`) and one self-contained page (`DIR/report.html`),
//! built from a result folder's files alone (manifest, summary, time series), never from
//! the model, so `changenet report DIR` works on folders from another machine or a merged
//! Slurm run. Plotting stays out of the simulation path.

pub mod data;
pub mod html;
pub mod plots;
pub mod sensitivity;
pub mod svg;

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
    /// The answer in words, when summary.csv had a target row.
    pub headline: Option<String>,
}

/// Writes `dir/plots/*.svg` and `dir/report.html` from the result files in `dir`.
pub fn write_report(dir: &Path) -> Result<Written, OutputError> {
    if dir.join(crate::sensitivity::study::DESIGN_JSON).is_file() {
        return sensitivity::write_report(dir);
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
    let summary = data::read_summary(dir)?;
    let ts = data::TimeSeries::read(dir)?;
    let plots = plots::run_plots(&ts, &summary, scenario.as_ref());
    let headline = html::headline(&summary, scenario.as_ref());
    let plot_dir = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plot_dir).map_err(|e| OutputError::io(&plot_dir, e))?;
    let mut written = Vec::new();
    for p in &plots {
        let path = plot_dir.join(format!("{}.svg", p.name));
        write_atomic(&path, &p.svg)?;
        written.push(path);
    }
    let page = html::page(
        &manifest,
        scenario.as_ref(),
        headline.as_ref(),
        &plots,
        &notes,
    );
    let html_path = dir.join(REPORT_HTML);
    write_atomic(&html_path, &page)?;
    Ok(Written {
        html: html_path,
        plots: written,
        headline: headline.map(|h| h.text),
    })
}

fn write_atomic(path: &Path, text: &str) -> Result<(), OutputError> {
    let io = |e| OutputError::io(path, e);
    let mut file = AtomicFile::create(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.commit().map_err(io)?;
    Ok(())
}
