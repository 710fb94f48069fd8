//! The scenario file's data types: what a researcher can say in RON.
//!
//! Every struct rejects unknown fields. Defaults are the documented ones (docs/SCENARIO.md);
//! rates are per year and converted to per-step hazards by the model, so a scenario keeps
//! its meaning when the step length changes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::date::YearMonth;

/// A whole scenario: the world, its dynamics, what is done to it and what is asked of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short identifier; names the default output folder `results/<name>/`.
    pub name: String,
    /// The question the scenario answers, in words.
    #[serde(default)]
    pub description: String,
    /// Master seed: with the replicate index it keys every random draw.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Replicates (independent runs) of the scenario.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    #[serde(default)]
    pub calendar: Calendar,
    pub places: Vec<Place>,
    pub kinds: Vec<Kind>,
    pub organisations: Organisations,
    #[serde(default)]
    pub network: NetworkSpec,
    #[serde(default)]
    pub practices: Vec<Practice>,
    #[serde(default)]
    pub training: Training,
    #[serde(default)]
    pub commitment: Commitment,
    #[serde(default)]
    pub ties: TieDynamics,
    #[serde(default)]
    pub outcome: Outcome,
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    /// Who coordinates the network and with how many actions (MODEL.md section 6).
    #[serde(default)]
    pub governance: Governance,
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub output: OutputSpec,
    /// Where a section's numbers come from, for readers of the results: a section
    /// (`training`, `commitment`, `network`, `practices[0]`, `interventions[2]`, ...) to a
    /// citation or the word "assumption". Shown in every report's parameter table.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

/// Sections a scenario's `sources` may name besides `practices[i]` and `interventions[i]`.
pub const SOURCE_SECTIONS: [&str; 13] = [
    "calendar",
    "places",
    "kinds",
    "organisations",
    "network",
    "practices",
    "training",
    "commitment",
    "ties",
    "outcome",
    "interventions",
    "governance",
    "target",
];

fn default_seed() -> u64 {
    20160101
}
fn default_replicates() -> u32 {
    10
}

/// Simulated period and step length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Calendar {
    /// First month simulated (state at its start is the initial state).
    pub start: YearMonth,
    /// Last month simulated (inclusive).
    pub end: YearMonth,
    /// Months per step: 1 (monthly, default), 3 (quarterly) or 12 (yearly); any divisor of 12.
    pub step_months: u32,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            start: YearMonth::new(2016, 1),
            end: YearMonth::new(2030, 12),
            step_months: 1,
        }
    }
}

/// A region: an Active Partnership area, an integrated care system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub name: String,
    /// Adult population (people).
    pub population: f64,
    /// Share of the population inactive at the start (0..1).
    pub inactive_prevalence: f64,
}

/// An organisation kind (NHS trust, GP practice, school, ...) and its size distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    pub name: String,
    /// Staff per organisation (people; rounded, at least 1).
    #[serde(default = "default_staff")]
    pub staff: Dist,
    /// People in the place the organisation reaches (its catchment).
    #[serde(default = "default_catchment")]
    pub catchment: Dist,
}

fn default_staff() -> Dist {
    Dist::Fixed(10.0)
}
fn default_catchment() -> Dist {
    Dist::Fixed(0.0)
}

/// A probability distribution of a non-negative quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Uniform between `lo` and `hi`.
    Uniform { lo: f64, hi: f64 },
    /// Normal, truncated below at zero by resampling-free clamping.
    Normal { mean: f64, sd: f64 },
    /// Log-normal given by its median and the sd of the log.
    LogNormal { median: f64, sigma: f64 },
}

/// Where organisations come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Organisations {
    /// Counts per kind and place; attributes drawn from the kinds' distributions.
    Generate(Vec<OrgGroup>),
    /// A node table CSV (`id,kind,place,staff,catchment`), path relative to the scenario file.
    Table(String),
}

/// `count` organisations of `kind` in `place`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgGroup {
    pub kind: String,
    pub place: String,
    pub count: u32,
}

/// The collaboration network at the start of each run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSpec {
    /// How the ties are made: a generator or an imported file.
    pub model: NetworkModel,
    /// Tie weight (strength, usually in 0..1]) at creation, drawn per tie in tie order from
    /// the weights stream; negative draws become 0. Imported ties keep their file weights.
    pub weights: Dist,
    /// Weights at or above this are strong ties; below, weak.
    pub strong_threshold: f64,
    /// Share of ties that hang on one person (lost when that person leaves).
    pub person_dependent_share: f64,
    /// Use replicate 0's network in every replicate (isolates dynamic variation).
    pub same_for_all_replicates: bool,
    /// Strong triadic closure (Granovetter 1973) applied once after weights are drawn:
    /// each open triad whose two ties from the middle organisation are both strong (weight
    /// at or above `strong_threshold`) is closed with this probability (0 = off, the
    /// default; 1 = every such triad is closed). New ties get weights from `weights`.
    pub strong_triadic_closure: f64,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            model: NetworkModel::ErdosRenyi { mean_degree: 4.0 },
            weights: Dist::Fixed(1.0),
            strong_threshold: 0.5,
            person_dependent_share: 0.0,
            same_for_all_replicates: false,
            strong_triadic_closure: 0.0,
        }
    }
}

/// Network generators and importers. Every generator makes a simple graph (no self-loops,
/// no repeated ties) and is a pure function of the organisations and the network stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NetworkModel {
    /// Every pair tied.
    Complete,
    /// Ring with each organisation tied to its `k` nearest (`k / 2` on each side; an odd
    /// `k` is rounded down, as networkx does).
    RingLattice {
        /// Ties per organisation.
        k: u32,
    },
    /// G(n,p) with p chosen for the given mean degree: p = mean_degree / (n - 1).
    ErdosRenyi {
        /// Expected ties per organisation.
        mean_degree: f64,
    },
    /// G(n,p): each pair tied independently with probability `p`.
    ErdosRenyiP {
        /// Probability that a pair is tied, in [0, 1].
        p: f64,
    },
    /// G(n,m): exactly `ties` ties chosen uniformly among all pairs.
    ErdosRenyiM {
        /// Number of ties; at most n (n - 1) / 2.
        ties: u64,
    },
    /// Watts-Strogatz small world (networkx semantics): a ring lattice of degree `k`, then
    /// each tie (u, v) in turn is rewired with probability `p` to (u, w), w uniform,
    /// avoiding self-loops and repeated ties.
    WattsStrogatz {
        /// Lattice degree (even; odd is rounded down).
        k: u32,
        /// Rewiring probability in [0, 1].
        p: f64,
    },
    /// Barabasi-Albert preferential attachment (networkx semantics): a star on m + 1
    /// organisations, then each newcomer ties to `m` distinct organisations drawn with
    /// probability proportional to degree. Makes m (n - m) ties.
    BarabasiAlbert {
        /// Ties per newcomer (1 <= m < n).
        m: u32,
    },
    /// Stochastic block model over blocks of kind x place: each organisation expects
    /// `mean_degree` ties, split over same/other place x same/other kind by `mixing`;
    /// within a class, ties fall uniformly on its pairs.
    StochasticBlock {
        /// Expected ties per organisation.
        mean_degree: f64,
        /// Shares of ties by boundary crossed.
        mixing: Mixing,
    },
    /// Erased configuration model: degrees drawn from a distribution (rounded, negative
    /// draws become 0; an odd total adds one to the last organisation), stubs paired
    /// uniformly, then self-loops and repeated ties dropped (so realised degrees can be
    /// slightly lower than drawn).
    Configuration {
        /// Distribution of the number of ties per organisation.
        degree: Dist,
    },
    /// Erased configuration model from an explicit degree per organisation (in
    /// organisation order; the list length must equal the number of organisations and
    /// its sum must be even).
    ConfigurationDegrees {
        /// Ties per organisation.
        degrees: Vec<u32>,
    },
    /// An edge list CSV (`source,target[,weight][,type]` with a header), path relative to
    /// the scenario file. Ids are the node table's ids.
    EdgeList {
        /// Path of the CSV file.
        file: String,
        /// Read rows as directed nominations (`source` names `target`); both directions of
        /// a pair become one undirected tie with the larger weight.
        directed: bool,
    },
    /// A plain edge list: whitespace-separated `u v` lines with 0-based integer ids, no
    /// header (the benchmark format), path relative to the scenario file.
    PlainEdges {
        /// Path of the edge file.
        file: String,
    },
    /// Event attendance (`organisation,event` CSV rows) projected to ties between
    /// organisations that attended the same event, weighted by the number of events shared.
    Attendance {
        /// Path of the attendance CSV file.
        file: String,
    },
}

/// Shares of each organisation's ties by boundary crossed (they sum to 1). A class with no
/// pairs (e.g. other place when there is one place) is left out and the others rescaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Mixing {
    /// Share of ties to organisations of the same kind in the same place.
    pub same_place_same_kind: f64,
    /// Share of ties to organisations of another kind in the same place.
    pub same_place_other_kind: f64,
    /// Share of ties to organisations of the same kind in another place.
    pub other_place_same_kind: f64,
    /// Share of ties to organisations of another kind in another place.
    pub other_place_other_kind: f64,
}

impl Default for Mixing {
    fn default() -> Self {
        Mixing {
            same_place_same_kind: 0.5,
            same_place_other_kind: 0.4,
            other_place_same_kind: 0.07,
            other_place_other_kind: 0.03,
        }
    }
}

/// An improvement practice or programme and how it spreads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    pub name: String,
    pub kernel: Kernel,
    /// Kinds that can adopt it; empty means every kind.
    #[serde(default)]
    pub adopter_kinds: Vec<String>,
    /// Share of the inactive people an embedded adopter reaches who become active, per year.
    #[serde(default)]
    pub effect: f64,
    /// Years from trialling to embedded.
    #[serde(default = "default_dwell")]
    pub dwell_years: f64,
    /// Initial adopters (trialling at the start).
    #[serde(default)]
    pub seeds: Option<Targets>,
    #[serde(default)]
    pub gates: Gates,
}

fn default_dwell() -> f64 {
    1.0
}

/// The contagion rule of a practice (MODEL.md section 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Kernel {
    /// Adopt when the weighted fraction of adopting neighbours reaches the threshold (Watts 2002).
    FractionalThreshold { threshold: Dist },
    /// Adopt when at least `neighbours` distinct neighbours have adopted (Centola & Macy 2007).
    AbsoluteThreshold { neighbours: u32 },
    /// Each newly adopting neighbour gets one chance, probability `probability * weight` (Kempe et al. 2003).
    IndependentCascade { probability: f64 },
    /// Hazard p + q * weighted fraction adopted, per year (Bass 1969).
    Bass { innovation: f64, imitation: f64 },
}

/// The gates between the classic kernel and the full model; all off by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gates {
    /// Adopt only with at least this many active improvers.
    pub min_active_improvers: u32,
    /// Scale the adoption probability by commitment.
    pub commitment_scaling: bool,
    /// Base discontinuation hazard per year of an adopter.
    pub discontinuation: f64,
    /// Extra hazard per year per unit of (1 - commitment).
    pub discontinuation_commitment: f64,
    /// Extra hazard per year per unit of missing adopting neighbours (1 - weighted fraction adopting).
    pub discontinuation_isolation: f64,
}

impl Default for Gates {
    fn default() -> Self {
        Gates {
            min_active_improvers: 0,
            commitment_scaling: false,
            discontinuation: 0.0,
            discontinuation_commitment: 0.0,
            discontinuation_isolation: 0.0,
        }
    }
}

/// A set of organisations an intervention or seeding is aimed at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Restrict to these kinds (empty: any).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Restrict to these places (empty: any).
    #[serde(default)]
    pub places: Vec<String>,
    /// Restrict to member organisations (not withdrawn) at the time of choosing.
    #[serde(default)]
    pub members_only: bool,
    /// How to choose among the eligible organisations.
    #[serde(default)]
    pub pick: Pick,
}

/// Targeting strategy among eligible organisations (ties broken by organisation index).
/// Network measures are taken on the current network (live ties, unweighted).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Pick {
    /// Every eligible organisation.
    #[default]
    All,
    /// `n` chosen uniformly at random.
    Random(u32),
    /// This share chosen uniformly at random (rounded to nearest).
    Fraction(f64),
    /// The `n` with the most ties.
    HighestDegree(u32),
    /// The `n` with the highest betweenness centrality (Brandes; unweighted).
    HighestBetweenness(u32),
    /// The `n` with the lowest Burt constraint: brokers across structural holes
    /// (organisations without ties have no constraint and are never picked).
    LowestConstraint(u32),
    /// `n` distinct friends nominated by random organisations: organisations are asked in
    /// random order, each names a random eligible neighbour (Kim et al. 2015).
    NominatedFriends(u32),
    /// Greedy influence maximisation (Kempe et al. 2003) under the independent cascade
    /// with `probability * weight` per tie, spread estimated from `runs` keyed Monte-Carlo
    /// runs on the current network, with lazy (CELF) evaluation.
    Greedy {
        seeds: u32,
        probability: f64,
        runs: u32,
    },
    /// Explicit organisation ids (node-table ids, or indices for generated networks).
    List(Vec<String>),
    /// A file of organisation ids, one a line, path relative to the scenario file.
    File(String),
}

/// Training to doing (MODEL.md section 5). Rates per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Training {
    /// Share of the activation hazard that needs no support (skills versus relationships).
    pub skill_weight: f64,
    /// Activation hazard per year of a fully supported trainee.
    pub activation_rate: f64,
    /// Support (weighted supportive ties) at which the support-dependent part is half on.
    pub support_threshold: f64,
    /// Steepness of the support response (Hill coefficient; above 1 is complex contagion).
    pub support_steepness: f64,
    /// Support from each other trained colleague in the same organisation.
    pub colleague_weight: f64,
    /// Hazard per year that a trained but inactive person loses the skills.
    pub skill_fade: f64,
    /// Hazard per year that an active improver stops (returns to trained, inactive).
    pub improver_lapse: f64,
    /// Hazard per year that a trained or active person leaves the organisation.
    pub staff_turnover: f64,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            skill_weight: 0.2,
            activation_rate: 2.0,
            support_threshold: 1.0,
            support_steepness: 2.0,
            colleague_weight: 0.5,
            skill_fade: 0.3,
            improver_lapse: 0.1,
            staff_turnover: 0.1,
        }
    }
}

/// Commitment to the network (MODEL.md section 6). Rates per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Commitment {
    /// When false commitment stays at 1 and nobody withdraws (the classic gate off).
    pub enabled: bool,
    pub initial: Dist,
    /// Goal alignment g in 0..1.
    pub alignment: Dist,
    /// Expected progress E in 0..1 (share of adoptable practices in use).
    pub expectation: Dist,
    /// Internal resistance R in 0..1.
    pub resistance: Dist,
    /// Gain per year at saturating relational support.
    pub relational_gain: f64,
    /// Tie strength at which the relational gain is half its maximum.
    pub relational_half: f64,
    /// Gain per year per unit of progress above expectation (loss when below).
    pub progress_gain: f64,
    /// Loss per year per unit of misalignment (1 - g).
    pub misalignment_loss: f64,
    /// Loss per year per unit of negative reciprocity.
    pub reciprocity_loss: f64,
    /// Loss per year per unit of internal resistance.
    pub resistance_loss: f64,
    /// Baseline erosion per year.
    pub erosion: f64,
    /// Below this an organisation withdraws.
    pub exit_threshold: f64,
    /// A withdrawn organisation whose commitment is raised to this rejoins.
    pub rejoin_threshold: f64,
}

impl Default for Commitment {
    fn default() -> Self {
        Commitment {
            enabled: false,
            initial: Dist::Uniform { lo: 0.6, hi: 0.9 },
            alignment: Dist::Uniform { lo: 0.5, hi: 1.0 },
            expectation: Dist::Uniform { lo: 0.2, hi: 0.6 },
            resistance: Dist::Uniform { lo: 0.0, hi: 0.5 },
            relational_gain: 0.3,
            relational_half: 2.0,
            progress_gain: 0.2,
            misalignment_loss: 0.1,
            reciprocity_loss: 0.1,
            resistance_loss: 0.1,
            erosion: 0.05,
            exit_threshold: 0.2,
            rejoin_threshold: 0.4,
        }
    }
}

/// Tie dynamics (MODEL.md section 7). Rates per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TieDynamics {
    /// Exponential decay of every tie's weight without contact.
    pub decay: f64,
    /// Pull of a tie's weight towards 1 per year while both ends have active improvers.
    pub reinforcement: f64,
    /// Per organisation per year: chance to close a triad between two strong neighbours.
    pub triadic_closure: f64,
    /// Weight of a tie made by triadic closure.
    pub closure_weight: f64,
    /// Person-dependent ties are lost when their person leaves (at the staff turnover rate).
    pub turnover_loss: bool,
    /// Rate per year at which a tie's reciprocity balance moves towards the side that gives
    /// (the one with active improvers when the other has none).
    pub reciprocity_rate: f64,
}

impl Default for TieDynamics {
    fn default() -> Self {
        TieDynamics {
            decay: 0.0,
            reinforcement: 0.0,
            triadic_closure: 0.0,
            closure_weight: 0.2,
            turnover_loss: false,
            reciprocity_rate: 1.0,
        }
    }
}

/// Population outcome (MODEL.md section 8). Rates per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Outcome {
    /// Hazard per year that an active person becomes inactive.
    pub relapse: f64,
    /// Background prevalence trend: relative change per year of the equilibrium prevalence,
    /// in segments that start at a date.
    pub trend: Vec<TrendSegment>,
    /// Shocks that push people into inactivity for a while.
    pub shocks: Vec<Shock>,
    /// Share of an organisation's catchment its practices actually reach.
    pub reach: f64,
    /// Observed pooled prevalence, for fit (RMSE) and plots.
    pub observed: Vec<Observed>,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            relapse: 0.15,
            trend: Vec::new(),
            shocks: Vec::new(),
            reach: 1.0,
            observed: Vec::new(),
        }
    }
}

/// From `from` on, the equilibrium prevalence changes by `relative_per_year` a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendSegment {
    pub from: YearMonth,
    pub relative_per_year: f64,
}

/// An exogenous shock: an extra hazard per year of becoming inactive between two dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    pub name: String,
    pub start: YearMonth,
    pub end: YearMonth,
    /// Extra hazard per year that an active person becomes inactive.
    pub inactivity_hazard: f64,
}

/// An observed pooled prevalence over a window of months (e.g. an Active Lives survey
/// year, mid-November to mid-November), compared with the model's mean over the steps
/// ending in that window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    pub from: YearMonth,
    pub to: YearMonth,
    pub prevalence: f64,
    #[serde(default)]
    pub label: String,
}

/// Something done to the network at a date or recurring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub name: String,
    pub when: When,
    #[serde(default)]
    pub targets: Targets,
    pub action: Action,
    /// What it costs (docs/INTERVENTIONS.md); nothing by default.
    #[serde(default)]
    pub cost: Cost,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            kinds: Vec::new(),
            places: Vec::new(),
            members_only: false,
            pick: Pick::All,
        }
    }
}

/// When an intervention happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum When {
    /// Once, at the step containing this month.
    At(YearMonth),
    /// Every `months` from `from` to `to` inclusive.
    Every {
        months: u32,
        from: YearMonth,
        to: YearMonth,
    },
}

/// What an intervention does to each targeted organisation (docs/INTERVENTIONS.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Action {
    /// Train `staff_per_org` staff in each target (capped at its untrained staff). With
    /// `in_pairs`, nobody trains alone: each target gets at least two trained people in all
    /// (staff allowing), and single-staff targets are paired with each other by new ties.
    TrainingCohort {
        staff_per_org: u32,
        #[serde(default)]
        in_pairs: bool,
        /// Weight of the tie that pairs two single-staff trainees' organisations.
        #[serde(default = "default_pair_weight")]
        pair_weight: f64,
    },
    /// A large-scale engagement event: the targets attend; each forms new weak ties with
    /// other attendees, preferring other kinds and places; commitment rises; withdrawn
    /// attendees may be recruited back.
    EngagementEvent {
        /// New ties each attendee tries to form with other attendees.
        new_ties_per_attendee: u32,
        /// Weight of a new tie.
        #[serde(default = "default_event_weight")]
        tie_weight: f64,
        /// Odds multiplier per boundary crossed (kind, place) when choosing a partner:
        /// 1 is no preference, 2 doubles the odds per boundary, 0 keeps to the own kind and
        /// place.
        #[serde(default = "default_boundary_preference")]
        boundary_preference: f64,
        /// Added to each attendee's commitment (capped at 1).
        #[serde(default)]
        commitment_boost: f64,
        /// Withdrawn attendees rejoin (commitment raised to the rejoin threshold).
        #[serde(default)]
        recruit: bool,
        /// One event in each place: attendees meet only those from their own place, and
        /// `per_event` is charged per place holding one.
        #[serde(default)]
        per_place: bool,
    },
    /// Network weaving: each target (a broker; aim it with `LowestConstraint` or
    /// `HighestBetweenness`) is tied to organisations at least `min_distance` steps away
    /// (other components count as infinitely far), bridging structural holes.
    NetworkWeaving {
        ties_per_broker: u32,
        #[serde(default = "default_weave_weight")]
        tie_weight: f64,
        #[serde(default = "default_min_distance")]
        min_distance: u32,
        /// Only partners in another place.
        #[serde(default)]
        other_places_only: bool,
    },
    /// A coordinator action on each target, one action each, within the governance mode's
    /// budget per step; its effect is scaled by the target's current commitment (timing).
    Coordinate {
        action: CoordinatorAction,
        /// Share of the gap closed at full commitment, in [0, 1].
        effect: f64,
    },
    /// The network changes its governance mode (targets are ignored).
    GovernanceChange { mode: GovernanceMode },
    /// Make the targets trial a practice now.
    PilotSeeding { practice: String },
    /// Funding for `years`: room to train `extra_staff` more people per target, and the
    /// targets' activation hazard multiplied by `activation_multiplier`.
    Funding {
        years: f64,
        #[serde(default)]
        extra_staff: u32,
        #[serde(default = "default_multiplier")]
        activation_multiplier: f64,
    },
    /// A shock to the targets: commitment falls by `commitment_drop` at once, a share
    /// `capacity_loss` of their active improvers stop and their activation hazard is
    /// multiplied by `1 - capacity_loss` for `years`, and their places get an extra
    /// inactivity hazard per year `inactivity_rise` for `years`.
    Shock {
        years: f64,
        #[serde(default)]
        commitment_drop: f64,
        #[serde(default)]
        capacity_loss: f64,
        #[serde(default)]
        inactivity_rise: f64,
    },
}

fn default_pair_weight() -> f64 {
    0.5
}
fn default_event_weight() -> f64 {
    0.2
}
fn default_boundary_preference() -> f64 {
    2.0
}
fn default_weave_weight() -> f64 {
    0.3
}
fn default_min_distance() -> u32 {
    3
}
fn default_multiplier() -> f64 {
    1.0
}

/// The four coordinator actions against waning commitment (Roest et al. 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CoordinatorAction {
    /// Reassess goals together: goal alignment moves towards 1.
    ReassessGoals,
    /// Manage expectations: expected progress moves down towards actual progress.
    ManageExpectations,
    /// Set preconditions (allocated time): internal resistance moves towards 0.
    SetPreconditions,
    /// Build relationships: commitment and the weights of ties to members move towards 1.
    BuildRelationships,
}

/// Governance modes of a network (Provan & Kenis 2008).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GovernanceMode {
    /// Shared (participant) governance: members coordinate themselves.
    #[default]
    Shared,
    /// One member organisation leads.
    LeadOrganisation,
    /// A network administrative organisation set up to coordinate.
    AdministrativeOrganisation,
}

/// Governance of the network: the starting mode and the coordinator actions per month
/// each mode affords (assumptions: no published figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Governance {
    pub mode: GovernanceMode,
    /// Coordinator actions per month under shared governance.
    pub shared_budget: u32,
    /// ... under a lead organisation.
    pub lead_budget: u32,
    /// ... under a network administrative organisation.
    pub administrative_budget: u32,
}

impl Default for Governance {
    fn default() -> Self {
        Governance {
            mode: GovernanceMode::Shared,
            shared_budget: 2,
            lead_budget: 5,
            administrative_budget: 10,
        }
    }
}

impl Governance {
    /// Coordinator actions per month under `mode`.
    pub fn budget(&self, mode: GovernanceMode) -> u32 {
        match mode {
            GovernanceMode::Shared => self.shared_budget,
            GovernanceMode::LeadOrganisation => self.lead_budget,
            GovernanceMode::AdministrativeOrganisation => self.administrative_budget,
        }
    }
}

/// What an intervention costs, in any currency the scenario chooses; each item is added
/// every time the intervention happens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cost {
    /// Per occurrence (an event, a wave).
    pub per_event: f64,
    /// Per organisation reached (targeted).
    pub per_organisation: f64,
    /// Per person trained.
    pub per_person_trained: f64,
    /// Per coordinator action taken.
    pub per_action: f64,
    /// Per year of the action's duration (`Funding`, `Shock`).
    pub per_year: f64,
}

/// A population target (MODEL.md section 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Target {
    /// Relative reduction of pooled prevalence (GAPPA: 0.15).
    pub relative_reduction: f64,
    /// Year whose mean prevalence is the baseline.
    pub baseline_year: i32,
    /// Year by which the reduction must be reached.
    pub target_year: i32,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            relative_reduction: 0.15,
            baseline_year: 2016,
            target_year: 2030,
        }
    }
}

/// What runs record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSpec {
    /// Write a time-series row every this many steps (and always the last step).
    pub every_steps: u32,
    /// Summary statistics every this many months (and at the end).
    pub summary_every_months: u32,
    /// Write per-place prevalence (`places.csv`).
    pub places: bool,
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            every_steps: 1,
            summary_every_months: 12,
            places: true,
        }
    }
}
