//! Finding where two result files first differ, line by line, for `verify`'s message.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// The first line at which two files differ; `None` on a side means it had ended.
#[derive(Debug, Clone, PartialEq)]
pub struct LineDifference {
    /// 1-based line number (line 1 is the header of a CSV).
    pub line: u64,
    pub expected: Option<String>,
    pub found: Option<String>,
}

/// Compares two files line by line; `None` when their bytes are identical.
pub fn first_difference(expected: &Path, found: &Path) -> io::Result<Option<LineDifference>> {
    let mut a = BufReader::new(File::open(expected)?);
    let mut b = BufReader::new(File::open(found)?);
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    let mut line = 0;
    loop {
        line += 1;
        la.clear();
        lb.clear();
        let na = a.read_until(b'\n', &mut la)?;
        let nb = b.read_until(b'\n', &mut lb)?;
        if na == 0 && nb == 0 {
            return Ok(None);
        }
        if la != lb {
            let show = |n: usize, l: &[u8]| (n > 0).then(|| shown(l));
            return Ok(Some(LineDifference {
                line,
                expected: show(na, &la),
                found: show(nb, &lb),
            }));
        }
    }
}

/// A line as a person should see it: without its newline, cut to a readable length.
fn shown(line: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\n', '\r']);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_differing_line_and_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "h\n1,2\n3,4\n").unwrap();
        std::fs::write(&b, "h\n1,2\n3,5\n").unwrap();
        let d = first_difference(&a, &b).unwrap().unwrap();
        assert_eq!(d.line, 3);
        assert_eq!(d.expected.as_deref(), Some("3,4"));
        assert_eq!(d.found.as_deref(), Some("3,5"));
        std::fs::write(&b, "h\n1,2\n").unwrap();
        let d = first_difference(&a, &b).unwrap().unwrap();
        assert_eq!((d.line, d.found), (3, None));
        assert_eq!(first_difference(&a, &a).unwrap(), None);
    }
}
