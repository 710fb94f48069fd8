//! `verify`: re-run what a result folder's manifest describes and compare every file.
//!
//! The scenario comes from the canonical text recorded in the manifest (not from the file,
//! which may have changed since), with the recorded seed and replicates; relative paths in
//! it resolve against the recorded scenario file's folder. The files compared are the ones
//! in the folder itself, so an edited result is caught even if the manifest was not touched.
//! A sweep or comparison folder (its manifest records the points) is re-run point by point
//! (see [`crate::experiment::sweep::rerun`]).

use std::fmt;
use std::path::{Path, PathBuf};

use super::job::{run_job, Job, JobError};
use super::ModelFn;
use crate::output::atomic::digest_file;
use crate::output::compare::{first_difference, LineDifference};
use crate::output::manifest::{sha256_hex, Manifest};
use crate::output::{OutputError, MANIFEST_JSON};
use crate::scenario::check_text;
use crate::scenario::ScenarioErrors;

/// The first difference between a folder and its re-run.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// File that differs (or is missing), by name.
    pub file: String,
    /// What differs.
    pub what: String,
    /// The first differing line, when both files exist.
    pub line: Option<LineDifference>,
    /// Set when the folder was written by another version of the tool.
    pub version_note: Option<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.what)?;
        if let Some(note) = &self.version_note {
            write!(f, " ({note})")?;
        }
        if let Some(d) = &self.line {
            let show = |l: &Option<String>| match l {
                Some(l) => l.clone(),
                None => "(end of file)".to_string(),
            };
            write!(
                f,
                "\n  re-run:   {}\n  recorded: {}",
                show(&d.expected),
                show(&d.found)
            )?;
        }
        Ok(())
    }
}

/// Why a folder could not be verified at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("the scenario recorded in the manifest is not valid for this version:\n{0}")]
    Scenario(ScenarioErrors),
    #[error(transparent)]
    Job(#[from] JobError),
}

/// Re-runs `dir` with `threads` threads; `Ok(None)` when every file is identical.
pub fn verify(
    dir: &Path,
    threads: usize,
    show_progress: bool,
    model: &ModelFn<'_>,
) -> Result<Option<Mismatch>, VerifyError> {
    let manifest = Manifest::read(dir)?;
    let version = env!("CARGO_PKG_VERSION");
    let version_note = (manifest.version != version).then(|| {
        format!(
            "folder written by changenet {}, this is {version}",
            manifest.version
        )
    });
    let mismatch = |file: &str, what: String, line| Mismatch {
        file: file.to_string(),
        what,
        line,
        version_note: version_note.clone(),
    };
    if sha256_hex(&manifest.scenario) != manifest.scenario_sha256 {
        let what = "the recorded scenario text does not match its recorded digest".to_string();
        return Ok(Some(mismatch(MANIFEST_JSON, what, None)));
    }
    let base = match &manifest.scenario_file {
        Some(f) => Path::new(f)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        None => PathBuf::from("."),
    };
    let label = format!("{} (scenario)", dir.join(MANIFEST_JSON).display());
    let scratch = tempfile::tempdir().map_err(|e| OutputError::io(&std::env::temp_dir(), e))?;
    let fresh = match &manifest.points {
        // A sweep or comparison: its points are rebuilt from the record.
        Some(record) => crate::experiment::sweep::rerun(
            &manifest,
            record,
            (&label, &base),
            scratch.path(),
            (threads, show_progress),
            model,
        )?,
        None => {
            let mut plan = check_text(&label, &manifest.scenario, &base, &[])
                .map_err(VerifyError::Scenario)?;
            plan.scenario.seed = manifest.seed;
            plan.scenario.replicates = manifest.replicates;
            let job = Job {
                plan: &plan,
                scenario_file: manifest.scenario_file.clone(),
                overrides: manifest.overrides.clone(),
                out_dir: scratch.path().to_path_buf(),
                threads,
                show_progress,
                shard: None,
                resume: false,
            };
            run_job(&job, model)?.manifest
        }
    };
    for (name, digest) in &fresh.files {
        let recorded = dir.join(name);
        if !recorded.exists() {
            return Ok(Some(mismatch(name, "missing from the folder".into(), None)));
        }
        let actual = digest_file(&recorded).map_err(|e| OutputError::io(&recorded, e))?;
        if &actual != digest {
            let rerun = scratch.path().join(name);
            let line =
                first_difference(&rerun, &recorded).map_err(|e| OutputError::io(&recorded, e))?;
            let what = match &line {
                Some(d) => format!("differs from the re-run first at line {}", d.line),
                None => "differs from the re-run".to_string(),
            };
            return Ok(Some(mismatch(name, what, line)));
        }
        match manifest.files.get(name) {
            Some(d) if d == digest => {}
            Some(d) => {
                let what =
                    format!("manifest records sha256 {d}, the file and re-run have {digest}");
                return Ok(Some(mismatch(name, what, None)));
            }
            None => {
                let what = "produced by the re-run but not listed in the manifest".to_string();
                return Ok(Some(mismatch(name, what, None)));
            }
        }
    }
    if let Some(name) = manifest
        .files
        .keys()
        .find(|n| !fresh.files.contains_key(*n))
    {
        let what = "listed in the manifest but not produced by the re-run".to_string();
        return Ok(Some(mismatch(name, what, None)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::TIMESERIES_CSV;
    use crate::runner::toy::{toy_model, toy_plan};

    #[test]
    fn passes_on_fresh_output_and_names_an_edited_row() {
        let plan = toy_plan(3);
        let dir = tempfile::tempdir().unwrap();
        let job = Job {
            plan: &plan,
            scenario_file: None,
            overrides: vec![],
            out_dir: dir.path().to_path_buf(),
            threads: 2,
            show_progress: false,
            shard: None,
            resume: false,
        };
        run_job(&job, &toy_model).unwrap();
        assert_eq!(verify(dir.path(), 1, false, &toy_model).unwrap(), None);

        let path = dir.path().join(TIMESERIES_CSV);
        let text = std::fs::read_to_string(&path).unwrap();
        let line5 = text.lines().nth(4).unwrap().to_string();
        let edited_line = line5.replacen(",2016-03,", ",2099-03,", 1);
        std::fs::write(&path, text.replacen(&line5, &edited_line, 1)).unwrap();
        let m = verify(dir.path(), 2, false, &toy_model).unwrap().unwrap();
        assert_eq!(m.file, TIMESERIES_CSV);
        let d = m.line.clone().unwrap();
        assert_eq!(d.line, 5);
        assert_eq!(d.expected, Some(line5));
        assert_eq!(d.found, Some(edited_line));
        assert!(m
            .to_string()
            .starts_with("timeseries.csv: differs from the re-run first at line 5"));
    }
}
