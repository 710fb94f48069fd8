//! Sobol indices by the Saltelli scheme: base matrices A and B (N rows, k factors) from
//! the first 2k dimensions of the unscrambled Sobol sequence with its first point (the
//! origin) skipped, and for each factor i the matrix AB_i (A with column i from B). Points
//! are laid out as SALib's `sample.sobol(..., calc_second_order=False)` lays them out: for
//! each base row j, A_j, AB_1j, ..., AB_kj, B_j, so N(k + 2) points in all.
//!
//! Estimators (as SALib's `analyze.sobol`): outputs are first standardised over all points
//! (so the estimators see a centred output, which lowers their variance), then with V the
//! (population) variance of the A and B outputs,
//! - first order (Saltelli et al. 2010): S1_i = mean_j(f(B)_j (f(AB_i)_j - f(A)_j)) / V;
//! - total (Jansen 1999): ST_i = mean_j((f(A)_j - f(AB_i)_j)^2) / (2V).
//!
//! Intervals: percentile bootstrap over base rows (each resample recomputes V).

use super::bootstrap::percentile_intervals;
use super::Index;
use crate::experiment::design::{sobol, SOBOL_MAX_DIMS};

/// Most factors a Sobol analysis takes (two Sobol dimensions per factor).
pub const MAX_FACTORS: usize = SOBOL_MAX_DIMS / 2;

/// The N(k + 2) unit points of a Saltelli design with `n` base rows and `k` factors.
pub fn saltelli_points(n: usize, k: usize) -> Result<Vec<Vec<f64>>, String> {
    if k == 0 || k > MAX_FACTORS {
        return Err(format!(
            "a Sobol analysis takes 1 to {MAX_FACTORS} factors, got {k}"
        ));
    }
    if n < 2 {
        return Err(format!(
            "a Sobol analysis needs at least 2 base samples, got {n}"
        ));
    }
    let base = sobol(n + 1, 2 * k)?;
    let mut points = Vec::with_capacity(n * (k + 2));
    for row in base.iter().skip(1) {
        let (a, b) = row.split_at(k);
        points.push(a.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b.to_vec());
    }
    Ok(points)
}

/// First-order and total indices of each factor.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    pub first: Vec<Index>,
    pub total: Vec<Index>,
}

/// The indices of `k` factors from outputs `y` in [`saltelli_points`] order, with
/// bootstrap intervals from `resamples` resamples keyed by `seed`. When the output does
/// not vary at all the indices are undefined (`None`).
pub fn sobol_indices(
    y: &[f64],
    k: usize,
    seed: u64,
    resamples: usize,
) -> Result<SobolIndices, String> {
    let block = k + 2;
    if k == 0 || y.is_empty() || !y.len().is_multiple_of(block) {
        return Err(format!(
            "a Saltelli design of {k} factors has a multiple of {block} points, got {}",
            y.len()
        ));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output of point {i} is not a finite number"));
    }
    let n = y.len() / block;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len() as f64).sqrt();
    if sd.is_nan() || sd <= 0.0 {
        let none = vec![Index::default(); k];
        return Ok(SobolIndices {
            first: none.clone(),
            total: none,
        });
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    // Statistics 0..k are S1, k..2k are ST, over the base rows in `rows`.
    let estimate = |rows: &[usize]| -> Vec<f64> {
        let m = rows.len() as f64;
        let (mut s, mut s2) = (0.0, 0.0);
        for &j in rows {
            let (a, b) = (z[j * block], z[j * block + k + 1]);
            s += a + b;
            s2 += a * a + b * b;
        }
        let mu = s / (2.0 * m);
        let var = s2 / (2.0 * m) - mu * mu;
        let mut out = vec![0.0; 2 * k];
        if var <= f64::EPSILON {
            return out;
        }
        for i in 0..k {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let (a, ab, b) = (z[j * block], z[j * block + 1 + i], z[j * block + k + 1]);
                first += b * (ab - a);
                total += (a - ab) * (a - ab);
            }
            out[i] = first / m / var;
            out[k + i] = 0.5 * total / m / var;
        }
        out
    };
    let all: Vec<usize> = (0..n).collect();
    let value = estimate(&all);
    let intervals = percentile_intervals(n, 2 * k, resamples, seed, estimate);
    let index = |s: usize| Index {
        value: Some(value[s]),
        interval: intervals[s],
    };
    Ok(SobolIndices {
        first: (0..k).map(index).collect(),
        total: (k..2 * k).map(index).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::bootstrap::RESAMPLES;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    fn g_function(a: &[f64], x: &[f64]) -> f64 {
        a.iter()
            .zip(x)
            .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// Ishigami (a = 7, b = 0.1): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
    /// V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = b²π⁸(1/18 - 1/50), others 0.
    fn ishigami_analytic() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0f64, 0.1f64);
        let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    /// g-function: V_i = 1 / (3 (1 + a_i)²), V = Π(1 + V_i) - 1, S_i = V_i / V,
    /// ST_i = V_i Π_{j≠i}(1 + V_j) / V.
    fn g_analytic(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = prod - 1.0;
        (
            vi.iter().map(|x| x / v).collect(),
            vi.iter().map(|x| x * prod / (1.0 + x) / v).collect(),
        )
    }

    fn covers(i: &Index, exact: f64, slack: f64) -> bool {
        let (lo, hi) = i.interval.unwrap();
        lo - slack <= exact && exact <= hi + slack
    }

    #[test]
    fn ishigami_indices_cover_the_analytic_values() {
        let x = saltelli_points(4096, 3).unwrap();
        let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
        let s = sobol_indices(&y, 3, 1, RESAMPLES).unwrap();
        let (s1, st) = ishigami_analytic();
        for i in 0..3 {
            // S3 is exactly 0; its estimate is noise around 0 within a tight interval.
            assert!(
                covers(&s.first[i], s1[i], 0.0),
                "S1 {i}: {:?} vs {}",
                s.first[i],
                s1[i]
            );
            assert!(
                covers(&s.total[i], st[i], 0.0),
                "ST {i}: {:?} vs {}",
                s.total[i],
                st[i]
            );
        }
    }

    #[test]
    fn g_function_indices_cover_the_analytic_values() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
        let x = saltelli_points(4096, 8).unwrap();
        let y: Vec<f64> = x.iter().map(|p| g_function(&a, p)).collect();
        let s = sobol_indices(&y, 8, 1, RESAMPLES).unwrap();
        let (s1, st) = g_analytic(&a);
        for i in 0..8 {
            assert!(
                covers(&s.first[i], s1[i], 0.0),
                "S1 {i}: {:?} vs {}",
                s.first[i],
                s1[i]
            );
            assert!(
                covers(&s.total[i], st[i], 0.0),
                "ST {i}: {:?} vs {}",
                s.total[i],
                st[i]
            );
        }
    }

    #[test]
    fn layout_is_a_then_each_ab_then_b() {
        let x = saltelli_points(2, 2).unwrap();
        // Sobol points 1 and 2 in 4 dimensions: (.5,.5,.5,.5), (.75,.25,.25,.25).
        assert_eq!(
            x,
            vec![
                vec![0.5, 0.5],
                vec![0.5, 0.5],
                vec![0.5, 0.5],
                vec![0.5, 0.5],
                vec![0.75, 0.25],
                vec![0.25, 0.25],
                vec![0.75, 0.25],
                vec![0.25, 0.25],
            ]
        );
        assert!(saltelli_points(1, 2).is_err());
        assert!(saltelli_points(8, MAX_FACTORS + 1).is_err());
    }

    #[test]
    fn constant_output_has_undefined_indices_and_bad_lengths_are_refused() {
        let s = sobol_indices(&[1.0; 8], 2, 1, 10).unwrap();
        assert_eq!(s.first, vec![Index::default(); 2]);
        assert!(sobol_indices(&[1.0; 7], 2, 1, 10).is_err());
        assert!(sobol_indices(&[f64::NAN; 8], 2, 1, 10).is_err());
    }
}
