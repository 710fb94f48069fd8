//! Validation §8 (docs/VALIDATION.md): replay of England's Active Lives inactivity series.
//!
//! scenarios/england_gappa.ron with its COVID-19 shock and background trend but every
//! programme intervention removed (`--set interventions=[]`), at full scale (43 areas,
//! about 120,000 organisations). Each survey year's modelled mean (over the steps ending in
//! its mid-November to mid-November window, `changenet::model::fitted`) must lie within one
//! percentage point of the observed prevalence, for every replicate run.
//!
//! The scenario's StochasticBlock network lands with the network branch; until then the
//! test overrides it with an Erdos-Renyi graph of the same mean degree. Without
//! interventions no organisation trains or adopts, so the network cannot move the outcome.

mod validation_common;

use changenet::model::{fitted, run_replicate};
use validation_common::scenario_plan;

#[test]
fn england_replay_is_within_one_point_of_active_lives_every_year() {
    let plan = scenario_plan(
        "scenarios/england_gappa.ron",
        &[
            ("interventions", "[]"),
            ("network.model", "ErdosRenyi(mean_degree: 6.0)"),
        ],
    );
    let observed = &plan.scenario.outcome.observed;
    assert_eq!(observed.len(), 9, "2015-16 to 2023-24");
    let mut runs = Vec::new();
    for replicate in 0..2 {
        let mut series: Vec<(i32, f64)> = Vec::new();
        let outcome = run_replicate(&plan, replicate, &mut |rec| {
            if rec.step > 0 {
                series.push((rec.date.year, rec.prevalence));
            }
        })
        .unwrap();
        assert_eq!(series.len(), plan.steps as usize);
        let pairs = fitted(&plan, &series);
        assert_eq!(pairs.len(), observed.len());
        let mut sq = 0.0;
        for (o, (model, obs)) in observed.iter().zip(&pairs) {
            println!(
                "replicate {replicate} {}: modelled {:.2}%, observed {:.1}%, difference {:+.2} points",
                o.label,
                100.0 * model,
                100.0 * obs,
                100.0 * (model - obs)
            );
            assert!(
                (model - obs).abs() <= 0.01,
                "{}: modelled {model:.4} vs observed {obs:.4}",
                o.label
            );
            sq += (model - obs).powi(2);
        }
        let rmse = (sq / pairs.len() as f64).sqrt();
        println!("replicate {replicate}: RMSE {:.3} points", 100.0 * rmse);
        assert!((outcome.fit_rmse.unwrap() - rmse).abs() < 1e-12);
        assert_eq!(outcome.final_adopters.iter().sum::<u32>(), 0);
        runs.push(pairs);
    }
    // Nothing stochastic reaches the outcome without programmes: replicates agree exactly.
    assert_eq!(runs[0], runs[1]);
}
