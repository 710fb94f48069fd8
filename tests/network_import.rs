//! Import: every error case names its file and line; merges are reported as warnings; the
//! benchmark graphs load with the right counts.

use std::io::Write;
use std::path::{Path, PathBuf};

use changenet::network::import::{
    read_attendance, read_edge_list, read_nodes, read_plain_edges, read_plain_pairs, Ids,
    ImportError,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/networks")
        .join(name)
}

/// Writes `text` to a file named `name` in a fresh temporary folder.
fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    (dir, p)
}

/// Ties as (a, b, weight), warnings and ids.
type Read = (Vec<(u32, u32, f32)>, Vec<String>, Vec<String>);

fn edges(text: &str, directed: bool) -> Result<Read, ImportError> {
    let (_d, p) = file("e.csv", text);
    let mut ids = Ids::open();
    let got = read_edge_list(&p, directed, &mut ids)?;
    Ok((
        got.ties.iter().map(|t| (t.a, t.b, t.weight)).collect(),
        got.warnings,
        ids.names,
    ))
}

#[test]
fn node_table_reads_known_and_extra_columns() {
    let t = read_nodes(&fixture("nodes.csv")).unwrap();
    assert_eq!(t.ids.len(), 10);
    assert_eq!(t.kind.as_ref().unwrap()[2], "GP practice");
    assert_eq!(t.place.as_ref().unwrap()[1], "South");
    assert_eq!(t.staff.as_ref().unwrap()[0], 1200.0);
    assert_eq!(t.catchment.as_ref().unwrap()[5], 400000.0);
    assert_eq!(t.extra[0].0, "website");
    assert_eq!(t.extra[0].1[0], "a.nhs.uk");
}

#[test]
fn node_table_errors_have_lines() {
    let (_d, p) = file("n.csv", "id,kind\na,x\nb,y\na,z\n");
    let e = read_nodes(&p).unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::DuplicateId {
                line: 4,
                first: 2,
                ..
            }
        ),
        "{e}"
    );
    let (_d, p) = file("n.csv", "name,kind\na,x\n");
    let e = read_nodes(&p).unwrap_err();
    assert!(
        matches!(&e, ImportError::MissingColumn { column, .. } if column == "id"),
        "{e}"
    );
    let (_d, p) = file("n.csv", "id,staff\na,10\nb,ten\n");
    let e = read_nodes(&p).unwrap_err();
    assert!(
        matches!(&e, ImportError::BadNumber { line: 3, value, .. } if value == "ten"),
        "{e}"
    );
    assert!(e.to_string().contains("n.csv:3"), "{e}");
    let (_d, p) = file("n.csv", "id,staff\na,10\nb,-1\n");
    assert!(matches!(
        read_nodes(&p).unwrap_err(),
        ImportError::BadNumber { line: 3, .. }
    ));
    let (_d, p) = file("n.csv", "id,kind\na,x\nb\n");
    let e = read_nodes(&p).unwrap_err();
    assert!(matches!(e, ImportError::Malformed { line: 3, .. }), "{e}");
    let (_d, p) = file("n.csv", "id,kind\na,x\nb,\n");
    assert!(matches!(
        read_nodes(&p).unwrap_err(),
        ImportError::Malformed { line: 3, .. }
    ));
    let e = read_nodes(Path::new("/nonexistent/n.csv")).unwrap_err();
    assert!(matches!(e, ImportError::Io { .. }));
}

#[test]
fn edge_list_ids_weights_and_order() {
    let (t, w, names) = edges("Source,Target,Weight\nx,y,2\ny,z,0.5\n", false).unwrap();
    assert_eq!(t, vec![(0, 1, 2.0), (1, 2, 0.5)]);
    assert!(w.is_empty());
    assert_eq!(names, ["x", "y", "z"]);
    let (t, _, _) = edges("source,target\nx,y\n", false).unwrap();
    assert_eq!(t, vec![(0, 1, 1.0)]);
}

#[test]
fn edge_list_merges_are_reported() {
    // Undirected repeat: merged, largest weight, warning names line 4.
    let (t, w, _) = edges("source,target,weight\na,b,1\nb,c,1\nb,a,3\n", false).unwrap();
    assert_eq!(t, vec![(0, 1, 3.0), (1, 2, 1.0)]);
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("lines 4"), "{w:?}");
    // Directed: both directions are one collaboration (a note, not a repeat).
    let (t, w, _) = edges("source,target,weight\na,b,1\nb,a,2\n", true).unwrap();
    assert_eq!(t, vec![(0, 1, 2.0)]);
    assert!(w[0].contains("both directions"), "{w:?}");
    // Directed repeat of the same direction is a repeat.
    let (_, w, _) = edges("source,target\na,b\na,b\n", true).unwrap();
    assert!(w[0].contains("repeat") && w[0].contains("lines 3"), "{w:?}");
    // Self-loop left out with its line.
    let (t, w, _) = edges("source,target\na,a\na,b\n", false).unwrap();
    assert_eq!(t, vec![(0, 1, 1.0)]);
    assert!(
        w[0].contains("self-loop") && w[0].contains("lines 2"),
        "{w:?}"
    );
    // Unused columns are named.
    let (_, w, _) = edges("source,target,note\na,b,hello\n", false).unwrap();
    assert!(w[0].contains("note"), "{w:?}");
    // Per-row type column (Gephi style).
    let (t, w, _) = edges("source,target,type\na,b,Directed\nb,a,directed\n", false).unwrap();
    assert_eq!(t.len(), 1);
    assert!(w[0].contains("both directions"));
}

#[test]
fn edge_list_errors_have_lines() {
    let e = edges("from_org,to_org\na,b\n", false).unwrap_err();
    assert!(
        matches!(&e, ImportError::MissingColumn { column, .. } if column == "source"),
        "{e}"
    );
    let e = edges("source,target,weight\na,b,1\nb,c,heavy\n", false).unwrap_err();
    assert!(matches!(e, ImportError::BadNumber { line: 3, .. }), "{e}");
    let e = edges("source,target,weight\na,b,0\n", false).unwrap_err();
    assert!(matches!(e, ImportError::BadNumber { line: 2, .. }), "{e}");
    let e = edges("source,target,weight\na,b,NaN\n", false).unwrap_err();
    assert!(matches!(e, ImportError::BadNumber { line: 2, .. }), "{e}");
    let e = edges("source,target\na,b\nc\n", false).unwrap_err();
    assert!(matches!(e, ImportError::Malformed { line: 3, .. }), "{e}");
    let e = edges("source,target\na,\n", false).unwrap_err();
    assert!(matches!(e, ImportError::Malformed { line: 2, .. }), "{e}");
    let e = edges("source,target,type\na,b,sideways\n", false).unwrap_err();
    assert!(matches!(e, ImportError::Malformed { line: 2, .. }), "{e}");
    // Unknown id against a node table.
    let table = read_nodes(&fixture("nodes.csv")).unwrap();
    let mut ids = Ids::from_table(&table, "nodes.csv");
    let (_d, p) = file("e.csv", "source,target\ntrust_a,gp_1\ngp_1,mystery\n");
    let e = read_edge_list(&p, false, &mut ids).unwrap_err();
    assert!(
        matches!(&e, ImportError::UnknownId { line: 3, id, .. } if id == "mystery"),
        "{e}"
    );
    assert!(e.to_string().contains("e.csv:3") && e.to_string().contains("nodes.csv"));
}

#[test]
fn attendance_projects_co_attendance() {
    let table = read_nodes(&fixture("nodes.csv")).unwrap();
    let mut ids = Ids::from_table(&table, "nodes.csv");
    let got = read_attendance(&fixture("attendance.csv"), &mut ids).unwrap();
    // summit: trust_a(0), council_s(6), club_1(7); workshop: gp_2(3), gp_3(4), trust_a(0).
    let t: Vec<(u32, u32, f32)> = got.ties.iter().map(|t| (t.a, t.b, t.weight)).collect();
    assert_eq!(
        t,
        vec![
            (0, 3, 1.0),
            (0, 4, 1.0),
            (0, 6, 1.0),
            (0, 7, 1.0),
            (3, 4, 1.0),
            (6, 7, 1.0)
        ]
    );
    assert!(got.warnings.is_empty());
    // Weight = events shared; repeats counted once with a warning; lonely events noted.
    let (_d, p) = file(
        "a.csv",
        "organisation,event\nx,e1\ny,e1\nx,e2\ny,e2\ny,e2\nz,e3\n",
    );
    let mut ids = Ids::open();
    let got = read_attendance(&p, &mut ids).unwrap();
    assert_eq!(got.ties.len(), 1);
    assert_eq!(got.ties[0].weight, 2.0);
    assert!(
        got.warnings.iter().any(|w| w.contains("lines 6")),
        "{:?}",
        got.warnings
    );
    assert!(got
        .warnings
        .iter()
        .any(|w| w.contains("single organisation")));
    let (_d, p) = file("a.csv", "organisation,when\nx,e1\n");
    assert!(matches!(
        read_attendance(&p, &mut Ids::open()).unwrap_err(),
        ImportError::MissingColumn { .. }
    ));
}

#[test]
fn sorted_plain_edges_take_the_fast_path_and_still_catch_repeats() {
    // Sorted by (lower, higher) without repeats: nothing left out.
    let (_d, p) = file("s.edges", "0 1\n0 2\n1 2\n2 4\n");
    let got = read_plain_pairs(&p, Some(5)).unwrap();
    assert_eq!(got.pairs, vec![(0, 1), (0, 2), (1, 2), (2, 4)]);
    assert!(got.warnings.is_empty());
    // Sorted but repeated, or with a self-loop: the slow path finds them.
    for (text, what, kept) in [
        ("0 1\n0 1\n1 2\n", "repeat", vec![(0, 1), (1, 2)]),
        ("0 1\n1 1\n1 2\n", "self-loop", vec![(0, 1), (1, 2)]),
    ] {
        let (_d, p) = file("r.edges", text);
        let got = read_plain_pairs(&p, Some(3)).unwrap();
        assert_eq!(got.pairs, kept, "{text:?}");
        assert!(
            got.warnings
                .iter()
                .any(|w| w.contains(what) && w.contains("lines 2")),
            "{:?}",
            got.warnings
        );
    }
}

#[test]
fn plain_edges_parse_merge_and_errors() {
    let (_d, p) = file("g.edges", "# comment\n0 1\n1 2\r\n\n2 0\n1 0\n3 3\n");
    let got = read_plain_edges(&p, Some(5)).unwrap();
    assert_eq!(got.n, 5);
    let t: Vec<(u32, u32)> = got.ties.iter().map(|t| (t.a, t.b)).collect();
    assert_eq!(t, vec![(0, 1), (1, 2), (2, 0)]);
    assert!(got
        .warnings
        .iter()
        .any(|w| w.contains("self-loop") && w.contains("lines 7")));
    assert!(got
        .warnings
        .iter()
        .any(|w| w.contains("repeat") && w.contains("lines 6")));
    // n from the largest id, with a warning.
    let got = read_plain_edges(&p, None).unwrap();
    assert_eq!(got.n, 4);
    assert!(got.warnings.iter().any(|w| w.contains("largest id")));
    // n from the meta JSON beside the file.
    std::fs::write(p.with_extension("meta.json"), "{\"n\": 9}").unwrap();
    assert_eq!(read_plain_edges(&p, None).unwrap().n, 9);
    for (text, line) in [
        ("0 1\n1 x\n", 2),
        ("0 1\n1\n", 2),
        ("0 1 2\n", 1),
        ("0,1\n", 1),
        ("0 1\n\n99999999999 1\n", 3),
    ] {
        let (_d, p) = file("g.edges", text);
        let e = read_plain_edges(&p, Some(5)).unwrap_err();
        assert!(
            matches!(e, ImportError::Malformed { line: l, .. } if l == line),
            "{text:?}: {e}"
        );
    }
    // A file large enough to be parsed in pieces still reports the line in the whole file.
    let mut big = "1 2\n".repeat(300_000);
    big.push_str("3 x\n");
    let (_d, p) = file("g.edges", &big);
    let e = read_plain_edges(&p, Some(5)).unwrap_err();
    assert!(
        matches!(e, ImportError::Malformed { line: 300_001, .. }),
        "{e}"
    );
    let (_d, p) = file("g.edges", "0 1\n1 7\n");
    let e = read_plain_edges(&p, Some(5)).unwrap_err();
    assert!(matches!(e, ImportError::UnknownId { line: 2, .. }), "{e}");
    let (_d, p) = file("g.edges", "0 1\n");
    std::fs::write(p.with_extension("meta.json"), "{\"m\": 9}").unwrap();
    assert!(matches!(
        read_plain_edges(&p, None).unwrap_err(),
        ImportError::File { .. }
    ));
}

/// The benchmark graphs of ../shared/bench load with the counts of their meta files.
#[test]
fn bench_graphs_load_with_right_counts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/data");
    if !dir.join("ws.edges").exists() {
        // As tests/bench_reference.rs: only an explicit, announced skip (set by .ci/run).
        assert_eq!(
            std::env::var("CHANGENET_SKIP_BENCH_DATA").as_deref(),
            Ok("1"),
            "benchmark data missing: {} (see ../shared/bench/README.md)",
            dir.display()
        );
        eprintln!("SKIPPED: {} not present", dir.display());
        return;
    }
    for (name, n, m, max_degree) in [("ws", 10_000, 50_000, 15), ("ba", 100_000, 499_975, 1525)] {
        let got = read_plain_edges(&dir.join(format!("{name}.edges")), None).unwrap();
        assert_eq!(got.n, n, "{name}");
        assert_eq!(got.ties.len(), m, "{name}");
        assert!(got.warnings.is_empty(), "{name}: {:?}", got.warnings);
        let net = changenet::network::Network::from_ties(got.n, &got.ties, &[], &[]).unwrap();
        assert_eq!(
            (0..n).map(|i| net.degree(i)).max(),
            Some(max_degree),
            "{name}"
        );
    }
}
