//! `changenet compare`: common random numbers make identical arms identical, row by row,
//! with zero paired differences.

mod common;

use common::*;

#[test]
fn identical_arms_give_identical_rows_and_zero_differences() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    changenet()
        .arg("compare")
        .arg(small_ron())
        .args(["--arm", "base:", "--arm", "same:practices[0].effect=0.08"])
        .args(["--arm", "more:practices[0].effect=0.3"])
        .args(["-r", "4", "-j", "2", "--quiet", "--out"])
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.starts_with("run,arm,replicate,seed,"));
    let rows: Vec<Vec<&str>> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 12);
    for r in 0..4 {
        assert_eq!(rows[r][1], "base");
        assert_eq!(rows[4 + r][1], "same");
        assert_eq!(rows[r][2..], rows[4 + r][2..], "replicate {r}");
    }
    let paired = std::fs::read_to_string(out.join("paired.csv")).unwrap();
    let lines: Vec<&str> = paired.lines().collect();
    assert_eq!(
        lines[0],
        "arm,baseline_arm,n,final_prevalence_diff,final_prevalence_ci_low,final_prevalence_ci_high,\
         target_met_diff,target_met_ci_low,target_met_ci_high"
    );
    assert_eq!(lines[1], "same,base,4,0,0,0,0,0,0");
    assert!(lines[2].starts_with("more,base,4,"));
    assert_ne!(lines[2], "more,base,4,0,0,0,0,0,0");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("paired.csv"));
}
