//! `changenet compare`: arms (named sets of overrides) run with common random numbers, and
//! their paired differences from the first (baseline) arm: `paired.csv`.
//!
//! Replicate r of every arm uses the same random numbers, so per replicate the difference
//! between an arm and the baseline is due to the arm alone. Over the replicates where both
//! runs succeeded (n of them), `paired.csv` gives for each arm after the first:
//! - the mean difference in final prevalence with a 95% paired t interval
//!   (mean ± t(0.975, n-1) · sd/√n);
//! - the difference in the probability of meeting the target: the mean of the paired
//!   differences of the 0/1 indicators, with a normal-approximation interval on those
//!   paired differences (mean ± 1.96 · sd/√n), clipped to [-1, 1]. Simple and paired;
//!   conservative for tiny n, and empty for n < 2.

use std::path::Path;

use crate::output::format::opt_float;
use crate::output::OutputError;

/// File name of the paired differences.
pub const PAIRED_CSV: &str = "paired.csv";

/// Parses `NAME:PATH=V[,PATH=V...]` (values cannot hold commas).
pub fn parse_arm(s: &str) -> Result<(String, Vec<(String, String)>), String> {
    let bad = || {
        format!("expected NAME:PATH=V[,PATH=V...] (e.g. more:practices[0].effect=0.2), got {s:?}")
    };
    let (name, rest) = s.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad());
    }
    let mut sets = Vec::new();
    for part in rest.split(',').filter(|p| !p.trim().is_empty()) {
        let (p, v) = part.split_once('=').ok_or_else(bad)?;
        if p.trim().is_empty() {
            return Err(bad());
        }
        sets.push((p.trim().to_string(), v.trim().to_string()));
    }
    Ok((name.to_string(), sets))
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom: tabled for 1 to 5, a
/// Cornish-Fisher expansion about the normal quantile beyond (error below 1e-3 there).
pub fn t975(df: u64) -> f64 {
    const Z: f64 = 1.959_963_984_540_054;
    match df {
        0 => f64::NAN,
        1 => 12.706_204_736_174_7,
        2 => 4.302_652_729_749_464,
        3 => 3.182_446_305_284_263,
        4 => 2.776_445_105_197_799,
        5 => 2.570_581_836_614_74,
        _ => {
            let v = df as f64;
            let z2 = Z * Z;
            Z + Z * (z2 + 1.0) / (4.0 * v)
                + Z * (5.0 * z2 * z2 + 16.0 * z2 + 3.0) / (96.0 * v * v)
                + Z * (3.0 * z2.powi(3) + 19.0 * z2 * z2 + 17.0 * z2 - 15.0) / (384.0 * v.powi(3))
                + Z * (79.0 * z2.powi(4) + 776.0 * z2.powi(3) + 1482.0 * z2 * z2
                    - 1920.0 * z2
                    - 945.0)
                    / (92160.0 * v.powi(4))
        }
    }
}

/// Mean, and a 95% interval mean ± q · sd/√n, of paired differences (`None` below 2).
fn interval(d: &[f64], q: impl Fn(u64) -> f64) -> (Option<f64>, Option<(f64, f64)>) {
    let n = d.len();
    if n == 0 {
        return (None, None);
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let sd = (d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = q(n as u64 - 1) * sd / (n as f64).sqrt();
    (Some(mean), Some((mean - half, mean + half)))
}

/// One arm's per-replicate results: (final prevalence, target met), `None` if it failed.
pub type ArmRuns = Vec<Option<(f64, bool)>>;

/// Reads per-replicate results of each arm from a comparison's `runs.csv` (columns
/// `run,arm,replicate,seed,baseline_prevalence,final_prevalence,relative_reduction,target_met,...,error`).
pub fn read_arms(path: &Path, arms: usize, replicates: u32) -> Result<Vec<ArmRuns>, OutputError> {
    let mut out = vec![vec![None; replicates as usize]; arms];
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| OutputError::invalid(path, e.to_string()))?;
    for (i, rec) in reader.records().enumerate() {
        let r = rec.map_err(|e| OutputError::invalid(path, e.to_string()))?;
        let (arm, rep) = (i / replicates as usize, i % replicates as usize);
        let failed = !r.get(r.len().saturating_sub(1)).unwrap_or("").is_empty();
        let value = match (failed, r.get(5).and_then(|v| v.parse::<f64>().ok())) {
            (false, Some(f)) => Some((f, r.get(7) == Some("true"))),
            _ => None,
        };
        if let Some(slot) = out.get_mut(arm).and_then(|a| a.get_mut(rep)) {
            *slot = value;
        }
    }
    Ok(out)
}

/// Writes `paired.csv` (arms after the first against the first); returns its SHA-256.
pub fn write_paired(dir: &Path, names: &[String], arms: &[ArmRuns]) -> Result<String, OutputError> {
    use std::io::Write;
    let path = dir.join(PAIRED_CSV);
    let io = |e| OutputError::io(&path, e);
    let mut f = crate::output::atomic::AtomicFile::create(&path).map_err(io)?;
    let mut text = String::from(
        "arm,baseline_arm,n,final_prevalence_diff,final_prevalence_ci_low,final_prevalence_ci_high,\
         target_met_diff,target_met_ci_low,target_met_ci_high\n",
    );
    let (Some(base), Some(base_name)) = (arms.first(), names.first()) else {
        return Err(OutputError::invalid(&path, "no arms"));
    };
    for (arm, name) in arms.iter().zip(names).skip(1) {
        let pairs: Vec<((f64, bool), (f64, bool))> = arm
            .iter()
            .zip(base)
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .collect();
        let dp: Vec<f64> = pairs.iter().map(|(a, b)| a.0 - b.0).collect();
        let dm: Vec<f64> = pairs
            .iter()
            .map(|(a, b)| a.1 as u8 as f64 - b.1 as u8 as f64)
            .collect();
        let (mp, cp) = interval(&dp, t975);
        let (mm, cm) = interval(&dm, |_| 1.959_963_984_540_054);
        let cm = cm.map(|(lo, hi)| (lo.max(-1.0), hi.min(1.0)));
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let _ = w.write_record([
            name.clone(),
            base_name.clone(),
            pairs.len().to_string(),
            opt_float(mp),
            opt_float(cp.map(|c| c.0)),
            opt_float(cp.map(|c| c.1)),
            opt_float(mm),
            opt_float(cm.map(|c| c.0)),
            opt_float(cm.map(|c| c.1)),
        ]);
        text.push_str(&String::from_utf8_lossy(
            &w.into_inner().unwrap_or_default(),
        ));
    }
    f.write_all(text.as_bytes()).map_err(io)?;
    f.commit().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Standard two-sided 95% t table values.
        for (df, t) in [
            (1, 12.706),
            (2, 4.303),
            (3, 3.182),
            (4, 2.776),
            (9, 2.262),
            (30, 2.042),
        ] {
            assert!((t975(df) - t).abs() < 2e-3, "df {df}: {}", t975(df));
        }
    }

    #[test]
    fn arms_parse_into_overrides() {
        let (n, s) = parse_arm("more:practices[0].effect=0.2,seed=3").unwrap();
        assert_eq!(n, "more");
        assert_eq!(
            s,
            vec![
                ("practices[0].effect".into(), "0.2".into()),
                ("seed".into(), "3".into())
            ]
        );
        assert_eq!(parse_arm("base:").unwrap().1, vec![]);
        assert!(parse_arm("nocolon").is_err());
        assert!(parse_arm(":a=1").is_err());
    }
}
