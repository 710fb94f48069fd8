//! `--shard K/N`: the K-th of N disjoint, contiguous slices of an experiment's runs.
//!
//! Slice K holds runs `floor(T*K/N) .. floor(T*(K+1)/N)` of T, so the slices of 0..N, in
//! order, are the whole list in order and merging is concatenation. Inside a Slurm job
//! array, `SLURM_ARRAY_TASK_ID`/`SLURM_ARRAY_TASK_COUNT` give K and N when `--shard` is
//! not given.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// One slice of an experiment's runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 0.
    pub index: u32,
    /// N, at least 1.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` with `0 <= K < N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 0 <= K < N (e.g. 0/4), got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard given by Slurm's job-array variables, if both are set.
    pub fn from_env() -> Result<Option<Shard>, String> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        match (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT")) {
            (Some(k), Some(n)) => Shard::parse(&format!("{k}/{n}"))
                .map(Some)
                .map_err(|e| format!("SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT: {e}")),
            _ => Ok(None),
        }
    }

    /// The run indices of this shard among `total` runs.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |k: u32| (total as u128 * k as u128 / self.count.max(1) as u128) as u64;
        at(self.index)..at(self.index + 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_disjoint_contiguous_and_cover_every_run() {
        for (total, n) in [(10u64, 4u32), (3, 4), (0, 2), (7, 1), (100_000, 7)] {
            let mut next = 0;
            for k in 0..n {
                let r = Shard { index: k, count: n }.range(total);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, total);
        }
        assert_eq!(Shard::parse("1/4").unwrap().range(10), 2..5);
    }

    #[test]
    fn parses_only_valid_slices() {
        assert_eq!(Shard::parse("0/1"), Ok(Shard { index: 0, count: 1 }));
        for bad in ["4/4", "1/0", "x/2", "3", "-1/2", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
