//! Shared helpers of the CLI tests: the binary, the workhorse scenario, fixtures.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `changenet` binary under test.
pub fn changenet() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("changenet")
}

/// The tests' workhorse scenario (`scenarios/small.ron`).
pub fn small_ron() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small.ron")
}

/// `changenet run scenarios/small.ron` into `out` with `threads` threads, quietly.
pub fn run_small(out: &Path, threads: u32, replicates: u32) -> assert_cmd::assert::Assert {
    changenet()
        .arg("run")
        .arg(small_ron())
        .args(["--threads", &threads.to_string()])
        .args(["--replicates", &replicates.to_string()])
        .args(["--seed", "11", "--quiet", "--out"])
        .arg(out)
        .assert()
}

/// A valid scenario whose lines the validation tests refer to by number.
pub const TINY: &str = r#"(
    name: "tiny",
    replicates: 2,
    calendar: (start: "2016-01", end: "2017-12", step_months: 1),
    places: [(name: "north", population: 1000.0, inactive_prevalence: 0.3)],
    kinds: [(name: "club")],
    organisations: Generate([(kind: "club", place: "north", count: 10)]),
    practices: [(name: "walking", kernel: Bass(innovation: 0.01, imitation: 0.3))],
    target: (relative_reduction: 0.15, baseline_year: 2016, target_year: 2017),
)
"#;

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("writing a fixture");
    path
}

/// The first line of a file.
pub fn header(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("reading an output");
    text.lines().next().unwrap_or_default().to_string()
}

/// Asserts that a command's stderr is a plain message, not a panic trace.
pub fn assert_no_panic(stderr: &[u8]) {
    let text = String::from_utf8_lossy(stderr);
    for sign in ["panicked", "RUST_BACKTRACE", "internal error"] {
        assert!(!text.contains(sign), "stderr shows a panic: {text}");
    }
    assert!(!text.trim().is_empty(), "stderr gives no cause");
}

/// Parses `dir/report.html` (well-formed, nothing fetched) and returns the answer
/// paragraph's text and attributes.
pub fn answer(dir: &Path) -> (String, BTreeMap<String, String>) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    // Self-contained: nothing is fetched (no src or href attributes at all).
    assert!(
        !html.contains(" src=") && !html.contains(" href="),
        "external reference"
    );
    let p = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("answer"))
        .unwrap();
    let attrs = p
        .attributes()
        .map(|a| (a.name().to_string(), a.value().to_string()))
        .collect();
    (p.text().unwrap_or("").to_string(), attrs)
}
