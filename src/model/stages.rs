//! Stage transitions and discontinuation (MODEL.md sections 2 and 4).
//!
//! A trialling organisation embeds the practice after the practice's dwell time. An adopter
//! (trialling or embedded) discontinues with hazard per year
//! `discontinuation + discontinuation_commitment * (1 - C) + discontinuation_isolation * (1 - F)`,
//! F being the weighted fraction of its member neighbours that adopt; discontinuation is
//! final for that practice. Decisions are made from the state at the start of the
//! sub-model and applied in organisation order. Only candidates drawn at the largest
//! hazard any adopter can have are examined, each kept with its own hazard's share
//! (thinning): the same probabilities as a draw per adopter, at a fraction of the work.

use crate::model::world::World;
use crate::model::Ctx;
use crate::rng::{Draws, Purpose};

use super::state::{adopting, State};

/// One step of stage transitions and discontinuation.
pub fn step(ctx: &Ctx, world: &World, state: &mut State, step: u32) {
    for (p, practice) in ctx.plan.scenario.practices.iter().enumerate() {
        let queue = &mut state.practices[p].due;
        let waited = queue.iter().take_while(|&&(due, _)| due <= step).count();
        let embedding: Vec<u32> = queue.drain(..waited).map(|(_, i)| i).collect();
        state.embed_all(p, &embedding, step);
        let g = &practice.gates;
        if g.discontinuation <= 0.0
            && g.discontinuation_commitment <= 0.0
            && g.discontinuation_isolation <= 0.0
        {
            continue;
        }
        let commitment_on = ctx.plan.scenario.commitment.enabled;
        let ps = &state.practices[p];
        let allowed = &world.kind_allowed[p];
        // Every adopter has a hazard, at most the sum of the three terms (commitment and
        // the adopting fraction lie in [0, 1]): candidates are drawn at that bound and
        // thinned to each adopter's own hazard, so the work follows the number of
        // discontinuations, not of adopters (src/model/par.rs).
        let bound = ctx.plan.per_step(
            g.discontinuation + g.discontinuation_commitment + g.discontinuation_isolation,
        );
        let stopping = super::par::events(
            ps.stage.len(),
            bound,
            |w| Draws::window(&ctx.key, Purpose::Discontinuation, p as u32, step, w),
            |i| {
                // The practice's pool only: an organisation seeded outside it never stops.
                if !adopting(ps.stage[i]) || !allowed[world.kind[i] as usize] {
                    return 0.0;
                }
                let c = if commitment_on {
                    state.commitment[i].clamp(0.0, 1.0)
                } else {
                    1.0
                };
                let f = ps.fraction(i, state.member_weight[i]).clamp(0.0, 1.0);
                let hazard = g.discontinuation
                    + g.discontinuation_commitment * (1.0 - c)
                    + g.discontinuation_isolation * (1.0 - f);
                ctx.plan.per_step(hazard)
            },
        );
        state.discontinue_all(p, &stopping, step);
    }
}
