//! Sweeps and comparisons as resumable, shardable experiments: `--resume` after a real
//! kill -9, `--shard K/N` (and Slurm's variables) merged back, sweep files, and `verify` of
//! their folders: every file byte-identical to one uninterrupted, unsharded run.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

const FILES: [&str; 8] = [
    "runs.csv",
    "timeseries.csv",
    "summary.csv",
    "places.csv",
    "ranking.txt",
    "paired.csv",
    "manifest.json",
    "resume.json",
];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let read = |d: &Path| std::fs::read(d.join(f)).ok();
        assert!(
            read(a) == read(b),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn sweep_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/small_training.ron")
}

/// A 3 x 2 grid sweep of small.ron.
fn sweep_args(out: &Path, replicates: u32, threads: u32) -> Vec<String> {
    let mut a: Vec<String> = vec!["sweep".into(), small_ron().display().to_string()];
    for x in [
        "--vary",
        "practices[0].effect=0.05,0.1,0.2",
        "--vary",
        "ties.decay=0.02..0.08",
        "--points",
        "2",
        "--seed",
        "5",
        "--quiet",
        "--no-report",
    ] {
        a.push(x.into());
    }
    a.extend(["-r".into(), replicates.to_string()]);
    a.extend(["-j".into(), threads.to_string()]);
    a.extend(["--out".into(), out.display().to_string()]);
    a
}

fn compare_args(out: &Path, replicates: u32, threads: u32) -> Vec<String> {
    let mut a: Vec<String> = vec!["compare".into(), small_ron().display().to_string()];
    for x in [
        "--arm",
        "base:",
        "--arm",
        "strong:practices[0].effect=0.2,ties.decay=0.01",
        "--arm",
        "weak:practices[0].effect=0.02",
        "--quiet",
    ] {
        a.push(x.into());
    }
    a.extend(["-r".into(), replicates.to_string()]);
    a.extend(["-j".into(), threads.to_string()]);
    a.extend(["--out".into(), out.display().to_string()]);
    a
}

fn data_rows(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1))
        .unwrap_or(0)
}

/// Starts `args` with one thread, kills it (SIGKILL) once `at_least` runs are written,
/// tears its last row, then resumes with two threads and checks the files against `clean`.
fn kill_and_resume(args: Vec<String>, out: &Path, clean: &Path, at_least: usize, total: usize) {
    let bin = assert_cmd::cargo::cargo_bin!("changenet");
    let mut child = std::process::Command::new(bin)
        .args(&args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = out.join("runs.csv.partial");
    let start = Instant::now();
    while data_rows(&partial) < at_least && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = data_rows(&partial);
    assert!(
        (at_least..total).contains(&done),
        "killed after {done} of {total} runs: not mid-way"
    );
    assert!(!out.join("manifest.json").exists());
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes.extend_from_slice(b"9999,0.1,0.0");
    std::fs::write(&partial, bytes).unwrap();
    let mut resumed = args.clone();
    if let Some(j) = resumed.iter().position(|a| a == "-j") {
        resumed[j + 1] = "2".into();
    }
    resumed.push("--resume".into());
    changenet()
        .args(resumed)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    same_files(clean, out);
}

#[test]
fn a_sweep_killed_mid_way_and_resumed_is_byte_identical_to_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, killed) = (dir.path().join("clean"), dir.path().join("killed"));
    // 6 points x 30 replicates: the kill lands inside a later point, after whole points.
    changenet()
        .args(sweep_args(&clean, 30, 2))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    assert!(std::fs::read_to_string(clean.join("ranking.txt"))
        .unwrap()
        .starts_with("rank  point  practices[0].effect  ties.decay  P(target met)"));
    kill_and_resume(sweep_args(&killed, 30, 1), &killed, &clean, 40, 180);
}

#[test]
fn a_comparison_killed_mid_way_and_resumed_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, killed) = (dir.path().join("clean"), dir.path().join("killed"));
    changenet()
        .args(compare_args(&clean, 40, 2))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    kill_and_resume(compare_args(&killed, 40, 1), &killed, &clean, 10, 120);
}

#[test]
fn sweep_and_compare_shards_merge_into_the_unsharded_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    for (name, args) in [
        ("sweep", sweep_args as fn(&Path, u32, u32) -> Vec<String>),
        ("compare", compare_args),
    ] {
        let whole = d(&format!("{name}-whole"));
        changenet()
            .args(args(&whole, 5, 2))
            .env_remove("SLURM_ARRAY_TASK_ID")
            .assert()
            .success();
        // 4 slices of 30 (sweep) or 15 (compare) runs: boundaries fall inside points.
        let mut shards = Vec::new();
        for k in 0..4 {
            let s = d(&format!("{name}-s{k}"));
            let mut cmd = changenet();
            cmd.args(args(&s, 5, 1));
            if k == 1 {
                // Slice 1 from Slurm's job-array variables instead of --shard.
                cmd.env("SLURM_ARRAY_TASK_ID", "1")
                    .env("SLURM_ARRAY_TASK_COUNT", "4");
            } else {
                cmd.args(["--shard", &format!("{k}/4")])
                    .env_remove("SLURM_ARRAY_TASK_ID");
            }
            cmd.assert().success();
            assert!(!s.join("ranking.txt").exists() && !s.join("paired.csv").exists());
            shards.push(s);
        }
        shards.reverse();
        let merged = d(&format!("{name}-merged"));
        changenet()
            .args(["merge", "--out"])
            .arg(&merged)
            .args(&shards)
            .assert()
            .success();
        same_files(&whole, &merged);
        changenet()
            .args(["verify", "-q"])
            .arg(&merged)
            .assert()
            .success();
    }
    // Shards of the sweep and of the comparison are not one experiment.
    changenet()
        .args(["merge", "--out"])
        .arg(d("mixed"))
        .args([d("sweep-s0"), d("compare-s1"), d("sweep-s2"), d("sweep-s3")])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot merge"));
}

#[test]
fn verify_reruns_sweep_and_compare_folders_and_names_an_edited_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("sweep", sweep_args as fn(&Path, u32, u32) -> Vec<String>),
        ("compare", compare_args),
    ] {
        let out = dir.path().join(name);
        changenet()
            .args(args(&out, 3, 2))
            .env_remove("SLURM_ARRAY_TASK_ID")
            .assert()
            .success();
        changenet()
            .args(["verify", "-q", "-j", "1"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicates::str::contains("identical to its re-run"));
        let edited = if name == "sweep" {
            "summary.csv"
        } else {
            "paired.csv"
        };
        let path = out.join(edited);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(",3,", ",4,", 1)).unwrap();
        changenet()
            .args(["verify", "-q"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(format!(
                "{edited}: differs from the re-run first at line 2"
            )));
    }
}

#[test]
fn the_shipped_sweep_file_runs_as_its_command_line_equivalent() {
    let dir = tempfile::tempdir().unwrap();
    let (file, line) = (dir.path().join("file"), dir.path().join("line"));
    changenet()
        .arg("sweep")
        .arg(sweep_file())
        .args(["-r", "2", "--quiet", "--no-report", "--out"])
        .arg(&file)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    changenet()
        .arg("sweep")
        .arg(small_ron())
        .args(["--vary", "practices[0].effect=0.08,0.16"])
        .args(["--vary", "ties.decay=0.02..0.08", "--points", "2"])
        .args(["-r", "2", "--quiet", "--no-report", "--out"])
        .arg(&line)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    for f in [
        "runs.csv",
        "timeseries.csv",
        "summary.csv",
        "places.csv",
        "ranking.txt",
    ] {
        let read = |d: &Path| std::fs::read(d.join(f)).unwrap();
        assert!(read(&file) == read(&line), "{f}");
    }
    assert_eq!(data_rows(&file.join("runs.csv")), 8);
    // A sweep file with --vary is refused; so is a bad factor, with its position.
    changenet()
        .arg("sweep")
        .arg(sweep_file())
        .args(["--vary", "seed=1,2", "--quiet", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("drop --vary"));
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        format!(
            "Sweep(\n    scenario: {:?},\n    factors: [\n        Levels(path: \"practices[0].effect\", values: [0.1, \"high\"]),\n    ],\n)\n",
            small_ron().display().to_string()
        ),
    )
    .unwrap();
    changenet()
        .arg("sweep")
        .arg(&bad)
        .args(["--quiet", "--out"])
        .arg(dir.path().join("y"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}:4:59: factors[0].values[1]: expected a number",
            bad.display()
        )));
}
