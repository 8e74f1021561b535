//! The committed seed baseline reports are current: rerunning the default pipeline and
//! `eval stance` reproduces `eval/reports/missile-shield/` byte for byte, so a change in a model,
//! a rule or a metric cannot land without regenerating them (`scripts/regenerate_reports.sh`).

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stancer(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stancer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn seed_reports_match_the_committed_baselines() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let reports = dir.path().join("reports");
    stancer(&["run", "--quiet", "--out", run.to_str().unwrap()]);
    stancer(&[
        "eval",
        "stance",
        "--predictions",
        run.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
    ]);
    for classifier in ["missile-shield-exemplars", "semeval-sentiment"] {
        for file in ["report.json", "report.md", "report.html"] {
            let rel = format!("missile-shield/{classifier}/{file}");
            let fresh = std::fs::read(reports.join(&rel)).unwrap();
            let committed = std::fs::read(root().join("eval/reports").join(&rel)).unwrap();
            assert!(
                fresh == committed,
                "eval/reports/{rel} is out of date: run scripts/regenerate_reports.sh and commit"
            );
        }
    }
}
