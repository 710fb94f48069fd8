//! Sweep designs: which points of the factor space a sweep runs.
//!
//! Each design yields points in the unit cube (one coordinate per factor) or, for the grid,
//! indices into each factor's levels. Orders are fixed so the `run` column means the same
//! thing on every machine:
//! - **grid**: every combination, the last factor varying fastest (nested loops in the
//!   order the factors were given);
//! - **Latin hypercube** (N points): each factor's range cut into N equal strata, each
//!   stratum used exactly once, with a random permutation per factor and a random position
//!   inside the stratum, drawn from a ChaCha stream keyed by the scenario's seed (so the
//!   design is a function of the seed);
//! - **Sobol**: the first N points of the unscrambled Sobol sequence (Joe and Kuo 2008
//!   direction numbers, `new-joe-kuo-6.21201`), starting at the origin as SciPy's
//!   `qmc.Sobol(scramble=False)` does; up to 6 factors.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most factors a Sobol design supports here (direction numbers below).
pub const SOBOL_MAX_DIMS: usize = 6;

/// Primitive polynomial degree `s`, coefficients `a` and initial direction numbers `m`
/// of dimensions 2.. (dimension 1 is the van der Corput sequence), from Joe and Kuo.
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
];

const BITS: u32 = 32;

/// Direction numbers (scaled to 32 bits) of one Sobol dimension (0-based).
fn directions(dim: usize) -> [u32; BITS as usize] {
    let mut v = [0u32; BITS as usize];
    if dim == 0 {
        for (i, d) in v.iter_mut().enumerate() {
            *d = 1 << (BITS - 1 - i as u32);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[dim - 1];
    let s = s as usize;
    for i in 0..s.min(BITS as usize) {
        v[i] = m[i] << (BITS - 1 - i as u32);
    }
    for i in s..BITS as usize {
        let mut x = v[i - s] ^ (v[i - s] >> s);
        for k in 1..s {
            x ^= ((a >> (s - 1 - k)) & 1) * v[i - k];
        }
        v[i] = x;
    }
    v
}

/// The first `n` Sobol points in `dims` dimensions (Gray-code order, from the origin).
pub fn sobol(n: usize, dims: usize) -> Result<Vec<Vec<f64>>, String> {
    if dims == 0 || dims > SOBOL_MAX_DIMS {
        return Err(format!(
            "a Sobol design supports 1 to {SOBOL_MAX_DIMS} factors, got {dims}; use --design lhs"
        ));
    }
    let v: Vec<_> = (0..dims).map(directions).collect();
    let mut x = vec![0u32; dims];
    let mut points = Vec::with_capacity(n);
    for i in 0..n {
        points.push(
            x.iter()
                .map(|&b| b as f64 / 2f64.powi(BITS as i32))
                .collect(),
        );
        // The next point flips the direction number of the lowest zero bit of i.
        let c = (!i).trailing_zeros().min(BITS - 1) as usize;
        for (xd, vd) in x.iter_mut().zip(&v) {
            *xd ^= vd[c];
        }
    }
    Ok(points)
}

/// `n` Latin-hypercube points in `dims` dimensions, keyed by `seed`.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    // A stream of its own: the design never shares draws with a run.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4c48_535f_6465_7369);
    let mut points = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        for (p, &k) in points.iter_mut().zip(&strata) {
            let u: f64 = rng.random();
            p[d] = (k as f64 + u) / n as f64;
        }
    }
    points
}

/// Every combination of `levels[f]` levels per factor, the last factor fastest.
pub fn grid(levels: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = levels.iter().product();
    (0..total)
        .map(|mut i| {
            let mut idx = vec![0; levels.len()];
            for (f, &l) in levels.iter().enumerate().rev() {
                idx[f] = i % l.max(1);
                i /= l.max(1);
            }
            idx
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sobol_first_points_match_scipy() {
        // scipy 1.17.1: qmc.Sobol(d=4, scramble=False).random(8)
        let expected = [
            [0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25],
            [0.25, 0.75, 0.75, 0.75],
            [0.375, 0.375, 0.625, 0.875],
            [0.875, 0.875, 0.125, 0.375],
            [0.625, 0.125, 0.875, 0.625],
            [0.125, 0.625, 0.375, 0.125],
        ];
        let got = sobol(8, 4).unwrap();
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.as_slice(), e.as_slice());
        }
        assert!(sobol(4, 7).is_err());
    }

    #[test]
    fn latin_hypercube_uses_each_stratum_once_per_factor() {
        let n = 10;
        let p = latin_hypercube(n, 3, 42);
        for d in 0..3 {
            let mut strata: Vec<usize> = p.iter().map(|x| (x[d] * n as f64) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(p, latin_hypercube(n, 3, 42));
        assert_ne!(p, latin_hypercube(n, 3, 43));
    }

    #[test]
    fn grid_varies_the_last_factor_fastest() {
        assert_eq!(
            grid(&[2, 3]),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
    }
}
