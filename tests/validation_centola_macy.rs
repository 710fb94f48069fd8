//! Validation §3 (docs/VALIDATION.md): Centola & Macy (2007), complex contagions and the
//! weakness of long ties.
//!
//! scenarios/classic/centola_macy.ron: 1,000 organisations on a ring lattice of degree 4,
//! each lattice tie's far end rewired with probability p (Watts-Strogatz), seeds
//! organisation 0 and its four lattice neighbours. Simple contagion
//! (`AbsoluteThreshold(neighbours: 1)`) must reach half the organisations faster as p
//! rises; complex contagion (`neighbours: 2`) must slow and then be blocked.
//!
//! The WattsStrogatz generator lands with the network branch; until then this test builds
//! the rewired lattice itself (`watts_strogatz` below) and runs the model on it with
//! `Simulation::with_network` (the world comes from the scenario with a plain ring).

mod validation_common;

use std::collections::BTreeSet;

use changenet::plan::Plan;
use changenet::rng::{below, replicate_key, unit, Draws, Purpose};
use validation_common::{run_until_settled, scenario_plan, sim_on, world_of};

const N: u32 = 1000;
const REPS: u32 = 20;

/// Watts & Strogatz (1998): ring lattice of degree `k`; each tie (i, i + d) has its far end
/// moved, with probability `p`, to an organisation chosen uniformly among those not i and
/// not already tied to i.
fn watts_strogatz(n: u32, k: u32, p: f64, replicate: u32) -> Vec<(u32, u32)> {
    let mut rng = Draws::sequence(
        &replicate_key(2007, replicate as u64),
        Purpose::Network,
        0,
        0,
    );
    let mut adj: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); n as usize];
    let mut ties = Vec::new();
    for i in 0..n {
        for d in 1..=k / 2 {
            let j = (i + d) % n;
            adj[i as usize].insert(j);
            adj[j as usize].insert(i);
            ties.push((i, j));
        }
    }
    for t in ties.iter_mut() {
        let (i, j) = *t;
        if unit(&mut rng) < p && adj[i as usize].len() < n as usize - 1 {
            let new = loop {
                let c = below(&mut rng, n as u64) as u32;
                if c != i && !adj[i as usize].contains(&c) {
                    break c;
                }
            };
            adj[i as usize].remove(&j);
            adj[j as usize].remove(&i);
            adj[i as usize].insert(new);
            adj[new as usize].insert(i);
            *t = (i, new);
        }
    }
    ties
}

/// The scenario with lattice degree `k` (seeds: organisation 0 and its k lattice
/// neighbours) and absolute threshold `neighbours`.
fn plan(k: u32, neighbours: u32) -> Plan {
    let kernel = format!("AbsoluteThreshold(neighbours: {neighbours})");
    let ring = format!("RingLattice(k: {k})");
    let ids: Vec<String> = (0..=k)
        .map(|d| format!("{:?}", ((N + d - k / 2) % N).to_string()))
        .collect();
    let seeds = format!("Some(Targets(pick: List([{}])))", ids.join(", "));
    scenario_plan(
        "scenarios/classic/centola_macy.ron",
        &[
            ("network.model", &ring),
            ("practices[0].kernel", &kernel),
            ("practices[0].seeds", &seeds),
        ],
    )
}

/// Steps for a front that gains `per_step` organisations a step from k + 1 seeds to reach
/// half the ring.
fn lattice_steps(k: u32, per_step: u32) -> usize {
    (N / 2 - (k + 1)).div_ceil(per_step) as usize
}

/// Per replicate: steps to reach half the organisations (None if it never does) and the
/// final adopter count.
fn runs(plan: &Plan, k: u32, p: f64) -> Vec<(Option<usize>, u32)> {
    (0..REPS)
        .map(|r| {
            let mut sim = sim_on(plan, r, world_of(plan, r), &watts_strogatz(N, k, p, r));
            let counts = run_until_settled(&mut sim, 0, plan.steps);
            let half = counts.iter().position(|&c| c >= N / 2);
            (half, *counts.last().unwrap())
        })
        .collect()
}

/// Median of the times to half, counting runs that never get there as infinitely slow.
fn median_time(runs: &[(Option<usize>, u32)]) -> f64 {
    let mut t: Vec<f64> = runs
        .iter()
        .map(|r| r.0.map_or(f64::INFINITY, |s| s as f64))
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    0.5 * (t[t.len() / 2 - 1] + t[t.len() / 2])
}

fn report(label: &str, k: u32, p: f64, runs: &[(Option<usize>, u32)]) -> (f64, f64) {
    let reached = runs.iter().filter(|r| r.0.is_some()).count() as f64 / runs.len() as f64;
    let mean_final = runs.iter().map(|r| r.1 as f64).sum::<f64>() / runs.len() as f64 / N as f64;
    let median = median_time(runs);
    println!(
        "{label} k = {k} p = {p:<4}: median steps to 50% {median:>6}, runs reaching 50% {reached:.2}, mean final share {mean_final:.3}"
    );
    (median, reached)
}

#[test]
fn rewiring_speeds_simple_contagion() {
    for k in [4, 6] {
        let plan = plan(k, 1);
        let mut last = f64::INFINITY;
        for p in [0.0, 0.01, 0.1, 1.0] {
            let runs = runs(&plan, k, p);
            let (median, reached) = report("simple ", k, p, &runs);
            assert_eq!(
                reached, 1.0,
                "p = {p}: simple contagion reaches everyone connected"
            );
            if p == 0.0 {
                // The front gains k/2 organisations a step on each side (k = 4: 124 steps).
                let t = lattice_steps(k, k);
                assert!(runs.iter().all(|r| r.0 == Some(t)), "{t}");
            }
            assert!(median < last, "p = {p}: {median} not below {last}");
            last = median;
        }
    }
}

#[test]
fn rewiring_blocks_complex_contagion() {
    // k = 4, the test of record: one rewired tie next to the front stops it, so any
    // rewiring blocks complex contagion.
    let k = 4;
    let plan = plan(k, 2);
    let mut results = Vec::new();
    for p in [0.0, 0.01, 0.1, 1.0] {
        let runs = runs(&plan, k, p);
        let (_, reached) = report("complex", k, p, &runs);
        let mean_final = runs.iter().map(|r| r.1 as f64).sum::<f64>() / runs.len() as f64;
        results.push((p, reached, mean_final, runs));
    }
    // p = 0: the front gains one organisation a step on each side: 248 steps to half.
    assert!(results[0].3.iter().all(|r| r.0 == Some(248) && r.1 == N));
    for (p, reached, _, _) in &results[1..] {
        assert_eq!(*reached, 0.0, "p = {p}");
    }
    // The more rewiring, the earlier it stops.
    assert!(results[1].2 > results[2].2 && results[2].2 > results[3].2);
}

#[test]
fn with_wider_lattices_some_rewiring_is_tolerated_but_random_ties_block() {
    // k = 6: a front needs 2 of the 3 lattice ties behind it, so light rewiring neither
    // blocks nor speeds it, moderate rewiring blocks some runs and random ties block all.
    let k = 6;
    let plan = plan(k, 2);
    let reached: Vec<f64> = [0.0, 0.01, 0.1, 1.0]
        .iter()
        .map(|&p| report("complex", k, p, &runs(&plan, k, p)).1)
        .collect();
    assert_eq!(reached[0], 1.0);
    assert!(reached.windows(2).all(|w| w[1] <= w[0]), "{reached:?}");
    assert_eq!(reached[3], 0.0);
}
