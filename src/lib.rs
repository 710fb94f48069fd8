//! changenet: a deterministic agent-based simulator of large-scale change in networks of
//! organisations. Data flows one way: scenario -> plan -> world -> steps -> observations
//! -> files -> reports.

pub mod intervention;
pub mod model;
pub mod network;
pub mod plan;
pub mod rng;
pub mod scenario;
pub mod stats;
