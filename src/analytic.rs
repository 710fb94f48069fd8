//! Closed forms and analytic results the classic kernels must reproduce (docs/VALIDATION.md):
//! the Bass curve and its peak, the discrete-time Bass recursion that changenet's monthly
//! kernel follows, the independent-cascade spread on stars and paths, and the Watts (2002)
//! cascade window on Poisson random graphs.
//!
//! These are reference values for validation and for users who want the analytic answer
//! beside a simulated one; no sub-model calls them.

/// A question these closed forms cannot answer, with what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticError {
    #[error("threshold phi must be a finite number of at least {min}, got {phi}")]
    Threshold { phi: f64, min: f64 },
    #[error("Bass parameters need p > 0 and q >= 0 (finite), got p = {p}, q = {q}")]
    Bass { p: f64, q: f64 },
}

/// Smallest threshold [`watts_window`] accepts: below it a vulnerable organisation may have
/// up to a million ties and the sums would be slow, while the window is then (1, ~1/phi).
pub const MIN_WATTS_THRESHOLD: f64 = 1e-6;

fn check_bass(p: f64, q: f64) -> Result<(), AnalyticError> {
    if p.is_finite() && q.is_finite() && p > 0.0 && q >= 0.0 {
        Ok(())
    } else {
        Err(AnalyticError::Bass { p, q })
    }
}

/// Bass (1969) cumulative adoption share at time `t` (years) for innovation `p` and
/// imitation `q` per year: F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
pub fn bass_cumulative(p: f64, q: f64, t: f64) -> Result<f64, AnalyticError> {
    check_bass(p, q)?;
    let e = (-(p + q) * t).exp();
    Ok((1.0 - e) / (1.0 + q / p * e))
}

/// Time (years) at which Bass adoption is fastest: ln(q/p)/(p+q), or 0 when q <= p (the
/// rate then falls from the start). The cumulative share there is (q - p)/(2q).
pub fn bass_peak_time(p: f64, q: f64) -> Result<f64, AnalyticError> {
    check_bass(p, q)?;
    Ok(if q > p { (q / p).ln() / (p + q) } else { 0.0 })
}

/// Cumulative share at the Bass peak, (q - p)/(2q) (0 when q <= p).
pub fn bass_peak_share(p: f64, q: f64) -> Result<f64, AnalyticError> {
    check_bass(p, q)?;
    Ok(if q > p { (q - p) / (2.0 * q) } else { 0.0 })
}

/// The mean-field recursion of changenet's discrete Bass kernel on a complete graph of `n`
/// organisations with steps of `dt` years: a non-adopter adopts in a step with probability
/// 1 - exp(-(p + q f) dt), where f = A/(n - 1) is the share of its n - 1 neighbours that
/// had adopted at the start of the step. Returns the share adopted after each of `steps`
/// steps (index 0 is the start, 0). It differs from [`bass_cumulative`] by the step length
/// (the hazard is held at its start-of-step value) and by the n - 1 denominator.
pub fn bass_discrete(
    p: f64,
    q: f64,
    n: u64,
    dt: f64,
    steps: usize,
) -> Result<Vec<f64>, AnalyticError> {
    check_bass(p, q)?;
    let scale = if n > 1 {
        n as f64 / (n as f64 - 1.0)
    } else {
        0.0
    };
    let mut out = Vec::with_capacity(steps + 1);
    let mut share = 0.0;
    out.push(share);
    for _ in 0..steps {
        let hazard = p + q * share * scale;
        share += (1.0 - share) * (1.0 - (-hazard * dt).exp());
        out.push(share);
    }
    Ok(out)
}

/// The exact law of changenet's stochastic Bass kernel on a complete graph of `n`
/// organisations with steps of `dt` years: a Markov chain on the number adopted A, where
/// each of the n - A others adopts independently with probability
/// 1 - exp(-(p + q A/(n - 1)) dt). Its expected share differs from [`bass_discrete`]
/// (the mean-field recursion) because the hazard is concave in the share, so sampling
/// noise slows the mean by O(1/n). Each step costs O(n^2).
#[derive(Debug, Clone)]
pub struct BassChain {
    p: f64,
    q: f64,
    dt: f64,
    /// dist[a]: probability that a organisations have adopted.
    pub dist: Vec<f64>,
}

impl BassChain {
    /// The chain at the start: nobody adopted.
    pub fn new(p: f64, q: f64, n: usize, dt: f64) -> Result<BassChain, AnalyticError> {
        check_bass(p, q)?;
        let mut dist = vec![0.0; n + 1];
        dist[0] = 1.0;
        Ok(BassChain { p, q, dt, dist })
    }

    /// Advances the distribution by one step.
    pub fn step(&mut self) {
        let n = self.dist.len() - 1;
        let mut next = vec![0.0; n + 1];
        let neighbours = n.saturating_sub(1).max(1) as f64;
        for (a, &mass) in self.dist.iter().enumerate() {
            if mass < 1e-300 {
                continue;
            }
            let m = n - a;
            let prob = 1.0 - (-(self.p + self.q * a as f64 / neighbours) * self.dt).exp();
            if m == 0 || prob <= 0.0 {
                next[a] += mass;
                continue;
            }
            if prob >= 1.0 {
                next[n] += mass;
                continue;
            }
            // Binomial(m, prob) by the ratio recurrence in log space from k = 0.
            let (lp, lq) = (prob.ln(), (-prob).ln_1p());
            let mut log_pmf = m as f64 * lq;
            for k in 0..=m {
                next[a + k] += mass * log_pmf.exp();
                if k < m {
                    log_pmf += ((m - k) as f64).ln() - ((k + 1) as f64).ln() + lp - lq;
                }
            }
        }
        self.dist = next;
    }

    /// Expected share adopted.
    pub fn mean_share(&self) -> f64 {
        let n = (self.dist.len() - 1).max(1) as f64;
        self.dist
            .iter()
            .enumerate()
            .map(|(a, m)| a as f64 * m)
            .sum::<f64>()
            / n
    }

    /// Probability that at least `a` organisations have adopted.
    pub fn at_least(&self, a: usize) -> f64 {
        self.dist.iter().skip(a).sum()
    }
}

/// Expected independent-cascade spread (seed included) from the centre of a star with
/// `leaves` leaves and tie probability `p`: 1 + leaves * p (Kempe, Kleinberg & Tardos 2003).
pub fn cascade_star_centre(leaves: u64, p: f64) -> f64 {
    1.0 + leaves as f64 * p
}

/// Expected independent-cascade spread (seed included) from one end of a path of `nodes`
/// organisations: 1 + p + p^2 + ... + p^(nodes - 1).
pub fn cascade_path_end(nodes: u64, p: f64) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for _ in 0..nodes {
        sum += term;
        term *= p;
    }
    sum
}

/// Largest degree at which one adopting neighbour meets the fractional threshold `phi`,
/// decided with the same floating-point comparison as the kernel (1/k >= phi), so the
/// analytic window and the simulation agree on which organisations are vulnerable.
fn vulnerable_degree(phi: f64) -> u64 {
    let mut k = (1.0 / phi).floor().max(1.0) as u64;
    while k > 1 && 1.0 / (k as f64) < phi {
        k -= 1;
    }
    while 1.0 / ((k + 1) as f64) >= phi {
        k += 1;
    }
    if 1.0 / (k as f64) >= phi {
        k
    } else {
        0
    }
}

/// P(Poisson(z) <= m), summed in log space so large z does not underflow.
fn poisson_cdf(z: f64, m: u64) -> f64 {
    if z <= 0.0 {
        return 1.0;
    }
    let lz = z.ln();
    let mut log_term = -z; // log of e^{-z} z^j / j! at j = 0
    let mut logs = Vec::with_capacity(m as usize + 1);
    logs.push(log_term);
    for j in 1..=m {
        log_term += lz - (j as f64).ln();
        logs.push(log_term);
    }
    let top = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = logs.iter().map(|l| (l - top).exp()).sum();
    (top + sum.ln()).exp().min(1.0)
}

/// Watts's (2002) cascade condition on a Poisson random graph of mean degree `z` with a
/// uniform threshold `phi`, as the ratio sum_k k(k-1) rho_k p_k / z, where rho_k = 1 when
/// a single adopting neighbour is enough (k <= 1/phi) and p_k is Poisson(z). Global
/// cascades from a single seed are possible where the ratio exceeds 1. It equals
/// z * P(Poisson(z) <= K - 2), with K the largest vulnerable degree.
pub fn watts_condition(phi: f64, z: f64) -> Result<f64, AnalyticError> {
    let k = checked_vulnerable_degree(phi)?;
    if k < 2 || z <= 0.0 {
        return Ok(0.0);
    }
    Ok(z * poisson_cdf(z, k - 2))
}

fn checked_vulnerable_degree(phi: f64) -> Result<u64, AnalyticError> {
    if !(phi.is_finite() && phi >= MIN_WATTS_THRESHOLD) {
        return Err(AnalyticError::Threshold {
            phi,
            min: MIN_WATTS_THRESHOLD,
        });
    }
    Ok(vulnerable_degree(phi))
}

/// The analytic cascade window of Watts (2002): the mean degrees (z_low, z_high) between
/// which sum_k k(k-1) rho_k p_k > z on a Poisson random graph with uniform threshold
/// `phi`; `None` when there is no window (phi > 1/4: even the best z leaves the condition
/// below 1). Edges are found by bisection to 1e-12.
pub fn watts_window(phi: f64) -> Result<Option<(f64, f64)>, AnalyticError> {
    let k = checked_vulnerable_degree(phi)?;
    if k < 2 {
        return Ok(None);
    }
    let ratio = |z: f64| z * poisson_cdf(z, k - 2);
    // The ratio is 0 at z = 0, rises, peaks once and falls to 0; find its peak on a grid
    // fine enough for the unimodal shape, then bisect each side.
    let top = 2.0 * k as f64 + 10.0;
    let grid = 4000;
    let (mut best_z, mut best) = (0.0, 0.0);
    for g in 1..=grid {
        let z = top * g as f64 / grid as f64;
        let r = ratio(z);
        if r > best {
            best = r;
            best_z = z;
        }
    }
    if best <= 1.0 {
        return Ok(None);
    }
    let bisect = |mut lo: f64, mut hi: f64, rising: bool| {
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if (ratio(mid) > 1.0) == rising {
                hi = mid;
            } else {
                lo = mid;
            }
            if hi - lo < 1e-12 {
                break;
            }
        }
        0.5 * (lo + hi)
    };
    Ok(Some((
        bisect(0.0, best_z, true),
        bisect(best_z, top, false),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulnerable_degree_uses_the_kernels_comparison() {
        assert_eq!(vulnerable_degree(0.18), 5);
        assert_eq!(vulnerable_degree(0.2), 5);
        assert_eq!(vulnerable_degree(0.25), 4);
        assert_eq!(vulnerable_degree(0.26), 3);
        assert_eq!(vulnerable_degree(0.1), 10);
        assert_eq!(vulnerable_degree(1.0), 1);
        assert_eq!(vulnerable_degree(2.0), 0);
    }

    #[test]
    fn poisson_cdf_matches_hand_sums() {
        // P(Poisson(1) <= 3) = e^-1 (1 + 1 + 1/2 + 1/6).
        let want = (-1.0f64).exp() * (1.0 + 1.0 + 0.5 + 1.0 / 6.0);
        assert!((poisson_cdf(1.0, 3) - want).abs() < 1e-14);
        assert!((poisson_cdf(2000.0, 5000) - 1.0).abs() < 1e-12);
        assert!(poisson_cdf(2000.0, 10) < 1e-300);
    }

    #[test]
    fn bass_closed_form_and_peak() {
        let (p, q) = (0.03, 0.38);
        assert_eq!(bass_cumulative(p, q, 0.0).unwrap(), 0.0);
        let t = bass_peak_time(p, q).unwrap();
        assert!((t - (q / p).ln() / (p + q)).abs() < 1e-15);
        let f = bass_cumulative(p, q, t).unwrap();
        assert!((f - bass_peak_share(p, q).unwrap()).abs() < 1e-12);
        assert!(bass_cumulative(0.0, q, 1.0).is_err());
        // The discrete recursion tends to the closed form as the step shrinks.
        let fine = bass_discrete(p, q, 1 << 40, 1e-4, 100_000).unwrap();
        assert!((fine[100_000] - bass_cumulative(p, q, 10.0).unwrap()).abs() < 1e-4);
    }

    #[test]
    fn bass_chain_by_hand_and_near_the_mean_field() {
        // Two organisations, one step of pure innovation: each adopts with 1 - e^{-p dt}.
        let mut c = BassChain::new(0.5, 0.0, 2, 1.0).unwrap();
        c.step();
        let x = 1.0 - (-0.5f64).exp();
        assert!((c.dist[2] - x * x).abs() < 1e-15);
        assert!((c.dist[1] - 2.0 * x * (1.0 - x)).abs() < 1e-15);
        assert!((c.dist.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        // Without imitation the chain's mean is the mean field exactly.
        let mut c = BassChain::new(0.1, 0.0, 50, 0.25).unwrap();
        let mf = bass_discrete(0.1, 0.0, 50, 0.25, 8).unwrap();
        for want in &mf[1..] {
            c.step();
            assert!((c.mean_share() - want).abs() < 1e-12);
        }
        assert!((c.at_least(0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn cascade_closed_forms() {
        assert_eq!(cascade_star_centre(20, 0.25), 6.0);
        assert!((cascade_path_end(3, 0.5) - 1.75).abs() < 1e-15);
        assert_eq!(cascade_path_end(4, 1.0), 4.0);
    }

    #[test]
    fn watts_window_edges_satisfy_the_condition() {
        for phi in [0.1, 0.12, 0.15, 0.18, 0.2, 0.22, 0.25] {
            let (lo, hi) = watts_window(phi).unwrap().unwrap();
            for z in [lo, hi] {
                assert!((watts_condition(phi, z).unwrap() - 1.0).abs() < 1e-9);
            }
            assert!(watts_condition(phi, 0.5 * (lo + hi)).unwrap() > 1.0);
        }
        // Cross-check: scipy 1.17.1, brentq on z * poisson.cdf(K - 2, z) - 1.
        for (phi, lo, hi) in [
            (0.18, 1.020704, 5.764677),
            (0.25, 1.114142, 3.863069),
            (0.1, 1.000001, 13.659314),
            (0.15, 1.003731, 7.47708),
        ] {
            let (l, h) = watts_window(phi).unwrap().unwrap();
            assert!(
                (l - lo).abs() < 2e-6 && (h - hi).abs() < 2e-6,
                "{phi}: {l} {h}"
            );
        }
        assert_eq!(watts_window(0.26).unwrap(), None);
        assert_eq!(watts_window(0.5).unwrap(), None);
        assert!(watts_window(0.0).is_err());
        assert!(watts_window(f64::NAN).is_err());
    }
}
