//! Every shipped classic scenario (scenarios/classic/*.ron) checks cleanly: it parses,
//! validates and resolves into a plan, so `changenet` can run it as documented.

mod validation_common;

#[test]
fn every_classic_scenario_checks() {
    let dir = validation_common::repo_path("scenarios/classic");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for f in &files {
        if let Err(e) = changenet::scenario::check_file(f, &[]) {
            panic!("{}: {e}", f.display());
        }
    }
}
