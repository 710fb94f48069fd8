//! One step of the full model (every sub-model on) at 100k and 1M organisations, and the
//! hot sub-models alone (one step of each adoption kernel with the gates off, the
//! commitment and outcome updates of the full model), so regressions show up.
//! `cargo bench --bench model`; `cargo bench --bench model -- kernel` for a subset.

use changenet::model::{adoption, commitment, outcome, par, Simulation};
use changenet::plan::Plan;
use changenet::scenario;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// Every sub-model on: training waves, four kernels with gates, commitment with
/// reciprocity, decaying and reinforced ties with closure and turnover, the outcome.
fn full_model(n: u32) -> Plan {
    let text = format!(
        r#"Scenario(
        name: "bench", seed: 1, replicates: 1,
        places: [Place(name: "A", population: 5e7, inactive_prevalence: 0.256)],
        kinds: [Kind(name: "org", staff: Uniform(lo: 5.0, hi: 50.0), catchment: Uniform(lo: 10.0, hi: 500.0))],
        organisations: Generate([OrgGroup(kind: "org", place: "A", count: {n})]),
        network: NetworkSpec(model: ErdosRenyi(mean_degree: 10.0), weights: Uniform(lo: 0.1, hi: 1.0), person_dependent_share: 0.2),
        practices: [
            Practice(name: "ft", kernel: FractionalThreshold(threshold: Uniform(lo: 0.1, hi: 0.3)), effect: 0.05,
                     seeds: Some(Targets(pick: Fraction(0.01))), gates: Gates(commitment_scaling: true, discontinuation: 0.02)),
            Practice(name: "bass", kernel: Bass(innovation: 0.05, imitation: 0.4), effect: 0.05,
                     gates: Gates(min_active_improvers: 1, commitment_scaling: true, discontinuation_commitment: 0.1)),
        ],
        commitment: Commitment(enabled: true),
        ties: TieDynamics(decay: 0.05, reinforcement: 0.5, triadic_closure: 0.05, turnover_loss: true),
        interventions: [Intervention(name: "train", when: Every(months: 6, from: "2016-01", to: "2030-01"),
                        targets: Targets(pick: Fraction(0.05)), action: TrainingCohort(staff_per_org: 2))],
    )"#
    );
    Plan::new(
        scenario::parse_str("bench", &text).expect("bench scenario"),
        ".".into(),
    )
    .expect("plan")
}

fn steps(c: &mut Criterion) {
    for n in [100_000u32, 1_000_000] {
        let plan = full_model(n);
        let mut sim = Simulation::new(&plan, 0).expect("build");
        // Warm up into the dynamic regime: training waves, adoption under way.
        for _ in 0..12 {
            sim.advance().expect("step");
        }
        // Each step on a pool thread with the others kept awake, as a lone run takes its
        // steps (src/model/par.rs): called from outside a pool, every parallel stretch of
        // a step would also wait for a sleeping thread to wake.
        let pool = rayon::ThreadPoolBuilder::new().build().expect("pool");
        let mut group = c.benchmark_group(format!("full_model_{n}"));
        group.sample_size(10);
        group.bench_function("one_step", |b| {
            b.iter_batched_ref(
                || sim.clone(),
                |s| pool.install(|| par::with_threads_awake(|| s.advance().expect("step"))),
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

/// A classic kernel alone on 100k organisations (ER, mean degree 10, 1% seeds), gates off.
fn kernel_only(kernel: &str) -> Plan {
    let text = format!(
        r#"Scenario(
        name: "kernel", seed: 1, replicates: 1,
        places: [Place(name: "A", population: 1000.0, inactive_prevalence: 0.25)],
        kinds: [Kind(name: "org")],
        organisations: Generate([OrgGroup(kind: "org", place: "A", count: 100000)]),
        network: NetworkSpec(model: ErdosRenyi(mean_degree: 10.0)),
        practices: [Practice(name: "p", kernel: {kernel}, dwell_years: 100.0,
                             seeds: Some(Targets(pick: Fraction(0.01))))],
    )"#
    );
    Plan::new(
        scenario::parse_str("kernel", &text).expect("kernel scenario"),
        ".".into(),
    )
    .expect("plan")
}

/// One adoption step of each kernel, from the state after two steps (a live frontier).
fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel_100k");
    group.sample_size(20);
    for (name, kernel) in [
        (
            "threshold_frontier",
            "FractionalThreshold(threshold: Fixed(0.18))",
        ),
        (
            "independent_cascade",
            "IndependentCascade(probability: 0.1)",
        ),
        ("bass", "Bass(innovation: 0.01, imitation: 0.4)"),
    ] {
        let plan = kernel_only(kernel);
        let mut sim = Simulation::new(&plan, 0).expect("build");
        for _ in 0..2 {
            sim.advance().expect("step");
        }
        let step = sim.step + 1;
        group.bench_function(format!("{name}_adoption_step"), |b| {
            b.iter_batched_ref(
                || sim.state.clone(),
                |state| adoption::step(&sim.ctx, &sim.world, state, step),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// The commitment and outcome updates of the full model at 100k organisations.
fn sub_models(c: &mut Criterion) {
    let plan = full_model(100_000);
    let mut sim = Simulation::new(&plan, 0).expect("build");
    for _ in 0..12 {
        sim.advance().expect("step");
    }
    let month = plan.step_start(sim.step);
    let mut group = c.benchmark_group("sub_model_100k");
    group.sample_size(20);
    group.bench_function("commitment_update", |b| {
        b.iter_batched_ref(
            || sim.state.clone(),
            |state| commitment::step(&sim.ctx, &sim.world, state),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("outcome_update", |b| {
        b.iter_batched_ref(
            || sim.state.clone(),
            |state| outcome::step(&sim.ctx, state, month),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, steps, kernels, sub_models);
criterion_main!(benches);
