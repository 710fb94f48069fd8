//! The benchmark workload: one replicate of a scenario run until it settles, with the time
//! spent loading (world, network, seeds) kept apart from the time spent stepping.
//!
//! This is how changenet is compared with the hand-written reference kernel of
//! `../shared/bench` (docs/PERFORMANCE.md): the reference stops after the first step that
//! adds no adopter and reports its step loop alone, so this does the same, and digests the
//! final adopters exactly as the reference does (sha256 of the sorted organisation indices,
//! one `index\n` each) so a test can compare the two results.

use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::model::state::NONE;
use crate::model::{ModelError, Simulation};
use crate::plan::Plan;

/// What one settled run of replicate 0 did and how long its parts took.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// Seconds building the world, the network and the seeds (reading files included).
    pub load_s: f64,
    /// Seconds in the step loop.
    pub simulate_s: f64,
    /// CPU seconds the step loop took on all the process's threads (Linux; `None`
    /// elsewhere): on a busy machine this is cleaner than the wall time, and it counts the
    /// work the sub-models hand to other threads.
    pub simulate_cpu_s: Option<f64>,
    /// Steps taken, the last (quiet) one included, as the reference counts them.
    pub steps: u32,
    /// New adopters of each step (every practice together).
    pub trajectory: Vec<u64>,
    /// Wall seconds of each step, in step order: the cost of a step depends on how much
    /// changes in it, so the spread matters as much as the total.
    pub step_s: Vec<f64>,
    /// Wall seconds of each sub-model over all steps, in the order of
    /// [`crate::model::PHASES`].
    pub phase_s: [f64; crate::model::PHASES.len()],
    /// Wall seconds of each sub-model in each step (step order, then [`crate::model::PHASES`]
    /// order): which sub-model a slow step spent its time in.
    pub step_phase_s: Vec<[f64; crate::model::PHASES.len()]>,
    /// Organisations that ever adopted any practice, in index order.
    pub adopters: Vec<u32>,
}

impl Settled {
    /// sha256 of the adopters' indices, one `index\n` each, as lowercase hex (the
    /// reference kernel's digest).
    pub fn digest(&self) -> String {
        let mut text = String::with_capacity(self.adopters.len() * 8);
        for i in &self.adopters {
            text.push_str(&i.to_string());
            text.push('\n');
        }
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// One JSON line with the figures, for scripts.
    pub fn json(&self) -> String {
        serde_json::json!({
            "load_s": self.load_s,
            "simulate_s": self.simulate_s,
            "simulate_cpu_s": self.simulate_cpu_s,
            "steps": self.steps,
            "final_adopters": self.adopters.len(),
            "digest": self.digest(),
            "trajectory": self.trajectory,
            "step_s": self.step_s,
            "phase_s": crate::model::PHASES
                .iter()
                .zip(self.phase_s)
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect::<serde_json::Map<_, _>>(),
            "step_phase_s": self.step_phase_s,
        })
        .to_string()
    }
}

/// CPU seconds all threads of this process have run, from Linux's
/// `/proc/self/task/*/schedstat` (nanoseconds on the CPU, first field); `None` where those
/// files are not available. The thread pool lives as long as the process, so the
/// difference over the step loop is the loop's CPU on every thread.
fn process_cpu_s() -> Option<f64> {
    let mut ns: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 * 1e-9)
}

/// Organisations that ever adopted (any stage but none), over all practices.
fn ever_adopted(sim: &Simulation) -> u64 {
    sim.state
        .practices
        .iter()
        .map(|p| p.trialling as u64 + p.embedded as u64 + p.discontinued as u64)
        .sum()
}

/// Runs replicate 0 of `plan` until the first step that adds no adopter, or to the end of
/// the calendar, timing the build and the steps apart. The run has a pool thread and
/// the pool to itself, as a lone run of `changenet run` does: on a new pool of the
/// default size (`RAYON_NUM_THREADS`, or one thread per core) when called off a pool.
pub fn settle(plan: &Plan) -> Result<Settled, ModelError> {
    if rayon::current_thread_index().is_none() {
        if let Ok(pool) = rayon::ThreadPoolBuilder::new().build() {
            return pool.install(|| settle(plan));
        }
    }
    let t0 = Instant::now();
    let sim = Simulation::new(plan, 0)?;
    let load_s = t0.elapsed().as_secs_f64();
    // The steps only: the loading is mostly reading, on one thread.
    crate::model::par::with_threads_awake(|| settle_loaded(plan, sim, load_s))
}

/// [`settle`]'s steps, from `sim` as loaded (in `load_s` seconds).
fn settle_loaded(plan: &Plan, mut sim: Simulation, load_s: f64) -> Result<Settled, ModelError> {
    let cpu1 = process_cpu_s();
    let t1 = Instant::now();
    let mut trajectory = Vec::new();
    let mut step_s = Vec::new();
    let mut step_phase_s = Vec::new();
    let mut before = ever_adopted(&sim);
    while sim.step < plan.steps {
        let t = Instant::now();
        let mut phases = [0.0; crate::model::PHASES.len()];
        sim.advance_timed(Some(&mut phases))?;
        step_phase_s.push(phases);
        step_s.push(t.elapsed().as_secs_f64());
        let now = ever_adopted(&sim);
        trajectory.push(now.saturating_sub(before));
        if now == before {
            break;
        }
        before = now;
    }
    let simulate_s = t1.elapsed().as_secs_f64();
    let mut phase_s = [0.0; crate::model::PHASES.len()];
    for step in &step_phase_s {
        phase_s
            .iter_mut()
            .zip(step)
            .for_each(|(total, s)| *total += s);
    }
    let simulate_cpu_s = cpu1.zip(process_cpu_s()).map(|(a, b)| b - a);
    let n = sim.world.n;
    let adopters = (0..n as u32)
        .filter(|&i| {
            sim.state
                .practices
                .iter()
                .any(|p| p.stage[i as usize] != NONE)
        })
        .collect();
    Ok(Settled {
        load_s,
        simulate_s,
        simulate_cpu_s,
        steps: sim.step,
        trajectory,
        step_s,
        phase_s,
        step_phase_s,
        adopters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settles_a_ring_cascade_step_by_step() {
        // Ring of 10, each tied to its two neighbours, threshold 1/2, seed 0: the cascade
        // takes one organisation further on each side per step and meets itself at 5.
        let text = r#"Scenario(
            name: "ring", seed: 1, replicates: 1,
            places: [Place(name: "all", population: 1000.0, inactive_prevalence: 0.25)],
            kinds: [Kind(name: "node")],
            organisations: Generate([OrgGroup(kind: "node", place: "all", count: 10)]),
            network: NetworkSpec(model: RingLattice(k: 2)),
            practices: [Practice(name: "p", kernel: FractionalThreshold(threshold: Fixed(0.5)),
                                 dwell_years: 100.0, seeds: Some(Targets(pick: List(["0"]))))],
        )"#;
        let scenario = crate::scenario::parse_str("ring", text).unwrap();
        let plan = Plan::new(scenario, ".".into()).unwrap();
        let s = settle(&plan).unwrap();
        assert_eq!(s.trajectory, [2, 2, 2, 2, 1, 0]);
        assert_eq!(s.steps, 6);
        assert_eq!(s.adopters, (0..10).collect::<Vec<u32>>());
    }

    #[test]
    fn digest_is_the_reference_kernels() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'0\n2\n10\n').hexdigest())"
        let s = Settled {
            load_s: 0.0,
            simulate_s: 0.0,
            simulate_cpu_s: None,
            steps: 1,
            trajectory: vec![0],
            step_s: vec![0.0],
            phase_s: [0.0; crate::model::PHASES.len()],
            step_phase_s: vec![[0.0; crate::model::PHASES.len()]],
            adopters: vec![0, 2, 10],
        };
        assert_eq!(
            s.digest(),
            "faef594c973ca2e0ef075db923848d84f23d8278b994b0c37a8150cea6ffa84d"
        );
        assert!(s.json().contains("\"final_adopters\":3"));
    }
}
