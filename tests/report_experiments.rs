//! Reports of sweep, compare and analyse folders, end to end through the CLI: each SVG is
//! well-formed and draws the values in the folder's CSV/JSON files (read back from `data-*`
//! attributes), the headline quotes the files, `report DIR` rebuilds the same bytes, and
//! `--no-report` writes none.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{answer, changenet, small_ron};

/// A tiny sweep or comparison of small.ron with a target low enough to be met sometimes.
fn experiment(command: &str, out: &Path, args: &[&str]) {
    changenet()
        .arg(command)
        .arg(small_ron())
        .args([
            "-r",
            "4",
            "-s",
            "5",
            "-q",
            "--set",
            "target.relative_reduction=0.04",
        ])
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn svg(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join("plots").join(format!("{name}.svg"))).unwrap();
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    text
}

/// Elements of class `class` as maps of their `data-*` attributes.
fn elements(text: &str, class: &str) -> Vec<BTreeMap<String, String>> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .map(|n| {
            n.attributes()
                .filter(|a| a.name().starts_with("data-"))
                .map(|a| (a.name()[5..].to_string(), a.value().to_string()))
                .collect()
        })
        .collect()
}

/// summary.csv's `target_met` rows: factor values joined by `|` -> (n, mean, ci_low, ci_high),
/// in file order.
fn target_rows(dir: &Path, factors: usize) -> Vec<(String, [String; 4])> {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[factors] == "target_met")
        .map(|x| {
            let values: Vec<&str> = (0..factors).map(|i| &x[i]).collect();
            let f = |i: usize| x[factors + i].to_string();
            (values.join("|"), [f(2), f(3), f(8), f(9)])
        })
        .collect()
}

/// Checks that the drawn points are exactly summary.csv's, and the answer names the first
/// of the most likely points with its numbers.
fn check_points(dir: &Path, factors: usize, class: &str, svg_text: &str) {
    let rows = target_rows(dir, factors);
    let drawn = elements(svg_text, class);
    assert_eq!(drawn.len(), rows.len(), "{class}: one per point");
    for d in &drawn {
        let k: usize = d["point"].parse().unwrap();
        let (values, [n, p, lo, hi]) = &rows[k];
        assert_eq!(&d["values"], values);
        assert_eq!((&d["n"], &d["p"]), (n, p));
        assert_eq!((&d["ci-low"], &d["ci-high"]), (lo, hi));
    }
    let mut best = 0;
    for (i, r) in rows.iter().enumerate() {
        if r.1[1].parse::<f64>().unwrap() > rows[best].1[1].parse::<f64>().unwrap() {
            best = i;
        }
    }
    let (text, a) = answer(dir);
    assert_eq!(a["data-best-point"], best.to_string());
    assert_eq!(a["data-best-values"], rows[best].0);
    assert_eq!(a["data-p"], rows[best].1[1]);
    assert_eq!(a["data-ci-low"], rows[best].1[2]);
    assert_eq!(a["data-ci-high"], rows[best].1[3]);
    assert!(
        text.starts_with(&format!("Across the {} points", rows.len())),
        "{text}"
    );
}

fn rebuilds_the_same(dir: &Path) {
    let before = std::fs::read(dir.join("report.html")).unwrap();
    std::fs::remove_file(dir.join("report.html")).unwrap();
    changenet().arg("report").arg(dir).assert().success();
    assert_eq!(std::fs::read(dir.join("report.html")).unwrap(), before);
}

#[test]
fn sweep_reports_draw_summary_csv_as_line_heat_map_or_ranked_dots() {
    let tmp = tempfile::tempdir().unwrap();
    // Two factors on a grid: a heat map.
    let grid = tmp.path().join("grid");
    experiment(
        "sweep",
        &grid,
        &[
            "--vary",
            "commitment.erosion=0.1,0.3",
            "--vary",
            "practices[0].effect=0.02,0.08,0.2",
        ],
    );
    let text = svg(&grid, "sweep");
    check_points(&grid, 2, "cell", &text);
    assert!(text.contains("data-scale=\"viridis\""), "heat map legend");
    let html = std::fs::read_to_string(grid.join("report.html")).unwrap();
    assert!(
        html.contains("varied in this sweep"),
        "parameters mark the factors"
    );
    rebuilds_the_same(&grid);

    // One factor: a line with its interval band.
    let line = tmp.path().join("line");
    experiment(
        "sweep",
        &line,
        &["--vary", "commitment.erosion=0.05..0.45", "--points", "3"],
    );
    let text = svg(&line, "sweep");
    check_points(&line, 1, "point", &text);
    let band = &elements(&text, "band")[0];
    let rows = target_rows(&line, 1);
    let lows: Vec<&str> = rows.iter().map(|r| r.1[2].as_str()).collect();
    let as_floats = |s: &str| -> Vec<f64> { s.split(' ').map(|v| v.parse().unwrap()).collect() };
    assert_eq!(
        as_floats(&band["low"]),
        as_floats(&lows.join(" ")),
        "levels are in increasing order, as run"
    );

    // Three factors from a Latin hypercube: ranked dots, best first.
    let lhs = tmp.path().join("lhs");
    experiment(
        "sweep",
        &lhs,
        &[
            "--vary",
            "commitment.erosion=0.05..0.45",
            "--vary",
            "practices[0].effect=0.02..0.2",
            "--vary",
            "outcome.relapse=0.1..0.4",
            "--design",
            "lhs",
            "--points",
            "5",
        ],
    );
    let text = svg(&lhs, "sweep");
    check_points(&lhs, 3, "row", &text);
    let ps: Vec<f64> = elements(&text, "row")
        .iter()
        .map(|r| r["p"].parse().unwrap())
        .collect();
    assert!(ps.windows(2).all(|w| w[0] >= w[1]), "ranked: {ps:?}");

    // --no-report writes none; `report` writes it afterwards.
    let quiet = tmp.path().join("quiet");
    experiment(
        "sweep",
        &quiet,
        &["--vary", "commitment.erosion=0.1,0.3", "--no-report"],
    );
    assert!(!quiet.join("report.html").exists());
    changenet().arg("report").arg(&quiet).assert().success();
    check_points(&quiet, 1, "point", &svg(&quiet, "sweep"));
}

#[test]
fn compare_report_draws_paired_csv_as_forest_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    experiment(
        "compare",
        &out,
        &[
            "--arm",
            "base:",
            "--arm",
            "more:practices[0].effect=0.2",
            "--arm",
            "less:practices[0].effect=0.01",
        ],
    );
    let mut r = csv::Reader::from_path(out.join("paired.csv")).unwrap();
    let paired: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(paired.len(), 2);
    for (name, at) in [("paired_prevalence", 3), ("paired_target", 6)] {
        let text = svg(&out, name);
        let rows = elements(&text, "row");
        assert_eq!(rows.len(), 2);
        for (row, p) in rows.iter().zip(&paired) {
            assert_eq!(row["arm"], p[0]);
            assert_eq!(row["n"], p[2]);
            assert_eq!(
                [&row["diff"], &row["ci-low"], &row["ci-high"]],
                [&p[at], &p[at + 1], &p[at + 2]]
            );
        }
        assert_eq!(elements(&text, "reference").len(), 1, "zero line");
    }
    // The headline names the arm with the lowest mean difference in final prevalence.
    let best = paired
        .iter()
        .min_by(|a, b| {
            a[3].parse::<f64>()
                .unwrap()
                .total_cmp(&b[3].parse::<f64>().unwrap())
        })
        .unwrap();
    let (text, a) = answer(&out);
    assert_eq!(a["data-arm"], best[0]);
    assert_eq!(a["data-prevalence-diff"], best[3]);
    assert_eq!(a["data-prevalence-ci-low"], best[4]);
    assert_eq!(a["data-target-diff"], best[6]);
    let pp = best[3].parse::<f64>().unwrap() * 100.0;
    let shown = format!("{:.2}", pp.abs());
    assert!(
        text.contains(&format!(
            "Of 2 arms compared with base, {} does best",
            best[0]
        )) && text.contains(&shown),
        "{text} should quote {shown}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("arm more: practices[0].effect=0.2"),
        "arms marked in sources"
    );
    rebuilds_the_same(&out);

    // A damaged paired.csv is invalid input, named in the message, not a panic.
    common::write(&out, "paired.csv", "arm,n\nmore,3\n");
    let run = changenet().arg("report").arg(&out).assert().code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(stderr.contains("paired.csv"), "{stderr}");
    common::assert_no_panic(&run.get_output().stderr);
}

fn network_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/networks")
        .join(name)
}

#[test]
fn analyse_report_draws_the_degree_distribution_and_the_network() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("an");
    changenet()
        .arg("analyse")
        .arg(network_fixture("edges.csv"))
        .arg("--nodes")
        .arg(network_fixture("nodes.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    // Degrees of the fixture: four with 3 ties, five with 2, one isolate -> P(D >= 2) = 9/10,
    // P(D >= 3) = 4/10.
    let text = svg(&out, "degree");
    let series = &elements(&text, "series")[0];
    assert_eq!(
        (series["k"].as_str(), series["values"].as_str()),
        ("2 3", "0.9 0.4")
    );
    let plot = &elements(&text, "plot")[0];
    assert_eq!(
        (plot["x-log"].as_str(), plot["y-log"].as_str()),
        ("true", "true")
    );

    let text = svg(&out, "network");
    let nodes = elements(&text, "node");
    assert_eq!(nodes.len(), 10);
    assert_eq!(elements(&text, "ties")[0]["ties"], "11");
    let mut table = csv::Reader::from_path(out.join("nodes.csv")).unwrap();
    let kinds: BTreeMap<String, (String, String)> = table
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), (r[1].to_string(), r[6].to_string()))
        })
        .collect();
    for n in &nodes {
        assert_eq!(
            (&n["kind"], &n["betweenness"]),
            (&kinds[&n["id"]].0, &kinds[&n["id"]].1)
        );
    }
    // Sized by betweenness: the top broker is drawn largest.
    let doc = roxmltree::Document::parse(&text).unwrap();
    let largest = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("node"))
        .max_by(|a, b| {
            let r = |n: &roxmltree::Node| n.attribute("r").unwrap().parse::<f64>().unwrap();
            r(a).total_cmp(&r(b))
        })
        .unwrap();
    assert_eq!(largest.attribute("data-id"), Some("ap_north"));
    // One legend entry per kind.
    assert_eq!(
        text.matches("<circle cx=").count(),
        6,
        "six kinds in the legend"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let (text, a) = answer(&out);
    assert_eq!(a["data-organisations"], json["organisations"].to_string());
    assert_eq!(a["data-ties"], json["ties"].to_string());
    assert_eq!(a["data-density"], json["density"].to_string());
    assert_eq!(a["data-isolates"], "1");
    assert_eq!(a["data-top-broker"], "ap_north");
    assert!(
        text.starts_with("This network has 10 organisations and 11 ties"),
        "{text}"
    );
    rebuilds_the_same(&out);

    // --no-report: no page; `report` makes it; a folder with neither manifest nor analysis
    // files is still refused.
    let quiet = tmp.path().join("quiet");
    changenet()
        .arg("analyse")
        .arg(network_fixture("edges.csv"))
        .args(["--no-report", "--out"])
        .arg(&quiet)
        .assert()
        .success();
    assert!(!quiet.join("report.html").exists());
    changenet().arg("report").arg(&quiet).assert().success();
    assert_eq!(
        elements(&svg(&quiet, "network"), "node").len(),
        9,
        "lonely is only in nodes.csv"
    );
    // Damaged analysis files are invalid input, not panics.
    for (name, text) in [
        ("ties.csv", "source,target\nnobody,0\n"),
        ("nodes.csv", "id,kind,degree,betweenness\na,b,many,0\n"),
        ("summary.json", "{not json"),
    ] {
        let keep = std::fs::read(quiet.join(name)).unwrap();
        common::write(&quiet, name, text);
        let run = changenet().arg("report").arg(&quiet).assert().code(2);
        common::assert_no_panic(&run.get_output().stderr);
        std::fs::write(quiet.join(name), keep).unwrap();
    }
    changenet().arg("report").arg(tmp.path()).assert().code(2);
}
