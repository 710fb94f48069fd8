//! `changenet sensitivity`: a tiny Morris and Sobol study on small.ron, byte-identical at
//! any thread count, re-analysable from its folder, and clear refusals of bad input.

mod common;

use std::path::Path;

use common::*;

const FACTORS: [&str; 4] = [
    "--factor",
    "practices[0].effect=0.02..0.2",
    "--factor",
    "ties.decay=0..0.2",
];

fn study(out: &Path, method: &str, samples: &str, threads: &str) -> String {
    study_with(out, method, samples, threads, &[])
}

fn study_with(out: &Path, method: &str, samples: &str, threads: &str, extra: &[&str]) -> String {
    let a = changenet()
        .arg("sensitivity")
        .arg(small_ron())
        .args(FACTORS)
        .args(["--factor", "interventions[0].action.staff_per_org=1..6:int"])
        .args(["--method", method, "--samples", samples])
        .args([
            "--outcome",
            "final_prevalence",
            "-r",
            "2",
            "-j",
            threads,
            "-q",
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn morris_study_writes_indices_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("j1"), dir.path().join("j2"));
    let stdout = study(&one, "morris", "3", "1");
    study(&two, "morris", "3", "2");
    for f in [
        "sensitivity.csv",
        "sensitivity.json",
        "runs.csv",
        "summary.csv",
    ] {
        let read = |d: &Path| std::fs::read(d.join(f)).unwrap();
        assert_eq!(read(&one), read(&two), "{f}");
    }
    let csv = std::fs::read_to_string(one.join("sensitivity.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "factor,index,value,low,high");
    // Three factors x (mu_star, mu, sigma), factor by factor.
    assert_eq!(lines.len(), 1 + 9);
    assert!(lines[1].starts_with("practices[0].effect,mu_star,"));
    assert!(lines[9].starts_with("interventions[0].action.staff_per_org,sigma,"));
    for l in &lines[1..] {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 5, "{l}");
        let v: Vec<f64> = f[2..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v[1] <= v[2], "{l}");
    }
    // 3 trajectories x 4 points x 2 replicates; pick is a whole number.
    let runs = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 24);
    assert!(runs
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(3).unwrap().parse::<u32>().is_ok()));
    assert!(stdout.contains("rank  factor"), "{stdout}");
    assert!(stdout.contains("Within the ranges tried"), "{stdout}");
    let report = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(report.contains("data-chart=\"sensitivity\""));
    assert!(one.join("plots").join("sensitivity.svg").is_file());
}

#[test]
fn a_folder_is_reanalysed_for_another_outcome_from_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    study(&out, "sobol", "4", "2");
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 2);
    assert!(csv.contains("\nties.decay,S1,") && csv.contains("\nties.decay,ST,"));
    // 4 base samples x (3 + 2) points x 2 replicates.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 40);
    changenet()
        .args([
            "sensitivity",
            "--analyse-only",
            "--outcome",
            "members",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("outcome members per point"));
    let json = std::fs::read_to_string(out.join("sensitivity.json")).unwrap();
    assert!(json.contains("\"outcome\": \"members\""), "{json}");
    assert_ne!(
        csv,
        std::fs::read_to_string(out.join("sensitivity.csv")).unwrap()
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = |args: &[&str], says: &str| {
        changenet()
            .arg("sensitivity")
            .arg(small_ron())
            .args(args)
            .args(["-r", "2", "-q", "--out"])
            .arg(dir.path().join("bad"))
            .env_remove("SLURM_ARRAY_TASK_ID")
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
    };
    bad(
        &["--factor", "training.no_such_field=0..1"],
        "no_such_field",
    );
    bad(&["--factor", "ties.decay=0.5..0.1"], "LO <= HI");
    bad(&["--factor", "ties.decay=0.1,0.2"], "PATH=LO..HI");
    bad(
        &[&FACTORS[..], &["--outcome", "happiness"]].concat(),
        "unknown outcome \"happiness\"",
    );
    bad(&[&FACTORS[..], &["--levels", "3"]].concat(), "even");
    bad(&["--outcome", "members"], "at least one --factor");
    changenet()
        .args(["sensitivity", "--analyse-only", "--out"])
        .arg(dir.path().join("no-such-folder"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is this a sensitivity folder"));
}

/// A study run as 3 shards (as a Slurm array would), merged, then analysed from the merged
/// folder, gives the same indices as the study run whole.
#[test]
fn sharded_study_merges_to_the_same_indices() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    study(&whole, "morris", "3", "2");
    let mut shards = Vec::new();
    for k in 0..3 {
        let d = dir.path().join(format!("shard{k}"));
        let stdout = study_with(&d, "morris", "3", "1", &["--shard", &format!("{k}/3")]);
        assert!(stdout.contains("shard"), "{stdout}");
        assert!(!d.join("sensitivity.csv").exists());
        shards.push(d);
    }
    let merged = dir.path().join("merged");
    changenet()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    changenet()
        .args([
            "sensitivity",
            "--analyse-only",
            "--outcome",
            "final_prevalence",
            "-q",
            "--out",
        ])
        .arg(&merged)
        .assert()
        .success();
    for f in [
        "sensitivity.csv",
        "sensitivity.json",
        "runs.csv",
        "summary.csv",
    ] {
        let read = |d: &Path| std::fs::read(d.join(f)).unwrap();
        assert_eq!(read(&whole), read(&merged), "{f}");
    }
}

/// `--resume` on a finished study keeps its runs and gives the same files.
#[test]
fn resumed_study_gives_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("s");
    study(&d, "morris", "2", "2");
    let before: Vec<Vec<u8>> = ["sensitivity.csv", "runs.csv", "summary.csv"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    study_with(&d, "morris", "2", "1", &["--resume"]);
    for (f, b) in ["sensitivity.csv", "runs.csv", "summary.csv"]
        .iter()
        .zip(before)
    {
        assert_eq!(std::fs::read(d.join(f)).unwrap(), b, "{f}");
    }
}
