//! Validation §4 (docs/VALIDATION.md): independent-cascade closed forms of Kempe,
//! Kleinberg & Tardos (2003).
//!
//! scenarios/classic/kkt_star.ron: a star of 20 leaves seeded at its centre, p = 0.3;
//! expected final adopters 1 + 20 p = 7. scenarios/classic/kkt_path.ron: a path of 10
//! seeded at one end, p = 0.6; expected 1 + p + ... + p^9 = 2.4849. Each is run for 20,000
//! keyed replicates and the mean spread must lie within 4 standard errors of the closed
//! form. (Greedy seeding within 1 - 1/e of the optimum is the interventions branch's test.)
//!
//! The edge-list importer lands with the network branch; until then the scenario's world is
//! built with a placeholder network and the scenario's own edge list replaces it.

mod validation_common;

use changenet::analytic::{cascade_path_end, cascade_star_centre};
use changenet::model::Simulation;
use changenet::network::Network;
use validation_common::{
    adopter_count, mean_se, repo_path, run_until_settled, scenario_plan, ties, world_of,
};

const Z: f64 = 4.0;

/// Ties of an edge list CSV with a `source,target` header.
fn edge_list(rel: &str) -> Vec<(u32, u32)> {
    std::fs::read_to_string(repo_path(rel))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.trim().parse().unwrap(), b.trim().parse().unwrap())
        })
        .collect()
}

/// Final adopters of every replicate of the scenario on its edge list.
fn spreads(scenario: &str, edges: &str) -> Vec<f64> {
    let plan = scenario_plan(scenario, &[("network.model", "RingLattice(k: 2)")]);
    let w = world_of(&plan, 0);
    let net = Network::from_ties(w.n, &ties(&edge_list(edges)), &w.kind, &w.place).unwrap();
    (0..plan.scenario.replicates)
        .map(|r| {
            let mut sim = Simulation::with_network(&plan, r, w.clone(), net.clone()).unwrap();
            run_until_settled(&mut sim, 0, plan.steps);
            assert!(sim.state.practices[0].fresh.is_empty());
            adopter_count(&sim, 0) as f64
        })
        .collect()
}

#[test]
fn cascade_from_a_star_centre_reaches_one_plus_n_p() {
    let s = spreads(
        "scenarios/classic/kkt_star.ron",
        "scenarios/classic/star21.csv",
    );
    let (mean, se) = mean_se(&s);
    let want = cascade_star_centre(20, 0.3);
    println!(
        "star: mean spread {mean:.4} ± {se:.4} (n = {}), closed form {want}",
        s.len()
    );
    assert!((mean - want).abs() <= Z * se, "{mean} vs {want}");
    // From the centre everything happens in the first step: at most 21, at least 1.
    assert!(s.iter().all(|&x| (1.0..=21.0).contains(&x)));
}

#[test]
fn cascade_from_a_path_end_reaches_the_geometric_sum() {
    let s = spreads(
        "scenarios/classic/kkt_path.ron",
        "scenarios/classic/path10.csv",
    );
    let (mean, se) = mean_se(&s);
    let want = cascade_path_end(10, 0.6);
    println!(
        "path: mean spread {mean:.4} ± {se:.4} (n = {}), closed form {want:.4}",
        s.len()
    );
    assert!((mean - want).abs() <= Z * se, "{mean} vs {want}");
    // The spread is geometric: P(at least j) = p^(j-1); check j = 2 and 3.
    for (j, want) in [(2.0, 0.6), (3.0, 0.36)] {
        let share = s.iter().filter(|&&x| x >= j).count() as f64 / s.len() as f64;
        let se = (want * (1.0 - want) / s.len() as f64).sqrt();
        assert!((share - want).abs() <= Z * se, "P(>= {j}) = {share}");
    }
}
