//! `changenet validate`: valid files pass; each kind of bad input exits 2 with a message
//! that names the file, the line and the field.

mod common;

use common::*;

#[test]
fn valid_files_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = write(dir.path(), "tiny.ron", TINY);
    changenet()
        .arg("validate")
        .arg(&tiny)
        .arg(small_ron())
        .assert()
        .code(0);
}

/// Runs `validate` on `text` and returns stderr, asserting exit 2 and no panic.
fn invalid(name: &str, text: impl AsRef<[u8]>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let out = changenet().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{name}");
    assert_no_panic(&out.stderr);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn syntax_error_names_its_line() {
    let text = TINY.replace("population: 1000.0", "population 1000.0");
    let err = invalid("syntax.ron", text);
    assert!(err.contains("syntax.ron:5:"), "{err}");
}

#[test]
fn unknown_field_names_its_line_and_field() {
    let text = TINY.replace("replicates: 2", "replicatez: 2");
    let err = invalid("unknown.ron", text);
    assert!(err.contains("unknown.ron:3:"), "{err}");
    assert!(err.contains("replicatez"), "{err}");
}

#[test]
fn out_of_range_value_names_its_line_and_field() {
    let text = TINY.replace("inactive_prevalence: 0.3", "inactive_prevalence: 1.7");
    let err = invalid("range.ron", text);
    assert!(err.contains("range.ron:5:"), "{err}");
    assert!(err.contains("places[0].inactive_prevalence"), "{err}");
}

#[test]
fn dangling_reference_names_its_line_and_field() {
    let text = TINY.replace("place: \"north\"", "place: \"nowhere\"");
    let err = invalid("dangling.ron", text);
    assert!(err.contains("dangling.ron:7:"), "{err}");
    assert!(err.contains(".place"), "{err}");
    assert!(err.contains("nowhere"), "{err}");
}

#[test]
fn empty_file_is_invalid() {
    let err = invalid("empty.ron", "");
    assert!(err.contains("empty.ron:1:"), "{err}");
}

#[test]
fn binary_garbage_is_invalid() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let err = invalid("garbage.ron", garbage);
    assert!(err.contains("garbage.ron:1:"), "{err}");
}

#[test]
fn every_file_is_checked_and_all_errors_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.ron", TINY);
    let bad1 = write(dir.path(), "bad1.ron", "");
    let bad2 = write(
        dir.path(),
        "bad2.ron",
        TINY.replace("replicates: 2", "replicatez: 2"),
    );
    let out = changenet()
        .arg("validate")
        .args([&bad1, &good, &bad2])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad1.ron:") && err.contains("bad2.ron:"),
        "{err}"
    );
    assert!(err.contains("2 of 3"), "{err}");
}
