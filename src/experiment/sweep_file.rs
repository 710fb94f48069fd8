//! Sweep files: `changenet sweep FILE.ron` with the base scenario, factors and design
//! declared in RON instead of on the command line.
//!
//! ```ron
//! Sweep(
//!     scenario: "../small.ron",        // relative to the sweep file's folder
//!     design: Grid,                    // Grid (default), Lhs or Sobol
//!     points: 3,                       // lhs/sobol points; levels of a Range in a grid
//!     seed: Some(7),                   // optional: seeds the Latin hypercube (default:
//!                                      // the scenario's seed)
//!     factors: [
//!         Levels(path: "practices[0].effect", values: [0.05, 0.1]),
//!         Range(path: "ties.decay", lo: 0.02, hi: 0.08),
//!         Text(path: "output.places", values: ["true", "false"]),  // RON text of each level
//!     ],
//! )
//! ```
//!
//! It is read with the scenario reader, so every problem is reported at once as
//! `file:line:column: field.path: message`. `Levels` values are written as the shortest
//! text that reads back exactly (`0.1`, `3`), as a command-line level would be.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::design::SOBOL_MAX_DIMS;
use super::sweep::{Design, Factor, Levels};
use crate::output::format::float;
use crate::scenario::{read_ron_file, ScenarioErrors};

/// The contents of a sweep file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename = "Sweep")]
pub struct SweepFile {
    /// Base scenario, relative to the sweep file's folder.
    pub scenario: String,
    #[serde(default = "grid")]
    pub design: Design,
    /// Points of an lhs or sobol design; levels of a `Range` in a grid (0: not given).
    #[serde(default)]
    pub points: u32,
    /// Seed of the Latin-hypercube design (default: the scenario's seed).
    #[serde(default)]
    pub seed: Option<u64>,
    pub factors: Vec<FactorSpec>,
}

fn grid() -> Design {
    Design::Grid
}

/// One varied field of a sweep file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum FactorSpec {
    /// Numeric levels.
    Levels { path: String, values: Vec<f64> },
    /// A range from `lo` to `hi`.
    Range { path: String, lo: f64, hi: f64 },
    /// Levels given as RON text (for booleans, names, structures).
    Text { path: String, values: Vec<String> },
}

/// A sweep file read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPlan {
    /// The base scenario's path (resolved against the sweep file's folder).
    pub scenario: PathBuf,
    pub factors: Vec<Factor>,
    pub design: Design,
    pub points: Option<usize>,
    pub seed: Option<u64>,
}

/// Reads and checks a sweep file; every problem is reported with its position.
pub fn load(path: &Path) -> Result<SweepPlan, ScenarioErrors> {
    let file = read_ron_file::<SweepFile>(path)?;
    let f = &file.value;
    let mut errors = Vec::new();
    if f.factors.is_empty() {
        errors.push(file.error("factors", "give at least one factor".into()));
    }
    let mut factors = Vec::new();
    for (i, spec) in f.factors.iter().enumerate() {
        let at = format!("factors[{i}]");
        let (path, levels) = match spec {
            FactorSpec::Levels { path, values } => {
                if let Some(v) = values.iter().position(|v| !v.is_finite()) {
                    errors.push(file.error(
                        &format!("{at}.values[{v}]"),
                        "levels must be finite numbers".into(),
                    ));
                }
                (
                    path,
                    Levels::List(values.iter().map(|&v| float(v)).collect()),
                )
            }
            FactorSpec::Range { path, lo, hi } => {
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    errors.push(file.error(
                        &format!("{at}.hi"),
                        format!("a range needs finite lo <= hi, got {lo} to {hi}"),
                    ));
                }
                if f.design == Design::Grid && f.points == 0 {
                    errors.push(file.error(
                        &at,
                        "a Range in a Grid needs `points: N` (N levels from lo to hi)".into(),
                    ));
                }
                (path, Levels::Range(*lo, *hi))
            }
            FactorSpec::Text { path, values } => (path, Levels::List(values.clone())),
        };
        if path.trim().is_empty() {
            errors.push(file.error(
                &format!("{at}.path"),
                "give the field to vary, e.g. \"practices[0].effect\"".into(),
            ));
        }
        if let Levels::List(v) = &levels {
            if v.is_empty() {
                errors.push(file.error(&format!("{at}.values"), "give at least one level".into()));
            }
        }
        factors.push(Factor {
            path: path.trim().to_string(),
            levels,
        });
    }
    if f.design != Design::Grid && f.points == 0 {
        errors.push(file.error(
            "design",
            "Lhs and Sobol designs need `points: N` (N at least 1)".into(),
        ));
    }
    if f.design == Design::Sobol && f.factors.len() > SOBOL_MAX_DIMS {
        errors.push(file.error(
            "factors",
            format!(
                "a Sobol design supports 1 to {SOBOL_MAX_DIMS} factors, got {}; use Lhs",
                f.factors.len()
            ),
        ));
    }
    if f.points > 100_000 {
        errors.push(file.error("points", format!("at most 100000 points, got {}", f.points)));
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(SweepPlan {
        scenario: folder.join(&f.scenario),
        factors,
        design: f.design,
        points: (f.points > 0).then_some(f.points as usize),
        seed: f.seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<SweepPlan, ScenarioErrors> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ron");
        std::fs::write(&path, text).unwrap();
        load(&path).map(|mut p| {
            p.scenario = p.scenario.strip_prefix(dir.path()).unwrap().to_path_buf();
            p
        })
    }

    #[test]
    fn reads_every_kind_of_factor() {
        let p = load_text(
            r#"Sweep(scenario: "../small.ron", design: Lhs, points: 4, seed: Some(3), factors: [
                Levels(path: "practices[0].effect", values: [0.05, 1]),
                Range(path: "ties.decay", lo: 0.02, hi: 0.08),
                Text(path: "output.places", values: ["true", "false"]),
            ])"#,
        )
        .unwrap();
        assert_eq!(p.scenario, Path::new("../small.ron"));
        assert_eq!(
            (p.design, p.points, p.seed),
            (Design::Lhs, Some(4), Some(3))
        );
        assert_eq!(
            p.factors[0].levels,
            Levels::List(vec!["0.05".into(), "1".into()])
        );
        assert_eq!(p.factors[1].levels, Levels::Range(0.02, 0.08));
        assert_eq!(p.factors[2].path, "output.places");
    }

    #[test]
    fn reports_every_problem_with_its_line_column_and_path() {
        let e = load_text(
            "Sweep(\n  scenario: \"x.ron\",\n  design: Sobol,\n  factors: [\n    Range(path: \"a\", lo: 2.0, hi: 1.0),\n    Levels(path: \"b\", values: [\"x\"]),\n    Nope(path: \"c\"),\n  ],\n  colour: 3,\n)",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":6:"), "{e}");
        assert!(e.contains("factors[1].values[0]"), "{e}");
        assert!(e.contains(":7:5: factors[2]"), "{e}");
        assert!(e.contains("colour"), "{e}");
        // Semantic problems come only once the types are right.
        let e = load_text(
            "Sweep(\n  scenario: \"x.ron\",\n  design: Sobol,\n  factors: [\n    Range(path: \"a\", lo: 2.0, hi: 1.0),\n  ],\n)",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(":5:35: factors[0].hi: a range needs finite lo <= hi"),
            "{e}"
        );
        assert!(
            e.contains(":3:11: design: Lhs and Sobol designs need `points: N`"),
            "{e}"
        );
    }
}
