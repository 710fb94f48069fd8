//! Training cohorts (QSIR-like waves): trained staff `K` added to the targets.
//!
//! Each target trains `staff_per_org` people, capped at its untrained staff (its staff plus
//! any funded extra staff, minus those already trained). With `in_pairs` nobody trains
//! alone: a target's trainees are raised so that it has at least two trained people in
//! all, staff allowing; targets that still end with a single trained person (one member of
//! staff) are paired with each other, in index order (first with second, third with
//! fourth, ...; an odd one out joins the first pair's first organisation), by a tie of
//! `pair_weight` (an existing tie is raised to it), so each trainee has a peer to work
//! with. A lone single-staff target with no other to pair with stays alone.

use crate::model::state::State;
use crate::model::world::World;
use crate::network::TieSpec;

use super::{make_tie, Reach};

/// Trains the targets; `pair_weight` is `Some` when training in pairs.
pub fn cohort(
    world: &World,
    state: &mut State,
    targets: &[u32],
    staff_per_org: u32,
    pair_weight: Option<f64>,
) -> Reach {
    let mut trained = 0u64;
    let mut singles: Vec<u32> = Vec::new();
    // Each target's new count reads only its own: worked out first, then set all at once
    // (on all threads when many: a cohort can be a large share of a big world).
    let mut changes = Vec::with_capacity(targets.len());
    for &i in targets {
        let iu = i as usize;
        let capacity = world.staff[iu].saturating_add(state.programme.extra_staff(iu));
        let room = capacity.saturating_sub(state.trained[iu]);
        let mut want = staff_per_org;
        if pair_weight.is_some() {
            want = want.max(2u32.saturating_sub(state.trained[iu]));
        }
        let n = want.min(room);
        changes.push((i, state.trained[iu] + n, state.active[iu]));
        trained += n as u64;
        if pair_weight.is_some() && n > 0 && state.trained[iu] + n == 1 {
            singles.push(i);
        }
    }
    state.set_staff_all(&changes);
    if let Some(w) = pair_weight {
        let mut pairs: Vec<(u32, u32)> = singles.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        if singles.len() >= 3 && singles.len() % 2 == 1 {
            pairs.push((singles[0], singles[singles.len() - 1]));
        }
        for (a, b) in pairs {
            tie_at_least(world, state, a, b, w);
        }
    }
    Reach {
        organisations: targets.len() as u64,
        trained,
        ..Reach::default()
    }
}

/// Ties `a` and `b` with at least weight `w`: a new tie, or an existing one raised.
pub fn tie_at_least(world: &World, state: &mut State, a: u32, b: u32, w: f64) {
    let existing = state
        .net
        .neighbours(a as usize)
        .iter()
        .zip(state.net.tie_ids(a as usize))
        .find(|(&j, _)| j == b)
        .map(|(_, &t)| t);
    match existing {
        Some(t) => {
            if state.net.weight(t as usize) < w {
                state.set_tie_weight(t, w);
            }
        }
        None => {
            let spec = TieSpec {
                a,
                b,
                weight: w as f32,
                person_dependent: false,
            };
            make_tie(world, state, spec);
        }
    }
}
