//! Small statistics that summaries of replicates need.

/// Wilson score interval (Wilson 1927) for a binomial proportion: `successes` of `n`
/// trials, `z` the normal quantile (1.959964 for 95%). Better than the normal
/// approximation near 0 and 1, and never outside [0, 1]. With no trials it is (0, 1):
/// nothing is known.
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes.min(n) as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z / denom * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

#[cfg(test)]
mod tests {
    use super::*;

    /// Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score
    /// interval without continuity correction), 95%, to four decimals.
    #[test]
    fn matches_newcombe_1998() {
        for (r, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(r, n, Z95);
            assert!(
                (l - lo).abs() < 5e-5 && (h - hi).abs() < 5e-5,
                "{r}/{n}: got ({l:.4}, {h:.4}), published ({lo}, {hi})"
            );
        }
    }

    #[test]
    fn edges() {
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        let (l, h) = wilson(10, 10, Z95);
        // All successes: the lower end is n / (n + z^2).
        assert!(
            (h - 1.0).abs() < 1e-12 && (l - 10.0 / (10.0 + Z95 * Z95)).abs() < 1e-12,
            "{l} {h}"
        );
    }
}
