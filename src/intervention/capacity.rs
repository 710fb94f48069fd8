//! Funding and shocks: changes of capacity that last a while.
//!
//! Funding for `years` gives each target room to train `extra_staff` more people and
//! multiplies its activation hazard (training to doing) by `activation_multiplier`.
//!
//! A shock hits the targets: at onset their commitment falls by `commitment_drop` (floored
//! at 0; they withdraw at the commitment sub-model if it falls below the exit threshold)
//! and a share `capacity_loss` of their active improvers stop (rounded to the nearest
//! person; they stay trained); for `years` their activation hazard is multiplied by
//! `1 - capacity_loss` (staff redeployed) and the places they are in get an extra hazard
//! per year `inactivity_rise` that an active person becomes inactive.
//!
//! Effects last `round(years / step length)` steps (at least one), from the step they start.

use crate::model::state::State;
use crate::model::world::World;
use crate::model::Ctx;

use super::programme::Timed;
use super::{duration_steps, Reach};

/// Starts funding of the targets.
#[allow(clippy::too_many_arguments)]
pub fn fund(
    ctx: &Ctx,
    world: &World,
    state: &mut State,
    targets: Vec<u32>,
    step: u32,
    years: f64,
    extra_staff: u32,
    activation: f64,
) -> Reach {
    let organisations = targets.len() as u64;
    let effect = Timed {
        until: step.saturating_add(duration_steps(ctx.plan, years)),
        orgs: targets,
        activation,
        extra_staff,
        places: Vec::new(),
        inactivity: 0.0,
    };
    state
        .programme
        .start(effect, world.n, ctx.plan.scenario.places.len());
    Reach {
        organisations,
        years,
        ..Reach::default()
    }
}

/// The size of a shock.
pub struct ShockSize {
    pub years: f64,
    pub commitment_drop: f64,
    pub capacity_loss: f64,
    pub inactivity_rise: f64,
}

/// Starts a shock on the targets.
pub fn shock(
    ctx: &Ctx,
    world: &World,
    state: &mut State,
    targets: Vec<u32>,
    step: u32,
    s: &ShockSize,
) -> Reach {
    let commitment_on = ctx.plan.scenario.commitment.enabled;
    for &i in &targets {
        let iu = i as usize;
        if commitment_on {
            state.commitment[iu] = (state.commitment[iu] - s.commitment_drop).max(0.0);
        }
        let stop = (s.capacity_loss * state.active[iu] as f64).round() as u32;
        state.set_staff(
            iu,
            state.trained[iu],
            state.active[iu] - stop.min(state.active[iu]),
        );
    }
    let mut places: Vec<u16> = targets.iter().map(|&i| world.place[i as usize]).collect();
    places.sort_unstable();
    places.dedup();
    let organisations = targets.len() as u64;
    let effect = Timed {
        until: step.saturating_add(duration_steps(ctx.plan, s.years)),
        orgs: targets,
        activation: 1.0 - s.capacity_loss,
        extra_staff: 0,
        places,
        inactivity: s.inactivity_rise,
    };
    state
        .programme
        .start(effect, world.n, ctx.plan.scenario.places.len());
    Reach {
        organisations,
        years: s.years,
        ..Reach::default()
    }
}
