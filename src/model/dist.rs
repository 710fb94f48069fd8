//! Sampling the scenario's distributions.

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use crate::rng::unit;
use crate::scenario::Dist;

impl Dist {
    /// One draw, clamped at zero (every quantity drawn is non-negative).
    pub fn sample<R: RngCore>(&self, rng: &mut R) -> f64 {
        let x = match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { lo, hi } => lo + (hi - lo) * unit(rng),
            Dist::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                mean + sd * z
            }
            Dist::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                median * (sigma * z).exp()
            }
        };
        x.max(0.0)
    }

    /// The mean of the distribution (before clamping).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { lo, hi } => (lo + hi) / 2.0,
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
        }
    }

    /// Whether every draw is the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::OrgRng;

    #[test]
    fn samples_have_the_stated_means() {
        let mut rng = OrgRng::new(5);
        for d in [
            Dist::Fixed(3.0),
            Dist::Uniform { lo: 1.0, hi: 3.0 },
            Dist::Normal { mean: 5.0, sd: 1.0 },
            Dist::LogNormal {
                median: 2.0,
                sigma: 0.5,
            },
        ] {
            let n = 200_000;
            let m: f64 = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!((m - d.mean()).abs() < 0.01 * d.mean(), "{d:?}: {m}");
        }
    }
}
