//! Scenario files: RON text -> typed [`Scenario`] -> checked [`crate::plan::Plan`].
//!
//! Reading reports every problem it can find in one pass, each with the file, line,
//! column and field path (`file:line:column: field.path: message`). The stages:
//! `spanned` parses text into a tree that remembers positions; `overrides` applies
//! `--set PATH=VALUE` to that tree; `de` deserializes it, collecting type errors; `validate`
//! (then `Plan::new`) checks meaning. [`check_file`] and [`check_text`] run them all.

pub mod date;
mod de;
mod overrides;
pub mod spanned;
pub mod types;
pub mod validate;

pub use date::YearMonth;
pub use overrides::split_override;
pub use types::*;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::plan::Plan;
use spanned::Pos;

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
        // Line 0: no position in a file (a `--set` override, an unreadable file).
        if self.line == 0 {
            if self.path.is_empty() {
                return write!(f, "{}: {}", self.file, self.message);
            }
            return write!(f, "{}: {}: {}", self.file, self.path, self.message);
        }
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

/// Parses scenario text into a typed scenario (syntax and types only; no semantic checks).
pub fn parse_str(file: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    read(file, text, &[]).map(|(s, _)| s)
}

/// Reads and parses a scenario file (syntax and types only; see [`check_file`]).
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let file = path.display().to_string();
    let bytes = read_bytes(path)?;
    let text = text_of(&file, &bytes)?;
    parse_str(&file, text)
}

/// Reads, overrides, type-checks and validates a scenario file, and resolves it into a plan.
/// Relative paths inside it are resolved against the file's folder.
pub fn check_file(path: &Path, overrides: &[(String, String)]) -> Result<Plan, ScenarioErrors> {
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let bytes = read_bytes(path)?;
    check_bytes(&path.display().to_string(), &bytes, base, overrides)
}

/// As [`check_text`] for raw bytes, which need not be UTF-8 text.
pub fn check_bytes(
    file: &str,
    bytes: &[u8],
    base_dir: &Path,
    overrides: &[(String, String)],
) -> Result<Plan, ScenarioErrors> {
    let text = text_of(file, bytes)?;
    check_text(file, text, base_dir, overrides)
}

/// Parses `text` (named `file` in messages), applies `--set PATH=VALUE` overrides, checks
/// types and meaning, and resolves it into a plan. Every problem is reported, in file order
/// (overrides last).
pub fn check_text(
    file: &str,
    text: &str,
    base_dir: &Path,
    overrides: &[(String, String)],
) -> Result<Plan, ScenarioErrors> {
    let (scenario, paths) = read(file, text, overrides)?;
    let mut problems = validate::validate(&scenario, base_dir);
    match Plan::new(scenario, base_dir.to_path_buf()) {
        Ok(plan) if problems.is_empty() => return Ok(plan),
        Ok(_) => {}
        Err(errs) => problems.extend(errs),
    }
    let mut located: Vec<(Pos, Diagnostic)> = problems
        .into_iter()
        .map(|e| {
            let pos = position_of(&paths, &e.path);
            (pos, diagnostic(file, overrides, pos, e.path, e.message))
        })
        .collect();
    located.sort_by_key(|(p, _)| *p);
    Err(ScenarioErrors(
        located.into_iter().map(|(_, d)| d).collect(),
    ))
}

/// The position of `path`, or of its nearest ancestor present in the file (defaulted
/// fields have no position of their own).
fn position_of(paths: &BTreeMap<String, Pos>, path: &str) -> Pos {
    let mut p = path;
    loop {
        if let Some(pos) = paths.get(p) {
            return *pos;
        }
        match p.rfind(['.', '[']) {
            Some(i) => p = &p[..i],
            None => return paths.get("").copied().unwrap_or(FILE_START),
        }
    }
}

const FILE_START: Pos = Pos {
    source: 0,
    line: 1,
    column: 1,
};

fn diagnostic(
    file: &str,
    overrides: &[(String, String)],
    pos: Pos,
    path: String,
    message: String,
) -> Diagnostic {
    match (pos.source as usize).checked_sub(1) {
        None => Diagnostic {
            file: file.to_string(),
            line: pos.line as usize,
            column: pos.column as usize,
            path,
            message,
        },
        Some(k) => Diagnostic {
            file: format!(
                "--set {}",
                overrides.get(k).map(|o| o.0.as_str()).unwrap_or("?")
            ),
            line: 0,
            column: 0,
            path,
            message,
        },
    }
}

/// A RON file read with the scenario reader: the typed value and where each field path is.
pub struct Located<T> {
    pub value: T,
    pub paths: BTreeMap<String, Pos>,
    pub file: String,
}

impl<T> Located<T> {
    /// A diagnostic at `path` (or its nearest ancestor present in the file).
    pub fn error(&self, path: &str, message: String) -> Diagnostic {
        let pos = position_of(&self.paths, path);
        diagnostic(&self.file, &[], pos, path.to_string(), message)
    }
}

/// Reads a RON file other than a scenario (a sweep file, say) into `T` with the same reader:
/// every syntax and type problem as `file:line:column: field.path: message`.
pub fn read_ron_file<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Located<T>, ScenarioErrors> {
    let file = path.display().to_string();
    let bytes = read_bytes(path)?;
    let text = text_of(&file, &bytes)?;
    let mut next_id = 0u32;
    let root = spanned::parse(text, 0, &mut next_id).map_err(|e| {
        ScenarioErrors(vec![diagnostic(
            &file,
            &[],
            e.pos,
            String::new(),
            e.message,
        )])
    })?;
    let out = de::from_tree::<T>(&root);
    let mut problems = out.problems;
    problems.sort_by_key(|p| p.pos);
    match out.value {
        Some(value) if problems.is_empty() => Ok(Located {
            value,
            paths: out.paths,
            file,
        }),
        _ => Err(ScenarioErrors(
            problems
                .into_iter()
                .map(|p| diagnostic(&file, &[], p.pos, p.path, p.message))
                .collect(),
        )),
    }
}

/// The name of a RON file's top-level struct (`Scenario`, `Sweep`), if it parses as one.
pub fn top_level_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut next_id = 0u32;
    match spanned::parse(&text, 0, &mut next_id).ok()?.value {
        spanned::Value::Struct(name, _) | spanned::Value::Tuple(name, _) => name,
        _ => None,
    }
}

/// Syntax, overrides and types: the typed scenario and where each field path is.
fn read(
    file: &str,
    text: &str,
    overrides: &[(String, String)],
) -> Result<(Scenario, BTreeMap<String, Pos>), ScenarioErrors> {
    let mut next_id = 0u32;
    let mut root = spanned::parse(text, 0, &mut next_id).map_err(|e| {
        ScenarioErrors(vec![diagnostic(
            file,
            overrides,
            e.pos,
            String::new(),
            e.message,
        )])
    })?;
    let mut errors = Vec::new();
    for (k, (path, value)) in overrides.iter().enumerate() {
        let source = k as u32 + 1;
        let here = Pos {
            source,
            line: 1,
            column: 1,
        };
        let set = |msg: String| diagnostic(file, overrides, here, path.clone(), msg);
        let segs = match overrides::parse_path(path) {
            Ok(s) => s,
            Err(m) => {
                errors.push(set(m));
                continue;
            }
        };
        let node = match spanned::parse(value, source, &mut next_id) {
            Ok(n) => n,
            Err(e) => {
                errors.push(set(format!(
                    "value {value:?} is not valid RON (column {}: {}); strings need double quotes, as in `name=\"x\"`",
                    e.pos.column, e.message
                )));
                continue;
            }
        };
        let mut mk = |v: spanned::Value| {
            let n = spanned::Node {
                id: next_id,
                pos: here,
                value: v,
            };
            next_id = next_id.wrapping_add(1);
            n
        };
        if let Err(m) = overrides::apply(&mut root, &segs, node, &mut mk) {
            errors.push(set(format!("unknown path: {m}")));
        }
    }
    let out = de::from_tree::<Scenario>(&root);
    let mut problems = out.problems;
    problems.sort_by_key(|p| p.pos);
    errors.extend(
        problems
            .into_iter()
            .map(|p| diagnostic(file, overrides, p.pos, p.path, p.message)),
    );
    match out.value {
        Some(s) if errors.is_empty() => Ok((s, out.paths)),
        _ => Err(ScenarioErrors(errors)),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ScenarioErrors> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path);
    if let Ok(m) = &meta {
        if m.len() > spanned::MAX_BYTES as u64 {
            return Err(one(
                &file,
                0,
                0,
                format!(
                    "file is {} bytes; at most {} MiB is accepted",
                    m.len(),
                    spanned::MAX_BYTES >> 20
                ),
            ));
        }
    }
    std::fs::read(path).map_err(|e| one(&file, 0, 0, format!("cannot read: {e}")))
}

fn one(file: &str, line: usize, column: usize, message: String) -> ScenarioErrors {
    ScenarioErrors(vec![Diagnostic {
        file: file.to_string(),
        line,
        column,
        path: String::new(),
        message,
    }])
}

/// The bytes as text, or a diagnostic naming where they stop being UTF-8 text.
fn text_of<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, ScenarioErrors> {
    let line_col = |upto: usize| {
        let head = String::from_utf8_lossy(&bytes[..upto.min(bytes.len())]);
        let line = head.matches('\n').count() + 1;
        let column = head.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    };
    if bytes.len() > spanned::MAX_BYTES {
        return Err(one(
            file,
            1,
            1,
            format!(
                "input is {} bytes; at most {} MiB is accepted",
                bytes.len(),
                spanned::MAX_BYTES >> 20
            ),
        ));
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        let (l, c) = line_col(i);
        return Err(one(
            file,
            l,
            c,
            format!("binary data (a NUL byte at offset {i}); a scenario is a RON text file"),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let i = e.valid_up_to();
        let (l, c) = line_col(i);
        one(
            file,
            l,
            c,
            format!("not UTF-8 text (invalid byte at offset {i}); a scenario is a RON text file"),
        )
    })
}

/// Canonical text of a scenario (pretty RON of the typed value, defaults filled in): what
/// manifests record and digest.
pub fn canonical(s: &Scenario) -> String {
    let cfg = ron::ser::PrettyConfig::new()
        .indentor("  ".to_string())
        .struct_names(true);
    ron::ser::to_string_pretty(s, cfg).unwrap_or_default()
}
