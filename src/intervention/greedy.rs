//! Greedy influence maximisation (Kempe, Kleinberg & Tardos 2003) with lazy evaluation
//! (CELF; Leskovec et al. 2007).
//!
//! The spread of a seed set is the expected number of organisations an independent
//! cascade from it reaches, each tie passing it with probability `probability * weight`
//! (ties to withdrawn organisations carry nothing). On an undirected network a tie is used
//! in one direction at most, so a cascade reaches exactly the seeds' components in the
//! "live-tie" network that keeps each tie with that probability. The estimate draws `runs`
//! live-tie networks once, from the targeting stream, and reuses them for every candidate
//! (common random numbers): the estimated spread is then an average of coverage functions,
//! exactly monotone and submodular, so lazy evaluation picks the same seeds as plain greedy
//! and the greedy set is within (1 - 1/e) of the best set under the estimate. Marginal gains
//! are whole numbers (organisations summed over runs), so comparisons are exact and ties go
//! to the lower organisation index.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::state::State;
use crate::network::REMOVED;
use crate::rng::{unit, SimRng};

/// Largest `runs * organisations` accepted (component labels are kept for every run).
pub const MAX_WORK: u64 = 50_000_000;

/// Component labels of the live-tie networks of `runs` draws.
pub struct LiveTieSamples {
    pub n: usize,
    pub runs: usize,
    /// `root[r * n + i]`: the component (a representative organisation) of i in run r.
    pub root: Vec<u32>,
    /// `size[r * n + c]`: organisations in component c of run r.
    pub size: Vec<u32>,
}

impl LiveTieSamples {
    /// Draws `runs` live-tie networks of the current network: one uniform per tie (removed
    /// ties included, so the stream does not shift with removals) per run, in tie order.
    pub fn draw(state: &State, probability: f64, runs: u32, rng: &mut SimRng) -> Self {
        let n = state.n();
        let ties = &state.net.ties;
        let runs = runs as usize;
        let mut root = vec![0u32; runs * n];
        let mut size = vec![0u32; runs * n];
        let mut parent: Vec<u32> = Vec::with_capacity(n);
        for r in 0..runs {
            parent.clear();
            parent.extend(0..n as u32);
            for t in 0..ties.len() {
                let u = unit(rng);
                if ties.flags[t] & REMOVED != 0 {
                    continue;
                }
                let (a, b) = (ties.a[t] as usize, ties.b[t] as usize);
                if !(state.member[a] && state.member[b]) {
                    continue;
                }
                if u < probability * state.net.weight(t) {
                    let (ra, rb) = (find(&mut parent, a as u32), find(&mut parent, b as u32));
                    if ra != rb {
                        // The lower index represents the merged component.
                        parent[ra.max(rb) as usize] = ra.min(rb);
                    }
                }
            }
            for i in 0..n {
                let c = find(&mut parent, i as u32);
                root[r * n + i] = c;
                size[r * n + c as usize] += 1;
            }
        }
        LiveTieSamples {
            n,
            runs,
            root,
            size,
        }
    }

    /// Organisations reached by `seeds`, summed over runs.
    pub fn reached(&self, seeds: &[u32]) -> u64 {
        let mut total = 0u64;
        let mut seen: Vec<u32> = Vec::with_capacity(seeds.len());
        for r in 0..self.runs {
            seen.clear();
            for &s in seeds {
                let c = self.root[r * self.n + s as usize];
                if !seen.contains(&c) {
                    seen.push(c);
                    total += self.size[r * self.n + c as usize] as u64;
                }
            }
        }
        total
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Up to `k` seeds from `pool`, in the order greedy picks them.
pub fn select(
    state: &State,
    pool: &[u32],
    k: usize,
    probability: f64,
    runs: u32,
    rng: &mut SimRng,
) -> Result<Vec<u32>, String> {
    let work = runs as u64 * state.n() as u64;
    if work > MAX_WORK {
        return Err(format!(
            "greedy targeting with {runs} runs on {} organisations needs {work} labels; at most {MAX_WORK} are allowed (use fewer runs or another pick)",
            state.n()
        ));
    }
    if k == 0 || pool.is_empty() || runs == 0 {
        return Ok(Vec::new());
    }
    let s = LiveTieSamples::draw(state, probability, runs, rng);
    let mut covered = vec![false; s.root.len()];
    let gain = |v: u32, covered: &[bool]| -> u64 {
        (0..s.runs)
            .map(|r| {
                let c = s.root[r * s.n + v as usize] as usize;
                if covered[r * s.n + c] {
                    0
                } else {
                    s.size[r * s.n + c] as u64
                }
            })
            .sum()
    };
    // (gain, lower index first, round the gain was computed in)
    let mut heap: BinaryHeap<(u64, Reverse<u32>, usize)> = pool
        .iter()
        .map(|&v| (gain(v, &covered), Reverse(v), 0))
        .collect();
    let mut chosen = Vec::with_capacity(k.min(pool.len()));
    while chosen.len() < k {
        let Some((g, Reverse(v), round)) = heap.pop() else {
            break;
        };
        if round == chosen.len() {
            chosen.push(v);
            for r in 0..s.runs {
                let c = s.root[r * s.n + v as usize] as usize;
                covered[r * s.n + c] = true;
            }
        } else {
            let fresh = gain(v, &covered);
            debug_assert!(fresh <= g, "spread estimate must be submodular");
            heap.push((fresh, Reverse(v), chosen.len()));
        }
    }
    Ok(chosen)
}
