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
use crate::network::{TieSpec, PERSON_DEPENDENT, REMOVED};
use crate::rng::{below, Draws, Purpose};

use super::state::State;

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
        let p = ctx.plan.per_step(sc.training.staff_turnover);
        let mut draws = Draws::new(&ctx.key, Purpose::Ties, 1, step);
        let lost: Vec<u32> = (0..state.net.ties.len() as u32)
            .filter(|&t| {
                let f = state.net.ties.flags[t as usize];
                f & PERSON_DEPENDENT != 0 && f & REMOVED == 0 && draws.uniform(t) < p
            })
            .collect();
        for t in lost {
            state.remove_tie(t);
        }
    }
}

/// Reinforcement and reciprocity on ties with active improvers at one or both ends.
fn exchange(ctx: &Ctx, state: &mut State) {
    let td = &ctx.plan.scenario.ties;
    let pull = ctx.plan.per_step(td.reinforcement);
    let shift = ctx.plan.per_step(td.reciprocity_rate) as f32;
    let mut reinforce: Vec<(u32, f64)> = Vec::new();
    for i in 0..state.n() {
        if state.active[i] == 0 || !state.member[i] {
            continue;
        }
        let row = state.net.offsets[i] as usize..(state.net.offsets[i] + state.net.len[i]) as usize;
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
            let r = &mut state.net.ties.reciprocity[tu];
            let target = if both { 0.0 } else { a_gives };
            *r += shift * (target - *r);
            if both && pull > 0.0 {
                let w = state.net.weight(tu);
                reinforce.push((t, w + pull * (1.0 - w)));
            }
        }
    }
    for (t, w) in reinforce {
        state.set_tie_weight(t, w);
    }
}

/// Each member with at least two strong member neighbours, with the closure probability,
/// ties two of them chosen at random (Granovetter's forbidden triad closes).
fn close_triads(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let sc = &ctx.plan.scenario;
    let p = ctx.plan.per_step(sc.ties.triadic_closure);
    let strong = sc.network.strong_threshold;
    let mut draws = Draws::new(&ctx.key, Purpose::Ties, 0, step);
    let mut proposals: Vec<(u32, u32)> = Vec::new();
    let mut strong_nbrs: Vec<u32> = Vec::new();
    for i in 0..state.n() {
        if !state.member[i] || state.net.degree(i) < 2 {
            continue;
        }
        let mut rng = draws.org_rng(i as u32);
        if crate::rng::unit(&mut rng) >= p {
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
