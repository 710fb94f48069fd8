//! Validation §1 (docs/VALIDATION.md): the Bass (1969) curve on a complete graph.
//!
//! scenarios/classic/bass.ron: 1,000 organisations, p = 0.03, q = 0.38 a year (Sultan,
//! Farley & Lehmann 1990), monthly steps, 20 replicates. Three references:
//! (a) the exact law of the discrete stochastic kernel on a complete graph
//!     (`analytic::BassChain`): the simulated mean must match it up to sampling error;
//! (b) the deterministic recursion of the monthly kernel (`analytic::bass_discrete`), which
//!     differs from (a) by a finite-n lag;
//! (c) the continuous closed form F(t) and its peak time ln(q/p)/(p+q), which differ from
//!     (b) by the step length.
//! The gaps (a)-(b) and (b)-(c) are computed exactly and bound the tolerance against F(t).
//! Debug builds check every state invariant after every step, which on a complete graph of
//! 1,000 costs a million tie visits a step; these tests run in release builds only.

mod validation_common;

use changenet::analytic::{
    bass_cumulative, bass_discrete, bass_peak_share, bass_peak_time, BassChain,
};
use changenet::model::Simulation;
use validation_common::{adopter_count, mean_se, scenario_plan};

const P: f64 = 0.03;
const Q: f64 = 0.38;
/// Standard errors allowed between a measured mean and its reference.
const Z: f64 = 4.0;

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "about 100 s with the per-step invariant check of debug builds; run with --release"
)]
fn bass_mean_curve_matches_the_exact_chain_and_the_closed_form() {
    let plan = scenario_plan("scenarios/classic/bass.ron", &[]);
    let n = 1000usize;
    let steps = plan.steps as usize;
    let reps = plan.scenario.replicates;
    // counts[r][s]: adopters in replicate r after s steps.
    let counts: Vec<Vec<u32>> = (0..reps)
        .map(|r| {
            let mut sim = Simulation::new(&plan, r).unwrap();
            let mut out = vec![0];
            for _ in 0..steps {
                sim.advance().unwrap();
                out.push(adopter_count(&sim, 0));
            }
            out
        })
        .collect();
    let level = bass_peak_share(P, Q).unwrap();
    let level_count = (level * n as f64).ceil() as usize;
    let mean_field = bass_discrete(P, Q, n as u64, plan.dt, steps).unwrap();
    let mut chain = BassChain::new(P, Q, n, plan.dt).unwrap();
    // Expected first step at which the share reaches `level`: the count never falls, so
    // P(T > s) = P(A_s < level n).
    let mut chain_peak_steps = 0.0;
    let (mut worst_z, mut lag, mut step_gap, mut worst_closed) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for s in 1..=steps {
        chain_peak_steps += 1.0 - chain.at_least(level_count);
        chain.step();
        let t = s as f64 * plan.dt;
        let shares: Vec<f64> = counts.iter().map(|c| c[s] as f64 / n as f64).collect();
        let (mean, se) = mean_se(&shares);
        // A floor of one organisation in n·R keeps steps where every replicate agrees
        // (sample variance 0) from demanding exactness.
        let se = se.max(1.0 / (n as f64 * reps as f64));
        let exact = chain.mean_share();
        assert!(
            (mean - exact).abs() <= Z * se,
            "t = {t:.3}: mean {mean:.4} vs exact chain {exact:.4} (se {se:.4})"
        );
        worst_z = worst_z.max((mean - exact).abs() / se);
        let closed = bass_cumulative(P, Q, t).unwrap();
        if s % 24 == 0 {
            println!(
                "t = {t:>4.1} y: simulated {mean:.4} ± {se:.4}, exact chain {exact:.4}, mean field {:.4}, F(t) {closed:.4}",
                mean_field[s]
            );
        }
        lag = lag.max((exact - mean_field[s]).abs());
        step_gap = step_gap.max((mean_field[s] - closed).abs());
        worst_closed = worst_closed.max((mean - closed).abs());
    }
    let (_, se_max) = (1..=steps)
        .map(|s| {
            mean_se(
                &counts
                    .iter()
                    .map(|c| c[s] as f64 / n as f64)
                    .collect::<Vec<_>>(),
            )
        })
        .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
    println!(
        "worst |mean - chain| = {worst_z:.2} se; finite-n lag max |chain - mean field| = {lag:.4}; \
         step gap max |mean field - F| = {step_gap:.4}; max |mean - F| = {worst_closed:.4} (largest se {se_max:.4})"
    );
    assert!(
        worst_closed <= lag + step_gap + Z * se_max,
        "max |mean - F| = {worst_closed}"
    );

    // Peak: the first step at which the share reaches (q - p)/(2q), the share at which the
    // continuous model's adoption rate peaks.
    let sim_steps: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().position(|&a| a as usize >= level_count).unwrap() as f64)
        .collect();
    let (sim_peak_steps, sim_peak_se) = mean_se(&sim_steps);
    let mf_steps = mean_field.iter().position(|&f| f >= level).unwrap() as f64;
    let peak = bass_peak_time(P, Q).unwrap();
    let dt = plan.dt;
    println!(
        "peak: closed form {peak:.3} y; first month at (q-p)/2q: mean field {:.3} y, exact chain {:.3} y, simulated {:.3} ± {:.3} y",
        mf_steps * dt,
        chain_peak_steps * dt,
        sim_peak_steps * dt,
        sim_peak_se * dt
    );
    assert!((sim_peak_steps - chain_peak_steps).abs() <= Z * sim_peak_se);
    // The first step at the level ends up to one step after the continuous crossing.
    assert!(
        (sim_peak_steps * dt - peak).abs()
            <= (chain_peak_steps * dt - peak).abs() + Z * sim_peak_se * dt
    );
    assert!((chain_peak_steps * dt - peak).abs() < 0.3);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "about 100 s with the per-step invariant check of debug builds; run with --release"
)]
fn bass_small_complete_graph_matches_the_exact_chain_tightly() {
    // 100 organisations, 3,000 replicates: the chain's finite-n lag is larger here, and the
    // simulated mean must follow it within 4 standard errors at every month of 10 years.
    let n = 100usize;
    let plan = scenario_plan(
        "scenarios/classic/bass.ron",
        &[
            (
                "organisations",
                r#"Generate([OrgGroup(kind: "firm", place: "all", count: 100)])"#,
            ),
            ("calendar.end", r#""2025-12""#),
            ("target.target_year", "2025"),
            ("replicates", "3000"),
        ],
    );
    let steps = plan.steps as usize;
    let mut shares = vec![Vec::new(); steps + 1];
    for r in 0..plan.scenario.replicates {
        let mut sim = Simulation::new(&plan, r).unwrap();
        for column in shares.iter_mut().skip(1) {
            sim.advance().unwrap();
            column.push(adopter_count(&sim, 0) as f64 / n as f64);
        }
    }
    let mut chain = BassChain::new(P, Q, n, plan.dt).unwrap();
    let mut worst = 0.0f64;
    let mut lag = 0.0f64;
    let mean_field = bass_discrete(P, Q, n as u64, plan.dt, steps).unwrap();
    for (s, column) in shares.iter().enumerate().skip(1) {
        chain.step();
        let (mean, se) = mean_se(column);
        let exact = chain.mean_share();
        assert!(
            (mean - exact).abs() <= Z * se,
            "step {s}: {mean:.5} vs {exact:.5} (se {se:.5})"
        );
        worst = worst.max((mean - exact).abs() / se);
        lag = lag.max((exact - mean_field[s]).abs());
    }
    println!("n = 100: worst |mean - chain| = {worst:.2} se; chain lag behind the mean field up to {lag:.4}");
}
