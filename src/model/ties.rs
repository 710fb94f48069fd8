//! Tie dynamics (MODEL.md section 7): decay without contact, reinforcement through shared
//! improvement work, reciprocity, triadic closure, and loss of person-dependent ties when
//! their person leaves.
//!
//! Contact is improvement work across the tie: a tie between two members that both have
//! active improvers is pulled towards full strength; every tie decays at the same rate,
//! which costs O(1) per step (the network's weight scale). Ties where exactly one side has
//! active improvers shift their reciprocity balance towards that side (it gives, the other
//! receives); ties where both do drift back to balance.

use crate::model::world::World;
use crate::model::Ctx;
use crate::network::{TieSpec, REMOVED};
use crate::rng::{below, bernoulli_indices, Draws, Purpose};

use super::par;
use super::state::{BalanceChange, State};

/// One step of tie dynamics.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let sc = &ctx.plan.scenario;
    let td = &sc.ties;
    let dt = ctx.plan.dt;
    if td.decay > 0.0 {
        state.decay_ties((-td.decay * dt).exp());
    }
    let track_reciprocity = sc.commitment.enabled && sc.commitment.reciprocity_loss > 0.0;
    if td.reinforcement > 0.0 || track_reciprocity {
        exchange(ctx, state);
    }
    if td.triadic_closure > 0.0 {
        close_triads(ctx, world, state, step);
    }
    if td.turnover_loss && sc.training.staff_turnover > 0.0 {
        // Each live person-dependent tie is lost with the turnover probability.
        let p = ctx.plan.per_step(sc.training.staff_turnover);
        let mut rng = Draws::sequence(&ctx.key, Purpose::Ties, 1, step);
        let hit = bernoulli_indices(&mut rng, state.person_ties.len(), p);
        for &k in &hit {
            let t = state.person_ties[k];
            if state.net.ties.flags[t as usize] & REMOVED == 0 {
                state.remove_tie(t);
            }
        }
        // This pass is the only one that removes ties, so the ties just hit are exactly
        // the list's dead entries (`State::check_sums` checks it): drop them by position,
        // keeping the order, moving down the stretches between hits in turn.
        let list = &mut state.person_ties;
        let mut kept = hit.first().copied().unwrap_or(list.len());
        for (h, &k) in hit.iter().enumerate() {
            let end = hit.get(h + 1).copied().unwrap_or(list.len());
            list.copy_within(k + 1..end, kept);
            kept += end - k - 1;
        }
        list.truncate(kept);
    }
}

/// Reinforcement and reciprocity on ties with active improvers at one or both ends.
fn exchange(ctx: &Ctx, state: &mut State) {
    let td = &ctx.plan.scenario.ties;
    let pull = ctx.plan.per_step(td.reinforcement);
    let shift = ctx.plan.per_step(td.reciprocity_rate) as f32;
    if state.active_total == 0 {
        return;
    }
    // Per tie visited: its new balance, or its new weight; decided from the state at the
    // start, in organisation order.
    state.settle_staff_lists();
    let changes = par::decide_listed(state.with_active.settled(), |orgs, changes| {
        // At most one balance per tie visited (weights are few): sized once, the list does
        // not grow by doubling and copying itself.
        let visits: usize = orgs
            .iter()
            .map(|&i| state.net.len[i as usize] as usize)
            .sum();
        changes.reserve(visits);
        for &i in orgs {
            let i = i as usize;
            if !state.member[i] {
                continue;
            }
            let row =
                state.net.offsets[i] as usize..(state.net.offsets[i] + state.net.len[i]) as usize;
            for k in row {
                let (j, t) = (state.net.neighbour[k], state.net.tie[k]);
                let ju = j as usize;
                if !state.member[ju] {
                    continue;
                }
                let both = state.active[ju] > 0;
                // A tie between two improving members is visited from its lower end only.
                if both && ju < i {
                    continue;
                }
                let tu = t as usize;
                let a_gives = if state.net.ties.a[tu] as usize == i {
                    1.0
                } else {
                    -1.0
                };
                let r = state.net.ties.reciprocity[tu];
                let target = if both { 0.0 } else { a_gives };
                let next = r + shift * (target - r);
                // In f32 the balance stops short of its target once a shift rounds away;
                // such a tie no longer changes, so it costs no update.
                if next != r {
                    let ends = if a_gives > 0.0 { [i, ju] } else { [ju, i] };
                    changes.push(Exchange::Balance(BalanceChange {
                        tie: t,
                        ends: [ends[0] as u32, ends[1] as u32],
                        balance: next,
                        change: state.giving_change(t, next),
                    }));
                }
                if both && pull > 0.0 {
                    let w = state.net.weight(tu);
                    changes.push(Exchange::Weight(t, w + pull * (1.0 - w)));
                }
            }
        }
    });
    // Balances first, then weights, as decided. Both ends of every tie are members (the
    // decisions checked), and balances touch nothing a later balance decision read.
    state.set_reciprocities(|| {
        changes.iter().filter_map(|c| match c {
            Exchange::Balance(b) => Some(*b),
            Exchange::Weight(..) => None,
        })
    });
    for c in changes.iter() {
        if let Exchange::Weight(t, w) = *c {
            state.set_tie_weight(t, w);
        }
    }
}

#[derive(Clone, Copy)]
enum Exchange {
    Balance(BalanceChange),
    /// A tie and its new weight.
    Weight(u32, f64),
}

/// Each member with at least two strong member neighbours, with the closure probability,
/// ties two of them chosen at random (Granovetter's forbidden triad closes).
fn close_triads(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let sc = &ctx.plan.scenario;
    let p = ctx.plan.per_step(sc.ties.triadic_closure);
    let strong = sc.network.strong_threshold;
    let mut rng = Draws::sequence(&ctx.key, Purpose::Ties, 0, step);
    let mut proposals: Vec<(u32, u32)> = Vec::new();
    let mut strong_nbrs: Vec<u32> = Vec::new();
    for i in bernoulli_indices(&mut rng, state.n(), p) {
        if !state.member[i] || state.net.degree(i) < 2 {
            continue;
        }
        strong_nbrs.clear();
        for (&j, &t) in state.net.neighbours(i).iter().zip(state.net.tie_ids(i)) {
            if state.member[j as usize] && state.net.weight(t as usize) >= strong {
                strong_nbrs.push(j);
            }
        }
        if strong_nbrs.len() < 2 {
            continue;
        }
        let x = below(&mut rng, strong_nbrs.len() as u64) as usize;
        let mut y = below(&mut rng, strong_nbrs.len() as u64 - 1) as usize;
        if y >= x {
            y += 1;
        }
        let (a, b) = (
            strong_nbrs[x].min(strong_nbrs[y]),
            strong_nbrs[x].max(strong_nbrs[y]),
        );
        proposals.push((a, b));
    }
    proposals.sort_unstable();
    proposals.dedup();
    for (a, b) in proposals {
        if !state.net.has_tie(a, b) {
            let spec = TieSpec {
                a,
                b,
                weight: sc.ties.closure_weight as f32,
                person_dependent: false,
            };
            state.add_tie(spec, &world.kind, &world.place);
        }
    }
}
