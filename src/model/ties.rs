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
use crate::network::{prefetch, TieSpec, REMOVED};
use crate::rng::{below, bernoulli_indices, Draws, Purpose};

use super::par;
use super::state::{giving_change, ExchangeBlock, State, IMPROVING, WITHDRAWN};

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
        let doomed: Vec<u32> = hit
            .iter()
            .map(|&k| state.person_ties[k])
            .filter(|&t| state.net.ties.flags[t as usize] & REMOVED == 0)
            .collect();
        state.remove_ties(&doomed);
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
    state.settle_staff_lists();
    // Tie entries the organisations with improvers would visit (a tie between two of them
    // twice): from half of all entries, every tie is updated where it is stored and the
    // sums are recounted (`exchange_everywhere`), which then costs less than deciding and
    // applying each change one by one. Which way is taken depends on the state alone.
    let visits: usize = state
        .with_active
        .settled()
        .iter()
        .map(|&i| state.net.len[i as usize] as usize)
        .sum();
    if visits >= state.net.live_ties {
        exchange_everywhere(state, pull, shift);
    } else {
        exchange_listed(state, pull, shift, visits >= PARALLEL_EXCHANGE);
    }
}

/// From this many tie visits in a step, exchange decisions are sorted into ranges and
/// applied on all threads; fewer are applied in one pass.
const PARALLEL_EXCHANGE: usize = 1 << 15;

/// Exchange on the ties of the organisations with improvers, decided on all threads in
/// blocks of the list and applied in decision order (`state.with_active` is settled).
fn exchange_listed(state: &mut State, pull: f64, shift: f32, parallel: bool) {
    // Decisions read only what their own tie's change writes (its balance and weight;
    // every tie is decided once), so the list is taken a segment at a time: the same
    // result in bounded memory.
    let listed = state.with_active.settled().to_vec();
    let net = &state.net;
    for segment in par::segments(&listed, |i| net.len[i as usize] as usize, par::SEGMENT) {
        exchange_segment(state, &listed[segment], pull, shift, parallel);
    }
}

/// [`exchange_listed`] for one segment of the list.
fn exchange_segment(state: &mut State, listed: &[u32], pull: f64, shift: f32, parallel: bool) {
    // Each tie is decided once, by one organisation, and no decision reads another tie's
    // balance or weight: the decisions write both where they are stored (the cache lines
    // are at hand), and keep what they add to the sums at the ends for afterwards. The two
    // arrays are taken out of the tie table meanwhile, so the rest of the state is read as
    // it was at the start.
    let mut balances = std::mem::take(&mut state.net.ties.reciprocity);
    let mut weights = std::mem::take(&mut state.net.ties.scaled_weight);
    let (balance, weight) = (par::cells(&mut balances), par::cells(&mut weights));
    let state_now: &State = state;
    let decided = par::decide_listed(listed, |orgs, out| {
        let state = state_now;
        let mut block = ExchangeBlock::new(state, parallel);
        block.reserve(
            orgs.iter()
                .map(|&i| state.net.len[i as usize] as usize)
                .sum(),
        );
        for (n, &i) in orgs.iter().enumerate() {
            // Most of the time here is waiting for scattered loads: the rows of the listed
            // organisations, then the balances, weights and standings their rows point to.
            // Ask for them a few organisations ahead, in stages (where a row starts, then
            // the row, then what it points to), so that the loads overlap this row's work.
            // Small exchanges run in cache and would only pay for the asking.
            if parallel {
                let standing = &state.standing;
                state.net.ask_ahead(orgs, n, |j, t| {
                    prefetch(standing.as_ptr().wrapping_add(j as usize));
                    prefetch(balance.as_ptr().wrapping_add(t as usize));
                    prefetch(weight.as_ptr().wrapping_add(t as usize));
                });
            }
            let i = i as usize;
            if !state.member[i] {
                continue;
            }
            let row =
                state.net.offsets[i] as usize..(state.net.offsets[i] + state.net.len[i]) as usize;
            for k in row {
                let (j, t) = (state.net.neighbour[k], state.net.tie[k] as usize);
                let ju = j as usize;
                // One byte tells whether the neighbour is a member and improving.
                let standing = state.standing[ju];
                if standing == WITHDRAWN {
                    continue;
                }
                let both = standing == IMPROVING;
                // A tie between two improving members is visited from its lower end only.
                if both && ju < i {
                    continue;
                }
                // A tie's `a` is its lower-numbered end.
                let i_is_a = i < ju;
                let r = par::get(&balance[t]);
                let next = next_balance(r, shift, i_is_a || both, !i_is_a || both);
                // In f32 the balance stops short of its target once a shift rounds away;
                // such a tie no longer changes, so it costs no update.
                let ends = if i_is_a { [i, ju] } else { [ju, i] };
                let ends = [ends[0] as u32, ends[1] as u32];
                let old = par::get(&weight[t]);
                if next != r {
                    block.push_giving(ends, giving_change(old, r, next));
                    par::set(&balance[t], next);
                }
                if both && pull > 0.0 {
                    let new = pulled(old, state.net.scale, pull);
                    block.push_pull(ends, next, old, new);
                    par::set(&weight[t], new);
                }
            }
        }
        out.push(block);
    })
    .into_vec();
    state.net.ties.reciprocity = balances;
    state.net.ties.scaled_weight = weights;
    state.apply_exchange(&decided);
}

/// A tie's reciprocity balance after one step of exchange, given which ends have active
/// improvers: it moves by `shift` of the way towards the giving end (+1 for `a`, -1 for
/// `b`), or towards balance when both give.
#[inline]
fn next_balance(r: f32, shift: f32, a_active: bool, b_active: bool) -> f32 {
    let target = match (a_active, b_active) {
        (true, true) => 0.0,
        (true, false) => 1.0,
        (false, true) => -1.0,
        (false, false) => return r,
    };
    r + shift * (target - r)
}

/// A tie's stored (scaled) weight after one step of shared improvement work across it:
/// its weight `w` moves `pull` of the way to full strength, stored as
/// `Network::set_weight` stores it.
#[inline]
fn pulled(scaled: f32, scale: f64, pull: f64) -> f32 {
    let w = scaled as f64 * scale;
    ((w + pull * (1.0 - w)) / scale) as f32
}

/// Exchange when most ties have improvers at an end: every live tie between members is
/// updated where it is stored, on all threads by ranges of ties (each tie's new balance
/// and weight depend only on itself and its ends, read from the state at the start), and
/// then the sums that depend on weights and balances are recounted. The balances and
/// weights are the same as one by one; the sums are added up afresh, in row order.
fn exchange_everywhere(state: &mut State, pull: f64, shift: f32) {
    use rayon::prelude::*;
    const TIES: usize = 1 << 16;
    let (member, active) = (&state.member, &state.active);
    let net = &mut state.net;
    let scale = net.scale;
    let ties = &mut net.ties;
    let (a, b, flags) = (&ties.a, &ties.b, &ties.flags);
    // Whether every weight set is still exactly 1 (imported unit-weight edge lists).
    let unit = ties
        .reciprocity
        .par_chunks_mut(TIES)
        .zip(ties.scaled_weight.par_chunks_mut(TIES))
        .enumerate()
        .map(|(c, (balances, weights))| {
            let mut unit = true;
            for (k, (r, sw)) in balances.iter_mut().zip(weights.iter_mut()).enumerate() {
                let t = c * TIES + k;
                let (x, y) = (a[t] as usize, b[t] as usize);
                if flags[t] & REMOVED != 0 || !member[x] || !member[y] {
                    continue;
                }
                let (ax, ay) = (active[x] > 0, active[y] > 0);
                *r = next_balance(*r, shift, ax, ay);
                if ax && ay && pull > 0.0 {
                    *sw = pulled(*sw, scale, pull);
                    unit &= *sw == 1.0;
                }
            }
            unit
        })
        .reduce(|| true, |x, y| x && y);
    net.unit_weights &= unit;
    state.recount_neighbourhoods();
}

/// Each member with at least two strong member neighbours, with the closure probability,
/// ties two of them chosen at random (Granovetter's forbidden triad closes).
fn close_triads(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let sc = &ctx.plan.scenario;
    let p = ctx.plan.per_step(sc.ties.triadic_closure);
    let strong = sc.network.strong_threshold;
    let mut rng = Draws::sequence(&ctx.key, Purpose::Ties, 0, step);
    let chosen: Vec<u32> = bernoulli_indices(&mut rng, state.n(), p)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    // Each chosen member's strong member neighbours, (chosen, neighbour) in order, for
    // those with two or more: read on all threads (scattered rows and weights, the costly
    // part); the pairs are then drawn in order from the one sequence, as one by one.
    let strong_of = par::decide_listed(&chosen, |orgs, out| {
        for (n, &i) in orgs.iter().enumerate() {
            // The chosen are scattered: ask for their rows and ties' weights ahead.
            let (member, weights) = (&state.member, &state.net.ties.scaled_weight);
            state.net.ask_ahead(orgs, n, |j, t| {
                prefetch(member.as_ptr().wrapping_add(j as usize));
                prefetch(weights.as_ptr().wrapping_add(t as usize));
            });
            let iu = i as usize;
            if !state.member[iu] || state.net.degree(iu) < 2 {
                continue;
            }
            let start = out.len();
            for (&j, &t) in state.net.neighbours(iu).iter().zip(state.net.tie_ids(iu)) {
                if state.member[j as usize] && state.net.weight(t as usize) >= strong {
                    out.push((i, j));
                }
            }
            if out.len() - start < 2 {
                out.truncate(start);
            }
        }
    })
    .into_vec();
    let mut proposals: Vec<(u32, u32)> = Vec::new();
    for group in strong_of.chunk_by(|x, y| x.0 == y.0) {
        let x = below(&mut rng, group.len() as u64) as usize;
        let mut y = below(&mut rng, group.len() as u64 - 1) as usize;
        if y >= x {
            y += 1;
        }
        let (x, y) = (group[x].1, group[y].1);
        proposals.push((x.min(y), x.max(y)));
    }
    proposals.sort_unstable();
    proposals.dedup();
    let new_ties: Vec<TieSpec> = proposals
        .into_iter()
        .filter(|&(a, b)| !state.net.has_tie(a, b))
        .map(|(a, b)| TieSpec {
            a,
            b,
            weight: sc.ties.closure_weight as f32,
            person_dependent: false,
        })
        .collect();
    state.add_ties(&new_ties, &world.kind, &world.place);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::TestLcg;

    /// A random network of members and withdrawn organisations, some with improvers, some
    /// adopting, with balances already tilted both ways.
    fn tilted_state() -> State {
        let n = 400u32;
        let mut lcg = TestLcg(12345);
        let net = lcg.network(n, 2000);
        let mut next = move || lcg.draw();
        let mut s = State::new(net, 2, &[true, false], vec![0.0]);
        for i in 0..n {
            match next() % 4 {
                0 | 1 => s.set_staff(i as usize, 3, 1 + next() % 2),
                2 => s.set_staff(i as usize, 2, 0),
                _ => {}
            }
            if next() % 3 == 0 {
                s.start_trialling((next() % 2) as usize, i, 1, 5);
            }
        }
        for i in 0..n {
            if next() % 10 == 0 {
                s.set_member(i, false);
            }
        }
        for r in s.net.ties.reciprocity.iter_mut() {
            *r = (next() % 200) as f32 / 100.0 - 1.0;
        }
        s.recount_neighbourhoods();
        s.settle_staff_lists();
        s.check_sums().unwrap();
        s
    }

    /// Both ways of exchange move every balance and weight to the same bits, and leave
    /// every kept sum equal to its recount; the listed way gives the same sums, bit for
    /// bit, whether its decisions are sorted into ranges or applied in one pass.
    #[test]
    fn exchange_everywhere_matches_exchange_listed() {
        let start = tilted_state();
        let (mut listed, mut everywhere) = (start.clone(), start.clone());
        let mut ranged = start.clone();
        for _ in 0..5 {
            exchange_listed(&mut listed, 0.3, 0.2, false);
            exchange_listed(&mut ranged, 0.3, 0.2, true);
            exchange_everywhere(&mut everywhere, 0.3, 0.2);
            listed.check_sums().unwrap();
            everywhere.check_sums().unwrap();
        }
        let sums = |s: &State| -> Vec<u64> {
            s.giving
                .iter()
                .chain(&s.member_weight)
                .chain(&s.active_weight)
                .chain(&s.practices[0].adopting_weight)
                .chain(&s.practices[1].adopting_weight)
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(sums(&listed), sums(&ranged));
        let bits = |s: &State| -> (Vec<u32>, Vec<u32>) {
            (
                s.net.ties.reciprocity.iter().map(|r| r.to_bits()).collect(),
                s.net
                    .ties
                    .scaled_weight
                    .iter()
                    .map(|w| w.to_bits())
                    .collect(),
            )
        };
        assert_eq!(bits(&listed), bits(&everywhere));
        assert_ne!(bits(&listed), bits(&start), "exchange changed nothing");
        // Every organisation whose fraction moved is marked for the threshold rule.
        let marked = |s: &State| {
            let mut d = s.practices[0].dirty.clone();
            d.sort_unstable();
            d
        };
        let (l, e) = (marked(&listed), marked(&everywhere));
        assert!(l.iter().all(|i| e.binary_search(i).is_ok()));
    }
}
