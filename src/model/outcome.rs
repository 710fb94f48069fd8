//! Population outcome (MODEL.md section 8): inactive people per place, as numbers.
//!
//! Each step, in each place, inactive people become active at the background rate plus the
//! programmes' rate, and active people become inactive at the relapse rate plus any shock:
//! - the background rate `u` holds prevalence at its equilibrium `P*`, which starts at the
//!   place's baseline and follows the trend segments: `u = relapse (1 - P*) / P*`;
//! - embedded practices move a share `1 - prod(1 - share_o * effect_p)` of the reached
//!   inactive people a year (share_o = the organisation's reach / the place's population),
//!   combined over organisations and practices without double counting; as a hazard,
//!   `-ln(1 - share)` per year;
//! - with these rates constant over a step, the two-state flow is solved exactly:
//!   `I(t + dt) = I* + (I(t) - I*) exp(-lambda dt)`, with `lambda` the sum of all rates and
//!   `I* = N (relapse + shock) / lambda`, so the baseline is an exact equilibrium at any step
//!   length.

use crate::model::world::World;
use crate::model::Ctx;
use crate::scenario::YearMonth;

use super::state::{State, EMBEDDED};

/// Equilibrium prevalence multiplier at month `m` from the trend segments.
pub fn trend_factor(ctx: &Ctx, m: YearMonth) -> f64 {
    let trend = &ctx.plan.scenario.outcome.trend;
    let mut factor = 1.0;
    for (k, seg) in trend.iter().enumerate() {
        if m < seg.from {
            break;
        }
        let end = trend.get(k + 1).map_or(m, |next| next.from.min(m));
        let years = (end.index() - seg.from.index()) as f64 / 12.0;
        factor *= (1.0 + seg.relative_per_year).powf(years);
    }
    factor
}

/// Extra inactivity hazard per year from shocks active in month `m`.
pub fn shock_hazard(ctx: &Ctx, m: YearMonth) -> f64 {
    ctx.plan
        .scenario
        .outcome
        .shocks
        .iter()
        .filter(|s| s.start <= m && m <= s.end)
        .map(|s| s.inactivity_hazard)
        .sum()
}

/// Programme hazard per year in each place from embedded practices (the adopter lists
/// settled first, as [`step`] does).
pub fn programme_hazard(ctx: &Ctx, world: &World, state: &State) -> Vec<f64> {
    let mut log_miss = vec![0.0f64; ctx.plan.scenario.places.len()];
    for (p, ps) in state.practices.iter().enumerate() {
        let effect = ctx.plan.scenario.practices[p].effect;
        if effect <= 0.0 || ps.embedded == 0 {
            continue;
        }
        let allowed = &world.kind_allowed[p];
        for &i in ps.adopters.settled() {
            let i = i as usize;
            if ps.stage[i] == EMBEDDED
                && allowed[world.kind[i] as usize]
                && world.reach_share[i] > 0.0
            {
                log_miss[world.place[i] as usize] +=
                    (1.0 - (world.reach_share[i] * effect).min(1.0)).ln();
            }
        }
    }
    // A share moved per year s is the hazard -ln(1 - s) = -log_miss.
    log_miss.into_iter().map(|l| -l).collect()
}

/// One step of the population outcome for the step covering months from `month`.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, month: YearMonth) {
    let sc = &ctx.plan.scenario;
    let dt = ctx.plan.dt;
    let relapse = sc.outcome.relapse;
    let trend = trend_factor(ctx, month);
    let shock = shock_hazard(ctx, month);
    for ps in &mut state.practices {
        ps.settle_adopters();
    }
    let programme = programme_hazard(ctx, world, state);
    for (k, place) in sc.places.iter().enumerate() {
        let n = place.population;
        let eq = (place.inactive_prevalence * trend).clamp(1e-9, 1.0 - 1e-9);
        let background = relapse * (1.0 - eq) / eq;
        // Shocks from interventions hit the places of the organisations they target.
        let to_inactive = relapse + shock + state.programme.place_hazard(k);
        let lambda = background + programme[k] + to_inactive;
        let eq_inactive = n * to_inactive / lambda;
        let next = eq_inactive + (state.inactive[k] - eq_inactive) * (-lambda * dt).exp();
        state.inactive[k] = next.clamp(0.0, n);
    }
}
