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
    /// `CROSS_KIND | CROSS_PLACE | PERSON_DEPENDENT | REMOVED`.
    pub flags: Vec<u8>,
}

impl Ties {
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
        if specs.len().saturating_mul(2) >= u32::MAX as usize {
            return Err(NetworkError::TooLarge(specs.len().saturating_mul(2)));
        }
        let mut ties = Ties::default();
        ties.a.reserve_exact(specs.len());
        ties.b.reserve_exact(specs.len());
        ties.scaled_weight.reserve_exact(specs.len());
        ties.flags.reserve_exact(specs.len());
        for (index, s) in specs.iter().enumerate() {
            for org in [s.a, s.b] {
                if org as usize >= n {
                    return Err(NetworkError::OutOfRange { index, org, n });
                }
            }
            if s.a == s.b {
                return Err(NetworkError::SelfLoop { index, org: s.a });
            }
            let (a, b) = if s.a < s.b { (s.a, s.b) } else { (s.b, s.a) };
            ties.a.push(a);
            ties.b.push(b);
            ties.scaled_weight.push(s.weight);
            ties.flags.push(
                boundary_flags(a, b, kind, place)
                    | if s.person_dependent {
                        PERSON_DEPENDENT
                    } else {
                        0
                    },
            );
        }
        ties.reciprocity = vec![0.0; specs.len()];
        let mut net = Network {
            n,
            offsets: Vec::new(),
            len: Vec::new(),
            cap: Vec::new(),
            neighbour: Vec::new(),
            tie: Vec::new(),
            live_ties: specs.len(),
            ties,
            scale: 1.0,
        };
        net.rebuild(0);
        Ok(net)
    }

    /// Rebuilds the adjacency from the live ties, leaving `slack` free entries per row
    /// (plus a quarter of its length). Rows list neighbours in tie order: deterministic.
    pub fn rebuild(&mut self, slack: u32) {
        let n = self.n;
        let mut deg = vec![0u32; n];
        for t in 0..self.ties.len() {
            if self.ties.flags[t] & REMOVED == 0 {
                deg[self.ties.a[t] as usize] += 1;
                deg[self.ties.b[t] as usize] += 1;
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
        let mut neighbour = vec![u32::MAX; total];
        let mut tie = vec![u32::MAX; total];
        let mut fill = vec![0u32; n];
        for t in 0..self.ties.len() {
            if self.ties.flags[t] & REMOVED != 0 {
                continue;
            }
            let (a, b) = (self.ties.a[t] as usize, self.ties.b[t] as usize);
            let pa = (offsets[a] + fill[a]) as usize;
            neighbour[pa] = b as u32;
            tie[pa] = t as u32;
            fill[a] += 1;
            let pb = (offsets[b] + fill[b]) as usize;
            neighbour[pb] = a as u32;
            tie[pb] = t as u32;
            fill[b] += 1;
        }
        self.offsets = offsets;
        self.cap = cap;
        self.len = fill;
        self.neighbour = neighbour;
        self.tie = tie;
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
        self.ties.scaled_weight[t] = (w / self.scale) as f32;
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
        let (a, b) = if spec.a < spec.b {
            (spec.a, spec.b)
        } else {
            (spec.b, spec.a)
        };
        debug_assert!(a != b && !self.has_tie(a, b));
        let t = self.ties.len() as u32;
        self.ties.a.push(a);
        self.ties.b.push(b);
        self.ties
            .scaled_weight
            .push((spec.weight as f64 / self.scale) as f32);
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
        for x in [a, b] {
            if self.len[x as usize] == self.cap[x as usize] && !self.relocate(x as usize, 1) {
                self.rebuild(4);
                return t;
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            let p = (self.offsets[x as usize] + self.len[x as usize]) as usize;
            self.neighbour[p] = y;
            self.tie[p] = t;
            self.len[x as usize] += 1;
        }
        t
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

    /// Removes tie `t` from both rows (order within rows is kept, so results stay
    /// independent of removal history beyond the removal itself).
    pub fn remove_tie(&mut self, t: u32) {
        let tu = t as usize;
        if self.ties.flags[tu] & REMOVED != 0 {
            return;
        }
        self.ties.flags[tu] |= REMOVED;
        self.live_ties -= 1;
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
