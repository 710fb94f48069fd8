//! Practice adoption: the four contagion kernels of MODEL.md section 4 and their gates.
//!
//! Every kernel decides for all organisations from the state at the start of the
//! sub-model, then applies the adoptions in organisation order, so results do not depend
//! on visiting order. Work is proportional to what can change:
//! - threshold kernels re-examine only organisations whose neighbourhood changed (the
//!   frontier; at the first step also those whose threshold needs no adopting neighbour)
//!   and keep a pending list of those whose threshold is met but whose gates
//!   (improvers, commitment, membership) held them back;
//! - the independent cascade touches only neighbours of the last step's new adopters;
//! - Bass gives every eligible non-adopter a chance, since each has a non-zero hazard, but
//!   examines only candidates drawn at the largest hazard one can have (thinning).
//!
//! With the gates off (gate factor 1) a threshold kernel adopts without drawing, exactly
//! as the deterministic classic model; a cascade draws one uniform per exposed
//! organisation against 1 - prod(1 - p w), which is the classic independent cascade.

use crate::model::world::World;
use crate::model::Ctx;
use crate::rng::{Draws, Purpose};
use crate::scenario::{Gates, Kernel};

use super::state::{PracticeState, State, NONE};

/// Probability factor the gates put on `i` adopting practice `p`: 0 when it cannot adopt.
#[inline]
fn gate(
    world: &World,
    state: &State,
    p: usize,
    gates: &Gates,
    commitment_on: bool,
    i: usize,
) -> f64 {
    if !state.member[i] || !world.kind_allowed[p][world.kind[i] as usize] {
        return 0.0;
    }
    if state.active[i] < gates.min_active_improvers {
        return 0.0;
    }
    if gates.commitment_scaling && commitment_on {
        state.commitment[i]
    } else {
        1.0
    }
}

/// Runs the adoption rule of every practice for one step.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    let mut adopters: Vec<u32> = Vec::new();
    for (p, practice) in ctx.plan.scenario.practices.iter().enumerate() {
        adopters.clear();
        let mut draws = Draws::new(&ctx.key, Purpose::Adoption, p as u32, step);
        let gates = &practice.gates;
        let commitment_on = ctx.plan.scenario.commitment.enabled;
        let frontier = std::mem::take(&mut state.practices[p].fresh);
        match &practice.kernel {
            Kernel::FractionalThreshold { .. } | Kernel::AbsoluteThreshold { .. } => {
                if step == 1 {
                    mark_met_unexposed(world, state, p, &practice.kernel);
                }
                // Those still waiting from the last step, in index order (they were
                // decided in that order); the frontier adds the newly met after them.
                let waiting = state.practices[p].pending.len();
                examine_frontier(world, state, p, &practice.kernel);
                let ps = &mut state.practices[p];
                let mut pending = std::mem::take(&mut ps.pending);
                // Each waiting organisation draws against its gates, on all threads in
                // blocks; in index order the keyed draws follow each other in their stream
                // (a jump back refills the generator). The order changes nothing else: the
                // adopters are sorted below and the list is only ever read whole. Sorting
                // the new ones and merging two runs (which the stable sort finds) costs
                // far less than sorting the whole list afresh.
                pending[waiting..].sort_unstable();
                pending.sort();
                let decided = super::par::decide_listed(&pending, |block, out| {
                    let mut draws = Draws::new(&ctx.key, Purpose::Adoption, p as u32, step);
                    let ps = &state.practices[p];
                    for &i in block {
                        let iu = i as usize;
                        if ps.stage[iu] != NONE || !ps.is_pending[iu] {
                            continue;
                        }
                        let g = gate(world, state, p, gates, commitment_on, iu);
                        out.push((i, g >= 1.0 || (g > 0.0 && draws.uniform(i) < g)));
                    }
                });
                pending.clear();
                for &(i, adopts) in decided.iter() {
                    if adopts {
                        adopters.push(i);
                    } else {
                        pending.push(i);
                    }
                }
                let ps = &mut state.practices[p];
                for &i in &adopters {
                    ps.is_pending[i as usize] = false;
                }
                ps.pending = pending;
            }
            Kernel::IndependentCascade { probability } => {
                // log(1 - p w) summed over each exposed organisation's fresh neighbours.
                let mut exposure: Vec<(u32, f64)> = Vec::new();
                let ps = &state.practices[p];
                for &j in &frontier {
                    if !state.member[j as usize] {
                        continue;
                    }
                    for (&i, &t) in state
                        .net
                        .neighbours(j as usize)
                        .iter()
                        .zip(state.net.tie_ids(j as usize))
                    {
                        if ps.stage[i as usize] == NONE {
                            let pw = (probability * state.net.weight(t as usize)).min(1.0);
                            exposure.push((i, (1.0 - pw).ln()));
                        }
                    }
                }
                exposure.sort_by_key(|&(i, _)| i);
                let mut k = 0;
                while k < exposure.len() {
                    let i = exposure[k].0;
                    let mut log_miss = 0.0;
                    while k < exposure.len() && exposure[k].0 == i {
                        log_miss += exposure[k].1;
                        k += 1;
                    }
                    let g = gate(world, state, p, gates, commitment_on, i as usize);
                    if g > 0.0 && draws.uniform(i) < g * (1.0 - log_miss.exp()) {
                        adopters.push(i);
                    }
                }
            }
            Kernel::Bass {
                innovation,
                imitation,
            } => {
                // Every eligible non-adopter has a hazard, at most that of a non-adopter
                // whose member neighbours all adopt (the gate factor is at most 1): the pool
                // draws candidates at that bound, each kept with its own probability's
                // share (thinning, src/model/par.rs), so the work follows the adoptions.
                let ps = &state.practices[p];
                let pool = &world.pool[p];
                let dt = ctx.plan.dt;
                let bound = 1.0 - (-(innovation + imitation.max(0.0)) * dt).exp();
                adopters = super::par::events(
                    pool.len(),
                    bound,
                    |w| Draws::window(&ctx.key, Purpose::Adoption, p as u32, step, w),
                    |k| {
                        let i = pool[k] as usize;
                        if ps.stage[i] != NONE {
                            return 0.0;
                        }
                        let g = gate(world, state, p, gates, commitment_on, i).clamp(0.0, 1.0);
                        if g <= 0.0 {
                            return 0.0;
                        }
                        let f = ps.fraction(i, state.member_weight[i]).clamp(0.0, 1.0);
                        g * (1.0 - (-(innovation + imitation * f) * dt).exp())
                    },
                );
                for a in adopters.iter_mut() {
                    *a = pool[*a as usize];
                }
            }
        }
        adopters.sort_unstable();
        let due = step + ctx.dwell_steps[p];
        state.start_trialling_all(p, &adopters, step, due);
    }
}

/// Marks for examination the organisations whose threshold is met with no adopting
/// neighbour (a fractional threshold at or below 0, or an absolute threshold of 0
/// neighbours). Everyone else can only come to meet the threshold when a neighbour
/// changes, which marks them, so the first step need not examine every organisation.
fn mark_met_unexposed(world: &World, state: &mut State, p: usize, kernel: &Kernel) {
    let ps = &mut state.practices[p];
    match kernel {
        Kernel::FractionalThreshold { .. } => {
            for (i, &t) in world.threshold[p].iter().enumerate() {
                if t <= 0.0 {
                    ps.mark(i as u32);
                }
            }
        }
        Kernel::AbsoluteThreshold { neighbours: 0 } => {
            for &i in &world.pool[p] {
                ps.mark(i);
            }
        }
        _ => {}
    }
}

/// Re-examines the organisations whose neighbourhood changed and adds those whose
/// threshold is now met to the pending list (the newly met after those already waiting, in
/// any order: the caller sorts them).
fn examine_frontier(world: &World, state: &mut State, p: usize, kernel: &Kernel) {
    if state.practices[p].dirty.len() * SWEEP_SHARE >= state.n() {
        examine_everywhere(world, state, p, kernel);
    } else {
        examine_listed(world, state, p, kernel);
    }
}

/// [`examine_frontier`] one marked organisation after another, in the order marked.
fn examine_listed(world: &World, state: &mut State, p: usize, kernel: &Kernel) {
    let ps = &mut state.practices[p];
    let dirty = std::mem::take(&mut ps.dirty);
    let (view, is_dirty, is_pending, pending) =
        Frontier::split(world, &state.member_weight, p, kernel, ps);
    for &i in &dirty {
        let iu = i as usize;
        if view.examine(iu, &mut is_dirty[iu], &mut is_pending[iu]) {
            pending.push(i);
        }
    }
    // Reuse the allocation.
    let mut dirty = dirty;
    dirty.clear();
    if ps.dirty.is_empty() {
        ps.dirty = dirty;
    }
}

/// From one marked organisation in this many, the frontier is examined by a sweep of the
/// marks on all threads, in index order, instead of one by one in the order marked.
const SWEEP_SHARE: usize = 8;

/// [`examine_frontier`] of a large frontier: every block of organisations clears its own
/// marks and sets its own pending flags on all threads, and the newly met join the pending
/// list in index order. The same pending set as one by one.
fn examine_everywhere(world: &World, state: &mut State, p: usize, kernel: &Kernel) {
    use rayon::prelude::*;
    let ps = &mut state.practices[p];
    let (view, is_dirty, is_pending, pending) =
        Frontier::split(world, &state.member_weight, p, kernel, ps);
    let fresh: Vec<Vec<u32>> = is_dirty
        .par_chunks_mut(super::par::BLOCK)
        .zip(is_pending.par_chunks_mut(super::par::BLOCK))
        .enumerate()
        .map(|(b, (marks, flags))| {
            let start = b * super::par::BLOCK;
            let mut fresh = Vec::new();
            for (k, (mark, flag)) in marks.iter_mut().zip(flags.iter_mut()).enumerate() {
                if *mark && view.examine(start + k, mark, flag) {
                    fresh.push((start + k) as u32);
                }
            }
            fresh
        })
        .collect();
    for f in fresh {
        pending.extend(f);
    }
    ps.dirty.clear();
}

/// What examining a marked organisation reads (the practice's stages and adopting sums,
/// the member sums, the thresholds), borrowed apart from what it writes.
struct Frontier<'a> {
    world: &'a World,
    member_weight: &'a [f64],
    p: usize,
    kernel: &'a Kernel,
    stage: &'a [u8],
    adopting_weight: &'a [f64],
    adopting_count: &'a [u32],
}

impl<'a> Frontier<'a> {
    /// The view of practice `p` and what examining writes: its marks, pending flags and
    /// pending list.
    #[allow(clippy::type_complexity)]
    fn split(
        world: &'a World,
        member_weight: &'a [f64],
        p: usize,
        kernel: &'a Kernel,
        ps: &'a mut PracticeState,
    ) -> (Self, &'a mut [bool], &'a mut [bool], &'a mut Vec<u32>) {
        let PracticeState {
            is_dirty,
            is_pending,
            pending,
            stage,
            adopting_weight,
            adopting_count,
            ..
        } = ps;
        let view = Frontier {
            world,
            member_weight,
            p,
            kernel,
            stage,
            adopting_weight,
            adopting_count,
        };
        (view, is_dirty, is_pending, pending)
    }

    /// Examines marked organisation `i`: clears its `mark`, sets its `pending` flag to
    /// whether its threshold is met (one that no longer meets it leaves the pending list),
    /// and says whether it newly joins the list.
    #[inline]
    fn examine(&self, i: usize, mark: &mut bool, pending: &mut bool) -> bool {
        *mark = false;
        if self.stage[i] != NONE {
            return false;
        }
        let met = self.met(i);
        let newly = met && !*pending;
        *pending = met;
        newly
    }

    /// Whether `i`'s threshold is met.
    #[inline]
    fn met(&self, i: usize) -> bool {
        match self.kernel {
            Kernel::FractionalThreshold { .. } => {
                let w = self.member_weight[i];
                // Organisations without live ties to members never adopt by threshold.
                w > 0.0 && self.adopting_weight[i] / w >= self.world.threshold[self.p][i]
            }
            Kernel::AbsoluteThreshold { neighbours } => self.adopting_count[i] >= *neighbours,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::TestLcg;

    /// A random network with some adopters (whose neighbours are marked) and some
    /// organisations already pending, a few of which no longer meet their thresholds.
    fn marked_state(n: u32) -> (World, State) {
        let mut lcg = TestLcg(99);
        let net = lcg.network(n, 4 * n as usize);
        let mut next = move || lcg.draw();
        let mut state = State::new(net, 1, &[true], vec![0.0]);
        let world = World {
            n: n as usize,
            kind: vec![0; n as usize],
            place: vec![0; n as usize],
            staff: vec![10; n as usize],
            reach: vec![0.0; n as usize],
            reach_share: vec![0.0; n as usize],
            ids: None,
            kind_allowed: vec![vec![true]],
            threshold: vec![(0..n).map(|_| (next() % 60) as f64 / 100.0).collect()],
            pool: vec![(0..n).collect()],
            by_kind: vec![(0..n).collect()],
        };
        for i in 0..n {
            if next() % 7 == 0 {
                state.set_member(i, false);
            }
        }
        for i in 0..n {
            if next() % 5 == 0 {
                state.start_trialling(0, i, 1, 5);
            }
        }
        // Waiting organisations, some of which a withdrawal will leave below threshold.
        let ps = &mut state.practices[0];
        for i in 0..n {
            if ps.stage[i as usize] == NONE && next() % 9 == 0 {
                ps.pending.push(i);
                ps.is_pending[i as usize] = true;
            }
        }
        (world, state)
    }

    /// The sweep over the marks leaves the same pending set, flags and (cleared) marks as
    /// examining the marked one by one.
    #[test]
    fn sweeping_the_frontier_matches_examining_it_one_by_one() {
        let kernel = Kernel::FractionalThreshold {
            threshold: crate::scenario::Dist::Fixed(0.3),
        };
        let (world, start) = marked_state(3000);
        assert!(start.practices[0].dirty.len() * SWEEP_SHARE >= start.n());
        let (mut listed, mut swept) = (start.clone(), start);
        examine_listed(&world, &mut listed, 0, &kernel);
        examine_everywhere(&world, &mut swept, 0, &kernel);
        let (a, b) = (&mut listed.practices[0], &mut swept.practices[0]);
        assert!(a.dirty.is_empty() && b.dirty.is_empty());
        assert!(!a.is_dirty.iter().any(|&d| d) && !b.is_dirty.iter().any(|&d| d));
        assert_eq!(a.is_pending, b.is_pending);
        a.pending.sort_unstable();
        b.pending.sort_unstable();
        assert_eq!(a.pending, b.pending);
        assert!(
            a.pending.len() > 100,
            "too few pending to compare: {}",
            a.pending.len()
        );
    }
}
