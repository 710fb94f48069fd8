//! Scenario files: RON text -> typed [`Scenario`] -> checked [`crate::plan::Plan`].
//!
//! Reading reports every problem it can find in one pass, each with the file, line,
//! column and field path (`file:line:column: field.path: message`).

pub mod date;
pub mod types;

pub use date::YearMonth;
pub use types::*;

use std::fmt;
use std::path::Path;

/// One problem in a scenario, located in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Field path such as `practices[0].kernel.threshold`; empty for syntax errors.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.path, self.message
            )
        }
    }
}

/// Every problem found in one scenario.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<Diagnostic>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Parses scenario text; `file` names it in messages.
pub fn parse_str(file: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    ron::from_str::<Scenario>(text).map_err(|e| {
        ScenarioErrors(vec![Diagnostic {
            file: file.to_string(),
            line: e.position.line,
            column: e.position.col,
            path: String::new(),
            message: e.code.to_string(),
        }])
    })
}

/// Reads and parses a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        ScenarioErrors(vec![Diagnostic {
            file: file.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("cannot read: {e}"),
        }])
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ScenarioErrors(vec![Diagnostic {
            file: file.clone(),
            line: 1,
            column: 1,
            path: String::new(),
            message: format!(
                "not UTF-8 text (invalid byte at offset {}); a scenario is a RON text file",
                e.utf8_error().valid_up_to()
            ),
        }])
    })?;
    parse_str(&file, &text)
}

/// Canonical text of a scenario (pretty RON of the typed value, defaults filled in): what
/// manifests record and digest.
pub fn canonical(s: &Scenario) -> String {
    let cfg = ron::ser::PrettyConfig::new()
        .indentor("  ".to_string())
        .struct_names(true);
    ron::ser::to_string_pretty(s, cfg).unwrap_or_default()
}
