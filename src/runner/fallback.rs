//! TEMP until scenario branch lands: reading and checking scenarios without
//! `scenario::check_file` / `scenario::check_text`, which the scenario branch is writing.
//! Same signatures, so switching is a rename at the call sites; overrides are refused.

use std::path::Path;

use crate::plan::Plan;
use crate::scenario::{self, Diagnostic, ScenarioErrors};

// TEMP until scenario branch lands
pub fn check_file(path: &Path, overrides: &[(String, String)]) -> Result<Plan, ScenarioErrors> {
    let file = path.display().to_string();
    refuse_overrides(&file, overrides)?;
    let s = scenario::load(path)?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    resolve(&file, s, base)
}

// TEMP until scenario branch lands
pub fn check_text(
    file: &str,
    text: &str,
    base_dir: &Path,
    overrides: &[(String, String)],
) -> Result<Plan, ScenarioErrors> {
    refuse_overrides(file, overrides)?;
    let s = scenario::parse_str(file, text)?;
    resolve(file, s, base_dir.to_path_buf())
}

fn refuse_overrides(file: &str, overrides: &[(String, String)]) -> Result<(), ScenarioErrors> {
    match overrides.first() {
        None => Ok(()),
        Some((path, _)) => Err(ScenarioErrors(vec![Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            path: path.clone(),
            message: "--set is not supported yet".into(),
        }])),
    }
}

fn resolve(
    file: &str,
    s: scenario::Scenario,
    base: std::path::PathBuf,
) -> Result<Plan, ScenarioErrors> {
    Plan::new(s, base).map_err(|errors| {
        ScenarioErrors(
            errors
                .into_iter()
                .map(|e| Diagnostic {
                    file: file.to_string(),
                    line: 0,
                    column: 0,
                    path: e.path,
                    message: e.message,
                })
                .collect(),
        )
    })
}
