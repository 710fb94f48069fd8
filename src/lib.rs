//! changenet: a deterministic agent-based simulator of large-scale change in networks of
//! organisations. Data flows one way: scenario -> plan -> world -> steps -> observations
//! -> files -> reports.

pub mod analyse;
pub mod analytic;
pub mod bench;
pub mod cli;
pub mod experiment;
pub mod intervention;
pub mod model;
pub mod network;
pub mod output;
pub mod plan;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
