//! The organisation-network model (MODEL.md sections 2-8): state, sub-models and the
//! synchronous step pipeline.
//!
//! One step runs the sub-models in this fixed order, each a synchronous update of every
//! organisation (it decides from the state it is given and writes afterwards):
//! 1. exogenous trends and shocks (read by the outcome),
//! 2. scheduled interventions,
//! 3. training to doing,
//! 4. practice adoption,
//! 5. stage transitions (trialling -> embedded) and discontinuation,
//! 6. commitment (withdrawal and return),
//! 7. tie dynamics,
//! 8. population outcome,
//! 9. observation.

pub mod adoption;
pub mod balance;
pub mod commitment;
pub mod dist;
pub mod observe;
pub mod outcome;
pub mod par;
pub mod stages;
pub mod state;
pub mod ties;
pub mod training;
pub mod world;

pub use observe::{RunOutcome, StepRecord};

use crate::plan::Plan;
use crate::rng::{replicate_key, Draws, Purpose};
use crate::scenario::Kernel;
use state::State;
use world::World;

/// A run that could not complete: bad data met at build time or a broken invariant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("building the world: {0}")]
    Build(String),
    #[error("step {step}: {message}")]
    Invariant { step: u32, message: String },
}

/// What every sub-model of one run reads besides the state: the plan, the replicate's
/// random key and quantities derived once.
#[derive(Clone)]
pub struct Ctx<'a> {
    pub plan: &'a Plan,
    pub replicate: u32,
    pub key: [u8; 32],
    /// Steps from trialling to embedded, per practice.
    pub dwell_steps: Vec<u32>,
    /// Practices each kind may adopt (the denominator of progress).
    pub adoptable: Vec<u32>,
}

/// The sub-models of a step in the order they run, as [`Simulation::advance_timed`] times
/// them.
pub const PHASES: [&str; 7] = [
    "interventions",
    "training",
    "adoption",
    "stages",
    "commitment",
    "ties",
    "outcome",
];

/// One run: the world, its state, and the step it is at.
#[derive(Clone)]
pub struct Simulation<'a> {
    pub ctx: Ctx<'a>,
    pub world: World,
    pub state: State,
    /// Steps taken so far (0 before the first).
    pub step: u32,
}

impl<'a> Simulation<'a> {
    /// Builds replicate `replicate`: world, network, initial traits and seeds.
    pub fn new(plan: &'a Plan, replicate: u32) -> Result<Self, ModelError> {
        let (world, net) = world::build(plan, replicate)?;
        Self::with_network(plan, replicate, world, net)
    }

    /// Builds replicate `replicate` on a given world and network (tests and validation use
    /// this to run the model on exactly the graph a published result assumes).
    pub fn with_network(
        plan: &'a Plan,
        replicate: u32,
        world: World,
        net: crate::network::Network,
    ) -> Result<Self, ModelError> {
        let sc = &plan.scenario;
        if net.n != world.n {
            return Err(ModelError::Build(format!(
                "the network has {} organisations but the world {}",
                net.n, world.n
            )));
        }
        let ctx = Ctx {
            plan,
            replicate,
            key: replicate_key(sc.seed, replicate as u64),
            dwell_steps: sc
                .practices
                .iter()
                .map(|p| (p.dwell_years / plan.dt).round().max(0.0) as u32)
                .collect(),
            adoptable: (0..sc.kinds.len())
                .map(|k| world.kind_allowed.iter().filter(|a| a[k]).count() as u32)
                .collect(),
        };
        let threshold_rules: Vec<bool> = sc
            .practices
            .iter()
            .map(|p| {
                matches!(
                    p.kernel,
                    Kernel::FractionalThreshold { .. } | Kernel::AbsoluteThreshold { .. }
                )
            })
            .collect();
        let inactive = sc
            .places
            .iter()
            .map(|p| p.population * p.inactive_prevalence)
            .collect();
        let mut net = net;
        if sc.ties.triadic_closure > 0.0 || !sc.interventions.is_empty() {
            // Room for ties made during the run, so rows rarely overflow into a rebuild,
            // and the tie table does not copy itself to grow at the first new tie (on a
            // large network that copy cost the first step more than the rest of it):
            // closure adds at most one tie per chosen organisation per step.
            net.rebuild(2);
            let closures =
                world.n as f64 * plan.per_step(sc.ties.triadic_closure) * plan.steps as f64;
            net.reserve_ties((closures as usize).min(net.live_ties) + net.live_ties / 64 + 1024);
        }
        let mut state = State::new(net, sc.practices.len(), &threshold_rules, inactive);
        // Ties exchange (src/model/ties.rs) when their weights are reinforced or commitment
        // reads reciprocity; the balances are kept in closed form from the start.
        let track_reciprocity = sc.commitment.enabled && sc.commitment.reciprocity_loss > 0.0;
        if sc.ties.reinforcement > 0.0 || track_reciprocity {
            state.start_exchange(plan.per_step(sc.ties.reciprocity_rate));
        }
        state.programme.governance = sc.governance.mode;
        state.reach = outcome::Reach::new(&ctx, &world);
        if sc.commitment.enabled {
            let c = &sc.commitment;
            let n = world.n as u32;
            let fill = |sub: u32, d: &crate::scenario::Dist, out: &mut Vec<f64>| {
                let mut draws = Draws::new(&ctx.key, Purpose::Traits, 1000 + sub, 0);
                for i in 0..n {
                    out[i as usize] = d.sample(&mut draws.org_rng(i)).min(1.0);
                }
            };
            fill(0, &c.initial, &mut state.commitment);
            fill(1, &c.alignment, &mut state.alignment);
            fill(2, &c.expectation, &mut state.expectation);
            fill(3, &c.resistance, &mut state.resistance);
        }
        commitment::init(&ctx, &world, &mut state);
        for (p, practice) in sc.practices.iter().enumerate() {
            if let Some(targets) = &practice.seeds {
                let mut rng = Draws::sequence(&ctx.key, Purpose::Targeting, 100_000 + p as u32, 0);
                let chosen =
                    crate::intervention::targeting::select(plan, &world, &state, targets, &mut rng)
                        .map_err(|e| ModelError::Build(format!("practices[{p}].seeds: {e}")))?;
                crate::intervention::seed_practice(&ctx, &world, &mut state, p, &chosen, 0);
            }
        }
        Ok(Simulation {
            ctx,
            world,
            state,
            step: 0,
        })
    }

    /// Takes one step through the whole pipeline.
    pub fn advance(&mut self) -> Result<(), ModelError> {
        self.advance_timed(None)
    }

    /// Takes one step, adding the wall seconds of each sub-model to `phases` (in the
    /// order of [`PHASES`]) when given: where the time of a step goes, for `changenet bench`.
    pub fn advance_timed(
        &mut self,
        mut phases: Option<&mut [f64; PHASES.len()]>,
    ) -> Result<(), ModelError> {
        self.step += 1;
        let s = self.step;
        let month = self.ctx.plan.step_start(s - 1);
        let (ctx, world, state) = (&self.ctx, &self.world, &mut self.state);
        let mut clock = std::time::Instant::now();
        let mut lap = |k: usize| {
            if let Some(p) = phases.as_deref_mut() {
                let now = std::time::Instant::now();
                p[k] += (now - clock).as_secs_f64();
                clock = now;
            }
        };
        crate::intervention::apply(ctx, world, state, s)
            .map_err(|message| ModelError::Invariant { step: s, message })?;
        lap(0);
        training::step(ctx, state, s);
        lap(1);
        adoption::step(ctx, world, state, s);
        lap(2);
        stages::step(ctx, world, state, s);
        lap(3);
        commitment::step(ctx, world, state);
        lap(4);
        ties::step(ctx, world, state, s);
        lap(5);
        outcome::step(ctx, state, month);
        lap(6);
        if state.inactive.iter().any(|x| !x.is_finite()) {
            return Err(ModelError::Invariant {
                step: s,
                message: "inactive population is not finite".into(),
            });
        }
        if cfg!(debug_assertions) {
            state
                .check_sums()
                .and_then(|()| commitment::check_drift(ctx, world, state))
                .map_err(|message| ModelError::Invariant { step: s, message })?;
        }
        Ok(())
    }

    /// The observation of the current state.
    pub fn observe(&self) -> StepRecord {
        let sc = &self.ctx.plan.scenario;
        let st = &self.state;
        let population: f64 = sc.places.iter().map(|p| p.population).sum();
        let inactive: f64 = st.inactive.iter().sum();
        let date = if self.step == 0 {
            sc.calendar.start.add_months(-1)
        } else {
            self.ctx.plan.step_date(self.step - 1)
        };
        StepRecord {
            step: self.step,
            date,
            prevalence: if population > 0.0 {
                inactive / population
            } else {
                0.0
            },
            inactive,
            place_prevalence: sc
                .places
                .iter()
                .zip(&st.inactive)
                .map(|(p, i)| {
                    if p.population > 0.0 {
                        i / p.population
                    } else {
                        0.0
                    }
                })
                .collect(),
            trialling: st.practices.iter().map(|p| p.trialling).collect(),
            embedded: st.practices.iter().map(|p| p.embedded).collect(),
            discontinued: st.practices.iter().map(|p| p.discontinued).collect(),
            trained: st.trained_total,
            active_improvers: st.active_total,
            mean_commitment: if st.n() > 0 {
                par::sum(&st.commitment) / st.n() as f64
            } else {
                0.0
            },
            members: st.members,
            ties: st.net.live_ties as u64,
        }
    }
}

/// Runs one replicate of a plan, calling `observe` for the initial state and after every
/// step that the scenario's output settings ask for (always the last).
pub fn run_replicate(
    plan: &Plan,
    replicate: u32,
    observe: &mut dyn FnMut(&StepRecord),
) -> Result<RunOutcome, ModelError> {
    let mut sim = Simulation::new(plan, replicate)?;
    let every = plan.scenario.output.every_steps.max(1);
    let mut series: Vec<(i32, f64)> = Vec::with_capacity(plan.steps as usize);
    let first = sim.observe();
    observe(&first);
    let mut last = first;
    for s in 1..=plan.steps {
        sim.advance()?;
        let rec = sim.observe();
        series.push((rec.date.year, rec.prevalence));
        if s % every == 0 || s == plan.steps {
            observe(&rec);
        }
        last = rec;
    }
    Ok(evaluate(plan, replicate, &sim, &series, &last))
}

/// Mean prevalence of each calendar year from the step series, in year order.
pub fn annual_means(series: &[(i32, f64)]) -> Vec<(i32, f64)> {
    let mut out: Vec<(i32, f64, u32)> = Vec::new();
    for &(y, p) in series {
        match out.last_mut() {
            Some(last) if last.0 == y => {
                last.1 += p;
                last.2 += 1;
            }
            _ => out.push((y, p, 1)),
        }
    }
    out.into_iter().map(|(y, s, c)| (y, s / c as f64)).collect()
}

/// Target evaluation and end-of-run figures (MODEL.md section 10).
fn evaluate(
    plan: &Plan,
    replicate: u32,
    sim: &Simulation,
    series: &[(i32, f64)],
    last: &StepRecord,
) -> RunOutcome {
    let t = &plan.scenario.target;
    let annual = annual_means(series);
    let year = |y: i32| annual.iter().find(|a| a.0 == y).map(|a| a.1);
    let baseline = year(t.baseline_year).unwrap_or(f64::NAN);
    let level = (1.0 - t.relative_reduction) * baseline;
    let in_target_year = year(t.target_year).unwrap_or(f64::NAN);
    let reached = annual
        .iter()
        .find(|a| a.0 > t.baseline_year && a.1 <= level)
        .map(|a| a.0);
    let fit_rmse = rmse(&fitted(plan, series));
    RunOutcome {
        replicate,
        baseline_prevalence: baseline,
        final_prevalence: last.prevalence,
        relative_reduction: 1.0 - in_target_year / baseline,
        target_met: in_target_year <= level,
        target_year_reached: reached,
        final_adopters: last
            .trialling
            .iter()
            .zip(&last.embedded)
            .map(|(a, b)| a + b)
            .collect(),
        active_improvers: last.active_improvers,
        mean_commitment: last.mean_commitment,
        members: sim.state.members,
        fit_rmse,
        total_cost: sim.state.programme.total_cost,
    }
}

/// Step prevalences keyed by the month index they end in.
fn series_by_date(plan: &Plan, series: &[(i32, f64)]) -> Vec<(i64, f64)> {
    series
        .iter()
        .enumerate()
        .map(|(s, &(_, p))| (plan.step_date(s as u32).index(), p))
        .collect()
}

/// Mean modelled prevalence over the steps ending inside each observation's window, with
/// the observation, for every observation the horizon covers.
pub fn fitted(plan: &Plan, series: &[(i32, f64)]) -> Vec<(f64, f64)> {
    let by_date = series_by_date(plan, series);
    plan.scenario
        .outcome
        .observed
        .iter()
        .filter_map(|o| {
            let inside: Vec<f64> = by_date
                .iter()
                .filter(|(m, _)| *m >= o.from.index() && *m <= o.to.index())
                .map(|&(_, p)| p)
                .collect();
            (!inside.is_empty()).then(|| {
                (
                    inside.iter().sum::<f64>() / inside.len() as f64,
                    o.prevalence,
                )
            })
        })
        .collect()
}

/// Root-mean-square error of modelled against observed pooled prevalence.
fn rmse(pairs: &[(f64, f64)]) -> Option<f64> {
    (!pairs.is_empty()).then(|| {
        (pairs.iter().map(|(m, o)| (m - o).powi(2)).sum::<f64>() / pairs.len() as f64).sqrt()
    })
}
