//! Coordinator actions against waning commitment (MODEL.md section 6; Roest et al. 2025).
//!
//! Each targeted organisation takes one action of the governance mode's budget: the
//! budget per step is the mode's actions per month times the step's months, shared by all
//! coordinator interventions of the step in scenario order. When the targets outnumber the
//! actions left, a uniformly random subset of that size is served.
//!
//! Timing: an action's strength is `s = effect * C`, C being the organisation's current
//! commitment (1 when the commitment sub-model is off): relationships are mended more
//! easily while goodwill remains, so acting before commitment has fallen far does more (an
//! assumption with the direction Roest et al. report; no published size). Each action closes
//! a share `s` of a gap:
//! - reassess goals: alignment `g += s (1 - g)`;
//! - manage expectations: expected progress `E -= s (E - P)` when above actual progress P;
//! - set preconditions (allocated time): resistance `R -= s R`;
//! - build relationships: commitment `C += s (1 - C)`, and each tie to a member neighbour
//!   `w += s (1 - w)`.

use crate::model::state::State;
use crate::model::world::World;
use crate::model::Ctx;
use crate::rng::SimRng;
use crate::scenario::CoordinatorAction;

use super::targeting::sample;
use super::Reach;

/// Coordinator actions left in this step.
pub fn budget_left(ctx: &Ctx, state: &State) -> u64 {
    let sc = &ctx.plan.scenario;
    let per_step =
        sc.governance.budget(state.programme.governance) as u64 * sc.calendar.step_months as u64;
    per_step.saturating_sub(state.programme.actions_used)
}

/// Takes `action` on the targets, within the budget.
pub fn act(
    ctx: &Ctx,
    world: &World,
    state: &mut State,
    targets: &[u32],
    action: CoordinatorAction,
    effect: f64,
    rng: &mut SimRng,
) -> Reach {
    let left = budget_left(ctx, state);
    let served: Vec<u32> = if targets.len() as u64 <= left {
        targets.to_vec()
    } else {
        let mut s = sample(targets.to_vec(), left as usize, rng);
        s.sort_unstable();
        s
    };
    let commitment_on = ctx.plan.scenario.commitment.enabled;
    for &i in &served {
        let iu = i as usize;
        let s = effect * state.commitment[iu];
        match action {
            CoordinatorAction::ReassessGoals => {
                state.alignment[iu] += s * (1.0 - state.alignment[iu]);
            }
            CoordinatorAction::ManageExpectations => {
                let adoptable = ctx.adoptable[world.kind[iu] as usize];
                let progress = if adoptable > 0 {
                    state.progress_sum[iu] / adoptable as f64
                } else {
                    0.0
                };
                if state.expectation[iu] > progress {
                    state.expectation[iu] -= s * (state.expectation[iu] - progress);
                }
            }
            CoordinatorAction::SetPreconditions => {
                state.resistance[iu] -= s * state.resistance[iu];
            }
            CoordinatorAction::BuildRelationships => {
                if commitment_on {
                    state.commitment[iu] += s * (1.0 - state.commitment[iu]);
                }
                let ties: Vec<(u32, u32)> = state
                    .net
                    .neighbours(iu)
                    .iter()
                    .copied()
                    .zip(state.net.tie_ids(iu).iter().copied())
                    .collect();
                for (j, t) in ties {
                    if state.member[j as usize] {
                        let w = state.net.weight(t as usize);
                        state.set_tie_weight(t, w + s * (1.0 - w));
                    }
                }
            }
        }
        // Alignment, expectation and resistance feed the commitment drift.
        state.stale_drift.push(i);
    }
    state.programme.actions_used += served.len() as u64;
    Reach {
        organisations: served.len() as u64,
        actions: served.len() as u64,
        ..Reach::default()
    }
}
