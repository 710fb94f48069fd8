//! Seeded percentile bootstrap: resample units (base rows of a Saltelli design, Morris
//! trajectories) with replacement a fixed number of times and take the 2.5% and 97.5%
//! percentiles of each statistic. The resampler is a ChaCha stream keyed by the design's
//! seed, so the intervals are a function of the folder's files alone.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::output::summary::percentile;

/// Resamples drawn for every interval.
pub const RESAMPLES: usize = 1000;

/// A bootstrap stream of its own (never shared with a run or the design).
const BOOTSTRAP_KEY: u64 = 0x626f_6f74_7374_7261;

/// Percentile intervals of `stats(indices)` (a fixed-length vector of statistics computed
/// on the units picked by `indices`) over `resamples` resamples of `units` units.
/// Non-finite resampled values are dropped; an interval with no finite value is `None`.
pub fn percentile_intervals(
    units: usize,
    statistics: usize,
    resamples: usize,
    seed: u64,
    mut stats: impl FnMut(&[usize]) -> Vec<f64>,
) -> Vec<Option<(f64, f64)>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ BOOTSTRAP_KEY);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); statistics];
    let mut picked = vec![0usize; units];
    if units == 0 {
        return vec![None; statistics];
    }
    for _ in 0..resamples {
        for p in picked.iter_mut() {
            *p = rng.random_range(0..units);
        }
        for (d, v) in draws.iter_mut().zip(stats(&picked)) {
            if v.is_finite() {
                d.push(v);
            }
        }
    }
    draws
        .into_iter()
        .map(|mut d| {
            if d.is_empty() {
                return None;
            }
            d.sort_by(f64::total_cmp);
            Some((percentile(&d, 0.025), percentile(&d, 0.975)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_of_a_mean_covers_it_and_is_seeded() {
        let x: Vec<f64> = (0..200).map(|i| (i % 10) as f64).collect();
        let mean = |idx: &[usize]| vec![idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64];
        let a = percentile_intervals(x.len(), 1, RESAMPLES, 7, mean);
        let (lo, hi) = a[0].unwrap();
        // Mean 4.5, standard error sqrt(8.25 / 200) = 0.203: about 4.1 to 4.9.
        assert!(lo < 4.5 && 4.5 < hi && lo > 3.9 && hi < 5.1, "{lo} {hi}");
        assert_eq!(a, percentile_intervals(x.len(), 1, RESAMPLES, 7, mean));
        assert_ne!(a, percentile_intervals(x.len(), 1, RESAMPLES, 8, mean));
        assert_eq!(percentile_intervals(0, 2, 10, 7, mean), vec![None, None]);
    }
}
