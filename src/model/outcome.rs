//! Population outcome (MODEL.md section 8): inactive people per place, as numbers.
//!
//! Each step, in each place, inactive people become active at the background rate plus the
//! programmes' rate, and active people become inactive at the relapse rate plus any shock:
//! - the background rate `u` holds prevalence at its equilibrium `P*`, which starts at the
//!   place's baseline and follows the trend segments: `u = relapse (1 - P*) / P*`;
//! - embedded practices move a share `1 - prod(1 - share_o * effect_p)` of the reached
//!   inactive people a year (share_o = the organisation's reach / the place's population),
//!   combined over organisations and practices without double counting; as a hazard,
//!   `-ln(1 - share)` per year, kept as organisations embed and discontinue ([`Reach`]);
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

/// The programmes' reach, kept as organisations embed and discontinue practices: per place,
/// the sum over embedded organisations and practices of `ln(1 - share_o * effect_p)`.
///
/// The sum is kept in fixed point (units of 2^-64) so that adding and taking away terms
/// in any order gives the same bits: the outcome costs O(places) a step, not a pass over
/// every adopter. One term is rounded by at most 2^-65, far below the f64 rounding of a
/// hazard; an organisation that reaches its whole catchment (a term of -inf) is counted
/// apart and makes the place's hazard infinite.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Place, kind and share of its place's population reached, of each organisation.
    place: Vec<u16>,
    kind: Vec<u16>,
    share: Vec<f64>,
    /// Per practice: its effect, and which kinds may adopt it (an organisation seeded
    /// outside them moves nobody).
    practices: Vec<(f64, Vec<bool>)>,
    /// Per place: the sum of the embedded organisations' finite terms, fixed point.
    sum: Vec<i128>,
    /// Per place: embedded organisations whose term is -inf.
    whole: Vec<u32>,
}

/// One unit of [`Reach`]'s fixed point.
const REACH_UNIT: f64 = 18_446_744_073_709_551_616.0; // 2^64

impl Reach {
    /// The reach of `world`'s organisations for `ctx`'s practices, nobody embedded yet.
    pub fn new(ctx: &Ctx, world: &World) -> Reach {
        let practices = ctx
            .plan
            .scenario
            .practices
            .iter()
            .zip(&world.kind_allowed)
            .map(|(practice, allowed)| (practice.effect, allowed.clone()))
            .collect();
        let places = ctx.plan.scenario.places.len();
        Reach {
            place: world.place.clone(),
            kind: world.kind.clone(),
            share: world.reach_share.clone(),
            practices,
            sum: vec![0; places],
            whole: vec![0; places],
        }
    }

    /// The term of `i` embedding practice `p`: `ln(1 - share * effect)`, 0 where it
    /// reaches nobody, may not adopt the practice, or the practice has no effect (or
    /// nobody is counted).
    pub fn term(&self, p: usize, i: usize) -> f64 {
        if self.place.is_empty() {
            return 0.0;
        }
        let Some((effect, allowed)) = self.practices.get(p) else {
            return 0.0;
        };
        let share = self.share[i];
        if *effect <= 0.0 || share <= 0.0 || !allowed[self.kind[i] as usize] {
            return 0.0;
        }
        (1.0 - (share * effect).min(1.0)).ln()
    }

    /// Adds (`sign` +1) or takes away (-1) the term of `i` embedding practice `p`.
    #[inline]
    pub fn change(&mut self, p: usize, i: usize, sign: i32) {
        let term = self.term(p, i);
        self.add_term(i, term, sign);
    }

    /// Adds (`sign` +1) or takes away (-1) `term`, the [`Reach::term`] of `i` embedding a
    /// practice. The sums are whole numbers, so the order of additions does not matter.
    #[inline]
    pub fn add_term(&mut self, i: usize, term: f64, sign: i32) {
        if self.place.is_empty() {
            return;
        }
        self.add_to_place(self.place[i] as usize, term, sign);
    }

    /// What `i` embedding practice `p` adds to the reach: its place and its
    /// [`Reach::term`], or nothing where it adds nothing.
    pub fn part(&self, p: usize, i: usize) -> Option<(usize, f64)> {
        let term = self.term(p, i);
        (term != 0.0).then(|| (self.place[i] as usize, term))
    }

    /// [`Reach::add_term`] of an organisation of place `k`.
    #[inline]
    pub fn add_to_place(&mut self, k: usize, term: f64, sign: i32) {
        if term == f64::NEG_INFINITY {
            self.whole[k] = self.whole[k].wrapping_add_signed(sign);
        } else if term != 0.0 {
            self.sum[k] += sign as i128 * (term * REACH_UNIT).round() as i128;
        }
    }

    /// Programme hazard per year in each place from embedded practices: a share moved per
    /// year `s` is the hazard `-ln(1 - s)`, so minus the kept sum.
    pub fn hazard(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.whole)
            .map(|(&s, &w)| {
                if w > 0 {
                    f64::INFINITY
                } else {
                    (-s) as f64 / REACH_UNIT
                }
            })
            .collect()
    }

    /// A reach for tests: organisation `i` in place `place[i]` reaching `share[i]` of it,
    /// one kind, every practice (of effect `effects[p]`) open to it.
    #[cfg(test)]
    pub fn for_test(place: Vec<u16>, share: Vec<f64>, effects: &[f64]) -> Reach {
        let places = place.iter().map(|&k| k as usize + 1).max().unwrap_or(0);
        Reach {
            kind: vec![0; place.len()],
            place,
            share,
            practices: effects.iter().map(|&e| (e, vec![true])).collect(),
            sum: vec![0; places],
            whole: vec![0; places],
        }
    }

    /// The same sums counted afresh from the stages (the check of `State::check_sums`).
    pub fn recount(&self, stages: &[&[u8]]) -> Reach {
        let mut fresh = Reach {
            sum: vec![0; self.sum.len()],
            whole: vec![0; self.whole.len()],
            ..self.clone()
        };
        for (p, stage) in stages.iter().enumerate() {
            for (i, &st) in stage.iter().enumerate() {
                if st == EMBEDDED {
                    fresh.change(p, i, 1);
                }
            }
        }
        fresh
    }

    /// Whether two reaches have the same sums.
    pub fn same_sums(&self, other: &Reach) -> bool {
        self.sum == other.sum && self.whole == other.whole
    }
}

/// One step of the population outcome for the step covering months from `month`.
pub fn step(ctx: &Ctx, state: &mut State, month: YearMonth) {
    let sc = &ctx.plan.scenario;
    let dt = ctx.plan.dt;
    let relapse = sc.outcome.relapse;
    let trend = trend_factor(ctx, month);
    let shock = shock_hazard(ctx, month);
    let programme = state.reach.hazard();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Five organisations in two places: shares 0.1, 0.2, 1 (the whole catchment), 0.3
    /// (of a kind that may not adopt) and 1e-9, one practice of effect 1.
    fn reach() -> Reach {
        Reach {
            place: vec![0, 1, 0, 1, 0],
            kind: vec![0, 0, 0, 1, 0],
            share: vec![0.1, 0.2, 1.0, 0.3, 1e-9],
            practices: vec![(1.0, vec![true, false])],
            sum: vec![0; 2],
            whole: vec![0; 2],
        }
    }

    /// The kept hazard is the direct sum of the embedded terms, whatever order they came
    /// and went in, and returns to exactly nothing when they have all gone.
    #[test]
    fn kept_reach_is_order_free_and_exact() {
        let mut r = reach();
        for i in [4, 0, 1] {
            r.change(0, i, 1);
        }
        let h = r.hazard();
        let direct = [-((0.9f64).ln() + (-1e-9f64).ln_1p()), -(0.8f64).ln()];
        for k in 0..2 {
            assert!(
                (h[k] - direct[k]).abs() <= 1e-15 * direct[k],
                "{h:?} vs {direct:?}"
            );
        }
        let mut other = reach();
        for i in [1, 4, 0] {
            other.change(0, i, 1);
        }
        assert!(r.same_sums(&other));
        assert_eq!(r.hazard(), other.hazard());
        // A whole-catchment organisation makes its place's hazard infinite while embedded.
        r.change(0, 2, 1);
        assert_eq!(r.hazard()[0], f64::INFINITY);
        for i in [0, 2, 1, 4] {
            r.change(0, i, -1);
        }
        assert_eq!(r.hazard(), vec![0.0, 0.0]);
        assert!(r.same_sums(&reach()));
        // The recount from stages agrees with what was kept.
        r.change(0, 1, 1);
        let stages: Vec<u8> = vec![0, EMBEDDED, 1, EMBEDDED, 0];
        assert!(r.same_sums(&r.recount(&[&stages])));
    }
}
