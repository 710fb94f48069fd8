//! Network generators, seeded from the run's network stream.
//!
//! Every generator makes a simple undirected graph (no self-loops, no repeated ties), is a
//! pure function of the organisations and the random stream it is given, and uses memory
//! proportional to organisations + ties. Semantics follow networkx where a networkx
//! generator exists (Watts-Strogatz, Barabasi-Albert), so published results carry over;
//! the random numbers themselves are ours, so the graphs are not networkx's graphs.
//!
//! Ties come out with unit weight; [`draw_weights`] draws weights afterwards in tie order,
//! from a separate stream, so changing the weight distribution never changes the structure.
//! [`build_ties`] runs the whole recipe of a [`NetworkSpec`] with the documented streams.

use std::collections::HashSet;

use rayon::slice::ParallelSliceMut;

use crate::network::TieSpec;
use crate::rng::{below, unit, Draws, Purpose, SimRng};
use crate::scenario::{Dist, Mixing, NetworkModel, NetworkSpec};

/// Most ties a network may have: every tie takes two 32-bit adjacency entries.
pub const MAX_TIES: u64 = (u32::MAX / 2) as u64 - 1;

/// Organisation attributes a generator may use (block models group by kind and place).
pub struct Nodes<'a> {
    pub kind: &'a [u16],
    pub place: &'a [u16],
}

/// Why a network could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError {
    #[error("network model {model}: {message}")]
    Invalid {
        model: &'static str,
        message: String,
    },
    #[error("network model {0} reads a file; it is loaded by the importer, not generated")]
    Imported(&'static str),
    #[error("network model {model} would make {ties} ties, more than the {MAX_TIES} this build supports")]
    TooLarge { model: &'static str, ties: u128 },
}

fn invalid(model: &'static str, message: impl Into<String>) -> GenerateError {
    GenerateError::Invalid {
        model,
        message: message.into(),
    }
}

#[inline]
fn tie(a: u32, b: u32) -> TieSpec {
    TieSpec {
        a,
        b,
        weight: 1.0,
        person_dependent: false,
    }
}

/// Pair key with the lower end in the high half, so sorted keys are sorted (a, b).
#[inline]
fn key(a: u32, b: u32) -> u64 {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    (a as u64) << 32 | b as u64
}

#[inline]
fn unkey(k: u64) -> TieSpec {
    tie((k >> 32) as u32, k as u32)
}

fn check_size(model: &'static str, ties: u128) -> Result<(), GenerateError> {
    if ties > MAX_TIES as u128 {
        Err(GenerateError::TooLarge { model, ties })
    } else {
        Ok(())
    }
}

fn check_probability(model: &'static str, p: f64) -> Result<(), GenerateError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(invalid(model, format!("p must be in [0, 1], got {p}")))
    }
}

/// Generates the ties of `model` over `nodes` with unit weights (weights are drawn later).
pub fn generate(
    model: &NetworkModel,
    nodes: &Nodes,
    rng: &mut SimRng,
) -> Result<Vec<TieSpec>, GenerateError> {
    let n = nodes.kind.len();
    if n > u32::MAX as usize {
        return Err(invalid("any", format!("{n} organisations exceed 2^32 - 1")));
    }
    match model {
        NetworkModel::Complete => {
            let pairs = n as u128 * (n as u128).saturating_sub(1) / 2;
            check_size("Complete", pairs)?;
            let mut out = Vec::with_capacity(pairs as usize);
            for a in 0..n as u32 {
                for b in a + 1..n as u32 {
                    out.push(tie(a, b));
                }
            }
            Ok(out)
        }
        NetworkModel::RingLattice { k } => {
            let half = (*k as usize / 2).min(n.saturating_sub(1) / 2);
            check_size("RingLattice", n as u128 * half as u128)?;
            let mut out = Vec::with_capacity(n * half);
            for a in 0..n {
                for d in 1..=half {
                    out.push(tie(a as u32, ((a + d) % n) as u32));
                }
            }
            Ok(out)
        }
        NetworkModel::ErdosRenyi { mean_degree } => {
            if !mean_degree.is_finite() || *mean_degree < 0.0 {
                return Err(invalid(
                    "ErdosRenyi",
                    format!("mean_degree must be a non-negative number, got {mean_degree}"),
                ));
            }
            let p = if n < 2 {
                0.0
            } else {
                (mean_degree / (n as f64 - 1.0)).min(1.0)
            };
            gnp("ErdosRenyi", n, p, rng)
        }
        NetworkModel::ErdosRenyiP { p } => {
            check_probability("ErdosRenyiP", *p)?;
            gnp("ErdosRenyiP", n, *p, rng)
        }
        NetworkModel::ErdosRenyiM { ties } => gnm(n, *ties, rng),
        NetworkModel::WattsStrogatz { k, p } => watts_strogatz(n, *k as usize, *p, rng),
        NetworkModel::BarabasiAlbert { m } => barabasi_albert(n, *m as usize, rng),
        NetworkModel::StochasticBlock {
            mean_degree,
            mixing,
        } => stochastic_block(nodes, *mean_degree, mixing, rng),
        NetworkModel::Configuration { degree } => {
            let mut degrees: Vec<u32> = (0..n)
                .map(|_| sample_dist(degree, rng).round().clamp(0.0, u32::MAX as f64) as u32)
                .collect();
            let total: u64 = degrees.iter().map(|&d| d as u64).sum();
            if total % 2 == 1 {
                if let Some(last) = degrees.last_mut() {
                    *last = last.saturating_add(1);
                }
            }
            configuration(&degrees, rng).map(|(t, _)| t)
        }
        NetworkModel::ConfigurationDegrees { degrees } => {
            if degrees.len() != n {
                return Err(invalid(
                    "ConfigurationDegrees",
                    format!(
                        "degrees lists {} organisations but there are {n}",
                        degrees.len()
                    ),
                ));
            }
            configuration(degrees, rng).map(|(t, _)| t)
        }
        NetworkModel::EdgeList { .. } => Err(GenerateError::Imported("EdgeList")),
        NetworkModel::PlainEdges { .. } => Err(GenerateError::Imported("PlainEdges")),
        NetworkModel::Attendance { .. } => Err(GenerateError::Imported("Attendance")),
    }
}

/// G(n,p) by Batagelj & Brandes (2005) geometric skipping over the pairs (w, v), w < v:
/// time proportional to n + ties.
fn gnp(
    model: &'static str,
    n: usize,
    p: f64,
    rng: &mut SimRng,
) -> Result<Vec<TieSpec>, GenerateError> {
    let mut out = Vec::new();
    if n < 2 || p <= 0.0 {
        return Ok(out);
    }
    let pairs = n as u128 * (n as u128 - 1) / 2;
    let expected = pairs as f64 * p;
    check_size(model, (expected + 6.0 * expected.sqrt()) as u128)?;
    out.reserve((expected + 3.0 * expected.sqrt()) as usize);
    let lp = (1.0 - p).ln();
    let (mut v, mut w): (i64, i64) = (1, -1);
    let n = n as i64;
    while v < n {
        let skip = if p >= 1.0 {
            0
        } else {
            // ln(1 - r) / ln(1 - p) is the number of failures before the next success.
            ((1.0 - unit(rng)).ln() / lp)
                .floor()
                .min(i64::MAX as f64 / 4.0) as i64
        };
        w += 1 + skip;
        while w >= v && v < n {
            w -= v;
            v += 1;
        }
        if v < n {
            out.push(tie(w as u32, v as u32));
        }
    }
    if out.len() as u64 > MAX_TIES {
        return Err(GenerateError::TooLarge {
            model,
            ties: out.len() as u128,
        });
    }
    Ok(out)
}

/// Sorts pair keys and drops repeats (in parallel; the result does not depend on threads).
fn sort_dedup(keys: &mut Vec<u64>) {
    // Splitting a sort over threads pays only for large lists; below that (the networks of
    // replicates already running side by side) one thread's sort is faster.
    if keys.len() > 1 << 20 {
        keys.par_sort_unstable();
    } else {
        keys.sort_unstable();
    }
    keys.dedup();
}

/// G(n,m): uniform pairs drawn until `m` distinct ones are held (sparse), or selection
/// sampling over every pair in order (dense, m above half the pairs). Ties in (a, b) order.
fn gnm(n: usize, m: u64, rng: &mut SimRng) -> Result<Vec<TieSpec>, GenerateError> {
    let pairs = n as u128 * (n as u128).saturating_sub(1) / 2;
    if m as u128 > pairs {
        return Err(invalid(
            "ErdosRenyiM",
            format!("{m} ties asked but {n} organisations have only {pairs} pairs"),
        ));
    }
    check_size("ErdosRenyiM", m as u128)?;
    if m == 0 {
        return Ok(Vec::new());
    }
    if m as u128 * 2 > pairs {
        // pairs <= 2 m <= 2 MAX_TIES, so enumerating them is linear in ties.
        let mut out = Vec::with_capacity(m as usize);
        let mut remaining = pairs as u64;
        let mut needed = m;
        for a in 0..n as u32 {
            for b in a + 1..n as u32 {
                if below(rng, remaining) < needed {
                    out.push(tie(a, b));
                    needed -= 1;
                }
                remaining -= 1;
            }
        }
        return Ok(out);
    }
    let mut keys: Vec<u64> = Vec::with_capacity(m as usize);
    while (keys.len() as u64) < m {
        let fresh = m as usize - keys.len();
        for _ in 0..fresh {
            let a = below(rng, n as u64) as u32;
            let mut b = below(rng, n as u64 - 1) as u32;
            if b >= a {
                b += 1;
            }
            keys.push(key(a, b));
        }
        sort_dedup(&mut keys);
    }
    Ok(keys.into_iter().map(unkey).collect())
}

/// Watts-Strogatz with networkx's rewiring: for j = 1..k/2, for each u in order, the tie
/// (u, u + j) is replaced with probability p by (u, w), w uniform, redrawn while w = u or
/// u and w are already tied, and left alone if u is tied to everyone.
fn watts_strogatz(
    n: usize,
    k: usize,
    p: f64,
    rng: &mut SimRng,
) -> Result<Vec<TieSpec>, GenerateError> {
    check_probability("WattsStrogatz", p)?;
    if k > n {
        return Err(invalid(
            "WattsStrogatz",
            format!("k = {k} must not exceed the {n} organisations"),
        ));
    }
    if k == n {
        return generate(
            &NetworkModel::Complete,
            &Nodes {
                kind: &vec![0; n],
                place: &[],
            },
            rng,
        );
    }
    let h = k / 2;
    check_size("WattsStrogatz", n as u128 * h as u128)?;
    if h == 0 {
        return Ok(Vec::new());
    }
    // Slot u * h + (j - 1) holds the far end of u's j-th lattice tie. Lattice ties are
    // implicit; `moved` marks rewired slots and `extra` holds the ties rewiring made.
    let mut far: Vec<u32> = Vec::with_capacity(n * h);
    for u in 0..n {
        for j in 1..=h {
            far.push(((u + j) % n) as u32);
        }
    }
    let mut moved = vec![false; n * h];
    let mut extra: HashSet<u64> = HashSet::new();
    let mut degree = vec![2 * h as u32; n];
    let tied = |moved: &[bool], extra: &HashSet<u64>, u: usize, w: usize| -> bool {
        let d = (w + n - u) % n;
        if (1..=h).contains(&d) && !moved[u * h + d - 1] {
            return true;
        }
        let d = (u + n - w) % n;
        if (1..=h).contains(&d) && !moved[w * h + d - 1] {
            return true;
        }
        extra.contains(&key(u as u32, w as u32))
    };
    for j in 1..=h {
        for u in 0..n {
            if unit(rng) >= p {
                continue;
            }
            let mut w = below(rng, n as u64) as usize;
            let mut give_up = false;
            while w == u || tied(&moved, &extra, u, w) {
                w = below(rng, n as u64) as usize;
                if degree[u] as usize >= n - 1 {
                    give_up = true;
                    break;
                }
            }
            if give_up {
                continue;
            }
            // Each lattice slot is visited once, so slot s still holds its lattice tie.
            let s = u * h + j - 1;
            let v = far[s] as usize;
            moved[s] = true;
            far[s] = w as u32;
            degree[v] -= 1;
            degree[w] += 1;
            extra.insert(key(u as u32, w as u32));
        }
    }
    Ok((0..n * h).map(|s| tie((s / h) as u32, far[s])).collect())
}

/// Barabasi-Albert with networkx's construction: a star on organisations 0..=m, then each
/// newcomer draws m distinct targets from the list of tie ends (degree-proportional).
fn barabasi_albert(n: usize, m: usize, rng: &mut SimRng) -> Result<Vec<TieSpec>, GenerateError> {
    if m < 1 || m >= n {
        return Err(invalid(
            "BarabasiAlbert",
            format!("m must satisfy 1 <= m < organisations ({n}), got {m}"),
        ));
    }
    let ties = m as u128 * (n - m) as u128;
    check_size("BarabasiAlbert", ties)?;
    let mut out = Vec::with_capacity(ties as usize);
    let mut ends: Vec<u32> = Vec::with_capacity(2 * ties as usize);
    for leaf in 1..=m as u32 {
        out.push(tie(0, leaf));
        ends.push(0);
        ends.push(leaf);
    }
    let mut targets: Vec<u32> = Vec::with_capacity(m);
    for newcomer in m as u32 + 1..n as u32 {
        targets.clear();
        while targets.len() < m {
            let x = ends[below(rng, ends.len() as u64) as usize];
            if !targets.contains(&x) {
                targets.push(x);
            }
        }
        for &t in &targets {
            out.push(tie(t, newcomer));
            ends.push(t);
            ends.push(newcomer);
        }
    }
    Ok(out)
}

/// Erased configuration model: stubs shuffled (Fisher-Yates) and paired in order; self-loops
/// and repeated ties are dropped. Returns the ties in (a, b) order and how many stub pairs
/// were dropped as (self-loops, repeats).
pub fn configuration(
    degrees: &[u32],
    rng: &mut SimRng,
) -> Result<(Vec<TieSpec>, (u64, u64)), GenerateError> {
    let total: u64 = degrees.iter().map(|&d| d as u64).sum();
    if total % 2 == 1 {
        return Err(invalid(
            "Configuration",
            format!("the degrees sum to {total}, which is odd; every tie has two ends"),
        ));
    }
    check_size("Configuration", total as u128 / 2)?;
    let mut stubs: Vec<u32> = Vec::with_capacity(total as usize);
    for (i, &d) in degrees.iter().enumerate() {
        stubs.extend(std::iter::repeat_n(i as u32, d as usize));
    }
    for i in (1..stubs.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        stubs.swap(i, j);
    }
    let mut keys: Vec<u64> = Vec::with_capacity(stubs.len() / 2);
    let mut loops = 0u64;
    for pair in stubs.chunks_exact(2) {
        if pair[0] == pair[1] {
            loops += 1;
        } else {
            keys.push(key(pair[0], pair[1]));
        }
    }
    drop(stubs);
    let before = keys.len() as u64;
    sort_dedup(&mut keys);
    let repeats = before - keys.len() as u64;
    Ok((keys.into_iter().map(unkey).collect(), (loops, repeats)))
}

/// The four boundary classes of a pair, in [`Mixing`] field order.
const CLASSES: usize = 4;

/// Stochastic block model over blocks (place, kind). Class c's expected ties are
/// n * mean_degree / 2 * share_c, spread uniformly over the class's pairs (probability
/// p_c per pair, capped at 1). Sparse classes: the tie count is drawn exactly (geometric
/// skipping over the class's pairs), then distinct uniform pairs are drawn until it is
/// reached. Dense classes (few pairs): each pair is tried in turn.
fn stochastic_block(
    nodes: &Nodes,
    mean_degree: f64,
    mixing: &Mixing,
    rng: &mut SimRng,
) -> Result<Vec<TieSpec>, GenerateError> {
    const M: &str = "StochasticBlock";
    let n = nodes.kind.len();
    if !mean_degree.is_finite() || mean_degree < 0.0 {
        return Err(invalid(
            M,
            format!("mean_degree must be a non-negative number, got {mean_degree}"),
        ));
    }
    let shares = [
        mixing.same_place_same_kind,
        mixing.same_place_other_kind,
        mixing.other_place_same_kind,
        mixing.other_place_other_kind,
    ];
    if shares.iter().any(|s| !s.is_finite() || *s < 0.0) {
        return Err(invalid(
            M,
            format!("mixing shares must be non-negative numbers, got {shares:?}"),
        ));
    }
    if nodes.place.len() != n {
        return Err(invalid(
            M,
            format!("{} places given for {n} organisations", nodes.place.len()),
        ));
    }
    if n < 2 || mean_degree == 0.0 {
        return Ok(Vec::new());
    }
    let blocks = Blocks::new(nodes);
    let pairs = blocks.class_pairs();
    let live: f64 = (0..CLASSES)
        .filter(|&c| pairs[c] > 0)
        .map(|c| shares[c])
        .sum();
    if live <= 0.0 {
        return Err(invalid(
            M,
            "every mixing share with possible pairs is zero: no tie can be made",
        ));
    }
    let mut out = Vec::new();
    for c in 0..CLASSES {
        if pairs[c] == 0 || shares[c] == 0.0 {
            continue;
        }
        let expected = n as f64 * mean_degree / 2.0 * shares[c] / live;
        let p = (expected / pairs[c] as f64).min(1.0);
        check_size(M, (expected * 1.1 + 100.0) as u128)?;
        if blocks.enumeration_cost(c) <= 4 * (expected as u64) + 100_000 {
            blocks.each_pair(c, &mut |a, b| {
                if p >= 1.0 || unit(rng) < p {
                    out.push(tie(a, b));
                }
            });
            continue;
        }
        // Exact Binomial(pairs, p) count by geometric skipping: O(count) draws.
        let lp = (1.0 - p).ln();
        let mut count = 0u64;
        let mut pos: f64 = -1.0;
        loop {
            let skip = if p >= 1.0 {
                0.0
            } else {
                ((1.0 - unit(rng)).ln() / lp).floor()
            };
            pos += 1.0 + skip;
            if pos >= pairs[c] as f64 {
                break;
            }
            count += 1;
        }
        let mut keys: Vec<u64> = Vec::with_capacity(count as usize);
        while (keys.len() as u64) < count {
            for _ in keys.len() as u64..count {
                let (a, b) = blocks.draw_pair(c, rng);
                keys.push(key(a, b));
            }
            sort_dedup(&mut keys);
        }
        out.extend(keys.into_iter().map(unkey));
    }
    check_size(M, out.len() as u128)?;
    Ok(out)
}

/// Organisations grouped by (place, kind) blocks, in two orders for range arithmetic.
struct Blocks<'a> {
    kind: &'a [u16],
    /// Organisations sorted by (place, kind, index).
    by_place: Vec<u32>,
    /// Organisations sorted by (kind, place, index).
    by_kind: Vec<u32>,
    /// Per block: start in `by_place`, start in `by_kind`, size, place range, kind range.
    start_p: Vec<usize>,
    start_k: Vec<usize>,
    size: Vec<usize>,
    place_range: Vec<(usize, usize)>,
    kind_range: Vec<(usize, usize)>,
    /// Per class: cumulative ordered-pair weights of blocks, for drawing the first end.
    cumulative: [Vec<u64>; CLASSES],
}

impl<'a> Blocks<'a> {
    fn new(nodes: &Nodes<'a>) -> Blocks<'a> {
        let n = nodes.kind.len();
        let (kind, place) = (nodes.kind, nodes.place);
        let mut by_place: Vec<u32> = (0..n as u32).collect();
        by_place.sort_by_key(|&i| (place[i as usize], kind[i as usize], i));
        let mut by_kind: Vec<u32> = (0..n as u32).collect();
        by_kind.sort_by_key(|&i| (kind[i as usize], place[i as usize], i));
        let mut b = Blocks {
            kind,
            by_place,
            by_kind,
            start_p: Vec::new(),
            start_k: Vec::new(),
            size: Vec::new(),
            place_range: Vec::new(),
            kind_range: Vec::new(),
            cumulative: Default::default(),
        };
        // Runs of equal (place, kind) in by_place are blocks; runs of equal place are places.
        let pk = |i: u32| (place[i as usize], kind[i as usize]);
        let mut s = 0;
        let mut place_start = 0;
        while s < n {
            let here = pk(b.by_place[s]);
            if s > 0 && place[b.by_place[s - 1] as usize] != here.0 {
                place_start = s;
            }
            let mut e = s;
            while e < n && pk(b.by_place[e]) == here {
                e += 1;
            }
            let mut pe = e;
            while pe < n && place[b.by_place[pe] as usize] == here.0 {
                pe += 1;
            }
            b.start_p.push(s);
            b.size.push(e - s);
            b.place_range.push((place_start, pe));
            let ks = b.by_kind.partition_point(|&i| kind[i as usize] < here.1);
            let ke = b.by_kind.partition_point(|&i| kind[i as usize] <= here.1);
            let bs = ks + b.by_kind[ks..ke].partition_point(|&i| place[i as usize] < here.0);
            b.start_k.push(bs);
            b.kind_range.push((ks, ke));
            s = e;
        }
        for c in 0..CLASSES {
            let mut acc = 0u64;
            b.cumulative[c] = (0..b.size.len())
                .map(|x| {
                    acc += b.weight(c, x);
                    acc
                })
                .collect();
        }
        b
    }

    /// Ordered pairs of class c whose first end is in block x.
    fn weight(&self, c: usize, x: usize) -> u64 {
        let s = self.size[x] as u64;
        let pl = (self.place_range[x].1 - self.place_range[x].0) as u64;
        let kd = (self.kind_range[x].1 - self.kind_range[x].0) as u64;
        let n = self.by_place.len() as u64;
        s * match c {
            0 => s - 1,
            1 => pl - s,
            2 => kd - s,
            _ => n + s - pl - kd,
        }
    }

    /// Unordered pairs per class.
    fn class_pairs(&self) -> [u64; CLASSES] {
        std::array::from_fn(|c| self.cumulative[c].last().copied().unwrap_or(0) / 2)
    }

    /// Work to visit every pair of class c (other place, other kind also scans the
    /// other-place same-kind pairs it skips).
    fn enumeration_cost(&self, c: usize) -> u64 {
        let p = self.class_pairs();
        if c == 3 {
            p[2] + p[3]
        } else {
            p[c]
        }
    }

    /// Calls `f` on every pair of class c once, in a fixed order.
    fn each_pair(&self, c: usize, f: &mut dyn FnMut(u32, u32)) {
        for x in 0..self.size.len() {
            let (s, e) = (self.start_p[x], self.start_p[x] + self.size[x]);
            match c {
                0 => {
                    for i in s..e {
                        for j in i + 1..e {
                            f(self.by_place[i], self.by_place[j]);
                        }
                    }
                }
                1 => {
                    for i in s..e {
                        for j in e..self.place_range[x].1 {
                            f(self.by_place[i], self.by_place[j]);
                        }
                    }
                }
                2 => {
                    let (ks, ke) = (self.start_k[x], self.start_k[x] + self.size[x]);
                    for i in ks..ke {
                        for j in ke..self.kind_range[x].1 {
                            f(self.by_kind[i], self.by_kind[j]);
                        }
                    }
                }
                _ => {
                    let k = self.kind[self.by_place[s] as usize];
                    for i in s..e {
                        for j in self.place_range[x].1..self.by_place.len() {
                            let v = self.by_place[j];
                            if self.kind[v as usize] != k {
                                f(self.by_place[i], v);
                            }
                        }
                    }
                }
            }
        }
    }

    /// A uniform pair of class c (as an ordered pair drawn uniformly).
    fn draw_pair(&self, c: usize, rng: &mut SimRng) -> (u32, u32) {
        let cum = &self.cumulative[c];
        let total = cum.last().copied().unwrap_or(0);
        let r = below(rng, total);
        let x = cum.partition_point(|&acc| acc <= r);
        let (s, size) = (self.start_p[x], self.size[x]);
        let i = below(rng, size as u64) as usize;
        let u = self.by_place[s + i];
        let v = match c {
            0 => {
                let mut j = below(rng, size as u64 - 1) as usize;
                if j >= i {
                    j += 1;
                }
                self.by_place[s + j]
            }
            1 => {
                let (ps, pe) = self.place_range[x];
                let mut j = ps + below(rng, (pe - ps - size) as u64) as usize;
                if j >= s {
                    j += size;
                }
                self.by_place[j]
            }
            2 => {
                let (ks, ke) = self.kind_range[x];
                let bs = self.start_k[x];
                let mut j = ks + below(rng, (ke - ks - size) as u64) as usize;
                if j >= bs {
                    j += size;
                }
                self.by_kind[j]
            }
            _ => {
                let (ps, pe) = self.place_range[x];
                let outside = (self.by_place.len() - (pe - ps)) as u64;
                let k = self.kind[u as usize];
                // Rejection of same-kind organisations: accepted with probability
                // (other place, other kind) / (other place) > 0 since block x has weight.
                loop {
                    let mut j = below(rng, outside) as usize;
                    if j >= ps {
                        j += pe - ps;
                    }
                    let v = self.by_place[j];
                    if self.kind[v as usize] != k {
                        break v;
                    }
                }
            }
        };
        (u, v)
    }
}

/// A standard normal draw (Box-Muller, two uniforms).
fn normal(rng: &mut SimRng) -> f64 {
    let u1 = 1.0 - unit(rng);
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One draw from `dist`. Normal draws are clamped at zero, as [`Dist`] documents.
pub fn sample_dist(dist: &Dist, rng: &mut SimRng) -> f64 {
    match *dist {
        Dist::Fixed(x) => x,
        Dist::Uniform { lo, hi } => lo + (hi - lo) * unit(rng),
        Dist::Normal { mean, sd } => (mean + sd * normal(rng)).max(0.0),
        Dist::LogNormal { median, sigma } => median * (sigma * normal(rng)).exp(),
    }
}

/// Draws every tie's weight from `dist` in tie order (negative draws become 0).
pub fn draw_weights(ties: &mut [TieSpec], dist: &Dist, rng: &mut SimRng) {
    if let Dist::Fixed(x) = dist {
        let w = x.max(0.0) as f32;
        ties.iter_mut().for_each(|t| t.weight = w);
        return;
    }
    for t in ties.iter_mut() {
        t.weight = sample_dist(dist, rng).max(0.0) as f32;
    }
}

/// Marks each tie person-dependent with probability `share`, in tie order.
pub fn draw_person_dependent(ties: &mut [TieSpec], share: f64, rng: &mut SimRng) {
    if share <= 0.0 {
        return;
    }
    for t in ties.iter_mut() {
        t.person_dependent = unit(rng) < share;
    }
}

/// Strong triadic closure (Granovetter 1973), one pass: for each organisation in index
/// order, each pair of its strong neighbours (weight >= `strong`) that is not yet tied is
/// tied with probability `probability` (one draw per open triad, in order). A pair open
/// through several middles is tied once. New ties (unit weight, appended in (a, b) order)
/// do not take part in the same pass. Returns how many ties were added. Work is the sum
/// over organisations of (strong degree)^2.
pub fn strong_triadic_closure(
    n: usize,
    ties: &mut Vec<TieSpec>,
    strong: f64,
    probability: f64,
    rng: &mut SimRng,
) -> usize {
    if probability <= 0.0 || n == 0 {
        return 0;
    }
    let in_range = |t: &TieSpec| (t.a as usize) < n && (t.b as usize) < n;
    let mut existing: Vec<u64> = ties
        .iter()
        .filter(|t| in_range(t))
        .map(|t| key(t.a, t.b))
        .collect();
    existing.par_sort_unstable();
    let (offsets, strong_nb) = csr(
        n,
        ties.iter()
            .filter(|t| in_range(t) && t.weight as f64 >= strong)
            .map(|t| (t.a, t.b)),
    );
    let mut added: Vec<u64> = Vec::new();
    for i in 0..n {
        let row = &strong_nb[offsets[i] as usize..offsets[i + 1] as usize];
        for (x, &a) in row.iter().enumerate() {
            for &b in &row[x + 1..] {
                let k = key(a, b);
                if existing.binary_search(&k).is_err()
                    && (probability >= 1.0 || unit(rng) < probability)
                {
                    added.push(k);
                }
            }
        }
    }
    sort_dedup(&mut added);
    let count = added.len();
    ties.extend(added.into_iter().map(unkey));
    count
}

/// Sorted CSR adjacency (both directions) of `n` organisations from undirected pairs.
pub(crate) fn csr(
    n: usize,
    pairs: impl Iterator<Item = (u32, u32)> + Clone,
) -> (Vec<u64>, Vec<u32>) {
    let mut offsets = vec![0u64; n + 1];
    for (a, b) in pairs.clone() {
        offsets[a as usize + 1] += 1;
        offsets[b as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill: Vec<u64> = offsets[..n].to_vec();
    let mut nb = vec![0u32; offsets[n] as usize];
    for (a, b) in pairs {
        nb[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
        nb[fill[b as usize] as usize] = a;
        fill[b as usize] += 1;
    }
    for i in 0..n {
        nb[offsets[i] as usize..offsets[i + 1] as usize].sort_unstable();
    }
    (offsets, nb)
}

/// Builds the starting ties of a generated network from a scenario's [`NetworkSpec`] for
/// one replicate key. Streams: structure from (Network, sub 0), weights from (Weights,
/// sub 0), person-dependence from (Weights, sub 1), strong triadic closure from (Network,
/// sub 1) and the closing ties' weights from (Weights, sub 2); all at step 0.
pub fn build_ties(
    spec: &NetworkSpec,
    nodes: &Nodes,
    key: &[u8; 32],
) -> Result<Vec<TieSpec>, GenerateError> {
    let mut rng = Draws::sequence(key, Purpose::Network, 0, 0);
    let mut ties = generate(&spec.model, nodes, &mut rng)?;
    draw_weights(
        &mut ties,
        &spec.weights,
        &mut Draws::sequence(key, Purpose::Weights, 0, 0),
    );
    draw_person_dependent(
        &mut ties,
        spec.person_dependent_share,
        &mut Draws::sequence(key, Purpose::Weights, 1, 0),
    );
    close_and_weigh(spec, nodes.kind.len(), &mut ties, key);
    check_size("strong triadic closure", ties.len() as u128)?;
    Ok(ties)
}

/// Applies the spec's strong triadic closure to `ties` (generated or imported) and draws
/// the new ties' weights; see [`build_ties`] for the streams.
pub fn close_and_weigh(spec: &NetworkSpec, n: usize, ties: &mut Vec<TieSpec>, key: &[u8; 32]) {
    let before = ties.len();
    let added = strong_triadic_closure(
        n,
        ties,
        spec.strong_threshold,
        spec.strong_triadic_closure,
        &mut Draws::sequence(key, Purpose::Network, 1, 0),
    );
    if added > 0 {
        draw_weights(
            &mut ties[before..],
            &spec.weights,
            &mut Draws::sequence(key, Purpose::Weights, 2, 0),
        );
    }
}
