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
//!   `qmc.Sobol(scramble=False)` does; up to 40 dimensions (SciPy 1.17.1's table).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most factors a Sobol design supports here (direction numbers below).
pub const SOBOL_MAX_DIMS: usize = 40;

/// Primitive polynomial degree `s`, coefficients `a` and initial direction numbers `m`
/// of dimensions 2.. (dimension 1 is the van der Corput sequence), from Joe and Kuo
/// (as SciPy 1.17.1 ships them in `_sobol_direction_numbers.npz`).
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
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
        assert!(sobol(4, SOBOL_MAX_DIMS + 1).is_err());
        // scipy 1.17.1: qmc.Sobol(d=40, scramble=False).random(16)[[7, 13], 30:40]
        let high = sobol(16, SOBOL_MAX_DIMS).unwrap();
        assert_eq!(
            high[7][30..],
            [0.625, 0.875, 0.125, 0.625, 0.875, 0.875, 0.375, 0.125, 0.625, 0.125]
        );
        assert_eq!(
            high[13][30..],
            [0.5625, 0.4375, 0.4375, 0.5625, 0.6875, 0.3125, 0.0625, 0.6875, 0.6875, 0.9375]
        );
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
