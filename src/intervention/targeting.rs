//! Targeting strategies (MODEL.md section 9): which organisations an intervention or a
//! seeding reaches. Filters by kind and place first, then a pick among the eligible; ties
//! in any ranking are broken by organisation index, so targeting is deterministic.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::state::State;
use crate::model::world::World;
use crate::plan::Plan;
use crate::rng::{below, SimRng};
use crate::scenario::{Pick, Targets};

/// Organisations matching the kind and place filters, in index order.
pub fn eligible(plan: &Plan, world: &World, targets: &Targets) -> Vec<u32> {
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
    (0..world.n as u32)
        .filter(|&i| {
            (kinds.is_empty() || kinds.contains(&world.kind[i as usize]))
                && (places.is_empty() || places.contains(&world.place[i as usize]))
        })
        .collect()
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

/// Chooses the targets. `rng` is the targeting stream of this intervention and step.
pub fn select(
    plan: &Plan,
    world: &World,
    state: &State,
    targets: &Targets,
    rng: &mut SimRng,
) -> Result<Vec<u32>, String> {
    let pool = eligible(plan, world, targets);
    let mut chosen = match &targets.pick {
        Pick::All => pool,
        Pick::Random(n) => sample(pool, *n as usize, rng),
        Pick::Fraction(f) => {
            let n = (pool.len() as f64 * f).round() as usize;
            sample(pool, n, rng)
        }
        Pick::HighestDegree(n) => {
            let mut ranked = pool;
            ranked.sort_by_key(|&i| (std::cmp::Reverse(state.net.degree(i as usize)), i));
            ranked.truncate(*n as usize);
            ranked
        }
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

/// Keeps the listed organisations that pass the filters.
fn restrict(listed: Vec<u32>, pool: &[u32]) -> Vec<u32> {
    listed
        .into_iter()
        .filter(|i| pool.binary_search(i).is_ok())
        .collect()
}

/// `n` of `pool` uniformly without replacement (partial Fisher-Yates).
fn sample(mut pool: Vec<u32>, n: usize, rng: &mut SimRng) -> Vec<u32> {
    let n = n.min(pool.len());
    for k in 0..n {
        let j = k + below(rng, (pool.len() - k) as u64) as usize;
        pool.swap(k, j);
    }
    pool.truncate(n);
    pool
}
