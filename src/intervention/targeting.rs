//! Targeting strategies (MODEL.md section 9; Valente 2012): which organisations an
//! intervention or a seeding reaches. Filters (kind, place, members only) make the
//! eligible pool first, then a pick chooses among it; ties in any ranking are broken by
//! organisation index, so targeting is deterministic given the targeting stream.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::state::State;
use crate::model::world::World;
use crate::plan::Plan;
use crate::rng::{below, SimRng};
use crate::scenario::{Pick, Targets};

use super::greedy;
use crate::network::metrics;

/// Organisations matching the kind, place and membership filters, in index order.
pub fn eligible(plan: &Plan, world: &World, state: &State, targets: &Targets) -> Vec<u32> {
    let kinds: Vec<u16> = targets
        .kinds
        .iter()
        .filter_map(|k| plan.kind_index.get(k).copied())
        .collect();
    let places: Vec<u16> = targets
        .places
        .iter()
        .filter_map(|p| plan.place_index.get(p).copied())
        .collect();
    let keep = |i: u32| {
        let iu = i as usize;
        (places.is_empty() || places.contains(&world.place[iu]))
            && (!targets.members_only || state.member[iu])
    };
    // Lists are sized up front: growing a list of every organisation by doubling would copy
    // it several times over, at each of many events of a run.
    if kinds.is_empty() {
        if places.is_empty() && !targets.members_only {
            return (0..world.n as u32).collect();
        }
        // Every index written, the end advanced only past kept ones: no branch to mispredict.
        let mut pool = vec![0u32; world.n];
        let mut end = 0;
        if places.is_empty() {
            for (i, &m) in state.member[..world.n].iter().enumerate() {
                pool[end] = i as u32;
                end += m as usize;
            }
        } else {
            for i in 0..world.n as u32 {
                pool[end] = i;
                end += keep(i) as usize;
            }
        }
        pool.truncate(end);
        return pool;
    }
    // Only the listed kinds' organisations are visited; their lists are disjoint and each
    // in index order, so sorting the union restores index order.
    let listed = |k: usize| kinds.contains(&(k as u16));
    let size = (world.by_kind.iter().enumerate())
        .filter(|(k, _)| listed(*k))
        .map(|(_, list)| list.len())
        .sum();
    let mut pool: Vec<u32> = Vec::with_capacity(size);
    for (k, list) in world.by_kind.iter().enumerate() {
        if listed(k) {
            pool.extend(list.iter().copied().filter(|&i| keep(i)));
        }
    }
    pool.sort_unstable();
    pool
}

/// Resolves organisation ids (node-table ids, or indices of generated organisations).
fn resolve_ids(world: &World, ids: &[String]) -> Result<Vec<u32>, String> {
    let lookup: Option<BTreeMap<&str, u32>> = world.ids.as_ref().map(|v| {
        v.iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect()
    });
    ids.iter()
        .map(|id| {
            let found = match &lookup {
                Some(m) => m.get(id.as_str()).copied(),
                None => id
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|&i| (i as usize) < world.n),
            };
            found.ok_or_else(|| format!("unknown organisation id {id:?}"))
        })
        .collect()
}

/// Chooses the targets, in index order. `rng` is the targeting stream of this
/// intervention and step.
pub fn select(
    plan: &Plan,
    world: &World,
    state: &State,
    targets: &Targets,
    rng: &mut SimRng,
) -> Result<Vec<u32>, String> {
    let pool = eligible(plan, world, state, targets);
    let mut chosen = match &targets.pick {
        Pick::All => pool,
        Pick::Random(n) => sample(pool, *n as usize, rng),
        Pick::Fraction(f) => {
            let n = (pool.len() as f64 * f).round() as usize;
            sample(pool, n, rng)
        }
        Pick::HighestDegree(n) => {
            let degree: Vec<f64> = (0..state.n()).map(|i| state.net.degree(i) as f64).collect();
            top(&pool, &degree, *n as usize, true)
        }
        Pick::HighestBetweenness(n) => top(&pool, &betweenness(state, rng), *n as usize, true),
        Pick::LowestConstraint(n) => {
            top(&pool, &metrics::constraint(&state.net), *n as usize, false)
        }
        Pick::NominatedFriends(n) => nominated_friends(state, &pool, targets, *n as usize, rng),
        Pick::Greedy {
            seeds,
            probability,
            runs,
        } => greedy::select(state, &pool, *seeds as usize, *probability, *runs, rng)?,
        Pick::List(ids) => restrict(resolve_ids(world, ids)?, &pool),
        Pick::File(path) => {
            let full = plan.base_dir.join(Path::new(path));
            let text =
                std::fs::read_to_string(&full).map_err(|e| format!("{}: {e}", full.display()))?;
            let ids: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect();
            restrict(resolve_ids(world, &ids)?, &pool)
        }
    };
    chosen.sort_unstable();
    chosen.dedup();
    Ok(chosen)
}

/// The `n` of `pool` with the highest (or lowest) `score`, ties to the lower index;
/// organisations whose score is NaN (undefined) are never picked.
pub fn top(pool: &[u32], score: &[f64], n: usize, highest: bool) -> Vec<u32> {
    let mut ranked: Vec<u32> = pool
        .iter()
        .copied()
        .filter(|&i| !score[i as usize].is_nan())
        .collect();
    ranked.sort_by(|&a, &b| {
        let (x, y) = (score[a as usize], score[b as usize]);
        let by_score = if highest {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        };
        by_score.then(a.cmp(&b))
    });
    ranked.truncate(n);
    ranked
}

/// Networks up to this many organisations get exact betweenness.
pub const EXACT_BETWEENNESS_MAX: usize = 4096;
/// Sources sampled for betweenness on larger networks.
pub const BETWEENNESS_SOURCES: usize = 1024;

/// Betweenness for ranking: exact up to [`EXACT_BETWEENNESS_MAX`] organisations (O(n m)),
/// beyond that estimated from [`BETWEENNESS_SOURCES`] sources drawn from the targeting
/// stream (Brandes & Pich 2007), which keeps national networks to seconds.
fn betweenness(state: &State, rng: &mut SimRng) -> Vec<f64> {
    let n = state.n();
    if n <= EXACT_BETWEENNESS_MAX {
        return metrics::betweenness(&state.net);
    }
    let mut sources = sample((0..n as u32).collect(), BETWEENNESS_SOURCES, rng);
    sources.sort_unstable();
    metrics::betweenness_from(&state.net, &sources)
}

/// Keeps the listed organisations that pass the filters.
fn restrict(listed: Vec<u32>, pool: &[u32]) -> Vec<u32> {
    listed
        .into_iter()
        .filter(|i| pool.binary_search(i).is_ok())
        .collect()
}

/// `n` of `pool` uniformly without replacement (partial Fisher-Yates).
pub fn sample(mut pool: Vec<u32>, n: usize, rng: &mut SimRng) -> Vec<u32> {
    let n = n.min(pool.len());
    for k in 0..n {
        let j = k + below(rng, (pool.len() - k) as u64) as usize;
        pool.swap(k, j);
    }
    pool.truncate(n);
    pool
}

/// A uniformly random neighbour of `i` for which `eligible` holds, if any (one draw).
pub fn nominate(state: &State, i: usize, eligible: &[bool], rng: &mut SimRng) -> Option<u32> {
    let friends = state
        .net
        .neighbours(i)
        .iter()
        .filter(|&&j| eligible[j as usize])
        .count();
    if friends == 0 {
        return None;
    }
    let k = below(rng, friends as u64) as usize;
    state
        .net
        .neighbours(i)
        .iter()
        .copied()
        .filter(|&j| eligible[j as usize])
        .nth(k)
}

/// Nominated-friend targeting (Kim et al. 2015): organisations (members, when the targets
/// ask for members only) are asked in uniformly random order; each names a random eligible
/// neighbour; asking stops once `n` distinct friends are named or everyone was asked.
fn nominated_friends(
    state: &State,
    pool: &[u32],
    targets: &Targets,
    n: usize,
    rng: &mut SimRng,
) -> Vec<u32> {
    let mut eligible = vec![false; state.n()];
    for &i in pool {
        eligible[i as usize] = true;
    }
    let mut askers: Vec<u32> = (0..state.n() as u32)
        .filter(|&i| !targets.members_only || state.member[i as usize])
        .collect();
    let mut named = vec![false; state.n()];
    let mut out = Vec::new();
    // Lazy Fisher-Yates: the k-th asker is drawn from those not yet asked.
    for k in 0..askers.len() {
        if out.len() >= n {
            break;
        }
        let j = k + below(rng, (askers.len() - k) as u64) as usize;
        askers.swap(k, j);
        if let Some(f) = nominate(state, askers[k] as usize, &eligible, rng) {
            if !named[f as usize] {
                named[f as usize] = true;
                out.push(f);
            }
        }
    }
    out
}
