//! Result files: streamed CSV tables, the summary, the manifest, and comparing outputs.
//!
//! Everything here is a function of finished runs and the plan; nothing reaches back into
//! the model. Every file is written atomically ([`atomic`]) and digested as it is written.

pub mod atomic;
pub mod columns;
pub mod compare;
pub mod format;
pub mod headline;
pub mod manifest;
pub mod spill;
pub mod streams;
pub mod summary;

use std::path::Path;

pub const MANIFEST_JSON: &str = "manifest.json";
pub const RUNS_CSV: &str = "runs.csv";
pub const TIMESERIES_CSV: &str = "timeseries.csv";
pub const PLACES_CSV: &str = "places.csv";
pub const SUMMARY_CSV: &str = "summary.csv";

/// Reading or writing a result file failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl OutputError {
    pub fn io(path: &Path, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub fn invalid(path: &Path, message: impl Into<String>) -> OutputError {
        OutputError::Invalid {
            path: path.display().to_string(),
            message: message.into(),
        }
    }
}
