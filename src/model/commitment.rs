//! Commitment to the network (MODEL.md section 6).
//!
//! For a member organisation, per year:
//! `dC/dt = relational_gain * S/(S + relational_half) + progress_gain * (P - E)
//!          - misalignment_loss * (1 - g) - reciprocity_loss * N - resistance_loss * R - erosion`
//! where S is the strength of its ties to members, P its progress (share of the practices
//! its kind can adopt that it trials (1/2) or has embedded (1)), E its expected progress,
//! g goal alignment, N its negative reciprocity (weighted mean of how much more it gives
//! than receives over its ties) and R internal resistance. C is kept in [0, 1]. A member
//! whose commitment falls below the exit threshold withdraws; a withdrawn organisation's
//! commitment stays where it is until an intervention raises it to the rejoin threshold,
//! and then it rejoins. No published rates exist: all are sensitivity parameters.

use crate::model::world::World;
use crate::model::Ctx;

use super::state::State;

/// One step of commitment: update, then withdrawals and returns.
pub fn step(ctx: &Ctx, world: &World, state: &mut State) {
    let c = &ctx.plan.scenario.commitment;
    if !c.enabled {
        return;
    }
    let dt = ctx.plan.dt;
    let mut leaving = Vec::new();
    let mut returning = Vec::new();
    for i in 0..state.n() {
        if !state.member[i] {
            if state.commitment[i] >= c.rejoin_threshold {
                returning.push(i as u32);
            }
            continue;
        }
        let s = state.strength(i);
        let relational = if s > 0.0 {
            s / (s + c.relational_half)
        } else {
            0.0
        };
        let adoptable = ctx.adoptable[world.kind[i] as usize];
        let progress_gap = if adoptable > 0 {
            state.progress_sum[i] / adoptable as f64 - state.expectation[i]
        } else {
            0.0
        };
        let neg = state.negative_reciprocity(i);
        let rate = c.relational_gain * relational + c.progress_gain * progress_gap
            - c.misalignment_loss * (1.0 - state.alignment[i])
            - c.reciprocity_loss * neg
            - c.resistance_loss * state.resistance[i]
            - c.erosion;
        // Commitment of one organisation depends on neighbours' improvers and ties, never on
        // their commitment, so updating in place is synchronous.
        let next = (state.commitment[i] + rate * dt).clamp(0.0, 1.0);
        state.commitment[i] = next;
        if next < c.exit_threshold {
            leaving.push(i as u32);
        }
    }
    for i in leaving {
        state.set_member(i, false);
    }
    for i in returning {
        state.set_member(i, true);
    }
}
