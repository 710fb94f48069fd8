//! Morris elementary effects (Morris 1991; Campolongo et al. 2007's μ*) on the classic
//! trajectory design.
//!
//! With p levels (even) the step is Δ = p / (2(p - 1)). A trajectory starts from a base
//! point whose coordinates are drawn from {0, 1/(p-1), ..., 1 - Δ}, picks a direction per
//! factor (up: the factor starts at its base value and steps to base + Δ; down: the
//! reverse) and an order of the factors, then moves one factor per step: k + 1 points. The
//! base points, directions and orders come from a ChaCha stream keyed by the design seed.
//!
//! The elementary effect of the factor changed between two consecutive points is
//! (f(higher) - f(lower)) / Δ, in output units per unit of the factor's range (as SALib's
//! `analyze.morris` computes it). Per factor, over the r trajectories: μ is the mean effect,
//! μ* the mean absolute effect, σ the standard deviation (divisor r - 1). Intervals:
//! percentile bootstrap over trajectories.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bootstrap::percentile_intervals;
use super::Index;

/// The design's own stream (never shared with a run or the bootstrap).
const DESIGN_KEY: u64 = 0x6d6f_7272_6973_5f64;

/// The step Δ of a p-level design.
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

fn check(levels: usize) -> Result<(), String> {
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(format!(
            "Morris levels must be an even number of at least 2, got {levels}"
        ));
    }
    Ok(())
}

/// `r` trajectories of `k` factors on `levels` levels: r(k + 1) unit points, trajectory by
/// trajectory.
pub fn trajectories(r: usize, k: usize, levels: usize, seed: u64) -> Result<Vec<Vec<f64>>, String> {
    check(levels)?;
    if k == 0 || r < 2 {
        return Err(format!(
            "a Morris design needs at least 1 factor and 2 trajectories, got {k} and {r}"
        ));
    }
    let d = delta(levels);
    let step = 1.0 / (levels as f64 - 1.0);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ DESIGN_KEY);
    let mut points = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let base: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..levels / 2) as f64 * step)
            .collect();
        let up: Vec<bool> = (0..k).map(|_| rng.random_bool(0.5)).collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        let mut x: Vec<f64> = base
            .iter()
            .zip(&up)
            .map(|(&b, &u)| if u { b } else { b + d })
            .collect();
        points.push(x.clone());
        for &i in &order {
            x[i] = if up[i] { base[i] + d } else { base[i] };
            points.push(x.clone());
        }
    }
    Ok(points)
}

/// μ, μ* and σ of each factor.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    pub mu: Vec<Index>,
    pub mu_star: Vec<Index>,
    pub sigma: Vec<Index>,
}

/// The elementary effects, `effects[t][i]` for trajectory t and factor i, read from the
/// unit points `x` (which factor changed between consecutive points, and which way).
pub fn elementary_effects(
    x: &[Vec<f64>],
    y: &[f64],
    k: usize,
    levels: usize,
) -> Result<Vec<Vec<f64>>, String> {
    check(levels)?;
    let size = k + 1;
    if k == 0 || x.len() != y.len() || x.is_empty() || !x.len().is_multiple_of(size) {
        return Err(format!(
            "a Morris design of {k} factors has a multiple of {size} points and one output \
             per point, got {} points and {} outputs",
            x.len(),
            y.len()
        ));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output of point {i} is not a finite number"));
    }
    if let Some(i) = x.iter().position(|p| p.len() != k) {
        return Err(format!("point {i} has {} coordinates, not {k}", x[i].len()));
    }
    let d = delta(levels);
    let mut effects = Vec::with_capacity(x.len() / size);
    for (t, (xs, ys)) in x.chunks(size).zip(y.chunks(size)).enumerate() {
        let mut ee = vec![f64::NAN; k];
        for s in 1..size {
            let (before, after) = (&xs[s - 1], &xs[s]);
            let changed: Vec<usize> = (0..k).filter(|&i| before.get(i) != after.get(i)).collect();
            let i = match changed.as_slice() {
                [i] if ee[*i].is_nan() => *i,
                _ => {
                    return Err(format!(
                        "trajectory {t}, step {s}: a Morris step changes exactly one factor \
                         not changed before in its trajectory"
                    ))
                }
            };
            let sign = if after[i] > before[i] { 1.0 } else { -1.0 };
            ee[i] = sign * (ys[s] - ys[s - 1]) / d;
        }
        effects.push(ee);
    }
    Ok(effects)
}

/// μ, μ*, σ of each factor from points `x` (r trajectories) and outputs `y`, with
/// bootstrap intervals over trajectories.
pub fn morris_indices(
    x: &[Vec<f64>],
    y: &[f64],
    k: usize,
    levels: usize,
    seed: u64,
    resamples: usize,
) -> Result<MorrisIndices, String> {
    let ee = elementary_effects(x, y, k, levels)?;
    // Statistics 0..k are μ, k..2k μ*, 2k..3k σ, over the trajectories in `picked`.
    let stats = |picked: &[usize]| -> Vec<f64> {
        let r = picked.len() as f64;
        let mut out = vec![0.0; 3 * k];
        for i in 0..k {
            let (mut s, mut abs) = (0.0, 0.0);
            for &t in picked {
                s += ee[t][i];
                abs += ee[t][i].abs();
            }
            let mu = s / r;
            let ss: f64 = picked.iter().map(|&t| (ee[t][i] - mu).powi(2)).sum();
            out[i] = mu;
            out[k + i] = abs / r;
            out[2 * k + i] = if picked.len() > 1 {
                (ss / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
        }
        out
    };
    let all: Vec<usize> = (0..ee.len()).collect();
    let value = stats(&all);
    let intervals = percentile_intervals(ee.len(), 3 * k, resamples, seed, stats);
    let index = |s: usize| Index {
        value: Some(value[s]),
        interval: intervals[s],
    };
    Ok(MorrisIndices {
        mu: (0..k).map(index).collect(),
        mu_star: (k..2 * k).map(index).collect(),
        sigma: (2 * k..3 * k).map(index).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_move_one_factor_by_delta_inside_the_cube() {
        let (k, levels) = (5, 4);
        let x = trajectories(10, k, levels, 3).unwrap();
        assert_eq!(x.len(), 10 * (k + 1));
        let d = delta(levels);
        assert!((d - 2.0 / 3.0).abs() < 1e-15);
        for traj in x.chunks(k + 1) {
            let mut moved = vec![false; k];
            for w in traj.windows(2) {
                let diff: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(diff.len(), 1);
                assert!(((w[1][diff[0]] - w[0][diff[0]]).abs() - d).abs() < 1e-12);
                assert!(!moved[diff[0]]);
                moved[diff[0]] = true;
            }
            assert!(traj.iter().flatten().all(|&u| (0.0..=1.0).contains(&u)));
        }
        assert_eq!(x, trajectories(10, k, levels, 3).unwrap());
        assert_ne!(x, trajectories(10, k, levels, 4).unwrap());
        assert!(trajectories(10, k, 3, 3).is_err());
        assert!(trajectories(1, k, 4, 3).is_err());
    }

    #[test]
    fn linear_function_has_its_coefficients_as_effects() {
        // f = 3 x0 - 2 x1 + 0 x2: every effect of x0 is 3, of x1 is -2, of x2 is 0.
        let x = trajectories(8, 3, 4, 1).unwrap();
        let y: Vec<f64> = x.iter().map(|p| 3.0 * p[0] - 2.0 * p[1]).collect();
        let m = morris_indices(&x, &y, 3, 4, 1, 200).unwrap();
        let v = |i: &Index| i.value.unwrap();
        assert!((v(&m.mu[0]) - 3.0).abs() < 1e-12 && (v(&m.mu_star[0]) - 3.0).abs() < 1e-12);
        assert!((v(&m.mu[1]) + 2.0).abs() < 1e-12 && (v(&m.mu_star[1]) - 2.0).abs() < 1e-12);
        assert!(v(&m.mu_star[2]).abs() < 1e-12);
        assert!(m.sigma.iter().all(|s| v(s).abs() < 1e-9));
        let bad = vec![vec![0.0; 3]; 4];
        assert!(morris_indices(&bad, &[0.0; 4], 3, 4, 1, 10).is_err());
        let short = vec![vec![0.0; 2]; 4];
        assert!(morris_indices(&short, &[0.0; 4], 3, 4, 1, 10).is_err());
    }
}
