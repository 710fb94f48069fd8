//! The shipped intervention scenarios check, run, and compare their arms as their headers
//! say (one replicate each, a few seconds at most).

use std::path::Path;

use changenet::model::{run_replicate, RunOutcome};
use changenet::scenario::check_file;

fn arm(file: &str, sets: &[(&str, &str)]) -> RunOutcome {
    let o: Vec<(String, String)> = sets
        .iter()
        .map(|(p, v)| (p.to_string(), v.to_string()))
        .collect();
    let plan = check_file(Path::new(file), &o).unwrap_or_else(|e| panic!("{e}"));
    let out = run_replicate(&plan, 0, &mut |_| {}).unwrap();
    eprintln!("{file} {sets:?}: {out:?}");
    out
}

#[test]
fn qsir_two_trusts_arms() {
    let f = "scenarios/qsir_two_trusts.ron";
    let relational = arm(f, &[]);
    let alone = arm(
        f,
        &[
            ("interventions[0].action.in_pairs", "false"),
            ("interventions[1].targets.pick", "Random(0)"),
            ("interventions[2].targets.pick", "Random(0)"),
        ],
    );
    // Training alone buys the same courses and nothing else (pairs add a few trainees).
    assert!(alone.total_cost > 0.0 && alone.total_cost < relational.total_cost);
    assert!(relational.active_improvers > 0);
}

#[test]
fn sustaining_commitment_arms() {
    let f = "scenarios/sustaining_commitment.ron";
    let early = arm(f, &[]);
    let late = arm(
        f,
        &[
            ("interventions[0].targets.pick", "Random(0)"),
            ("interventions[1].targets.pick", "Random(0)"),
            ("interventions[2].targets.pick", "Random(3)"),
            ("interventions[3].targets.pick", "Random(3)"),
        ],
    );
    let none = arm(
        f,
        &[
            ("interventions[0].targets.pick", "Random(0)"),
            ("interventions[1].targets.pick", "Random(0)"),
        ],
    );
    // The same effort: 36 months, 6 actions a month, 150 each.
    assert_eq!(early.total_cost, 36.0 * 6.0 * 150.0);
    assert_eq!(late.total_cost, early.total_cost);
    assert_eq!(none.total_cost, 0.0);
}

/// Means over replicates 0..10 of each arm (for the report; run with `--ignored
/// --nocapture`).
#[test]
#[ignore]
fn arm_means() {
    let qsir_alone: &[(&str, &str)] = &[
        ("interventions[0].action.in_pairs", "false"),
        ("interventions[1].targets.pick", "Random(0)"),
        ("interventions[2].targets.pick", "Random(0)"),
    ];
    let late: &[(&str, &str)] = &[
        ("interventions[0].targets.pick", "Random(0)"),
        ("interventions[1].targets.pick", "Random(0)"),
        ("interventions[2].targets.pick", "Random(3)"),
        ("interventions[3].targets.pick", "Random(3)"),
    ];
    let none: &[(&str, &str)] = &[
        ("interventions[0].targets.pick", "Random(0)"),
        ("interventions[1].targets.pick", "Random(0)"),
    ];
    for (file, name, sets) in [
        ("scenarios/qsir_two_trusts.ron", "relational", &[][..]),
        ("scenarios/qsir_two_trusts.ron", "alone", qsir_alone),
        ("scenarios/sustaining_commitment.ron", "early", &[][..]),
        ("scenarios/sustaining_commitment.ron", "late", late),
        ("scenarios/sustaining_commitment.ron", "none", none),
    ] {
        let o: Vec<(String, String)> = sets
            .iter()
            .map(|(p, v)| (p.to_string(), v.to_string()))
            .collect();
        let plan = check_file(Path::new(file), &o).unwrap();
        let runs: Vec<RunOutcome> = (0..10)
            .map(|r| run_replicate(&plan, r, &mut |_| {}).unwrap())
            .collect();
        let mean = |f: &dyn Fn(&RunOutcome) -> f64| runs.iter().map(f).sum::<f64>() / 10.0;
        eprintln!(
            "{name:>10}: reduction {:.4} improvers {:.1} adopters {:.1} members {:.1} commitment {:.3} cost {:.0}",
            mean(&|o| o.relative_reduction),
            mean(&|o| o.active_improvers as f64),
            mean(&|o| o.final_adopters.iter().sum::<u32>() as f64),
            mean(&|o| o.members as f64),
            mean(&|o| o.mean_commitment),
            mean(&|o| o.total_cost),
        );
    }
}
