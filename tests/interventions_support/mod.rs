//! Shared fixtures of the intervention tests: small scenarios and exact networks.
#![allow(dead_code)]

use changenet::intervention::targeting;
use changenet::model::{world, Simulation};
use changenet::network::{Network, TieSpec};
use changenet::plan::Plan;
use changenet::rng::{Draws, Purpose};
use changenet::scenario::{self, Targets};

/// A scenario over places A and B and kinds `x` (10 staff) and `y` (1 staff), with the
/// given organisation groups (`OrgGroup(...)` items) and extra sections; the generated
/// network is empty (tests give their own with [`sim_on`]).
pub fn plan(groups: &str, extra: &str) -> Plan {
    let text = format!(
        r#"Scenario(
            name: "t", seed: 11, replicates: 1,
            calendar: Calendar(start: "2020-01", end: "2021-12", step_months: 1),
            places: [
                Place(name: "A", population: 10000.0, inactive_prevalence: 0.25),
                Place(name: "B", population: 10000.0, inactive_prevalence: 0.25),
            ],
            kinds: [
                Kind(name: "x", staff: Fixed(10.0), catchment: Fixed(100.0)),
                Kind(name: "y", staff: Fixed(1.0), catchment: Fixed(100.0)),
            ],
            organisations: Generate([{groups}]),
            network: NetworkSpec(model: ErdosRenyi(mean_degree: 0.0)),
            {extra}
        )"#
    );
    let sc = scenario::parse_str("test.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    Plan::new(sc, ".".into()).unwrap_or_else(|e| panic!("{e:?}"))
}

/// `n` organisations of kind x in place A.
pub fn plan_x(n: u32, extra: &str) -> Plan {
    plan(
        &format!(r#"OrgGroup(kind: "x", place: "A", count: {n})"#),
        extra,
    )
}

/// A simulation of `plan` on exactly these undirected ties, all of weight `w`.
pub fn sim_on<'a>(plan: &'a Plan, pairs: &[(u32, u32)], w: f32) -> Simulation<'a> {
    let (wd, _) = world::build(plan, 0).unwrap();
    let ties: Vec<TieSpec> = pairs
        .iter()
        .map(|&(a, b)| TieSpec {
            a,
            b,
            weight: w,
            person_dependent: false,
        })
        .collect();
    let net = Network::from_ties(wd.n, &ties, &wd.kind, &wd.place).unwrap();
    Simulation::with_network(plan, 0, wd, net).unwrap()
}

/// Applies the interventions due at `step` (without the other sub-models).
pub fn apply(sim: &mut Simulation, step: u32) {
    changenet::intervention::apply(&sim.ctx, &sim.world, &mut sim.state, step).unwrap();
}

/// The targets `t` selects on the simulation's current state, with stream `step`.
pub fn select(sim: &Simulation, t: &Targets, step: u32) -> Vec<u32> {
    let mut rng = Draws::sequence(&sim.ctx.key, Purpose::Targeting, 0, step);
    targeting::select(sim.ctx.plan, &sim.world, &sim.state, t, &mut rng).unwrap()
}

pub fn star(n: u32) -> Vec<(u32, u32)> {
    (1..n).map(|i| (0, i)).collect()
}

pub fn path(n: u32) -> Vec<(u32, u32)> {
    (0..n - 1).map(|i| (i, i + 1)).collect()
}

/// The weight of the tie between `a` and `b`, if any.
pub fn tie_weight(sim: &Simulation, a: u32, b: u32) -> Option<f64> {
    let net = &sim.state.net;
    net.neighbours(a as usize)
        .iter()
        .zip(net.tie_ids(a as usize))
        .find(|(&j, _)| j == b)
        .map(|(_, &t)| net.weight(t as usize))
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
