//! The organisation-network model (MODEL.md sections 2-8): state, sub-models and the
//! synchronous step pipeline.

pub mod observe;

pub use observe::{RunOutcome, StepRecord};

use crate::plan::Plan;

/// A run that could not complete: bad data met at build time or a broken invariant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("building the world: {0}")]
    Build(String),
    #[error("step {step}: {message}")]
    Invariant { step: u32, message: String },
}

/// Runs one replicate of a plan, calling `observe` for the initial state and after every
/// step that the scenario's output settings ask for (always the last).
pub fn run_replicate(
    plan: &Plan,
    replicate: u32,
    observe: &mut dyn FnMut(&StepRecord),
) -> Result<RunOutcome, ModelError> {
    let _ = (plan, replicate, observe);
    Err(ModelError::Build("the model is being written".into()))
}
