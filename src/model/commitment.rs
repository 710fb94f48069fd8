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

/// The part of `i`'s rate that changes only at events: progress against expectation,
/// misalignment, resistance and erosion.
fn drift(ctx: &Ctx, world: &World, state: &State, i: usize) -> f64 {
    let c = &ctx.plan.scenario.commitment;
    let adoptable = ctx
        .adoptable
        .get(world.kind[i] as usize)
        .copied()
        .unwrap_or(0);
    let progress_gap = if adoptable > 0 {
        state.progress_sum[i] / adoptable as f64 - state.expectation[i]
    } else {
        0.0
    };
    c.progress_gain * progress_gap
        - c.misalignment_loss * (1.0 - state.alignment[i])
        - c.resistance_loss * state.resistance[i]
        - c.erosion
}

/// Computes every organisation's drift (at the start of a run, once traits are drawn).
pub fn init(ctx: &Ctx, world: &World, state: &mut State) {
    state.stale_drift.clear();
    if !ctx.plan.scenario.commitment.enabled {
        return;
    }
    state.drift = (0..state.n())
        .map(|i| drift(ctx, world, state, i))
        .collect();
}

/// Compares every kept drift with its recomputation: the invariant check that tests (and
/// debug builds) run after a step, when no refresh is pending.
pub fn check_drift(ctx: &Ctx, world: &World, state: &State) -> Result<(), String> {
    if !ctx.plan.scenario.commitment.enabled {
        return Ok(());
    }
    if !state.stale_drift.is_empty() {
        return Err(format!(
            "{} drifts are still waiting for a refresh",
            state.stale_drift.len()
        ));
    }
    for i in 0..state.n() {
        let fresh = drift(ctx, world, state, i);
        if fresh != state.drift[i] {
            return Err(format!(
                "commitment drift of {i}: kept {} but is {fresh}",
                state.drift[i]
            ));
        }
    }
    Ok(())
}

/// One step of commitment: update, then withdrawals and returns.
pub fn step(ctx: &Ctx, world: &World, state: &mut State) {
    let c = &ctx.plan.scenario.commitment;
    let mut stale = std::mem::take(&mut state.stale_drift);
    if !c.enabled {
        return;
    }
    for &i in &stale {
        state.drift[i as usize] = drift(ctx, world, state, i as usize);
    }
    // The list's memory is kept for the next step.
    stale.clear();
    state.stale_drift = stale;
    let dt = ctx.plan.dt;
    let n = state.n();
    let scale = state.net.scale;
    let (gain, half, reciprocity) = (c.relational_gain, c.relational_half, c.reciprocity_loss);
    let (exit, rejoin) = (c.exit_threshold, c.rejoin_threshold);
    let (member, member_weight, giving, drift) = (
        &state.member[..n],
        &state.member_weight[..n],
        &state.giving[..n],
        &state.drift[..n],
    );
    // (organisation, whether it leaves (else returns)), in organisation order.
    let moves = par::update(&mut state.commitment[..n], |start, commitment, moves| {
        let end = start + commitment.len();
        let (member, member_weight, giving, drift) = (
            &member[start..end],
            &member_weight[start..end],
            &giving[start..end],
            &drift[start..end],
        );
        // Every organisation's candidate value without a branch (guards are maxima and
        // selects), so the compiler vectorises the pass: it is the one per-organisation
        // pass of every step that cannot skip anyone, and is also split over threads.
        for k in 0..commitment.len() {
            let mw = member_weight[k];
            let s = mw * scale;
            // S / (S + half), 0 without ties.
            let relational = s / (s + half).max(f64::MIN_POSITIVE);
            // Negative reciprocity is a weighted mean of shares in [0, 1]; the clamp keeps
            // rounding residues of an emptied neighbourhood from posing as one.
            let neg = (giving[k] / mw.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
            let rate = gain * relational - reciprocity * neg + drift[k];
            // Commitment of one organisation depends on neighbours' improvers and ties,
            // never on their commitment, so updating in place is synchronous. Withdrawn
            // organisations keep theirs until an intervention raises it.
            let next = (commitment[k] + rate * dt).clamp(0.0, 1.0);
            commitment[k] = if member[k] { next } else { commitment[k] };
        }
        // Who crosses a threshold: members below the exit, others at the rejoin. Few do, so
        // each stretch is first checked as a whole (a pass without an early exit, which
        // the compiler vectorises) and searched only when someone in it moves.
        let crosses = |ck: f64, mk: bool| if mk { ck < exit } else { ck >= rejoin };
        for (c, (values, members)) in commitment.chunks(64).zip(member.chunks(64)).enumerate() {
            let any = values
                .iter()
                .zip(members)
                .fold(false, |acc, (&ck, &mk)| acc | crosses(ck, mk));
            if !any {
                continue;
            }
            for (k, (&ck, &mk)) in values.iter().zip(members).enumerate() {
                if crosses(ck, mk) {
                    moves.push(((start + c * 64 + k) as u32, mk));
                }
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
