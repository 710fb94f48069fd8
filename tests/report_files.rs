//! Reports from result files: the SVGs and report.html are well-formed XML, draw the series
//! in the files (checked against hand-computed medians), and the headline quotes summary.csv.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use changenet::output::manifest::{sha256_hex, Manifest};
use changenet::report::write_report;
use common::{answer, changenet, run_small, write, TINY};

/// A hand-made result folder: two runs, three monthly steps, one practice.
fn fixture(dir: &Path, target_met: &str, year: &str) {
    write(
        dir,
        "timeseries.csv",
        "run,step,date,prevalence,inactive,trialling_walking,embedded_walking,\
         discontinued_walking,trained,active_improvers,mean_commitment,members,ties\n\
         0,0,2015-12,0.3,300,0,0,0,0,0,0.5,10,20\n\
         0,1,2016-01,0.28,280,2,0,0,4,1,0.6,10,20\n\
         0,2,2016-02,0.26,260,2,1,0,4,3,0.7,9,20\n\
         1,0,2015-12,0.3,300,0,0,0,0,0,0.5,10,20\n\
         1,1,2016-01,0.29,290,4,0,0,4,2,0.4,10,20\n\
         1,2,2016-02,0.25,250,3,2,0,4,5,0.3,8,20\n",
    );
    write(
        dir,
        "summary.csv",
        format!(
            "metric,date,n,mean,sd,p5,p50,p95,ci_low,ci_high\n\
             prevalence,2016-02,2,0.255,0.007071067811865481,0.2505,0.255,0.2595,,\n\
             baseline_prevalence,,2,0.29,0,0.29,0.29,0.29,,\n\
             {target_met}\n{year}\n"
        ),
    );
    Manifest {
        tool: "changenet".into(),
        version: "0.1.0".into(),
        scenario_name: "tiny <&> test".into(),
        scenario_file: Some("tiny.ron".into()),
        scenario_sha256: sha256_hex(TINY),
        seed: 7,
        replicates: 2,
        overrides: vec![],
        failed_runs: 0,
        shard: None,
        points: None,
        files: BTreeMap::new(),
        scenario: TINY.replace("2017),", "2016),\n    outcome: (observed: [(from: \"2016-01\", to: \"2016-02\", prevalence: 0.27, label: \"Survey <2016>\")]),"),
    }
    .write(dir)
    .unwrap();
}

fn attr<'a>(doc: &'a roxmltree::Document, series: &str, name: &str) -> &'a str {
    doc.descendants()
        .find(|n| n.attribute("data-series") == Some(series))
        .unwrap_or_else(|| panic!("no series {series:?}"))
        .attribute(name)
        .unwrap_or_else(|| panic!("series {series:?} has no {name}"))
}

#[test]
fn plots_draw_the_medians_and_bands_of_the_time_series() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "target_met,,2,0.5,0.7071067811865476,,,,0.09452865480086611,0.905471345199134",
        "target_year_reached,,1,2016,,2016,2016,2016,,",
    );
    let written = write_report(dir.path()).unwrap();
    assert_eq!(written.plots.len(), 5);
    for p in &written.plots {
        let text = std::fs::read_to_string(p).unwrap();
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let text = std::fs::read_to_string(dir.path().join("plots/prevalence.svg")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    // Medians of (0.3, 0.3), (0.28, 0.29), (0.26, 0.25); 5% and 95% interpolate (type 7).
    assert_eq!(attr(&doc, "simulated: median", "data-points"), "3");
    assert_eq!(
        attr(&doc, "simulated: median", "data-values"),
        "0.3 0.28500000000000003 0.255"
    );
    assert_eq!(
        attr(&doc, "simulated: 90% of runs", "data-low"),
        "0.3 0.2805 0.2505"
    );
    assert_eq!(attr(&doc, "baseline (mean of runs)", "data-value"), "0.29");
    // Target level: 15% below the mean baseline.
    let level: f64 = attr(&doc, "target level", "data-value").parse().unwrap();
    assert!((level - 0.29 * 0.85).abs() < 1e-12);
    assert_eq!(attr(&doc, "observed", "data-value"), "0.27");
    // The first median point sits where the plot's mapping puts 0.3 (30%).
    let plot = doc
        .descendants()
        .find(|n| n.has_tag_name("g") && n.attribute("class") == Some("plot"))
        .unwrap();
    let f = |a: &str| plot.attribute(a).unwrap().parse::<f64>().unwrap();
    let expect_y = f("data-top") + f("data-height")
        - (30.0 - f("data-y0")) / (f("data-y1") - f("data-y0")) * f("data-height");
    let points = attr(&doc, "simulated: median", "points");
    let first_y: f64 = points.split([',', ' ']).nth(1).unwrap().parse().unwrap();
    assert!((first_y - expect_y).abs() < 0.01, "{first_y} vs {expect_y}");
    assert_eq!(plot.attribute("data-x0"), Some("2015-12"));
    // Adoption: median trialling (0, 3, 2.5) and embedded (0, 0, 1.5) of the one practice.
    let text = std::fs::read_to_string(dir.path().join("plots/adoption.svg")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(attr(&doc, "walking: trialling", "data-values"), "0 3 2.5");
    assert_eq!(attr(&doc, "walking: embedded", "data-values"), "0 0 1.5");
    let text = std::fs::read_to_string(dir.path().join("plots/members.svg")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(attr(&doc, "median", "data-values"), "10 10 8.5");
}

#[test]
fn the_headline_quotes_summary_csv() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "target_met,,2,0.5,0.7071067811865476,,,,0.09452865480086611,0.905471345199134",
        "target_year_reached,,1,2016,,2016,2016,2016,,",
    );
    write_report(dir.path()).unwrap();
    let (text, attrs) = answer(dir.path());
    assert_eq!(attrs["data-p"], "0.5");
    assert_eq!(attrs["data-ci-low"], "0.09452865480086611");
    assert_eq!(attrs["data-median-year"], "2016");
    assert_eq!(
        text,
        "Under this scenario the 15% target (inactivity 15% below its 2016 level by 2016) is \
         met in 50% of 2 runs (95% interval 9–91%); median year 2016."
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    // Text from files is escaped; sources of observed data are shown.
    assert!(html.contains("tiny &lt;&amp;&gt; test"));
    assert!(html.contains("Survey &lt;2016&gt;"));
    assert_eq!(html.matches("<svg ").count(), 5);

    fixture(
        dir.path(),
        "target_met,,2,0,0,0,0,0,0,0.6576150265599363",
        "target_year_reached,,0,,,,,,,",
    );
    write_report(dir.path()).unwrap();
    let (text, _) = answer(dir.path());
    assert!(
        text.ends_with("is not met in any of the 2 runs (95% interval 0–66%)."),
        "{text}"
    );
}

#[test]
fn run_writes_the_report_unless_told_not_to_and_report_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out, 2, 2).success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let met: Vec<&str> = summary
        .lines()
        .find(|l| l.starts_with("target_met,"))
        .unwrap()
        .split(',')
        .collect();
    let (_, attrs) = answer(&out);
    assert_eq!(attrs["data-n"], met[2]);
    assert_eq!(attrs["data-p"], met[3]);
    assert_eq!(attrs["data-ci-low"], met[8]);
    assert_eq!(attrs["data-ci-high"], met[9]);
    for plot in [
        "prevalence",
        "adoption",
        "improvers",
        "commitment",
        "members",
    ] {
        assert!(out.join(format!("plots/{plot}.svg")).is_file(), "{plot}");
    }
    // Rebuilt from the files alone, it is the same page.
    let before = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    changenet().arg("report").arg(&out).assert().success();
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), before);

    let bare = dir.path().join("bare");
    run_small(&bare, 1, 1).success();
    assert!(bare.join("report.html").is_file());
    std::fs::remove_file(bare.join("report.html")).unwrap();
    changenet()
        .arg("run")
        .arg(common::small_ron())
        .args(["-r", "1", "-q", "--no-report", "--out"])
        .arg(&bare)
        .assert()
        .success();
    assert!(!bare.join("report.html").exists());
    // Not a result folder: invalid input.
    changenet().arg("report").arg(dir.path()).assert().code(2);
}

#[test]
fn malformed_files_are_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "target_met,,0,,,,,,,",
        "target_year_reached,,0,,,,,,,",
    );
    for (name, text, says) in [
        (
            "timeseries.csv",
            "run,step,date\n0,0,2016-01\n",
            "no prevalence column",
        ),
        (
            "timeseries.csv",
            "run,step,date,prevalence\n0,x,2016-01,0.3\n",
            "line 2",
        ),
        (
            "timeseries.csv",
            "run,step,date,prevalence\n0,0,2016-13,0.3\n",
            "month must be",
        ),
        ("summary.csv", "metric,n\n", "expected metric,date"),
    ] {
        fixture(
            dir.path(),
            "target_met,,0,,,,,,,",
            "target_year_reached,,0,,,,,,,",
        );
        write(dir.path(), name, text);
        let err = write_report(dir.path()).unwrap_err().to_string();
        assert!(err.contains(says), "{err}");
    }
    // No finished run: the page says so instead of quoting numbers.
    fixture(
        dir.path(),
        "target_met,,0,,,,,,,",
        "target_year_reached,,0,,,,,,,",
    );
    write_report(dir.path()).unwrap();
    assert!(answer(dir.path()).0.starts_with("No run finished"));
}

/// The parameter table names each section's source from the scenario's `sources`, the
/// most specific entry first (`practices[0]` before `practices`).
#[test]
fn parameter_table_shows_the_scenarios_sources() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::small_ron()).unwrap();
    let end = text.trim_end().strip_suffix(')').unwrap().trim_end();
    let comma = if end.ends_with(',') { "" } else { "," };
    let with_sources = format!(
        "{end}{comma}\n    sources: {{\"training\": \"assumption\", \"practices[0]\": \"Orrow et al. 2012\", \"practices\": \"guessed\"}},\n)\n"
    );
    let scenario = dir.path().join("cited.ron");
    std::fs::write(&scenario, with_sources).unwrap();
    let out = dir.path().join("out");
    changenet()
        .arg("run")
        .arg(&scenario)
        .args(["-r", "1", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let table = &html[html.find("id=\"parameters\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let row = |name: &str| {
        table
            .split("<tr>")
            .find(|r| r.starts_with(&format!("<td>{name}")))
            .unwrap_or_else(|| panic!("no row {name} in {table}"))
            .to_string()
    };
    assert!(
        row("Training").ends_with("<td>assumption</td></tr>\n"),
        "{}",
        row("Training")
    );
    let practices: Vec<&str> = table
        .split("<tr>")
        .filter(|r| r.starts_with("<td>Practice "))
        .collect();
    assert!(practices.len() >= 2, "{table}");
    assert!(
        practices[0].contains("<td>Orrow et al. 2012</td>"),
        "{}",
        practices[0]
    );
    assert!(
        practices[1].contains("<td>guessed</td>"),
        "{}",
        practices[1]
    );
    assert!(
        row("Commitment").contains("<td>scenario</td>"),
        "{}",
        row("Commitment")
    );
}
