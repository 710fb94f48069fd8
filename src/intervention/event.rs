//! Large-scale engagement events: the targets attend. In order:
//! 1. recruitment (if asked): withdrawn attendees rejoin, their commitment raised to the
//!    rejoin threshold;
//! 2. commitment boost: each attendee's commitment rises by the boost, capped at 1 (a
//!    withdrawn attendee that is not recruited returns through the commitment sub-model if
//!    this lifts it to the rejoin threshold);
//! 3. new ties: attendees in index order each try to form `new_ties_per_attendee` new ties
//!    of the given weight with other attendees they are not tied to. A partner is drawn with
//!    odds `boundary_preference ^ (boundaries crossed)`, the boundaries being kind and
//!    place (MODEL.md section 7: events create weak cross-boundary ties): draw a
//!    (kind, place) group of attendees by its size times those odds, then an attendee in it
//!    uniformly; a draw that hits the attendee itself or someone already tied is redrawn, up
//!    to [`TRIES`] times per tie, so an attendee tied to nearly everyone may form fewer.
//!
//! With `per_place` an event is held in each place the attendees are in, and ties form only
//! among those of the same place (places in index order).
//!
//! Commitment changes only when the commitment sub-model is enabled (otherwise it stays 1).

use std::collections::BTreeMap;

use crate::model::state::State;
use crate::model::world::World;
use crate::model::Ctx;
use crate::network::TieSpec;
use crate::rng::{below, unit, SimRng};

use super::{make_tie, reserve, Reach};

/// Draws per new tie before giving up on it.
pub const TRIES: u32 = 10;

/// The parameters of one event.
pub struct Event {
    pub new_ties: u32,
    pub weight: f64,
    pub preference: f64,
    pub boost: f64,
    pub recruit: bool,
    pub per_place: bool,
}

/// Holds the event for `attendees` (in index order).
pub fn engage(
    ctx: &Ctx,
    world: &World,
    state: &mut State,
    attendees: &[u32],
    ev: &Event,
    rng: &mut SimRng,
) -> Reach {
    let c = &ctx.plan.scenario.commitment;
    if c.enabled {
        for &i in attendees {
            let iu = i as usize;
            if ev.recruit && !state.member[iu] {
                state.commitment[iu] = state.commitment[iu].max(c.rejoin_threshold);
                state.set_member(i, true);
            }
            state.commitment[iu] = (state.commitment[iu] + ev.boost).min(1.0);
        }
    }
    let mut events = 1;
    if ev.per_place {
        // Attendees by place, places in index order, attendees in index order.
        let mut by_place: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
        for &i in attendees {
            by_place.entry(world.place[i as usize]).or_default().push(i);
        }
        events = by_place.len() as u64;
        if ev.new_ties > 0 {
            for room in by_place.values() {
                form_ties(world, state, room, ev, rng);
            }
        }
    } else if ev.new_ties > 0 {
        form_ties(world, state, attendees, ev, rng);
    }
    Reach {
        events,
        organisations: attendees.len() as u64,
        ..Reach::default()
    }
}

/// Ties among the attendees of one event.
fn form_ties(world: &World, state: &mut State, attendees: &[u32], ev: &Event, rng: &mut SimRng) {
    if attendees.len() < 2 {
        return;
    }
    // Each attendee makes new_ties and receives about as many.
    reserve(state, attendees, 2 * ev.new_ties + 2);
    // Attendees by (kind, place), groups in key order, members in index order.
    let mut by_group: BTreeMap<(u16, u16), Vec<u32>> = BTreeMap::new();
    for &i in attendees {
        by_group
            .entry((world.kind[i as usize], world.place[i as usize]))
            .or_default()
            .push(i);
    }
    let groups: Vec<((u16, u16), Vec<u32>)> = by_group.into_iter().collect();
    let mut odds = vec![0.0f64; groups.len()];
    for &a in attendees {
        let (ka, pa) = (world.kind[a as usize], world.place[a as usize]);
        let mut total = 0.0;
        for (g, ((k, p), members)) in groups.iter().enumerate() {
            let crossed = (*k != ka) as i32 + (*p != pa) as i32;
            let own = (*k == ka && *p == pa) as usize;
            odds[g] = (members.len() - own) as f64 * ev.preference.powi(crossed);
            total += odds[g];
        }
        if total <= 0.0 {
            continue;
        }
        for _ in 0..ev.new_ties {
            for _ in 0..TRIES {
                // The group whose cumulative odds pass x (the last possible one, should
                // rounding carry x past the end).
                let mut x = unit(rng) * total;
                let mut g = 0;
                for (h, &o) in odds.iter().enumerate() {
                    if o > 0.0 {
                        g = h;
                        if x < o {
                            break;
                        }
                        x -= o;
                    }
                }
                let members = &groups[g].1;
                let b = members[below(rng, members.len() as u64) as usize];
                if b != a && !state.net.has_tie(a, b) {
                    let spec = TieSpec {
                        a,
                        b,
                        weight: ev.weight as f32,
                        person_dependent: false,
                    };
                    make_tie(world, state, spec);
                    break;
                }
            }
        }
    }
}
