//! The progress bar of an experiment: runs done of the total, rate and time left, on
//! stderr. Hidden when stderr is not a terminal (logs, pipes, tests) or when asked.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One bar for all runs of an experiment.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total` runs, drawn only if `show` and stderr is a terminal.
    pub fn new(total: u64, show: bool) -> Progress {
        let target = if show && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template(
            "{bar:30} {pos}/{len} runs  {rate}  ETA {eta}  {elapsed} elapsed",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} runs/s", state.per_sec());
            },
        );
        bar.set_style(style);
        Progress { bar }
    }

    /// A bar that never draws.
    pub fn hidden() -> Progress {
        Progress::new(0, false)
    }

    /// Counts one more finished run.
    pub fn run_done(&self) {
        self.bar.inc(1);
    }

    /// Counts runs already done before this process started (a resumed run).
    pub fn add(&self, runs: u64) {
        self.bar.inc(runs);
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
