//! A checked, resolved scenario: names turned into indices, dates into steps, yearly
//! rates into per-step hazards. Built once; every run of every replicate reads it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::scenario::{Scenario, YearMonth};

/// A scenario resolved for running.
#[derive(Debug, Clone)]
pub struct Plan {
    pub scenario: Scenario,
    /// Folder that relative paths in the scenario are resolved against.
    pub base_dir: PathBuf,
    /// Steps simulated (the state after step s describes the end of its months).
    pub steps: u32,
    /// Step length in years.
    pub dt: f64,
    pub kind_index: BTreeMap<String, u16>,
    pub place_index: BTreeMap<String, u16>,
    pub practice_index: BTreeMap<String, u16>,
}

/// A problem found while resolving (references, dates); the field path says where.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    pub path: String,
    pub message: String,
}

impl Plan {
    /// Resolves a scenario. Reports every dangling reference and out-of-horizon date.
    pub fn new(scenario: Scenario, base_dir: PathBuf) -> Result<Plan, Vec<PlanError>> {
        let mut errors = Vec::new();
        let cal = &scenario.calendar;
        let months = cal.end.index() - cal.start.index() + 1;
        let sm = cal.step_months.max(1) as i64;
        if cal.step_months == 0 || 12 % cal.step_months != 0 {
            errors.push(PlanError {
                path: "calendar.step_months".into(),
                message: format!(
                    "must divide 12 (1, 2, 3, 4, 6 or 12), got {}",
                    cal.step_months
                ),
            });
        }
        if months < sm {
            errors.push(PlanError {
                path: "calendar.end".into(),
                message: format!(
                    "must be at least one step after calendar.start ({})",
                    cal.start
                ),
            });
        }
        let index = |names: Vec<&String>, what: &str, errors: &mut Vec<PlanError>| {
            let mut map = BTreeMap::new();
            for (i, name) in names.into_iter().enumerate() {
                if map.insert(name.clone(), i as u16).is_some() {
                    errors.push(PlanError {
                        path: format!("{what}[{i}].name"),
                        message: format!("duplicate name {name:?}; names must be unique"),
                    });
                }
            }
            map
        };
        let kind_index = index(
            scenario.kinds.iter().map(|k| &k.name).collect(),
            "kinds",
            &mut errors,
        );
        let place_index = index(
            scenario.places.iter().map(|p| &p.name).collect(),
            "places",
            &mut errors,
        );
        let practice_index = index(
            scenario.practices.iter().map(|p| &p.name).collect(),
            "practices",
            &mut errors,
        );
        let plan = Plan {
            steps: (months.max(0) / sm) as u32,
            dt: sm as f64 / 12.0,
            kind_index,
            place_index,
            practice_index,
            base_dir,
            scenario,
        };
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(errors)
        }
    }

    /// First month of step `s` (step 0 starts at the calendar start).
    pub fn step_start(&self, s: u32) -> YearMonth {
        self.scenario
            .calendar
            .start
            .add_months(s as i64 * self.scenario.calendar.step_months as i64)
    }

    /// Last month covered by step `s`: the date reported for the state after it.
    pub fn step_date(&self, s: u32) -> YearMonth {
        self.step_start(s)
            .add_months(self.scenario.calendar.step_months as i64 - 1)
    }

    /// The step whose months contain `m`, if inside the horizon.
    pub fn step_of(&self, m: YearMonth) -> Option<u32> {
        let d = m.index() - self.scenario.calendar.start.index();
        if d < 0 || m > self.scenario.calendar.end {
            return None;
        }
        Some((d / self.scenario.calendar.step_months as i64) as u32)
    }

    /// Per-step probability of an event with hazard `rate` per year.
    pub fn per_step(&self, rate: f64) -> f64 {
        1.0 - (-rate * self.dt).exp()
    }
}
