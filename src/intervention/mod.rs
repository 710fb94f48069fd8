//! Interventions (MODEL.md section 9; docs/INTERVENTIONS.md): what is done to the network,
//! when, and to whom. Applied at the start of a step, after exogenous trends and before
//! every other sub-model, in scenario order, each seeing what the earlier ones did.
//!
//! Random choices use keyed streams only: targets come from `Purpose::Targeting` and an
//! action's own draws from `Purpose::Intervention`, both with `sub` = the intervention's
//! index and the step, so adding an intervention never shifts another's numbers.

pub mod capacity;
pub mod coordinator;
pub mod cost;
pub mod event;
pub mod greedy;
pub mod programme;
pub mod targeting;
pub mod training;
pub mod weaving;

pub use cost::{cost_per_point, Reach};
pub use programme::Programme;

use crate::model::state::{State, NONE};
use crate::model::world::World;
use crate::model::Ctx;
use crate::network::TieSpec;
use crate::plan::Plan;
use crate::rng::{Draws, Purpose};
use crate::scenario::{Action, When};

/// Whether an intervention scheduled `when` happens in step `step` (1-based; the step
/// covers `step_months` months from its start).
pub fn due(plan: &Plan, when: &When, step: u32) -> bool {
    let first = plan.step_start(step - 1).index();
    let last = first + plan.scenario.calendar.step_months as i64 - 1;
    match when {
        When::At(m) => (first..=last).contains(&m.index()),
        When::Every { months, from, to } => {
            let months = (*months).max(1) as i64;
            // Occurrences at from, from + months, ... up to `to`; any in this step?
            (first..=last)
                .any(|m| m >= from.index() && m <= to.index() && (m - from.index()) % months == 0)
        }
    }
}

/// Steps an effect lasting `years` covers: at least one.
pub fn duration_steps(plan: &Plan, years: f64) -> u32 {
    (years / plan.dt).round().clamp(1.0, u32::MAX as f64) as u32
}

/// Applies every intervention due at `step` (1-based), in scenario order.
pub fn apply(ctx: &Ctx, world: &World, state: &mut State, step: u32) -> Result<(), String> {
    let places = ctx.plan.scenario.places.len();
    state.programme.expire(step, world.n, places);
    state.programme.actions_used = 0;
    for (k, iv) in ctx.plan.scenario.interventions.iter().enumerate() {
        if !due(ctx.plan, &iv.when, step) {
            continue;
        }
        let mut pick = Draws::sequence(&ctx.key, Purpose::Targeting, k as u32, step);
        let targets = targeting::select(ctx.plan, world, state, &iv.targets, &mut pick)
            .map_err(|e| format!("intervention {:?}: {e}", iv.name))?;
        // An occurrence that reaches nobody does nothing and costs nothing (a pick of 0
        // switches an intervention off); a governance change needs no targets.
        if targets.is_empty() && !matches!(iv.action, Action::GovernanceChange { .. }) {
            continue;
        }
        let mut rng = Draws::sequence(&ctx.key, Purpose::Intervention, k as u32, step);
        let reached = targets.len() as u64;
        let mut reach = match &iv.action {
            Action::TrainingCohort {
                staff_per_org,
                in_pairs,
                pair_weight,
            } => training::cohort(
                world,
                state,
                &targets,
                *staff_per_org,
                in_pairs.then_some(*pair_weight),
            ),
            Action::EngagementEvent {
                new_ties_per_attendee,
                tie_weight,
                boundary_preference,
                commitment_boost,
                recruit,
                per_place,
            } => event::engage(
                ctx,
                world,
                state,
                &targets,
                &event::Event {
                    new_ties: *new_ties_per_attendee,
                    weight: *tie_weight,
                    preference: *boundary_preference,
                    boost: *commitment_boost,
                    recruit: *recruit,
                    per_place: *per_place,
                },
                &mut rng,
            ),
            Action::NetworkWeaving {
                ties_per_broker,
                tie_weight,
                min_distance,
                other_places_only,
            } => weaving::weave(
                world,
                state,
                &targets,
                &weaving::Weaving {
                    ties: *ties_per_broker,
                    weight: *tie_weight,
                    min_distance: *min_distance,
                    other_places_only: *other_places_only,
                },
                &mut rng,
            ),
            Action::Coordinate { action, effect } => {
                coordinator::act(ctx, world, state, &targets, *action, *effect, &mut rng)
            }
            Action::GovernanceChange { mode } => {
                state.programme.governance = *mode;
                Reach::default()
            }
            Action::PilotSeeding { practice } => {
                let p = *ctx
                    .plan
                    .practice_index
                    .get(practice)
                    .ok_or_else(|| format!("unknown practice {practice:?}"))?
                    as usize;
                seed_practice(ctx, world, state, p, &targets, step);
                Reach {
                    organisations: reached,
                    ..Reach::default()
                }
            }
            Action::Funding {
                years,
                extra_staff,
                activation_multiplier,
            } => capacity::fund(
                ctx,
                world,
                state,
                targets,
                step,
                *years,
                *extra_staff,
                *activation_multiplier,
            ),
            Action::Shock {
                years,
                commitment_drop,
                capacity_loss,
                inactivity_rise,
            } => capacity::shock(
                ctx,
                world,
                state,
                targets,
                step,
                &capacity::ShockSize {
                    years: *years,
                    commitment_drop: *commitment_drop,
                    capacity_loss: *capacity_loss,
                    inactivity_rise: *inactivity_rise,
                },
            ),
        };
        // Every occurrence is at least one event.
        reach.events = reach.events.max(1);
        state.programme.total_cost += cost::charge(&iv.cost, &reach);
    }
    Ok(())
}

/// Makes a new tie for an intervention. The network moves a full row to fresh room in
/// O(its degree) when needed, keeping every tie, its id and each row's order, so no sum or
/// result depends on when rows move.
pub fn make_tie(world: &World, state: &mut State, spec: TieSpec) -> u32 {
    state.add_tie(spec, &world.kind, &world.place)
}

/// Before a burst of new ties: gives each of `orgs` at least `need` free entries in its
/// row, moving only the rows that are short (never a whole rebuild per burst).
pub fn reserve(state: &mut State, orgs: &[u32], need: u32) {
    for &i in orgs {
        state.net.ensure_room(i as usize, need);
    }
}

/// Makes `targets` trial practice `p` from `step`: those whose kind may adopt it and who
/// have not adopted or discontinued it already.
pub fn seed_practice(
    ctx: &Ctx,
    world: &World,
    state: &mut State,
    p: usize,
    targets: &[u32],
    step: u32,
) {
    let due = step + ctx.dwell_steps[p];
    for &i in targets {
        let allowed = world.kind_allowed[p][world.kind[i as usize] as usize];
        if allowed && state.practices[p].stage[i as usize] == NONE {
            state.start_trialling(p, i, step, due);
        }
    }
}
