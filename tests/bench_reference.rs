//! The benchmark scenarios of scenarios/bench/ give the reference kernel's results
//! (../shared/bench/README.md): same final adopters (sha256 of the sorted indices, one
//! `index\n` each), same step count and same new adopters at every step.
//!
//! The graphs live outside the repository, in ../shared/bench/data beside the checkout. When
//! they are missing the test fails and says so: a benchmark that silently passes without
//! its data would check nothing. Only `CHANGENET_SKIP_BENCH_DATA=1` (set by .ci/run, with a
//! warning, on a machine without the folder) turns the failure into a printed skip.

use std::path::{Path, PathBuf};

use changenet::bench::settle;
use changenet::scenario::check_file;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs scenarios/bench/<graph>.ron after checking its data files are there; `None` (with
/// a loud note) only when CHANGENET_SKIP_BENCH_DATA=1 says the machine has no copy.
fn settled(graph: &str) -> Option<changenet::bench::Settled> {
    let data = repo().join("../shared/bench/data");
    if !data.join(format!("{graph}.edges")).is_file()
        && std::env::var("CHANGENET_SKIP_BENCH_DATA").as_deref() == Ok("1")
    {
        eprintln!(
            "SKIPPED: {} has no {graph}.edges and CHANGENET_SKIP_BENCH_DATA=1; this test \
             checked nothing",
            data.display()
        );
        return None;
    }
    for ext in ["edges", "seeds"] {
        let f = data.join(format!("{graph}.{ext}"));
        assert!(
            f.is_file(),
            "benchmark data missing: {} does not exist. The benchmark graphs live in \
             ../shared/bench/data beside the repository (see ../shared/bench/README.md).",
            f.display()
        );
    }
    let scenario = repo().join(format!("scenarios/bench/{graph}.ron"));
    let plan = check_file(Path::new(&scenario), &[])
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    Some(settle(&plan).unwrap_or_else(|e| panic!("{graph}: {e}")))
}

/// Checks a graph's settled run against the reference figures (README of ../shared/bench
/// and the kernel's printed trajectory of new adopters per step).
fn matches(graph: &str, digest: &str, adopters: usize, trajectory: &[u64]) {
    let Some(s) = settled(graph) else { return };
    assert_eq!(s.digest(), digest, "{graph}: final adopter digest");
    assert_eq!(s.adopters.len(), adopters, "{graph}: final adopters");
    assert_eq!(s.steps as usize, trajectory.len(), "{graph}: steps");
    assert_eq!(s.trajectory, trajectory, "{graph}: new adopters per step");
}

#[test]
fn watts_strogatz_matches_the_reference_kernel() {
    matches(
        "ws",
        "a658f34417004048e470697bf202006272fd1e2f99bf3b9051a56fbef15a586c",
        10_000,
        &[
            37, 95, 102, 119, 157, 201, 258, 352, 471, 593, 784, 985, 1230, 1465, 1445, 1022, 471,
            105, 8, 0,
        ],
    );
}

#[test]
fn barabasi_albert_matches_the_reference_kernel() {
    matches(
        "ba",
        "e036caa9fed8fefb14842a6da4b7c22e75fad15a00de6025f8ac6da95d87be96",
        3_973,
        &[
            1549, 373, 343, 165, 124, 92, 68, 50, 37, 18, 28, 16, 13, 13, 14, 20, 17, 6, 7, 7, 4,
            2, 1, 2, 1, 3, 0,
        ],
    );
}

/// The ER graph (69 MB, generated, not stored by default) is checked when asked for.
#[test]
#[ignore = "needs ../shared/bench/data/er.edges (gen_graphs.py er); `cargo test --release --test bench_reference -- --ignored`"]
fn erdos_renyi_matches_the_reference_kernel() {
    matches(
        "er",
        "3dd863a0a54a972ecac33a8e2106db2c37cf5db726ec5a9b5d26f0927163c4b9",
        19_737,
        &[
            5010, 2120, 1063, 601, 346, 189, 141, 92, 55, 52, 30, 16, 9, 8, 3, 2, 0,
        ],
    );
}
