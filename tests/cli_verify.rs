//! `changenet verify`: a fresh result folder verifies; an edited one fails naming the file
//! and the row.

mod common;

use common::*;

#[test]
fn fresh_output_verifies_and_an_edited_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out, 2, 2).success();
    changenet()
        .args(["verify", "--quiet"])
        .arg(&out)
        .assert()
        .code(0);

    // Change one byte of the third line of timeseries.csv (the first step of run 0).
    let path = out.join("timeseries.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let line_start = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap();
    let last = line_start
        + bytes[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap()
        - 1;
    bytes[last] = if bytes[last] == b'7' { b'8' } else { b'7' };
    std::fs::write(&path, bytes).unwrap();

    let result = changenet()
        .args(["verify", "-q"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("timeseries.csv"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}
