//! Network generators, seeded from the run's network stream.

use crate::network::TieSpec;
use crate::rng::{unit, SimRng};
use crate::scenario::NetworkModel;

/// Organisation attributes a generator may use (block models group by kind and place).
pub struct Nodes<'a> {
    pub kind: &'a [u16],
    pub place: &'a [u16],
}

/// Generates the ties of `model` over `nodes` with unit weights (weights are drawn later).
pub fn generate(
    model: &NetworkModel,
    nodes: &Nodes,
    rng: &mut SimRng,
) -> Result<Vec<TieSpec>, String> {
    let n = nodes.kind.len();
    let tie = |a: usize, b: usize| TieSpec {
        a: a as u32,
        b: b as u32,
        weight: 1.0,
        person_dependent: false,
    };
    let mut out = Vec::new();
    match model {
        NetworkModel::Complete => {
            for a in 0..n {
                for b in a + 1..n {
                    out.push(tie(a, b));
                }
            }
        }
        NetworkModel::RingLattice { k } => {
            let half = (*k as usize / 2).min(n.saturating_sub(1) / 2);
            for a in 0..n {
                for d in 1..=half {
                    out.push(tie(a, (a + d) % n));
                }
            }
        }
        NetworkModel::ErdosRenyi { mean_degree } => {
            if n < 2 {
                return Ok(out);
            }
            let p = (mean_degree / (n as f64 - 1.0)).clamp(0.0, 1.0);
            if p <= 0.0 {
                return Ok(out);
            }
            // Batagelj & Brandes (2005) geometric skipping over the pairs a > b.
            let lp = (1.0 - p).ln();
            let (mut v, mut w): (i64, i64) = (1, -1);
            while (v as usize) < n {
                let r = unit(rng);
                w += 1 + if p >= 1.0 {
                    0
                } else {
                    ((1.0 - r).ln() / lp).floor() as i64
                };
                while w >= v && (v as usize) < n {
                    w -= v;
                    v += 1;
                }
                if (v as usize) < n {
                    out.push(tie(w as usize, v as usize));
                }
            }
        }
        other => return Err(format!("network model {other:?} is not available yet")),
    }
    Ok(out)
}
