//! Network weaving (Krebs & Holley; Burt 1992): brokers are tied to organisations far from
//! them, bridging structural holes. Each target (aim them at brokers with
//! `LowestConstraint` or `HighestBetweenness`), in index order, gets `ties_per_broker` new
//! ties of the given weight to member organisations chosen uniformly among those at least
//! `min_distance` ties away on the current network (other components count as infinitely
//! far), optionally only in other places. Ties made for one broker count for the next.

use std::collections::VecDeque;

use crate::model::state::State;
use crate::model::world::World;
use crate::network::TieSpec;
use crate::rng::SimRng;

use super::targeting::sample;
use super::{make_tie, Reach};

/// The parameters of a weaving action.
pub struct Weaving {
    pub ties: u32,
    pub weight: f64,
    pub min_distance: u32,
    pub other_places_only: bool,
}

/// Weaves ties from each broker.
pub fn weave(
    world: &World,
    state: &mut State,
    brokers: &[u32],
    w: &Weaving,
    rng: &mut SimRng,
) -> Reach {
    let n = state.n();
    let mut near = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    for &b in brokers {
        // Organisations within min_distance - 1 ties of b (b included).
        touched.clear();
        let mut queue = VecDeque::from([(b, 0u32)]);
        near[b as usize] = true;
        touched.push(b);
        while let Some((v, d)) = queue.pop_front() {
            if d + 1 >= w.min_distance {
                continue;
            }
            for &u in state.net.neighbours(v as usize) {
                if !near[u as usize] {
                    near[u as usize] = true;
                    touched.push(u);
                    queue.push_back((u, d + 1));
                }
            }
        }
        let place = world.place[b as usize];
        let far: Vec<u32> = (0..n as u32)
            .filter(|&j| {
                let ju = j as usize;
                !near[ju] && state.member[ju] && !(w.other_places_only && world.place[ju] == place)
            })
            .collect();
        for &t in &touched {
            near[t as usize] = false;
        }
        let mut partners = sample(far, w.ties as usize, rng);
        partners.sort_unstable();
        for j in partners {
            let spec = TieSpec {
                a: b,
                b: j,
                weight: w.weight as f32,
                person_dependent: false,
            };
            make_tie(world, state, spec);
        }
    }
    Reach {
        organisations: brokers.len() as u64,
        ..Reach::default()
    }
}
