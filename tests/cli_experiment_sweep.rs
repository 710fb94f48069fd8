//! `changenet sweep`: factor columns, grid order, common random numbers across points.

mod common;

use common::*;

#[test]
fn a_grid_sweep_writes_factor_columns_in_grid_order_with_common_random_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sw");
    changenet()
        .arg("sweep")
        .arg(small_ron())
        .args(["--vary", "target.relative_reduction=0.15,0.15"])
        .args(["--vary", "practices[0].effect=0.05..0.2", "--points", "2"])
        .args(["-r", "3", "-j", "2", "--quiet", "--out"])
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success()
        .stdout(predicates::str::contains("P(target met)"));
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<Vec<&str>> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(runs.starts_with("run,target.relative_reduction,practices[0].effect,replicate,seed,"));
    assert_eq!(rows.len(), 4 * 3);
    // Grid order: last factor fastest; replicates fastest within a point.
    let points: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1], r[2], r[3])).collect();
    assert_eq!(points[0], ("0.15", "0.05", "0"));
    assert_eq!(points[3], ("0.15", "0.2", "0"));
    assert_eq!(points[6], ("0.15", "0.05", "0"));
    // Points 0 and 2 have the same factor values: replicate r gives the same results.
    for r in 0..3 {
        assert_eq!(rows[r][3..], rows[6 + r][3..]);
    }
    // A different effect changes the results of at least one replicate.
    assert!((0..3).any(|r| rows[r][3..] != rows[3 + r][3..]));
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("run,target.relative_reduction,practices[0].effect,step,date,"));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("target.relative_reduction,practices[0].effect,metric,date,n,"));
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.contains(",target_met,"))
            .count(),
        4
    );
}

#[test]
fn sweep_rejects_bad_factors() {
    let bad = |args: &[&str]| {
        changenet()
            .arg("sweep")
            .arg(small_ron())
            .args(args)
            .args(["-r", "1", "--quiet", "--out", "/nonexistent/never"])
            .assert()
            .code(2);
    };
    bad(&["--vary", "practices[0].effect"]);
    bad(&["--vary", "practices[0].effect=0.3..0.1"]);
    bad(&["--vary", "practices[0].effect=0.1..0.3"]); // a range in a grid needs --points
    bad(&["--vary", "no_such_field=1,2"]);
    bad(&["--vary", "a=1", "--vary", "b=1", "--design", "sobol"]); // needs --points
}
