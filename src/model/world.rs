//! The world of one replicate: organisations with their fixed attributes and the network
//! they start with. Built from the plan and the replicate's network and attribute streams
//! only, so interventions and dynamics never change it.

use crate::model::ModelError;
use crate::network::{generate, Network, TieSpec};
use crate::plan::Plan;
use crate::rng::{replicate_key, unit, Draws, Purpose};
use crate::scenario::{Kernel, Organisations};

/// Fixed attributes of the organisations of one replicate (struct of arrays).
#[derive(Debug, Clone)]
pub struct World {
    pub n: usize,
    pub kind: Vec<u16>,
    pub place: Vec<u16>,
    pub staff: Vec<u32>,
    /// People each organisation reaches (catchment x outcome.reach).
    pub reach: Vec<f64>,
    /// Share of its place's population each organisation reaches, capped at 1.
    pub reach_share: Vec<f64>,
    /// Identifiers from a node table; `None` for generated organisations (ids are indices).
    pub ids: Option<Vec<String>>,
    /// Per practice: which kinds may adopt it.
    pub kind_allowed: Vec<Vec<bool>>,
    /// Per practice: each organisation's fractional threshold (empty for other kernels).
    pub threshold: Vec<Vec<f64>>,
    /// Per practice: the organisations whose kind may adopt it, in index order (sweeps over
    /// a practice visit only these).
    pub pool: Vec<Vec<u32>>,
}

/// Builds the world and initial network of `replicate`.
pub fn build(plan: &Plan, replicate: u32) -> Result<(World, Network), ModelError> {
    let sc = &plan.scenario;
    let key = replicate_key(sc.seed, replicate as u64);
    let (kind, place) = match &sc.organisations {
        Organisations::Generate(groups) => {
            let total: u64 = groups.iter().map(|g| g.count as u64).sum();
            let mut kind = Vec::with_capacity(total as usize);
            let mut place = Vec::with_capacity(total as usize);
            for g in groups {
                let k = *plan
                    .kind_index
                    .get(&g.kind)
                    .ok_or_else(|| ModelError::Build(format!("unknown kind {:?}", g.kind)))?;
                let p = *plan
                    .place_index
                    .get(&g.place)
                    .ok_or_else(|| ModelError::Build(format!("unknown place {:?}", g.place)))?;
                kind.extend(std::iter::repeat_n(k, g.count as usize));
                place.extend(std::iter::repeat_n(p, g.count as usize));
            }
            (kind, place)
        }
        Organisations::Table(file) => {
            return Err(ModelError::Build(format!(
                "organisation table {file:?}: node tables are not supported yet"
            )))
        }
    };
    let n = kind.len();
    if n > u32::MAX as usize - 1 {
        return Err(ModelError::Build(format!(
            "{n} organisations is more than this build supports"
        )));
    }

    // Attributes: one draw stream per attribute, keyed by organisation.
    let mut staff = vec![0u32; n];
    let mut catchment = vec![0f64; n];
    let mut staff_draws = Draws::new(&key, Purpose::Attributes, 0, 0);
    let mut catch_draws = Draws::new(&key, Purpose::Attributes, 1, 0);
    for i in 0..n {
        let k = &sc.kinds[kind[i] as usize];
        staff[i] = k
            .staff
            .sample(&mut staff_draws.org_rng(i as u32))
            .round()
            .clamp(1.0, u32::MAX as f64) as u32;
        catchment[i] = k.catchment.sample(&mut catch_draws.org_rng(i as u32));
    }
    let reach: Vec<f64> = catchment.iter().map(|c| c * sc.outcome.reach).collect();
    let reach_share = (0..n)
        .map(|i| {
            let pop = sc.places[place[i] as usize].population;
            if pop > 0.0 {
                (reach[i] / pop).min(1.0)
            } else {
                0.0
            }
        })
        .collect();

    let mut kind_allowed = Vec::new();
    let mut threshold = Vec::new();
    for (pi, pr) in sc.practices.iter().enumerate() {
        let mut allowed = vec![pr.adopter_kinds.is_empty(); sc.kinds.len()];
        for name in &pr.adopter_kinds {
            let k = *plan
                .kind_index
                .get(name)
                .ok_or_else(|| ModelError::Build(format!("unknown kind {name:?}")))?;
            allowed[k as usize] = true;
        }
        kind_allowed.push(allowed);
        threshold.push(match &pr.kernel {
            Kernel::FractionalThreshold { threshold } => {
                let mut d = Draws::new(&key, Purpose::Traits, pi as u32, 0);
                (0..n)
                    .map(|i| threshold.sample(&mut d.org_rng(i as u32)))
                    .collect()
            }
            _ => Vec::new(),
        });
    }

    let pool = kind_allowed
        .iter()
        .map(|allowed| {
            (0..n as u32)
                .filter(|&i| allowed[kind[i as usize] as usize])
                .collect()
        })
        .collect();
    let network = build_network(plan, replicate, &kind, &place)?;
    let world = World {
        pool,
        n,
        kind,
        place,
        staff,
        reach,
        reach_share,
        ids: None,
        kind_allowed,
        threshold,
    };
    Ok((world, network))
}

/// Generates (or imports) the network and draws tie weights and person-dependence from the
/// network stream, which no dynamic sub-model reads.
fn build_network(
    plan: &Plan,
    replicate: u32,
    kind: &[u16],
    place: &[u16],
) -> Result<Network, ModelError> {
    let spec = &plan.scenario.network;
    let net_rep = if spec.same_for_all_replicates {
        0
    } else {
        replicate
    };
    let key = replicate_key(plan.scenario.seed, net_rep as u64);
    let mut rng = Draws::sequence(&key, Purpose::Network, 0, 0);
    let nodes = generate::Nodes { kind, place };
    let mut ties: Vec<TieSpec> =
        generate::generate(&spec.model, &nodes, &mut rng).map_err(ModelError::Build)?;
    let fixed_unit = spec.weights == crate::scenario::Dist::Fixed(1.0);
    if !fixed_unit || spec.person_dependent_share > 0.0 {
        let mut wrng = Draws::sequence(&key, Purpose::Weights, 0, 0);
        for t in &mut ties {
            t.weight = (spec.weights.sample(&mut wrng).clamp(0.0, 1.0)) as f32;
            t.person_dependent =
                spec.person_dependent_share > 0.0 && unit(&mut wrng) < spec.person_dependent_share;
        }
    }
    Network::from_ties(kind.len(), &ties, kind, place).map_err(|e| ModelError::Build(e.to_string()))
}
