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
    // Refreshed from the state as it is (a pure function of it): many at once (the
    // adoption wave's new adopters) are computed on all threads and then stored.
    if stale.len() >= par::BLOCK {
        use rayon::prelude::*;
        let fresh: Vec<f64> = stale
            .par_iter()
            .with_min_len(par::LIST_BLOCK)
            .map(|&i| drift(ctx, world, state, i as usize))
            .collect();
        for (&i, d) in stale.iter().zip(fresh) {
            state.drift[i as usize] = d;
        }
    } else {
        for &i in &stale {
            state.drift[i as usize] = drift(ctx, world, state, i as usize);
        }
    }
    // The list's memory is kept for the next step.
    stale.clear();
    state.stale_drift = stale;
    let n = state.n();
    let rates = Rates {
        gain: c.relational_gain,
        half: c.relational_half,
        reciprocity: c.reciprocity_loss,
        scale: state.net.scale,
        dt: ctx.plan.dt,
        now: state.balances.now(),
    };
    let (exit, rejoin) = (c.exit_threshold, c.rejoin_threshold);
    let (member, member_weight, giving, decaying, drift) = (
        &state.member[..n],
        &state.member_weight[..n],
        &state.giving[..n],
        &state.balances.decaying[..n],
        &state.drift[..n],
    );
    // (organisation, whether it leaves (else returns)), in organisation order.
    let moves = par::update(&mut state.commitment[..n], |start, commitment, moves| {
        let end = start + commitment.len();
        let (member, member_weight, giving, decaying, drift) = (
            &member[start..end],
            &member_weight[start..end],
            &giving[start..end],
            &decaying[start..end],
            &drift[start..end],
        );
        update_values(
            &rates,
            Block {
                commitment,
                member,
                member_weight,
                giving,
                decaying,
                drift,
            },
        );
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

/// The constants of one commitment update.
struct Rates {
    gain: f64,
    half: f64,
    reciprocity: f64,
    scale: f64,
    dt: f64,
    /// What the decaying part of giving is read with ([`crate::model::balance::Balances::now`]).
    now: f64,
}

/// One block's commitment and what its update reads, all of the same length.
struct Block<'a> {
    commitment: &'a mut [f64],
    member: &'a [bool],
    member_weight: &'a [f64],
    /// Giving in two parts (src/model/balance.rs): `giving + decaying * now`.
    giving: &'a [f64],
    decaying: &'a [f64],
    drift: &'a [f64],
}

/// New commitment of every member of a block, the rule's arithmetic in one pass without a
/// branch (guards are maxima and selects), which the compiler vectorises: it is the one
/// per-organisation pass of every step that cannot skip anyone.
#[inline(always)]
fn update_values_generic(r: &Rates, b: Block) {
    let n = b.commitment.len();
    let (commitment, member, member_weight, giving, decaying, drift) = (
        b.commitment,
        &b.member[..n],
        &b.member_weight[..n],
        &b.giving[..n],
        &b.decaying[..n],
        &b.drift[..n],
    );
    for k in 0..n {
        let mw = member_weight[k];
        let s = mw * r.scale;
        // S / (S + half), 0 without ties.
        let relational = s / (s + r.half).max(f64::MIN_POSITIVE);
        // Negative reciprocity is a weighted mean of shares in [0, 1]; the clamp keeps
        // rounding residues of an emptied neighbourhood from posing as one.
        let gives = giving[k] + decaying[k] * r.now;
        let neg = (gives / mw.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
        let rate = r.gain * relational - r.reciprocity * neg + drift[k];
        // Commitment of one organisation depends on neighbours' improvers and ties, never
        // on their commitment, so updating in place is synchronous. Withdrawn
        // organisations keep theirs until an intervention raises it.
        let next = (commitment[k] + rate * r.dt).clamp(0.0, 1.0);
        commitment[k] = if member[k] { next } else { commitment[k] };
    }
}

/// [`update_values_generic`] compiled for 256-bit vectors: the same IEEE operations four
/// at a time (no fused multiply-add), so the same bits as the portable version.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_values_avx2(r: &Rates, b: Block) {
    update_values_generic(r, b)
}

/// The widest version of the update this processor runs.
fn update_values(r: &Rates, b: Block) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { update_values_avx2(r, b) };
    }
    update_values_generic(r, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector version gives the same bits as the portable one, edge cases included
    /// (no ties, a residue of giving, values at and past the bounds, withdrawn members).
    #[test]
    fn both_versions_of_the_update_agree_bit_for_bit() {
        let n = 1003;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let member: Vec<bool> = (0..n).map(|i| i % 13 != 0).collect();
        let member_weight: Vec<f64> = (0..n)
            .map(|i| if i % 17 == 0 { 0.0 } else { 6.0 * next() })
            .collect();
        let giving: Vec<f64> = (0..n)
            .map(|i| 0.3 * next() + (i % 19 == 0) as u8 as f64 * 1e-17)
            .collect();
        let drift: Vec<f64> = (0..n).map(|_| 0.4 * next() - 0.3).collect();
        let decaying: Vec<f64> = (0..n).map(|_| 0.2 * next() - 0.1).collect();
        let start: Vec<f64> = (0..n)
            .map(|i| if i % 23 == 0 { 1.0 } else { next() })
            .collect();
        for half in [0.0, 1.0] {
            let r = Rates {
                gain: 0.5,
                half,
                reciprocity: 0.2,
                scale: 0.7,
                dt: 1.0 / 12.0,
                now: 0.3,
            };
            let mut portable = start.clone();
            let block = |commitment| Block {
                commitment,
                member: &member,
                member_weight: &member_weight,
                giving: &giving,
                decaying: &decaying,
                drift: &drift,
            };
            update_values_generic(&r, block(&mut portable));
            let mut best = start.clone();
            update_values(&r, block(&mut best));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&portable), bits(&best));
            assert!(portable.iter().all(|c| (0.0..=1.0).contains(c)));
            // Withdrawn organisations keep their value.
            assert!((0..n)
                .filter(|i| !member[*i])
                .all(|i| portable[i] == start[i]));
        }
    }
}
