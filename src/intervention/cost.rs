//! Costs of interventions (docs/INTERVENTIONS.md): what one occurrence reached, what it
//! cost, and the cost per percentage point of prevalence reduced, so packages can be
//! compared on value as well as effect.

use crate::scenario::Cost;

/// What one occurrence of an intervention reached, in the units costs are priced in.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reach {
    /// Events held (one per occurrence unless an event is held in each place).
    pub events: u64,
    pub organisations: u64,
    pub trained: u64,
    pub actions: u64,
    /// Years of the action's duration (funding, shock).
    pub years: f64,
}

/// The cost of one occurrence.
pub fn charge(cost: &Cost, r: &Reach) -> f64 {
    cost.per_event * r.events as f64
        + cost.per_organisation * r.organisations as f64
        + cost.per_person_trained * r.trained as f64
        + cost.per_action * r.actions as f64
        + cost.per_year * r.years
}

/// Cost per percentage point of prevalence reduced: `total_cost / (100 * (reference -
/// prevalence))`, where `reference` is the run's baseline prevalence (or a comparator arm's
/// prevalence) and `prevalence` the one reached. `None` when nothing was reduced: no
/// amount of money bought a point.
pub fn cost_per_point(total_cost: f64, reference: f64, prevalence: f64) -> Option<f64> {
    let points = 100.0 * (reference - prevalence);
    (points > 0.0 && points.is_finite() && total_cost.is_finite()).then(|| total_cost / points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_adds_every_item() {
        let c = Cost {
            per_event: 1000.0,
            per_organisation: 10.0,
            per_person_trained: 500.0,
            per_action: 50.0,
            per_year: 20000.0,
        };
        let r = Reach {
            events: 1,
            organisations: 3,
            trained: 4,
            actions: 2,
            years: 0.5,
        };
        assert_eq!(charge(&c, &r), 1000.0 + 30.0 + 2000.0 + 100.0 + 10000.0);
    }

    #[test]
    fn cost_per_point_of_reduction() {
        // 25.6% -> 23.6% is 2 points; 1e6 buys them at 5e5 a point.
        let v = cost_per_point(1e6, 0.256, 0.236).unwrap();
        assert!((v - 5e5).abs() < 1e-6, "{v}");
        assert_eq!(cost_per_point(1e6, 0.25, 0.26), None);
        assert_eq!(cost_per_point(1e6, 0.25, 0.25), None);
        assert_eq!(cost_per_point(0.0, 0.25, 0.24), Some(0.0));
    }
}
