//! The dynamic state of one run (struct of arrays) and the operations that change it.
//!
//! Sub-models never edit the arrays behind these operations' backs: every change of a
//! practice stage, membership or tie goes through a method here, which keeps the derived
//! neighbourhood sums (weight of ties to member neighbours, and to adopting member
//! neighbours of each practice) exact and marks the organisations whose neighbourhood
//! changed, so threshold rules re-examine only those (work proportional to change).
//!
//! Sums are kept in the network's scaled weight units, so uniform tie decay leaves them and
//! every weighted fraction unchanged.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU32;

use crate::network::{prefetch, Network, TieSpec, REMOVED, SHARED};

use super::balance::{Balances, Due, Mode, Share};
use super::par;

/// Practice stage of an organisation.
pub const NONE: u8 = 0;
pub const TRIALLING: u8 = 1;
pub const EMBEDDED: u8 = 2;
pub const DISCONTINUED: u8 = 3;

/// An organisation's [`State::standing`]: withdrawn from the network, a member, or a
/// member with active improvers.
pub const WITHDRAWN: u8 = 0;
pub const MEMBER: u8 = 1;
pub const IMPROVING: u8 = 2;

/// The standing of an organisation with membership `member` and `active` improvers.
#[inline]
fn standing(member: bool, active: u32) -> u8 {
    match (member, active > 0) {
        (false, _) => WITHDRAWN,
        (true, false) => MEMBER,
        (true, true) => IMPROVING,
    }
}

/// Whether a stage counts as adopting (trialling or embedded).
#[inline]
pub fn adopting(stage: u8) -> bool {
    stage == TRIALLING || stage == EMBEDDED
}

/// One practice's state across organisations.
#[derive(Debug, Clone)]
pub struct PracticeState {
    pub stage: Vec<u8>,
    /// Step of the last stage change.
    pub since: Vec<u32>,
    /// Scaled weight of live ties to adopting member neighbours.
    pub adopting_weight: Vec<f64>,
    /// Number of adopting member neighbours.
    pub adopting_count: Vec<u32>,
    /// Adopters not yet seen by the adoption rule (the cascade frontier), in the order made.
    pub fresh: Vec<u32>,
    /// Threshold rules only: organisations whose neighbourhood changed since last examined.
    pub dirty: Vec<u32>,
    pub is_dirty: Vec<bool>,
    /// Threshold rules only: threshold met, not adopted yet (waiting on gates).
    pub pending: Vec<u32>,
    pub is_pending: Vec<bool>,
    /// (step due, organisation): trialling organisations in order of embedding.
    pub due: VecDeque<(u32, u32)>,
    pub trialling: u32,
    pub embedded: u32,
    pub discontinued: u32,
    /// Whether threshold bookkeeping (dirty, pending) is kept.
    pub tracks_dirty: bool,
}

impl PracticeState {
    pub fn new(n: usize, tracks_dirty: bool) -> Self {
        PracticeState {
            stage: vec![NONE; n],
            since: vec![0; n],
            adopting_weight: vec![0.0; n],
            adopting_count: vec![0; n],
            fresh: Vec::new(),
            // Nobody needs examining before something changes, except organisations whose
            // threshold is met with no adopting neighbour: the adoption rule adds those at
            // its first step (it knows the thresholds).
            dirty: Vec::new(),
            is_dirty: vec![false; if tracks_dirty { n } else { 0 }],
            pending: Vec::new(),
            is_pending: vec![false; if tracks_dirty { n } else { 0 }],
            due: VecDeque::new(),
            trialling: 0,
            embedded: 0,
            discontinued: 0,
            tracks_dirty,
        }
    }

    #[inline]
    pub fn mark(&mut self, i: u32) {
        if self.tracks_dirty && !self.is_dirty[i as usize] {
            self.is_dirty[i as usize] = true;
            self.dirty.push(i);
        }
    }

    /// Weighted fraction of `i`'s member neighbours that are adopting (0 without ties).
    #[inline]
    pub fn fraction(&self, i: usize, member_weight: f64) -> f64 {
        if member_weight > 0.0 {
            self.adopting_weight[i] / member_weight
        } else {
            0.0
        }
    }
}

/// Ranges of organisations, and of ties, by which the exchange decisions of a step are
/// applied, one task each. A fixed number, so the result never depends on the threads.
pub const EXCHANGE_RANGES: usize = 64;

/// The narrowest range of organisations: below it a range's bookkeeping (its slices of the
/// sums, its lists) costs more than its share of the work, and a small world is better
/// served by one range (small runs in a sweep take many steps each). Unit tests use narrow
/// ranges so that small worlds still exercise many.
const MIN_RANGE_WIDTH: usize = if cfg!(test) { 1 << 4 } else { 1 << 12 };

/// The range (of [`EXCHANGE_RANGES`] at most) that index `x` of `len` falls in is `x >> shift`
/// with this `shift`: ranges a power of two wide, so that sorting a decision into its range
/// costs a shift, not a division. How the indices are split into ranges changes no sum:
/// each still receives its additions in the same order.
#[inline]
fn range_shift(len: usize, ranges: usize) -> u32 {
    len.div_ceil(ranges)
        .max(MIN_RANGE_WIDTH)
        .next_power_of_two()
        .trailing_zeros()
}

/// How many ranges of `1 << shift` indices cover `len` (at least one).
#[inline]
fn range_count(len: usize, shift: u32) -> usize {
    len.div_ceil(1 << shift).max(1)
}

/// From this many tie entries, the neighbourhood sums of a step's new adopters are updated
/// on all threads ([`State::start_trialling_all`]).
pub const PARALLEL_SPREAD: usize = 1 << 15;

/// From this many ties made or removed at once, what they add to or take from the sums at
/// their ends is worked out on all threads ([`State::account_ties`]).
pub const PARALLEL_TIE_CHANGES: usize = 1 << 11;

/// One block of exchange decisions (src/model/ties.rs): what the block's new balances add
/// to giving sums and what its pulled weights add to the sums at their ends (the balances
/// and weights themselves are written where they are stored as they are decided: each tie
/// is decided once, and no decision reads another tie), sorted by range of organisations,
/// each range in decision order, so that [`State::apply_exchange`] reads every decision
/// once and adds to every sum in decision order on any number of threads.
#[derive(Debug, Clone)]
pub struct ExchangeBlock {
    /// Organisations per range: `1 << org_shift`.
    org_shift: u32,
    giving: Vec<Vec<(u32, f64)>>,
    /// Per end of a pulled tie: the end, the other end, what the tie's scaled weight
    /// gains, and how far the end gives over the tie after its new balance.
    pulls: Vec<Vec<Pull>>,
    /// Whether every pulled weight is exactly 1.
    unit: bool,
}

/// What a change of a tie's weight adds at one end: a pulled tie's gain (see
/// [`ExchangeBlock`]) or a removed tie's loss ([`State::remove_ties`]).
#[derive(Debug, Clone, Copy)]
struct Pull {
    end: u32,
    other: u32,
    delta: f64,
    gives: f64,
}

impl Pull {
    /// The change `delta` of the scaled weight of a tie with ends `[a, b]` and reciprocity
    /// balance `balance`, at `a` and then at `b`, each with how far it gives over the tie.
    #[inline]
    fn at_both_ends([a, b]: [u32; 2], delta: f64, balance: f32) -> [Pull; 2] {
        let r = balance as f64;
        [(a, b, r.max(0.0)), (b, a, (-r).max(0.0))].map(|(end, other, gives)| Pull {
            end,
            other,
            delta,
            gives,
        })
    }
}

impl ExchangeBlock {
    /// An empty block for the exchange of `state`, sorted into [`EXCHANGE_RANGES`] ranges
    /// when `parallel`, else into one (a small exchange is applied in one pass: sorting it
    /// would cost more than it saves). Every block of a step must agree; the result is the
    /// same bits either way.
    pub fn new(state: &State, parallel: bool) -> Self {
        let org_shift = range_shift(state.n(), if parallel { EXCHANGE_RANGES } else { 1 });
        let ranges = range_count(state.n(), org_shift);
        ExchangeBlock {
            org_shift,
            giving: vec![Vec::new(); ranges],
            pulls: vec![Vec::new(); ranges],
            unit: true,
        }
    }

    /// Notes that a tie between two improving members, `ends` its `a` and `b`, with
    /// balance `balance` after this step, moved from scaled weight `old` to `new`.
    #[inline]
    pub fn push_pull(&mut self, ends: [u32; 2], balance: f32, old: f32, new: f32) {
        self.unit &= new == 1.0;
        for pull in Pull::at_both_ends(ends, new as f64 - old as f64, balance) {
            self.pulls[pull.end as usize >> self.org_shift].push(pull);
        }
    }

    /// Notes what a tie's new balance adds to the giving of its ends: `ends` its `a` and
    /// `b`, `change` from [`giving_change`].
    #[inline]
    pub fn push_giving(&mut self, ends: [u32; 2], change: [f64; 2]) {
        for (x, d) in ends.into_iter().zip(change) {
            // Adding zero changes no sum (giving is never -0.0), and most balances move
            // only one end's giving.
            if d != 0.0 {
                self.giving[x as usize >> self.org_shift].push((x, d));
            }
        }
    }
}

/// One block of [`State::restand`]'s decisions: the changes of giving sorted by range of
/// organisations, each range in decision order; the checks for crossings to queue; the
/// ties that became shared or stopped being shared.
struct Restanding {
    /// What the changed organisations add to their neighbours' improving weight, by range
    /// (empty unless asked for).
    improving: Vec<Vec<(u32, f64)>>,
    changes: Vec<Vec<(u32, Share)>>,
    checks: Vec<(u32, u32)>,
    sharing: Vec<(u32, bool)>,
}

impl Restanding {
    /// An empty block, with room for `each` entries in each of `count` ranges (and ranges
    /// for the improving weight when `improving`), so that the lists do not grow by
    /// doubling and copying themselves.
    fn new(count: usize, each: usize, improving: bool) -> Restanding {
        Restanding {
            improving: (0..if improving { count } else { 0 })
                .map(|_| Vec::with_capacity(each))
                .collect(),
            changes: (0..count).map(|_| Vec::with_capacity(each)).collect(),
            checks: Vec::new(),
            sharing: Vec::new(),
        }
    }

    /// Moves tie `t` (ends `ends`, lower first, members or not as `members`) from mode
    /// `from` to `to` in the cells of its stored balance and anchor, noting what that does
    /// to its ends' giving (by range, `>> shift`) and what to queue or flag.
    #[inline]
    fn move_tie(
        &mut self,
        balances: &Balances,
        (t, w, ends, members): (u32, f32, [u32; 2], [bool; 2]),
        (from, to): (Mode, Mode),
        (stored_at, anchor_at): (&[AtomicU32], &[AtomicU32]),
        shift: u32,
    ) {
        use std::sync::atomic::Ordering::Relaxed;
        let tu = t as usize;
        let tr = balances.transition(
            from,
            to,
            par::get(&stored_at[tu]),
            anchor_at[tu].load(Relaxed),
            w as f64,
            members,
        );
        par::set(&stored_at[tu], tr.balance);
        anchor_at[tu].store(balances.clock, Relaxed);
        for (x, change) in ends.into_iter().zip(tr.change) {
            if !change.is_zero() {
                self.changes[x as usize >> shift].push((x, change));
            }
        }
        if let Some(at) = tr.check_at {
            self.checks.push((t, at));
        }
        if let Some(shared) = tr.sharing {
            self.sharing.push((t, shared));
        }
    }
}

/// What moving a tie of scaled weight `weight` from balance `old` to `new` adds to the
/// giving of its two ends (lower end first).
#[inline]
pub fn giving_change(weight: f32, old: f32, new: f32) -> [f64; 2] {
    let (w, old, new) = (weight as f64, old as f64, new as f64);
    [
        w * (new.max(0.0) - old.max(0.0)),
        w * ((-new).max(0.0) - (-old).max(0.0)),
    ]
}

/// For each block of `orgs` (on all threads): the entries of the rows of the organisations
/// `included`, sorted by the range of the neighbour (`neighbour >> shift`, of
/// [`EXCHANGE_RANGES`]), each range in row order, as `(neighbour, value(organisation,
/// tie's scaled weight))`. Applying each range's entries in block order then gives every
/// neighbour its additions in the same order as one organisation after another. With
/// unit weights the weight is 1 without a look-up in the tie table.
fn by_neighbour_range<T: Send>(
    net: &Network,
    orgs: &[u32],
    shift: u32,
    included: impl Fn(usize) -> bool + Sync,
    value: impl Fn(usize, f32) -> T + Sync,
) -> Vec<Vec<Vec<(u32, T)>>> {
    use rayon::prelude::*;
    let weights = &net.ties.scaled_weight;
    let count = range_count(net.len.len(), shift);
    orgs.par_chunks(super::par::LIST_BLOCK)
        .map(|block| {
            let entries = net.entries(block);
            let mut ranges: Vec<Vec<(u32, T)>> = (0..count)
                .map(|_| Vec::with_capacity(entries / count * 5 / 4 + 8))
                .collect();
            for (n, &i) in block.iter().enumerate() {
                // The weights are scattered over the tie table: ask for them ahead.
                if !net.unit_weights {
                    net.ask_ahead(block, n, |_, t| {
                        prefetch(weights.as_ptr().wrapping_add(t as usize))
                    });
                }
                let i = i as usize;
                if !included(i) {
                    continue;
                }
                for (&j, &t) in net.neighbours(i).iter().zip(net.tie_ids(i)) {
                    let w = if net.unit_weights {
                        1.0
                    } else {
                        weights[t as usize]
                    };
                    ranges[j as usize >> shift].push((j, value(i, w)));
                }
            }
            ranges
        })
        .collect()
}

/// One range of organisations' slices of every kept neighbourhood sum (member, giving,
/// improving, and each practice's adopting weight) and of each practice's threshold marks:
/// what a pass that rewrites the sums on all threads hands to each task.
struct SumRows<'a> {
    member_weight: &'a mut [f64],
    giving: &'a mut [f64],
    active_weight: &'a mut [f64],
    adopting: Vec<&'a mut [f64]>,
    adopting_count: Vec<&'a mut [u32]>,
    /// Empty for practices without threshold marks.
    is_dirty: Vec<&'a mut [bool]>,
}

impl<'a> SumRows<'a> {
    /// The sums split into ranges of `width` organisations, with each practice's stages
    /// (read only) and whether it keeps threshold marks.
    #[allow(clippy::type_complexity)]
    fn split(
        member_weight: &'a mut [f64],
        giving: &'a mut [f64],
        active_weight: &'a mut [f64],
        practices: &'a mut [PracticeState],
        width: usize,
    ) -> (Vec<SumRows<'a>>, Vec<&'a [u8]>, Vec<bool>) {
        let tracked: Vec<bool> = practices.iter().map(|ps| ps.tracks_dirty).collect();
        let mut rows: Vec<SumRows> = member_weight
            .chunks_mut(width)
            .zip(giving.chunks_mut(width))
            .zip(active_weight.chunks_mut(width))
            .map(|((member_weight, giving), active_weight)| SumRows {
                member_weight,
                giving,
                active_weight,
                adopting: Vec::with_capacity(tracked.len()),
                adopting_count: Vec::with_capacity(tracked.len()),
                is_dirty: Vec::with_capacity(tracked.len()),
            })
            .collect();
        let mut stages: Vec<&[u8]> = Vec::with_capacity(tracked.len());
        for ps in practices.iter_mut() {
            stages.push(&ps.stage);
            let mut dirty = ps.is_dirty.chunks_mut(width);
            let counts = ps.adopting_count.chunks_mut(width);
            for ((r, aw), ac) in rows
                .iter_mut()
                .zip(ps.adopting_weight.chunks_mut(width))
                .zip(counts)
            {
                r.adopting.push(aw);
                r.adopting_count.push(ac);
                r.is_dirty.push(dirty.next().unwrap_or_default());
            }
        }
        (rows, stages, tracked)
    }

    /// Asks for the sums of `end` (in this range, which starts at organisation `lo`) ahead
    /// of [`SumRows::add`]: a range's sums are too many to stay in cache, and the ends
    /// are scattered over them.
    #[inline]
    fn ask(&self, lo: usize, end: u32) {
        let k = end as usize - lo;
        prefetch(self.member_weight.as_ptr().wrapping_add(k));
        prefetch(self.giving.as_ptr().wrapping_add(k));
        prefetch(self.active_weight.as_ptr().wrapping_add(k));
        for p in 0..self.adopting.len() {
            prefetch(self.adopting[p].as_ptr().wrapping_add(k));
            if let Some(d) = self.is_dirty.get(p).filter(|d| !d.is_empty()) {
                prefetch(d.as_ptr().wrapping_add(k));
            }
        }
    }

    /// Adds what a change of a tie's weight (`pull`, at an end in this range, which starts
    /// at organisation `lo`) brings to the end's sums: member weight, giving, improving
    /// weight when the other end `improves`, and each practice's adopting weight and count
    /// (by `count`) where the other end adopts; marks the end for the threshold rules
    /// (newly marked ends go to `marked`, per practice).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn add(
        &mut self,
        lo: usize,
        pull: &Pull,
        improves: bool,
        count: i32,
        stages: &[&[u8]],
        tracked: &[bool],
        marked: &mut [Vec<u32>],
    ) {
        let (k, y) = (pull.end as usize - lo, pull.other as usize);
        self.member_weight[k] += pull.delta;
        self.giving[k] += pull.delta * pull.gives;
        if improves {
            self.active_weight[k] += pull.delta;
        }
        for (p, stage) in stages.iter().enumerate() {
            if adopting(stage[y]) {
                self.adopting[p][k] += pull.delta;
                if count != 0 {
                    self.adopting_count[p][k] =
                        self.adopting_count[p][k].wrapping_add_signed(count);
                }
            }
            if tracked[p] && !self.is_dirty[p][k] {
                self.is_dirty[p][k] = true;
                marked[p].push(pull.end);
            }
        }
    }

    /// [`SumRows::add`] of every pull of `pulls` in order, the other end improving where
    /// `active` says so (every other end improves without it); the ends' sums and the other
    /// ends' stages (and counts of improvers) are scattered, so they are asked for ahead.
    #[allow(clippy::too_many_arguments)]
    fn add_each(
        &mut self,
        lo: usize,
        pulls: &[Pull],
        active: Option<&[u32]>,
        count: i32,
        stages: &[&[u8]],
        tracked: &[bool],
        marked: &mut [Vec<u32>],
    ) {
        for (h, pull) in pulls.iter().enumerate() {
            if let Some(ahead) = pulls.get(h + 8) {
                self.ask(lo, ahead.end);
                let y = ahead.other as usize;
                if let Some(active) = active {
                    prefetch(active.as_ptr().wrapping_add(y));
                }
                for stage in stages {
                    prefetch(stage.as_ptr().wrapping_add(y));
                }
            }
            let improves = active.is_none_or(|a| a[pull.other as usize] > 0);
            self.add(lo, pull, improves, count, stages, tracked, marked);
        }
    }

    /// Adds the organisations marked by each range (per practice, ranges in order) to the
    /// practices' lists of organisations to re-examine.
    fn note_marked(practices: &mut [PracticeState], marked: Vec<Vec<Vec<u32>>>) {
        for part in marked {
            for (ps, list) in practices.iter_mut().zip(part) {
                ps.dirty.extend(list);
            }
        }
    }
}

/// A list of organisations in index order, changed in batches: changes of presence are
/// noted as they happen and merged in one pass when the list is next read (inserting each
/// into the middle of a long list would move the list once per change).
#[derive(Debug, Clone, Default)]
pub struct OrgList {
    list: Vec<u32>,
    /// Organisations whose presence changed since the last merge (may repeat).
    changed: Vec<u32>,
    /// The previous list's memory, reused by the next merge.
    spare: Vec<u32>,
}

impl OrgList {
    /// Notes that `i`'s presence may have changed.
    #[inline]
    pub fn note(&mut self, i: u32) {
        self.changed.push(i);
    }

    /// Merges the noted changes: `present` says who belongs now.
    pub fn settle(&mut self, present: impl Fn(u32) -> bool) -> &[u32] {
        if !self.changed.is_empty() {
            let mut changed = std::mem::take(&mut self.changed);
            changed.sort_unstable();
            changed.dedup();
            let mut merged = std::mem::take(&mut self.spare);
            merged.clear();
            merged.reserve(self.list.len() + changed.len());
            let mut old = self.list.iter().copied().peekable();
            for &c in &changed {
                while let Some(&o) = old.peek() {
                    if o >= c {
                        break;
                    }
                    merged.push(o);
                    old.next();
                }
                if old.peek() == Some(&c) {
                    old.next();
                }
                if present(c) {
                    merged.push(c);
                }
            }
            merged.extend(old);
            self.spare = std::mem::replace(&mut self.list, merged);
            changed.clear();
            self.changed = changed;
        }
        &self.list
    }

    /// The list as merged so far (call [`OrgList::settle`] first).
    pub fn settled(&self) -> &[u32] {
        debug_assert!(self.changed.is_empty());
        &self.list
    }
}

/// Visits, on all threads, each organisation of `orgs` (distinct, in index order) with its
/// stage and start in one practice and its progress, as `visit(org, stage, since,
/// progress, block's result)`; the blocks' results in list order. Each block of the list
/// has its own slice of the three arrays ([`par::split_listed`]), so no two tasks share
/// an element.
fn visit_listed<T: Send + Default>(
    (stage, since, progress): (&mut [u8], &mut [u32], &mut [f64]),
    orgs: &[u32],
    visit: impl Fn(u32, &mut u8, &mut u32, &mut f64, &mut T) + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let stage = par::split_listed(stage, orgs, |&i| i);
    let since = par::split_listed(since, orgs, |&i| i);
    let progress = par::split_listed(progress, orgs, |&i| i);
    orgs.par_chunks(par::LIST_BLOCK)
        .zip(stage)
        .zip(since)
        .zip(progress)
        .map(|(((block, (lo, stage)), (_, since)), (_, progress))| {
            let mut out = T::default();
            for &i in block {
                let k = i as usize - lo;
                visit(i, &mut stage[k], &mut since[k], &mut progress[k], &mut out);
            }
            out
        })
        .collect()
}

/// The whole dynamic state of one run.
#[derive(Debug, Clone)]
pub struct State {
    pub net: Network,
    pub member: Vec<bool>,
    /// Per organisation, what tie exchange reads of every neighbour, in one byte:
    /// [`WITHDRAWN`], [`MEMBER`] or [`IMPROVING`] (a member with active improvers).
    pub standing: Vec<u8>,
    pub members: u32,
    /// Scaled weight of live ties to member neighbours.
    pub member_weight: Vec<f64>,
    /// Trained staff, active improvers included (changed only through
    /// [`State::set_staff`], which keeps the totals).
    pub trained: Vec<u32>,
    /// Active improvers.
    pub active: Vec<u32>,
    /// Scaled weight of live ties to member neighbours with active improvers: the
    /// relational support of training to doing (src/model/training.rs).
    pub active_weight: Vec<f64>,
    /// Totals of `trained` and `active` over all organisations.
    pub trained_total: u64,
    pub active_total: u64,
    /// Organisations with trained staff, and with active improvers, in index order (the
    /// rules that concern them visit only these).
    pub with_trained: OrgList,
    pub with_active: OrgList,
    pub commitment: Vec<f64>,
    pub alignment: Vec<f64>,
    pub expectation: Vec<f64>,
    pub resistance: Vec<f64>,
    pub practices: Vec<PracticeState>,
    /// Inactive people per place.
    pub inactive: Vec<f64>,
    /// Live person-dependent ties (removed ones are dropped after each turnover pass).
    pub person_ties: Vec<u32>,
    /// Scaled weight of ties to member neighbours times how far this organisation gives
    /// more than it receives over each (0 when balanced or receiving): the constant part,
    /// read with the decaying part in `balances` ([`State::giving_now`]).
    pub giving: Vec<f64>,
    /// Reciprocity balances in closed form: the clock, anchors, decaying parts of giving,
    /// crossings and shared ties (src/model/balance.rs).
    pub balances: Balances,
    /// One bit per organisation, set only during [`State::restand`].
    flipping: Vec<u64>,
    /// Progress numerator: per practice 1/2 when trialling, 1 when embedded.
    pub progress_sum: Vec<f64>,
    /// The part of each organisation's commitment rate that changes only at events (its
    /// progress, expectation, alignment, resistance): kept by src/model/commitment.rs.
    pub drift: Vec<f64>,
    /// Organisations whose drift is out of date (an event changed one of its inputs);
    /// may hold repeats. The commitment update refreshes them first.
    pub stale_drift: Vec<u32>,
    /// What interventions left behind: governance mode, costs, timed effects.
    pub programme: crate::intervention::Programme,
    /// The embedded practices' reach per place, kept by [`State::embed`] and
    /// [`State::discontinue`] (empty, and never changing, until the run sets it up).
    pub reach: super::outcome::Reach,
}

impl State {
    /// A state with everyone a member, nothing adopted, nobody trained.
    pub fn new(
        net: Network,
        practices: usize,
        threshold_rules: &[bool],
        inactive: Vec<f64>,
    ) -> State {
        let n = net.n;
        // With unit weights (imported plain edge lists) the sum is the degree, exactly,
        // and needs no random access to the tie table.
        let unit = net.unit_weights;
        let member_weight = (0..n)
            .map(|i| {
                if unit {
                    net.degree(i) as f64
                } else {
                    net.tie_ids(i)
                        .iter()
                        .map(|&t| net.ties.scaled_weight[t as usize] as f64)
                        .sum()
                }
            })
            .collect();
        State {
            member: vec![true; n],
            standing: vec![MEMBER; n],
            members: n as u32,
            member_weight,
            trained: vec![0; n],
            active: vec![0; n],
            active_weight: vec![0.0; n],
            trained_total: 0,
            active_total: 0,
            with_trained: OrgList::default(),
            with_active: OrgList::default(),
            commitment: vec![1.0; n],
            alignment: vec![1.0; n],
            expectation: vec![0.0; n],
            resistance: vec![0.0; n],
            practices: (0..practices)
                .map(|p| PracticeState::new(n, threshold_rules[p]))
                .collect(),
            inactive,
            person_ties: (0..net.ties.len() as u32)
                .filter(|&t| {
                    let f = net.ties.flags[t as usize];
                    f & crate::network::PERSON_DEPENDENT != 0 && f & crate::network::REMOVED == 0
                })
                .collect(),
            giving: vec![0.0; n],
            balances: Balances::off(n),
            flipping: vec![0; n.div_ceil(64)],
            progress_sum: vec![0.0; n],
            drift: vec![0.0; n],
            stale_drift: Vec::new(),
            programme: crate::intervention::Programme::default(),
            reach: Default::default(),
            net,
        }
    }

    pub fn n(&self) -> usize {
        self.net.n
    }

    /// Merges the changes of the lists of organisations with trained staff and improvers.
    pub fn settle_staff_lists(&mut self) {
        let (trained, active) = (&self.trained, &self.active);
        let (with_trained, with_active) = (&mut self.with_trained, &mut self.with_active);
        // Two long merges of their own: side by side.
        rayon::join(
            || with_trained.settle(|i| trained[i as usize] > 0),
            || with_active.settle(|i| active[i as usize] > 0),
        );
    }

    /// Sets `i`'s trained staff and active improvers (`active <= trained`).
    #[inline]
    pub fn set_staff(&mut self, i: usize, trained: u32, active: u32) {
        let flips = self.member[i] && (self.active[i] > 0) != (active > 0);
        self.set_staff_but_ties(i, trained, active);
        if flips {
            self.restand(&[i as u32]);
        }
    }

    /// [`State::set_staff`] but for moving `i`'s ties to their new modes.
    #[inline]
    fn set_staff_but_ties(&mut self, i: usize, trained: u32, active: u32) {
        if self.member[i] && (self.active[i] > 0) != (active > 0) {
            // `i` starts or stops supporting its neighbours' trained staff.
            let sign = if active > 0 { 1.0 } else { -1.0 };
            let s = self.net.offsets[i] as usize;
            let l = self.net.len[i] as usize;
            for (&j, &t) in self.net.neighbour[s..s + l]
                .iter()
                .zip(&self.net.tie[s..s + l])
            {
                self.active_weight[j as usize] +=
                    sign * self.net.ties.scaled_weight[t as usize] as f64;
            }
        }
        self.set_counts(i, trained, active);
    }

    /// Everything of [`State::set_staff`] but the neighbours' improving weight: `i`'s
    /// counts, the totals, the lists and its standing.
    #[inline]
    fn set_counts(&mut self, i: usize, trained: u32, active: u32) {
        debug_assert!(active <= trained);
        self.trained_total = self.trained_total - self.trained[i] as u64 + trained as u64;
        self.active_total = self.active_total - self.active[i] as u64 + active as u64;
        if (self.trained[i] > 0) != (trained > 0) {
            self.with_trained.note(i as u32);
        }
        if (self.active[i] > 0) != (active > 0) {
            self.with_active.note(i as u32);
        }
        self.trained[i] = trained;
        self.active[i] = active;
        self.standing[i] = standing(self.member[i], active);
    }

    /// [`State::set_counts`] of every change of `changes` (distinct organisations, in
    /// order), in turn: the counts and standings of the organisations on all threads (each
    /// block of the list in its own slice of them), then the totals and the lists' notes
    /// in block order.
    fn set_counts_all(&mut self, changes: &[(u32, u32, u32)]) {
        use rayon::prelude::*;
        let org = |c: &(u32, u32, u32)| c.0;
        if changes.len() <= par::LIST_BLOCK || !par::in_index_order(changes, org) {
            for &(i, trained, active) in changes {
                self.set_counts(i as usize, trained, active);
            }
            return;
        }
        let member = &self.member;
        let trained = par::split_listed(&mut self.trained, changes, org);
        let active = par::split_listed(&mut self.active, changes, org);
        let standings = par::split_listed(&mut self.standing, changes, org);
        // Per block: the change of the two totals, and who starts or stops having trained
        // staff, and improvers.
        let blocks: Vec<(i64, i64, Vec<u32>, Vec<u32>)> = changes
            .par_chunks(par::LIST_BLOCK)
            .zip(trained)
            .zip(active)
            .zip(standings)
            .map(|(((block, (lo, trained)), (_, active)), (_, standings))| {
                let (mut dk, mut dd) = (0i64, 0i64);
                let (mut with_trained, mut with_active) = (Vec::new(), Vec::new());
                for &(i, k, d) in block {
                    debug_assert!(d <= k);
                    let x = i as usize - lo;
                    dk += k as i64 - trained[x] as i64;
                    dd += d as i64 - active[x] as i64;
                    if (trained[x] > 0) != (k > 0) {
                        with_trained.push(i);
                    }
                    if (active[x] > 0) != (d > 0) {
                        with_active.push(i);
                    }
                    trained[x] = k;
                    active[x] = d;
                    standings[x] = standing(member[i as usize], d);
                }
                (dk, dd, with_trained, with_active)
            })
            .collect();
        for (dk, dd, with_trained, with_active) in blocks {
            self.trained_total = self.trained_total.wrapping_add_signed(dk);
            self.active_total = self.active_total.wrapping_add_signed(dd);
            for i in with_trained {
                self.with_trained.note(i);
            }
            for i in with_active {
                self.with_active.note(i);
            }
        }
    }

    /// Sets the trained staff and active improvers of many organisations, `(i, trained,
    /// active)` in organisation order: the same as [`State::set_staff`] on each in turn.
    /// When many neighbourhoods change, what members that start or stop having improvers add
    /// to their neighbours' improving weight is sorted by range of neighbours and added on
    /// all threads, each neighbour receiving its additions in the same order, so the sums
    /// are the same bits.
    pub fn set_staff_all(&mut self, changes: &[(u32, u32, u32)]) {
        use rayon::prelude::*;
        // Members that start or stop having improvers (scattered look-ups: many on all
        // threads, in order).
        let (member, now) = (&self.member, &self.active);
        let flips_of = |&(i, _, active): &(u32, u32, u32)| {
            let iu = i as usize;
            (member[iu] && (now[iu] > 0) != (active > 0)).then_some(i)
        };
        let flips: Vec<u32> = if changes.len() >= par::LIST_BLOCK {
            changes.par_iter().filter_map(flips_of).collect()
        } else {
            changes.iter().filter_map(flips_of).collect()
        };
        let entries = self.net.entries(&flips);
        if flips.is_empty() {
            // Nobody's neighbours or ties change (a training cohort, say): the counts alone.
            self.set_counts_all(changes);
            return;
        }
        if entries < PARALLEL_SPREAD {
            for &(i, k, d) in changes {
                self.set_staff_but_ties(i as usize, k, d);
            }
            self.restand(&flips);
            return;
        }
        // The organisations themselves, in turn; then, in one pass over their rows, their
        // neighbours' improving weight and their ties' modes.
        self.set_counts_all(changes);
        self.restand_with(&flips, true, true);
    }

    /// Ties exchange from now on, their balances moving `shift` of the way a step
    /// (src/model/balance.rs); ties that already lean or are shared start now.
    pub fn start_exchange(&mut self, shift: f64) {
        let room = self.net.ties.a.capacity();
        self.balances.start(shift, self.net.ties.len(), room);
        if self.active_total > 0 {
            for t in 0..self.net.ties.len() as u32 {
                if self.net.ties.flags[t as usize] & REMOVED == 0 {
                    self.restart_tie(t);
                }
            }
        }
    }

    /// The mode of tie `t`'s balance, from its ends' standings now.
    #[inline]
    pub fn tie_mode(&self, t: usize) -> Mode {
        let ties = &self.net.ties;
        self.balances.mode(
            self.standing[ties.a[t] as usize],
            self.standing[ties.b[t] as usize],
        )
    }

    /// Tie `t`'s reciprocity balance now, seen from its `a`.
    pub fn balance(&self, t: usize) -> f32 {
        let r = self.net.ties.reciprocity[t];
        match self.tie_mode(t) {
            mode @ Mode::Leaning { .. } => self.balances.balance(mode, r, self.balances.anchor[t]),
            _ => r,
        }
    }

    /// `i`'s giving now: the constant part plus the decaying one.
    #[inline]
    pub fn giving_now(&self, i: usize) -> f64 {
        self.giving[i] + self.balances.decaying[i] * self.balances.now()
    }

    /// Adds a change of giving to `x`'s two parts.
    #[inline]
    fn add_giving(giving: &mut f64, decaying: &mut f64, change: Share) {
        // Adding zero changes no sum (giving is never -0.0).
        if change.base != 0.0 {
            *giving += change.base;
        }
        if change.decaying != 0.0 {
            *decaying += change.decaying;
        }
    }

    /// Moves tie `t`'s balance from mode `from` to mode `to`: stores it as of now, and
    /// changes the giving of its ends from what the one mode keeps to what the other does.
    fn remode_tie(&mut self, t: u32, from: Mode, to: Mode) {
        if from == to {
            return;
        }
        let tu = t as usize;
        let ties = &mut self.net.ties;
        let (a, b) = (ties.a[tu] as usize, ties.b[tu] as usize);
        let w = ties.scaled_weight[tu] as f64;
        let members = [self.member[a], self.member[b]];
        let tr = self.balances.transition(
            from,
            to,
            ties.reciprocity[tu],
            self.balances.anchor[tu],
            w,
            members,
        );
        ties.reciprocity[tu] = tr.balance;
        self.balances.anchor[tu] = self.balances.clock;
        for (x, change) in [a, b].into_iter().zip(tr.change) {
            Self::add_giving(&mut self.giving[x], &mut self.balances.decaying[x], change);
        }
        if let Some(at) = tr.check_at {
            self.balances.schedule(t, at);
        }
        if let Some(shared) = tr.sharing {
            self.net.ties.set_shared(tu, shared);
        }
    }

    /// Stills tie `t` (before its weight changes or it goes): its balance is stored as of
    /// now, and its ends' giving kept as a still tie's.
    fn still_tie(&mut self, t: u32) {
        let from = self.tie_mode(t as usize);
        self.remode_tie(t, from, Mode::Still);
    }

    /// [`State::still_tie`] (with `still`) or [`State::restart_tie`] of every tie of
    /// `ties` (distinct), in turn. When they are many, each tie's move is worked out on all
    /// threads (it reads and writes only its own balance and anchor), and the changes of
    /// its ends' giving are applied by ranges of organisations in the order of `ties`: the
    /// same bits at any thread count.
    fn remode_ties(&mut self, ties: &[u32], still: bool) {
        use rayon::prelude::*;
        if !self.balances.is_on() {
            return;
        }
        if ties.len() < PARALLEL_TIE_CHANGES {
            for &t in ties {
                if still {
                    self.still_tie(t);
                } else {
                    self.restart_tie(t);
                }
            }
            return;
        }
        let shift = range_shift(self.n(), EXCHANGE_RANGES);
        let count = range_count(self.n(), shift);
        let mut stored = std::mem::take(&mut self.net.ties.reciprocity);
        let mut anchors = std::mem::take(&mut self.balances.anchor);
        let cells = (par::cells(&mut stored), par::cells_u32(&mut anchors));
        let this: &State = self;
        let blocks: Vec<Restanding> = ties
            .par_chunks(par::LIST_BLOCK)
            .map(|block| {
                let ts = &this.net.ties;
                let mut out = Restanding::new(count, 2 * block.len() / count + 8, false);
                for &t in block {
                    let tu = t as usize;
                    let ends = [ts.a[tu], ts.b[tu]];
                    let now = ends.map(|x| this.standing[x as usize]);
                    let mode = this.balances.mode(now[0], now[1]);
                    if mode == Mode::Still {
                        continue;
                    }
                    let members = now.map(|s| s != WITHDRAWN);
                    let moves = if still {
                        (mode, Mode::Still)
                    } else {
                        (Mode::Still, mode)
                    };
                    out.move_tie(
                        &this.balances,
                        (t, ts.scaled_weight[tu], ends, members),
                        moves,
                        cells,
                        shift,
                    );
                }
                out
            })
            .collect();
        self.net.ties.reciprocity = stored;
        self.balances.anchor = anchors;
        self.apply_restanding(blocks, shift, true);
    }

    /// Moves still tie `t` to its mode now (after it is made or re-weighted).
    fn restart_tie(&mut self, t: u32) {
        let to = self.tie_mode(t as usize);
        self.remode_tie(t, Mode::Still, to);
    }

    /// Stills every tie of `i` (before a change of its membership), or moves every still
    /// tie of `i` to its mode now (after).
    fn remode_ties_of(&mut self, i: usize, still: bool) {
        if !self.balances.is_on() {
            return;
        }
        let s = self.net.offsets[i] as usize;
        for k in s..s + self.net.len[i] as usize {
            let t = self.net.tie[k];
            if still {
                self.still_tie(t);
            } else {
                self.restart_tie(t);
            }
        }
    }

    /// Moves the ties of `flips` (members whose standing has just changed between member
    /// and improving member; distinct) from the modes they had to the ones they have now,
    /// each tie once. The ties are decided in blocks of the list, on all threads when
    /// there are many (each decision reads and writes only its own tie's balance and
    /// anchor), and the changes of giving are added by ranges of organisations in block
    /// order: the same bits at any thread count.
    fn restand(&mut self, flips: &[u32]) {
        if !self.balances.is_on() || flips.is_empty() {
            return;
        }
        let entries = self.net.entries(flips);
        self.restand_with(flips, entries >= PARALLEL_SPREAD, false);
    }

    /// [`State::restand`], on all threads or on this one; with `improving`, also adds what
    /// each of `flips` now brings to or takes from its neighbours' improving weight (the
    /// rest of [`State::set_staff`]), each neighbour receiving its additions in the order
    /// of `flips`, then of the rows, as one by one.
    fn restand_with(&mut self, flips: &[u32], parallel: bool, improving: bool) {
        use rayon::prelude::*;
        for &i in flips {
            self.flipping[i as usize >> 6] |= 1 << (i & 63);
        }
        let shift = range_shift(self.n(), EXCHANGE_RANGES);
        let count = range_count(self.n(), shift);
        let mut stored = std::mem::take(&mut self.net.ties.reciprocity);
        let mut anchors = std::mem::take(&mut self.balances.anchor);
        let (stored_at, anchor_at) = (par::cells(&mut stored), par::cells_u32(&mut anchors));
        let this: &State = self;
        let flipping = |x: u32| this.flipping[x as usize >> 6] & (1 << (x & 63)) != 0;
        // The standing `x` had before the change.
        let was = |x: u32| {
            let s = this.standing[x as usize];
            if flipping(x) {
                MEMBER + IMPROVING - s
            } else {
                s
            }
        };
        let decide = |block: &[u32]| -> Restanding {
            let net = &this.net;
            // Room for every range's share of the block's entries (and a little more).
            let each = net.entries(block) / count * 5 / 4 + 8;
            let mut out = Restanding::new(count, each, improving);
            for (n, &i) in block.iter().enumerate() {
                net.ask_ahead(block, n, |j, t| {
                    prefetch(this.standing.as_ptr().wrapping_add(j as usize));
                    prefetch(stored_at.as_ptr().wrapping_add(t as usize));
                    prefetch(anchor_at.as_ptr().wrapping_add(t as usize));
                    prefetch(net.ties.scaled_weight.as_ptr().wrapping_add(t as usize));
                });
                let sign = if this.active[i as usize] > 0 {
                    1.0
                } else {
                    -1.0
                };
                for (&j, &t) in net
                    .neighbours(i as usize)
                    .iter()
                    .zip(net.tie_ids(i as usize))
                {
                    if improving {
                        let w = net.ties.scaled_weight[t as usize] as f64;
                        out.improving[j as usize >> shift].push((j, sign * w));
                    }
                    // A tie between two organisations that both changed is moved from its
                    // lower end.
                    if j < i && flipping(j) {
                        continue;
                    }
                    let (a, b) = (i.min(j), i.max(j));
                    let from = this.balances.mode(was(a), was(b));
                    let now = [this.standing[a as usize], this.standing[b as usize]];
                    let to = this.balances.mode(now[0], now[1]);
                    if from == to {
                        continue;
                    }
                    let w = net.ties.scaled_weight[t as usize];
                    out.move_tie(
                        &this.balances,
                        (t, w, [a, b], now.map(|s| s != WITHDRAWN)),
                        (from, to),
                        (stored_at, anchor_at),
                        shift,
                    );
                }
            }
            out
        };
        let blocks: Vec<Restanding> = if parallel {
            flips.par_chunks(par::LIST_BLOCK).map(decide).collect()
        } else {
            flips.chunks(par::LIST_BLOCK).map(decide).collect()
        };
        self.net.ties.reciprocity = stored;
        self.balances.anchor = anchors;
        for &i in flips {
            self.flipping[i as usize >> 6] = 0;
        }
        self.apply_restanding(blocks, shift, parallel);
    }

    /// Applies blocks of decisions of moved ties, in block order: the changes of giving
    /// (and of improving weight) by ranges of `1 << shift` organisations, on all threads
    /// when `parallel` (each organisation receives its changes in block order, so the
    /// sums are the same bits), then the queued checks and the shared flags.
    fn apply_restanding(&mut self, blocks: Vec<Restanding>, shift: u32, parallel: bool) {
        use rayon::prelude::*;
        let width = 1 << shift;
        let apply = |r: usize, giving: &mut [f64], decaying: &mut [f64], weight: &mut [f64]| {
            let lo = r * width;
            for block in &blocks {
                for &(x, change) in &block.changes[r] {
                    let k = x as usize - lo;
                    Self::add_giving(&mut giving[k], &mut decaying[k], change);
                }
                if let Some(added) = block.improving.get(r) {
                    for &(j, x) in added {
                        weight[j as usize - lo] += x;
                    }
                }
            }
        };
        let (giving, decaying) = (&mut self.giving, &mut self.balances.decaying);
        let weight = &mut self.active_weight;
        if parallel {
            giving
                .par_chunks_mut(width)
                .zip(decaying.par_chunks_mut(width))
                .zip(weight.par_chunks_mut(width))
                .enumerate()
                .for_each(|(r, ((g, d), w))| apply(r, g, d, w));
        } else {
            for (r, ((g, d), w)) in giving
                .chunks_mut(width)
                .zip(decaying.chunks_mut(width))
                .zip(weight.chunks_mut(width))
                .enumerate()
            {
                apply(r, g, d, w);
            }
        }
        for block in blocks {
            for (t, at) in block.checks {
                self.balances.schedule(t, at);
            }
            for (t, shared) in block.sharing {
                self.net.ties.set_shared(t as usize, shared);
            }
        }
    }

    /// One step of the balances' clock (src/model/balance.rs): every leaning balance moves
    /// on, and the shares of giving of those that cross zero now move from receiver to
    /// giver.
    pub fn advance_balances(&mut self) {
        for t in self.balances.advance() {
            let tu = t as usize;
            let ties = &self.net.ties;
            if ties.flags[tu] & REMOVED != 0 {
                continue;
            }
            let mode = self.tie_mode(tu);
            let w = ties.scaled_weight[tu] as f64;
            match self
                .balances
                .due(mode, ties.reciprocity[tu], self.balances.anchor[tu], w)
            {
                Due::Cross(change) => {
                    for (x, change) in [ties.a[tu], ties.b[tu]].into_iter().zip(change) {
                        let x = x as usize;
                        Self::add_giving(
                            &mut self.giving[x],
                            &mut self.balances.decaying[x],
                            change,
                        );
                    }
                }
                Due::Later(at) => self.balances.schedule(t, at),
                Due::Stale => {}
            }
        }
    }

    /// How far `x` gives more than it receives over tie `t` (0 when not), for a tie that
    /// stands still or is shared (its stored balance is its balance now).
    #[inline]
    fn gives(&self, t: usize, x: usize) -> f64 {
        let r = self.net.ties.reciprocity[t] as f64;
        (if self.net.ties.a[t] as usize == x {
            r
        } else {
            -r
        })
        .max(0.0)
    }

    /// Applies blocks of exchange decisions, in block order: every change of the sums at
    /// the ends of the ties decided (giving, member, improving and adopting weights; marks
    /// for the threshold rules), by ranges of organisations, on all threads. Every sum
    /// receives its additions in decision order: first those of the balances, then those of
    /// the weights, as one by one. Every tie is decided at most once, and both its ends are
    /// members.
    pub fn apply_exchange(&mut self, blocks: &[ExchangeBlock]) {
        use rayon::prelude::*;
        let Some(first) = blocks.first() else {
            return;
        };
        let org_width = 1 << first.org_shift;
        let State {
            net,
            member_weight,
            giving,
            active_weight,
            practices,
            ..
        } = self;
        let (rows, stages, tracked) =
            SumRows::split(member_weight, giving, active_weight, practices, org_width);
        let marked = rows
            .into_par_iter()
            .enumerate()
            .map(|(r, mut rows)| {
                let lo = r * org_width;
                for b in blocks {
                    for &(x, d) in &b.giving[r] {
                        rows.giving[x as usize - lo] += d;
                    }
                }
                // Marks made here, per practice, in decision order.
                let mut marked = vec![Vec::new(); stages.len()];
                for b in blocks {
                    // Both ends of a pulled tie have improvers; its count stays.
                    rows.add_each(lo, &b.pulls[r], None, 0, &stages, &tracked, &mut marked);
                }
                marked
            })
            .collect::<Vec<Vec<Vec<u32>>>>();
        drop(stages);
        SumRows::note_marked(practices, marked);
        net.unit_weights &= blocks.iter().all(|b| b.unit);
    }

    /// Adds `sign` times each tie's scaled weight to the adopting weight of practice `p` at
    /// `i`'s neighbours (and `sign` to their adopting counts), marking them.
    fn spread(&mut self, p: usize, i: usize, sign: f64) {
        let s = self.net.offsets[i] as usize;
        let l = self.net.len[i] as usize;
        let neighbours = &self.net.neighbour[s..s + l];
        let ps = &mut self.practices[p];
        let count = if sign > 0.0 { 1u32 } else { u32::MAX };
        if self.net.unit_weights {
            // Every tie weighs 1 (imported plain edge lists): no look-up in the tie table,
            // and `sign * 1.0` is exactly what the weighted sum would add.
            for &j in neighbours {
                let ju = j as usize;
                ps.adopting_weight[ju] += sign;
                ps.adopting_count[ju] = ps.adopting_count[ju].wrapping_add(count);
                ps.mark(j);
            }
        } else {
            let ties = &self.net.tie[s..s + l];
            for (&j, &t) in neighbours.iter().zip(ties) {
                let ju = j as usize;
                let w = self.net.ties.scaled_weight[t as usize] as f64;
                ps.adopting_weight[ju] += sign * w;
                ps.adopting_count[ju] = ps.adopting_count[ju].wrapping_add(count);
                ps.mark(j);
            }
        }
    }

    /// `i` starts trialling practice `p` at `step`, to embed at `due`.
    pub fn start_trialling(&mut self, p: usize, i: u32, step: u32, due: u32) {
        self.begin_trial(p, i, step, due);
        if self.member[i as usize] {
            self.spread(p, i as usize, 1.0);
        }
    }

    /// Everything of starting a trial but the neighbours' sums.
    fn begin_trial(&mut self, p: usize, i: u32, step: u32, due: u32) {
        let ps = &mut self.practices[p];
        debug_assert_eq!(ps.stage[i as usize], NONE);
        ps.stage[i as usize] = TRIALLING;
        ps.since[i as usize] = step;
        ps.trialling += 1;
        self.progress_sum[i as usize] += 0.5;
        self.stale_drift.push(i);
        ps.due.push_back((due, i));
        ps.fresh.push(i);
    }

    /// [`State::begin_trial`] of every organisation of `orgs` (distinct, in index order), in
    /// turn: the lists and counts here, the scattered stages, starts and progress of the
    /// organisations on all threads (each block of the list in its own slice of them).
    fn begin_trials(&mut self, p: usize, orgs: &[u32], step: u32, due: u32) {
        if orgs.len() <= par::LIST_BLOCK || !par::in_index_order(orgs, |&i| i) {
            for &i in orgs {
                self.begin_trial(p, i, step, due);
            }
            return;
        }
        let ps = &mut self.practices[p];
        ps.trialling += orgs.len() as u32;
        ps.due.extend(orgs.iter().map(|&i| (due, i)));
        ps.fresh.extend_from_slice(orgs);
        self.stale_drift.extend_from_slice(orgs);
        let arrays = (
            &mut ps.stage[..],
            &mut ps.since[..],
            &mut self.progress_sum[..],
        );
        visit_listed(arrays, orgs, |_, stage, since, progress, _: &mut ()| {
            debug_assert_eq!(*stage, NONE);
            *stage = TRIALLING;
            *since = step;
            *progress += 0.5;
        });
    }

    /// Every organisation of `orgs` (distinct, in index order, none adopting `p`) starts
    /// trialling practice `p` at `step`, to embed at `due`: as [`State::start_trialling`]
    /// one after another, but with many ties to update their neighbours' sums are updated
    /// on all threads, each sum receiving its additions in the same order.
    pub fn start_trialling_all(&mut self, p: usize, orgs: &[u32], step: u32, due: u32) {
        let entries = self.net.entries(orgs);
        if entries < PARALLEL_SPREAD {
            for &i in orgs {
                self.start_trialling(p, i, step, due);
            }
            return;
        }
        self.begin_trials(p, orgs, step, due);
        self.spread_all(p, orgs, true);
    }

    /// [`State::spread`] of a new adoption (`adopts`, sign +1) or of a discontinuation
    /// (sign -1) from every member of `orgs`, in order: the additions are sorted by range
    /// of neighbours on all threads (blocks of `orgs`), then each range applies its own in
    /// order.
    fn spread_all(&mut self, p: usize, orgs: &[u32], adopts: bool) {
        // A segment at a time, in order: additions in bounded memory, in the same order.
        let net = &self.net;
        for segment in
            super::par::segments(orgs, |i| net.len[i as usize] as usize, super::par::SEGMENT)
        {
            self.spread_segment(p, &orgs[segment], adopts);
        }
    }

    /// [`State::spread_all`] for one segment of the organisations.
    fn spread_segment(&mut self, p: usize, orgs: &[u32], adopts: bool) {
        use rayon::prelude::*;
        let shift = range_shift(self.n(), EXCHANGE_RANGES);
        let width = 1 << shift;
        // `spread` adds `sign * w`, which is `w` or exactly `-w` (1 or -1 on unit-weight
        // networks), and a count of 1 or -1.
        let (sign, count) = if adopts {
            (1.0, 1u32)
        } else {
            (-1.0, u32::MAX)
        };
        let member = &self.member;
        let blocks = by_neighbour_range(&self.net, orgs, shift, |i| member[i], |_, w| w);
        let ps = &mut self.practices[p];
        let tracks = ps.tracks_dirty;
        let mut dirty_chunks: Vec<&mut [bool]> = ps.is_dirty.chunks_mut(width).collect();
        dirty_chunks.resize_with(range_count(ps.stage.len(), shift), Default::default);
        let marked: Vec<Vec<u32>> = ps
            .adopting_weight
            .par_chunks_mut(width)
            .zip(ps.adopting_count.par_chunks_mut(width))
            .zip(dirty_chunks.into_par_iter())
            .enumerate()
            .map(|(r, ((weight, counts), is_dirty))| {
                let lo = r * width;
                let mut marked = Vec::new();
                for ranges in &blocks {
                    for &(j, w) in &ranges[r] {
                        let k = j as usize - lo;
                        weight[k] += sign * w as f64;
                        counts[k] = counts[k].wrapping_add(count);
                        if tracks && !is_dirty[k] {
                            is_dirty[k] = true;
                            marked.push(j);
                        }
                    }
                }
                marked
            })
            .collect();
        for m in marked {
            ps.dirty.extend(m);
        }
    }

    /// `i` embeds practice `p` (if still trialling).
    pub fn embed(&mut self, p: usize, i: u32, step: u32) {
        if self.practices[p].stage[i as usize] == TRIALLING {
            let term = self.reach.term(p, i as usize);
            self.embed_with(p, i, step, term);
        }
    }

    /// Every organisation of `orgs` (distinct) that still trials practice `p` embeds it:
    /// as [`State::embed`] one after another. When they are many and in index order, who
    /// still trials, their stages, starts and progress, and what each adds to its place's
    /// reach (a logarithm and scattered look-ups) are worked out on all threads, each block
    /// of the list in its own slice of the organisations; the reach sums are whole
    /// numbers and the counts are counts, so adding them up by block changes nothing.
    pub fn embed_all(&mut self, p: usize, orgs: &[u32], step: u32) {
        if orgs.len() <= par::LIST_BLOCK || !par::in_index_order(orgs, |&i| i) {
            for &i in orgs {
                self.embed(p, i, step);
            }
            return;
        }
        let ps = &mut self.practices[p];
        let reach = &self.reach;
        let arrays = (
            &mut ps.stage[..],
            &mut ps.since[..],
            &mut self.progress_sum[..],
        );
        // Per block: who embeds, and their parts of the reach.
        type Embedding = (Vec<u32>, Vec<(usize, f64)>);
        let blocks = visit_listed(
            arrays,
            orgs,
            |i, stage, since, progress, out: &mut Embedding| {
                if *stage == TRIALLING {
                    *stage = EMBEDDED;
                    *since = step;
                    *progress += 0.5;
                    out.0.push(i);
                    out.1.extend(reach.part(p, i as usize));
                }
            },
        );
        for (embedding, parts) in blocks {
            ps.trialling -= embedding.len() as u32;
            ps.embedded += embedding.len() as u32;
            self.stale_drift.extend(embedding);
            for (place, term) in parts {
                self.reach.add_to_place(place, term, 1);
            }
        }
    }

    /// [`State::embed`] of trialling `i`, whose reach term is `term`.
    fn embed_with(&mut self, p: usize, i: u32, step: u32, term: f64) {
        let ps = &mut self.practices[p];
        ps.stage[i as usize] = EMBEDDED;
        ps.since[i as usize] = step;
        ps.trialling -= 1;
        ps.embedded += 1;
        self.reach.add_term(i as usize, term, 1);
        self.progress_sum[i as usize] += 0.5;
        self.stale_drift.push(i);
    }

    /// `i` discontinues practice `p` (absorbing for that practice).
    pub fn discontinue(&mut self, p: usize, i: u32, step: u32) {
        if self.stop_adopting(p, i, step) && self.member[i as usize] {
            self.spread(p, i as usize, -1.0);
        }
    }

    /// Every organisation of `orgs` (distinct, in index order) discontinues practice `p`
    /// at `step`: as [`State::discontinue`] one after another, but with many ties to
    /// update their neighbours' sums are updated on all threads, each sum receiving its
    /// changes in the same order.
    pub fn discontinue_all(&mut self, p: usize, orgs: &[u32], step: u32) {
        let entries = self.net.entries(orgs);
        if entries < PARALLEL_SPREAD {
            for &i in orgs {
                self.discontinue(p, i, step);
            }
            return;
        }
        let stopped = self.stop_adopting_all(p, orgs, step);
        self.spread_all(p, &stopped, false);
    }

    /// [`State::stop_adopting`] of every organisation of `orgs` (distinct), in turn; those
    /// that were adopting. When they are many and in index order, their stages, starts and
    /// progress, and what each embedded one takes from its place's reach, are worked out
    /// on all threads, each block of the list in its own slice of the organisations (the
    /// reach sums are whole numbers and the counts counts: adding them up by block
    /// changes nothing).
    fn stop_adopting_all(&mut self, p: usize, orgs: &[u32], step: u32) -> Vec<u32> {
        if orgs.len() <= par::LIST_BLOCK || !par::in_index_order(orgs, |&i| i) {
            return orgs
                .iter()
                .copied()
                .filter(|&i| self.stop_adopting(p, i, step))
                .collect();
        }
        let ps = &mut self.practices[p];
        let reach = &self.reach;
        let arrays = (
            &mut ps.stage[..],
            &mut ps.since[..],
            &mut self.progress_sum[..],
        );
        // Per block: who stops, how many of them trialled, and the embedded ones' parts of
        // the reach.
        type Stopping = (Vec<u32>, u32, Vec<(usize, f64)>);
        let blocks = visit_listed(
            arrays,
            orgs,
            |i, stage, since, progress, out: &mut Stopping| {
                match *stage {
                    TRIALLING => {
                        out.1 += 1;
                        *progress -= 0.5;
                    }
                    EMBEDDED => {
                        out.2.extend(reach.part(p, i as usize));
                        *progress -= 1.0;
                    }
                    _ => return,
                }
                *stage = DISCONTINUED;
                *since = step;
                out.0.push(i);
            },
        );
        let mut all = Vec::with_capacity(blocks.iter().map(|b| b.0.len()).sum());
        for (stopped, trialled, parts) in blocks {
            let n = stopped.len() as u32;
            ps.trialling -= trialled;
            ps.embedded -= n - trialled;
            ps.discontinued += n;
            for (place, term) in parts {
                self.reach.add_to_place(place, term, -1);
            }
            all.extend(stopped);
        }
        self.stale_drift.extend_from_slice(&all);
        all
    }

    /// Everything of discontinuing but the neighbours' sums; whether `i` was adopting.
    fn stop_adopting(&mut self, p: usize, i: u32, step: u32) -> bool {
        let ps = &mut self.practices[p];
        let st = ps.stage[i as usize];
        if !adopting(st) {
            return false;
        }
        if st == TRIALLING {
            ps.trialling -= 1;
            self.progress_sum[i as usize] -= 0.5;
        } else {
            ps.embedded -= 1;
            self.reach.change(p, i as usize, -1);
            self.progress_sum[i as usize] -= 1.0;
        }
        self.stale_drift.push(i);
        ps.stage[i as usize] = DISCONTINUED;
        ps.since[i as usize] = step;
        ps.discontinued += 1;
        true
    }

    /// Changes `i`'s membership; its ties go dormant (not deleted) while it is withdrawn.
    pub fn set_member(&mut self, i: u32, member: bool) {
        let iu = i as usize;
        if self.member[iu] == member {
            return;
        }
        self.remode_ties_of(iu, true);
        self.member[iu] = member;
        self.standing[iu] = standing(member, self.active[iu]);
        let sign = if member { 1.0 } else { -1.0 };
        if member {
            self.members += 1;
        } else {
            self.members -= 1;
        }
        let s = self.net.offsets[iu] as usize;
        for k in s..s + self.net.len[iu] as usize {
            let j = self.net.neighbour[k] as usize;
            let t = self.net.tie[k] as usize;
            let w = self.net.ties.scaled_weight[t] as f64;
            self.member_weight[j] += sign * w;
            self.giving[j] += sign * w * self.gives(t, j);
            if self.active[iu] > 0 {
                self.active_weight[j] += sign * w;
            }
        }
        for p in 0..self.practices.len() {
            if adopting(self.practices[p].stage[iu]) {
                self.spread(p, iu, sign);
            } else {
                // Fractions of neighbours changed through their denominators.
                let ps = &mut self.practices[p];
                if ps.tracks_dirty {
                    for k in s..s + self.net.len[iu] as usize {
                        ps.mark(self.net.neighbour[k]);
                    }
                }
            }
        }
        self.remode_ties_of(iu, false);
    }

    /// Adds `delta` (scaled) to the weight of tie `t`, and `count` to the number of ties,
    /// in every sum that counts it.
    fn account_tie(&mut self, t: usize, delta: f64, count: i32) {
        let (a, b) = (self.net.ties.a[t] as usize, self.net.ties.b[t] as usize);
        for (x, y) in [(a, b), (b, a)] {
            if !self.member[y] {
                continue;
            }
            self.member_weight[x] += delta;
            self.giving[x] += delta * self.gives(t, x);
            if self.active[y] > 0 {
                self.active_weight[x] += delta;
            }
            for ps in &mut self.practices {
                if adopting(ps.stage[y]) {
                    ps.adopting_weight[x] += delta;
                    ps.adopting_count[x] = ps.adopting_count[x].wrapping_add_signed(count);
                }
                ps.mark(x as u32);
            }
        }
    }

    /// Sets the current weight of tie `t`.
    pub fn set_tie_weight(&mut self, t: u32, weight: f64) {
        let tu = t as usize;
        // A leaning tie's share of giving is kept per unit of its weight: still it first.
        self.still_tie(t);
        let old = self.net.ties.scaled_weight[tu] as f64;
        self.net.set_weight(tu, weight);
        let delta = self.net.ties.scaled_weight[tu] as f64 - old;
        self.account_tie(tu, delta, 0);
        self.restart_tie(t);
    }

    /// Makes a new tie (the caller checks the two are distinct and not yet tied).
    pub fn add_tie(&mut self, spec: TieSpec, kind: &[u16], place: &[u16]) -> u32 {
        let t = self.net.add_tie(spec, kind, place);
        self.balances.cover(self.net.ties.len());
        let w = self.net.ties.scaled_weight[t as usize] as f64;
        self.account_tie(t as usize, w, 1);
        self.restart_tie(t);
        t
    }

    /// Removes tie `t`.
    pub fn remove_tie(&mut self, t: u32) {
        let tu = t as usize;
        self.still_tie(t);
        let w = self.net.ties.scaled_weight[tu] as f64;
        self.account_tie(tu, -w, -1);
        self.net.remove_tie(t);
    }

    /// [`State::account_tie`] for every tie of `changed` (distinct), with `count` +1 for ties
    /// just made and -1 for ties about to go: what each adds to or takes from the sums at
    /// its ends is worked out on all threads, sorted by range of organisations, and added
    /// by ranges on all threads, each sum receiving its changes in the order of `changed`, so
    /// the sums are the same bits as one by one.
    fn account_ties(&mut self, changed: &[u32], count: i32) {
        use rayon::prelude::*;
        let sign = count as f64;
        let shift = range_shift(self.n(), EXCHANGE_RANGES);
        let width = 1 << shift;
        let (ties, member) = (&self.net.ties, &self.member);
        // Per block of ties, per range of organisations, in order, for each end whose
        // other end is a member: the end, the other end, what the tie's scaled weight
        // adds or takes away, and how far the end gives over it.
        let blocks: Vec<Vec<Vec<Pull>>> = changed
            .par_chunks(super::par::LIST_BLOCK)
            .map(|block| {
                let mut ranges = vec![Vec::new(); range_count(member.len(), shift)];
                for (h, &t) in block.iter().enumerate() {
                    // The ties are scattered: ask for them, then their ends, ahead.
                    if let Some(&u) = block.get(h + 8) {
                        let u = u as usize;
                        prefetch(ties.a.as_ptr().wrapping_add(u));
                        prefetch(ties.b.as_ptr().wrapping_add(u));
                        prefetch(ties.scaled_weight.as_ptr().wrapping_add(u));
                        prefetch(ties.reciprocity.as_ptr().wrapping_add(u));
                    }
                    if let Some(&u) = block.get(h + 4) {
                        for x in [ties.a[u as usize], ties.b[u as usize]] {
                            prefetch(member.as_ptr().wrapping_add(x as usize));
                        }
                    }
                    let tu = t as usize;
                    let delta = sign * ties.scaled_weight[tu] as f64;
                    let ends = [ties.a[tu], ties.b[tu]];
                    for pull in Pull::at_both_ends(ends, delta, ties.reciprocity[tu]) {
                        if member[pull.other as usize] {
                            ranges[pull.end as usize >> shift].push(pull);
                        }
                    }
                }
                ranges
            })
            .collect();
        let State {
            active,
            member_weight,
            giving,
            active_weight,
            practices,
            ..
        } = self;
        let active = &*active;
        let (rows, stages, tracked) =
            SumRows::split(member_weight, giving, active_weight, practices, width);
        let marked = rows
            .into_par_iter()
            .enumerate()
            .map(|(r, mut rows)| {
                let lo = r * width;
                let mut marked = vec![Vec::new(); stages.len()];
                for ranges in &blocks {
                    rows.add_each(
                        lo,
                        &ranges[r],
                        Some(active),
                        count,
                        &stages,
                        &tracked,
                        &mut marked,
                    );
                }
                marked
            })
            .collect::<Vec<Vec<Vec<u32>>>>();
        drop(stages);
        SumRows::note_marked(practices, marked);
    }

    /// Makes every tie of `specs` (distinct pairs, none tied yet), in order: as
    /// [`State::add_tie`] on each in turn. When there are many, the rows are edited on all
    /// threads ([`Network::add_ties`]), then what the ties add to the sums at their ends is
    /// added on all threads ([`State::account_ties`]), then their balances start to move
    /// ([`State::remode_ties`]); with exchange on, the giving of an end with several new
    /// ties so receives its additions in another order than one tie after another (the
    /// last bits may differ), the same at any thread count.
    pub fn add_ties(&mut self, specs: &[TieSpec], kind: &[u16], place: &[u16]) {
        if specs.len() < PARALLEL_TIE_CHANGES {
            for &spec in specs {
                self.add_tie(spec, kind, place);
            }
            return;
        }
        let first = self.net.add_ties(specs, kind, place);
        let made: Vec<u32> = (first..first + specs.len() as u32).collect();
        self.balances.cover(self.net.ties.len());
        self.account_ties(&made, 1);
        self.remode_ties(&made, false);
    }

    /// Removes every tie of `doomed` (distinct, live): as [`State::remove_tie`] on each in
    /// turn. When there are many, their balances are stilled ([`State::remode_ties`]), what
    /// they took from the sums at their ends is taken away ([`State::account_ties`]), and
    /// the rows are edited ([`Network::remove_ties`]), each on all threads; with exchange
    /// on, the giving of an end of several doomed ties so receives its changes in another
    /// order than one tie after another (the last bits may differ), the same at any
    /// thread count.
    pub fn remove_ties(&mut self, doomed: &[u32]) {
        if doomed.len() < PARALLEL_TIE_CHANGES {
            for &t in doomed {
                self.remove_tie(t);
            }
            return;
        }
        self.remode_ties(doomed, true);
        self.account_ties(doomed, -1);
        self.net.remove_ties(doomed);
    }

    /// Uniform decay of every tie; folds the scale into the sums when the network does.
    pub fn decay_ties(&mut self, factor: f64) {
        let fold = self.net.decay_all(factor);
        if fold != 1.0 {
            for w in self
                .member_weight
                .iter_mut()
                .chain(self.giving.iter_mut())
                .chain(self.balances.decaying.iter_mut())
                .chain(self.active_weight.iter_mut())
            {
                *w *= fold;
            }
            for ps in &mut self.practices {
                for w in &mut ps.adopting_weight {
                    *w *= fold;
                }
            }
        }
    }

    /// Current (unscaled) weight of ties from `i` to its member neighbours.
    pub fn strength(&self, i: usize) -> f64 {
        self.member_weight[i] * self.net.scale
    }

    /// What live tie `t` adds to the giving of its `a` and its `b` now, recomputed from the
    /// tie (for checks and recounts).
    fn tie_shares(&self, t: usize) -> [Share; 2] {
        let ties = &self.net.ties;
        self.balances.shares(
            self.tie_mode(t),
            ties.reciprocity[t],
            self.balances.anchor.get(t).copied().unwrap_or(0),
            ties.scaled_weight[t] as f64,
            [ties.a[t], ties.b[t]].map(|x| self.member[x as usize]),
        )
    }

    /// Recomputes both parts of every organisation's giving from the ties (for tests that
    /// set balances directly).
    #[cfg(test)]
    pub fn recount_giving(&mut self) {
        self.giving.iter_mut().for_each(|g| *g = 0.0);
        self.balances.decaying.iter_mut().for_each(|d| *d = 0.0);
        let ties = &self.net.ties;
        for t in 0..ties.len() {
            if ties.flags[t] & REMOVED != 0 {
                continue;
            }
            let ends = [ties.a[t] as usize, ties.b[t] as usize];
            for (x, share) in ends.into_iter().zip(self.tie_shares(t)) {
                self.giving[x] += share.base;
                self.balances.decaying[x] += share.decaying;
            }
        }
    }

    /// Recomputes every derived sum from scratch and compares: the invariant check that
    /// tests (and debug builds) run.
    pub fn check_sums(&self) -> Result<(), String> {
        let trained: u64 = self.trained.iter().map(|&k| k as u64).sum();
        let active: u64 = self.active.iter().map(|&d| d as u64).sum();
        let listed = |counts: &[u32]| -> Vec<u32> {
            (0..counts.len() as u32)
                .filter(|&i| counts[i as usize] > 0)
                .collect()
        };
        let (mut with_trained, mut with_active) =
            (self.with_trained.clone(), self.with_active.clone());
        let with_trained = with_trained.settle(|i| self.trained[i as usize] > 0);
        let with_active = with_active.settle(|i| self.active[i as usize] > 0);
        if listed(&self.trained) != with_trained || listed(&self.active) != with_active {
            return Err(
                "the lists of organisations with trained staff or improvers are out of date".into(),
            );
        }
        let flags = &self.net.ties.flags;
        if let Some(&t) = self
            .person_ties
            .iter()
            .find(|&&t| flags[t as usize] & crate::network::REMOVED != 0)
        {
            return Err(format!(
                "removed tie {t} is still listed as person-dependent"
            ));
        }
        if let Some(t) = (0..self.net.ties.len()).find(|&t| {
            let shared = flags[t] & REMOVED == 0 && self.tie_mode(t) == Mode::Shared;
            shared != (flags[t] & SHARED != 0)
        }) {
            return Err(format!("tie {t} is flagged shared wrongly"));
        }
        if (0..self.n()).any(|i| self.standing[i] != standing(self.member[i], self.active[i])) {
            return Err("an organisation's standing is out of date".into());
        }
        if (trained, active) != (self.trained_total, self.active_total) {
            return Err(format!(
                "staff totals: kept ({}, {}) but are ({trained}, {active})",
                self.trained_total, self.active_total
            ));
        }
        let stages: Vec<&[u8]> = self.practices.iter().map(|ps| &ps.stage[..]).collect();
        if !self.reach.same_sums(&self.reach.recount(&stages)) {
            return Err("the embedded practices' reach is out of date".into());
        }
        for i in 0..self.n() {
            let mut mw = 0.0;
            let mut gv = 0.0;
            let mut sw = 0.0;
            let mut aw = vec![0.0; self.practices.len()];
            let mut ac = vec![0u32; self.practices.len()];
            for (&j, &t) in self.net.neighbours(i).iter().zip(self.net.tie_ids(i)) {
                if !self.member[j as usize] {
                    continue;
                }
                let tu = t as usize;
                let w = self.net.ties.scaled_weight[tu] as f64;
                mw += w;
                let mine = self.tie_shares(tu)[(self.net.ties.b[tu] as usize == i) as usize];
                gv += mine.base + mine.decaying * self.balances.now();
                if self.active[j as usize] > 0 {
                    sw += w;
                }
                for (p, ps) in self.practices.iter().enumerate() {
                    if adopting(ps.stage[j as usize]) {
                        aw[p] += w;
                        ac[p] += 1;
                    }
                }
            }
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + a.abs());
            if !close(gv, self.giving_now(i)) {
                return Err(format!(
                    "giving of {i}: kept {} but is {gv}",
                    self.giving_now(i)
                ));
            }
            if !close(sw, self.active_weight[i]) {
                return Err(format!(
                    "weight to neighbours with improvers of {i}: kept {} but is {sw}",
                    self.active_weight[i]
                ));
            }
            if !close(mw, self.member_weight[i]) {
                return Err(format!(
                    "member weight of {i}: kept {} but is {mw}",
                    self.member_weight[i]
                ));
            }
            for (p, ps) in self.practices.iter().enumerate() {
                if !close(aw[p], ps.adopting_weight[i]) || ac[p] != ps.adopting_count[i] {
                    return Err(format!(
                        "practice {p} at {i}: kept ({}, {}) but is ({}, {})",
                        ps.adopting_weight[i], ps.adopting_count[i], aw[p], ac[p]
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn star(n: u32) -> State {
        let ties: Vec<TieSpec> = (1..n)
            .map(|b| TieSpec {
                a: 0,
                b,
                weight: 0.5,
                person_dependent: false,
            })
            .collect();
        let net = Network::from_ties(n as usize, &ties, &[], &[]).unwrap();
        State::new(net, 2, &[true, false], vec![0.0])
    }

    #[test]
    fn sums_follow_every_change() {
        let mut s = star(5);
        s.start_trialling(0, 1, 1, 3);
        s.start_trialling(0, 2, 1, 3);
        s.start_trialling(1, 0, 1, 3);
        assert_eq!(s.practices[0].adopting_count[0], 2);
        assert!((s.practices[0].fraction(0, s.member_weight[0]) - 0.5).abs() < 1e-12);
        assert!((s.practices[1].fraction(3, s.member_weight[3]) - 1.0).abs() < 1e-12);
        s.set_member(2, false);
        assert!((s.practices[0].fraction(0, s.member_weight[0]) - 1.0 / 3.0).abs() < 1e-12);
        s.discontinue(0, 1, 2);
        assert_eq!(s.practices[0].adopting_count[0], 0);
        s.set_member(2, true);
        s.set_tie_weight(0, 1.0);
        let t = s.add_tie(
            TieSpec {
                a: 3,
                b: 4,
                weight: 0.25,
                person_dependent: false,
            },
            &[],
            &[],
        );
        s.start_trialling(0, 4, 2, 4);
        s.check_sums().unwrap();
        s.remove_tie(t);
        s.decay_ties(0.5);
        s.check_sums().unwrap();
        assert!((s.strength(0) - 0.5 * (1.0 + 0.5 * 3.0)).abs() < 1e-9);
        // Neighbours of changes were marked for the threshold rule (practice 0 only).
        assert!(s.practices[0].is_dirty[0]);
        assert!(s.practices[1].dirty.is_empty());
    }

    /// Exchange decisions (balances written in place, giving changes kept) applied by
    /// ranges on every thread give the same sums, bit for bit, on 1, 2 and 3 threads, and the
    /// sums a recount gives.
    #[test]
    fn exchanges_applied_in_parallel_are_the_same_bits() {
        let n = 40_000u32;
        let ties: Vec<TieSpec> = (0..n)
            .map(|i| TieSpec {
                a: i,
                b: (i + 1) % n,
                weight: 0.25 + (i % 7) as f32 * 0.1,
                person_dependent: false,
            })
            .collect();
        let net = Network::from_ties(n as usize, &ties, &[], &[]).unwrap();
        let base = State::new(net, 1, &[false], vec![0.0]);
        let balance = |t: u32| if t.is_multiple_of(3) { -0.5 } else { 0.75 };
        let apply = |threads: usize| {
            let mut s = base.clone();
            // Two blocks, each tie once, in a scrambled order.
            let parallel = threads > 1;
            let mut blocks = vec![
                ExchangeBlock::new(&s, parallel),
                ExchangeBlock::new(&s, parallel),
            ];
            for k in 0..n {
                let t = (k * 7919) % n;
                let tu = t as usize;
                let ends = [s.net.ties.a[tu], s.net.ties.b[tu]];
                let ties = &mut s.net.ties;
                let change =
                    giving_change(ties.scaled_weight[tu], ties.reciprocity[tu], balance(t));
                ties.reciprocity[tu] = balance(t);
                blocks[(k % 2) as usize].push_giving(ends, change);
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| s.apply_exchange(&blocks));
            s.check_sums().unwrap();
            assert!(s
                .net
                .ties
                .reciprocity
                .iter()
                .enumerate()
                .all(|(t, &r)| r == balance(t as u32)));
            s.giving.iter().map(|g| g.to_bits()).collect::<Vec<u64>>()
        };
        assert_eq!(apply(1), apply(2));
        assert_eq!(apply(1), apply(3));
    }

    /// Many new adopters at once (neighbour sums updated on all threads) leave every sum,
    /// bit for bit, and every mark as adopting them one by one does, at any thread count;
    /// and so does discontinuing many at once.
    #[test]
    fn many_adopters_at_once_match_one_by_one() {
        let n = 20_000u32;
        let ties: Vec<TieSpec> = (0..n)
            .flat_map(|i| {
                [1, 7, 101].map(|d| TieSpec {
                    a: i,
                    b: (i + d) % n,
                    weight: 0.2 + ((i * d) % 9) as f32 * 0.1,
                    person_dependent: false,
                })
            })
            .collect();
        let net = Network::from_ties(n as usize, &ties, &[], &[]).unwrap();
        let mut base = State::new(net, 2, &[true, false], vec![0.0]);
        // Three places; a few organisations reach all of theirs (a term of -inf with the
        // second practice's effect 1), some nobody.
        base.reach = super::super::outcome::Reach::for_test(
            (0..n).map(|i| (i % 3) as u16).collect(),
            (0..n)
                .map(|i| [0.0, 0.01, 0.2, 1.0][(i % 11) as usize % 4])
                .collect(),
            &[0.3, 1.0],
        );
        base.set_member(5, false);
        base.start_trialling(0, 3, 1, 4);
        let adopters: Vec<u32> = (0..n).filter(|i| i % 3 != 0).collect();
        let seen = |s: &State, p: usize| {
            let ps = &s.practices[p];
            let mut dirty = ps.dirty.clone();
            dirty.sort_unstable();
            (
                ps.adopting_weight
                    .iter()
                    .map(|w| w.to_bits())
                    .collect::<Vec<u64>>(),
                ps.adopting_count.clone(),
                dirty,
                ps.fresh.clone(),
                (ps.trialling, ps.embedded, ps.discontinued),
                ps.stage.clone(),
                ps.since.clone(),
                ps.due.clone(),
            )
        };
        let shared = |s: &State| {
            (
                s.progress_sum.clone(),
                s.stale_drift.clone(),
                s.reach
                    .hazard()
                    .iter()
                    .map(|h| h.to_bits())
                    .collect::<Vec<_>>(),
            )
        };
        let mut one_by_one = base.clone();
        for p in 0..2 {
            for &i in &adopters {
                one_by_one.start_trialling(p, i, 2, 5);
            }
        }
        // Some embed (among them organisations that never adopted, every third); then some
        // stop, among them organisations that never adopted and the non-member 5.
        let embedding: Vec<u32> = (0..n).filter(|i| i % 7 == 1).collect();
        assert!(embedding.len() > par::LIST_BLOCK);
        let stopping: Vec<u32> = (0..n).filter(|i| i % 5 != 0).collect();
        let mut stopped_one_by_one = one_by_one.clone();
        for p in 0..2 {
            for &i in &embedding {
                stopped_one_by_one.embed(p, i, 3);
            }
            for &i in &stopping {
                stopped_one_by_one.discontinue(p, i, 4);
            }
        }
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut s = base.clone();
            pool.install(|| {
                for p in 0..2 {
                    s.start_trialling_all(p, &adopters, 2, 5);
                }
            });
            s.check_sums().unwrap();
            for p in 0..2 {
                assert_eq!(seen(&s, p), seen(&one_by_one, p), "practice {p}");
            }
            assert_eq!(shared(&s), shared(&one_by_one));
            pool.install(|| {
                for p in 0..2 {
                    s.embed_all(p, &embedding, 3);
                    s.discontinue_all(p, &stopping, 4);
                }
            });
            s.check_sums().unwrap();
            for p in 0..2 {
                assert_eq!(seen(&s, p), seen(&stopped_one_by_one, p), "practice {p}");
            }
            assert_eq!(shared(&s), shared(&stopped_one_by_one));
            assert!(s.reach.hazard().iter().any(|&h| h != 0.0));
        }
    }

    #[test]
    fn org_lists_merge_noted_changes() {
        let mut present = [false; 10];
        let mut l = OrgList::default();
        for i in [7, 2, 5] {
            present[i] = true;
            l.note(i as u32);
        }
        assert_eq!(l.settle(|i| present[i as usize]), &[2, 5, 7]);
        // 5 leaves, 9 and 0 join, 2 leaves and comes back, 3 joins and leaves again.
        for (i, p) in [
            (5, false),
            (9, true),
            (0, true),
            (2, false),
            (2, true),
            (3, true),
            (3, false),
        ] {
            present[i] = p;
            l.note(i as u32);
        }
        assert_eq!(l.settle(|i| present[i as usize]), &[0, 2, 7, 9]);
        assert_eq!(l.settled(), &[0, 2, 7, 9]);
    }

    #[test]
    fn embed_and_counts() {
        let mut s = star(3);
        s.start_trialling(0, 1, 1, 2);
        s.embed(0, 1, 2);
        assert_eq!((s.practices[0].trialling, s.practices[0].embedded), (0, 1));
        s.discontinue(0, 1, 3);
        assert_eq!(s.practices[0].discontinued, 1);
        assert_eq!(s.practices[0].stage[1], DISCONTINUED);
    }

    /// Many staff changes at once (enough for the neighbour ranges on all threads) give the
    /// same state, bit for bit, as setting each organisation's staff in turn.
    #[test]
    fn staff_changes_at_once_match_one_by_one() {
        let n = 3000u32;
        let mut lcg = crate::network::TestLcg(99);
        let net = lcg.network(n, 50_000);
        let mut start = State::new(net, 1, &[true], vec![0.0]);
        for i in 0..n {
            if lcg.draw().is_multiple_of(3) {
                start.set_staff(i as usize, 4, 1 + lcg.draw() % 3);
            }
            if lcg.draw().is_multiple_of(9) {
                start.set_member(i, false);
            }
        }
        start.settle_staff_lists();
        // Most organisations change; about half start or stop having improvers.
        let mut changes: Vec<(u32, u32, u32)> = Vec::new();
        for i in 0..n {
            if !lcg.draw().is_multiple_of(5) {
                let trained = lcg.draw() % 5;
                changes.push((i, trained, lcg.draw() % (trained + 1)));
            }
        }
        let (mut at_once, mut in_turn) = (start.clone(), start.clone());
        let entries: usize = changes
            .iter()
            .filter(|&&(i, _, d)| {
                start.member[i as usize] && (start.active[i as usize] > 0) != (d > 0)
            })
            .map(|&(i, _, _)| start.net.len[i as usize] as usize)
            .sum();
        assert!(entries >= PARALLEL_SPREAD, "only {entries} entries");
        at_once.set_staff_all(&changes);
        for &(i, k, d) in &changes {
            in_turn.set_staff(i as usize, k, d);
        }
        at_once.settle_staff_lists();
        in_turn.settle_staff_lists();
        let bits = |s: &State| {
            s.active_weight
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&at_once), bits(&in_turn));
        assert_ne!(bits(&at_once), bits(&start));
        assert_eq!(at_once.trained, in_turn.trained);
        assert_eq!(at_once.active, in_turn.active);
        assert_eq!(at_once.standing, in_turn.standing);
        assert_eq!(
            at_once.with_trained.settled(),
            in_turn.with_trained.settled()
        );
        assert_eq!(at_once.with_active.settled(), in_turn.with_active.settled());
        assert_eq!(
            (at_once.trained_total, at_once.active_total),
            (in_turn.trained_total, in_turn.active_total)
        );
        at_once.check_sums().unwrap();
    }

    /// Ties moved to their new modes when many members start or stop having improvers at
    /// once (with their neighbours' improving weight, in the same pass): on all threads
    /// (any number) or on this one, the same bits of every balance, anchor, flag, both
    /// parts of giving and improving weight, and every sum equals its recount.
    #[test]
    fn ties_restood_at_once_are_the_same_bits_on_any_thread_count() {
        let n = 3000u32;
        let mut lcg = crate::network::TestLcg(11);
        let net = lcg.network(n, 40_000);
        let mut start = State::new(net, 1, &[false], vec![0.0]);
        for r in start.net.ties.reciprocity.iter_mut() {
            *r = (lcg.draw() % 200) as f32 / 100.0 - 1.0;
        }
        start.recount_giving();
        start.start_exchange(0.1);
        for i in 0..n {
            if lcg.draw().is_multiple_of(2) {
                start.set_staff(i as usize, 2, 1);
            }
        }
        // Some time passes, so that stored balances and now differ.
        for _ in 0..3 {
            start.advance_balances();
        }
        start.check_sums().unwrap();
        let changes: Vec<(u32, u32, u32)> = (0..n)
            .filter(|_| lcg.draw().is_multiple_of(2))
            .map(|i| (i, 2, (start.active[i as usize] == 0) as u32))
            .collect();
        let flips: Vec<u32> = changes.iter().map(|c| c.0).collect();
        let seen = |s: &State| {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            (
                bits(&s.giving),
                bits(&s.balances.decaying),
                bits(&s.active_weight),
                s.net
                    .ties
                    .reciprocity
                    .iter()
                    .map(|r| r.to_bits())
                    .collect::<Vec<u32>>(),
                s.balances.anchor.clone(),
                s.net.ties.flags.clone(),
            )
        };
        let mut in_turn = start.clone();
        for &(i, k, d) in &changes {
            in_turn.set_staff_but_ties(i as usize, k, d);
        }
        in_turn.restand_with(&flips, false, false);
        in_turn.check_sums().unwrap();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut at_once = start.clone();
            pool.install(|| at_once.set_staff_all(&changes));
            at_once.check_sums().unwrap();
            assert_eq!(seen(&at_once), seen(&in_turn), "{threads} threads");
        }
        assert_ne!(seen(&in_turn), seen(&start));
    }

    /// Many ties removed, then many made, at once (the sums' changes worked out and added
    /// on all threads) leave every sum, bit for bit, every mark and every row as removing
    /// and making them one by one does, at any thread count.
    #[test]
    fn many_tie_changes_at_once_match_one_by_one() {
        let n = 3000u32;
        let mut lcg = crate::network::TestLcg(7);
        let net = lcg.network(n, 40_000);
        let mut start = State::new(net, 2, &[true, false], vec![0.0]);
        for i in 0..n {
            match lcg.draw() % 4 {
                0 => start.set_staff(i as usize, 3, 1),
                1 => start.start_trialling((lcg.draw() % 2) as usize, i, 1, 5),
                _ => {}
            }
            if lcg.draw().is_multiple_of(10) {
                start.set_member(i, false);
            }
        }
        for r in start.net.ties.reciprocity.iter_mut() {
            *r = (lcg.draw() % 200) as f32 / 100.0 - 1.0;
        }
        start.recount_giving();
        start.settle_staff_lists();
        let doomed: Vec<u32> = (0..start.net.ties.len() as u32)
            .filter(|_| lcg.draw().is_multiple_of(4))
            .collect();
        assert!(doomed.len() >= PARALLEL_TIE_CHANGES);
        // New ties between pairs not yet tied, some of them just untied.
        let mut fresh = Vec::new();
        let mut seen_pairs = std::collections::HashSet::new();
        // Organisation 17 gains far more ties than its row has room for.
        for b in (100..n).step_by(9) {
            seen_pairs.insert((17, b));
            fresh.push(TieSpec {
                a: 17,
                b,
                weight: 0.6,
                person_dependent: false,
            });
        }
        while fresh.len() < 2 * PARALLEL_TIE_CHANGES {
            let (a, b) = (lcg.draw() % n, lcg.draw() % n);
            let (a, b) = (a.min(b), a.max(b));
            if a != b && seen_pairs.insert((a, b)) {
                fresh.push(TieSpec {
                    a,
                    b,
                    weight: 0.3 + (lcg.draw() % 50) as f32 / 100.0,
                    person_dependent: false,
                });
            }
        }
        let mut in_turn = start.clone();
        for &t in &doomed {
            in_turn.remove_tie(t);
        }
        fresh.retain(|f| !in_turn.net.has_tie(f.a, f.b));
        for &spec in &fresh {
            in_turn.add_tie(spec, &[], &[]);
        }
        let seen = |s: &State| {
            let mut marks = Vec::new();
            for ps in &s.practices {
                let mut d = ps.dirty.clone();
                d.sort_unstable();
                marks.push(d);
            }
            let sums: Vec<u64> = s
                .member_weight
                .iter()
                .chain(&s.giving)
                .chain(&s.active_weight)
                .chain(&s.practices[0].adopting_weight)
                .chain(&s.practices[1].adopting_weight)
                .map(|x| x.to_bits())
                .collect();
            let rows: Vec<(Vec<u32>, Vec<u32>)> = (0..s.n())
                .map(|i| (s.net.neighbours(i).to_vec(), s.net.tie_ids(i).to_vec()))
                .collect();
            (
                sums,
                marks,
                rows,
                s.practices[0].adopting_count.clone(),
                s.net.live_ties,
            )
        };
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut at_once = start.clone();
            pool.install(|| {
                at_once.remove_ties(&doomed);
                at_once.add_ties(&fresh, &[], &[]);
            });
            at_once.check_sums().unwrap();
            assert_eq!(seen(&at_once), seen(&in_turn), "{threads} threads");
        }
    }

    /// Many ties stilled (before they go) or started (after they are made) at once, with
    /// exchange on: on all threads (any number), the same bits of every balance, anchor,
    /// flag and both parts of giving as one tie after another, and the same queue.
    #[test]
    fn ties_remoded_at_once_match_one_by_one() {
        let n = 3000u32;
        let mut lcg = crate::network::TestLcg(23);
        let net = lcg.network(n, 40_000);
        let mut start = State::new(net, 1, &[false], vec![0.0]);
        for i in 0..n {
            if lcg.draw().is_multiple_of(3) {
                start.set_staff(i as usize, 3, 1);
            }
            if lcg.draw().is_multiple_of(10) {
                start.set_member(i, false);
            }
        }
        for r in start.net.ties.reciprocity.iter_mut() {
            *r = (lcg.draw() % 200) as f32 / 100.0 - 1.0;
        }
        start.recount_giving();
        start.start_exchange(0.1);
        for _ in 0..3 {
            start.advance_balances();
        }
        let chosen: Vec<u32> = (0..start.net.ties.len() as u32)
            .filter(|_| lcg.draw().is_multiple_of(3))
            .collect();
        assert!(chosen.len() >= PARALLEL_TIE_CHANGES);
        let seen = |s: &State| {
            let bits: Vec<u64> = (s.net.ties.reciprocity.iter())
                .map(|&r| r.to_bits() as u64)
                .chain(s.balances.anchor.iter().map(|&a| a as u64))
                .chain(s.net.ties.flags.iter().map(|&f| f as u64))
                .chain(s.giving.iter().map(|x| x.to_bits()))
                .chain(s.balances.decaying.iter().map(|x| x.to_bits()))
                .collect();
            (bits, format!("{:?}", s.balances))
        };
        let mut stilled = start.clone();
        for &t in &chosen {
            stilled.still_tie(t);
        }
        let mut restarted = stilled.clone();
        for &t in &chosen {
            restarted.restart_tie(t);
        }
        assert_ne!(seen(&stilled), seen(&start));
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut at_once = start.clone();
            pool.install(|| at_once.remode_ties(&chosen, true));
            assert!(
                seen(&at_once) == seen(&stilled),
                "stilled, {threads} threads"
            );
            pool.install(|| at_once.remode_ties(&chosen, false));
            assert!(
                seen(&at_once) == seen(&restarted),
                "restarted, {threads} threads"
            );
            at_once.check_sums().unwrap();
        }
    }
}
