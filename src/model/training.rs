//! Training to doing (MODEL.md section 5).
//!
//! A trained person becomes an active improver with a hazard that needs relational
//! support: `rate * (skill_weight + (1 - skill_weight) * s^h / (s^h + theta^h))`, where the
//! support `s` is the weight of ties to member neighbours that have active improvers plus
//! `colleague_weight` for each other trained colleague, `theta` the support threshold and
//! `h` the steepness (h > 1 makes it a complex contagion: a lone trainee rarely starts).
//! Trained people who are not active lose their skills (fade) or leave (turnover); active
//! improvers lapse back to trained or leave. Competing hazards are split exactly: the number
//! with any event is binomial in the total hazard, then divided binomially by cause.
//!
//! Every organisation's counts are decided from the state at the start of the sub-model and
//! written afterwards (synchronous update).

use rand_distr::{Binomial, Distribution};

use crate::model::Ctx;
use crate::network::prefetch;
use crate::rng::{unit, Draws, OrgRng, Purpose};

/// Counts up to this size are drawn trial by trial.
const SMALL_BINOMIAL: u32 = 16;

use super::par;
use super::state::State;

/// Binomial(n, p) draw; 0 or n at the edges, and never a panic on rounding.
fn binomial(rng: &mut OrgRng, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    // Few staff per organisation: counting n Bernoulli trials is exact and much cheaper
    // than setting up a general sampler, which needs a power and a logarithm each time.
    if n <= SMALL_BINOMIAL {
        return (0..n).filter(|_| unit(rng) < p).count() as u32;
    }
    match Binomial::new(n as u64, p) {
        Ok(b) => b.sample(rng) as u32,
        Err(_) => 0,
    }
}

/// The support-dependent activation hazard per year at support `s`.
pub fn activation_hazard(t: &crate::scenario::Training, s: f64) -> f64 {
    let response = if t.support_threshold <= 0.0 {
        1.0
    } else if s <= 0.0 {
        0.0
    } else {
        // Both ratios raised to the steepness at once; whole steepnesses skip powf.
        let ratio = t.support_threshold / s;
        let h = t.support_steepness;
        let x = if h.fract() == 0.0 && (0.0..=8.0).contains(&h) {
            ratio.powi(h as i32)
        } else {
            ratio.powf(h)
        };
        1.0 / (1.0 + x)
    };
    t.activation_rate * (t.skill_weight + (1.0 - t.skill_weight) * response)
}

/// Support available to the trained staff of `i`: the weight of its ties to member
/// neighbours with active improvers (kept by the state) and its other trained colleagues.
pub fn support(state: &State, i: usize, colleague_weight: f64) -> f64 {
    state.active_weight[i] * state.net.scale
        + colleague_weight * state.trained[i].saturating_sub(1) as f64
}

/// One step of training to doing.
pub fn step(ctx: &Ctx, state: &mut State, step: u32) {
    let t = &ctx.plan.scenario.training;
    let dt = ctx.plan.dt;
    // Most steps of a run without training (and the benchmarks) have no trained staff:
    // the kept total saves deciding every block.
    if state.trained_total == 0 {
        return;
    }
    // Active improvers' hazards do not depend on the organisation.
    let h_active = t.improver_lapse + t.staff_turnover;
    let p_active_event = 1.0 - (-h_active * dt).exp();
    state.settle_staff_lists();
    let changes = par::decide_listed(state.with_trained.settled(), |orgs, changes| {
        let mut draws = Draws::new(&ctx.key, Purpose::Training, 0, step);
        for (n, &i) in orgs.iter().enumerate() {
            // The listed organisations are spread thinly over the arrays: ask for what
            // the one eight ahead reads.
            if let Some(&ahead) = orgs.get(n + 8) {
                let a = ahead as usize;
                prefetch(state.trained.as_ptr().wrapping_add(a));
                prefetch(state.active.as_ptr().wrapping_add(a));
                prefetch(state.active_weight.as_ptr().wrapping_add(a));
                prefetch(state.member.as_ptr().wrapping_add(a));
            }
            let i = i as usize;
            let k = state.trained[i];
            let d = state.active[i];
            let idle = k - d;
            let mut rng = draws.org_rng(i as u32);
            // Where every trained person is active there is nobody idle to start, fade or
            // leave, and no draw to make for them: the hazards are not worked out (late in
            // a run this is about half the list).
            let (idle_events, started) = if idle == 0 {
                (0, 0)
            } else {
                let h_act = if state.member[i] {
                    // Funding raises and shocks lower it (src/intervention/capacity.rs).
                    activation_hazard(t, support(state, i, t.colleague_weight))
                        * state.programme.activation_factor(i)
                } else {
                    0.0
                };
                let h_idle = h_act + t.skill_fade + t.staff_turnover;
                let idle_events = binomial(&mut rng, idle, 1.0 - (-h_idle * dt).exp());
                let started = if h_idle > 0.0 {
                    binomial(&mut rng, idle_events, h_act / h_idle)
                } else {
                    0
                };
                (idle_events, started)
            };
            let rest = idle_events - started;
            let faded_or_left = rest; // both leave the trained pool
            let active_events = binomial(&mut rng, d, p_active_event);
            let lapsed = if h_active > 0.0 {
                binomial(&mut rng, active_events, t.improver_lapse / h_active)
            } else {
                0
            };
            let left = active_events - lapsed;
            let new_k = k - faded_or_left - left;
            let new_d = d + started - active_events;
            if new_k != k || new_d != d {
                changes.push((i as u32, new_k, new_d));
            }
        }
    });
    state.set_staff_all(&changes.into_vec());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Training;

    #[test]
    fn lone_trainee_gets_only_the_skill_share() {
        let t = Training {
            skill_weight: 0.2,
            activation_rate: 1.0,
            support_threshold: 2.0,
            support_steepness: 2.0,
            ..Training::default()
        };
        assert!((activation_hazard(&t, 0.0) - 0.2).abs() < 1e-12);
        // At the threshold the support-dependent part is half on: 0.2 + 0.8 * 0.5.
        assert!((activation_hazard(&t, 2.0) - 0.6).abs() < 1e-12);
        // Complex contagion: support 1 gives 1/(1+4) of the support part.
        assert!((activation_hazard(&t, 1.0) - (0.2 + 0.8 * 0.2)).abs() < 1e-12);
    }

    #[test]
    fn binomial_edges() {
        let mut r = OrgRng::new(1);
        assert_eq!(binomial(&mut r, 0, 0.5), 0);
        assert_eq!(binomial(&mut r, 7, 0.0), 0);
        assert_eq!(binomial(&mut r, 7, 1.0), 7);
        let m: u32 = (0..10_000).map(|_| binomial(&mut r, 10, 0.3)).sum();
        assert!((m as f64 / 10_000.0 - 3.0).abs() < 0.1);
    }

    /// Both samplers (trial by trial up to 16, the general one above) follow the binomial
    /// probabilities: every count's frequency within 4 standard errors of its probability.
    #[test]
    fn binomial_follows_its_distribution_on_both_paths() {
        let mut r = OrgRng::new(7);
        for (n, p) in [(10u32, 0.3f64), (16, 0.05), (40, 0.2)] {
            let draws = 200_000;
            let mut freq = vec![0u32; n as usize + 1];
            for _ in 0..draws {
                freq[binomial(&mut r, n, p) as usize] += 1;
            }
            let mut pmf = (1.0 - p).powi(n as i32);
            for (k, &f) in freq.iter().enumerate() {
                let se = (pmf * (1.0 - pmf) / draws as f64).sqrt();
                let got = f as f64 / draws as f64;
                assert!(
                    (got - pmf).abs() <= 4.0 * se + 1e-12,
                    "n={n} p={p} k={k}: {got} vs {pmf}"
                );
                pmf *= (n as f64 - k as f64) / (k as f64 + 1.0) * p / (1.0 - p);
            }
        }
    }
}
