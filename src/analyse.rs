//! `changenet analyse`: social-network analysis of a real collaboration network.
//!
//! Reads an edge list (CSV with a header, or the plain `u v` format), optionally a node
//! table and event attendance, computes the measures of [`crate::network::metrics`] and
//! writes four files into the output folder: `report.md` (for a non-specialist),
//! `nodes.csv` (one tidy row per organisation), `ties.csv` (the ties analysed) and
//! `summary.json`. Each file is written to a temporary name and renamed into place, so a
//! reader never sees half a file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::network::import::{self, Ids, ImportError, NodeTable};
use crate::network::metrics::{self, PathLengths, Sampling};
use crate::network::{Network, NetworkError, TieSpec};

/// What to analyse and where to write.
#[derive(Debug, Clone)]
pub struct AnalyseOptions {
    /// Edge list: `.csv` is read as `source,target[,weight][,type]` with a header; any
    /// other extension as plain `u v` lines (organisation count from `<stem>.meta.json`).
    pub edges: PathBuf,
    /// Node table CSV (`id[,kind][,place][,staff][,catchment]`): fixes the organisations
    /// (isolates included) and gives kinds and places for the E-I indices.
    pub nodes: Option<PathBuf>,
    /// Event attendance CSV (`organisation,event`), projected to co-attendance ties.
    pub attendance: Option<PathBuf>,
    /// Output folder (created if missing).
    pub out: PathBuf,
    /// Read CSV rows as directed nominations (both directions become one tie).
    pub directed: bool,
    /// Exact or sampled path lengths and betweenness.
    pub sampling: Sampling,
    /// How many top brokers to list.
    pub top: usize,
}

impl AnalyseOptions {
    /// Defaults: undirected, exact up to 1e9 units of work (n x (n + m)), at most 500 sampled sources beyond,
    /// ten brokers.
    pub fn new(edges: impl Into<PathBuf>, out: impl Into<PathBuf>) -> AnalyseOptions {
        AnalyseOptions {
            edges: edges.into(),
            nodes: None,
            attendance: None,
            out: out.into(),
            directed: false,
            sampling: Sampling::default(),
            top: 10,
        }
    }
}

/// Why an analysis failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyseError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("building the network: {0}")]
    Network(#[from] NetworkError),
    #[error("{path}: cannot write: {message}")]
    Write { path: String, message: String },
}

/// The whole-network results (also written as `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyseSummary {
    pub organisations: usize,
    pub ties: usize,
    /// Share of possible ties present.
    pub density: f64,
    pub components: usize,
    pub largest_component: usize,
    pub isolates: usize,
    pub degree: DegreeSummary,
    /// 3 x triangles / connected triples.
    pub transitivity: f64,
    /// Mean local clustering, isolates counting 0.
    pub average_clustering: f64,
    pub average_shortest_path: PathLengths,
    pub betweenness_exact: bool,
    pub betweenness_sources: usize,
    /// Mean Burt constraint over organisations with ties.
    pub mean_constraint: f64,
    /// Mean Burt effective size over organisations with ties.
    pub mean_effective_size: f64,
    /// Ties across kinds (present with a node table that has a `kind` column).
    pub kinds: Option<GroupMix>,
    /// Ties across places (present with a node table that has a `place` column).
    pub places: Option<GroupMix>,
    pub top_brokers: Vec<Broker>,
    /// What import merged or left out, and notes on the analysis.
    pub warnings: Vec<String>,
}

/// Degree statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DegreeSummary {
    pub mean: f64,
    pub median: f64,
    pub max: u32,
    /// `histogram[d]` organisations have d ties.
    pub histogram: Vec<u64>,
}

/// How ties fall within and across groups (kinds or places).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMix {
    /// E-I index of the whole network (-1 all inside groups, +1 all across).
    pub ei_index: f64,
    pub external: u64,
    pub internal: u64,
    pub groups: Vec<GroupRow>,
    /// Pairs of groups with the fewest ties relative to random mixing, fewest first.
    pub gaps: Vec<Gap>,
}

/// One group's ties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub name: String,
    pub organisations: usize,
    pub ties_inside: u64,
    pub ties_across: u64,
    pub ei_index: f64,
}

/// Ties between two groups against what random mixing would give (expected =
/// sum of degrees in one x sum in the other / (2 x ties)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub a: String,
    pub b: String,
    pub observed: u64,
    pub expected: f64,
    /// observed / expected: below 1 the groups are less connected than chance.
    pub ratio: f64,
}

/// An organisation that links others who are otherwise far apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broker {
    pub id: String,
    pub degree: u32,
    pub betweenness: f64,
    pub constraint: f64,
}

/// The network read from files, with ids and groupings.
struct Loaded {
    ids: Vec<String>,
    ties: Vec<TieSpec>,
    table: Option<NodeTable>,
    warnings: Vec<String>,
}

fn load(opts: &AnalyseOptions) -> Result<Loaded, AnalyseError> {
    let table = opts.nodes.as_deref().map(import::read_nodes).transpose()?;
    let mut ids = match (&table, &opts.nodes) {
        (Some(t), Some(p)) => Ids::from_table(t, &p.display().to_string()),
        _ => Ids::open(),
    };
    let mut warnings = Vec::new();
    let is_csv = opts
        .edges
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut ties = if is_csv {
        let got = import::read_edge_list(&opts.edges, opts.directed, &mut ids)?;
        warnings.extend(got.warnings);
        got.ties
    } else {
        let got = import::read_plain_edges(&opts.edges, None)?;
        warnings.extend(got.warnings);
        if table.is_some() {
            // Plain ids are integers naming node-table ids.
            let mut map = vec![u32::MAX; got.n];
            for (i, m) in map.iter_mut().enumerate() {
                *m = ids
                    .get(&i.to_string())
                    .ok_or_else(|| ImportError::UnknownId {
                        path: opts.edges.display().to_string(),
                        line: 0,
                        id: i.to_string(),
                        why: "plain edge ids must be ids of the node table".into(),
                    })?;
            }
            got.ties
                .into_iter()
                .map(|t| TieSpec {
                    a: map[t.a as usize],
                    b: map[t.b as usize],
                    ..t
                })
                .collect()
        } else {
            ids = Ids::open();
            for i in 0..got.n {
                ids.get_or_add(&i.to_string());
            }
            got.ties
        }
    };
    if let Some(path) = &opts.attendance {
        let got = import::read_attendance(path, &mut ids)?;
        warnings.extend(got.warnings);
        if let Some(w) = import::merge_ties(&mut ties, got.ties, &path.display().to_string()) {
            warnings.push(w);
        }
    }
    Ok(Loaded {
        ids: ids.names,
        ties,
        table,
        warnings,
    })
}

/// Group indices of a text column, groups numbered in sorted name order.
fn grouping(values: &[String]) -> (Vec<u16>, Vec<String>) {
    let names: BTreeMap<&str, u16> = values
        .iter()
        .map(|s| s.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, i.min(u16::MAX as usize) as u16))
        .collect();
    let index = values.iter().map(|v| names[v.as_str()]).collect();
    (index, names.keys().map(|s| s.to_string()).collect())
}

fn group_mix(net: &Network, group: &[u16], names: &[String]) -> GroupMix {
    let k = names.len();
    let ei = metrics::ei_index(net, group, k);
    let mix = metrics::mixing_matrix(net, group, k);
    let mut members = vec![0usize; k];
    let mut degree_sum = vec![0f64; k];
    for (i, &g) in group.iter().enumerate() {
        members[g as usize] += 1;
        degree_sum[g as usize] += net.degree(i) as f64;
    }
    let two_m = 2.0 * net.live_ties as f64;
    let mut gaps = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            let expected = if two_m > 0.0 {
                degree_sum[a] * degree_sum[b] / two_m
            } else {
                0.0
            };
            if expected >= 1.0 {
                gaps.push(Gap {
                    a: names[a].clone(),
                    b: names[b].clone(),
                    observed: mix[a][b],
                    expected,
                    ratio: mix[a][b] as f64 / expected,
                });
            }
        }
    }
    gaps.sort_by(|x, y| {
        x.ratio
            .total_cmp(&y.ratio)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    gaps.truncate(10);
    GroupMix {
        ei_index: ei.index,
        external: ei.external,
        internal: ei.internal,
        groups: (0..k)
            .map(|g| GroupRow {
                name: names[g].clone(),
                organisations: members[g],
                ties_inside: ei.groups[g].1,
                ties_across: ei.groups[g].0,
                ei_index: ei.groups[g].2,
            })
            .collect(),
        gaps,
    }
}

fn mean_finite(xs: &[f64]) -> f64 {
    let (s, c) = xs
        .iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
    if c == 0 {
        f64::NAN
    } else {
        s / c as f64
    }
}

/// Runs the analysis and writes `report.md`, `nodes.csv`, `ties.csv` and `summary.json`
/// into `opts.out`.
pub fn analyse(opts: &AnalyseOptions) -> Result<AnalyseSummary, AnalyseError> {
    let loaded = load(opts)?;
    let n = loaded.ids.len();
    let kinds = loaded
        .table
        .as_ref()
        .and_then(|t| t.kind.as_deref())
        .map(grouping);
    let places = loaded
        .table
        .as_ref()
        .and_then(|t| t.place.as_deref())
        .map(grouping);
    let empty: Vec<u16> = Vec::new();
    let net = Network::from_ties(
        n,
        &loaded.ties,
        kinds.as_ref().map_or(&empty, |k| &k.0),
        places.as_ref().map_or(&empty, |p| &p.0),
    )?;
    let (org, comps) = metrics::org_metrics(&net, &opts.sampling);
    let paths = metrics::average_shortest_path(&net, &opts.sampling);
    let (_, ties, density) = metrics::size(&net);
    let mut sorted_deg = org.degree.clone();
    sorted_deg.sort_unstable();
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted_deg[n / 2] as f64,
        _ => (sorted_deg[n / 2 - 1] as f64 + sorted_deg[n / 2] as f64) / 2.0,
    };
    let kind_mix = kinds.as_ref().map(|(g, names)| group_mix(&net, g, names));
    let place_mix = places.as_ref().map(|(g, names)| group_mix(&net, g, names));
    let mut warnings = loaded.warnings.clone();
    if !org.betweenness_exact {
        warnings.push(format!(
            "betweenness estimated from {} sampled organisations (scaled to the whole network)",
            org.betweenness_sources
        ));
    }
    let summary = AnalyseSummary {
        organisations: n,
        ties,
        density,
        components: comps.sizes.len(),
        largest_component: comps.largest(),
        isolates: metrics::isolates(&net).len(),
        degree: DegreeSummary {
            mean: if n == 0 {
                0.0
            } else {
                2.0 * ties as f64 / n as f64
            },
            median,
            max: sorted_deg.last().copied().unwrap_or(0),
            histogram: metrics::degree_histogram(&net),
        },
        transitivity: metrics::transitivity(&net, &org.triangles),
        average_clustering: metrics::average_clustering(&org.clustering),
        average_shortest_path: paths,
        betweenness_exact: org.betweenness_exact,
        betweenness_sources: org.betweenness_sources,
        mean_constraint: mean_finite(&org.constraint),
        mean_effective_size: mean_finite(&org.effective_size),
        kinds: kind_mix,
        places: place_mix,
        top_brokers: metrics::top(&org.betweenness, opts.top)
            .into_iter()
            .filter(|&i| org.betweenness[i as usize] > 0.0)
            .map(|i| Broker {
                id: loaded.ids[i as usize].clone(),
                degree: org.degree[i as usize],
                betweenness: org.betweenness[i as usize],
                constraint: org.constraint[i as usize],
            })
            .collect(),
        warnings,
    };
    std::fs::create_dir_all(&opts.out).map_err(|e| write_error(&opts.out, e))?;
    let nodes_csv = nodes_table(&net, &loaded, &org, kinds.as_ref(), places.as_ref());
    write_atomic(&opts.out.join("nodes.csv"), nodes_csv.as_bytes())?;
    write_atomic(
        &opts.out.join(TIES_CSV),
        ties_table(&net, &loaded.ids).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&summary)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    write_atomic(&opts.out.join("summary.json"), (json + "\n").as_bytes())?;
    write_atomic(
        &opts.out.join("report.md"),
        report(&summary, opts).as_bytes(),
    )?;
    Ok(summary)
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> AnalyseError {
    AnalyseError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AnalyseError> {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| write_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}

/// The ties analysed (after merging duplicates, directed rows and attendance), one row per
/// tie `source,target` with the lower-numbered organisation first, so a report can draw the
/// network from the result folder alone.
pub const TIES_CSV: &str = "ties.csv";

fn ties_table(net: &Network, ids: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(["source", "target"]);
    for (i, id) in ids.iter().enumerate().take(net.n) {
        let mut others: Vec<u32> = net
            .neighbours(i)
            .iter()
            .copied()
            .filter(|&j| j as usize > i)
            .collect();
        others.sort_unstable();
        others.dedup();
        for j in others {
            let _ = w.write_record([id.as_str(), ids.get(j as usize).map_or("", |s| s)]);
        }
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// A float for CSV: empty when undefined.
fn cell(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn nodes_table(
    net: &Network,
    loaded: &Loaded,
    org: &metrics::OrgMetrics,
    kinds: Option<&(Vec<u16>, Vec<String>)>,
    places: Option<&(Vec<u16>, Vec<String>)>,
) -> String {
    let normalised = metrics::normalise_betweenness(&org.betweenness);
    let ei_kind = kinds.map(|(g, names)| metrics::ei_index(net, g, names.len()).organisation);
    let ei_place = places.map(|(g, names)| metrics::ei_index(net, g, names.len()).organisation);
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "id",
        "kind",
        "place",
        "degree",
        "component",
        "clustering",
        "betweenness",
        "betweenness_normalised",
        "constraint",
        "effective_size",
        "ei_kind",
        "ei_place",
    ]);
    let text = |c: Option<&(Vec<u16>, Vec<String>)>, i: usize| {
        c.map_or(String::new(), |(g, names)| names[g[i] as usize].clone())
    };
    for i in 0..net.n {
        let _ = w.write_record([
            loaded.ids[i].clone(),
            text(kinds, i),
            text(places, i),
            org.degree[i].to_string(),
            org.component[i].to_string(),
            cell(org.clustering[i]),
            cell(org.betweenness[i]),
            cell(normalised[i]),
            cell(org.constraint[i]),
            cell(org.effective_size[i]),
            ei_kind.as_ref().map_or(String::new(), |e| cell(e[i])),
            ei_place.as_ref().map_or(String::new(), |e| cell(e[i])),
        ]);
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// A float with `prec` decimals, or "n/a" when undefined (e.g. a group with no ties).
fn num(x: f64, prec: usize) -> String {
    if x.is_finite() {
        format!("{x:.prec$}")
    } else {
        "n/a".to_string()
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn group_section(out: &mut String, title: &str, what: &str, mix: &GroupMix) {
    let _ = writeln!(out, "\n## Ties across {title}\n");
    let total = mix.external + mix.internal;
    let _ = writeln!(
        out,
        "{} of {} ties ({}) join organisations of different {what}. The E-I index is {} \
         (-1: every tie stays inside a {what_one}; +1: every tie crosses; 0: half and half).",
        mix.external,
        total,
        pct(if total > 0 {
            mix.external as f64 / total as f64
        } else {
            0.0
        }),
        num(mix.ei_index, 2),
        what_one = what.trim_end_matches('s'),
    );
    let _ = writeln!(
        out,
        "\n| {what_one} | organisations | ties inside | ties across | E-I |\n|---|---:|---:|---:|---:|",
        what_one = what.trim_end_matches('s')
    );
    for g in &mix.groups {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            g.name,
            g.organisations,
            g.ties_inside,
            g.ties_across,
            num(g.ei_index, 2)
        );
    }
    if !mix.gaps.is_empty() {
        let _ = writeln!(
            out,
            "\nThe widest gaps: pairs of {what} with the fewest ties compared with what random \
             mixing of the same organisations would give (ratio 1 = as expected, 0 = no ties at all).\n\n\
             | between | and | ties | expected at random | ratio |\n|---|---|---:|---:|---:|"
        );
        for g in &mix.gaps {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.1} | {:.2} |",
                g.a, g.b, g.observed, g.expected, g.ratio
            );
        }
    }
}

/// The plain-language report.
fn report(s: &AnalyseSummary, opts: &AnalyseOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Network analysis\n");
    let _ = write!(out, "Ties from `{}`", opts.edges.display());
    if let Some(p) = &opts.nodes {
        let _ = write!(out, "; organisations from `{}`", p.display());
    }
    if let Some(p) = &opts.attendance {
        let _ = write!(out, "; event attendance from `{}`", p.display());
    }
    let _ = writeln!(
        out,
        ". Every measure treats a tie as present or absent (weights are not used).\n"
    );
    let _ = writeln!(out, "## Who is connected\n");
    let _ = writeln!(
        out,
        "- **{} organisations** and **{} ties**. On average an organisation works with **{:.1}** \
         others (half work with {} or fewer; the most connected with {}).",
        s.organisations, s.ties, s.degree.mean, s.degree.median, s.degree.max
    );
    let _ = writeln!(
        out,
        "- **Density {}**: the share of all possible pairs that actually work together.",
        pct(s.density)
    );
    let _ = writeln!(
        out,
        "- **{} connected group(s)**; the largest holds {} organisations ({}). Change can \
         travel along ties only within a group.",
        s.components,
        s.largest_component,
        pct(if s.organisations > 0 {
            s.largest_component as f64 / s.organisations as f64
        } else {
            0.0
        })
    );
    let _ = writeln!(
        out,
        "- **{} isolated organisation(s)** with no ties: nothing spreads to them through the network.",
        s.isolates
    );
    let p = &s.average_shortest_path;
    let how = if p.exact {
        "exact".to_string()
    } else {
        format!(
            "estimated from {} organisations, standard error {:.3}",
            p.sources, p.standard_error
        )
    };
    let _ = writeln!(
        out,
        "- **Average distance {:.2} steps** ({how}) between organisations that can reach each \
         other; the longest found is {} steps. Shorter distances mean ideas need fewer \
         hand-overs.",
        p.mean, p.longest
    );
    let _ = writeln!(out, "\n## How closely knit\n");
    let _ = writeln!(
        out,
        "- **Clustering {:.3}** (transitivity): the chance that two partners of an organisation \
         also work with each other. The average of each organisation's own clustering is {:.3}. \
         High clustering means tight local groups where practices are reinforced, but new \
         ideas from outside arrive slowly.",
        s.transitivity, s.average_clustering
    );
    let _ = writeln!(
        out,
        "- **Constraint {}** on average (Burt): near 1, an organisation's partners all know \
         each other and it hears little that is new; low values mark organisations that bridge \
         separate groups. **Effective size {}** on average: partners that are not also tied \
         to each other (non-redundant contacts).",
        num(s.mean_constraint, 3),
        num(s.mean_effective_size, 2)
    );
    let _ = writeln!(out, "\n## Brokers\n");
    let _ = writeln!(
        out,
        "Betweenness counts how many shortest routes between other organisations pass \
         through an organisation ({}). Brokers are natural targets for spreading change and \
         single points of failure if they withdraw.\n",
        if s.betweenness_exact {
            "exact".to_string()
        } else {
            format!(
                "estimated from {} sampled organisations",
                s.betweenness_sources
            )
        }
    );
    if s.top_brokers.is_empty() {
        let _ = writeln!(out, "No organisation lies between others.");
    } else {
        let _ = writeln!(
            out,
            "| organisation | ties | betweenness | constraint |\n|---|---:|---:|---:|"
        );
        for b in &s.top_brokers {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {} |",
                b.id,
                b.degree,
                b.betweenness,
                num(b.constraint, 3)
            );
        }
    }
    if let Some(m) = &s.kinds {
        group_section(&mut out, "kinds", "kinds", m);
    }
    if let Some(m) = &s.places {
        group_section(&mut out, "places", "places", m);
    }
    if s.kinds.is_none() && s.places.is_none() {
        let _ = writeln!(
            out,
            "\nGive a node table with `kind` and `place` columns (`--nodes`) to see ties across \
             kinds and places and where the gaps between groups are."
        );
    }
    if !s.warnings.is_empty() {
        let _ = writeln!(out, "\n## Notes on the data\n");
        for w in &s.warnings {
            let _ = writeln!(out, "- {w}");
        }
    }
    let _ = writeln!(
        out,
        "\nPer-organisation figures are in `nodes.csv`; every number above is in `summary.json`."
    );
    out
}
