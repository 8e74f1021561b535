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

/// `fresh` equals `committed` but for numbers within 1e-5 (relative to 1 or their size) and the
/// hash of the predictions file, whose bytes carry those numbers.
fn assert_json_close(fresh: &serde_json::Value, committed: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (fresh, committed) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                "{at}: {a} vs committed {b}"
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}: fields differ"
            );
            for (key, value) in a {
                if key != "predictions_sha256" {
                    assert_json_close(value, &b[key], &format!("{at}.{key}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}: lengths differ");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_json_close(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(
            fresh, committed,
            "{at}: out of date: run scripts/regenerate_reports.sh"
        ),
    }
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
    // The reports repeat byte for byte on the platform that wrote them; elsewhere float
    // results differ in their last bits, so report.json is compared number by number.
    let here = stancer::device::cpu_float_platform();
    let written_on =
        std::fs::read_to_string(root().join("eval/reports/PLATFORM")).unwrap_or_default();
    let same_platform = written_on.trim() == here;
    if !same_platform {
        common::skipped(format_args!(
            "byte comparison of the seed reports (written on platform {:?}, this is {here}); report.json compared to 1e-5, report.md and report.html not compared",
            written_on.trim()
        ));
    }
    for classifier in ["missile-shield-exemplars", "semeval-sentiment"] {
        for file in ["report.json", "report.md", "report.html"] {
            let rel = format!("missile-shield/{classifier}/{file}");
            let fresh = std::fs::read(reports.join(&rel)).unwrap();
            let committed = std::fs::read(root().join("eval/reports").join(&rel)).unwrap();
            if same_platform {
                assert!(
                    fresh == committed,
                    "eval/reports/{rel} is out of date: run scripts/regenerate_reports.sh and commit"
                );
            } else if file == "report.json" {
                let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
                assert_json_close(&parse(&fresh), &parse(&committed), &rel);
            }
        }
    }
}
