//! A sensitivity study on the simulator: the design (`sensitivity.json`), the scenario
//! field values of each design point (run by `experiment::sweep::run_sweep`, one point per
//! design row), the per-point outcome read back from the folder's `runs.csv`, and the
//! indices written to `sensitivity.csv`.
//!
//! Reading `runs.csv` back (rather than taking results from the sweep in memory) means a
//! folder assembled another way (resumed, or merged from Slurm shards) is analysed the
//! same way, and `--analyse-only` redoes the analysis from the folder alone.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bootstrap::RESAMPLES;
use super::{morris, sobol, Index};
use crate::output::atomic::AtomicFile;
use crate::output::format::{float, opt_float};
use crate::output::OutputError;

/// The design file of a sensitivity folder.
pub const DESIGN_JSON: &str = "sensitivity.json";
/// The indices.
pub const INDICES_CSV: &str = "sensitivity.csv";

/// How points are chosen and indices computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Elementary effects on trajectories (μ*, μ, σ): screening, r(k + 1) points.
    Morris,
    /// First-order and total Sobol indices on a Saltelli design: N(k + 2) points.
    Sobol,
}

/// One factor: a scenario field varied over `lo..hi` (whole numbers only if `integer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    #[serde(default)]
    pub integer: bool,
}

/// Parses `PATH=LO..HI`, or `PATH=LO..HI:int` for a whole-number field.
pub fn parse_factor(s: &str) -> Result<Factor, String> {
    let (body, integer) = match s.trim_end().strip_suffix(":int") {
        Some(b) => (b, true),
        None => (s, false),
    };
    let f = crate::experiment::sweep::parse_vary(body)?;
    match f.levels {
        crate::experiment::sweep::Levels::Range(lo, hi) => {
            if integer && (lo.fract() != 0.0 || hi.fract() != 0.0) {
                return Err(format!("{s:?}: an :int range needs whole-number LO and HI"));
            }
            Ok(Factor {
                path: f.path,
                lo,
                hi,
                integer,
            })
        }
        crate::experiment::sweep::Levels::List(_) => Err(format!(
            "expected PATH=LO..HI or PATH=LO..HI:int (e.g. training.skill_weight=0.05..0.5), got {s:?}"
        )),
    }
}

/// Outcomes offered (besides `final_adopters_<practice>`), with what they mean.
pub const OUTCOMES: [(&str, &str); 9] = [
    ("target_met", "probability of meeting the target"),
    ("final_prevalence", "mean final prevalence"),
    (
        "relative_reduction",
        "mean relative reduction by the target year",
    ),
    (
        "target_year_reached",
        "mean year the target was reached (never: the calendar's last year + 1)",
    ),
    ("final_adopters", "mean final adopters, all practices"),
    ("active_improvers", "mean final active improvers"),
    ("mean_commitment", "mean final commitment"),
    ("members", "mean final members"),
    ("total_cost", "mean total cost"),
];

/// Checks an outcome name against [`OUTCOMES`] and the scenario's practices.
pub fn check_outcome(name: &str, practices: &[String]) -> Result<(), String> {
    let practice = name
        .strip_prefix("final_adopters_")
        .is_some_and(|p| practices.iter().any(|q| q == p));
    if practice || OUTCOMES.iter().any(|(n, _)| *n == name) {
        return Ok(());
    }
    let mut names: Vec<String> = OUTCOMES.iter().map(|(n, _)| n.to_string()).collect();
    names.extend(practices.iter().map(|p| format!("final_adopters_{p}")));
    Err(format!(
        "unknown outcome {name:?}; choose one of {}",
        names.join(", ")
    ))
}

/// What a sensitivity folder was built from: enough to rebuild its design and redo the
/// analysis from the folder alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    pub method: Method,
    /// Morris: trajectories r; Sobol: base samples N.
    pub samples: usize,
    /// Morris levels p (unused by Sobol).
    pub levels: usize,
    /// Keys the Morris design and the bootstrap (the scenario's seed).
    pub seed: u64,
    pub replicates: u32,
    pub factors: Vec<Factor>,
    /// The outcome of the last analysis.
    pub outcome: String,
    /// Bootstrap resamples per interval.
    pub resamples: usize,
}

impl Design {
    /// Checks the factors and builds the design once to check its size.
    pub fn check(&self) -> Result<(), String> {
        if self.factors.is_empty() {
            return Err("give at least one --factor PATH=LO..HI".into());
        }
        for (i, f) in self.factors.iter().enumerate() {
            if !(f.lo.is_finite() && f.hi.is_finite() && f.lo <= f.hi) {
                return Err(format!("{}: a range needs finite LO <= HI", f.path));
            }
            if self.factors[..i].iter().any(|g| g.path == f.path) {
                return Err(format!("{}: factor given twice", f.path));
            }
        }
        self.unit_points().map(|_| ())
    }

    /// The design's points in the unit cube, in run order.
    pub fn unit_points(&self) -> Result<Vec<Vec<f64>>, String> {
        let k = self.factors.len();
        match self.method {
            Method::Morris => morris::trajectories(self.samples, k, self.levels, self.seed),
            Method::Sobol => sobol::saltelli_points(self.samples, k),
        }
    }

    /// Each point's field values, as override strings: `LO + x (HI - LO)`, or for a
    /// whole-number factor `LO + floor(x (HI - LO + 1))` capped at HI (equal shares).
    pub fn values(&self) -> Result<Vec<Vec<String>>, String> {
        Ok(self
            .unit_points()?
            .iter()
            .map(|u| {
                u.iter()
                    .zip(&self.factors)
                    .map(|(&x, f)| {
                        if f.integer {
                            let v = (f.lo + (x * (f.hi - f.lo + 1.0)).floor()).min(f.hi);
                            format!("{}", v as i64)
                        } else {
                            float(f.lo + x * (f.hi - f.lo))
                        }
                    })
                    .collect()
            })
            .collect())
    }

    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(DESIGN_JSON);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| OutputError::invalid(&path, e.to_string()))?;
        text.push('\n');
        write_atomic(&path, &text)
    }

    pub fn read(dir: &Path) -> Result<Design, OutputError> {
        let path = dir.join(DESIGN_JSON);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            OutputError::invalid(
                &path,
                format!("cannot read ({e}); is this a sensitivity folder?"),
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| OutputError::invalid(&path, format!("not a sensitivity design: {e}")))
    }
}

fn write_atomic(path: &Path, text: &str) -> Result<(), OutputError> {
    let io = |e| OutputError::io(path, e);
    let mut file = AtomicFile::create(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.commit().map_err(io)?;
    Ok(())
}

/// Each point's outcome from a sweep folder's `runs.csv`: the mean over the point's
/// successful replicates (failed runs, with a non-empty `error`, are left out).
/// `never` stands for a target year never reached.
pub fn point_outcomes(
    runs_csv: &Path,
    outcome: &str,
    points: usize,
    replicates: u32,
    never: f64,
) -> Result<Vec<f64>, OutputError> {
    let invalid = |m: String| OutputError::invalid(runs_csv, m);
    let mut reader = csv::Reader::from_path(runs_csv).map_err(|e| invalid(e.to_string()))?;
    let header = reader
        .headers()
        .map_err(|e| invalid(e.to_string()))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (run, error) = match (col("run"), col("error")) {
        (Some(r), Some(e)) => (r, e),
        _ => {
            return Err(invalid(
                "no run or error column; is this a runs.csv?".into(),
            ))
        }
    };
    let columns: Vec<usize> = if outcome == "final_adopters" {
        (0..header.len())
            .filter(|&i| header[i].starts_with("final_adopters_"))
            .collect()
    } else {
        col(outcome).into_iter().collect()
    };
    if columns.is_empty() {
        return Err(invalid(format!("no column for outcome {outcome:?}")));
    }
    let (mut sum, mut n) = (vec![0.0; points], vec![0u64; points]);
    for rec in reader.records() {
        let r = rec.map_err(|e| invalid(e.to_string()))?;
        let id: u64 = r
            .get(run)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| invalid("a run column holds no run number".into()))?;
        let p = (id / replicates.max(1) as u64) as usize;
        if p >= points {
            return Err(invalid(format!(
                "run {id} is beyond the design's {points} points x {replicates} replicates"
            )));
        }
        if !r.get(error).unwrap_or("").is_empty() {
            continue;
        }
        let mut value = 0.0;
        for &c in &columns {
            let text = r.get(c).unwrap_or("");
            value += match (outcome, text) {
                ("target_met", "true") => 1.0,
                ("target_met", "false") => 0.0,
                ("target_year_reached", "") => never,
                _ => text.parse::<f64>().map_err(|_| {
                    invalid(format!(
                        "run {id}: {} holds {text:?}, expected a number",
                        &header[c]
                    ))
                })?,
            };
        }
        sum[p] += value;
        n[p] += 1;
    }
    if let Some(p) = n.iter().position(|&c| c == 0) {
        return Err(invalid(format!(
            "design point {p} has no successful run; an incomplete or failed folder cannot be \
             analysed (finish it with --resume, or merge all shards)"
        )));
    }
    Ok(sum.iter().zip(&n).map(|(s, &c)| s / c as f64).collect())
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub factor: String,
    /// `mu_star`, `mu`, `sigma`, `S1` or `ST`.
    pub index: &'static str,
    pub estimate: Index,
}

/// The indices of every factor, factor by factor, from the per-point outcomes `y`.
pub fn indices(design: &Design, y: &[f64]) -> Result<Vec<IndexRow>, String> {
    let k = design.factors.len();
    let named: Vec<(&'static str, Vec<Index>)> = match design.method {
        Method::Morris => {
            let x = design.unit_points()?;
            let m = morris::morris_indices(&x, y, k, design.levels, design.seed, design.resamples)?;
            vec![("mu_star", m.mu_star), ("mu", m.mu), ("sigma", m.sigma)]
        }
        Method::Sobol => {
            let s = sobol::sobol_indices(y, k, design.seed, design.resamples)?;
            vec![("S1", s.first), ("ST", s.total)]
        }
    };
    let mut rows = Vec::new();
    for (i, f) in design.factors.iter().enumerate() {
        for (name, values) in &named {
            rows.push(IndexRow {
                factor: f.path.clone(),
                index: name,
                estimate: values.get(i).copied().unwrap_or_default(),
            });
        }
    }
    Ok(rows)
}

/// The default bootstrap size recorded in new designs.
pub const DEFAULT_RESAMPLES: usize = RESAMPLES;

/// Writes `sensitivity.csv` (`factor,index,value,low,high`; empty where undefined).
pub fn write_indices(dir: &Path, rows: &[IndexRow]) -> Result<(), OutputError> {
    let mut text = String::from("factor,index,value,low,high\n");
    for r in rows {
        let (lo, hi) = r.estimate.interval.unzip();
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_field(&r.factor),
            r.index,
            opt_float(r.estimate.value),
            opt_float(lo),
            opt_float(hi)
        ));
    }
    write_atomic(&dir.join(INDICES_CSV), &text)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The index factors are ranked by: μ* (Morris) or the total index (Sobol).
pub fn ranking_index(method: Method) -> &'static str {
    match method {
        Method::Morris => "mu_star",
        Method::Sobol => "ST",
    }
}

/// Factors ranked by [`ranking_index`], largest first (undefined last; ties: given order).
pub fn ranked(method: Method, rows: &[IndexRow]) -> Vec<&IndexRow> {
    let key = ranking_index(method);
    let mut r: Vec<&IndexRow> = rows.iter().filter(|r| r.index == key).collect();
    let v = |r: &IndexRow| r.estimate.value.unwrap_or(f64::NEG_INFINITY);
    r.sort_by(|a, b| v(b).total_cmp(&v(a)));
    r
}

/// The factors ranked, as a text table with every index of each factor.
pub fn ranking_table(method: Method, rows: &[IndexRow]) -> String {
    let names: Vec<&str> = match method {
        Method::Morris => vec!["mu_star", "mu", "sigma"],
        Method::Sobol => vec!["ST", "S1"],
    };
    let mut table = vec![{
        let mut h = vec!["rank".to_string(), "factor".to_string()];
        for n in &names {
            h.push(n.to_string());
            h.push("95% interval".into());
        }
        h
    }];
    for (rank, top) in ranked(method, rows).iter().enumerate() {
        let mut line = vec![(rank + 1).to_string(), top.factor.clone()];
        for n in &names {
            let e = rows
                .iter()
                .find(|r| r.factor == top.factor && r.index == *n)
                .map(|r| r.estimate)
                .unwrap_or_default();
            line.push(e.value.map_or("-".into(), |v| format!("{v:.4}")));
            line.push(
                e.interval
                    .map_or("-".into(), |(lo, hi)| format!("{lo:.4} to {hi:.4}")),
            );
        }
        table.push(line);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| table.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    table
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(x, w)| format!("{x:<w$}"))
                .collect();
            cells.join("  ").trim_end().to_string() + "\n"
        })
        .collect()
}

/// A plain-words sentence naming the factors that matter most: those whose ranking index
/// is at least a tenth of the largest, at most three.
pub fn sentence(method: Method, outcome: &str, rows: &[IndexRow]) -> String {
    let ranked = ranked(method, rows);
    let top = ranked.first().and_then(|r| r.estimate.value).unwrap_or(0.0);
    if top.is_nan() || top <= 0.0 {
        return format!(
            "The {outcome} outcome did not vary across the design: none of the factors moved it \
             within the ranges tried."
        );
    }
    let key: Vec<String> = ranked
        .iter()
        .take(3)
        .filter(|r| r.estimate.value.unwrap_or(0.0) >= 0.1 * top)
        .map(|r| r.factor.clone())
        .collect();
    let what = match method {
        Method::Morris => "mean absolute elementary effect, μ*",
        Method::Sobol => "total Sobol index",
    };
    let names = match key.as_slice() {
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        _ => String::new(),
    };
    let verb = if key.len() == 1 { "is" } else { "are" };
    let rest = if key.len() < ranked.len() {
        "; the other factors matter less than a tenth as much as the first"
    } else {
        ""
    };
    format!(
        "Within the ranges tried, {names} {verb} what decide{} {outcome} most (by {what}){rest}.",
        if key.len() == 1 { "s" } else { "" }
    )
}

/// An analysis of a sensitivity folder.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub design: Design,
    pub rows: Vec<IndexRow>,
    /// Smallest and largest per-point outcome.
    pub range: (f64, f64),
}

/// Computes the indices of `outcome` (default: the design's) from a sensitivity folder's
/// files alone, writes `sensitivity.csv` and records the outcome in `sensitivity.json`.
pub fn analyse_folder(dir: &Path, outcome: Option<&str>) -> Result<Analysis, OutputError> {
    let mut design = Design::read(dir)?;
    let manifest = crate::output::manifest::Manifest::read(dir)?;
    let mpath = dir.join(crate::output::MANIFEST_JSON);
    let scenario = crate::scenario::parse_str("manifest.json scenario", &manifest.scenario)
        .map_err(|e| OutputError::invalid(&mpath, format!("its scenario cannot be read: {e}")))?;
    let practices: Vec<String> = scenario.practices.iter().map(|p| p.name.clone()).collect();
    let outcome = outcome.unwrap_or(&design.outcome).to_string();
    let dpath = dir.join(DESIGN_JSON);
    check_outcome(&outcome, &practices).map_err(|e| OutputError::invalid(&dpath, e))?;
    design
        .check()
        .map_err(|e| OutputError::invalid(&dpath, e))?;
    let points = design
        .unit_points()
        .map_err(|e| OutputError::invalid(&dpath, e))?
        .len();
    let never = (scenario.calendar.end.year + 1) as f64;
    let runs = dir.join(crate::output::RUNS_CSV);
    let y = point_outcomes(&runs, &outcome, points, design.replicates, never)?;
    let rows = indices(&design, &y).map_err(|e| OutputError::invalid(&runs, e))?;
    write_indices(dir, &rows)?;
    design.outcome = outcome;
    design.write(dir)?;
    let range = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    Ok(Analysis {
        design,
        rows,
        range,
    })
}

/// Reads `sensitivity.csv` back (for the report).
pub fn read_indices(dir: &Path) -> Result<Vec<IndexRow>, OutputError> {
    let path = dir.join(INDICES_CSV);
    let invalid = |m: String| OutputError::invalid(&path, m);
    let mut reader = csv::Reader::from_path(&path).map_err(|e| invalid(e.to_string()))?;
    let mut rows = Vec::new();
    for rec in reader.records() {
        let r = rec.map_err(|e| invalid(e.to_string()))?;
        let num = |i: usize| -> Result<Option<f64>, OutputError> {
            match r.get(i).unwrap_or("") {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| invalid(format!("{t:?} is not a number"))),
            }
        };
        let index = ["mu_star", "mu", "sigma", "S1", "ST"]
            .into_iter()
            .find(|n| Some(*n) == r.get(1))
            .ok_or_else(|| invalid(format!("unknown index {:?}", r.get(1).unwrap_or(""))))?;
        let (lo, hi) = (num(3)?, num(4)?);
        rows.push(IndexRow {
            factor: r.get(0).unwrap_or("").to_string(),
            index,
            estimate: Index {
                value: num(2)?,
                interval: lo.zip(hi),
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(method: Method) -> Design {
        Design {
            method,
            samples: 4,
            levels: 4,
            seed: 1,
            replicates: 2,
            factors: vec![
                parse_factor("a.x=0..1").unwrap(),
                parse_factor("b=2..5:int").unwrap(),
            ],
            outcome: "target_met".into(),
            resamples: 50,
        }
    }

    #[test]
    fn factors_parse_and_map_onto_their_ranges() {
        assert!(parse_factor("a=1,2").is_err());
        assert!(parse_factor("a=2..1").is_err());
        assert!(parse_factor("a=0.5..2:int").is_err());
        let d = design(Method::Morris);
        d.check().unwrap();
        let values = d.values().unwrap();
        assert_eq!(values.len(), 4 * 3);
        let units = d.unit_points().unwrap();
        for (v, u) in values.iter().zip(&units) {
            assert_eq!(v[0], float(u[0]));
            // Levels 0, 1/3, 2/3, 1 of 2..5 (four whole values, equal shares): 2, 3, 4, 5.
            let expect = [2, 3, 4, 5][(u[1] * 3.0).round() as usize];
            assert_eq!(v[1], expect.to_string());
        }
        let mut twice = d.clone();
        twice.factors.push(twice.factors[0].clone());
        assert!(twice.check().is_err());
        assert_eq!(design(Method::Sobol).values().unwrap().len(), 4 * 4);
    }

    #[test]
    fn outcomes_are_checked_by_name() {
        let p = vec!["walk".to_string()];
        assert!(check_outcome("target_met", &p).is_ok());
        assert!(check_outcome("final_adopters_walk", &p).is_ok());
        let e = check_outcome("final_adopters_run", &p).unwrap_err();
        assert!(
            e.contains("final_adopters_walk") && e.contains("members"),
            "{e}"
        );
    }

    #[test]
    fn point_outcomes_average_replicates_and_handle_never_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(
            &path,
            "run,a,replicate,target_met,target_year_reached,final_adopters_x,final_adopters_y,error\n\
             0,1,0,true,2020,1,2,\n1,1,1,false,,3,4,\n2,2,0,true,2021,5,6,\n3,2,1,,,,,boom\n",
        )
        .unwrap();
        let get = |o: &str| point_outcomes(&path, o, 2, 2, 2031.0).unwrap();
        assert_eq!(get("target_met"), vec![0.5, 1.0]);
        assert_eq!(
            get("target_year_reached"),
            vec![(2020.0 + 2031.0) / 2.0, 2021.0]
        );
        assert_eq!(get("final_adopters"), vec![5.0, 11.0]);
        assert!(point_outcomes(&path, "members", 2, 2, 0.0).is_err());
        // Point 2 has no run at all.
        assert!(point_outcomes(&path, "target_met", 3, 2, 0.0).is_err());
    }

    #[test]
    fn ranking_and_sentence_name_the_largest_factors() {
        let row = |f: &str, v: f64| IndexRow {
            factor: f.into(),
            index: "mu_star",
            estimate: Index {
                value: Some(v),
                interval: Some((v - 0.1, v + 0.1)),
            },
        };
        let rows = vec![row("a", 0.05), row("b", 2.0), row("c", 1.0), row("d", 0.1)];
        let order: Vec<&str> = ranked(Method::Morris, &rows)
            .iter()
            .map(|r| r.factor.as_str())
            .collect();
        assert_eq!(order, ["b", "c", "d", "a"]);
        let s = sentence(Method::Morris, "target_met", &rows);
        assert!(s.contains("b and c are what decide target_met"), "{s}");
        let table = ranking_table(Method::Morris, &rows);
        assert!(
            table.lines().nth(1).unwrap().starts_with("1     b"),
            "{table}"
        );
        let flat = vec![row("a", 0.0)];
        assert!(sentence(Method::Morris, "x", &flat).contains("did not vary"));
    }
}
