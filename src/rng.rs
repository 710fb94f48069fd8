//! The one random-number generator of the simulation and how its streams are keyed.
//!
//! Every draw is a pure function of (master seed, replicate, purpose, step, organisation,
//! slot): the ChaCha8 key comes from (seed, replicate), the 64-bit stream id from
//! (purpose, step), and the position in the stream from (organisation, slot). An
//! organisation's numbers therefore never depend on which other organisations drew, on the
//! thread that ran it, or on the order of execution. Reading organisations in increasing
//! order is sequential in the stream, so a dense sweep costs one ChaCha block per
//! [`ORGS_PER_BLOCK`] organisations; sparse access seeks.
//!
//! Replicates, not run rows, key the streams: every arm of a comparison and every point of
//! a sweep sees the same random numbers in replicate r (common random numbers).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The simulation RNG. Changing it changes every result: `tests` pin its first outputs.
pub type SimRng = ChaCha8Rng;

/// 32-bit words reserved per organisation per (purpose, sub, step): one 64-bit draw. An
/// organisation that needs more numbers expands it with [`OrgRng`].
pub const WORDS_PER_ORG: u64 = 2;
/// Organisations covered by one 16-word ChaCha block.
pub const ORGS_PER_BLOCK: u64 = 16 / WORDS_PER_ORG;

/// What a draw is for. Each purpose is its own family of streams, so adding a sub-model or
/// an intervention never shifts the numbers another one sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// Network generation (kept apart from the dynamics, MODEL.md section 11).
    Network = 1,
    /// Organisation attributes: staff, catchment.
    Attributes = 2,
    /// Per-organisation thresholds and commitment parameters.
    Traits = 3,
    /// Practice adoption (one stream family per practice via `sub`).
    Adoption = 4,
    /// Discontinuation of a practice.
    Discontinuation = 5,
    /// Training to doing.
    Training = 6,
    /// Tie dynamics.
    Ties = 7,
    /// Choosing targets of an intervention or seeding.
    Targeting = 8,
    /// Intervention effects.
    Intervention = 9,
    /// Tie weights at creation.
    Weights = 10,
}

/// Derives the ChaCha key of one replicate from the master seed.
pub fn replicate_key(seed: u64, replicate: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    let mut x = seed ^ 0x6368_616e_6765_6e65; // "changene"
    for (i, chunk) in key.chunks_mut(8).enumerate() {
        x = splitmix64(x.wrapping_add(replicate.wrapping_mul(0x9e37_79b9_7f4a_7c15)) ^ i as u64);
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    key
}

/// SplitMix64 finaliser: a fixed bijective mixer used only to spread key material.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Stream id of (purpose, sub-purpose, step). `sub` separates e.g. practices or interventions.
pub fn stream_id(purpose: Purpose, sub: u32, step: u32) -> u64 {
    ((purpose as u64) << 56) | ((sub as u64 & 0xff_ffff) << 32) | step as u64
}

/// Draws of one (replicate, purpose, sub, step), addressed by organisation and slot.
pub struct Draws {
    rng: SimRng,
}

impl Draws {
    pub fn new(key: &[u8; 32], purpose: Purpose, sub: u32, step: u32) -> Self {
        let mut rng = SimRng::from_seed(*key);
        rng.set_stream(stream_id(purpose, sub, step));
        Draws { rng }
    }

    #[inline]
    fn word(&mut self, pos: u128) -> u32 {
        let cur = self.rng.get_word_pos();
        if cur != pos {
            // Skipping a few words ahead is cheaper than a seek, which refills the buffer.
            if pos > cur && pos - cur <= 16 {
                for _ in cur..pos {
                    self.rng.next_u32();
                }
            } else {
                self.rng.set_word_pos(pos);
            }
        }
        self.rng.next_u32()
    }

    /// The 64-bit draw of `org`.
    #[inline]
    pub fn bits(&mut self, org: u32) -> u64 {
        let lo = self.word(org as u128 * WORDS_PER_ORG as u128) as u64;
        let hi = self.rng.next_u32() as u64;
        (hi << 32) | lo
    }

    /// A uniform in [0, 1) with 53 random bits for `org`.
    #[inline]
    pub fn uniform(&mut self, org: u32) -> f64 {
        (self.bits(org) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A small generator for the variable-length draws of one organisation (binomial
    /// counts, two-uniform distributions), seeded from its 64-bit draw.
    #[inline]
    pub fn org_rng(&mut self, org: u32) -> OrgRng {
        OrgRng(self.bits(org))
    }

    /// A sequential generator on the stream of (purpose, sub, step), for draws that are not
    /// per organisation (network generation, random targeting).
    pub fn sequence(key: &[u8; 32], purpose: Purpose, sub: u32, step: u32) -> SimRng {
        let mut rng = SimRng::from_seed(*key);
        rng.set_stream(stream_id(purpose, sub, step));
        rng
    }
}

/// Words between the starts of two windows of a stream ([`Draws::window`]): far more than
/// any range of organisations draws in a step.
const WINDOW_WORDS: u128 = 1 << 32;

impl Draws {
    /// A sequential generator on window `w` of the stream of (purpose, sub, step): for
    /// ranges of organisations that each draw a variable number of times (thinned events,
    /// `model::par::events`). Each range has a window of its own, so ranges can draw on
    /// different threads and still see the same numbers. A stream is either addressed by
    /// organisation ([`Draws::new`]) or by window, never both.
    pub fn window(key: &[u8; 32], purpose: Purpose, sub: u32, step: u32, w: u64) -> SimRng {
        let mut rng = Draws::sequence(key, purpose, sub, step);
        rng.set_word_pos(w as u128 * WINDOW_WORDS);
        rng
    }
}

/// SplitMix64 as a generator: fast, and good enough for the handful of numbers one
/// organisation needs in one step (its seed is already a ChaCha output).
#[derive(Debug, Clone)]
pub struct OrgRng(u64);

impl OrgRng {
    pub fn new(seed: u64) -> Self {
        OrgRng(seed)
    }
}

impl RngCore for OrgRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let x = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
    }
}

/// A uniform in [0,1) from a sequential generator (53 bits).
#[inline]
pub fn unit<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The indices in 0..n each chosen independently with probability `p`, in increasing
/// order, by geometric skipping: work proportional to the number chosen, not to n.
pub fn bernoulli_indices<R: RngCore + ?Sized>(rng: &mut R, n: usize, p: f64) -> Vec<usize> {
    let mut out = Vec::new();
    if p <= 0.0 || n == 0 {
        return out;
    }
    if p >= 1.0 {
        return (0..n).collect();
    }
    let log_q = (1.0 - p).ln();
    let mut i: f64 = -1.0;
    loop {
        // Skip a Geometric(p) number of failures; 1 - u is in (0, 1].
        let u = unit(rng);
        i += 1.0 + ((1.0 - u).ln() / log_q).floor();
        if i >= n as f64 {
            return out;
        }
        out.push(i as usize);
    }
}

/// A uniform integer in 0..n (n > 0) by Lemire's multiply-shift with rejection: unbiased.
#[inline]
pub fn below<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> u64 {
    debug_assert!(n > 0);
    loop {
        let x = rng.next_u64();
        let m = (x as u128) * (n as u128);
        let lo = m as u64;
        if lo >= n || lo >= n.wrapping_neg() % n {
            return (m >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the stream: if an upgrade of rand_chacha changes it, every result changes.
    #[test]
    fn first_outputs_are_pinned() {
        let key = replicate_key(42, 0);
        let mut d = Draws::new(&key, Purpose::Adoption, 0, 0);
        let got: Vec<String> = (0..3).map(|o| format!("{:.12}", d.uniform(o))).collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [&str; 3] = ["0.379569674521", "0.259879710142", "0.806260836411"];

    #[test]
    fn draws_do_not_depend_on_access_order() {
        let key = replicate_key(7, 3);
        let mut a = Draws::new(&key, Purpose::Training, 2, 11);
        let forward: Vec<f64> = (0..100).map(|o| a.uniform(o)).collect();
        let mut b = Draws::new(&key, Purpose::Training, 2, 11);
        for o in (0..100).rev().step_by(3) {
            assert_eq!(b.uniform(o), forward[o as usize]);
        }
    }

    #[test]
    fn keys_separate_replicates_purposes_steps() {
        let k0 = replicate_key(1, 0);
        let k1 = replicate_key(1, 1);
        assert_ne!(k0, k1);
        let x = Draws::new(&k0, Purpose::Adoption, 0, 5).uniform(9);
        assert_ne!(x, Draws::new(&k1, Purpose::Adoption, 0, 5).uniform(9));
        assert_ne!(x, Draws::new(&k0, Purpose::Training, 0, 5).uniform(9));
        assert_ne!(x, Draws::new(&k0, Purpose::Adoption, 0, 6).uniform(9));
        assert_ne!(x, Draws::new(&k0, Purpose::Adoption, 1, 5).uniform(9));
        assert_ne!(x, Draws::new(&k0, Purpose::Adoption, 0, 5).uniform(10));
    }

    #[test]
    fn bernoulli_indices_have_the_right_rate() {
        let mut r = Draws::sequence(&replicate_key(3, 0), Purpose::Ties, 0, 0);
        let picked = bernoulli_indices(&mut r, 1_000_000, 0.01);
        assert!(picked.windows(2).all(|w| w[0] < w[1]));
        assert!(
            (picked.len() as f64 - 10_000.0).abs() < 400.0,
            "{}",
            picked.len()
        );
        assert_eq!(bernoulli_indices(&mut r, 5, 1.0), vec![0, 1, 2, 3, 4]);
        assert!(bernoulli_indices(&mut r, 5, 0.0).is_empty());
    }

    #[test]
    fn below_is_in_range() {
        let mut r = Draws::sequence(&replicate_key(0, 0), Purpose::Network, 0, 0);
        for n in [1u64, 2, 3, 10, 1 << 40] {
            for _ in 0..100 {
                assert!(below(&mut r, n) < n);
            }
        }
    }
}
