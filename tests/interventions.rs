//! Each intervention changes exactly the state it should, on tiny networks with
//! hand-computed answers (docs/INTERVENTIONS.md states every rule checked here).

mod interventions_support;

use changenet::model::run_replicate;
use changenet::network::{CROSS_KIND, CROSS_PLACE, REMOVED};
use changenet::scenario::GovernanceMode;
use interventions_support::*;

/// One intervention at the first month, aimed at `targets`, doing `action`.
fn one(targets: &str, action: &str) -> String {
    format!(
        r#"interventions: [Intervention(name: "i", when: At("2020-01"), targets: Targets({targets}), action: {action})]"#
    )
}

const COMMITMENT: &str = r#"commitment: Commitment(enabled: true, initial: Fixed(0.5), alignment: Fixed(0.5), expectation: Fixed(0.6), resistance: Fixed(0.4)),"#;

#[test]
fn training_cohort_trains_up_to_the_untrained_staff_and_costs_per_person() {
    let p = plan_x(
        3,
        r#"interventions: [Intervention(name: "i", when: Every(months: 1, from: "2020-01", to: "2020-03"),
            targets: Targets(pick: List(["0", "2"])), action: TrainingCohort(staff_per_org: 4),
            cost: Cost(per_event: 1000.0, per_organisation: 1.0, per_person_trained: 100.0))]"#,
    );
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.trained, vec![4, 0, 4]);
    apply(&mut sim, 2);
    apply(&mut sim, 3);
    // 4 + 4 + 2: ten staff in all.
    assert_eq!(sim.state.trained, vec![10, 0, 10]);
    let cost = 3.0 * 1000.0 + 3.0 * 2.0 * 1.0 + 100.0 * 20.0;
    assert!(close(sim.state.programme.total_cost, cost));
    assert_eq!(sim.state.active, vec![0, 0, 0]);
}

#[test]
fn training_in_pairs_means_nobody_trains_alone() {
    // 0, 1: ten staff; 2, 3, 4: one staff each.
    let groups =
        r#"OrgGroup(kind: "x", place: "A", count: 2), OrgGroup(kind: "y", place: "A", count: 3)"#;
    let p = plan(
        groups,
        &one(
            "",
            "TrainingCohort(staff_per_org: 1, in_pairs: true, pair_weight: 0.4)",
        ),
    );
    let mut sim = sim_on(&p, &[(0, 1)], 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.trained, vec![2, 2, 1, 1, 1]);
    // Singles 2, 3, 4: (2, 3) paired, and the odd one out 4 with 2.
    assert!((tie_weight(&sim, 2, 3).unwrap() - 0.4).abs() < 1e-6);
    assert!((tie_weight(&sim, 2, 4).unwrap() - 0.4).abs() < 1e-6);
    assert_eq!(tie_weight(&sim, 3, 4), None);
    assert!(close(tie_weight(&sim, 0, 1).unwrap(), 1.0));
    assert_eq!(sim.state.net.live_ties, 3);
    sim.state.check_sums().unwrap();

    // Without pairs: one each and no new ties.
    let p = plan(groups, &one("", "TrainingCohort(staff_per_org: 1)"));
    let mut sim = sim_on(&p, &[(0, 1)], 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.trained, vec![1, 1, 1, 1, 1]);
    assert_eq!(sim.state.net.live_ties, 1);
}

#[test]
fn pilot_seeding_starts_trialling_in_the_targets_only() {
    let p = plan_x(
        4,
        &format!(
            r#"practices: [Practice(name: "walk", kernel: Bass(innovation: 0.0, imitation: 0.0))],
            {}"#,
            one(
                r#"pick: List(["1", "3"])"#,
                r#"PilotSeeding(practice: "walk")"#
            )
        ),
    );
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.practices[0].stage, vec![0, 1, 0, 1]);
}

/// Eight attendees: 0-3 of kind x in A, 4-7 of kind y in B; no ties at first.
fn event_plan(action: &str) -> changenet::plan::Plan {
    plan(
        r#"OrgGroup(kind: "x", place: "A", count: 4), OrgGroup(kind: "y", place: "B", count: 4)"#,
        &one("", action),
    )
}

#[test]
fn engagement_event_ties_prefer_other_kinds_and_places() {
    let p = event_plan(
        "EngagementEvent(new_ties_per_attendee: 1, tie_weight: 0.2, boundary_preference: 1e6)",
    );
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    let net = &sim.state.net;
    assert!(net.live_ties >= 4, "{}", net.live_ties);
    for t in 0..net.ties.len() {
        assert_eq!(net.ties.flags[t], CROSS_KIND | CROSS_PLACE, "tie {t}");
        assert!((net.weight(t) - 0.2).abs() < 1e-6);
    }
    assert!(
        (0..8).all(|i| net.degree(i) >= 1),
        "every attendee formed or received a tie"
    );
    sim.state.check_sums().unwrap();

    // No crossing at all with preference 0: ties stay inside (kind, place).
    let p = event_plan("EngagementEvent(new_ties_per_attendee: 2, boundary_preference: 0.0)");
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    let net = &sim.state.net;
    assert!(net.live_ties >= 4);
    assert!(net.ties.flags.iter().all(|&f| f == 0));
}

#[test]
fn engagement_event_among_tied_attendees_adds_no_ties() {
    let p = event_plan("EngagementEvent(new_ties_per_attendee: 3)");
    let all: Vec<(u32, u32)> = (0..8)
        .flat_map(|a| (a + 1..8).map(move |b| (a, b)))
        .collect();
    let mut sim = sim_on(&p, &all, 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.net.live_ties, 28);
}

#[test]
fn engagement_event_boosts_commitment_and_recruits_the_withdrawn() {
    for recruit in [true, false] {
        let p = plan_x(
            3,
            &format!(
                "{COMMITMENT} {}",
                one(
                    r#"pick: List(["0", "1"])"#,
                    &format!("EngagementEvent(new_ties_per_attendee: 0, commitment_boost: 0.1, recruit: {recruit})")
                )
            ),
        );
        let mut sim = sim_on(&p, &path(3), 1.0);
        sim.state.set_member(0, false);
        sim.state.commitment[0] = 0.1;
        apply(&mut sim, 1);
        let c = &sim.state.commitment;
        if recruit {
            // Raised to the rejoin threshold (0.4), then boosted.
            assert!(sim.state.member[0] && close(c[0], 0.5));
            assert_eq!(sim.state.members, 3);
        } else {
            assert!(!sim.state.member[0] && close(c[0], 0.2));
        }
        assert!(close(c[1], 0.6) && close(c[2], 0.5));
        sim.state.check_sums().unwrap();
    }
}

#[test]
fn weaving_ties_a_broker_to_distant_organisations_only() {
    // Two paths 0-1-2 and 3-4-5: from broker 1, only 3, 4, 5 are 3 or more ties away.
    let p = plan_x(
        6,
        &one(
            r#"pick: List(["1"])"#,
            "NetworkWeaving(ties_per_broker: 1, tie_weight: 0.3)",
        ),
    );
    let two_paths = [(0, 1), (1, 2), (3, 4), (4, 5)];
    let mut sim = sim_on(&p, &two_paths, 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.net.live_ties, 5);
    let woven: Vec<u32> = (3..6)
        .filter(|&j| tie_weight(&sim, 1, j).is_some())
        .collect();
    assert_eq!(woven.len(), 1);
    assert!(close(tie_weight(&sim, 1, woven[0]).unwrap(), 0.3f32 as f64));

    // Asking for more than there are: all three far ones, none near.
    let p = plan_x(
        6,
        &one(r#"pick: List(["1"])"#, "NetworkWeaving(ties_per_broker: 9)"),
    );
    let mut sim = sim_on(&p, &two_paths, 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.net.live_ties, 7);
    assert!((3..6).all(|j| tie_weight(&sim, 1, j).is_some()));

    // One path 0-1-2-3-4, min distance 2, other places only: 3 and 4 are in B.
    let p = plan(
        r#"OrgGroup(kind: "x", place: "A", count: 3), OrgGroup(kind: "x", place: "B", count: 2)"#,
        &one(
            r#"pick: List(["0"])"#,
            "NetworkWeaving(ties_per_broker: 9, min_distance: 2, other_places_only: true)",
        ),
    );
    let mut sim = sim_on(&p, &path(5), 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.net.neighbours(0), &[1, 3, 4]);
    sim.state.check_sums().unwrap();
}

/// Five organisations on a path; coordinator action `what` with effect 0.5 on all.
fn coordinate(what: &str, extra: &str) -> changenet::plan::Plan {
    plan_x(
        5,
        &format!(
            "{COMMITMENT} {extra} {}",
            one("", &format!("Coordinate(action: {what}, effect: 0.5)"))
        ),
    )
}

#[test]
fn coordinator_actions_close_their_gap_scaled_by_commitment() {
    // Budget large enough for all five; s = effect * C = 0.5 * 0.5 = 0.25.
    let big = "governance: Governance(shared_budget: 100),";
    let p = coordinate("ReassessGoals", big);
    let mut sim = sim_on(&p, &path(5), 0.6);
    apply(&mut sim, 1);
    assert!(sim
        .state
        .alignment
        .iter()
        .all(|&g| close(g, 0.5 + 0.25 * 0.5)));

    let p = coordinate("ManageExpectations", big);
    let mut sim = sim_on(&p, &path(5), 0.6);
    apply(&mut sim, 1);
    // No practices: progress 0, so E moves a quarter of the way to 0.
    assert!(sim
        .state
        .expectation
        .iter()
        .all(|&e| close(e, 0.6 - 0.25 * 0.6)));

    let p = coordinate("SetPreconditions", big);
    let mut sim = sim_on(&p, &path(5), 0.6);
    apply(&mut sim, 1);
    assert!(sim.state.resistance.iter().all(|&r| close(r, 0.3)));

    let p = coordinate("BuildRelationships", big);
    let mut sim = sim_on(&p, &path(5), 0.6);
    apply(&mut sim, 1);
    assert!(sim.state.commitment.iter().all(|&c| close(c, 0.625)));
    // Each tie is strengthened from both ends, one after the other (0 to 1 in index
    // order): 0.6 -> 0.7 -> 0.775; the first and last ties are touched from 0 and 4 too.
    for t in 0..4 {
        let w = sim.state.net.weight(t);
        assert!((w - 0.775).abs() < 1e-6, "tie {t}: {w}");
    }
    sim.state.check_sums().unwrap();
}

#[test]
fn coordinator_effect_is_larger_before_commitment_has_fallen() {
    let p = coordinate("ReassessGoals", "governance: Governance(shared_budget: 5),");
    let mut sim = sim_on(&p, &[], 1.0);
    sim.state.commitment[0] = 0.8;
    sim.state.commitment[1] = 0.2;
    apply(&mut sim, 1);
    let gain = |i: usize| sim.state.alignment[i] - 0.5;
    assert!(close(gain(0), 0.5 * 0.8 * 0.5) && close(gain(1), 0.5 * 0.2 * 0.5));
}

#[test]
fn coordinator_budget_follows_the_governance_mode() {
    // Shared governance: 2 actions a month for 5 targets; a second action the same step
    // finds the budget spent. Each action costs 100.
    let two = r#"interventions: [
        Intervention(name: "a", when: At("2020-01"), action: Coordinate(action: SetPreconditions, effect: 0.5), cost: Cost(per_action: 100.0)),
        Intervention(name: "b", when: At("2020-01"), action: Coordinate(action: ReassessGoals, effect: 0.5)),
    ]"#;
    let p = plan_x(5, &format!("{COMMITMENT} {two}"));
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    let served = sim.state.resistance.iter().filter(|&&r| r < 0.4).count();
    assert_eq!(served, 2);
    assert!(sim.state.alignment.iter().all(|&g| g == 0.5));
    assert_eq!(sim.state.programme.actions_used, 2);
    assert!(close(sim.state.programme.total_cost, 200.0));

    // A change to a network administrative organisation first: 10 a month, all served.
    let changed = r#"interventions: [
        Intervention(name: "nao", when: At("2020-01"), action: GovernanceChange(mode: AdministrativeOrganisation)),
        Intervention(name: "a", when: At("2020-01"), action: Coordinate(action: SetPreconditions, effect: 0.5)),
    ]"#;
    let p = plan_x(5, &format!("{COMMITMENT} {changed}"));
    let mut sim = sim_on(&p, &[], 1.0);
    assert_eq!(sim.state.programme.governance, GovernanceMode::Shared);
    apply(&mut sim, 1);
    assert_eq!(
        sim.state.programme.governance,
        GovernanceMode::AdministrativeOrganisation
    );
    assert!(sim.state.resistance.iter().all(|&r| close(r, 0.3)));
}

#[test]
fn funding_adds_room_to_train_and_activation_for_its_duration() {
    let p = plan_x(
        2,
        r#"interventions: [
            Intervention(name: "fund", when: At("2020-01"), targets: Targets(pick: List(["0"])),
                action: Funding(years: 0.25, extra_staff: 5, activation_multiplier: 3.0),
                cost: Cost(per_year: 1000.0)),
            Intervention(name: "train", when: At("2020-01"), action: TrainingCohort(staff_per_org: 15)),
        ]"#,
    );
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.trained, vec![15, 10]);
    let pr = &sim.state.programme;
    assert_eq!(
        (pr.activation_factor(0), pr.activation_factor(1)),
        (3.0, 1.0)
    );
    assert!(close(pr.total_cost, 250.0));
    // A quarter of a year is three monthly steps: on in steps 1-3, off from step 4.
    apply(&mut sim, 3);
    assert_eq!(sim.state.programme.activation_factor(0), 3.0);
    apply(&mut sim, 4);
    assert_eq!(sim.state.programme.activation_factor(0), 1.0);
    assert_eq!(sim.state.programme.extra_staff(0), 0);
}

#[test]
fn shock_drops_commitment_and_capacity_and_raises_inactivity_where_it_hits() {
    let groups =
        r#"OrgGroup(kind: "x", place: "A", count: 2), OrgGroup(kind: "x", place: "B", count: 1)"#;
    let p = plan(
        groups,
        &format!(
            "{COMMITMENT} {}",
            one(
                r#"places: ["A"]"#,
                "Shock(years: 1.0, commitment_drop: 0.2, capacity_loss: 0.4, inactivity_rise: 0.5)"
            )
        ),
    );
    let mut sim = sim_on(&p, &[], 1.0);
    for i in 0..3 {
        sim.state.set_staff(i, 10, 5);
    }
    apply(&mut sim, 1);
    // round(0.4 * 5) = 2 improvers stop in A; they stay trained.
    assert_eq!(sim.state.active, vec![3, 3, 5]);
    assert_eq!(sim.state.trained, vec![10, 10, 10]);
    assert!(close(sim.state.commitment[0], 0.3) && close(sim.state.commitment[2], 0.5));
    let pr = &sim.state.programme;
    assert!(close(pr.activation_factor(0), 0.6) && pr.activation_factor(2) == 1.0);
    assert_eq!((pr.place_hazard(0), pr.place_hazard(1)), (0.5, 0.0));
    apply(&mut sim, 13);
    assert_eq!(sim.state.programme.place_hazard(0), 0.0);
}

#[test]
fn shock_raises_inactivity_in_its_places_through_the_outcome() {
    let groups =
        r#"OrgGroup(kind: "x", place: "A", count: 1), OrgGroup(kind: "x", place: "B", count: 1)"#;
    let p = plan(
        groups,
        &one(
            r#"places: ["A"]"#,
            "Shock(years: 1.0, inactivity_rise: 0.5)",
        ),
    );
    let mut sim = sim_on(&p, &[], 1.0);
    sim.advance().unwrap();
    let (a, b) = (sim.state.inactive[0], sim.state.inactive[1]);
    // B stays at its equilibrium; A gains people at a hazard of 0.5 a year on the active.
    assert!(close(b, 2500.0), "{b}");
    assert!(a > b + 10.0, "{a} vs {b}");
}

#[test]
fn a_run_reports_its_total_cost() {
    let p = plan_x(
        4,
        r#"interventions: [Intervention(name: "w", when: Every(months: 12, from: "2020-03", to: "2021-12"),
            targets: Targets(pick: Random(2)), action: TrainingCohort(staff_per_org: 1),
            cost: Cost(per_event: 1000.0, per_person_trained: 10.0))]"#,
    );
    let out = run_replicate(&p, 0, &mut |_| {}).unwrap();
    // Two waves (2020-03, 2021-03), two people each.
    assert!(
        close(out.total_cost, 2.0 * 1000.0 + 4.0 * 10.0),
        "{}",
        out.total_cost
    );
}

#[test]
fn removed_ties_are_not_rewoven_or_counted() {
    // A tie removed before weaving stays removed; the broker may be tied anew to that end
    // only if it is now far enough.
    let p = plan_x(
        4,
        &one(
            r#"pick: List(["0"])"#,
            "NetworkWeaving(ties_per_broker: 9, min_distance: 2)",
        ),
    );
    let mut sim = sim_on(&p, &[(0, 1), (1, 2), (2, 3)], 1.0);
    sim.state.remove_tie(0);
    apply(&mut sim, 1);
    assert_eq!(sim.state.net.ties.flags[0] & REMOVED, REMOVED);
    assert_eq!(sim.state.net.neighbours(0), &[1, 2, 3]);
    sim.state.check_sums().unwrap();
}

#[test]
fn engagement_events_per_place_tie_attendees_within_their_place() {
    let p = plan(
        r#"OrgGroup(kind: "x", place: "A", count: 4), OrgGroup(kind: "y", place: "B", count: 4)"#,
        r#"interventions: [Intervention(name: "i", when: At("2020-01"),
            action: EngagementEvent(new_ties_per_attendee: 1, boundary_preference: 1e6, per_place: true),
            cost: Cost(per_event: 100.0, per_organisation: 1.0))]"#,
    );
    let mut sim = sim_on(&p, &[], 1.0);
    apply(&mut sim, 1);
    let net = &sim.state.net;
    assert!(net.live_ties >= 4);
    // However strong the pull across boundaries, nobody meets the other place.
    assert!(net.ties.flags.iter().all(|&f| f == 0));
    // Two events (A and B) and eight attendees.
    assert!(close(sim.state.programme.total_cost, 2.0 * 100.0 + 8.0));
}

#[test]
fn bursts_of_new_ties_keep_rows_in_tie_order() {
    // 40 attendees, 6 ties each: rows overflow and are rebuilt mid-event; every row must
    // still list its ties in tie order (what an in-place insertion gives), so results do not
    // depend on when a rebuild happened.
    let p = plan_x(40, &one("", "EngagementEvent(new_ties_per_attendee: 6)"));
    let mut sim = sim_on(&p, &path(40), 1.0);
    apply(&mut sim, 1);
    let net = &sim.state.net;
    assert!(net.live_ties > 39 + 150, "{}", net.live_ties);
    for i in 0..40 {
        assert!(net.tie_ids(i).windows(2).all(|w| w[0] < w[1]), "row {i}");
    }
    sim.state.check_sums().unwrap();
}

#[test]
fn funding_and_shocks_reach_the_training_sub_model() {
    // Activation is certain within a step (rate 1e6, no support needed), unless an effect
    // multiplies it by 0: funding with multiplier 0, or a shock that takes all capacity.
    let training = "training: Training(skill_weight: 1.0, activation_rate: 1e6, skill_fade: 0.0, improver_lapse: 0.0, staff_turnover: 0.0),";
    for (effect, active) in [
        ("Funding(years: 1.0, activation_multiplier: 1.0)", 3),
        ("Funding(years: 1.0, activation_multiplier: 0.0)", 0),
        ("Shock(years: 1.0, capacity_loss: 1.0)", 0),
    ] {
        let p = plan_x(
            1,
            &format!(
                r#"{training} interventions: [
                    Intervention(name: "e", when: At("2020-01"), action: {effect}),
                    Intervention(name: "t", when: At("2020-01"), action: TrainingCohort(staff_per_org: 3)),
                ]"#
            ),
        );
        let mut sim = sim_on(&p, &[], 1.0);
        sim.advance().unwrap();
        assert_eq!(sim.state.active[0], active, "{effect}");
    }
}
