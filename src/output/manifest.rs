//! `manifest.json`: what produced a result folder, so that `verify` can reproduce it and
//! anyone can tell two folders apart without reading them.
//!
//! It records the tool and version, the scenario (canonical RON text, its SHA-256 and the
//! file it came from), the master seed, replicates, and the SHA-256 of every output file.
//! Written last, so a folder with a manifest is complete.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::AtomicFile;
use super::{OutputError, MANIFEST_JSON};

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `changenet`.
    pub tool: String,
    /// Version of the tool that wrote the folder.
    pub version: String,
    pub scenario_name: String,
    /// Scenario file as given on the command line (relative paths in the scenario are
    /// resolved against its folder); `None` for the embedded default.
    pub scenario_file: Option<String>,
    /// SHA-256 of `scenario`, lowercase hex.
    pub scenario_sha256: String,
    pub seed: u64,
    pub replicates: u32,
    /// `--set` overrides given (already applied in `scenario`; recorded for people).
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Runs that failed inside the model.
    #[serde(default)]
    pub failed_runs: u64,
    /// SHA-256 of each output file by file name.
    pub files: BTreeMap<String, String>,
    /// Canonical scenario text (RON) with every default filled in.
    pub scenario: String,
    /// The slice of the runs this folder holds (`--shard`); absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::experiment::Shard>,
    /// A sweep's or comparison's points (factor columns, values, overrides); absent for a
    /// plain run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<crate::experiment::points::PointsRecord>,
}

/// SHA-256 of a text, lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

impl Manifest {
    /// Writes `manifest.json` into `dir` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(MANIFEST_JSON);
        let io = |e| OutputError::io(&path, e);
        let mut file = AtomicFile::create(&path).map_err(io)?;
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| OutputError::invalid(&path, e.to_string()))?;
        text.push('\n');
        file.write_all(text.as_bytes()).map_err(io)?;
        file.commit().map_err(io)?;
        Ok(())
    }

    /// Reads `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Manifest, OutputError> {
        let path = dir.join(MANIFEST_JSON);
        // A missing or unreadable manifest means the folder given is not a result folder:
        // invalid input, not a failure of the tool.
        let text = std::fs::read_to_string(&path).map_err(|e| {
            OutputError::invalid(
                &path,
                format!("cannot read ({e}); is this a result folder?"),
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| OutputError::invalid(&path, format!("not a changenet manifest: {e}")))
    }
}
