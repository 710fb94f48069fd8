//! report.html loads in headless Chromium and takes a screenshot. Chromium is required:
//! without it this test FAILS unless CHANGENET_SKIP_BROWSER=1 is set, so it never passes
//! silently; `.ci/run` installs Debian's `chromium` package first.

mod common;

use std::path::Path;
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn headless(browser: &str, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,3000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn report_loads_in_headless_chromium_and_takes_a_screenshot() {
    let Some(browser) = chromium() else {
        if std::env::var("CHANGENET_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("SKIPPED: chromium not found and CHANGENET_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromium is not installed, so report.html cannot be checked in a browser. \
             Install it (apt-get install chromium; .ci/run does) or set \
             CHANGENET_SKIP_BROWSER=1 to skip this check knowingly."
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    common::run_small(&out, 2, 2).success();
    let page = format!("file://{}", out.join("report.html").display());

    // The DOM after loading: the page parsed and its answer and plots are there.
    let dom = headless(browser, &dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("id=\"answer\""),
        "answer missing from the loaded page"
    );
    assert!(dom.contains("Under this scenario"), "headline missing");
    assert_eq!(
        dom.matches("<svg").count(),
        5,
        "plots missing from the loaded page"
    );

    let shot = dir.path().join("report.png");
    let run = headless(browser, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = std::fs::read(&shot).expect("no screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot is not a PNG"
    );
    // A blank 1200x3000 page compresses to a few KB; plots make it far larger.
    assert!(
        png.len() > 50_000,
        "screenshot only {} bytes: blank page?",
        png.len()
    );
}
