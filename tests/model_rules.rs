//! Every sub-model's rule on tiny networks with hand-computed answers, plus a check of the
//! frontier-driven threshold kernels against a naive full sweep.

use changenet::model::state::{DISCONTINUED, EMBEDDED, NONE, TRIALLING};
use changenet::model::{run_replicate, world, Simulation};
use changenet::network::{Network, TieSpec};
use changenet::plan::Plan;
use changenet::scenario;

/// A scenario of `n` organisations of one kind in one place, with extra sections.
fn plan(n: u32, extra: &str) -> Plan {
    let network = if extra.contains("network:") {
        ""
    } else {
        "network: NetworkSpec(model: Complete),"
    };
    let text = format!(
        r#"Scenario(
            name: "t", seed: 7, replicates: 1,
            calendar: Calendar(start: "2020-01", end: "2021-12", step_months: 1),
            places: [Place(name: "A", population: 10000.0, inactive_prevalence: 0.25)],
            kinds: [Kind(name: "org", staff: Fixed(10.0), catchment: Fixed(5000.0))],
            organisations: Generate([OrgGroup(kind: "org", place: "A", count: {n})]),
            {network}
            {extra}
        )"#
    );
    let sc = scenario::parse_str("test.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    Plan::new(sc, ".".into()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn ties(pairs: &[(u32, u32)]) -> Vec<TieSpec> {
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

/// A simulation of `plan` on the given undirected ties.
fn sim_on<'a>(plan: &'a Plan, pairs: &[(u32, u32)]) -> Simulation<'a> {
    let (w, _) = world::build(plan, 0).unwrap();
    let net = Network::from_ties(w.n, &ties(pairs), &w.kind, &w.place).unwrap();
    Simulation::with_network(plan, 0, w, net).unwrap()
}

fn path(n: u32) -> Vec<(u32, u32)> {
    (0..n - 1).map(|i| (i, i + 1)).collect()
}

fn stages(sim: &Simulation, p: usize) -> Vec<u8> {
    sim.state.practices[p].stage.clone()
}

const SEED0: &str = r#"seeds: Some(Targets(pick: List(["0"]))), dwell_years: 10.0"#;

#[test]
fn fractional_threshold_walks_a_path_one_step_at_a_time() {
    let p = plan(
        5,
        &format!(
            r#"practices: [Practice(name: "x", kernel: FractionalThreshold(threshold: Fixed(0.5)), {SEED0})]"#
        ),
    );
    let mut sim = sim_on(&p, &path(5));
    assert_eq!(stages(&sim, 0), vec![TRIALLING, NONE, NONE, NONE, NONE]);
    for step in 1..=4 {
        sim.advance().unwrap();
        // Node `step` has one adopting neighbour of two (1/2 >= 0.5); the end node 1 of 1.
        let adopted = stages(&sim, 0).iter().filter(|&&s| s != NONE).count();
        assert_eq!(adopted, step + 1, "after step {step}");
    }
}

#[test]
fn fractional_threshold_above_one_half_blocks_the_path() {
    let p = plan(
        5,
        &format!(
            r#"practices: [Practice(name: "x", kernel: FractionalThreshold(threshold: Fixed(0.51)), {SEED0})]"#
        ),
    );
    let mut sim = sim_on(&p, &path(5));
    for _ in 0..5 {
        sim.advance().unwrap();
    }
    assert_eq!(stages(&sim, 0), vec![TRIALLING, NONE, NONE, NONE, NONE]);
}

#[test]
fn absolute_threshold_needs_two_distinct_adopting_neighbours() {
    // Ring lattice with k = 4: i tied to i±1, i±2.
    let n = 12u32;
    let ring: Vec<(u32, u32)> = (0..n)
        .flat_map(|i| [(i, (i + 1) % n), (i, (i + 2) % n)])
        .collect();
    let one = plan(
        n,
        r#"practices: [Practice(name: "x", kernel: AbsoluteThreshold(neighbours: 2), seeds: Some(Targets(pick: List(["0"]))))]"#,
    );
    let mut sim = sim_on(&one, &ring);
    for _ in 0..6 {
        sim.advance().unwrap();
    }
    assert_eq!(
        sim.state.practices[0].trialling + sim.state.practices[0].embedded,
        1,
        "one seed cannot start a complex contagion"
    );
    let two = plan(
        n,
        r#"practices: [Practice(name: "x", kernel: AbsoluteThreshold(neighbours: 2), seeds: Some(Targets(pick: List(["0", "1"]))))]"#,
    );
    let mut sim = sim_on(&two, &ring);
    sim.advance().unwrap();
    // Nodes 11 and 2 each see both seeds (11: 0 and 1? 11~0, 11~1; 2~0, 2~1).
    let s = stages(&sim, 0);
    assert_eq!(s.iter().filter(|&&x| x != NONE).count(), 4);
    assert!(s[11] != NONE && s[2] != NONE);
    for _ in 0..5 {
        sim.advance().unwrap();
    }
    assert!(
        stages(&sim, 0).iter().all(|&x| x != NONE),
        "two adjacent seeds fill the lattice"
    );
}

#[test]
fn cascade_with_certainty_reaches_the_leaves_in_one_step_only() {
    let star: Vec<(u32, u32)> = (1..6).map(|i| (0, i)).collect();
    let p = plan(
        6,
        r#"practices: [Practice(name: "x", kernel: IndependentCascade(probability: 1.0), seeds: Some(Targets(pick: List(["0"]))))]"#,
    );
    let mut sim = sim_on(&p, &star);
    sim.advance().unwrap();
    assert!(stages(&sim, 0).iter().all(|&x| x != NONE));
    // From a leaf: the centre at step 1, the other leaves at step 2.
    let p = plan(
        6,
        r#"practices: [Practice(name: "x", kernel: IndependentCascade(probability: 1.0), seeds: Some(Targets(pick: List(["3"]))))]"#,
    );
    let mut sim = sim_on(&p, &star);
    sim.advance().unwrap();
    assert_eq!(stages(&sim, 0).iter().filter(|&&x| x != NONE).count(), 2);
    sim.advance().unwrap();
    assert_eq!(stages(&sim, 0).iter().filter(|&&x| x != NONE).count(), 6);
}

#[test]
fn cascade_gives_each_new_adopter_one_chance_only() {
    // p = 0: nobody; and a node exposed once and missed is never retried later.
    let p = plan(
        3,
        r#"practices: [Practice(name: "x", kernel: IndependentCascade(probability: 0.0), seeds: Some(Targets(pick: List(["0"]))))]"#,
    );
    let mut sim = sim_on(&p, &path(3));
    for _ in 0..5 {
        sim.advance().unwrap();
    }
    assert_eq!(stages(&sim, 0), vec![TRIALLING, NONE, NONE]);
    assert!(sim.state.practices[0].fresh.is_empty());
}

#[test]
fn bass_with_overwhelming_innovation_adopts_everyone_at_once() {
    let p = plan(
        10,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 1e6, imitation: 0.0))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    assert_eq!(sim.state.practices[0].trialling, 10);
}

#[test]
fn bass_without_innovation_or_adopters_never_starts() {
    let p = plan(
        10,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 0.0, imitation: 5.0))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    for _ in 0..12 {
        sim.advance().unwrap();
    }
    assert_eq!(sim.state.practices[0].trialling, 0);
}

#[test]
fn improver_gate_holds_adoption_until_someone_is_active() {
    let p = plan(
        3,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 1e6, imitation: 0.0), gates: Gates(min_active_improvers: 1))],
           training: Training(skill_weight: 1.0, activation_rate: 1e6, skill_fade: 0.0, improver_lapse: 0.0, staff_turnover: 0.0),
           interventions: [Intervention(name: "t", when: At("2020-03"), targets: Targets(pick: List(["1"])), action: TrainingCohort(staff_per_org: 2))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    sim.advance().unwrap();
    assert_eq!(
        sim.state.practices[0].trialling, 0,
        "nobody has improvers before March"
    );
    sim.advance().unwrap(); // March: trained, active at once, then adopts in the same step.
    assert_eq!(sim.state.trained[1], 2);
    assert_eq!(sim.state.active[1], 2);
    assert_eq!(stages(&sim, 0), vec![NONE, TRIALLING, NONE]);
}

#[test]
fn training_caps_at_untrained_staff_and_lone_trainees_need_skills() {
    // skill_weight 0 and no support: a lone trainee never starts; fade removes skills.
    let p = plan(
        1,
        r#"training: Training(skill_weight: 0.0, activation_rate: 100.0, support_threshold: 1.0, colleague_weight: 0.0, skill_fade: 1e6, improver_lapse: 0.0, staff_turnover: 0.0),
           interventions: [Intervention(name: "t", when: At("2020-01"), action: TrainingCohort(staff_per_org: 50))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    // Trained up to the 10 staff, and all faded within the step without ever starting.
    assert_eq!(sim.state.active[0], 0);
    assert_eq!(sim.state.trained[0], 0);
}

#[test]
fn trialling_embeds_after_the_dwell_time() {
    let p = plan(
        2,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 0.0, imitation: 0.0), dwell_years: 0.25, seeds: Some(Targets(pick: List(["0"]))))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    // Seeded at step 0: due at step 3 (0.25 years of monthly steps).
    for step in 1..=3 {
        sim.advance().unwrap();
        let expected = if step < 3 { TRIALLING } else { EMBEDDED };
        assert_eq!(sim.state.practices[0].stage[0], expected, "step {step}");
    }
}

#[test]
fn certain_discontinuation_is_final() {
    let p = plan(
        2,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 0.0, imitation: 1e6), seeds: Some(Targets(pick: List(["0"]))), gates: Gates(discontinuation: 1e6))]"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    // Step 1: organisation 1 adopts (imitating 0), then both discontinue.
    assert_eq!(stages(&sim, 0), vec![DISCONTINUED, DISCONTINUED]);
    sim.advance().unwrap();
    assert_eq!(stages(&sim, 0), vec![DISCONTINUED, DISCONTINUED]);
    assert_eq!(sim.state.practices[0].discontinued, 2);
}

#[test]
fn commitment_erodes_linearly_and_the_organisation_withdraws_below_the_threshold() {
    // One isolated organisation: only erosion acts, 0.12 a year = 0.01 a month.
    let p = plan(
        1,
        r#"commitment: Commitment(enabled: true, initial: Fixed(0.255), alignment: Fixed(1.0), expectation: Fixed(0.0),
              resistance: Fixed(0.0), erosion: 0.12, exit_threshold: 0.2, rejoin_threshold: 0.9)"#,
    );
    let mut sim = sim_on(&p, &[]);
    for step in 1..=6 {
        sim.advance().unwrap();
        let expected = 0.255 - 0.01 * step as f64;
        assert!(
            (sim.state.commitment[0] - expected).abs() < 1e-12,
            "step {step}"
        );
        // 0.205 after step 5 stays; 0.195 after step 6 is below the exit threshold.
        assert_eq!(sim.state.member[0], step <= 5, "step {step}");
    }
    // Withdrawn: frozen.
    sim.advance().unwrap();
    assert!((sim.state.commitment[0] - 0.195).abs() < 1e-12);
}

#[test]
fn commitment_gains_from_relational_ties() {
    // Two tied organisations, weight 1: relational term 0.6 * 1 / (1 + 1) = 0.3 a year.
    let p = plan(
        2,
        r#"commitment: Commitment(enabled: true, initial: Fixed(0.5), alignment: Fixed(1.0), expectation: Fixed(0.0),
              resistance: Fixed(0.0), erosion: 0.0, relational_gain: 0.6, relational_half: 1.0)"#,
    );
    let mut sim = sim_on(&p, &[(0, 1)]);
    sim.advance().unwrap();
    assert!((sim.state.commitment[0] - (0.5 + 0.3 / 12.0)).abs() < 1e-12);
}

#[test]
fn prevalence_holds_at_baseline_without_programmes_and_rises_with_a_shock() {
    let p = plan(1, r#"outcome: Outcome(relapse: 0.2)"#);
    let mut sim = Simulation::new(&p, 0).unwrap();
    for _ in 0..24 {
        sim.advance().unwrap();
    }
    assert!((sim.observe().prevalence - 0.25).abs() < 1e-12);
    let p = plan(
        1,
        r#"outcome: Outcome(relapse: 0.2, shocks: [Shock(name: "s", start: "2020-01", end: "2020-01", inactivity_hazard: 1.2)])"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    // One month: background u = 0.2 * 0.75 / 0.25 = 0.6; active people face 0.2 + 1.2.
    let lambda = 0.6 + 1.4;
    let eq = 10000.0 * 1.4 / lambda;
    let expected = eq + (2500.0 - eq) * (-lambda / 12.0f64).exp();
    assert!(
        (sim.state.inactive[0] - expected).abs() < 1e-9,
        "{} vs {expected}",
        sim.state.inactive[0]
    );
}

#[test]
fn embedded_practices_combine_without_double_counting() {
    // Two embedded organisations each reaching half the place (5000 of 10000), effect 0.2:
    // share moved a year = 1 - (1 - 0.1)^2 = 0.19, hazard -ln(0.81).
    let p = plan(
        2,
        r#"practices: [Practice(name: "x", kernel: Bass(innovation: 0.0, imitation: 0.0), effect: 0.2, dwell_years: 0.0,
              seeds: Some(Targets(pick: All)))],
           outcome: Outcome(relapse: 0.2)"#,
    );
    let mut sim = Simulation::new(&p, 0).unwrap();
    sim.advance().unwrap();
    assert_eq!(sim.state.practices[0].embedded, 2);
    let lambda = 0.6 - (0.81f64).ln() + 0.2;
    let eq = 10000.0 * 0.2 / lambda;
    let expected = eq + (2500.0 - eq) * (-lambda / 12.0).exp();
    assert!((sim.state.inactive[0] - expected).abs() < 1e-9);
}

#[test]
fn ties_decay_exponentially_and_reinforce_between_improvers() {
    let p = plan(
        3,
        r#"ties: TieDynamics(decay: 1.2, reinforcement: 0.0),
           training: Training(skill_weight: 1.0, activation_rate: 1e6, skill_fade: 0.0, improver_lapse: 0.0, staff_turnover: 0.0)"#,
    );
    let mut sim = sim_on(&p, &[(0, 1), (1, 2)]);
    sim.advance().unwrap();
    assert!((sim.state.net.weight(0) - (-0.1f64).exp()).abs() < 1e-6);
    let p = plan(
        3,
        r#"ties: TieDynamics(reinforcement: 1e6),
           training: Training(skill_weight: 1.0, activation_rate: 1e6, skill_fade: 0.0, improver_lapse: 0.0, staff_turnover: 0.0),
           interventions: [Intervention(name: "t", when: At("2020-01"), targets: Targets(pick: List(["0", "1"])), action: TrainingCohort(staff_per_org: 1))]"#,
    );
    let (w, _) = world::build(&p, 0).unwrap();
    let specs = vec![
        TieSpec {
            a: 0,
            b: 1,
            weight: 0.2,
            person_dependent: false,
        },
        TieSpec {
            a: 1,
            b: 2,
            weight: 0.2,
            person_dependent: false,
        },
    ];
    let net = Network::from_ties(3, &specs, &w.kind, &w.place).unwrap();
    let mut sim = Simulation::with_network(&p, 0, w, net).unwrap();
    sim.advance().unwrap();
    // 0 and 1 both have improvers: their tie is pulled to full strength; 1-2 is not.
    assert!((sim.state.net.weight(0) - 1.0).abs() < 1e-6);
    assert!((sim.state.net.weight(1) - 0.2).abs() < 1e-6);
    sim.state.check_sums().unwrap();
}

#[test]
fn same_seed_same_run_and_replicates_differ() {
    let p = plan(
        60,
        r#"network: NetworkSpec(model: ErdosRenyi(mean_degree: 4.0), weights: Uniform(lo: 0.1, hi: 1.0), person_dependent_share: 0.5),
           practices: [Practice(name: "x", kernel: Bass(innovation: 0.2, imitation: 1.0), effect: 0.1, gates: Gates(discontinuation: 0.1, commitment_scaling: true))],
           commitment: Commitment(enabled: true),
           ties: TieDynamics(decay: 0.1, reinforcement: 0.5, triadic_closure: 0.5, turnover_loss: true),
           interventions: [Intervention(name: "t", when: Every(months: 6, from: "2020-01", to: "2021-12"), targets: Targets(pick: Random(10)), action: TrainingCohort(staff_per_org: 2))]"#,
    );
    let record = |rep: u32| {
        let mut rows = Vec::new();
        let out = run_replicate(&p, rep, &mut |r| rows.push(format!("{r:?}"))).unwrap();
        (rows, format!("{out:?}"))
    };
    assert_eq!(record(0), record(0));
    assert_ne!(record(0), record(1));
}

/// Reference: the synchronous fractional-threshold rule by full sweep, as in the classic
/// model. The frontier kernel must give the same adopters at every step.
#[test]
fn frontier_threshold_matches_a_full_sweep_on_random_graphs() {
    for seed in 0..5u64 {
        let n = 300u32;
        let mut edges = Vec::new();
        let mut x = seed * 7919 + 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for a in 0..n {
            for b in a + 1..n {
                if next() % 1000 < 12 {
                    edges.push((a, b));
                }
            }
        }
        let p = plan(
            n,
            r#"practices: [Practice(name: "x", kernel: FractionalThreshold(threshold: Uniform(lo: 0.05, hi: 0.35)), dwell_years: 10.0,
                  seeds: Some(Targets(pick: Random(6))))]"#,
        );
        let mut sim = sim_on(&p, &edges);
        let phi = sim.world.threshold[0].clone();
        let mut adopted: Vec<bool> = sim.state.practices[0]
            .stage
            .iter()
            .map(|&s| s != NONE)
            .collect();
        let deg: Vec<usize> = (0..n as usize).map(|i| sim.state.net.degree(i)).collect();
        for step in 0..20 {
            let next: Vec<bool> = (0..n as usize)
                .map(|i| {
                    adopted[i] || {
                        let k = sim
                            .state
                            .net
                            .neighbours(i)
                            .iter()
                            .filter(|&&j| adopted[j as usize])
                            .count();
                        deg[i] > 0 && k as f64 / deg[i] as f64 >= phi[i]
                    }
                })
                .collect();
            sim.advance().unwrap();
            let got: Vec<bool> = sim.state.practices[0]
                .stage
                .iter()
                .map(|&s| s != NONE)
                .collect();
            assert_eq!(got, next, "seed {seed} step {step}");
            adopted = next;
        }
    }
}

/// Every derived sum and list the state keeps incrementally (neighbourhood weights,
/// giving, adopter lists) equals a recomputation from scratch after every step of the
/// shipped scenarios, where every sub-model and intervention is on.
#[test]
fn kept_sums_match_recomputation_through_whole_runs() {
    for file in ["scenarios/small.ron", "scenarios/sustaining_commitment.ron"] {
        let path = std::path::Path::new(file);
        let plan = scenario::check_file(path, &[]).unwrap_or_else(|e| panic!("{e}"));
        for replicate in 0..2 {
            let mut sim = Simulation::new(&plan, replicate).unwrap();
            for _ in 0..plan.steps {
                sim.advance().unwrap();
                sim.state
                    .check_sums()
                    .and_then(|()| {
                        changenet::model::commitment::check_drift(&sim.ctx, &sim.world, &sim.state)
                    })
                    .unwrap_or_else(|e| panic!("{file} step {}: {e}", sim.step));
            }
        }
    }
}

/// A run big enough to be decided in several blocks (src/model/par.rs) gives the same state
/// on 1, 2 and 3 threads, every sub-model on.
#[test]
fn in_run_parallelism_is_byte_identical_at_any_thread_count() {
    let p = plan(
        40_000,
        r#"network: NetworkSpec(model: ErdosRenyi(mean_degree: 6.0), weights: Uniform(lo: 0.1, hi: 1.0), person_dependent_share: 0.2),
        practices: [
            Practice(name: "ft", kernel: FractionalThreshold(threshold: Uniform(lo: 0.1, hi: 0.3)), effect: 0.05,
                     seeds: Some(Targets(pick: Fraction(0.01))), gates: Gates(commitment_scaling: true, discontinuation: 0.02)),
            Practice(name: "bass", kernel: Bass(innovation: 0.05, imitation: 0.4), effect: 0.05,
                     gates: Gates(min_active_improvers: 1, commitment_scaling: true, discontinuation_commitment: 0.1)),
        ],
        commitment: Commitment(enabled: true, erosion: 0.3),
        ties: TieDynamics(decay: 0.05, reinforcement: 0.5, reciprocity_rate: 2.0, triadic_closure: 0.05, turnover_loss: true),
        interventions: [Intervention(name: "train", when: Every(months: 3, from: "2020-01", to: "2021-12"),
                        targets: Targets(pick: Fraction(0.2)), action: TrainingCohort(staff_per_org: 3))],"#,
    );
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut sim = Simulation::new(&p, 0).unwrap();
            let mut records = Vec::new();
            for _ in 0..p.steps {
                sim.advance().unwrap();
                records.push(format!("{:?}", sim.observe()));
            }
            (
                records,
                sim.state.commitment.clone(),
                sim.state.trained.clone(),
            )
        })
    };
    let one = run(1);
    // The run did move: adopters, withdrawals and improvers all happened.
    assert!(one.0.last().unwrap() != &one.0[0]);
    assert!(one.2.iter().any(|&k| k > 0));
    assert_eq!(run(2), one);
    assert_eq!(run(3), one);
}
