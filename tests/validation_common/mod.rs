//! Shared helpers of the validation tests (tests/validation_*.rs): plans from scenario
//! files or text, exact networks from tie lists, and runs of a classic kernel until it
//! settles. Each test file uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use changenet::model::state::adopting;
use changenet::model::{world, Simulation};
use changenet::network::{Network, TieSpec};
use changenet::plan::Plan;
use changenet::scenario;

/// Path of a file in the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Checks a scenario file (with `--set`-style overrides) into a plan, or fails the test
/// with the scenario's own messages.
pub fn scenario_plan(rel: &str, overrides: &[(&str, &str)]) -> Plan {
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    scenario::check_file(&repo_path(rel), &overrides).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Unit-weight undirected ties from pairs.
pub fn ties(pairs: &[(u32, u32)]) -> Vec<TieSpec> {
    pairs
        .iter()
        .map(|&(a, b)| TieSpec {
            a,
            b,
            weight: 1.0,
            person_dependent: false,
        })
        .collect()
}

/// The plan's world for `replicate` (the generated network is discarded).
pub fn world_of(plan: &Plan, replicate: u32) -> world::World {
    world::build(plan, replicate)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

/// A simulation of `plan` on exactly the given ties.
pub fn sim_on<'a>(
    plan: &'a Plan,
    replicate: u32,
    w: world::World,
    pairs: &[(u32, u32)],
) -> Simulation<'a> {
    let net = Network::from_ties(w.n, &ties(pairs), &w.kind, &w.place).unwrap();
    Simulation::with_network(plan, replicate, w, net).unwrap()
}

/// Organisations adopting practice `p` (trialling or embedded).
pub fn adopter_count(sim: &Simulation, p: usize) -> u32 {
    let ps = &sim.state.practices[p];
    ps.trialling + ps.embedded
}

/// Sorted organisations adopting practice `p`.
pub fn adopter_set(sim: &Simulation, p: usize) -> Vec<u32> {
    (0..sim.state.n() as u32)
        .filter(|&i| adopting(sim.state.practices[p].stage[i as usize]))
        .collect()
}

/// Advances a deterministic kernel (threshold rules, or a cascade whose frontier has died)
/// until a step adopts nobody or `max_steps` have run, calling `each` with the step and the
/// adopter count after it. Returns the adopter count after every step (index 0 the start).
/// With every gate off a step that adopts nobody changes nothing, so the run has settled.
pub fn run_until_settled(sim: &mut Simulation, p: usize, max_steps: u32) -> Vec<u32> {
    let mut counts = vec![adopter_count(sim, p)];
    for _ in 0..max_steps {
        sim.advance().unwrap();
        let c = adopter_count(sim, p);
        let settled = c == *counts.last().unwrap() && sim.state.practices[p].fresh.is_empty();
        counts.push(c);
        if settled {
            break;
        }
    }
    counts
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}
