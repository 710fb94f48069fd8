//! Interventions (MODEL.md section 9): what is done to the network, when, and to whom.
//! Applied at the start of a step, after exogenous trends, before every other sub-model.

pub mod targeting;

use crate::model::state::{State, NONE};
use crate::model::world::World;
use crate::model::Ctx;
use crate::plan::Plan;
use crate::rng::{Draws, Purpose};
use crate::scenario::{Action, When};

/// Whether an intervention scheduled `when` happens in the step starting at month index
/// `month` (steps cover `step_months` months).
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

/// Applies every intervention due at `step` (1-based), in scenario order.
pub fn apply(ctx: &Ctx, world: &World, state: &mut State, step: u32) -> Result<(), String> {
    for (k, iv) in ctx.plan.scenario.interventions.iter().enumerate() {
        if !due(ctx.plan, &iv.when, step) {
            continue;
        }
        let mut rng = Draws::sequence(&ctx.key, Purpose::Targeting, k as u32, step);
        let targets = targeting::select(ctx.plan, world, state, &iv.targets, &mut rng)
            .map_err(|e| format!("intervention {:?}: {e}", iv.name))?;
        match &iv.action {
            Action::TrainingCohort { staff_per_org } => {
                for &i in &targets {
                    let iu = i as usize;
                    let room = world.staff[iu].saturating_sub(state.trained[iu]);
                    state.trained[iu] += (*staff_per_org).min(room);
                }
            }
            Action::PilotSeeding { practice } => {
                let p = *ctx
                    .plan
                    .practice_index
                    .get(practice)
                    .ok_or_else(|| format!("unknown practice {practice:?}"))?
                    as usize;
                seed_practice(ctx, world, state, p, &targets, step);
            }
        }
    }
    Ok(())
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
