//! Experiments beyond one plain run: shards of a run's list (for job arrays), resuming an
//! interrupted result folder, and merging shard folders back into one.
//!
//! All of them rest on one property of the result tables: a run's rows are the same bytes
//! whichever process wrote them, and the summary is a function of those rows alone (floats
//! are written so that they read back exactly), so a folder can be rebuilt from its tables.

pub mod compare;
pub mod design;
pub mod merge;
pub mod points;
pub mod resume;
pub mod shard;
pub mod slurm;
pub mod sweep;
pub mod sweep_file;
pub mod tables;

pub use shard::Shard;
