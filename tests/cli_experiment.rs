//! `run --resume` after a real kill -9, `run --shard K/N` and `merge`: byte identity with
//! an uninterrupted, unsharded run, and merge refusing shards of different runs.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

const FILES: [&str; 5] = [
    "runs.csv",
    "timeseries.csv",
    "summary.csv",
    "places.csv",
    "manifest.json",
];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let read = |d: &Path| std::fs::read(d.join(f)).unwrap_or_default();
        assert!(
            read(a) == read(b),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn run_args(out: &Path, replicates: u32, threads: u32) -> Vec<String> {
    let mut args = vec![
        "run".to_string(),
        small_ron().display().to_string(),
        "--seed".into(),
        "11".into(),
        "--quiet".into(),
        "-r".into(),
        replicates.to_string(),
        "-j".into(),
        threads.to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.shrink_to_fit();
    args
}

fn data_rows(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1))
        .unwrap_or(0)
}

#[test]
fn a_run_killed_mid_way_and_resumed_is_byte_identical_to_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, killed) = (dir.path().join("clean"), dir.path().join("killed"));
    let n = 200;
    changenet()
        .args(run_args(&clean, n, 2))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin!("changenet");
    let mut child = std::process::Command::new(bin)
        .args(run_args(&killed, n, 1))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = killed.join("runs.csv.partial");
    let start = Instant::now();
    while data_rows(&partial) < 3 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done = data_rows(&partial);
    assert!(
        (3..n as usize).contains(&done),
        "killed after {done} of {n} runs: not mid-way"
    );
    assert!(!killed.join("manifest.json").exists());
    // A row torn by the kill is cut off, not trusted.
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes.extend_from_slice(b"999,3,11,0.2");
    std::fs::write(&partial, bytes).unwrap();
    let mut args = run_args(&killed, n, 2);
    args.push("--resume".into());
    changenet().args(args).assert().success();
    same_files(&clean, &killed);
    assert!(!killed.join("resume.json").exists());
}

#[test]
fn resume_refuses_a_folder_of_another_seed_and_resuming_a_finished_folder_reruns_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a");
    changenet().args(run_args(&out, 3, 1)).assert().success();
    // Finished: nothing to resume, so it runs afresh and writes the same bytes.
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let mut args = run_args(&out, 3, 1);
    args.push("--resume".into());
    changenet().args(&args).assert().success();
    assert_eq!(before, std::fs::read(out.join("summary.csv")).unwrap());
    // An unfinished folder of seed 11, resumed with seed 12, is refused.
    let id = r#"{"version":"0.1.0","scenario_sha256":"x","seed":11,"replicates":3,"overrides":[],"shard":null}"#;
    std::fs::write(out.join("resume.json"), id).unwrap();
    let at = args.iter().position(|a| a == "11").unwrap();
    args[at] = "12".into();
    changenet()
        .args(&args)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "unfinished run of another scenario",
        ));
}

#[test]
fn shards_merge_into_the_unsharded_run_and_mismatched_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    changenet()
        .args(run_args(&d("whole"), 7, 2))
        .assert()
        .success();
    for k in 0..3 {
        let mut args = run_args(&d(&format!("s{k}")), 7, 1);
        args.extend(["--shard".into(), format!("{k}/3")]);
        changenet().args(args).assert().success();
    }
    assert_eq!(data_rows(&d("s0").join("runs.csv")), 2);
    changenet()
        .args(["merge", "--out"])
        .arg(d("merged"))
        .args([d("s2"), d("s0"), d("s1")])
        .assert()
        .success();
    same_files(&d("whole"), &d("merged"));

    // The same slice from Slurm's job-array variables.
    changenet()
        .args(run_args(&d("env1"), 7, 1))
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .assert()
        .success();
    assert_eq!(
        std::fs::read(d("env1").join("runs.csv")).unwrap(),
        std::fs::read(d("s1").join("runs.csv")).unwrap()
    );

    // Another seed.
    let mut args = run_args(&d("other"), 7, 1);
    let at = args.iter().position(|a| a == "11").unwrap();
    args[at] = "12".into();
    args.extend(["--shard".into(), "1/3".into()]);
    changenet().args(args).assert().success();
    let refuse = |dirs: &[&str], why: &str| {
        changenet()
            .args(["merge", "--out"])
            .arg(d("bad"))
            .args(dirs.iter().map(|n| d(n)))
            .assert()
            .code(2)
            .stderr(predicates::str::contains(why.to_string()));
    };
    refuse(&["s0", "other", "s2"], "seed");
    refuse(&["s0", "s1"], "missing");
    refuse(&["s0", "s1", "s1", "s2"], "twice");
    refuse(&["s0", "s1", "whole"], "not a shard");
    // Another scenario (an override changes the canonical text).
    let mut args = run_args(&d("over"), 7, 1);
    args.extend([
        "--shard".into(),
        "2/3".into(),
        "--set".into(),
        "target.relative_reduction=0.2".into(),
    ]);
    changenet().args(args).assert().success();
    refuse(&["s0", "s1", "over"], "scenario digest");
    assert!(!d("bad").join("manifest.json").exists());
}
