//! The world of one replicate: organisations with their fixed attributes and the network
//! they start with. Built from the plan and the replicate's network and attribute streams
//! only, so interventions and dynamics never change it.

use crate::model::ModelError;
use crate::network::{generate, import, Network, TieSpec};
use crate::plan::Plan;
use crate::rng::{replicate_key, Draws, OrgRng, Purpose};
use crate::scenario::{Kernel, NetworkModel, Organisations};

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
    /// Per kind: its organisations in index order (targeting by kind visits only these).
    pub by_kind: Vec<Vec<u32>>,
}

/// Builds the world and initial network of `replicate`.
pub fn build(plan: &Plan, replicate: u32) -> Result<(World, Network), ModelError> {
    let sc = &plan.scenario;
    let key = replicate_key(sc.seed, replicate as u64);
    let mut table: Option<import::NodeTable> = None;
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
            let t = import::read_nodes(&plan.base_dir.join(file)).map_err(build_err)?;
            let names = |col: &Option<Vec<String>>,
                         index: &std::collections::BTreeMap<String, u16>,
                         what: &str|
             -> Result<Vec<u16>, ModelError> {
                match col {
                    Some(v) => v
                        .iter()
                        .enumerate()
                        .map(|(row, name)| {
                            index.get(name).copied().ok_or_else(|| {
                                ModelError::Build(format!(
                                    "{file}: row {}: unknown {what} {name:?} (the scenario's {what}s: {})",
                                    row + 2,
                                    index.keys().cloned().collect::<Vec<_>>().join(", ")
                                ))
                            })
                        })
                        .collect(),
                    // Without the column, a scenario with a single kind (place) means it.
                    None if index.len() == 1 => Ok(vec![0; t.ids.len()]),
                    None => Err(ModelError::Build(format!(
                        "{file}: no {what} column, and the scenario has {} {what}s",
                        index.len()
                    ))),
                }
            };
            let kind = names(&t.kind, &plan.kind_index, "kind")?;
            let place = names(&t.place, &plan.place_index, "place")?;
            table = Some(t);
            (kind, place)
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
    let table_staff = table.as_ref().and_then(|t| t.staff.as_ref());
    let table_catchment = table.as_ref().and_then(|t| t.catchment.as_ref());
    // A fixed distribution draws nothing: its value is taken once, not per organisation
    // (the streams are keyed by organisation, so skipping them changes no other draw).
    let fixed = |d: &crate::scenario::Dist| d.is_fixed().then(|| d.sample(&mut OrgRng::new(0)));
    let kind_staff: Vec<Option<f64>> = sc.kinds.iter().map(|k| fixed(&k.staff)).collect();
    let kind_catchment: Vec<Option<f64>> = sc.kinds.iter().map(|k| fixed(&k.catchment)).collect();
    for i in 0..n {
        let ki = kind[i] as usize;
        let k = &sc.kinds[ki];
        let s = match (table_staff, kind_staff[ki]) {
            (Some(v), _) => v[i],
            (None, Some(s)) => s,
            (None, None) => k.staff.sample(&mut staff_draws.org_rng(i as u32)),
        };
        staff[i] = s.round().clamp(1.0, u32::MAX as f64) as u32;
        catchment[i] = match (table_catchment, kind_catchment[ki]) {
            (Some(v), _) => v[i].max(0.0),
            (None, Some(c)) => c,
            (None, None) => k.catchment.sample(&mut catch_draws.org_rng(i as u32)),
        };
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
            Kernel::FractionalThreshold { threshold } => match fixed(threshold) {
                Some(v) => vec![v; n],
                None => {
                    let mut d = Draws::new(&key, Purpose::Traits, pi as u32, 0);
                    (0..n)
                        .map(|i| threshold.sample(&mut d.org_rng(i as u32)))
                        .collect()
                }
            },
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
    let mut by_kind = vec![Vec::new(); plan.scenario.kinds.len()];
    for (i, &k) in kind.iter().enumerate() {
        by_kind[k as usize].push(i as u32);
    }
    let ids = table.map(|t| t.ids);
    let network = build_network(plan, replicate, &kind, &place, ids.as_deref())?;
    let world = World {
        pool,
        by_kind,
        n,
        kind,
        place,
        staff,
        reach,
        reach_share,
        ids,
        kind_allowed,
        threshold,
    };
    Ok((world, network))
}

/// Generates or imports the starting network. Structure, weights and person-dependence
/// come from the network streams, which no dynamic sub-model reads.
fn build_network(
    plan: &Plan,
    replicate: u32,
    kind: &[u16],
    place: &[u16],
    ids: Option<&[String]>,
) -> Result<Network, ModelError> {
    let spec = &plan.scenario.network;
    let net_rep = if spec.same_for_all_replicates {
        0
    } else {
        replicate
    };
    let key = replicate_key(plan.scenario.seed, net_rep as u64);
    let nodes = generate::Nodes { kind, place };
    let n = kind.len();
    let file = |f: &str| plan.base_dir.join(f);
    if let NetworkModel::PlainEdges { file: f } = &spec.model {
        if spec.person_dependent_share <= 0.0 && spec.strong_triadic_closure <= 0.0 {
            // Unit-weight ties with nothing drawn on them: straight from pairs to the
            // network (large benchmark graphs load in one pass per array).
            let read = import::read_plain_ends(&file(f), Some(n)).map_err(build_err)?;
            return Network::from_ends(n, read.a, read.b, kind, place).map_err(build_err);
        }
    }
    // Imported ties keep their file weights; generated ones draw them.
    let imported = match &spec.model {
        NetworkModel::EdgeList { file: f, directed } => {
            let mut known = closed_ids(ids, n);
            Some(
                import::read_edge_list(&file(f), *directed, &mut known)
                    .map_err(build_err)?
                    .ties,
            )
        }
        NetworkModel::PlainEdges { file: f } => Some(
            import::read_plain_edges(&file(f), Some(n))
                .map_err(build_err)?
                .ties,
        ),
        NetworkModel::Attendance { file: f } => {
            let mut known = closed_ids(ids, n);
            let mut ties = import::read_attendance(&file(f), &mut known)
                .map_err(build_err)?
                .ties;
            // Shared events as strength: the most-shared pair is a full-strength tie.
            let most = ties.iter().map(|t| t.weight).fold(0.0f32, f32::max);
            if most > 0.0 {
                ties.iter_mut().for_each(|t| t.weight /= most);
            }
            Some(ties)
        }
        _ => None,
    };
    let ties: Vec<TieSpec> = match imported {
        Some(mut ties) => {
            generate::draw_person_dependent(
                &mut ties,
                spec.person_dependent_share,
                &mut Draws::sequence(&key, Purpose::Weights, 1, 0),
            );
            generate::close_and_weigh(spec, n, &mut ties, &key);
            ties
        }
        None => generate::build_ties(spec, &nodes, &key).map_err(build_err)?,
    };
    Network::from_ties(n, &ties, kind, place).map_err(build_err)
}

/// Ids an imported file must use: the node table's, or the indices `0..n` of generated
/// organisations.
fn closed_ids(ids: Option<&[String]>, n: usize) -> import::Ids {
    let table = import::NodeTable {
        ids: match ids {
            Some(v) => v.to_vec(),
            None => (0..n).map(|i| i.to_string()).collect(),
        },
        ..Default::default()
    };
    import::Ids::from_table(&table, "the scenario's organisations")
}

fn build_err(e: impl std::fmt::Display) -> ModelError {
    ModelError::Build(e.to_string())
}
