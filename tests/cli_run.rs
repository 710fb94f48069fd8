//! `changenet run`: the files it writes, their columns, determinism across thread counts,
//! and exit codes on bad arguments.

mod common;

use common::*;

#[test]
fn run_writes_every_file_with_the_documented_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out, 2, 3).success();
    for f in ["manifest.json", "runs.csv", "timeseries.csv", "summary.csv"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let runs = header(&out.join("runs.csv"));
    assert!(
        runs.starts_with(
            "run,replicate,seed,baseline_prevalence,final_prevalence,relative_reduction,\
             target_met,target_year_reached,final_adopters_"
        ),
        "{runs}"
    );
    assert!(runs.ends_with(
        ",active_improvers,mean_commitment,members,fit_rmse,total_cost,cost_per_point,error"
    ));
    let ts = header(&out.join("timeseries.csv"));
    assert!(
        ts.starts_with("run,step,date,prevalence,inactive,trialling_"),
        "{ts}"
    );
    assert!(
        ts.contains(",embedded_") && ts.contains(",discontinued_"),
        "{ts}"
    );
    assert!(ts.ends_with(",trained,active_improvers,mean_commitment,members,ties"));
    assert_eq!(
        header(&out.join("summary.csv")),
        "metric,date,n,mean,sd,p5,p50,p95,ci_low,ci_high"
    );
    let runs_text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs_text.lines().count(), 1 + 3);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tool"], "changenet");
    assert_eq!(manifest["seed"], 11);
    assert_eq!(manifest["replicates"], 3);
    assert_eq!(manifest["scenario_name"], "small");
    assert!(manifest["files"]["timeseries.csv"].as_str().unwrap().len() == 64);
}

#[test]
fn same_seed_gives_identical_bytes_at_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let out = |t: u32| dir.path().join(format!("t{t}"));
    for t in [1, 2, 8] {
        run_small(&out(t), t, 4).success();
    }
    for f in ["runs.csv", "timeseries.csv", "summary.csv"] {
        let read = |t: u32| std::fs::read(out(t).join(f)).unwrap();
        assert_eq!(read(1), read(2), "{f}: 1 vs 2 threads");
        assert_eq!(read(1), read(8), "{f}: 1 vs 8 threads");
    }
}

#[test]
fn default_output_folder_is_results_scenario_name() {
    let dir = tempfile::tempdir().unwrap();
    changenet()
        .current_dir(dir.path())
        .arg("run")
        .arg(small_ron())
        .args(["--replicates", "1", "--quiet"])
        .assert()
        .success();
    assert!(dir.path().join("results/small/runs.csv").is_file());
}

#[test]
fn overrides_are_passed_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    changenet()
        .arg("run")
        .arg(small_ron())
        .args(["--set", "replicates=2", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let runs = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 2);
}

#[test]
fn garbage_arguments_exit_2_with_a_cause_and_no_panic() {
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["run", "--replicates", "-1"],
        vec!["run", "--replicates", "99999999999999999999"],
        vec!["run", "--seed", "abc"],
        vec!["run", "--threads", "0"],
        vec!["run", "--set", "nothing"],
        vec!["run", "/no/such/file.ron"],
        vec!["run", "a.ron", "b.ron"],
        vec!["validate"],
        vec!["verify"],
        vec!["verify", "/no/such/folder"],
        vec!["--\u{7f}\u{1}"],
    ];
    for args in cases {
        let out = changenet().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_no_panic(&out.stderr);
    }
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let arg = std::ffi::OsStr::from_bytes(&[0xff, 0xfe, b'x']);
    let out = changenet().arg("run").arg(arg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&out.stderr);
    let out = changenet().arg(arg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&out.stderr);
}
