//! What interventions leave behind in a run's state: the governance mode, the coordinator
//! actions used this step, the money spent, and time-limited effects (funding, shocks) with
//! the per-organisation and per-place factors they add up to, which the training and
//! outcome sub-models read.

use crate::scenario::GovernanceMode;

/// A time-limited effect of one intervention occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// First step at which the effect no longer applies.
    pub until: u32,
    /// Organisations it applies to.
    pub orgs: Vec<u32>,
    /// Factor on their activation hazard.
    pub activation: f64,
    /// Extra staff they may train.
    pub extra_staff: u32,
    /// Places (indices) with an extra inactivity hazard.
    pub places: Vec<u16>,
    /// Extra inactivity hazard per year in those places.
    pub inactivity: f64,
}

/// Intervention state of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Programme {
    pub governance: GovernanceMode,
    /// Coordinator actions taken in the current step.
    pub actions_used: u64,
    /// Money spent so far (Cost items of every occurrence).
    pub total_cost: f64,
    pub effects: Vec<Timed>,
    /// Product of active effects' activation factors per organisation (empty: all 1).
    activation: Vec<f64>,
    /// Sum of active effects' extra staff per organisation (empty: all 0).
    extra_staff: Vec<u32>,
    /// Sum of active effects' inactivity hazards per place (empty: all 0).
    place_hazard: Vec<f64>,
}

impl Programme {
    /// Factor on organisation `i`'s activation hazard from active effects.
    #[inline]
    pub fn activation_factor(&self, i: usize) -> f64 {
        self.activation.get(i).copied().unwrap_or(1.0)
    }

    /// Extra staff organisation `i` may train while funded.
    #[inline]
    pub fn extra_staff(&self, i: usize) -> u32 {
        self.extra_staff.get(i).copied().unwrap_or(0)
    }

    /// Extra inactivity hazard per year in place `k` from active shocks.
    #[inline]
    pub fn place_hazard(&self, k: usize) -> f64 {
        self.place_hazard.get(k).copied().unwrap_or(0.0)
    }

    /// Adds an effect and refreshes the factors.
    pub fn start(&mut self, effect: Timed, n: usize, places: usize) {
        self.effects.push(effect);
        self.refresh(n, places);
    }

    /// Drops effects that end before `step` (1-based) and refreshes the factors if any did.
    pub fn expire(&mut self, step: u32, n: usize, places: usize) {
        let before = self.effects.len();
        self.effects.retain(|e| e.until > step);
        if self.effects.len() != before {
            self.refresh(n, places);
        }
    }

    /// Recomputes the factors from the active effects, in the order they started (so the
    /// floating-point product is the same in every run).
    fn refresh(&mut self, n: usize, places: usize) {
        self.activation.clear();
        self.extra_staff.clear();
        self.place_hazard.clear();
        for e in &self.effects {
            if e.activation != 1.0 {
                if self.activation.is_empty() {
                    self.activation = vec![1.0; n];
                }
                for &i in &e.orgs {
                    self.activation[i as usize] *= e.activation;
                }
            }
            if e.extra_staff > 0 {
                if self.extra_staff.is_empty() {
                    self.extra_staff = vec![0; n];
                }
                for &i in &e.orgs {
                    let x = &mut self.extra_staff[i as usize];
                    *x = x.saturating_add(e.extra_staff);
                }
            }
            if e.inactivity > 0.0 {
                if self.place_hazard.is_empty() {
                    self.place_hazard = vec![0.0; places];
                }
                for &k in &e.places {
                    self.place_hazard[k as usize] += e.inactivity;
                }
            }
        }
    }
}
