//! An invalid intervention is a validation error naming the line and field.

use std::path::Path;

use changenet::scenario::{canonical, check_text, parse_str, Diagnostic};

/// A valid scenario of 10 organisations with `interventions` and `extra` inserted, each
/// intervention on its own line (line 10 onwards).
fn scenario(interventions: &[&str], extra: &str) -> String {
    format!(
        r#"Scenario(
    name: "t",
    calendar: Calendar(start: "2016-01", end: "2030-12"),
    places: [Place(name: "A", population: 1000.0, inactive_prevalence: 0.25)],
    kinds: [Kind(name: "gp"), Kind(name: "school")],
    organisations: Generate([OrgGroup(kind: "gp", place: "A", count: 10)]),
    practices: [Practice(name: "walk", kernel: Bass(innovation: 0.1, imitation: 0.1))],
    {extra}
    interventions: [
{}
    ],
)"#,
        interventions.join("\n")
    )
}

fn errors(interventions: &[&str], extra: &str) -> Vec<Diagnostic> {
    match check_text(
        "s.ron",
        &scenario(interventions, extra),
        Path::new("."),
        &[],
    ) {
        Ok(_) => Vec::new(),
        Err(e) => e.0,
    }
}

/// The single error of one intervention on line 10: its field path and a word it says.
fn only(intervention: &str, path: &str, says: &str) {
    let e = errors(&[intervention], "");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].line, e[0].path.as_str()), (10, path), "{e:?}");
    assert!(e[0].message.contains(says), "{}", e[0].message);
}

const TRAIN: &str = "TrainingCohort(staff_per_org: 2)";

#[test]
fn every_action_and_pick_that_is_valid_passes() {
    let all = [
        r#"Intervention(name: "a", when: At("2017-01"), action: TrainingCohort(staff_per_org: 2, in_pairs: true), cost: Cost(per_person_trained: 1500.0))"#,
        r#"Intervention(name: "b", when: Every(months: 12, from: "2017-01", to: "2029-01"), targets: Targets(pick: NominatedFriends(3)), action: EngagementEvent(new_ties_per_attendee: 2, commitment_boost: 0.05, recruit: true), cost: Cost(per_event: 20000.0))"#,
        r#"Intervention(name: "c", when: At("2018-01"), targets: Targets(pick: LowestConstraint(2)), action: NetworkWeaving(ties_per_broker: 2))"#,
        r#"Intervention(name: "d", when: Every(months: 1, from: "2017-01", to: "2030-12"), targets: Targets(members_only: true), action: Coordinate(action: BuildRelationships, effect: 0.2), cost: Cost(per_action: 200.0))"#,
        r#"Intervention(name: "e", when: At("2019-01"), action: GovernanceChange(mode: LeadOrganisation))"#,
        r#"Intervention(name: "f", when: At("2019-01"), targets: Targets(pick: Greedy(seeds: 2, probability: 0.1, runs: 50)), action: PilotSeeding(practice: "walk"))"#,
        r#"Intervention(name: "g", when: At("2019-01"), targets: Targets(pick: HighestBetweenness(2)), action: Funding(years: 2.0, extra_staff: 3, activation_multiplier: 1.5), cost: Cost(per_year: 1e5))"#,
        r#"Intervention(name: "h", when: At("2020-03"), action: Shock(years: 1.5, commitment_drop: 0.1, capacity_loss: 0.5, inactivity_rise: 0.2))"#,
    ];
    let items: Vec<String> = all.iter().map(|s| format!("{s},")).collect();
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    let gov = "governance: Governance(mode: AdministrativeOrganisation),";
    assert_eq!(errors(&refs, gov), vec![]);
    // Every new variant and field survives the canonical round trip.
    let s = parse_str("s.ron", &scenario(&refs, gov)).unwrap();
    let text = canonical(&s);
    let again = parse_str("canonical", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, s);
}

#[test]
fn date_outside_the_horizon() {
    only(
        &format!(r#"Intervention(name: "a", when: At("2035-01"), action: {TRAIN})"#),
        "interventions[0].when",
        "outside the calendar",
    );
    only(
        &format!(
            r#"Intervention(name: "a", when: Every(months: 6, from: "2017-01", to: "2031-01"), action: {TRAIN})"#
        ),
        "interventions[0].when.to",
        "outside the calendar",
    );
}

#[test]
fn unknown_kind_place_or_practice() {
    only(
        &format!(
            r#"Intervention(name: "a", when: At("2017-01"), targets: Targets(kinds: ["trust"]), action: {TRAIN})"#
        ),
        "interventions[0].targets.kinds[0]",
        "known kinds: \"gp\", \"school\"",
    );
    only(
        &format!(
            r#"Intervention(name: "a", when: At("2017-01"), targets: Targets(places: ["Z"]), action: {TRAIN})"#
        ),
        "interventions[0].targets.places[0]",
        "no place is named \"Z\"",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: PilotSeeding(practice: "run"))"#,
        "interventions[0].action.practice",
        "known practices: \"walk\"",
    );
}

#[test]
fn negative_zero_or_absurd_counts() {
    let e = errors(
        &[&format!(
            r#"Intervention(name: "a", when: At("2017-01"), targets: Targets(pick: Random(-3)), action: {TRAIN})"#
        )],
        "",
    );
    assert!(!e.is_empty() && e[0].line == 10, "{e:?}");
    assert!(
        e[0].path.starts_with("interventions[0].targets.pick"),
        "{e:?}"
    );
    only(
        &format!(
            r#"Intervention(name: "a", when: At("2017-01"), targets: Targets(pick: HighestDegree(1000)), action: {TRAIN})"#
        ),
        "interventions[0].targets.pick",
        "only 10",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: TrainingCohort(staff_per_org: 0))"#,
        "interventions[0].action.staff_per_org",
        "must be 1 to",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: EngagementEvent(new_ties_per_attendee: 99999))"#,
        "interventions[0].action.new_ties_per_attendee",
        "must be 0 to 10000",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), targets: Targets(pick: Greedy(seeds: 2, probability: 0.1, runs: 0)), action: PilotSeeding(practice: "walk"))"#,
        "interventions[0].targets.pick.runs",
        "Monte-Carlo runs",
    );
}

#[test]
fn out_of_range_shares_weights_durations_costs_and_budgets() {
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: Coordinate(action: ReassessGoals, effect: 1.5))"#,
        "interventions[0].action.effect",
        "[0, 1]",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: NetworkWeaving(ties_per_broker: 1, min_distance: 1))"#,
        "interventions[0].action.min_distance",
        "at least 2",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: EngagementEvent(new_ties_per_attendee: 1, tie_weight: 0.0))"#,
        "interventions[0].action.tie_weight",
        "(0, 1]",
    );
    only(
        r#"Intervention(name: "a", when: At("2017-01"), action: Funding(years: 0.0))"#,
        "interventions[0].action.years",
        "(0, 100]",
    );
    only(
        &format!(
            r#"Intervention(name: "a", when: At("2017-01"), action: {TRAIN}, cost: Cost(per_event: -5.0))"#
        ),
        "interventions[0].cost.per_event",
        "[0, 1e15]",
    );
    only(
        &format!(
            r#"Intervention(name: "a", when: At("2017-01"), action: {TRAIN}, cost: Cost(per_year: 5.0))"#
        ),
        "interventions[0].cost.per_year",
        "only Funding and Shock",
    );
    let e = errors(&[], "governance: Governance(lead_budget: 4000000000),");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].line, e[0].path.as_str()),
        (8, "governance.lead_budget")
    );
}

#[test]
fn every_problem_of_several_interventions_in_file_order() {
    let e = errors(
        &[
            &format!(r#"Intervention(name: "a", when: At("2035-01"), action: {TRAIN}),"#),
            &format!(r#"Intervention(name: "a", when: At("2017-01"), action: {TRAIN}),"#),
            r#"Intervention(name: "b", when: At("2017-01"), action: Shock(years: 1.0, capacity_loss: 2.0)),"#,
        ],
        "",
    );
    let got: Vec<(usize, &str)> = e.iter().map(|d| (d.line, d.path.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (10, "interventions[0].when"),
            (11, "interventions[1].name"),
            (12, "interventions[2].action.capacity_loss"),
        ]
    );
}
