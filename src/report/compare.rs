//! The report of a comparison folder, from `paired.csv` (each arm against the first, over
//! the replicates where both runs succeeded): a forest plot of the paired difference in
//! final prevalence (mean with its 95% t interval, zero line) and one of the difference in
//! the probability of meeting the target (mean of paired 0/1 differences with its normal
//! interval); and a headline naming the arm that lowers final prevalence most.

use std::path::Path;

use super::html::Answer;
use super::intervals::{self, Row};
use super::plots::Plot;
use crate::experiment::compare::PAIRED_CSV;
use crate::output::OutputError;

/// One row of `paired.csv`, fields kept as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paired {
    pub arm: String,
    pub baseline: String,
    pub n: String,
    pub prevalence: [String; 3],
    pub target: [String; 3],
}

const COLUMNS: &str = "arm,baseline_arm,n,final_prevalence_diff,final_prevalence_ci_low,\
final_prevalence_ci_high,target_met_diff,target_met_ci_low,target_met_ci_high";

/// Reads `dir/paired.csv`.
pub fn read_paired(dir: &Path) -> Result<Vec<Paired>, OutputError> {
    let path = dir.join(PAIRED_CSV);
    let bad = |m: String| OutputError::invalid(&path, m);
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header = reader.headers().map_err(|e| bad(e.to_string()))?;
    let header: Vec<&str> = header.iter().collect();
    if header.join(",") != COLUMNS {
        return Err(bad(format!(
            "columns are {:?}, expected {COLUMNS}",
            header.join(",")
        )));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| bad(e.to_string()))?;
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        rows.push(Paired {
            arm: f(0),
            baseline: f(1),
            n: f(2),
            prevalence: [f(3), f(4), f(5)],
            target: [f(6), f(7), f(8)],
        });
    }
    Ok(rows)
}

fn num(v: &str) -> f64 {
    v.parse().unwrap_or(f64::NAN)
}

/// Percentage points with a sign, two decimals ("−0.61", "+0.20", "0.00").
pub fn points(v: f64) -> String {
    let r = (v * 100.0 * 100.0).round() / 100.0;
    if r == 0.0 {
        "0.00".into()
    } else if r < 0.0 {
        format!("−{:.2}", -r)
    } else {
        format!("+{r:.2}")
    }
}

fn interval(lo: &str, hi: &str) -> String {
    if lo.is_empty() || hi.is_empty() {
        "no interval: fewer than 2 pairs".into()
    } else {
        format!("95% interval {} to {}", points(num(lo)), points(num(hi)))
    }
}

/// The headline: the arm with the lowest mean difference in final prevalence.
pub fn answer(rows: &[Paired]) -> Option<Answer> {
    let best = rows
        .iter()
        .filter(|r| num(&r.prevalence[0]).is_finite())
        .fold(None, |b: Option<&Paired>, r| match b {
            Some(b) if num(&b.prevalence[0]) <= num(&r.prevalence[0]) => Some(b),
            _ => Some(r),
        })?;
    let (lead, object) = if rows.len() > 1 {
        (
            format!(
                "Of {} arms compared with {}, {} does best on final inactivity prevalence: it",
                rows.len(),
                best.baseline,
                best.arm
            ),
            "it",
        )
    } else {
        (
            format!("Compared with {}, {}", best.baseline, best.arm),
            "final inactivity prevalence",
        )
    };
    let text = format!(
        "{lead} changes {object} by {} percentage points ({}) and the chance of meeting the \
         target by {} points ({}), over {} paired runs.",
        points(num(&best.prevalence[0])),
        interval(&best.prevalence[1], &best.prevalence[2]),
        points(num(&best.target[0])),
        interval(&best.target[1], &best.target[2]),
        best.n
    );
    Some(Answer {
        text,
        data: vec![
            ("arm".into(), best.arm.clone()),
            ("baseline-arm".into(), best.baseline.clone()),
            ("n".into(), best.n.clone()),
            ("prevalence-diff".into(), best.prevalence[0].clone()),
            ("prevalence-ci-low".into(), best.prevalence[1].clone()),
            ("prevalence-ci-high".into(), best.prevalence[2].clone()),
            ("target-diff".into(), best.target[0].clone()),
            ("target-ci-low".into(), best.target[1].clone()),
            ("target-ci-high".into(), best.target[2].clone()),
        ],
    })
}

fn forest(rows: &[Paired], which: usize) -> Vec<Row> {
    rows.iter()
        .map(|r| {
            let v = if which == 0 { &r.prevalence } else { &r.target };
            let (lo, hi) = (num(&v[1]), num(&v[2]));
            Row {
                label: format!("{} (n = {})", r.arm, r.n),
                estimate: num(&v[0]) * 100.0,
                interval: (lo.is_finite() && hi.is_finite()).then_some((lo * 100.0, hi * 100.0)),
                data: vec![
                    ("arm".into(), r.arm.clone()),
                    ("n".into(), r.n.clone()),
                    ("diff".into(), v[0].clone()),
                    ("ci-low".into(), v[1].clone()),
                    ("ci-high".into(), v[2].clone()),
                ],
            }
        })
        .collect()
}

/// The two forest plots.
pub fn plots(rows: &[Paired]) -> Vec<Plot> {
    if rows.is_empty() {
        return Vec::new();
    }
    let base = rows[0].baseline.clone();
    vec![
        Plot {
            name: "paired_prevalence".into(),
            caption: format!(
                "Each arm's paired difference from {base} in final inactivity prevalence \
                 (percentage points; below zero is better): mean over replicates with common \
                 random numbers, and its 95% paired t interval (paired.csv)."
            ),
            svg: intervals::chart(
                &format!("Final inactivity prevalence: difference from {base}"),
                "mean over paired replicates with its 95% interval",
                "Difference in final prevalence (percentage points)",
                &forest(rows, 0),
                Some((0.0, "no difference")),
                None,
            ),
        },
        Plot {
            name: "paired_target".into(),
            caption: format!(
                "Each arm's difference from {base} in the probability of meeting the target \
                 (percentage points; above zero is better): mean of the paired 0/1 differences \
                 with its 95% normal-approximation interval (paired.csv)."
            ),
            svg: intervals::chart(
                &format!("Probability of meeting the target: difference from {base}"),
                "mean over paired replicates with its 95% interval",
                "Difference in P(target met) (percentage points)",
                &forest(rows, 1),
                Some((0.0, "no difference")),
                None,
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(arm: &str, d: &str) -> Paired {
        Paired {
            arm: arm.into(),
            baseline: "base".into(),
            n: "5".into(),
            prevalence: [d.into(), "-0.02".into(), "0.001".into()],
            target: ["0.2".into(), "".into(), "".into()],
        }
    }

    #[test]
    fn headline_names_the_arm_that_lowers_prevalence_most() {
        let a = answer(&[row("a", "-0.001"), row("b", "-0.0061"), row("c", "0.01")]).unwrap();
        assert!(
            a.text
                .starts_with("Of 3 arms compared with base, b does best"),
            "{}",
            a.text
        );
        assert!(a
            .text
            .contains("it by −0.61 percentage points (95% interval −2.00 to +0.10)"));
        assert!(
            a.text.contains("by +20.00 points (no interval"),
            "{}",
            a.text
        );
        assert_eq!(a.data[3].1, "-0.0061");
        assert_eq!(points(0.0), "0.00");
    }
}
