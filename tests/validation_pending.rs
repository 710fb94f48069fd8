//! Validation runs of the classic scenarios exactly as shipped, waiting for parts that land
//! with other branches. Each is `#[ignore]`d with what it waits for; the same results are
//! already checked on hand-built graphs by tests/validation_{centola_macy,kkt,ndlib,
//! england}.rs. After the merge run `cargo test --release --test validation_pending --
//! --ignored` and drop the `ignore` of each test that passes.

mod validation_common;

use changenet::model::{run_replicate, world, Simulation};
use validation_common::{adopter_count, adopter_set, mean_se, run_until_settled, scenario_plan};

#[test]
#[ignore = "waits for the WattsStrogatz generator (network branch)"]
fn centola_macy_as_shipped() {
    let median_half = |p: f64, neighbours: u32| {
        let model = format!("WattsStrogatz(k: 4, p: {p:?})");
        let kernel = format!("AbsoluteThreshold(neighbours: {neighbours})");
        let plan = scenario_plan(
            "scenarios/classic/centola_macy.ron",
            &[("network.model", &model), ("practices[0].kernel", &kernel)],
        );
        let mut t: Vec<f64> = (0..plan.scenario.replicates)
            .map(|r| {
                let mut sim = Simulation::new(&plan, r).unwrap();
                let counts = run_until_settled(&mut sim, 0, plan.steps);
                counts
                    .iter()
                    .position(|&c| c >= 500)
                    .map_or(f64::INFINITY, |s| s as f64)
            })
            .collect();
        t.sort_by(|a, b| a.total_cmp(b));
        t[t.len() / 2]
    };
    let simple: Vec<f64> = [0.0, 0.01, 0.1, 1.0]
        .iter()
        .map(|&p| median_half(p, 1))
        .collect();
    assert_eq!(simple[0], 124.0);
    assert!(simple.windows(2).all(|w| w[1] < w[0]), "{simple:?}");
    assert_eq!(median_half(0.0, 2), 248.0);
    assert_eq!(median_half(1.0, 2), f64::INFINITY);
}

#[test]
#[ignore = "waits for the edge-list importer (network branch)"]
fn kkt_star_as_shipped() {
    let plan = scenario_plan("scenarios/classic/kkt_star.ron", &[]);
    let s: Vec<f64> = (0..plan.scenario.replicates)
        .map(|r| {
            let mut sim = Simulation::new(&plan, r).unwrap();
            run_until_settled(&mut sim, 0, plan.steps);
            adopter_count(&sim, 0) as f64
        })
        .collect();
    let (mean, se) = mean_se(&s);
    assert!((mean - 7.0).abs() <= 4.0 * se, "{mean}");
}

#[test]
#[ignore = "waits for the edge-list importer (network branch)"]
fn ndlib_as_shipped() {
    let plan = scenario_plan("scenarios/classic/ndlib_threshold.ron", &[]);
    let (mut w, net) = world::build(&plan, 0).unwrap();
    let dir = validation_common::repo_path("tests/fixtures/validation/ndlib");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    for line in read("thresholds.csv").lines().skip(1) {
        let (node, phi) = line.split_once(',').unwrap();
        w.threshold[0][node.parse::<usize>().unwrap()] = phi.parse().unwrap();
    }
    let mut sim = Simulation::with_network(&plan, 0, w, net).unwrap();
    run_until_settled(&mut sim, 0, plan.steps);
    let want: Vec<u32> = read("final.txt")
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(adopter_set(&sim, 0), want);
}

#[test]
#[ignore = "waits for the StochasticBlock generator (network branch)"]
fn england_replay_as_shipped() {
    let plan = scenario_plan("scenarios/england_gappa.ron", &[("interventions", "[]")]);
    let mut series = Vec::new();
    let outcome = run_replicate(&plan, 0, &mut |rec| {
        if rec.step > 0 {
            series.push((rec.date.year, rec.prevalence));
        }
    })
    .unwrap();
    for (model, obs) in changenet::model::fitted(&plan, &series) {
        assert!((model - obs).abs() <= 0.01, "{model} vs {obs}");
    }
    assert!(outcome.fit_rmse.unwrap() < 0.005);
}
