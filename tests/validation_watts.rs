//! Validation §2 (docs/VALIDATION.md): Watts's (2002) cascade window.
//!
//! scenarios/classic/watts_cascades.ron: 10,000 organisations on Erdos-Renyi graphs of mean
//! degree z, a uniform fractional threshold phi = 0.18, one random seed. A global cascade
//! is a run whose final adopters exceed 10% of the organisations (1,000). Each replicate
//! draws its own graph and seed. Global cascades must occur well inside the analytic
//! window of `analytic::watts_window(0.18)` = (1.05, 5.81) and never well outside it.

mod validation_common;

use changenet::analytic::{watts_condition, watts_window};
use changenet::model::Simulation;
use validation_common::{run_until_settled, scenario_plan};

const N: u32 = 10_000;

/// Share of `reps` single-seed runs at mean degree `z` that become global cascades.
fn cascade_frequency(z: f64, reps: u32) -> f64 {
    let model = format!("ErdosRenyi(mean_degree: {z:?})");
    let plan = scenario_plan(
        "scenarios/classic/watts_cascades.ron",
        &[("network.model", &model)],
    );
    let global = (0..reps)
        .filter(|&r| {
            let mut sim = Simulation::new(&plan, r).unwrap();
            let counts = run_until_settled(&mut sim, 0, plan.steps);
            let last = *counts.last().unwrap();
            // The rule settled before the horizon ran out.
            assert!(counts.len() <= plan.steps as usize, "z = {z}: not settled");
            last > N / 10
        })
        .count();
    global as f64 / reps as f64
}

#[test]
fn analytic_window_matches_watts_figure() {
    // Watts (2002), Fig. 1-2: for phi = 0.18 the window spans z from about 1 to about 6;
    // the lower edge sits just above the percolation point z = 1 for every phi, and the
    // window closes as phi rises to 1/4 (one-neighbour vulnerability needs degree <= 4).
    let (lo, hi) = watts_window(0.18).unwrap().unwrap();
    assert!(
        (lo - 1.0).abs() < 0.1 && (5.5..6.5).contains(&hi),
        "{lo} {hi}"
    );
    let mut last_hi = f64::INFINITY;
    for i in 0..=15 {
        let phi = 0.10 + 0.01 * i as f64;
        let (lo, hi) = watts_window(phi).unwrap().unwrap();
        println!("phi {phi:.2}: window {lo:.3} < z < {hi:.3}");
        assert!((1.0..1.3).contains(&lo) && hi > lo && hi <= last_hi);
        last_hi = hi;
        // Both edges solve sum_k k(k-1) rho_k p_k = z.
        assert!((watts_condition(phi, lo).unwrap() - 1.0).abs() < 1e-9);
        assert!((watts_condition(phi, hi).unwrap() - 1.0).abs() < 1e-9);
    }
    assert!(watts_window(0.26).unwrap().is_none());
}

#[test]
fn global_cascades_happen_inside_the_window_and_not_outside() {
    let (lo, hi) = watts_window(0.18).unwrap().unwrap();
    // 100 runs per z: a frequency's standard error is at most 0.05.
    let reps = 100;
    for z in [
        0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 5.5, 6.0, 6.5, 7.0, 8.0, 10.0,
    ] {
        let f = cascade_frequency(z, reps);
        println!("z {z:>4}: global cascades {f:.2} (analytic window {lo:.3}-{hi:.3})");
        if z < lo - 0.5 || z > hi + 1.0 {
            // Well outside: never.
            assert_eq!(f, 0.0, "z = {z}");
        } else if z < lo || z > hi {
            // Just outside (finite n blurs the edge): rare.
            assert!(f <= 0.1, "z = {z}: {f}");
        } else if z >= lo + 0.5 && z <= hi - 0.5 {
            // Well inside: most seeds start one (measured 0.56-0.87); 0.4 is > 3 se below.
            assert!(f >= 0.4, "z = {z}: {f}");
        }
    }
}
