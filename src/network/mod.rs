//! The collaboration network: organisations' ties in CSR form with per-tie state.
//!
//! Adjacency is compressed sparse rows with slack: row `i` holds `len[i]` live entries
//! starting at `offsets[i]`, with room for `cap[i]`, so ties made during a run
//! (engagement events, triadic closure, weaving) are inserted in place; a full row moves to
//! fresh room at the end in O(its degree), and the whole structure is rebuilt only when
//! holes outgrow the live entries. Each adjacency entry carries the index
//! of its tie in the struct-of-arrays [`Ties`] table (an undirected tie appears in two rows).
//!
//! Tie weights are stored divided by a global decay factor ([`Network::scale`]): uniform
//! exponential decay is one multiplication per step, and ratios of sums of weights (the
//! weighted fraction of adopting neighbours) stay exact under it.

pub mod generate;
pub mod import;
pub mod metrics;

/// Tie flag: the tie joins organisations of different kinds.
pub const CROSS_KIND: u8 = 1;
/// Tie flag: the tie joins organisations in different places.
pub const CROSS_PLACE: u8 = 2;
/// Tie flag: the tie hangs on one person and is lost when that person leaves.
pub const PERSON_DEPENDENT: u8 = 4;
/// Tie flag: the tie has been removed (its index is not reused).
pub const REMOVED: u8 = 8;
/// Tie flag: both ends are members with active improvers, so the model's exchange visits
/// the tie each step (src/model/balance.rs).
pub const SHARED: u8 = 16;

/// Per-tie state, struct of arrays indexed by tie id.
#[derive(Debug, Clone, Default)]
pub struct Ties {
    /// Lower-numbered end.
    pub a: Vec<u32>,
    /// Higher-numbered end.
    pub b: Vec<u32>,
    /// Weight divided by the network's current decay scale.
    pub scaled_weight: Vec<f32>,
    /// Reciprocity balance in [-1, 1]: positive when `a` has given more than it received.
    pub reciprocity: Vec<f32>,
    /// `CROSS_KIND | CROSS_PLACE | PERSON_DEPENDENT | REMOVED | SHARED`.
    pub flags: Vec<u8>,
}

impl Ties {
    /// Flags tie `t` as [`SHARED`] or not.
    #[inline]
    pub fn set_shared(&mut self, t: usize, shared: bool) {
        if shared {
            self.flags[t] |= SHARED;
        } else {
            self.flags[t] &= !SHARED;
        }
    }

    pub fn len(&self) -> usize {
        self.a.len()
    }
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }
}

/// One undirected tie as produced by a generator or importer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TieSpec {
    pub a: u32,
    pub b: u32,
    pub weight: f32,
    pub person_dependent: bool,
}

/// An undirected weighted network of `n` organisations.
#[derive(Debug, Clone)]
pub struct Network {
    pub n: usize,
    /// Start of each organisation's row (rows may sit anywhere after a relocation).
    pub offsets: Vec<u32>,
    /// Live entries in each row.
    pub len: Vec<u32>,
    /// Room in each row.
    pub cap: Vec<u32>,
    /// Neighbour of each adjacency entry.
    pub neighbour: Vec<u32>,
    /// Tie id of each adjacency entry.
    pub tie: Vec<u32>,
    pub ties: Ties,
    /// Live (not removed) ties.
    pub live_ties: usize,
    /// Global weight scale: real weight = scaled weight * scale.
    pub scale: f64,
    /// Whether every tie's scaled weight is exactly 1 (imported plain edge lists), so sums
    /// of scaled weights are counts and need no look-up in the tie table. Set when the
    /// network is built; every method here that stores a weight other than 1 clears it
    /// (code writing `ties.scaled_weight` directly must clear it too).
    pub unit_weights: bool,
}

/// Errors building a network from ties.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    #[error("tie {index} joins organisation {org}, but there are only {n} organisations")]
    OutOfRange { index: usize, org: u32, n: usize },
    #[error("tie {index} joins organisation {org} to itself (self-loops are not allowed)")]
    SelfLoop { index: usize, org: u32 },
    #[error("too many ties: {0} adjacency entries exceed the 4,294,967,295 this build supports")]
    TooLarge(usize),
}

impl Network {
    /// Builds the network from undirected ties. Duplicates must already have been merged
    /// (generators produce simple graphs; importers merge and warn).
    pub fn from_ties(
        n: usize,
        specs: &[TieSpec],
        kind: &[u16],
        place: &[u16],
    ) -> Result<Network, NetworkError> {
        Network::assemble(
            n,
            specs.len(),
            |t| {
                let s = &specs[t];
                (s.a, s.b, s.weight, s.person_dependent)
            },
            kind,
            place,
        )
    }

    /// Builds the network from unit-weight ties given as pairs (the import path of large
    /// plain edge lists: no per-tie record is made in between).
    pub fn from_pairs(
        n: usize,
        pairs: &[(u32, u32)],
        kind: &[u16],
        place: &[u16],
    ) -> Result<Network, NetworkError> {
        Network::assemble(
            n,
            pairs.len(),
            |t| (pairs[t].0, pairs[t].1, 1.0, false),
            kind,
            place,
        )
    }

    /// Builds the network from unit-weight ties given as their two ends, `a[t]` and `b[t]`
    /// for tie `t` in either order (the import path of large plain edge lists: the arrays
    /// become the tie table's, so nothing is copied). Duplicates must already be merged.
    pub fn from_ends(
        n: usize,
        mut a: Vec<u32>,
        mut b: Vec<u32>,
        kind: &[u16],
        place: &[u16],
    ) -> Result<Network, NetworkError> {
        let m = a.len().min(b.len());
        a.truncate(m);
        b.truncate(m);
        if m.saturating_mul(2) >= u32::MAX as usize {
            return Err(NetworkError::TooLarge(m.saturating_mul(2)));
        }
        for (index, (x, y)) in a.iter_mut().zip(b.iter_mut()).enumerate() {
            let org = (*x).max(*y);
            if org as usize >= n {
                return Err(NetworkError::OutOfRange { index, org, n });
            }
            if *x == *y {
                return Err(NetworkError::SelfLoop { index, org });
            }
            if *x > *y {
                std::mem::swap(x, y);
            }
        }
        let flags = boundary_table(n, &a, &b, kind, place);
        let ties = Ties {
            a,
            b,
            scaled_weight: vec![1.0; m],
            reciprocity: vec![0.0; m],
            flags,
        };
        Ok(Network::with_ties(n, ties))
    }

    /// The tie table from `m` ties given by `tie(index) = (a, b, weight, person
    /// dependent)`, then the adjacency. One sequential pass per array; boundary flags are
    /// looked up only when organisations differ in kind or place.
    fn assemble(
        n: usize,
        m: usize,
        tie: impl Fn(usize) -> (u32, u32, f32, bool),
        kind: &[u16],
        place: &[u16],
    ) -> Result<Network, NetworkError> {
        if m.saturating_mul(2) >= u32::MAX as usize {
            return Err(NetworkError::TooLarge(m.saturating_mul(2)));
        }
        let mut ties = Ties {
            a: Vec::with_capacity(m),
            b: Vec::with_capacity(m),
            scaled_weight: Vec::with_capacity(m),
            reciprocity: vec![0.0; m],
            flags: Vec::new(),
        };
        let mut dependent = false;
        for index in 0..m {
            let (a, b, w, pd) = tie(index);
            for org in [a, b] {
                if org as usize >= n {
                    return Err(NetworkError::OutOfRange { index, org, n });
                }
            }
            if a == b {
                return Err(NetworkError::SelfLoop { index, org: a });
            }
            ties.a.push(a.min(b));
            ties.b.push(a.max(b));
            ties.scaled_weight.push(w);
            dependent |= pd;
        }
        ties.flags = boundary_table(n, &ties.a, &ties.b, kind, place);
        if dependent {
            for (t, f) in ties.flags.iter_mut().enumerate() {
                if tie(t).3 {
                    *f |= PERSON_DEPENDENT;
                }
            }
        }
        Ok(Network::with_ties(n, ties))
    }

    /// The network of a complete tie table (no tie removed), adjacency built without slack.
    fn with_ties(n: usize, ties: Ties) -> Network {
        let mut net = Network {
            n,
            offsets: Vec::new(),
            len: Vec::new(),
            cap: Vec::new(),
            neighbour: Vec::new(),
            tie: Vec::new(),
            live_ties: ties.len(),
            unit_weights: ties.scaled_weight.iter().all(|&w| w == 1.0),
            ties,
            scale: 1.0,
        };
        net.rebuild(0);
        net
    }

    /// Rebuilds the adjacency from the live ties, leaving `slack` free entries per row
    /// (plus a quarter of its length). Rows list neighbours in tie order: deterministic.
    pub fn rebuild(&mut self, slack: u32) {
        let n = self.n;
        let mut deg = vec![0u32; n];
        for ((&a, &b), &f) in self.ties.a.iter().zip(&self.ties.b).zip(&self.ties.flags) {
            if f & REMOVED == 0 {
                deg[a as usize] += 1;
                deg[b as usize] += 1;
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut cap = Vec::with_capacity(n);
        let mut acc: u64 = 0;
        offsets.push(0u32);
        for &d in &deg {
            let room = if slack == 0 { d } else { d + slack + d / 4 };
            cap.push(room);
            acc += room as u64;
            offsets.push(acc as u32);
        }
        let total = acc as usize;
        // Without slack every entry is written below, so zeroed (lazily mapped) memory will
        // do; with slack the free room is marked.
        let filler = if slack == 0 { 0 } else { u32::MAX };
        let mut neighbour = vec![filler; total];
        let mut tie = vec![filler; total];
        // Where the next entry of each row goes (`deg`'s memory reused).
        let mut cursor = deg;
        cursor.copy_from_slice(&offsets[..n]);
        let ties = &self.ties;
        let live = ties
            .a
            .iter()
            .zip(&ties.b)
            .zip(&ties.flags)
            .enumerate()
            .filter(|(_, (_, &f))| f & REMOVED == 0)
            .map(|(t, ((&a, &b), _))| (t as u32, a, b));
        let mut put = |x: u32, y: u32, t: u32| {
            let p = cursor[x as usize] as usize;
            neighbour[p] = y;
            tie[p] = t;
            cursor[x as usize] += 1;
        };
        if ties.a.windows(2).all(|w| w[0] <= w[1]) {
            // Ties in order of their lower end (imported sorted lists, most generators):
            // row x lists first the ties whose lower end is below x, then those starting at
            // x, so two passes give the same rows as one, and the second writes in order.
            // The first pass scatters across the whole adjacency, so it goes band by band
            // of rows (each band's rows stay in cache), keeping tie order within a band.
            // Ties are taken a chunk at a time, in order, so the regrouping buffer is
            // bounded on very large networks and tie order within each row is still kept.
            let mut bands = Bands::new(n);
            let m = ties.len();
            for first in (0..m).step_by(FILL_CHUNK) {
                let chunk = (first..m.min(first + FILL_CHUNK))
                    .filter(|&t| ties.flags[t] & REMOVED == 0)
                    .map(|t| [ties.b[t], ties.a[t], t as u32]);
                for &[x, y, t] in bands.regroup(chunk) {
                    put(x, y, t);
                }
            }
            for (t, a, b) in live {
                put(a, b, t);
            }
        } else {
            for (t, a, b) in live {
                put(a, b, t);
                put(b, a, t);
            }
        }
        // Each row's cursor minus its start is its length.
        cursor.iter_mut().zip(&offsets).for_each(|(c, &o)| *c -= o);
        let fill = cursor;
        self.offsets = offsets;
        self.cap = cap;
        self.len = fill;
        self.neighbour = neighbour;
        self.tie = tie;
    }

    /// Makes room in the tie table for `extra` more ties, so that adding them never moves
    /// the table.
    pub fn reserve_ties(&mut self, extra: usize) {
        let t = &mut self.ties;
        t.a.reserve_exact(extra);
        t.b.reserve_exact(extra);
        t.scaled_weight.reserve_exact(extra);
        t.reciprocity.reserve_exact(extra);
        t.flags.reserve_exact(extra);
    }

    /// Prefetches for a pass over the rows of `orgs`, at position `n` of it: where the row
    /// of the organisation six ahead starts, the row of the one four ahead, and, for each
    /// entry `(neighbour, tie)` of the row two ahead (asked for two organisations ago), what
    /// `entry` asks for. Such a pass mostly waits for scattered loads; asked for in stages
    /// they overlap the work on the current row. No effect on results.
    #[inline(always)]
    pub fn ask_ahead(&self, orgs: &[u32], n: usize, entry: impl Fn(u32, u32)) {
        if let Some(&far) = orgs.get(n + 6) {
            prefetch(self.offsets.as_ptr().wrapping_add(far as usize));
            prefetch(self.len.as_ptr().wrapping_add(far as usize));
        }
        if let Some(&mid) = orgs.get(n + 4) {
            let (s, l) = (
                self.offsets[mid as usize] as usize,
                self.len[mid as usize] as usize,
            );
            for k in [s, s + l.saturating_sub(1)] {
                prefetch(self.neighbour.as_ptr().wrapping_add(k));
                prefetch(self.tie.as_ptr().wrapping_add(k));
            }
        }
        if let Some(&near) = orgs.get(n + 2) {
            let near = near as usize;
            for (&j, &t) in self.neighbours(near).iter().zip(self.tie_ids(near)) {
                entry(j, t);
            }
        }
    }

    /// Number of live ties of organisation `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        self.len[i] as usize
    }

    /// Neighbours of `i` (live ties only).
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        let s = self.offsets[i] as usize;
        &self.neighbour[s..s + self.len[i] as usize]
    }

    /// Tie ids of `i`'s live ties, aligned with [`Network::neighbours`].
    #[inline]
    pub fn tie_ids(&self, i: usize) -> &[u32] {
        let s = self.offsets[i] as usize;
        &self.tie[s..s + self.len[i] as usize]
    }

    /// Current weight of tie `t`.
    #[inline]
    pub fn weight(&self, t: usize) -> f64 {
        self.ties.scaled_weight[t] as f64 * self.scale
    }

    /// Sets the current weight of tie `t`.
    pub fn set_weight(&mut self, t: usize, w: f64) {
        let scaled = (w / self.scale) as f32;
        self.ties.scaled_weight[t] = scaled;
        self.unit_weights &= scaled == 1.0;
    }

    /// Whether `a` and `b` are tied (scans the shorter row).
    pub fn has_tie(&self, a: u32, b: u32) -> bool {
        let (x, y) = if self.len[a as usize] <= self.len[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.neighbours(x as usize).contains(&y)
    }

    /// Adds a tie between distinct, not yet tied organisations; returns its id.
    pub fn add_tie(&mut self, spec: TieSpec, kind: &[u16], place: &[u16]) -> u32 {
        let (t, a, b) = self.push_tie(spec, kind, place);
        for x in [a, b] {
            if self.len[x as usize] == self.cap[x as usize] && !self.relocate(x as usize, 1) {
                self.rebuild(4);
                return t;
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            self.put(x, y, t);
        }
        t
    }

    /// Appends `y` (over tie `t`) to row `x`, which has room.
    #[inline]
    fn put(&mut self, x: u32, y: u32, t: u32) {
        let p = (self.offsets[x as usize] + self.len[x as usize]) as usize;
        self.neighbour[p] = y;
        self.tie[p] = t;
        self.len[x as usize] += 1;
    }

    /// Adds every tie of `specs` (distinct pairs, none tied yet), as [`Network::add_tie`]
    /// on each in turn would; their ids follow each other from the first one returned.
    /// Rows keep their entries in tie order, so where a row lies never changes what is
    /// read: the new entries are written on all threads, each range of rows by one task,
    /// into the rows that have room; a row that fills up takes the rest of its new
    /// entries afterwards, moved to a larger block (or the adjacency rebuilt), in order.
    pub fn add_ties(&mut self, specs: &[TieSpec], kind: &[u16], place: &[u16]) -> u32 {
        use rayon::prelude::*;
        use std::sync::atomic::Ordering::Relaxed;
        let first = self.ties.len() as u32;
        let (shift, mut rows) = self.row_ranges::<(u32, u32, u32)>();
        for &spec in specs {
            let (t, a, b) = self.push_tie(spec, kind, place);
            for (x, y) in [(a, b), (b, a)] {
                rows[x as usize >> shift].push((x, y, t));
            }
        }
        let (offsets, cap) = (&self.offsets, &self.cap);
        // Each task writes only its own rows' entries and lengths.
        let tie = crate::model::par::cells_u32(&mut self.tie);
        let neighbour = crate::model::par::cells_u32(&mut self.neighbour);
        let len = crate::model::par::cells_u32(&mut self.len);
        let full: Vec<Vec<(u32, u32, u32)>> = rows
            .par_iter()
            .map(|edits| {
                // Once a row is full it stays full here, so all its later entries wait.
                let mut waiting = Vec::new();
                for &(x, y, t) in edits {
                    let l = len[x as usize].load(Relaxed);
                    if l == cap[x as usize] {
                        waiting.push((x, y, t));
                        continue;
                    }
                    let p = (offsets[x as usize] + l) as usize;
                    neighbour[p].store(y, Relaxed);
                    tie[p].store(t, Relaxed);
                    len[x as usize].store(l + 1, Relaxed);
                }
                waiting
            })
            .collect();
        for (x, y, t) in full.into_iter().flatten() {
            if self.len[x as usize] == self.cap[x as usize] && !self.relocate(x as usize, 1) {
                // The rebuilt rows hold every live tie, the new ones included.
                self.rebuild(4);
                return first;
            }
            self.put(x, y, t);
        }
        first
    }

    /// About 64 ranges of rows, each a power of two of organisations wide: the shift that
    /// gives a row's range, and an empty list of edits per range (one task each).
    fn row_ranges<T: Clone>(&self) -> (u32, Vec<Vec<T>>) {
        let shift = self
            .n
            .div_ceil(64)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        (shift, vec![Vec::new(); (self.n >> shift) + 1])
    }

    /// Appends a new tie to the table, its lower end first; its id and ends. Its rows are
    /// the caller's to write.
    fn push_tie(&mut self, spec: TieSpec, kind: &[u16], place: &[u16]) -> (u32, u32, u32) {
        let (a, b) = if spec.a < spec.b {
            (spec.a, spec.b)
        } else {
            (spec.b, spec.a)
        };
        debug_assert!(a != b && !self.has_tie(a, b));
        let t = self.ties.len() as u32;
        self.ties.a.push(a);
        self.ties.b.push(b);
        let scaled = (spec.weight as f64 / self.scale) as f32;
        self.ties.scaled_weight.push(scaled);
        self.unit_weights &= scaled == 1.0;
        self.ties.reciprocity.push(0.0);
        self.ties.flags.push(
            boundary_flags(a, b, kind, place)
                | if spec.person_dependent {
                    PERSON_DEPENDENT
                } else {
                    0
                },
        );
        self.live_ties += 1;
        (t, a, b)
    }

    /// Makes sure row `i` has at least `need` free entries, moving it if not (or
    /// rebuilding when moving is not possible).
    pub fn ensure_room(&mut self, i: usize, need: u32) {
        if self.cap[i] - self.len[i] < need && !self.relocate(i, need) {
            self.rebuild(need);
        }
    }

    /// Moves row `i` to the end of the adjacency with twice the room, in O(its degree);
    /// the old block becomes a hole until the next rebuild. False when the adjacency would
    /// grow too large or be mostly holes: the caller rebuilds instead.
    fn relocate(&mut self, i: usize, need: u32) -> bool {
        let live = 2 * self.live_ties + 4 * self.n;
        let (len, new_cap) = (
            self.len[i] as usize,
            (2 * self.len[i] + 4).max(self.len[i] + need),
        );
        let end = self.neighbour.len();
        if end + new_cap as usize >= u32::MAX as usize || end > 2 * live {
            return false;
        }
        let s = self.offsets[i] as usize;
        self.neighbour.extend_from_within(s..s + len);
        self.tie.extend_from_within(s..s + len);
        let pad = new_cap as usize - len;
        self.neighbour.resize(end + new_cap as usize, u32::MAX);
        self.tie.resize(end + new_cap as usize, u32::MAX);
        debug_assert_eq!(self.neighbour.len(), end + len + pad);
        self.offsets[i] = end as u32;
        self.cap[i] = new_cap;
        true
    }

    /// How many tie entries the rows of `orgs` hold: the work of a pass over their rows.
    pub fn entries(&self, orgs: &[u32]) -> usize {
        orgs.iter().map(|&i| self.len[i as usize] as usize).sum()
    }

    /// Marks live tie `t` removed and counts it out; false if it already was.
    fn retire(&mut self, t: u32) -> bool {
        let flags = &mut self.ties.flags[t as usize];
        if *flags & REMOVED != 0 {
            return false;
        }
        *flags |= REMOVED;
        self.live_ties -= 1;
        true
    }

    /// Removes tie `t` from both rows (order within rows is kept, so results stay
    /// independent of removal history beyond the removal itself).
    pub fn remove_tie(&mut self, t: u32) {
        if !self.retire(t) {
            return;
        }
        let tu = t as usize;
        for x in [self.ties.a[tu], self.ties.b[tu]] {
            let s = self.offsets[x as usize] as usize;
            let l = self.len[x as usize] as usize;
            if let Some(k) = self.tie[s..s + l].iter().position(|&e| e == t) {
                self.tie.copy_within(s + k + 1..s + l, s + k);
                self.neighbour.copy_within(s + k + 1..s + l, s + k);
                self.len[x as usize] -= 1;
            }
        }
    }

    /// Removes every tie of `doomed`: the same as [`Network::remove_tie`] on each in turn.
    /// Each row is edited by one task, on all threads: a row's entries keep their order
    /// whichever of its ties leave first, so the rows come out the same.
    pub fn remove_ties(&mut self, doomed: &[u32]) {
        use rayon::prelude::*;
        use std::sync::atomic::Ordering::Relaxed;
        let (shift, mut rows) = self.row_ranges::<(u32, u32)>();
        for (h, &t) in doomed.iter().enumerate() {
            // The ties are scattered: ask for the one eight ahead.
            if let Some(&u) = doomed.get(h + 8) {
                prefetch(self.ties.flags.as_ptr().wrapping_add(u as usize));
                prefetch(self.ties.a.as_ptr().wrapping_add(u as usize));
                prefetch(self.ties.b.as_ptr().wrapping_add(u as usize));
            }
            if !self.retire(t) {
                continue;
            }
            let tu = t as usize;
            for x in [self.ties.a[tu], self.ties.b[tu]] {
                rows[x as usize >> shift].push((x, t));
            }
        }
        let offsets = &self.offsets;
        // Each task writes only its own rows' entries and lengths.
        let tie = crate::model::par::cells_u32(&mut self.tie);
        let neighbour = crate::model::par::cells_u32(&mut self.neighbour);
        let len = crate::model::par::cells_u32(&mut self.len);
        rows.par_iter().for_each(|edits| {
            for (h, &(x, t)) in edits.iter().enumerate() {
                if let Some(&(y, _)) = edits.get(h + 4) {
                    prefetch(tie.as_ptr().wrapping_add(offsets[y as usize] as usize));
                }
                let s = offsets[x as usize] as usize;
                let l = len[x as usize].load(Relaxed) as usize;
                if let Some(k) = (s..s + l).find(|&e| tie[e].load(Relaxed) == t) {
                    for e in k..s + l - 1 {
                        tie[e].store(tie[e + 1].load(Relaxed), Relaxed);
                        neighbour[e].store(neighbour[e + 1].load(Relaxed), Relaxed);
                    }
                    len[x as usize].store(l as u32 - 1, Relaxed);
                }
            }
        });
    }

    /// Multiplies every weight by `factor` in O(1) (uniform decay), folding the scale back
    /// into the stored weights when it gets small, to keep f32 precision. Returns the factor
    /// by which stored (scaled) weights were multiplied: 1.0 unless a fold happened, so that
    /// callers keeping sums of scaled weights can fold them too.
    pub fn decay_all(&mut self, factor: f64) -> f64 {
        self.scale *= factor;
        if self.scale < 1e-6 {
            let s = self.scale;
            for w in &mut self.ties.scaled_weight {
                *w = (*w as f64 * s) as f32;
            }
            self.unit_weights = false;
            self.scale = 1.0;
            return s;
        }
        1.0
    }

    /// Sum of current weights of `i`'s live ties.
    pub fn strength(&self, i: usize) -> f64 {
        self.tie_ids(i)
            .iter()
            .map(|&t| self.ties.scaled_weight[t as usize] as f64)
            .sum::<f64>()
            * self.scale
    }
}

/// Organisations per band in [`by_band`]: a band's rows (about 16k x mean degree entries
/// of 8 bytes, plus cursors) fit in a core's cache.
const BAND_ROWS_LOG2: u32 = 14;

/// Ties regrouped at a time by [`Bands`] when filling the adjacency: a 96 MB buffer at
/// most, one chunk for the 5M-tie benchmark graph (smaller chunks cost more in cache misses
/// than they save in fresh pages: each chunk revisits every band); small in tests so that
/// chunk boundaries are crossed.
const FILL_CHUNK: usize = if cfg!(test) { 1 << 12 } else { 1 << 23 };

/// Regroups adjacency entries `[row, neighbour, tie]` by band of rows (a counting sort on
/// the row's high bits), keeping their given order within each band, in a buffer reused
/// from one batch to the next. Writing entries band by band touches one small region of
/// the adjacency at a time instead of all of it at random.
struct Bands {
    start: Vec<usize>,
    out: Vec<[u32; 3]>,
}

impl Bands {
    fn new(n: usize) -> Bands {
        Bands {
            start: vec![0; (n >> BAND_ROWS_LOG2) + 2],
            out: Vec::new(),
        }
    }

    /// The entries, regrouped by band.
    fn regroup(&mut self, entries: impl Iterator<Item = [u32; 3]> + Clone) -> &[[u32; 3]] {
        let start = &mut self.start;
        start.fill(0);
        for [x, _, _] in entries.clone() {
            start[(x >> BAND_ROWS_LOG2) as usize + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let total = start[start.len() - 1];
        self.out.clear();
        self.out.resize(total, [0; 3]);
        for e in entries {
            let k = (e[0] >> BAND_ROWS_LOG2) as usize;
            self.out[start[k]] = e;
            start[k] += 1;
        }
        &self.out
    }
}

/// Boundary flags of ties with ends `a` and `b`: all zero (and not even written) when every
/// organisation has the same kind and place. (Organisations beyond a short attribute slice
/// differ from those inside it.)
fn boundary_table(n: usize, a: &[u32], b: &[u32], kind: &[u16], place: &[u16]) -> Vec<u8> {
    let uniform =
        |v: &[u16]| v.is_empty() || (v.len() >= n && v[..n].windows(2).all(|w| w[0] == w[1]));
    if uniform(kind) && uniform(place) {
        vec![0; a.len()]
    } else {
        a.iter()
            .zip(b)
            .map(|(&a, &b)| boundary_flags(a, b, kind, place))
            .collect()
    }
}

fn boundary_flags(a: u32, b: u32, kind: &[u16], place: &[u16]) -> u8 {
    let mut f = 0;
    if kind.get(a as usize) != kind.get(b as usize) {
        f |= CROSS_KIND;
    }
    if place.get(a as usize) != place.get(b as usize) {
        f |= CROSS_PLACE;
    }
    f
}

/// Asks the processor to bring the cache line of `p` in (no effect on results; a no-op
/// where there is no prefetch instruction).
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    // SAFETY: SSE is part of every x86_64 target, and a prefetch never faults or reads
    // into the program, whatever the address.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Test support: a simple LCG, reproducible without the simulation's generator.
#[cfg(test)]
pub struct TestLcg(pub u64);

#[cfg(test)]
impl TestLcg {
    /// The next 31-bit number.
    pub fn draw(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    /// A simple network of `n` organisations and `m` distinct ties of weights in
    /// [0.1, 1), for the unit tests of the rules that read one.
    pub fn network(&mut self, n: u32, m: usize) -> Network {
        let mut seen = std::collections::HashSet::new();
        let mut ties = Vec::new();
        while ties.len() < m {
            let (a, b) = (self.draw() % n, self.draw() % n);
            if a != b && seen.insert((a.min(b), a.max(b))) {
                ties.push(TieSpec {
                    a,
                    b,
                    weight: 0.1 + (self.draw() % 90) as f32 / 100.0,
                    person_dependent: false,
                });
            }
        }
        Network::from_ties(n as usize, &ties, &[], &[]).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(a: u32, b: u32) -> TieSpec {
        TieSpec {
            a,
            b,
            weight: 1.0,
            person_dependent: false,
        }
    }

    #[test]
    fn builds_csr_and_edits_in_place() {
        let kind = [0, 0, 1, 1];
        let place = [0, 1, 0, 1];
        let mut net = Network::from_ties(4, &[spec(0, 1), spec(1, 2)], &kind, &place).unwrap();
        assert_eq!(net.neighbours(1), &[0, 2]);
        assert_eq!(net.degree(3), 0);
        assert_eq!(net.ties.flags[0], CROSS_PLACE);
        assert_eq!(net.ties.flags[1], CROSS_KIND | CROSS_PLACE);
        let t = net.add_tie(spec(3, 0), &kind, &place);
        assert_eq!(t, 2);
        assert!(net.has_tie(0, 3) && net.has_tie(3, 0));
        assert_eq!(net.neighbours(0), &[1, 3]);
        net.remove_tie(0);
        assert_eq!(net.neighbours(0), &[3]);
        assert_eq!(net.neighbours(1), &[2]);
        assert_eq!(net.live_ties, 2);
        // Rows stay consistent after a rebuild with slack and more insertions.
        net.rebuild(1);
        net.add_tie(spec(1, 3), &kind, &place);
        net.add_tie(spec(0, 2), &kind, &place);
        assert_eq!(net.neighbours(3), &[0, 1]);
        assert_eq!(net.neighbours(0), &[3, 2]);
    }

    #[test]
    fn full_rows_move_and_keep_their_order() {
        let n = 40u32;
        let mut net = Network::from_ties(n as usize, &[spec(0, 1)], &[], &[]).unwrap();
        for b in 2..n {
            net.add_tie(spec(0, b), &[], &[]);
        }
        net.ensure_room(5, 10);
        assert!(net.cap[5] - net.len[5] >= 10);
        let row: Vec<u32> = (1..n).collect();
        assert_eq!(net.neighbours(0), &row[..]);
        for b in 1..n {
            assert_eq!(net.neighbours(b as usize), &[0]);
            assert!(net.has_tie(b, 0));
        }
        // A rebuild gives the same rows.
        let before: Vec<Vec<u32>> = (0..n as usize)
            .map(|i| net.neighbours(i).to_vec())
            .collect();
        net.rebuild(0);
        let after: Vec<Vec<u32>> = (0..n as usize)
            .map(|i| net.neighbours(i).to_vec())
            .collect();
        assert_eq!(before, after);
    }

    #[test]
    fn pairs_build_the_same_network_as_unit_ties() {
        let pairs = [(0, 1), (2, 1), (0, 3), (3, 2)];
        let specs: Vec<TieSpec> = pairs.iter().map(|&(a, b)| spec(a, b)).collect();
        let kind = [0, 0, 1, 1];
        let a = Network::from_ties(4, &specs, &kind, &[]).unwrap();
        let b = Network::from_pairs(4, &pairs, &kind, &[]).unwrap();
        assert_eq!(a.neighbour, b.neighbour);
        assert_eq!(a.tie, b.tie);
        assert_eq!(a.ties.flags, b.ties.flags);
        assert_eq!(b.ties.flags, [0, CROSS_KIND, CROSS_KIND, 0]);
        assert_eq!((b.ties.a[1], b.ties.b[1]), (1, 2));
        assert_eq!(b.neighbours(1), &[0, 2]);
    }

    #[test]
    fn ends_build_the_same_network_as_pairs() {
        let pairs = [(0, 1), (2, 1), (0, 3), (3, 2)];
        let kind = [0, 0, 1, 1];
        let a = Network::from_pairs(4, &pairs, &kind, &[]).unwrap();
        let (x, y): (Vec<u32>, Vec<u32>) = pairs.iter().copied().unzip();
        let b = Network::from_ends(4, x, y, &kind, &[]).unwrap();
        assert_eq!(a.neighbour, b.neighbour);
        assert_eq!(a.tie, b.tie);
        assert_eq!((&a.ties.a, &a.ties.b), (&b.ties.a, &b.ties.b));
        assert_eq!(a.ties.flags, b.ties.flags);
        assert!(b.unit_weights);
        assert!(matches!(
            Network::from_ends(2, vec![0], vec![2], &[], &[]),
            Err(NetworkError::OutOfRange { org: 2, .. })
        ));
        assert!(matches!(
            Network::from_ends(2, vec![1], vec![1], &[], &[]),
            Err(NetworkError::SelfLoop { org: 1, .. })
        ));
    }

    #[test]
    fn unit_weights_is_cleared_by_any_other_weight() {
        let mut net = Network::from_pairs(4, &[(0, 1), (1, 2)], &[], &[]).unwrap();
        assert!(net.unit_weights);
        net.set_weight(0, 1.0);
        assert!(net.unit_weights);
        net.set_weight(0, 0.5);
        assert!(!net.unit_weights);
        let mut net = Network::from_pairs(4, &[(0, 1), (1, 2)], &[], &[]).unwrap();
        net.add_tie(spec(2, 3), &[], &[]);
        assert!(net.unit_weights);
        net.add_tie(
            TieSpec {
                weight: 0.5,
                ..spec(0, 3)
            },
            &[],
            &[],
        );
        assert!(!net.unit_weights);
        let mut net = Network::from_pairs(4, &[(0, 1)], &[], &[]).unwrap();
        net.decay_all(0.5);
        assert!(
            net.unit_weights,
            "a scale change leaves scaled weights at 1"
        );
        net.decay_all(1e-7);
        assert!(!net.unit_weights, "folding the scale in changes them");
        let net = Network::from_ties(
            3,
            &[
                spec(0, 1),
                TieSpec {
                    weight: 0.5,
                    ..spec(1, 2)
                },
            ],
            &[],
            &[],
        )
        .unwrap();
        assert!(!net.unit_weights);
    }

    #[test]
    fn boundary_flags_with_uniform_and_short_attributes() {
        let pairs = [(0, 1), (1, 2)];
        // One kind and place throughout: no boundary is crossed.
        let net = Network::from_pairs(3, &pairs, &[4, 4, 4], &[1, 1, 1]).unwrap();
        assert_eq!(net.ties.flags, [0, 0]);
        // An organisation beyond a short attribute slice differs from those inside it.
        let net = Network::from_pairs(3, &pairs, &[4, 4], &[]).unwrap();
        assert_eq!(net.ties.flags, [0, CROSS_KIND]);
        let dependent = TieSpec {
            person_dependent: true,
            ..spec(0, 1)
        };
        let net = Network::from_ties(3, &[dependent, spec(2, 1)], &[], &[]).unwrap();
        assert_eq!(net.ties.flags, [PERSON_DEPENDENT, 0]);
    }

    #[test]
    fn rows_list_ties_in_tie_order_whether_sorted_by_lower_end_or_not() {
        // Row x must list its ties in tie order; check against a direct scan, for ties
        // sorted by lower end (the two-pass fill) and the same ties shuffled.
        let sorted = [
            (0, 3),
            (0, 5),
            (1, 2),
            (1, 5),
            (2, 3),
            (2, 4),
            (3, 5),
            (4, 5),
        ];
        let shuffled = [
            (2, 4),
            (0, 5),
            (3, 5),
            (1, 2),
            (0, 3),
            (4, 5),
            (2, 3),
            (1, 5),
        ];
        for pairs in [&sorted[..], &shuffled[..]] {
            let mut net = Network::from_pairs(6, pairs, &[], &[]).unwrap();
            for slack in [0, 3] {
                net.rebuild(slack);
                for x in 0..6u32 {
                    let want: Vec<(u32, u32)> = pairs
                        .iter()
                        .enumerate()
                        .filter_map(|(t, &(a, b))| {
                            (a == x)
                                .then_some((b, t as u32))
                                .or((b == x).then_some((a, t as u32)))
                        })
                        .collect();
                    let got: Vec<(u32, u32)> = net
                        .neighbours(x as usize)
                        .iter()
                        .copied()
                        .zip(net.tie_ids(x as usize).iter().copied())
                        .collect();
                    assert_eq!(got, want, "row {x} of {pairs:?}");
                }
            }
        }
    }

    #[test]
    fn banded_fill_keeps_tie_order_across_many_bands() {
        // 50k organisations (several bands of rows), ties sorted by lower end, with high
        // ends spread over the whole range so rows get entries from many places.
        let n = 50_000u32;
        let mut pairs = Vec::new();
        for a in 0..n {
            for k in 1..4u32 {
                let b = (a as u64 * 7919 + k as u64 * 104_729) % n as u64;
                if b as u32 > a {
                    pairs.push((a, b as u32));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let net = Network::from_pairs(n as usize, &pairs, &[], &[]).unwrap();
        let mut want: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n as usize];
        for (t, &(a, b)) in pairs.iter().enumerate() {
            want[a as usize].push((b, t as u32));
            want[b as usize].push((a, t as u32));
        }
        for (x, w) in want.iter().enumerate() {
            let got: Vec<(u32, u32)> = net
                .neighbours(x)
                .iter()
                .copied()
                .zip(net.tie_ids(x).iter().copied())
                .collect();
            assert_eq!(&got, w, "row {x}");
        }
    }

    #[test]
    fn rejects_bad_ties() {
        assert!(matches!(
            Network::from_ties(2, &[spec(0, 2)], &[], &[]),
            Err(NetworkError::OutOfRange { .. })
        ));
        assert!(matches!(
            Network::from_ties(2, &[spec(1, 1)], &[], &[]),
            Err(NetworkError::SelfLoop { .. })
        ));
    }

    #[test]
    fn uniform_decay_keeps_ratios() {
        let mut net = Network::from_ties(
            3,
            &[
                spec(0, 1),
                TieSpec {
                    weight: 0.5,
                    ..spec(0, 2)
                },
            ],
            &[],
            &[],
        )
        .unwrap();
        for _ in 0..200 {
            net.decay_all(0.9);
        }
        let s = net.strength(0);
        assert!(s > 0.0);
        assert!((net.weight(0) / s - 2.0 / 3.0).abs() < 1e-6);
    }
}
