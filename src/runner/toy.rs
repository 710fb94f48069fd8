//! A tiny deterministic stand-in for the model, for testing and benchmarking the runner,
//! the output files and experiments without the cost (or the moving target) of the real
//! model. Its numbers mean nothing; they only depend on (scenario, seed, replicate, step)
//! through the simulation RNG, as the real model's must.

use crate::model::{ModelError, RunOutcome, StepRecord};
use crate::plan::Plan;
use crate::rng::{replicate_key, unit, Draws, Purpose};
use crate::scenario::Organisations;

/// A small scenario (two places, two practices, three years monthly) for tests.
pub const TOY_SCENARIO: &str = r#"(
    name: "toy",
    seed: 7,
    replicates: 5,
    calendar: (start: "2016-01", end: "2018-12", step_months: 1),
    places: [
        (name: "north", population: 1000.0, inactive_prevalence: 0.3),
        (name: "south", population: 3000.0, inactive_prevalence: 0.2),
    ],
    kinds: [(name: "club"), (name: "school")],
    organisations: Generate([
        (kind: "club", place: "north", count: 10),
        (kind: "school", place: "south", count: 5),
    ]),
    practices: [
        (name: "walking", kernel: Bass(innovation: 0.01, imitation: 0.3)),
        (name: "qi", kernel: AbsoluteThreshold(neighbours: 2)),
    ],
    target: (relative_reduction: 0.05, baseline_year: 2016, target_year: 2018),
    output: (every_steps: 1, summary_every_months: 12, places: true),
)"#;

/// The toy scenario as a plan, with `replicates` replicates.
pub fn toy_plan(replicates: u32) -> Plan {
    let mut plan =
        crate::scenario::check_text("toy.ron", TOY_SCENARIO, std::path::Path::new("."), &[])
            .unwrap_or_else(|e| panic!("the toy scenario is valid: {e}"));
    plan.scenario.replicates = replicates;
    plan
}

/// Runs the stand-in model: prevalence drifts down by a random amount each step.
pub fn toy_model(
    plan: &Plan,
    replicate: u32,
    observe: &mut dyn FnMut(&StepRecord),
) -> Result<RunOutcome, ModelError> {
    let s = &plan.scenario;
    let key = replicate_key(s.seed, replicate as u64);
    let population: f64 = s.places.iter().map(|p| p.population).sum();
    let mut place_prevalence: Vec<f64> = s.places.iter().map(|p| p.inactive_prevalence).collect();
    let orgs: u32 = match &s.organisations {
        Organisations::Generate(groups) => groups.iter().map(|g| g.count).sum(),
        Organisations::Table(_) => 100,
    };
    let n_practices = s.practices.len();
    let every = s.output.every_steps.max(1);
    let mut adopters = vec![0u32; n_practices];
    let mut yearly: std::collections::BTreeMap<i32, (f64, u32)> = Default::default();
    let mut last = None;
    for step in 0..=plan.steps {
        let mut draws = Draws::sequence(&key, Purpose::Adoption, 0, step);
        if step > 0 {
            for p in place_prevalence.iter_mut() {
                *p *= 1.0 - 0.004 * unit(&mut draws);
            }
            for a in adopters.iter_mut() {
                if unit(&mut draws) < 0.3 && *a < orgs {
                    *a += 1;
                }
            }
        }
        let inactive: f64 = place_prevalence
            .iter()
            .zip(&s.places)
            .map(|(p, place)| p * place.population)
            .sum();
        let date = if step == 0 {
            plan.step_start(0).add_months(-1)
        } else {
            plan.step_date(step - 1)
        };
        let record = StepRecord {
            step,
            date,
            prevalence: inactive / population,
            inactive,
            place_prevalence: place_prevalence.clone(),
            trialling: adopters.iter().map(|a| a / 2).collect(),
            embedded: adopters.iter().map(|a| a - a / 2).collect(),
            discontinued: vec![0; n_practices],
            trained: 3 * step as u64,
            active_improvers: step as u64,
            mean_commitment: 1.0 - 0.001 * step as f64,
            members: orgs,
            ties: 2 * orgs as u64,
        };
        if step > 0 {
            let y = yearly.entry(date.year).or_insert((0.0, 0));
            y.0 += record.prevalence;
            y.1 += 1;
        }
        if step % every == 0 || step == plan.steps {
            observe(&record);
        }
        last = Some(record);
    }
    let last = last.ok_or_else(|| ModelError::Build("no steps".into()))?;
    let mean_of = |year: i32| yearly.get(&year).map(|(sum, n)| sum / *n as f64);
    let t = &s.target;
    let baseline = mean_of(t.baseline_year).unwrap_or(last.prevalence);
    let goal = (1.0 - t.relative_reduction) * baseline;
    let target_mean = mean_of(t.target_year).unwrap_or(last.prevalence);
    let target_year_reached = yearly
        .iter()
        .find(|(y, (sum, n))| **y > t.baseline_year && sum / *n as f64 <= goal)
        .map(|(y, _)| *y);
    Ok(RunOutcome {
        replicate,
        baseline_prevalence: baseline,
        final_prevalence: last.prevalence,
        relative_reduction: 1.0 - target_mean / baseline,
        target_met: target_mean <= goal,
        target_year_reached,
        final_adopters: adopters,
        active_improvers: last.active_improvers,
        mean_commitment: last.mean_commitment,
        members: last.members,
        fit_rmse: None,
        total_cost: 0.0,
    })
}
