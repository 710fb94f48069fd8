//! Social-network analysis of a [`Network`]: size, components, degrees, clustering, path
//! lengths, betweenness, Burt's structural holes and E-I indices.
//!
//! Every measure here is **unweighted**: a tie counts as a tie whatever its weight (the
//! networkx defaults, so results can be checked against networkx). Only live ties count.
//! Definitions follow networkx 3.x; where networkx leaves a value undefined (constraint and
//! effective size of an isolate) the value is NaN, as there.
//!
//! Parallel measures split work into fixed chunks that do not depend on the thread count
//! and combine floating-point partial sums in chunk order, so results are byte-identical
//! at any number of threads.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::SeedableRng;
use rayon::prelude::*;

use crate::network::Network;
use crate::rng::{below, SimRng};

/// Number of organisations and live ties, and density 2m / (n (n - 1)) (0 when n < 2).
pub fn size(net: &Network) -> (usize, usize, f64) {
    let n = net.n;
    let m = net.live_ties;
    let density = if n < 2 {
        0.0
    } else {
        2.0 * m as f64 / (n as f64 * (n as f64 - 1.0))
    };
    (n, m, density)
}

/// Live ties of each organisation.
pub fn degrees(net: &Network) -> Vec<u32> {
    net.len.clone()
}

/// `histogram[d]` = organisations with degree d.
pub fn degree_histogram(net: &Network) -> Vec<u64> {
    let max = net.len.iter().copied().max().unwrap_or(0) as usize;
    let mut h = vec![0u64; if net.n == 0 { 0 } else { max + 1 }];
    for &d in &net.len {
        h[d as usize] += 1;
    }
    h
}

/// Organisations with no live tie, in index order.
pub fn isolates(net: &Network) -> Vec<u32> {
    (0..net.n as u32)
        .filter(|&i| net.len[i as usize] == 0)
        .collect()
}

/// Connected components: `label[i]` numbers components in order of their lowest member;
/// `sizes[c]` is component c's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Components {
    pub label: Vec<u32>,
    pub sizes: Vec<usize>,
}

impl Components {
    /// Size of the largest component (0 for an empty network).
    pub fn largest(&self) -> usize {
        self.sizes.iter().copied().max().unwrap_or(0)
    }
}

/// Connected components by breadth-first search.
pub fn components(net: &Network) -> Components {
    let n = net.n;
    let mut label = vec![u32::MAX; n];
    let mut sizes = Vec::new();
    let mut queue: Vec<u32> = Vec::new();
    for s in 0..n {
        if label[s] != u32::MAX {
            continue;
        }
        let c = sizes.len() as u32;
        label[s] = c;
        queue.clear();
        queue.push(s as u32);
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head] as usize;
            head += 1;
            for &w in net.neighbours(v) {
                if label[w as usize] == u32::MAX {
                    label[w as usize] = c;
                    queue.push(w);
                }
            }
        }
        sizes.push(queue.len());
    }
    Components { label, sizes }
}

/// Triangles through each organisation. Each triangle is found once, from its end of
/// lowest (degree, index) rank, by marking forward neighbours: O(m^1.5) at worst, in
/// parallel (integer counts, so the result is exact at any thread count).
pub fn triangles(net: &Network) -> Vec<u64> {
    let n = net.n;
    let rank_less = |a: u32, b: u32| (net.len[a as usize], a) < (net.len[b as usize], b);
    // Forward adjacency: neighbours of higher rank.
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0usize);
    let mut forward: Vec<u32> = Vec::with_capacity(net.live_ties);
    for u in 0..n {
        forward.extend(
            net.neighbours(u)
                .iter()
                .copied()
                .filter(|&v| rank_less(u as u32, v)),
        );
        offsets.push(forward.len());
    }
    let counts: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    const CHUNK: usize = 1024;
    (0..n.div_ceil(CHUNK)).into_par_iter().for_each_init(
        || vec![u32::MAX; n],
        |mark, c| {
            for u in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let fu = &forward[offsets[u]..offsets[u + 1]];
                if fu.len() < 2 {
                    continue;
                }
                for &v in fu {
                    mark[v as usize] = u as u32;
                }
                let mut here = 0u64;
                for &v in fu {
                    let fv = &forward[offsets[v as usize]..offsets[v as usize + 1]];
                    let mut through_v = 0u64;
                    for &w in fv {
                        if mark[w as usize] == u as u32 {
                            through_v += 1;
                            counts[w as usize].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if through_v > 0 {
                        counts[v as usize].fetch_add(through_v, Ordering::Relaxed);
                        here += through_v;
                    }
                }
                if here > 0 {
                    counts[u].fetch_add(here, Ordering::Relaxed);
                }
            }
        },
    );
    counts.into_iter().map(|c| c.into_inner()).collect()
}

/// Local clustering: triangles through i over the pairs of its neighbours, 2 T / (d (d-1));
/// 0 when d < 2 (networkx).
pub fn local_clustering(net: &Network, triangles: &[u64]) -> Vec<f64> {
    (0..net.n)
        .map(|i| {
            let d = net.len[i] as f64;
            if d < 2.0 {
                0.0
            } else {
                2.0 * triangles[i] as f64 / (d * (d - 1.0))
            }
        })
        .collect()
}

/// Mean of local clustering over all organisations, isolates counting as 0 (networkx
/// `average_clustering`); 0 for an empty network.
pub fn average_clustering(local: &[f64]) -> f64 {
    if local.is_empty() {
        0.0
    } else {
        local.iter().sum::<f64>() / local.len() as f64
    }
}

/// Transitivity (global clustering): 3 x triangles / connected triples; 0 with no triples.
pub fn transitivity(net: &Network, triangles: &[u64]) -> f64 {
    let triples: f64 = net
        .len
        .iter()
        .map(|&d| d as f64 * (d as f64 - 1.0) / 2.0)
        .sum();
    if triples == 0.0 {
        0.0
    } else {
        // Each triangle is counted at each of its three corners.
        triangles.iter().sum::<u64>() as f64 / triples
    }
}

/// Average shortest path length over pairs of distinct organisations that can reach each
/// other (pairs in different components are left out; for a connected network this is
/// networkx's `average_shortest_path_length`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PathLengths {
    /// Mean distance in ties.
    pub mean: f64,
    /// Standard error of `mean` from sampling sources (0 when exact).
    pub standard_error: f64,
    /// Whether every organisation was a source (exact).
    pub exact: bool,
    /// Sources searched.
    pub sources: usize,
    /// Longest distance met (the diameter when exact and connected).
    pub longest: u32,
}

/// When to compute path lengths and betweenness exactly, and how to sample otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Exact when n x (n + m) is at most this (one breadth-first search per organisation).
    pub max_exact_work: u64,
    /// Sources sampled otherwise, at most; fewer (but at least 32) when
    /// sources x (n + m) would exceed `max_exact_work`, so large networks stay quick.
    pub sources: usize,
    /// Seed of the source sample.
    pub seed: u64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            max_exact_work: 1_000_000_000,
            sources: 500,
            seed: 1,
        }
    }
}

impl Sampling {
    /// The sources to search: all organisations, or a uniform sample without replacement
    /// (sorted), and whether that is exact.
    pub fn sources(&self, net: &Network) -> (Vec<u32>, bool) {
        let n = net.n;
        let work = n as u64 * (n as u64 + net.live_ties as u64);
        if work <= self.max_exact_work || self.sources >= n {
            return ((0..n as u32).collect(), true);
        }
        let mut rng = SimRng::seed_from_u64(self.seed);
        let mut pool: Vec<u32> = (0..n as u32).collect();
        let per_source = (n as u64 + net.live_ties as u64).max(1);
        let k = self
            .sources
            .min((self.max_exact_work / per_source) as usize)
            .max(32)
            .min(n);
        for i in 0..k {
            let j = i + below(&mut rng, (n - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool.sort_unstable();
        (pool, false)
    }
}

/// Breadth-first distances from `s` into `dist` (u32::MAX = unreached), visiting order in
/// `order`. Returns nothing; callers read `order` and `dist`.
fn bfs(net: &Network, s: usize, dist: &mut [u32], order: &mut Vec<u32>) {
    order.clear();
    dist[s] = 0;
    order.push(s as u32);
    let mut head = 0;
    while head < order.len() {
        let v = order[head] as usize;
        head += 1;
        let dv = dist[v] + 1;
        for &w in net.neighbours(v) {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dv;
                order.push(w);
            }
        }
    }
}

/// Average shortest path length (see [`PathLengths`]). Sampled estimates use the ratio of
/// summed distances to summed reachable pairs over sources; the standard error is the
/// delta-method error of that ratio across sources.
pub fn average_shortest_path(net: &Network, sampling: &Sampling) -> PathLengths {
    let (sources, exact) = sampling.sources(net);
    let n = net.n;
    // (sum of distances, reachable others, longest) per source: integers, exact sums.
    let per: Vec<(u64, u64, u32)> = sources
        .par_chunks(64)
        .flat_map_iter(|chunk| {
            let mut dist = vec![u32::MAX; n];
            let mut order = Vec::new();
            chunk
                .iter()
                .map(|&s| {
                    bfs(net, s as usize, &mut dist, &mut order);
                    let mut sum = 0u64;
                    let mut longest = 0;
                    for &v in &order {
                        let d = dist[v as usize];
                        sum += d as u64;
                        longest = longest.max(d);
                        dist[v as usize] = u32::MAX;
                    }
                    (sum, order.len() as u64 - 1, longest)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let total: u64 = per.iter().map(|p| p.0).sum();
    let pairs: u64 = per.iter().map(|p| p.1).sum();
    let longest = per.iter().map(|p| p.2).max().unwrap_or(0);
    let mean = if pairs == 0 {
        0.0
    } else {
        total as f64 / pairs as f64
    };
    let k = per.len() as f64;
    let standard_error = if exact || per.len() < 2 || pairs == 0 {
        0.0
    } else {
        let c_bar = pairs as f64 / k;
        let ss: f64 = per
            .iter()
            .map(|&(d, c, _)| (d as f64 - mean * c as f64).powi(2))
            .sum();
        (ss / (k * (k - 1.0))).sqrt() / c_bar
    };
    PathLengths {
        mean,
        standard_error,
        exact,
        sources: per.len(),
        longest,
    }
}

/// Betweenness by Brandes' algorithm over the given sources, unnormalised and counting
/// each unordered pair once (networkx `betweenness_centrality(normalized=False)`, igraph
/// `betweenness()`). With a sample of k sources out of n, scores are scaled by n / k.
///
/// Sources are cut into at most 64 fixed chunks; each chunk sums its sources in order, and
/// chunk sums are added in chunk order, so the floating-point result does not depend on
/// the thread count. At most one chunk vector per thread is alive at a time.
pub fn betweenness_from(net: &Network, sources: &[u32]) -> Vec<f64> {
    let n = net.n;
    let mut total = vec![0.0f64; n];
    if sources.is_empty() || n == 0 {
        return total;
    }
    let chunk = sources.len().div_ceil(64).max(1);
    let chunks: Vec<&[u32]> = sources.chunks(chunk).collect();
    let wave = rayon::current_num_threads().max(1);
    let adj = Adjacency::new(net);
    for group in chunks.chunks(wave) {
        let parts: Vec<Vec<f64>> = group.par_iter().map(|c| brandes_chunk(&adj, c)).collect();
        for part in parts {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
    }
    let scale = 0.5 * n as f64 / sources.len() as f64;
    for t in &mut total {
        *t *= scale;
    }
    total
}

/// Exact betweenness (every organisation a source).
pub fn betweenness(net: &Network) -> Vec<f64> {
    let sources: Vec<u32> = (0..net.n as u32).collect();
    betweenness_from(net, &sources)
}

/// Betweenness normalised by the pairs not including the organisation, (n-1)(n-2)/2
/// (networkx `normalized=True`).
pub fn normalise_betweenness(raw: &[f64]) -> Vec<f64> {
    let n = raw.len() as f64;
    let pairs = (n - 1.0) * (n - 2.0) / 2.0;
    raw.iter()
        .map(|&b| if pairs > 0.0 { b / pairs } else { 0.0 })
        .collect()
}

/// Compact adjacency (no slack) for the hot loops: row i is `nb[start[i]..start[i + 1]]`.
struct Adjacency {
    start: Vec<usize>,
    nb: Vec<u32>,
}

impl Adjacency {
    fn new(net: &Network) -> Adjacency {
        let mut start = Vec::with_capacity(net.n + 1);
        let mut nb = Vec::with_capacity(2 * net.live_ties);
        start.push(0);
        for i in 0..net.n {
            nb.extend_from_slice(net.neighbours(i));
            start.push(nb.len());
        }
        Adjacency { start, nb }
    }

    #[inline]
    fn row(&self, i: usize) -> &[u32] {
        &self.nb[self.start[i]..self.start[i + 1]]
    }
}

/// Dependencies of one chunk of sources, summed in source order (ordered pairs).
///
/// Distances are kept in their own u32 array (small enough to stay in the fastest cache
/// for tens of thousands of organisations); the tests of "one step further" are
/// branch-free, as they are unpredictable.
fn brandes_chunk(adj: &Adjacency, sources: &[u32]) -> Vec<f64> {
    let n = adj.start.len() - 1;
    let mut acc = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut sigma = vec![0.0f64; n];
    // (1 + dependency) / sigma once an organisation's dependency is final.
    let mut coef = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for &s in sources {
        let s = s as usize;
        order.clear();
        dist[s] = 0;
        sigma[s] = 1.0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let dv = dist[v] + 1;
            let sv = sigma[v];
            for &w in adj.row(v) {
                let w = w as usize;
                let d = dist[w];
                if d == u32::MAX {
                    dist[w] = dv;
                    order.push(w as u32);
                    sigma[w] = sv;
                } else if d == dv {
                    sigma[w] += sv;
                }
            }
        }
        // Dependencies in reverse breadth-first order, pulled from the neighbours one step
        // further (successors), so each organisation's dependency is written once.
        for &v in order.iter().rev() {
            let v = v as usize;
            let dn = dist[v] + 1;
            let mut pull = 0.0;
            for &w in adj.row(v) {
                let w = w as usize;
                pull += if dist[w] == dn { coef[w] } else { 0.0 };
            }
            let delta = sigma[v] * pull;
            if v != s {
                acc[v] += delta;
            }
            coef[v] = (1.0 + delta) / sigma[v];
        }
        // sigma is set on discovery and coef before it is read (stale values are
        // ignored by the distance test), so only distances need resetting.
        for &v in &order {
            dist[v as usize] = u32::MAX;
        }
    }
    acc
}

/// Burt's constraint (networkx, unweighted): for i with neighbours N(i),
/// c_i = sum over j in N(i) of (p_ij + sum over q in N(i) & N(j) of p_iq p_qj)^2 with
/// p_xy = 1 / degree(x). High constraint: i's contacts all know each other (closed,
/// redundant network); low: i bridges structural holes. NaN for isolates.
pub fn constraint(net: &Network) -> Vec<f64> {
    let n = net.n;
    const CHUNK: usize = 1024;
    let inv: Vec<f64> = net
        .len
        .iter()
        .map(|&d| if d == 0 { 0.0 } else { 1.0 / d as f64 })
        .collect();
    let parts: Vec<Vec<f64>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map_init(
            || vec![u32::MAX; n],
            |mark, c| {
                (c * CHUNK..((c + 1) * CHUNK).min(n))
                    .map(|i| {
                        let nb = net.neighbours(i);
                        if nb.is_empty() {
                            return f64::NAN;
                        }
                        for &j in nb {
                            mark[j as usize] = i as u32;
                        }
                        let pi = inv[i];
                        nb.iter()
                            .map(|&j| {
                                let indirect: f64 = net
                                    .neighbours(j as usize)
                                    .iter()
                                    .filter(|&&q| mark[q as usize] == i as u32)
                                    .map(|&q| inv[q as usize])
                                    .sum();
                                let local = pi + pi * indirect;
                                local * local
                            })
                            .sum()
                    })
                    .collect()
            },
        )
        .collect();
    parts.concat()
}

/// Burt's effective size (networkx, unweighted undirected): degree minus the average
/// number of ties each contact has to the others, d - 2 T / d with T the triangles through
/// i. The number of non-redundant contacts. NaN for isolates.
pub fn effective_size(net: &Network, triangles: &[u64]) -> Vec<f64> {
    (0..net.n)
        .map(|i| {
            let d = net.len[i] as f64;
            if d == 0.0 {
                f64::NAN
            } else {
                d - 2.0 * triangles[i] as f64 / d
            }
        })
        .collect()
}

/// Krackhardt & Stern's E-I index of ties across a grouping (kinds or places):
/// (external - internal) / (external + internal), from -1 (all ties inside groups) to +1
/// (all ties across).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EiIndex {
    /// Ties joining different groups.
    pub external: u64,
    /// Ties inside a group.
    pub internal: u64,
    /// The whole network's index (NaN with no ties).
    pub index: f64,
    /// Per group: ties leaving it, ties inside it, and its index (NaN with no ties).
    pub groups: Vec<(u64, u64, f64)>,
    /// Per organisation: (ties across - ties inside) / degree (NaN for isolates).
    pub organisation: Vec<f64>,
}

fn ei(e: u64, i: u64) -> f64 {
    if e + i == 0 {
        f64::NAN
    } else {
        (e as f64 - i as f64) / (e + i) as f64
    }
}

/// E-I index for `group[i]` in 0..groups.
pub fn ei_index(net: &Network, group: &[u16], groups: usize) -> EiIndex {
    let mut per = vec![(0u64, 0u64); groups];
    let (mut external, mut internal) = (0u64, 0u64);
    let g = |i: u32| group.get(i as usize).copied().unwrap_or(0) as usize;
    let mut organisation = vec![f64::NAN; net.n];
    for (i, org) in organisation.iter_mut().enumerate() {
        let gi = g(i as u32);
        let (mut e, mut t) = (0u64, 0u64);
        for &j in net.neighbours(i) {
            t += 1;
            if g(j) != gi {
                e += 1;
                if (i as u32) < j {
                    external += 1;
                    if let Some(p) = per.get_mut(gi) {
                        p.0 += 1;
                    }
                    if let Some(p) = per.get_mut(g(j)) {
                        p.0 += 1;
                    }
                }
            } else if (i as u32) < j {
                internal += 1;
                if let Some(p) = per.get_mut(gi) {
                    p.1 += 1;
                }
            }
        }
        if t > 0 {
            *org = ei(e, t - e);
        }
    }
    EiIndex {
        external,
        internal,
        index: ei(external, internal),
        groups: per.iter().map(|&(e, i)| (e, i, ei(e, i))).collect(),
        organisation,
    }
}

/// Ties between each pair of groups: `matrix[g][h]` for g <= h (symmetric, filled both
/// ways), counting each tie once.
pub fn mixing_matrix(net: &Network, group: &[u16], groups: usize) -> Vec<Vec<u64>> {
    let mut m = vec![vec![0u64; groups]; groups];
    for t in 0..net.ties.len() {
        if net.ties.flags[t] & crate::network::REMOVED != 0 {
            continue;
        }
        let a = group.get(net.ties.a[t] as usize).copied().unwrap_or(0) as usize;
        let b = group.get(net.ties.b[t] as usize).copied().unwrap_or(0) as usize;
        if a < groups && b < groups {
            m[a][b] += 1;
            if a != b {
                m[b][a] += 1;
            }
        }
    }
    m
}

/// The `k` organisations with the highest score (ties broken by lower index), NaNs last.
pub fn top(scores: &[f64], k: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..scores.len() as u32).collect();
    let key = |i: u32| {
        let s = scores[i as usize];
        if s.is_nan() {
            f64::NEG_INFINITY
        } else {
            s
        }
    };
    idx.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

/// Per-organisation measures, for reports and for targeting interventions (by degree,
/// betweenness, constraint).
#[derive(Debug, Clone, PartialEq)]
pub struct OrgMetrics {
    pub degree: Vec<u32>,
    pub triangles: Vec<u64>,
    /// Local clustering (0 when degree < 2).
    pub clustering: Vec<f64>,
    /// Unnormalised betweenness (each pair once); estimated when `betweenness_exact` is false.
    pub betweenness: Vec<f64>,
    /// Whether betweenness used every organisation as a source.
    pub betweenness_exact: bool,
    /// Sources used for betweenness.
    pub betweenness_sources: usize,
    /// Burt's constraint (NaN for isolates).
    pub constraint: Vec<f64>,
    /// Burt's effective size (NaN for isolates).
    pub effective_size: Vec<f64>,
    /// Connected component label (numbered by lowest member).
    pub component: Vec<u32>,
}

/// Computes every per-organisation measure. Betweenness is exact when n x (n + m) is
/// within `sampling.max_exact_work`, else estimated from `sampling.sources` sources.
pub fn org_metrics(net: &Network, sampling: &Sampling) -> (OrgMetrics, Components) {
    let tri = triangles(net);
    let (sources, exact) = sampling.sources(net);
    let comps = components(net);
    let m = OrgMetrics {
        degree: degrees(net),
        clustering: local_clustering(net, &tri),
        betweenness: betweenness_from(net, &sources),
        betweenness_exact: exact,
        betweenness_sources: sources.len(),
        constraint: constraint(net),
        effective_size: effective_size(net, &tri),
        component: comps.label.clone(),
        triangles: tri,
    };
    (m, comps)
}
