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

use super::par;
use super::state::State;

/// One step of commitment: update, then withdrawals and returns.
pub fn step(ctx: &Ctx, world: &World, state: &mut State) {
    let c = &ctx.plan.scenario.commitment;
    if !c.enabled {
        return;
    }
    let dt = ctx.plan.dt;
    let n = state.n();
    let scale = state.net.scale;
    // Every array cut to n up front so the loop below runs without bounds checks; this is
    // the one per-organisation pass of every step that cannot skip anyone, so it is also
    // split over threads (src/model/par.rs).
    let member = &state.member[..n];
    let member_weight = &state.member_weight[..n];
    let giving = &state.giving[..n];
    let progress_sum = &state.progress_sum[..n];
    let expectation = &state.expectation[..n];
    let alignment = &state.alignment[..n];
    let resistance = &state.resistance[..n];
    let kind = &world.kind[..n];
    // (organisation, whether it leaves (else returns)), in organisation order.
    let moves = par::update(&mut state.commitment[..n], |start, commitment, moves| {
        for (k, ck) in commitment.iter_mut().enumerate() {
            let i = start + k;
            if !member[i] {
                if *ck >= c.rejoin_threshold {
                    moves.push((i as u32, false));
                }
                continue;
            }
            let mw = member_weight[i];
            let s = mw * scale;
            let relational = if s > 0.0 {
                s / (s + c.relational_half)
            } else {
                0.0
            };
            let adoptable = ctx.adoptable.get(kind[i] as usize).copied().unwrap_or(0);
            let progress_gap = if adoptable > 0 {
                progress_sum[i] / adoptable as f64 - expectation[i]
            } else {
                0.0
            };
            let neg = if mw > 0.0 { giving[i] / mw } else { 0.0 };
            let rate = c.relational_gain * relational + c.progress_gain * progress_gap
                - c.misalignment_loss * (1.0 - alignment[i])
                - c.reciprocity_loss * neg
                - c.resistance_loss * resistance[i]
                - c.erosion;
            // Commitment of one organisation depends on neighbours' improvers and ties,
            // never on their commitment, so updating in place is synchronous.
            let next = (*ck + rate * dt).clamp(0.0, 1.0);
            *ck = next;
            if next < c.exit_threshold {
                moves.push((i as u32, true));
            }
        }
    });
    // Withdrawals first, then returns, each in organisation order.
    for &(i, _) in moves.iter().filter(|m| m.1) {
        state.set_member(i, false);
    }
    for &(i, _) in moves.iter().filter(|m| !m.1) {
        state.set_member(i, true);
    }
}
