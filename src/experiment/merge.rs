//! `changenet merge DIR... --out DIR`: shard folders back into the folder of the whole run.
//!
//! The shards must come from the same tool version, scenario (canonical text digest),
//! seed, replicates and overrides, and their slices must be exactly 0..N of the same N, so
//! that their runs are disjoint and cover the whole list. Tables are concatenated in shard
//! order (shards are contiguous slices, so this is run order); the summary is recomputed
//! from the rows, which hold every value exactly; the manifest is the shards' with the
//! slice removed. The result is byte-identical to the unsharded run. Shards of a sweep or
//! comparison (their manifest records the points) get their summary rebuilt point by
//! point, and the files that need every point (`ranking.txt`, `paired.csv`).

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::points::{point_plans, read_runs, PointSummaries, PointsRecord, TablePaths};
use super::sweep::write_whole_files;
use super::tables::{add_run_row, add_step_row, field, scan, Next};
use crate::output::atomic::AtomicFile;
use crate::output::manifest::{sha256_hex, Manifest};
use crate::output::streams::RowFormatter;
use crate::output::summary::SummaryBuilder;
use crate::output::{OutputError, PLACES_CSV, RUNS_CSV, SUMMARY_CSV, TIMESERIES_CSV};
use crate::scenario::{check_text, ScenarioErrors};

/// Why shards could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The folders given are not the shards of one run.
    #[error("cannot merge: {0}")]
    Mismatch(String),
    #[error("the scenario recorded in the shards is not valid for this version:\n{0}")]
    Scenario(ScenarioErrors),
}

/// What was merged.
#[derive(Debug, Clone)]
pub struct MergeReport {
    pub shards: usize,
    pub runs: u64,
    pub failed: u64,
}

/// Merges the shard folders `dirs` (any order) into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeReport, MergeError> {
    let mismatch = |s: String| MergeError::Mismatch(s);
    let mut shards = Vec::new();
    for d in dirs {
        let m = Manifest::read(d)?;
        let Some(shard) = m.shard else {
            return Err(mismatch(format!(
                "{} is a whole run, not a shard (no shard in its manifest)",
                d.display()
            )));
        };
        shards.push((shard, d.clone(), m));
    }
    shards.sort_by_key(|(s, _, _)| (s.count, s.index));
    let Some((first_shard, first_dir, first)) = shards.first().cloned() else {
        return Err(mismatch("no shard folders given".into()));
    };
    if sha256_hex(&first.scenario) != first.scenario_sha256 {
        return Err(mismatch(format!(
            "{}: recorded scenario does not match its digest",
            first_dir.display()
        )));
    }
    for (k, (s, d, m)) in shards.iter().enumerate() {
        let differ = |what: &str, a: String, b: String| {
            mismatch(format!(
                "{} and {} come from different runs: {what} {a} vs {b}",
                first_dir.display(),
                d.display()
            ))
        };
        if m.version != first.version || m.tool != first.tool {
            return Err(differ("version", first.version.clone(), m.version.clone()));
        }
        if m.seed != first.seed {
            return Err(differ("seed", first.seed.to_string(), m.seed.to_string()));
        }
        if m.replicates != first.replicates {
            return Err(differ(
                "replicates",
                first.replicates.to_string(),
                m.replicates.to_string(),
            ));
        }
        // Seed and replicates are part of the scenario text: named first, as the likelier slip.
        if m.scenario_sha256 != first.scenario_sha256 || m.scenario != first.scenario {
            return Err(differ(
                "scenario digest",
                first.scenario_sha256.clone(),
                m.scenario_sha256.clone(),
            ));
        }
        if m.overrides != first.overrides
            || m.scenario_file != first.scenario_file
            || m.scenario_name != first.scenario_name
        {
            return Err(differ(
                "overrides or scenario file",
                format!("{:?}", first.overrides),
                format!("{:?}", m.overrides),
            ));
        }
        if m.points != first.points {
            return Err(differ(
                "points (sweep factors and values, or arms)",
                format!("{:?}", first.points.as_ref().map(|p| p.values.len())),
                format!("{:?}", m.points.as_ref().map(|p| p.values.len())),
            ));
        }
        if s.count != first_shard.count {
            return Err(differ(
                "shard count",
                first_shard.count.to_string(),
                s.count.to_string(),
            ));
        }
        if s.index as usize != k {
            let what = if (s.index as usize) < k {
                "appears twice (overlapping runs)"
            } else {
                "is missing"
            };
            return Err(mismatch(format!(
                "shard {}/{} {what}; give all {} shards once each",
                k.min(s.index as usize),
                s.count,
                s.count
            )));
        }
    }
    if shards.len() != first_shard.count as usize {
        return Err(mismatch(format!(
            "shard {}/{} is missing; give all {} shards once each",
            shards.len(),
            first_shard.count,
            first_shard.count
        )));
    }
    let base = match &first.scenario_file {
        Some(f) => Path::new(f)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        None => PathBuf::from("."),
    };
    let plan = check_text("manifest.json (scenario)", &first.scenario, &base, &[])
        .map_err(MergeError::Scenario)?;
    std::fs::create_dir_all(out).map_err(|e| OutputError::io(out, e))?;
    carry_design(&shards, out)?;
    if let Some(record) = first.points.clone() {
        return merge_points(&shards, out, first, &base, record);
    }
    let rows = RowFormatter::new(&plan);
    let (runs_header, ts_header, places_header) = rows.headers();
    let mut summary = SummaryBuilder::new(&plan);
    std::fs::create_dir_all(out).map_err(|e| OutputError::io(out, e))?;
    let mut files = std::collections::BTreeMap::new();
    // runs.csv first: it tells which runs failed, which the summary of the steps needs.
    let mut ok_runs = Vec::new();
    let mut next_run = 0u64;
    let mut failed = 0;
    let runs_digest = concat(&shards, out, RUNS_CSV, &runs_header, |path, r| {
        let run: u64 = field(path, r, 0)?;
        if run != next_run {
            return Err(OutputError::invalid(
                path,
                format!("run {run} where run {next_run} was expected"),
            ));
        }
        next_run += 1;
        let ok = add_run_row(path, r, &mut summary)?;
        failed += !ok as u64;
        ok_runs.push(ok);
        Ok(())
    })?;
    if next_run != first.replicates as u64 {
        return Err(mismatch(format!(
            "the shards hold {next_run} runs, the run has {}",
            first.replicates
        )));
    }
    files.insert(RUNS_CSV.to_string(), runs_digest);
    let mut scratch = Vec::new();
    let ts = concat(&shards, out, TIMESERIES_CSV, &ts_header, |path, r| {
        let run: u64 = field(path, r, 0)?;
        if ok_runs.get(run as usize) == Some(&true) {
            add_step_row(path, r, &mut summary, &mut scratch)?;
        }
        Ok(())
    })?;
    files.insert(TIMESERIES_CSV.to_string(), ts);
    if let Some(h) = places_header {
        let p = concat(&shards, out, PLACES_CSV, &h, |_, _| Ok(()))?;
        files.insert(PLACES_CSV.to_string(), p);
    }
    files.insert(SUMMARY_CSV.to_string(), summary.write(out)?);
    let manifest = Manifest {
        failed_runs: failed,
        files,
        shard: None,
        ..first
    };
    manifest.write(out)?;
    Ok(MergeReport {
        shards: shards.len(),
        runs: next_run,
        failed,
    })
}

/// Copies a sensitivity study's design (`sensitivity.json`, written by every shard) into the
/// merged folder, so the indices can be computed from it; the shards must agree on it.
fn carry_design(
    shards: &[(super::Shard, PathBuf, Manifest)],
    out: &Path,
) -> Result<(), MergeError> {
    let name = crate::sensitivity::study::DESIGN_JSON;
    let mut design: Option<(PathBuf, Vec<u8>)> = None;
    for (_, d, _) in shards {
        let path = d.join(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(OutputError::io(&path, e).into()),
        };
        match (&design, bytes) {
            (None, Some(b)) if d == &shards[0].1 => design = Some((path, b)),
            (Some((_, first)), Some(b)) if *first == b => {}
            (None, None) => {}
            _ => {
                return Err(MergeError::Mismatch(format!(
                    "{}: the shards do not all hold the same {name}",
                    d.display()
                )))
            }
        }
    }
    if let Some((_, bytes)) = design {
        let path = out.join(name);
        let io = |e| OutputError::io(&path, e);
        let mut file = AtomicFile::create(&path).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.commit().map_err(io)?;
    }
    Ok(())
}

/// Merges the shards of a sweep or comparison: tables concatenated, then read back run by
/// run into the summary (one point at a time), then the files of a whole experiment.
fn merge_points(
    shards: &[(super::Shard, PathBuf, Manifest)],
    out: &Path,
    first: Manifest,
    base: &Path,
    record: PointsRecord,
) -> Result<MergeReport, MergeError> {
    let label = "manifest.json (scenario)";
    let (base_plan, plans) = point_plans(
        &record,
        label,
        &first.scenario,
        base,
        first.seed,
        first.replicates,
    )
    .map_err(MergeError::Scenario)?;
    let rows = RowFormatter::new(&base_plan).with_factors(&record.factors);
    let (runs_header, ts_header, places_header) = rows.headers();
    let total = plans.len() as u64 * first.replicates as u64;
    std::fs::create_dir_all(out).map_err(|e| OutputError::io(out, e))?;
    let mut files = std::collections::BTreeMap::new();
    let mut next_run = 0u64;
    let runs_digest = concat(shards, out, RUNS_CSV, &runs_header, |path, r| {
        let run: u64 = field(path, r, 0)?;
        if run != next_run {
            return Err(OutputError::invalid(
                path,
                format!("run {run} where run {next_run} was expected"),
            ));
        }
        next_run += 1;
        Ok(())
    })?;
    if next_run != total {
        return Err(MergeError::Mismatch(format!(
            "the shards hold {next_run} runs, the experiment has {total}"
        )));
    }
    files.insert(RUNS_CSV.to_string(), runs_digest);
    let ts = concat(shards, out, TIMESERIES_CSV, &ts_header, |_, _| Ok(()))?;
    files.insert(TIMESERIES_CSV.to_string(), ts);
    if let Some(h) = &places_header {
        let p = concat(shards, out, PLACES_CSV, h, |_, _| Ok(()))?;
        files.insert(PLACES_CSV.to_string(), p);
    }
    let mut sums = PointSummaries::create(
        out,
        &record.factors,
        &plans,
        &record.values,
        first.replicates,
    )?;
    let paths = TablePaths {
        runs: out.join(RUNS_CSV),
        timeseries: out.join(TIMESERIES_CSV),
        places: places_header.as_ref().map(|_| out.join(PLACES_CSV)),
    };
    let lead = record.factors.len();
    let read = read_runs(&paths, &rows, lead, 0..total, first.seed, &mut sums)?;
    if read.as_ref().map(|r| r.done) != Some(total) {
        return Err(MergeError::Mismatch(
            "the merged tables do not hold every run's rows".into(),
        ));
    }
    let summary = sums.finish()?;
    files.insert(SUMMARY_CSV.to_string(), summary.digest);
    files.extend(write_whole_files(
        out,
        &record,
        first.replicates,
        &summary.results,
    )?);
    let manifest = Manifest {
        failed_runs: summary.failed,
        files,
        shard: None,
        ..first
    };
    manifest.write(out)?;
    Ok(MergeReport {
        shards: shards.len(),
        runs: next_run,
        failed: summary.failed,
    })
}

/// Writes `out/name` from the header and the rows of each shard's `name`, calling `row`
/// on every row; returns the SHA-256 of the file written.
fn concat(
    shards: &[(super::Shard, PathBuf, Manifest)],
    out: &Path,
    name: &str,
    header: &[u8],
    mut row: impl FnMut(&Path, &csv::StringRecord) -> Result<(), OutputError>,
) -> Result<String, OutputError> {
    let path = out.join(name);
    let io = |e| OutputError::io(&path, e);
    let mut file = AtomicFile::create(&path).map_err(io)?;
    file.write_all(header).map_err(io)?;
    for (_, dir, _) in shards {
        let input = dir.join(name);
        let kept = scan(&input, header, |r| row(&input, r).map(|()| Next::Continue))?.ok_or_else(
            || OutputError::invalid(&input, "missing, or its header is not this run's"),
        )?;
        let len = std::fs::metadata(&input)
            .map_err(|e| OutputError::io(&input, e))?
            .len();
        if kept != len {
            return Err(OutputError::invalid(&input, "ends with an incomplete row"));
        }
        let mut reader =
            BufReader::new(File::open(&input).map_err(|e| OutputError::io(&input, e))?);
        let mut skip = Vec::new();
        reader
            .read_until(b'\n', &mut skip)
            .map_err(|e| OutputError::io(&input, e))?;
        std::io::copy(&mut reader, &mut file).map_err(io)?;
    }
    file.commit().map_err(io)
}
