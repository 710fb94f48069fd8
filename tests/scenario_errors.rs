//! Scenario reading: every kind of error with its exact line, column and field path, all
//! errors of a file in one pass and in file order, `--set` overrides, round trips, and
//! inputs that must never panic.

use std::path::Path;

use changenet::scenario::{
    canonical, check_bytes, check_text, parse_str, Diagnostic, Dist, NetworkModel, Pick,
};
use proptest::prelude::*;

const BASE: &str = r#"// test scenario
Scenario(
    name: "t",
    places: [
        Place(name: "A", population: 1000.0, inactive_prevalence: 0.25),
        Place(name: "B", population: 2000.0, inactive_prevalence: 0.2),
    ],
    kinds: [Kind(name: "gp"), Kind(name: "school", staff: Uniform(lo: 10.0, hi: 40.0))],
    organisations: Generate([
        OrgGroup(kind: "gp", place: "A", count: 10),
        OrgGroup(kind: "school", place: "B", count: 20),
    ]),
    practices: [
        Practice(name: "walk", kernel: FractionalThreshold(threshold: Fixed(0.18)), effect: 0.08),
    ],
    interventions: [
        Intervention(name: "cohort", when: At("2017-03"), targets: (kinds: ["gp"]), action: TrainingCohort(staff_per_org: 2)),
    ],
)
"#;

const MINIMAL: &str = r#"Scenario(name: "t", places: [Place(name: "A", population: 1000.0, inactive_prevalence: 0.25)], kinds: [Kind(name: "gp")], organisations: Generate([OrgGroup(kind: "gp", place: "A", count: 10)]))"#;

/// `text` with the first `from` on line `line` replaced by `to`.
fn edit(text: &str, line: usize, from: &str, to: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert!(
        lines[line - 1].contains(from),
        "line {line} has no {from:?}"
    );
    lines[line - 1] = lines[line - 1].replacen(from, to, 1);
    lines.join("\n") + "\n"
}

/// 1-based column (in characters) where `needle` starts on line `line` of `text`.
fn col(text: &str, line: usize, needle: &str) -> usize {
    let l = text.lines().nth(line - 1).unwrap();
    let byte = l
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on line {line}"));
    l[..byte].chars().count() + 1
}

fn errors(text: &str) -> Vec<Diagnostic> {
    check_text("s.ron", text, Path::new("."), &[])
        .map(|_| ())
        .unwrap_err()
        .0
}

fn only(text: &str) -> Diagnostic {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.into_iter().next().unwrap()
}

fn assert_at(d: &Diagnostic, line: usize, column: usize, path: &str, needle: &str) {
    assert_eq!(
        (d.line, d.column, d.path.as_str()),
        (line, column, path),
        "{d}"
    );
    assert!(d.message.contains(needle), "{d}");
}

#[test]
fn valid_scenarios_pass() {
    assert!(check_text("s.ron", MINIMAL, Path::new("."), &[]).is_ok());
    let plan = check_text("s.ron", BASE, Path::new("."), &[]).unwrap();
    assert_eq!(
        plan.scenario.kinds[1].staff,
        Dist::Uniform { lo: 10.0, hi: 40.0 }
    );
    assert_eq!(plan.steps, 180);
}

#[test]
fn syntax_error_is_located() {
    let t = edit(BASE, 10, "\"gp\", place", "\"gp\" place");
    let d = only(&t);
    assert_at(&d, 10, col(&t, 10, "place"), "", "expected `,` or `)`");
    assert_eq!(
        d.to_string(),
        format!("s.ron:10:{}: {}", col(&t, 10, "place"), d.message)
    );
}

#[test]
fn unknown_field_lists_allowed() {
    let t = edit(BASE, 10, "count: 10", "count: 10, colour: 3");
    let d = only(&t);
    assert_at(
        &d,
        10,
        col(&t, 10, "colour"),
        "organisations[0].colour",
        "allowed fields: kind, place, count",
    );
    assert_eq!(
        d.to_string(),
        format!(
            "s.ron:10:{}: organisations[0].colour: unknown field `colour`; allowed fields: kind, place, count",
            col(&t, 10, "colour")
        )
    );
}

#[test]
fn wrong_type_is_located() {
    let t = edit(BASE, 11, "count: 20", "count: \"ten\"");
    let d = only(&t);
    assert_at(
        &d,
        11,
        col(&t, 11, "\"ten\""),
        "organisations[1].count",
        "expected an integer from 0 to 4294967295, got the string \"ten\"",
    );
}

#[test]
fn unknown_variant_lists_allowed() {
    let t = edit(BASE, 14, "FractionalThreshold", "Fractional");
    let d = only(&t);
    assert_at(
        &d,
        14,
        col(&t, 14, "Fractional("),
        "practices[0].kernel",
        "allowed: FractionalThreshold, AbsoluteThreshold, IndependentCascade, Bass",
    );
}

#[test]
fn missing_field_is_at_the_struct() {
    let t = edit(BASE, 10, ", count: 10", "");
    let d = only(&t);
    assert_at(
        &d,
        10,
        col(&t, 10, "OrgGroup"),
        "organisations[0].count",
        "required field `count` is missing",
    );
}

#[test]
fn bad_date_is_at_the_string() {
    let t = edit(BASE, 17, "\"2017-03\"", "\"2017-13\"");
    let d = only(&t);
    assert_at(
        &d,
        17,
        col(&t, 17, "\"2017-13\""),
        "interventions[0].when",
        "month must be 01 to 12",
    );
}

#[test]
fn out_of_range_value() {
    let t = edit(BASE, 6, "0.2)", "1.2)");
    let d = only(&t);
    assert_at(
        &d,
        6,
        col(&t, 6, "1.2"),
        "places[1].inactive_prevalence",
        "[0, 1], got 1.2",
    );
}

#[test]
fn dangling_references() {
    let t = edit(BASE, 17, "[\"gp\"]", "[\"doctor\"]");
    let d = only(&t);
    assert_at(
        &d,
        17,
        col(&t, 17, "\"doctor\""),
        "interventions[0].targets.kinds[0]",
        "no kind is named \"doctor\"; known kinds: \"gp\", \"school\"",
    );
    let t = edit(BASE, 11, "place: \"B\"", "place: \"C\"");
    assert_at(
        &only(&t),
        11,
        col(&t, 11, "\"C\""),
        "organisations[1].place",
        "no place is named \"C\"",
    );
    let t = edit(
        BASE,
        17,
        "TrainingCohort(staff_per_org: 2)",
        "PilotSeeding(practice: \"run\")",
    );
    assert_at(
        &only(&t),
        17,
        col(&t, 17, "\"run\""),
        "interventions[0].action.practice",
        "known practices: \"walk\"",
    );
}

#[test]
fn date_outside_horizon() {
    let t = edit(BASE, 17, "\"2017-03\"", "\"2035-01\"");
    let d = only(&t);
    assert_at(
        &d,
        17,
        col(&t, 17, "At("),
        "interventions[0].when",
        "2035-01 is outside the calendar (2016-01 to 2030-12)",
    );
}

#[test]
fn duplicate_names_from_plan_are_located() {
    let t = edit(BASE, 6, "\"B\"", "\"A\"");
    let e = errors(&t);
    // The duplicate place, and B's group now pointing at a place that no longer exists.
    assert_at(
        &e[0],
        6,
        col(&t, 6, "\"A\""),
        "places[1].name",
        "duplicate name \"A\"",
    );
    assert_eq!(e[1].path, "organisations[1].place");
}

#[test]
fn empty_binary_and_truncated_input() {
    let d = only("");
    assert_at(&d, 1, 1, "", "empty input");
    let d = only("  // nothing but a comment\n");
    assert_at(
        &d,
        1,
        1,
        "",
        "empty input (nothing but whitespace or comments)",
    );
    let d = check_bytes("s.ron", b"Scen\x00\xff\xfe", Path::new("."), &[])
        .unwrap_err()
        .0
        .remove(0);
    assert_at(&d, 1, 5, "", "binary data");
    let d = check_bytes("s.ron", b"Scenario(name: \"\xff\")", Path::new("."), &[])
        .unwrap_err()
        .0
        .remove(0);
    assert_at(&d, 1, 17, "", "not UTF-8 text");
    let cut = &BASE[..BASE.find("OrgGroup(kind: \"school\"").unwrap()];
    let d = only(cut);
    assert_eq!((d.line, d.column), (11, 9), "{d}");
    assert!(
        d.message.contains("`[` opened at 9:29 is never closed"),
        "{d}"
    );
}

#[test]
fn deep_nesting_and_huge_numbers() {
    let d = only(&"[".repeat(100_000));
    assert_at(&d, 1, 129, "", "nesting deeper than 128");
    let t = edit(BASE, 10, "count: 10", "count: 99999999999999999999999");
    assert_at(
        &only(&t),
        10,
        col(&t, 10, "999"),
        "organisations[0].count",
        "got the integer 99999999999999999999999",
    );
    let t = edit(BASE, 5, "1000.0", "1e999");
    assert_at(&only(&t), 5, col(&t, 5, "1e999"), "", "too large");
    let t = edit(BASE, 5, "1000.0", "NaN");
    assert_at(&only(&t), 5, col(&t, 5, "NaN"), "", "must be finite");
    let t = edit(BASE, 10, "count: 10", &format!("count: {}", "9".repeat(60)));
    assert_at(&only(&t), 10, col(&t, 10, "999"), "", "too large");
}

#[test]
fn every_error_in_one_pass_in_file_order() {
    let mut t = edit(BASE, 5, "inactive_prevalence", "inactive_prevalance");
    t = edit(&t, 8, "hi: 40.0", "hi: true");
    t = edit(&t, 10, ", count: 10", "");
    t = edit(&t, 11, "count: 20", "count: -3");
    t = edit(&t, 14, "Fixed(0.18)", "Triangle(0.18)");
    t = edit(&t, 17, "\"2017-03\"", "\"March\"");
    let e = errors(&t);
    let got: Vec<_> = e.iter().map(|d| (d.line, d.path.as_str())).collect();
    assert_eq!(
        got,
        [
            // The missing field is reported at its struct, which starts first.
            (5, "places[0].inactive_prevalence"),
            (5, "places[0].inactive_prevalance"),
            (8, "kinds[1].staff.hi"),
            (10, "organisations[0].count"),
            (11, "organisations[1].count"),
            (14, "practices[0].kernel.threshold"),
            (17, "interventions[0].when"),
        ],
        "{e:#?}"
    );
    // Semantic errors too are all reported at once.
    let mut t = edit(BASE, 5, "0.25", "-0.5");
    t = edit(&t, 8, "lo: 10.0", "lo: 50.0");
    t = edit(&t, 14, "0.18", "1.5");
    t = edit(&t, 14, "effect: 0.08", "effect: 2.0");
    let e = errors(&t);
    let got: Vec<_> = e.iter().map(|d| (d.line, d.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (5, "places[0].inactive_prevalence"),
            (8, "kinds[1].staff.hi"),
            (14, "practices[0].kernel.threshold"),
            (14, "practices[0].effect"),
        ],
        "{e:#?}"
    );
}

#[test]
fn semantic_checks() {
    let with = |extra: &str| {
        let t = MINIMAL.replacen("name: \"t\",", &format!("name: \"t\", {extra},"), 1);
        errors(&t)
    };
    let msg = |extra: &str| {
        with(extra)
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(msg("calendar: (step_months: 5)").contains("calendar.step_months: must divide 12"));
    assert!(msg("network: (model: RingLattice(k: 3))").contains("network.model.k: must be even"));
    assert!(msg("network: (model: WattsStrogatz(k: 10, p: 0.1))")
        .contains("less than the number of organisations (10)"));
    assert!(msg("network: (model: BarabasiAlbert(m: 0))")
        .contains("network.model.m: must be at least 1"));
    assert!(msg(
        "network: (model: StochasticBlock(mean_degree: 2.0, mixing: (same_place_same_kind: 0.9)))"
    )
    .contains("network.model.mixing: shares must sum to 1, they sum to 1.4"));
    assert!(
        msg("network: (model: EdgeList(file: \"no/such.csv\", directed: false))")
            .contains("no/such.csv does not exist")
    );
    assert!(msg("outcome: (shocks: [Shock(name: \"covid\", start: \"2021-03\", end: \"2020-03\", inactivity_hazard: 0.5)])")
        .contains("outcome.shocks[0].end: must not be before start (2021-03), got 2020-03"));
    assert!(msg("target: (baseline_year: 2030, target_year: 2040)")
        .contains("target.target_year: 2040 is outside the calendar's years (2016 to 2030)"));
    assert!(msg("target: (baseline_year: 2030, target_year: 2020)")
        .contains("must be after baseline_year (2030)"));
    assert!(msg("replicates: 0").contains("replicates: must be 1 to"));
    let t = MINIMAL.replace(
        "Kind(name: \"gp\")",
        "Kind(name: \"gp\", staff: LogNormal(median: 0.0, sigma: -1.0))",
    );
    let e = errors(&t);
    assert_eq!(
        e.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "s.ron:1:146: kinds[0].staff.median: must be > 0 and at most 10000000, got 0",
            "s.ron:1:158: kinds[0].staff.sigma: must be in [0, 10], got -1",
        ]
    );
    // A repeated field is reported at its second occurrence.
    let e = with("kinds: []");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].message
            .contains("field `kinds` is given more than once"),
        "{}",
        e[0]
    );
    assert!(msg("practices: [Practice(name: \"p\", kernel: Bass(innovation: 0.03, imitation: 0.38), adopter_kinds: [\"x\"], seeds: Some((pick: List([]))))]")
        .contains("practices[0].seeds.pick: List must name at least one organisation"));
    // Memory: a complete graph on 10 million organisations.
    let big = MINIMAL.replace("count: 10", "count: 10000000");
    let t = big.replacen(
        "name: \"t\",",
        "name: \"t\", network: (model: Complete),",
        1,
    );
    let e = errors(&t);
    assert_eq!(e[0].path, "network.model");
    assert!(
        e[0].message
            .contains("expected about 5.000e13 ties for 10000000 organisations"),
        "{}",
        e[0]
    );
    let many = MINIMAL.replace("count: 10", "count: 4000000000").replace(
        "count: 4000000000)",
        "count: 4000000000), OrgGroup(kind: \"gp\", place: \"A\", count: 4000000000)",
    );
    let e = errors(&many);
    assert!(
        e.iter().any(|d| d.path == "organisations"
            && d.message
                .contains("8000000000 organisations in all; at most 50000000")),
        "{e:#?}"
    );
    // Relative files resolve against the scenario's folder.
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..10).map(|i| format!("{i},gp,A,3,100\n")).collect();
    std::fs::write(
        dir.path().join("orgs.csv"),
        format!("id,kind,place,staff,catchment\n{rows}"),
    )
    .unwrap();
    let t = MINIMAL.replace(
        "Generate([OrgGroup(kind: \"gp\", place: \"A\", count: 10)])",
        "Table(\"orgs.csv\")",
    );
    if let Err(e) = check_text("s.ron", &t, dir.path(), &[]) {
        panic!("{e}");
    }
    assert!(check_text("s.ron", &t, Path::new("."), &[]).is_err());
}

fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn overrides_set_present_and_absent_fields() {
    let o = set(&[
        ("practices[0].effect", "0.1"),
        ("seed", "7"),
        ("training.skill_weight", "0.3"),
        ("network.model", "WattsStrogatz(k: 4, p: 0.1)"),
        ("organisations[1].count", "5"),
        ("interventions[0].targets.pick", "Random(3)"),
        ("kinds[1].staff.hi", "50"),
    ]);
    let plan = check_text("s.ron", BASE, Path::new("."), &o).unwrap();
    let s = &plan.scenario;
    assert_eq!(s.practices[0].effect, 0.1);
    assert_eq!(s.seed, 7);
    assert_eq!(s.training.skill_weight, 0.3);
    assert_eq!(s.training.activation_rate, 2.0, "other defaults kept");
    assert_eq!(
        s.network.model,
        NetworkModel::WattsStrogatz { k: 4, p: 0.1 }
    );
    let changenet::scenario::Organisations::Generate(g) = &s.organisations else {
        panic!()
    };
    assert_eq!(g[1].count, 5);
    assert_eq!(s.interventions[0].targets.pick, Pick::Random(3));
    assert_eq!(s.kinds[1].staff, Dist::Uniform { lo: 10.0, hi: 50.0 });
}

/// A section written with every field defaulted, `Training()`, still takes `--set` of a
/// field (the README's sweep over `training.skill_weight` on small.ron needs it).
#[test]
fn overrides_reach_into_an_empty_section() {
    let t = MINIMAL.replace("organisations:", "training: Training(), organisations:");
    let plan = check_text(
        "s.ron",
        &t,
        Path::new("."),
        &set(&[("training.skill_weight", "0.4")]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.scenario.training.skill_weight, 0.4);
}

#[test]
fn sources_must_name_a_section() {
    let t = MINIMAL.replace(
        "organisations:",
        "sources: {\"training\": \"assumption\", \"practices[3]\": \"x\", \"trianing\": \"y\"}, organisations:",
    );
    let e: Vec<String> = check_text("s.ron", &t, Path::new("."), &[])
        .map(|_| ())
        .unwrap_err()
        .0
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e.iter()
            .any(|m| m.contains("sources.practices[3]: unknown section")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|m| m.starts_with("s.ron:1:")
            && m.contains("sources.trianing: unknown section \"trianing\"")),
        "{e:?}"
    );
}

#[test]
fn overrides_report_bad_paths_and_values() {
    let check = |path: &str, value: &str| -> Vec<String> {
        check_text("s.ron", BASE, Path::new("."), &set(&[(path, value)]))
            .map(|_| ())
            .unwrap_err()
            .0
            .iter()
            .map(|d| d.to_string())
            .collect()
    };
    assert_eq!(
        check("practices[5].effect", "0.1"),
        ["--set practices[5].effect: practices[5].effect: unknown path: `practices` has 1 elements; index 5 is out of range (0 to 0)"]
    );
    let e = check("training.skil_weight", "0.3");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("--set training.skil_weight: training.skil_weight: unknown field `skil_weight`; allowed fields: skill_weight, activation_rate,"), "{e:?}");
    assert_eq!(
        check("seed", "\"x\""),
        ["--set seed: seed: expected an integer from 0 to 18446744073709551615, got the string \"x\""]
    );
    assert_eq!(
        check("practices[0].effect", "high"),
        ["--set practices[0].effect: practices[0].effect: expected a number, got `high`"]
    );
    let e = check("seed", "1 2");
    assert!(e[0].contains("is not valid RON (column 3"), "{e:?}");
    let e = check("places[0].population", "-5");
    assert_eq!(e, ["--set places[0].population: places[0].population: must be people, > 0 and at most 1e10, got -5"]);
    let e = check("name.first", "\"x\"");
    assert!(
        e[0].contains("unknown path: `name` is the string \"t\", which has no field `first`"),
        "{e:?}"
    );
    let e = check("bogus", "1");
    assert!(
        e[0].contains("unknown field `bogus`; allowed fields: name, description, seed"),
        "{e:?}"
    );
}

#[test]
fn canonical_round_trips() {
    let s = parse_str("s.ron", BASE).unwrap();
    let text = canonical(&s);
    let again = parse_str("canonical", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(s, again);
    assert_eq!(canonical(&again), text);
    // Every enum variant survives the trip.
    for (line, from, to) in [
        (8, "Uniform(lo: 10.0, hi: 40.0)", "Normal(mean: 20.0, sd: 5.0)"),
        (8, "Uniform(lo: 10.0, hi: 40.0)", "LogNormal(median: 20.0, sigma: 0.5)"),
        (14, "FractionalThreshold(threshold: Fixed(0.18))", "AbsoluteThreshold(neighbours: 2)"),
        (14, "FractionalThreshold(threshold: Fixed(0.18))", "IndependentCascade(probability: 0.1)"),
        (14, "FractionalThreshold(threshold: Fixed(0.18))", "Bass(innovation: 0.03, imitation: 0.38)"),
        (14, "effect: 0.08", "effect: 0.08, seeds: Some((kinds: [\"gp\"], pick: Fraction(0.5)))"),
        (14, "effect: 0.08", "effect: 0.08, seeds: Some((pick: List([\"1\", \"2\"])))"),
        (14, "effect: 0.08", "effect: 0.08, seeds: Some((pick: File(\"ids.txt\")))"),
        (14, "effect: 0.08", "effect: 0.08, seeds: Some((pick: HighestDegree(3)))"),
        (17, "At(\"2017-03\")", "Every(months: 6, from: \"2017-01\", to: \"2020-01\")"),
        (17, "TrainingCohort(staff_per_org: 2)", "PilotSeeding(practice: \"walk\")"),
        (3, "name: \"t\",", "name: \"t\", network: (model: StochasticBlock(mean_degree: 3.0, mixing: ())),"),
        (3, "name: \"t\",", "name: \"t\", network: (model: Configuration(degree: Fixed(3.0))),"),
        (3, "name: \"t\",", "name: \"t\", network: (model: EdgeList(file: \"e.csv\", directed: true)),"),
        (3, "name: \"t\",", "name: \"t\", network: (model: ErdosRenyiM(ties: 30), weights: Uniform(lo: 0.1, hi: 0.9)),"),
        (3, "name: \"t\",", "name: \"t\", network: (model: BarabasiAlbert(m: 2)), outcome: (trend: [TrendSegment(from: \"2020-01\", relative_per_year: -0.01)], observed: [Observed(from: \"2016-01\", to: \"2016-12\", prevalence: 0.256)]),"),
        (3, "name: \"t\",", "name: \"t\", network: (model: RingLattice(k: 4)), commitment: (enabled: true), target: (baseline_year: 2017),"),
    ] {
        let t = edit(BASE, line, from, to);
        let s = parse_str("s.ron", &t).unwrap_or_else(|e| panic!("{e}\n{t}"));
        let again = parse_str("canonical", &canonical(&s)).unwrap();
        assert_eq!(s, again, "{to}");
    }
    let start = BASE.find("Generate([").unwrap();
    let end = BASE.find("]),\n    practices").unwrap() + 2;
    let t = format!("{}Table(\"orgs.csv\"){}", &BASE[..start], &BASE[end..]);
    let s = parse_str("s.ron", &t).unwrap_or_else(|e| panic!("{e}\n{t}"));
    assert_eq!(parse_str("canonical", &canonical(&s)).unwrap(), s);
    // Escapes and non-ASCII names survive too.
    let odd = MINIMAL.replace("name: \"t\"", "name: \"t\\\"é\\n\\u{1F600}\"");
    let s = parse_str("s.ron", &odd).unwrap();
    assert_eq!(s.name, "t\"é\n\u{1F600}");
    assert_eq!(parse_str("c", &canonical(&s)).unwrap(), s);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = check_bytes("p.ron", &bytes, Path::new("."), &[]);
    }

    #[test]
    fn mutated_scenarios_never_panic(
        edits in proptest::collection::vec((0usize..BASE.len(), 0usize..12, 0u8..4, "[\\[\\](){},:\"'a-z0-9.\\-e_ /*]{0,4}"), 1..6)
    ) {
        let mut bytes = BASE.as_bytes().to_vec();
        for (at, len, op, ins) in edits {
            let at = at.min(bytes.len());
            let end = (at + len).min(bytes.len());
            match op {
                0 => { bytes.drain(at..end); }
                1 => { bytes.splice(at..at, ins.bytes()); }
                2 => { bytes.splice(at..end, ins.bytes()); }
                _ => { bytes.truncate(at); }
            }
        }
        if let Err(e) = check_bytes("p.ron", &bytes, Path::new("."), &[]) {
            prop_assert!(!e.0.is_empty());
            for d in &e.0 {
                prop_assert!(!d.message.is_empty());
            }
        }
    }
}

#[test]
fn variant_shapes_and_options() {
    let with = |extra: &str| -> Vec<String> {
        let t = MINIMAL.replacen("name: \"t\",", &format!("name: \"t\", {extra},"), 1);
        match check_text("s.ron", &t, Path::new("."), &[]) {
            Ok(_) => Vec::new(),
            Err(e) => {
                e.0.iter()
                    .map(|d| format!("{}: {}", d.path, d.message))
                    .collect()
            }
        }
    };
    assert_eq!(with("network: (model: Complete)"), Vec::<String>::new());
    assert_eq!(
        with("network: (model: Complete(3))"),
        ["network.model: `Complete` is written `Complete` alone, without parentheses"]
    );
    assert_eq!(
        with("network: (model: WattsStrogatz)"),
        [
            "network.model.k: required field `k` is missing",
            "network.model.p: required field `p` is missing"
        ]
    );
    assert_eq!(
        with("network: (weights: Fixed)"),
        ["network.weights: `Fixed` is written with one value, as `Fixed(...)`"]
    );
    assert_eq!(
        with("network: (model: ErdosRenyi(mean_degree: 2.0, k: 3))"),
        ["network.model.k: unknown field `k`; allowed fields: mean_degree"]
    );
    assert_eq!(
        with("practices: [Practice(name: \"p\", kernel: Bass(innovation: 0.03, imitation: 0.38), seeds: (pick: All))]"),
        ["practices[0].seeds: expected `Some(...)` or `None`, got a struct `(...)` with named fields"]
    );
    assert_eq!(
        with("practices: [Practice(name: \"p\", kernel: Bass(innovation: 0.03, imitation: 0.38), seeds: Some((pick: Fraction(0.1))))]"),
        Vec::<String>::new()
    );
    assert_eq!(
        with("calendar: Calender(step_months: 3)"),
        ["calendar: expected `Calendar(...)` with fields start, end, step_months, got `Calender(...)` with named fields"]
    );
    // Deep nesting inside a field is a type error, read without deep recursion.
    let deep = format!("description: {}{}", "[".repeat(120), "]".repeat(120));
    assert_eq!(
        with(&deep),
        ["description: expected a string in double quotes, got a list `[...]`"]
    );
}

#[test]
fn documented_example_is_valid() {
    let doc = include_str!("../docs/SCENARIO.md");
    let start = doc.find("```ron\n").unwrap() + 7;
    let end = start + doc[start..].find("```").unwrap();
    if let Err(e) = check_text("SCENARIO.md", &doc[start..end], Path::new("."), &[]) {
        panic!("{e}");
    }
}

#[test]
fn oversized_input_is_refused() {
    let mut big = String::from("Scenario(name: \"t\", description: \"");
    big.push_str(&"x".repeat(17 << 20));
    big.push_str("\")");
    let d = only(&big);
    assert_at(&d, 1, 1, "", "at most 16 MiB");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_overrides_never_panic(
        path in "[a-z_\\[\\]0-9.]{0,24}",
        value in "[\\[\\](){},:\"a-zA-Z0-9. _-]{0,16}",
    ) {
        let _ = check_text("s.ron", BASE, Path::new("."), &[(path, value)]);
    }
}

#[test]
fn check_file_resolves_relative_paths_and_reports_unreadable_files() {
    use changenet::scenario::check_file;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sc");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("ids.txt"), "1\n2\n").unwrap();
    let text = edit(
        BASE,
        17,
        "(kinds: [\"gp\"])",
        "(kinds: [\"gp\"], pick: File(\"ids.txt\"))",
    );
    let file = sub.join("s.ron");
    std::fs::write(&file, &text).unwrap();
    let plan = check_file(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.base_dir, sub);
    std::fs::remove_file(sub.join("ids.txt")).unwrap();
    let e = check_file(&file, &[]).unwrap_err().0;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].path, "interventions[0].targets.pick");
    assert_eq!(e[0].line, 17);
    assert!(e[0].message.contains("ids.txt does not exist"), "{}", e[0]);
    let e = check_file(&dir.path().join("missing.ron"), &[]).unwrap_err();
    assert!(e.to_string().contains("missing.ron: cannot read"), "{e}");
    let e = check_file(&sub, &[]).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}
