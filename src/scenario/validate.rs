//! Semantic checks of a typed scenario: ranges, references between sections, dates inside
//! the calendar, files that must exist, and sizes that fit in memory. Every problem is
//! reported (none stops the others), each with the field path it is about; `mod.rs` turns
//! paths into file positions.
//!
//! Plan::new (src/plan.rs) checks the calendar step and duplicate kind, place and practice
//! names; those checks are not repeated here.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

use crate::plan::PlanError;

use super::types::*;
use super::YearMonth;

/// Most organisations a scenario may hold.
pub const MAX_ORGANISATIONS: u64 = 50_000_000;
/// Memory one tie needs (tie table plus both CSR entries), bytes, for the size estimate.
pub const BYTES_PER_TIE: f64 = 40.0;
/// Largest estimated tie memory accepted.
pub const MAX_TIE_BYTES: f64 = 16.0 * (1u64 << 30) as f64;
/// Most replicates of one scenario.
pub const MAX_REPLICATES: u32 = 1_000_000;
/// Most places, kinds or practices (they are indexed by 16-bit numbers).
pub const MAX_NAMED: usize = u16::MAX as usize;
/// Most people an intervention trains or funds per organisation.
pub const MAX_PER_ORG: u32 = 1_000_000;
/// Most new ties an event attendee or a woven broker forms.
pub const MAX_NEW_TIES: u32 = 10_000;
/// Most Monte-Carlo runs of greedy targeting.
pub const MAX_GREEDY_RUNS: u32 = 10_000;
/// Most coordinator actions a month under any governance mode.
pub const MAX_BUDGET: u32 = 10_000_000;

/// Checks `s`; relative file paths are resolved against `base_dir`.
pub fn validate(s: &Scenario, base_dir: &Path) -> Vec<PlanError> {
    let mut v = Checker {
        out: Vec::new(),
        base: base_dir,
        cal: s.calendar.clone(),
        kinds: s.kinds.iter().map(|k| k.name.as_str()).collect(),
        places: s.places.iter().map(|p| p.name.as_str()).collect(),
        orgs: None,
    };
    v.scenario(s);
    v.out
}

/// Bounds of a distribution's values.
#[derive(Clone, Copy)]
enum Support {
    /// Non-negative, at most this.
    UpTo(f64),
    /// Inside [0, 1].
    Unit,
}

struct Checker<'a> {
    out: Vec<PlanError>,
    base: &'a Path,
    cal: Calendar,
    kinds: BTreeSet<&'a str>,
    places: BTreeSet<&'a str>,
    /// Organisations in the scenario, when known before building.
    orgs: Option<u64>,
}

fn fmt_names(names: &BTreeSet<&str>) -> String {
    let v: Vec<String> = names.iter().take(20).map(|n| format!("{n:?}")).collect();
    let more = if names.len() > 20 { ", ..." } else { "" };
    format!("{}{more}", v.join(", "))
}

impl<'a> Checker<'a> {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.out.push(PlanError {
            path: path.into(),
            message: message.into(),
        });
    }

    fn prob(&mut self, path: impl Into<String>, x: f64) {
        if !(0.0..=1.0).contains(&x) {
            self.err(
                path,
                format!("must be a share or probability in [0, 1], got {x}"),
            );
        }
    }

    fn rate(&mut self, path: impl Into<String>, x: f64) {
        if !(x.is_finite() && x >= 0.0) {
            self.err(path, format!("must be a rate per year >= 0, got {x}"));
        }
    }

    fn positive(&mut self, path: impl Into<String>, x: f64) {
        if !(x.is_finite() && x > 0.0) {
            self.err(path, format!("must be a number > 0, got {x}"));
        }
    }

    fn name(&mut self, path: String, name: &str) {
        if name.trim().is_empty() {
            self.err(path, "must not be empty");
        }
    }

    /// A name that must be non-empty and not seen before among its siblings.
    fn unique_name<'n>(&mut self, seen: &mut BTreeSet<&'n str>, path: String, name: &'n str) {
        if !seen.insert(name) {
            self.err(
                path.clone(),
                format!("duplicate name {name:?}; names must be unique"),
            );
        }
        self.name(path, name);
    }

    fn dist(&mut self, path: &str, d: &Dist, support: Support) {
        let (lo_ok, hi) = match support {
            Support::UpTo(hi) => (0.0, hi),
            Support::Unit => (0.0, 1.0),
        };
        let within = |x: f64| x.is_finite() && x >= lo_ok && x <= hi;
        let range = format!("[{lo_ok}, {hi}]");
        match *d {
            Dist::Fixed(x) => {
                if !within(x) {
                    self.err(path, format!("Fixed value must be in {range}, got {x}"));
                }
            }
            Dist::Uniform { lo, hi: h } => {
                if !within(lo) {
                    self.err(
                        format!("{path}.lo"),
                        format!("must be in {range}, got {lo}"),
                    );
                }
                if !within(h) {
                    self.err(format!("{path}.hi"), format!("must be in {range}, got {h}"));
                }
                if lo > h {
                    self.err(
                        format!("{path}.hi"),
                        format!("must be >= lo ({lo}), got {h}"),
                    );
                }
            }
            Dist::Normal { mean, sd } => {
                if !within(mean) {
                    self.err(
                        format!("{path}.mean"),
                        format!("must be in {range}, got {mean}"),
                    );
                }
                if !(sd.is_finite() && sd >= 0.0) {
                    self.err(format!("{path}.sd"), format!("must be >= 0, got {sd}"));
                }
            }
            Dist::LogNormal { median, sigma } => {
                if !(within(median) && median > 0.0) {
                    self.err(
                        format!("{path}.median"),
                        format!("must be > 0 and at most {hi}, got {median}"),
                    );
                }
                if !(sigma.is_finite() && (0.0..=10.0).contains(&sigma)) {
                    self.err(
                        format!("{path}.sigma"),
                        format!("must be in [0, 10], got {sigma}"),
                    );
                }
            }
        }
    }

    fn date(&mut self, path: impl Into<String>, d: YearMonth) {
        if d < self.cal.start || d > self.cal.end {
            self.err(
                path,
                format!(
                    "{d} is outside the calendar ({} to {})",
                    self.cal.start, self.cal.end
                ),
            );
        }
    }

    /// A file named relative to the scenario's folder must exist; returns its full path.
    fn file(&mut self, path: impl Into<String>, rel: &str) -> Option<std::path::PathBuf> {
        let full = self.base.join(rel);
        if rel.trim().is_empty() {
            self.err(path, "file name must not be empty");
            None
        } else if !full.is_file() {
            self.err(
                path,
                format!(
                    "file {} does not exist (paths are relative to the scenario's folder)",
                    full.display()
                ),
            );
            None
        } else {
            Some(full)
        }
    }

    fn reference(&mut self, path: String, name: &str, kind: bool) {
        let (set, what) = if kind {
            (&self.kinds, "kind")
        } else {
            (&self.places, "place")
        };
        if !set.contains(name) {
            let known = fmt_names(set);
            self.err(
                path,
                format!("no {what} is named {name:?}; known {what}s: {known}"),
            );
        }
    }

    fn scenario(&mut self, s: &'a Scenario) {
        self.name("name".into(), &s.name);
        for key in s.sources.keys() {
            let indexed = |list: &str, n: usize| {
                key.strip_prefix(list)
                    .and_then(|r| r.strip_prefix('['))
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| i < n)
            };
            if !(SOURCE_SECTIONS.contains(&key.as_str())
                || indexed("practices", s.practices.len())
                || indexed("interventions", s.interventions.len()))
            {
                self.err(
                    format!("sources.{key}"),
                    format!(
                        "unknown section {key:?}; name one of {}, or practices[i] / \
                         interventions[i] of an existing entry",
                        SOURCE_SECTIONS.join(", ")
                    ),
                );
            }
        }
        if s.replicates == 0 || s.replicates > MAX_REPLICATES {
            self.err(
                "replicates",
                format!("must be 1 to {MAX_REPLICATES}, got {}", s.replicates),
            );
        }
        if s.places.is_empty() {
            self.err("places", "must list at least one place");
        }
        if s.kinds.is_empty() {
            self.err("kinds", "must list at least one kind");
        }
        for (what, n) in [
            ("places", s.places.len()),
            ("kinds", s.kinds.len()),
            ("practices", s.practices.len()),
        ] {
            if n > MAX_NAMED {
                self.err(what, format!("at most {MAX_NAMED} allowed, got {n}"));
            }
        }
        for (i, p) in s.places.iter().enumerate() {
            self.name(format!("places[{i}].name"), &p.name);
            if !(p.population.is_finite() && p.population > 0.0 && p.population <= 1e10) {
                self.err(
                    format!("places[{i}].population"),
                    format!("must be people, > 0 and at most 1e10, got {}", p.population),
                );
            }
            self.prob(
                format!("places[{i}].inactive_prevalence"),
                p.inactive_prevalence,
            );
        }
        for (i, k) in s.kinds.iter().enumerate() {
            self.name(format!("kinds[{i}].name"), &k.name);
            self.dist(&format!("kinds[{i}].staff"), &k.staff, Support::UpTo(1e7));
            self.dist(
                &format!("kinds[{i}].catchment"),
                &k.catchment,
                Support::UpTo(1e10),
            );
        }
        let n = self.organisations(&s.organisations);
        self.orgs = n;
        self.network(&s.network, n);
        for (i, p) in s.practices.iter().enumerate() {
            self.practice(&format!("practices[{i}]"), p);
        }
        self.training(&s.training);
        self.commitment(&s.commitment);
        self.ties(&s.ties);
        self.outcome(&s.outcome);
        let practices: BTreeSet<&str> = s.practices.iter().map(|p| p.name.as_str()).collect();
        let mut seen = BTreeSet::new();
        for (i, iv) in s.interventions.iter().enumerate() {
            self.intervention(&format!("interventions[{i}]"), iv, &mut seen, &practices);
        }
        self.governance(&s.governance);
        let t = &s.target;
        self.prob("target.relative_reduction", t.relative_reduction);
        let years = self.cal.start.year..=self.cal.end.year;
        for (field, y) in [
            ("baseline_year", t.baseline_year),
            ("target_year", t.target_year),
        ] {
            if !years.contains(&y) {
                self.err(
                    format!("target.{field}"),
                    format!(
                        "{y} is outside the calendar's years ({} to {})",
                        years.start(),
                        years.end()
                    ),
                );
            }
        }
        if t.baseline_year >= t.target_year {
            self.err(
                "target.target_year",
                format!(
                    "must be after baseline_year ({}), got {}",
                    t.baseline_year, t.target_year
                ),
            );
        }
        if s.output.every_steps == 0 {
            self.err("output.every_steps", "must be at least 1");
        }
        if s.output.summary_every_months == 0 {
            self.err("output.summary_every_months", "must be at least 1");
        }
    }

    /// Checks the organisations; returns their number when it can be known.
    fn organisations(&mut self, o: &Organisations) -> Option<u64> {
        match o {
            Organisations::Generate(groups) => {
                if groups.is_empty() {
                    self.err("organisations", "must list at least one group");
                }
                let mut total = 0u64;
                for (i, g) in groups.iter().enumerate() {
                    self.reference(format!("organisations[{i}].kind"), &g.kind, true);
                    self.reference(format!("organisations[{i}].place"), &g.place, false);
                    total += g.count as u64;
                }
                if !groups.is_empty() && total == 0 {
                    self.err(
                        "organisations",
                        "counts sum to 0; at least one organisation is needed",
                    );
                }
                if total > MAX_ORGANISATIONS {
                    self.err(
                        "organisations",
                        format!(
                            "{total} organisations in all; at most {MAX_ORGANISATIONS} fit in memory"
                        ),
                    );
                }
                Some(total)
            }
            Organisations::Table(rel) => {
                let full = self.file("organisations", rel)?;
                // Rows after the header; streamed so a large table costs no memory.
                let f = std::fs::File::open(full).ok()?;
                let rows = std::io::BufReader::new(f)
                    .lines()
                    .map_while(Result::ok)
                    .filter(|l| !l.trim().is_empty())
                    .count()
                    .saturating_sub(1) as u64;
                if rows == 0 {
                    self.err("organisations", "the table has no organisation rows");
                }
                if rows > MAX_ORGANISATIONS {
                    self.err(
                        "organisations",
                        format!("{rows} organisations in the table; at most {MAX_ORGANISATIONS} fit in memory"),
                    );
                }
                Some(rows)
            }
        }
    }

    fn network(&mut self, net: &NetworkSpec, n: Option<u64>) {
        self.dist("network.weights", &net.weights, Support::Unit);
        if let Dist::Fixed(w) = net.weights {
            if w == 0.0 {
                self.err("network.weights", "tie weights must be > 0");
            }
        }
        self.prob("network.strong_threshold", net.strong_threshold);
        self.prob("network.person_dependent_share", net.person_dependent_share);
        let p = "network.model";
        let nf = n.map(|n| n as f64);
        let max_degree = nf.map(|n| (n - 1.0).max(0.0));
        let mean_degree = |c: &mut Self, path: &str, d: f64| {
            if !(d.is_finite() && d >= 0.0) {
                c.err(path, format!("must be >= 0, got {d}"));
            } else if let Some(m) = max_degree.filter(|&m| d > m) {
                c.err(
                    path,
                    format!(
                        "{d} is more than n - 1 = {m} (n = {} organisations)",
                        m + 1.0
                    ),
                );
            }
        };
        let ring_k = |c: &mut Self, k: u32| {
            if k < 2 || !k.is_multiple_of(2) {
                c.err(
                    format!("{p}.k"),
                    format!("must be even and at least 2, got {k}"),
                );
            } else if let Some(n) = n.filter(|&n| k as u64 >= n) {
                c.err(
                    format!("{p}.k"),
                    format!("must be less than the number of organisations ({n}), got {k}"),
                );
            }
        };
        let ties: Option<f64> = match &net.model {
            NetworkModel::Complete => nf.map(|n| n * (n - 1.0) / 2.0),
            NetworkModel::RingLattice { k } => {
                ring_k(self, *k);
                nf.map(|n| n * *k as f64 / 2.0)
            }
            NetworkModel::ErdosRenyi { mean_degree: d } => {
                mean_degree(self, &format!("{p}.mean_degree"), *d);
                nf.map(|n| n * d / 2.0)
            }
            NetworkModel::ErdosRenyiM { ties } => {
                if let Some(n) = nf {
                    let pairs = n * (n - 1.0) / 2.0;
                    if *ties as f64 > pairs {
                        self.err(
                            format!("{p}.ties"),
                            format!(
                                "{ties} ties is more than the {pairs} pairs of {n} organisations"
                            ),
                        );
                    }
                }
                Some(*ties as f64)
            }
            NetworkModel::WattsStrogatz { k, p: rewire } => {
                ring_k(self, *k);
                self.prob(format!("{p}.p"), *rewire);
                nf.map(|n| n * *k as f64 / 2.0)
            }
            NetworkModel::BarabasiAlbert { m } => {
                if *m == 0 {
                    self.err(format!("{p}.m"), "must be at least 1");
                } else if let Some(n) = n.filter(|&n| *m as u64 >= n) {
                    self.err(
                        format!("{p}.m"),
                        format!("must be less than the number of organisations ({n}), got {m}"),
                    );
                }
                nf.map(|n| n * *m as f64)
            }
            NetworkModel::StochasticBlock {
                mean_degree: d,
                mixing,
            } => {
                mean_degree(self, &format!("{p}.mean_degree"), *d);
                let shares = [
                    ("same_place_same_kind", mixing.same_place_same_kind),
                    ("same_place_other_kind", mixing.same_place_other_kind),
                    ("other_place_same_kind", mixing.other_place_same_kind),
                    ("other_place_other_kind", mixing.other_place_other_kind),
                ];
                for (f, x) in shares {
                    self.prob(format!("{p}.mixing.{f}"), x);
                }
                let sum: f64 = shares.iter().map(|s| s.1).sum();
                if (sum - 1.0).abs() > 1e-9 {
                    self.err(
                        format!("{p}.mixing"),
                        format!("shares must sum to 1, they sum to {sum}"),
                    );
                }
                nf.map(|n| n * d / 2.0)
            }
            NetworkModel::Configuration { degree } => {
                let path = format!("{p}.degree");
                self.dist(&path, degree, Support::UpTo(max_degree.unwrap_or(f64::MAX)));
                let mean = match *degree {
                    Dist::Fixed(x) => x,
                    Dist::Uniform { lo, hi } => (lo + hi) / 2.0,
                    Dist::Normal { mean, .. } => mean,
                    Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
                };
                nf.map(|n| n * mean.max(0.0) / 2.0)
            }
            NetworkModel::ErdosRenyiP { p: prob } => {
                self.prob(format!("{p}.p"), *prob);
                nf.map(|n| n * (n - 1.0) / 2.0 * prob)
            }
            NetworkModel::ConfigurationDegrees { degrees } => {
                if let Some(n) = n.filter(|&n| degrees.len() as u64 != n) {
                    self.err(
                        format!("{p}.degrees"),
                        format!(
                            "needs one degree per organisation ({n}), got {}",
                            degrees.len()
                        ),
                    );
                }
                if degrees.iter().map(|&d| d as u64).sum::<u64>() % 2 == 1 {
                    self.err(
                        format!("{p}.degrees"),
                        "the degrees must sum to an even number",
                    );
                }
                Some(degrees.iter().map(|&d| d as f64).sum::<f64>() / 2.0)
            }
            NetworkModel::EdgeList { file, .. }
            | NetworkModel::PlainEdges { file }
            | NetworkModel::Attendance { file } => {
                self.file(format!("{p}.file"), file);
                None
            }
        };
        self.prob("network.strong_triadic_closure", net.strong_triadic_closure);
        if let Some(t) = ties.filter(|t| t * BYTES_PER_TIE > MAX_TIE_BYTES) {
            let gib = t * BYTES_PER_TIE / (1u64 << 30) as f64;
            self.err(
                p,
                format!(
                    "expected about {t:.3e} ties for {} organisations; at ~{BYTES_PER_TIE} bytes a tie that is {gib:.1} GiB, above the {} GiB limit; lower the degree or the number of organisations",
                    n.unwrap_or(0),
                    MAX_TIE_BYTES / (1u64 << 30) as f64
                ),
            );
        }
    }

    fn practice(&mut self, at: &str, p: &Practice) {
        self.name(format!("{at}.name"), &p.name);
        let k = format!("{at}.kernel");
        match &p.kernel {
            Kernel::FractionalThreshold { threshold } => {
                self.dist(&format!("{k}.threshold"), threshold, Support::Unit)
            }
            Kernel::AbsoluteThreshold { neighbours } => {
                if *neighbours == 0 {
                    self.err(format!("{k}.neighbours"), "must be at least 1");
                }
            }
            Kernel::IndependentCascade { probability } => {
                self.prob(format!("{k}.probability"), *probability)
            }
            Kernel::Bass {
                innovation,
                imitation,
            } => {
                self.rate(format!("{k}.innovation"), *innovation);
                self.rate(format!("{k}.imitation"), *imitation);
            }
        }
        for (j, kind) in p.adopter_kinds.iter().enumerate() {
            self.reference(format!("{at}.adopter_kinds[{j}]"), kind, true);
        }
        self.prob(format!("{at}.effect"), p.effect);
        if !(p.dwell_years.is_finite() && (0.0..=100.0).contains(&p.dwell_years)) {
            self.err(
                format!("{at}.dwell_years"),
                format!("must be years in [0, 100], got {}", p.dwell_years),
            );
        }
        if let Some(t) = &p.seeds {
            self.targets(&format!("{at}.seeds"), t);
        }
        let g = &p.gates;
        self.rate(format!("{at}.gates.discontinuation"), g.discontinuation);
        self.rate(
            format!("{at}.gates.discontinuation_commitment"),
            g.discontinuation_commitment,
        );
        self.rate(
            format!("{at}.gates.discontinuation_isolation"),
            g.discontinuation_isolation,
        );
    }

    fn targets(&mut self, at: &str, t: &Targets) {
        for (j, k) in t.kinds.iter().enumerate() {
            self.reference(format!("{at}.kinds[{j}]"), k, true);
        }
        for (j, p) in t.places.iter().enumerate() {
            self.reference(format!("{at}.places[{j}]"), p, false);
        }
        let pick = format!("{at}.pick");
        match &t.pick {
            Pick::Fraction(x) => self.prob(pick, *x),
            Pick::List(ids) if ids.is_empty() => {
                self.err(pick, "List must name at least one organisation")
            }
            Pick::File(f) => {
                self.file(pick, f);
            }
            Pick::Random(n)
            | Pick::HighestDegree(n)
            | Pick::HighestBetweenness(n)
            | Pick::LowestConstraint(n)
            | Pick::NominatedFriends(n) => self.count(&pick, *n),
            Pick::Greedy {
                seeds,
                probability,
                runs,
            } => {
                self.count(&format!("{pick}.seeds"), *seeds);
                self.prob(format!("{pick}.probability"), *probability);
                if *runs == 0 || *runs > MAX_GREEDY_RUNS {
                    self.err(
                        format!("{pick}.runs"),
                        format!("must be 1 to {MAX_GREEDY_RUNS} Monte-Carlo runs, got {runs}"),
                    );
                } else if let Some(n) = self.orgs {
                    let work = *runs as u64 * n;
                    if work > crate::intervention::greedy::MAX_WORK {
                        self.err(
                            format!("{pick}.runs"),
                            format!(
                                "{runs} runs on {n} organisations is {work} component labels; at most {} fit (use fewer runs)",
                                crate::intervention::greedy::MAX_WORK
                            ),
                        );
                    }
                }
            }
            Pick::All | Pick::List(_) => {}
        }
    }

    /// A number of organisations to pick: no more than the scenario has (0 is allowed: it
    /// switches an intervention off, which sweeps and arms use).
    fn count(&mut self, path: &str, n: u32) {
        if let Some(total) = self.orgs.filter(|&t| n as u64 > t) {
            self.err(
                path,
                format!("asks for {n} organisations but the scenario has only {total}"),
            );
        }
    }

    /// A tie weight in (0, 1].
    fn weight(&mut self, path: String, w: f64) {
        if !(w > 0.0 && w <= 1.0) {
            self.err(path, format!("must be a tie weight in (0, 1], got {w}"));
        }
    }

    /// A number of people or ties per organisation: at least 1 and at most `max`.
    fn per_org(&mut self, path: String, n: u32, max: u32, what: &str) {
        if n == 0 || n > max {
            self.err(path, format!("must be 1 to {max} {what}, got {n}"));
        }
    }

    fn intervention<'n>(
        &mut self,
        at: &str,
        iv: &'n Intervention,
        seen: &mut BTreeSet<&'n str>,
        practices: &BTreeSet<&str>,
    ) {
        self.unique_name(seen, format!("{at}.name"), &iv.name);
        match iv.when {
            When::At(d) => self.date(format!("{at}.when"), d),
            When::Every { months, from, to } => {
                if months == 0 || months > 1200 {
                    self.err(
                        format!("{at}.when.months"),
                        format!("must be 1 to 1200 months, got {months}"),
                    );
                }
                self.date(format!("{at}.when.from"), from);
                self.date(format!("{at}.when.to"), to);
                if from > to {
                    self.err(
                        format!("{at}.when.to"),
                        format!("must not be before `from` ({from}), got {to}"),
                    );
                }
            }
        }
        self.targets(&format!("{at}.targets"), &iv.targets);
        let a = format!("{at}.action");
        let mut has_duration = false;
        match &iv.action {
            Action::TrainingCohort {
                staff_per_org,
                in_pairs: _,
                pair_weight,
            } => {
                self.per_org(
                    format!("{a}.staff_per_org"),
                    *staff_per_org,
                    MAX_PER_ORG,
                    "people (a cohort trains someone)",
                );
                self.weight(format!("{a}.pair_weight"), *pair_weight);
            }
            Action::EngagementEvent {
                new_ties_per_attendee,
                tie_weight,
                boundary_preference,
                commitment_boost,
                recruit: _,
                per_place: _,
            } => {
                if *new_ties_per_attendee > MAX_NEW_TIES {
                    self.err(
                        format!("{a}.new_ties_per_attendee"),
                        format!("must be 0 to {MAX_NEW_TIES}, got {new_ties_per_attendee}"),
                    );
                }
                self.weight(format!("{a}.tie_weight"), *tie_weight);
                let b = *boundary_preference;
                if !(b.is_finite() && (0.0..=1e6).contains(&b)) {
                    self.err(
                        format!("{a}.boundary_preference"),
                        format!("must be an odds multiplier in [0, 1e6], got {b}"),
                    );
                }
                self.prob(format!("{a}.commitment_boost"), *commitment_boost);
            }
            Action::NetworkWeaving {
                ties_per_broker,
                tie_weight,
                min_distance,
                other_places_only: _,
            } => {
                self.per_org(
                    format!("{a}.ties_per_broker"),
                    *ties_per_broker,
                    MAX_NEW_TIES,
                    "ties",
                );
                self.weight(format!("{a}.tie_weight"), *tie_weight);
                if *min_distance < 2 {
                    self.err(
                        format!("{a}.min_distance"),
                        format!(
                            "must be at least 2 (a new tie joins organisations not yet tied), got {min_distance}"
                        ),
                    );
                }
            }
            Action::Coordinate { action: _, effect } => self.prob(format!("{a}.effect"), *effect),
            Action::GovernanceChange { mode: _ } => {}
            Action::PilotSeeding { practice } => {
                if !practices.contains(practice.as_str()) {
                    let known = if practices.is_empty() {
                        "none (add one under `practices`)".to_string()
                    } else {
                        fmt_names(practices)
                    };
                    self.err(
                        format!("{a}.practice"),
                        format!("no practice is named {practice:?}; known practices: {known}"),
                    );
                }
            }
            Action::Funding {
                years,
                extra_staff,
                activation_multiplier,
            } => {
                has_duration = true;
                self.years(format!("{a}.years"), *years);
                if *extra_staff > MAX_PER_ORG {
                    self.err(
                        format!("{a}.extra_staff"),
                        format!("must be 0 to {MAX_PER_ORG} people, got {extra_staff}"),
                    );
                }
                let m = *activation_multiplier;
                if !(m.is_finite() && (0.0..=100.0).contains(&m)) {
                    self.err(
                        format!("{a}.activation_multiplier"),
                        format!("must be a factor in [0, 100], got {m}"),
                    );
                }
            }
            Action::Shock {
                years,
                commitment_drop,
                capacity_loss,
                inactivity_rise,
            } => {
                has_duration = true;
                self.years(format!("{a}.years"), *years);
                self.prob(format!("{a}.commitment_drop"), *commitment_drop);
                self.prob(format!("{a}.capacity_loss"), *capacity_loss);
                self.rate(format!("{a}.inactivity_rise"), *inactivity_rise);
            }
        }
        let c = &iv.cost;
        for (f, x) in [
            ("per_event", c.per_event),
            ("per_organisation", c.per_organisation),
            ("per_person_trained", c.per_person_trained),
            ("per_action", c.per_action),
            ("per_year", c.per_year),
        ] {
            if !(x.is_finite() && (0.0..=1e15).contains(&x)) {
                self.err(
                    format!("{at}.cost.{f}"),
                    format!("must be an amount in [0, 1e15], got {x}"),
                );
            }
        }
        if c.per_year != 0.0 && !has_duration {
            self.err(
                format!("{at}.cost.per_year"),
                "only Funding and Shock last a number of years; price this action per event, organisation, person or action",
            );
        }
    }

    /// A duration in years: more than 0 and at most 100.
    fn years(&mut self, path: String, y: f64) {
        if !(y.is_finite() && y > 0.0 && y <= 100.0) {
            self.err(path, format!("must be years in (0, 100], got {y}"));
        }
    }

    fn governance(&mut self, g: &Governance) {
        for (f, b) in [
            ("shared_budget", g.shared_budget),
            ("lead_budget", g.lead_budget),
            ("administrative_budget", g.administrative_budget),
        ] {
            if b > MAX_BUDGET {
                self.err(
                    format!("governance.{f}"),
                    format!("must be 0 to {MAX_BUDGET} coordinator actions a month, got {b}"),
                );
            }
        }
    }

    fn training(&mut self, t: &Training) {
        self.prob("training.skill_weight", t.skill_weight);
        self.rate("training.activation_rate", t.activation_rate);
        self.positive("training.support_threshold", t.support_threshold);
        self.positive("training.support_steepness", t.support_steepness);
        self.rate("training.colleague_weight", t.colleague_weight);
        self.rate("training.skill_fade", t.skill_fade);
        self.rate("training.improver_lapse", t.improver_lapse);
        self.rate("training.staff_turnover", t.staff_turnover);
    }

    fn commitment(&mut self, c: &Commitment) {
        for (f, d) in [
            ("initial", &c.initial),
            ("alignment", &c.alignment),
            ("expectation", &c.expectation),
            ("resistance", &c.resistance),
        ] {
            self.dist(&format!("commitment.{f}"), d, Support::Unit);
        }
        for (f, r) in [
            ("relational_gain", c.relational_gain),
            ("progress_gain", c.progress_gain),
            ("misalignment_loss", c.misalignment_loss),
            ("reciprocity_loss", c.reciprocity_loss),
            ("resistance_loss", c.resistance_loss),
            ("erosion", c.erosion),
        ] {
            self.rate(format!("commitment.{f}"), r);
        }
        self.positive("commitment.relational_half", c.relational_half);
        self.prob("commitment.exit_threshold", c.exit_threshold);
        self.prob("commitment.rejoin_threshold", c.rejoin_threshold);
        if c.rejoin_threshold < c.exit_threshold {
            self.err(
                "commitment.rejoin_threshold",
                format!(
                    "must be >= exit_threshold ({}), got {}",
                    c.exit_threshold, c.rejoin_threshold
                ),
            );
        }
    }

    fn ties(&mut self, t: &TieDynamics) {
        self.rate("ties.decay", t.decay);
        self.rate("ties.reinforcement", t.reinforcement);
        self.rate("ties.triadic_closure", t.triadic_closure);
        if !(t.closure_weight > 0.0 && t.closure_weight <= 1.0) {
            self.err(
                "ties.closure_weight",
                format!("must be a tie weight in (0, 1], got {}", t.closure_weight),
            );
        }
    }

    fn outcome(&mut self, o: &Outcome) {
        self.rate("outcome.relapse", o.relapse);
        self.prob("outcome.reach", o.reach);
        let mut last: Option<YearMonth> = None;
        for (i, seg) in o.trend.iter().enumerate() {
            let at = format!("outcome.trend[{i}]");
            self.date(format!("{at}.from"), seg.from);
            if let Some(prev) = last.filter(|&p| seg.from <= p) {
                self.err(
                    format!("{at}.from"),
                    format!(
                        "segments must be in date order; {} is not after {prev}",
                        seg.from
                    ),
                );
            }
            last = Some(seg.from);
            let r = seg.relative_per_year;
            if !(r.is_finite() && (-1.0..=10.0).contains(&r)) {
                self.err(
                    format!("{at}.relative_per_year"),
                    format!("must be a relative change per year in [-1, 10], got {r}"),
                );
            }
        }
        let mut names = BTreeSet::new();
        for (i, sh) in o.shocks.iter().enumerate() {
            let at = format!("outcome.shocks[{i}]");
            self.unique_name(&mut names, format!("{at}.name"), &sh.name);
            self.date(format!("{at}.start"), sh.start);
            self.date(format!("{at}.end"), sh.end);
            if sh.start > sh.end {
                self.err(
                    format!("{at}.end"),
                    format!("must not be before start ({}), got {}", sh.start, sh.end),
                );
            }
            self.rate(format!("{at}.inactivity_hazard"), sh.inactivity_hazard);
        }
        for (i, ob) in o.observed.iter().enumerate() {
            let at = format!("outcome.observed[{i}]");
            self.date(format!("{at}.from"), ob.from);
            self.date(format!("{at}.to"), ob.to);
            if ob.from > ob.to {
                self.err(
                    format!("{at}.to"),
                    format!("must not be before from ({}), got {}", ob.from, ob.to),
                );
            }
            self.prob(format!("outcome.observed[{i}].prevalence"), ob.prevalence);
        }
    }
}
