//! `analyse` end to end on the small fixture network: files written, numbers checked by
//! hand, output identical between runs.

use std::path::{Path, PathBuf};

use changenet::analyse::{analyse, AnalyseOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/networks")
        .join(name)
}

#[test]
fn analyse_writes_report_nodes_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = AnalyseOptions::new(fixture("edges.csv"), dir.path().join("out"));
    opts.nodes = Some(fixture("nodes.csv"));
    let s = analyse(&opts).unwrap();
    assert_eq!((s.organisations, s.ties, s.isolates), (10, 11, 1));
    assert_eq!((s.components, s.largest_component), (2, 9));
    assert!((s.density - 11.0 / 45.0).abs() < 1e-12);
    // One triangle (trust_a, gp_1, gp_2); ap_north bridges North and South.
    assert_eq!(s.top_brokers[0].id, "ap_north");
    let places = s.places.as_ref().unwrap();
    // Cross-place ties: ap_north(N)-council_s(S) only.
    assert_eq!((places.external, places.internal), (1, 10));
    assert!((places.ei_index - (-9.0 / 11.0)).abs() < 1e-12);
    let kinds = s.kinds.as_ref().unwrap();
    assert_eq!(kinds.external + kinds.internal, 11);
    assert_eq!(kinds.internal, 1, "only gp_1-gp_2 joins the same kind");
    let out = dir.path().join("out");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("10 organisations") && report.contains("11 ties"));
    assert!(report.contains("Ties across places"));
    let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    assert_eq!(nodes.lines().count(), 11);
    assert!(nodes.starts_with("id,kind,place,degree,component,clustering,betweenness"));
    assert!(
        nodes.contains("lonely,Charity,South,0,1,0,0,0,,,,"),
        "{nodes}"
    );
    // ties.csv: the 11 ties, each once, lower-numbered organisation (node-table row) first.
    let ties = std::fs::read_to_string(out.join("ties.csv")).unwrap();
    assert_eq!(ties.lines().count(), 12, "{ties}");
    assert!(ties.starts_with("source,target\ntrust_a,gp_1\n"), "{ties}");
    assert!(
        !ties.contains("lonely") && ties.contains("\ncouncil_s,club_1\n"),
        "{ties}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["ties"], 11);
    assert!(!out.join(".report.md.tmp").exists());
    // Deterministic: a second run writes the same bytes.
    let again = dir.path().join("again");
    opts.out = again.clone();
    analyse(&opts).unwrap();
    for f in ["report.md", "nodes.csv", "ties.csv", "summary.json"] {
        let a = std::fs::read(out.join(f)).unwrap();
        let b = std::fs::read(again.join(f)).unwrap();
        assert!(a == b, "{f} differs between runs");
    }
}

#[test]
fn analyse_with_attendance_and_without_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = AnalyseOptions::new(fixture("edges.csv"), dir.path());
    opts.attendance = Some(fixture("attendance.csv"));
    let s = analyse(&opts).unwrap();
    // Without a node table the isolate is unknown: 9 organisations. Attendance adds 6
    // pairs, of which council_s-club_1 and trust_a-gp_2 already exist (weights added).
    assert_eq!(s.organisations, 9);
    assert_eq!(s.ties, 11 + 4);
    assert!(s.warnings.iter().any(|w| w.contains("weights were added")));
    assert!(s.kinds.is_none());
    let e = analyse(&AnalyseOptions::new(fixture("missing.csv"), dir.path())).unwrap_err();
    assert!(e.to_string().contains("missing.csv"));
}
