//! Stage transitions and discontinuation (MODEL.md sections 2 and 4).
//!
//! A trialling organisation embeds the practice after the practice's dwell time. An adopter
//! (trialling or embedded) discontinues with hazard per year
//! `discontinuation + discontinuation_commitment * (1 - C) + discontinuation_isolation * (1 - F)`,
//! F being the weighted fraction of its member neighbours that adopt; discontinuation is
//! final for that practice. Decisions are made from the state at the start of the
//! sub-model and applied in organisation order.

use crate::model::world::World;
use crate::model::Ctx;
use crate::rng::{Draws, Purpose};

use super::state::{State, TRIALLING};

/// One step of stage transitions and discontinuation.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    for (p, practice) in ctx.plan.scenario.practices.iter().enumerate() {
        while let Some(&(due, i)) = state.practices[p].due.front() {
            if due > step {
                break;
            }
            state.practices[p].due.pop_front();
            if state.practices[p].stage[i as usize] == TRIALLING {
                state.embed(p, i, step);
            }
        }
        let g = &practice.gates;
        if g.discontinuation <= 0.0
            && g.discontinuation_commitment <= 0.0
            && g.discontinuation_isolation <= 0.0
        {
            continue;
        }
        let commitment_on = ctx.plan.scenario.commitment.enabled;
        state.practices[p].settle_adopters();
        let ps = &state.practices[p];
        let allowed = &world.kind_allowed[p];
        // Every adopter draws (its hazard is never zero), on all threads in blocks of the
        // adopter list; each draw is keyed by the organisation.
        let stopping = super::par::decide_listed(ps.adopters.settled(), |adopters, stopping| {
            let mut draws = Draws::new(&ctx.key, Purpose::Discontinuation, p as u32, step);
            for &i in adopters {
                let i = i as usize;
                // The practice's pool only: an organisation seeded outside it never stops.
                if !allowed[world.kind[i] as usize] {
                    continue;
                }
                let c = if commitment_on {
                    state.commitment[i]
                } else {
                    1.0
                };
                let f = ps.fraction(i, state.member_weight[i]);
                let hazard = g.discontinuation
                    + g.discontinuation_commitment * (1.0 - c)
                    + g.discontinuation_isolation * (1.0 - f);
                if draws.uniform(i as u32) < ctx.plan.per_step(hazard) {
                    stopping.push(i as u32);
                }
            }
        })
        .into_vec();
        for i in stopping {
            state.discontinue(p, i, step);
        }
    }
}
