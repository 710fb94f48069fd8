//! How the England scenario's background trend and COVID-19 shock were fitted: a grid search
//! against the Active Lives series with no programmes (`cargo run --release --example calibrate`).
use changenet::{model, plan::Plan, scenario};
fn main() {
    let obs = [
        ("2015-11", "2016-10", 0.256),
        ("2016-11", "2017-10", 0.257),
        ("2017-11", "2018-10", 0.251),
        ("2018-11", "2019-10", 0.246),
        ("2019-11", "2020-10", 0.271),
        ("2020-11", "2021-10", 0.272),
        ("2021-11", "2022-10", 0.258),
        ("2022-11", "2023-10", 0.257),
        ("2023-11", "2024-10", 0.251),
    ];
    let obs_txt: String = obs
        .iter()
        .map(|(f, t, p)| format!("Observed(from: \"{f}\", to: \"{t}\", prevalence: {p}),"))
        .collect();
    let mut best = (1.0, String::new());
    for relapse in [0.3, 0.4, 0.5, 0.6] {
        for r1 in [-0.008, -0.012, -0.016, -0.02] {
            for sigma in [0.1, 0.12, 0.15, 0.2, 0.25] {
                for end in ["2020-10", "2020-12", "2021-03", "2021-06"] {
                    for r2 in [0.0, 0.01, 0.02] {
                        for start2 in ["2021-06", "2021-11"] {
                            let text = format!(
                                r#"Scenario(name: "c", replicates: 1, calendar: Calendar(start: "2015-11", end: "2024-10", step_months: 1),
          places: [Place(name: "E", population: 1000000.0, inactive_prevalence: 0.256)], kinds: [Kind(name: "k")],
          organisations: Generate([OrgGroup(kind: "k", place: "E", count: 1)]), network: NetworkSpec(model: Complete),
          outcome: Outcome(relapse: {relapse}, trend: [TrendSegment(from: "2015-11", relative_per_year: {r1}), TrendSegment(from: "2020-03", relative_per_year: 0.0), TrendSegment(from: "{start2}", relative_per_year: {r2})],
            shocks: [Shock(name: "COVID-19", start: "2020-03", end: "{end}", inactivity_hazard: {sigma})], observed: [{obs_txt}]),
          target: Target(baseline_year: 2016, target_year: 2024))"#
                            );
                            let sc = scenario::parse_str("c", &text).unwrap();
                            let plan = Plan::new(sc, ".".into()).unwrap();
                            let out = model::run_replicate(&plan, 0, &mut |_| {}).unwrap();
                            let e = out.fit_rmse.unwrap();
                            if e < best.0 {
                                best = (e, format!("relapse {relapse} r1 {r1} sigma {sigma} end {end} r2 {r2} start2 {start2}"));
                            }
                        }
                    }
                }
            }
        }
    }
    println!("{:.5} {}", best.0, best.1);
}
