//! Tie dynamics (MODEL.md section 7): decay without contact, reinforcement through shared
//! improvement work, reciprocity, triadic closure, and loss of person-dependent ties when
//! their person leaves.
//!
//! Contact is improvement work across the tie: a tie between two members that both have
//! active improvers is pulled towards full strength; every tie decays at the same rate,
//! which costs O(1) per step (the network's weight scale). Ties where exactly one side has
//! active improvers shift their reciprocity balance towards that side (it gives, the other
//! receives); ties where both do drift back to balance. Balances leaning one way are
//! worked out in closed form when read (src/model/balance.rs): each step visits only the
//! ties between two improvers.

use crate::model::world::World;
use crate::model::Ctx;
use crate::network::{prefetch, TieSpec, REMOVED, SHARED};
use crate::rng::{below, bernoulli_indices, Draws, Purpose};

use super::par;
use super::state::{giving_change, ExchangeBlock, State};

/// One step of tie dynamics.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let sc = &ctx.plan.scenario;
    let td = &sc.ties;
    let dt = ctx.plan.dt;
    if td.decay > 0.0 {
        state.decay_ties((-td.decay * dt).exp());
    }
    // Ties exchange when the run started them (src/model/mod.rs).
    if state.balances.is_on() {
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

/// Reinforcement and reciprocity: leaning balances move on in closed form (one end
/// improving; src/model/balance.rs), shared ties (both ends improving) step by step.
fn exchange(ctx: &Ctx, state: &mut State) {
    let td = &ctx.plan.scenario.ties;
    let pull = ctx.plan.per_step(td.reinforcement);
    let shift = ctx.plan.per_step(td.reciprocity_rate) as f32;
    state.advance_balances();
    exchange_shared(state, pull, shift);
}

/// Exchange on the ties between two improving members (flagged [`SHARED`]), found by a
/// pass over the flags, decided by fixed ranges of ties on all threads and applied in tie
/// order.
fn exchange_shared(state: &mut State, pull: f64, shift: f32) {
    use rayon::prelude::*;
    const TIES: usize = 1 << 16;
    // Each tie is decided once, and no decision reads another tie's balance or weight: the
    // decisions write both where they are stored, and keep what they add to the sums at
    // the ends for afterwards. The two arrays are taken out of the tie table meanwhile, so
    // the rest of the state is read as it was at the start.
    let mut balances = std::mem::take(&mut state.net.ties.reciprocity);
    let mut weights = std::mem::take(&mut state.net.ties.scaled_weight);
    let (balance, weight) = (par::cells(&mut balances), par::cells(&mut weights));
    let state_now: &State = state;
    let decided: Vec<ExchangeBlock> = state
        .net
        .ties
        .flags
        .par_chunks(TIES)
        .enumerate()
        .map(|(c, flags)| {
            let state = state_now;
            let ties = &state.net.ties;
            let mut out = ExchangeBlock::new(state, true);
            // The chunk's shared ties, found eight flags at a time (they are few among many).
            let mask = u64::from_ne_bytes([SHARED; 8]);
            let mut shared = Vec::new();
            let words = flags.chunks_exact(8);
            let rest = words.remainder();
            let mut note = |first: usize, eight: &[u8]| {
                for (k, &f) in eight.iter().enumerate() {
                    if f & SHARED != 0 {
                        shared.push(first + k);
                    }
                }
            };
            for (h, eight) in words.enumerate() {
                let word = u64::from_ne_bytes(eight.try_into().unwrap_or_default());
                if word & mask != 0 {
                    note(c * TIES + h * 8, eight);
                }
            }
            note(c * TIES + flags.len() - rest.len(), rest);
            for (h, &t) in shared.iter().enumerate() {
                // Shared ties are sparse in the tie table: ask for the ones ahead.
                if let Some(&u) = shared.get(h + 8) {
                    prefetch(ties.a.as_ptr().wrapping_add(u));
                    prefetch(ties.b.as_ptr().wrapping_add(u));
                    prefetch(balance.as_ptr().wrapping_add(u));
                    prefetch(weight.as_ptr().wrapping_add(u));
                }
                let ends = [ties.a[t], ties.b[t]];
                let r = par::get(&balance[t]);
                let next = towards_balance(r, shift);
                let old = par::get(&weight[t]);
                // In f32 the balance stops short of 0 once a shift rounds away; such a tie
                // no longer changes giving.
                if next != r {
                    out.push_giving(ends, giving_change(old, r, next));
                    par::set(&balance[t], next);
                }
                if pull > 0.0 {
                    let new = pulled(old, state.net.scale, pull);
                    out.push_pull(ends, next, old, new);
                    par::set(&weight[t], new);
                }
            }
            out
        })
        .collect();
    state.net.ties.reciprocity = balances;
    state.net.ties.scaled_weight = weights;
    state.apply_exchange(&decided);
}

/// A shared tie's reciprocity balance after one step of exchange: both ends give, so it
/// moves `shift` of the way back to balance (leaning ones move in closed form,
/// src/model/balance.rs).
#[inline]
fn towards_balance(r: f32, shift: f32) -> f32 {
    r + shift * (0.0 - r)
}

/// A tie's stored (scaled) weight after one step of shared improvement work across it:
/// its weight `w` moves `pull` of the way to full strength, stored as
/// `Network::set_weight` stores it.
#[inline]
fn pulled(scaled: f32, scale: f64, pull: f64) -> f32 {
    let w = scaled as f64 * scale;
    ((w + pull * (1.0 - w)) / scale) as f32
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
    // Each proposal's rows are scattered: many are looked up on all threads, kept in order.
    use rayon::prelude::*;
    let untied = |&(a, b): &(u32, u32)| !state.net.has_tie(a, b);
    let untied: Vec<(u32, u32)> = if proposals.len() >= 1024 {
        proposals.into_par_iter().filter(untied).collect()
    } else {
        proposals.into_iter().filter(untied).collect()
    };
    let new_ties: Vec<TieSpec> = untied
        .into_iter()
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
    use crate::model::balance::Mode;
    use crate::network::TestLcg;

    /// A random network of members and withdrawn organisations, some with improvers, some
    /// adopting, with balances already tilted both ways, its ties exchanging with `shift`.
    fn tilted_state(shift: f64) -> State {
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
        s.recount_giving();
        s.start_exchange(shift);
        s.settle_staff_lists();
        s.check_sums().unwrap();
        s
    }

    /// Balances kept in closed form (leaning ties) and moved step by step (shared ties)
    /// follow every tie's balance moved step by step, through 60 steps of changes of
    /// staff (one by one and many at once), membership, ties and weights; every kept sum
    /// (giving in its two parts, the weight sums, the shared flags) equals its recount
    /// after each.
    #[test]
    fn closed_form_balances_follow_step_by_step() {
        let shift = 0.2;
        let mut s = tilted_state(shift);
        let mut lcg = TestLcg(99);
        let mut eager: Vec<f64> = s.net.ties.reciprocity.iter().map(|&r| r as f64).collect();
        let (mut crossed, mut leaning) = (0, 0);
        for step in 0..60 {
            for (t, r) in eager.iter_mut().enumerate() {
                let (a, b) = (s.net.ties.a[t] as usize, s.net.ties.b[t] as usize);
                if s.net.ties.flags[t] & REMOVED != 0 || !s.member[a] || !s.member[b] {
                    continue;
                }
                let target = match (s.active[a] > 0, s.active[b] > 0) {
                    (true, true) => 0.0,
                    (true, false) => 1.0,
                    (false, true) => -1.0,
                    (false, false) => continue,
                };
                let before = *r;
                *r += shift * (target - *r);
                crossed += (before < 0.0 && *r >= 0.0 || before > 0.0 && *r <= 0.0) as u32;
            }
            s.advance_balances();
            exchange_shared(&mut s, 0.3, shift as f32);
            s.check_sums().unwrap();
            for (t, &r) in eager.iter().enumerate() {
                if s.net.ties.flags[t] & REMOVED == 0 {
                    let kept = s.balance(t) as f64;
                    assert!((kept - r).abs() < 1e-5, "step {step} tie {t}: {kept} {r}");
                }
            }
            leaning += (0..eager.len())
                .filter(|&t| matches!(s.tie_mode(t), Mode::Leaning { .. }))
                .count();
            // Changes of standing and ties between steps.
            let n = s.n() as u32;
            let mut many: Vec<u32> = (0..30).map(|_| lcg.draw() % n).collect();
            many.sort_unstable();
            many.dedup();
            let changes: Vec<(u32, u32, u32)> = many
                .iter()
                .map(|&i| {
                    let active = lcg.draw() % 3;
                    (i, active + lcg.draw() % 2, active)
                })
                .collect();
            s.set_staff_all(&changes);
            s.check_sums().unwrap();
            let i = (lcg.draw() % n) as usize;
            s.set_staff(i, 2, (s.active[i] == 0) as u32);
            let i = lcg.draw() % n;
            s.set_member(i, !s.member[i as usize]);
            s.check_sums().unwrap();
            let live: Vec<u32> = (0..s.net.ties.len() as u32)
                .filter(|&t| s.net.ties.flags[t as usize] & REMOVED == 0)
                .collect();
            let t = live[(lcg.draw() as usize) % live.len()];
            s.remove_tie(t);
            let t = live[(lcg.draw() as usize) % live.len()];
            if s.net.ties.flags[t as usize] & REMOVED == 0 {
                s.set_tie_weight(t, 0.1 + (lcg.draw() % 80) as f64 / 100.0);
            }
            let (a, b) = (lcg.draw() % n, lcg.draw() % n);
            if a != b && !s.net.has_tie(a.min(b), a.max(b)) {
                let spec = TieSpec {
                    a: a.min(b),
                    b: a.max(b),
                    weight: 0.5,
                    person_dependent: false,
                };
                s.add_tie(spec, &[], &[]);
                eager.push(0.0);
            }
            s.settle_staff_lists();
            s.check_sums().unwrap();
        }
        assert!(
            crossed > 50 && leaning > 10_000,
            "{crossed} crossings, {leaning} leaning"
        );
    }

    /// Exchange on the shared ties gives the same bits on any number of threads.
    #[test]
    fn shared_exchange_is_the_same_bits_on_any_thread_count() {
        let start = tilted_state(0.2);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut s = start.clone();
            pool.install(|| {
                for _ in 0..5 {
                    s.advance_balances();
                    exchange_shared(&mut s, 0.3, 0.2);
                }
            });
            s.check_sums().unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            (
                bits(&s.giving),
                bits(&s.balances.decaying),
                bits(&s.member_weight),
                bits(&s.active_weight),
                bits(&s.practices[0].adopting_weight),
                s.net
                    .ties
                    .reciprocity
                    .iter()
                    .map(|r| r.to_bits())
                    .collect::<Vec<u32>>(),
                s.net
                    .ties
                    .scaled_weight
                    .iter()
                    .map(|w| w.to_bits())
                    .collect::<Vec<u32>>(),
            )
        };
        let one = run(1);
        assert_eq!(one, run(3));
        assert_ne!(
            one.5,
            start
                .net
                .ties
                .reciprocity
                .iter()
                .map(|r| r.to_bits())
                .collect::<Vec<u32>>()
        );
    }
}
