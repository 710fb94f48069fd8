//! Global sensitivity analysis: which factors (scenario fields varied over ranges) decide
//! an outcome. The maths here works on a design (unit-cube points) and one output per
//! point, so it is tested on analytic functions without any simulation:
//! - [`morris`]: elementary effects on trajectories (μ, μ*, σ), for screening;
//! - [`sobol`]: first-order and total indices on a Saltelli design;
//! - [`bootstrap`]: the seeded percentile intervals of both.

pub mod bootstrap;
pub mod morris;
pub mod sobol;
pub mod study;

/// One index estimate and its 95% bootstrap interval; `None` where undefined (an output
/// that does not vary has no Sobol indices).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Index {
    pub value: Option<f64>,
    pub interval: Option<(f64, f64)>,
}
