//! `stancer eval data`: a trained head scored on labelled JSONL, checked against the library's
//! own predictions, and the errors a user meets first.

mod common;

use stancer::classify::trained::TrainedClassifier;
use stancer::classify::Item;
use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stancer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Statements written for this test from the label definitions, two per label.
const LABELLED: [(&str, &str); 8] = [
    (
        "The interceptors in Poland are a direct threat to our security and we will respond.",
        "oppose",
    ),
    (
        "We reject the radar in the Czech Republic outright.",
        "oppose",
    ),
    (
        "The missile defense sites will protect Europe and we will build them.",
        "support",
    ),
    (
        "This shield is a sound investment in the alliance's safety.",
        "support",
    ),
    (
        "We are ready to let Russian officers inspect the sites to address their concerns.",
        "conciliatory",
    ),
    (
        "We have agreed to keep talking about the radar and to look for common ground.",
        "conciliatory",
    ),
    ("The price of grain rose sharply this spring.", "none"),
    (
        "The minister will travel to Beijing next week for trade talks.",
        "none",
    ),
];

#[test]
fn a_trained_head_scored_on_labelled_jsonl() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("labelled.jsonl");
    let lines: String = LABELLED
        .iter()
        .map(|(t, l)| format!("{}\n", serde_json::json!({"text": t, "label": l})))
        .collect();
    std::fs::write(&data, lines).unwrap();
    let spec = format!("jsonl:{}", data.display());
    let reports = dir.path().join("reports");
    let out = stancer(&[
        "eval",
        "data",
        "--data",
        &spec,
        "--reports",
        reports.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folder = reports.join("missile-shield-labelled/missile-shield-exemplars");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["n_items"], 8);
    assert_eq!(report["n_missed"], 0);
    assert_eq!(report["groups"]["by"], "target");
    assert_eq!(report["dataset"]["gold_file"], "labelled.jsonl");
    assert!(folder.join("report.html").exists() && folder.join("report.md").exists());

    // The report's predictions are the head's own, item by item.
    let head = TrainedClassifier::load(&root().join("models/missile-shield-exemplars")).unwrap();
    let items: Vec<Item> = LABELLED.iter().map(|(t, _)| Item::text(t)).collect();
    let expected = head.predict(&model, &items, 32).unwrap();
    let got = report["items"].as_array().unwrap();
    for (k, (item, want)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(item["id"], format!("labelled.jsonl:{}", k + 1));
        assert_eq!(item["gold"], LABELLED[k].1);
        assert_eq!(item["predicted"], want.label.as_str());
    }
    let correct = expected
        .iter()
        .zip(LABELLED)
        .filter(|(p, (_, g))| p.label == *g)
        .count();
    assert_eq!(report["scores"]["accuracy"], correct as f64 / 8.0);

    // Data that may not be redistributed: the same report without item texts.
    let redacted = dir.path().join("redacted");
    let out = stancer(&[
        "eval",
        "data",
        "--data",
        &spec,
        "--reports",
        redacted.to_str().unwrap(),
        "--no-report-text",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folder = redacted.join("missile-shield-labelled/missile-shield-exemplars");
    // Texts appear only in the error list, so the check needs at least one error: the first
    // report's error list holds one text per wrong item.
    assert!(
        correct < 8,
        "the head got every statement right; the check below needs an error"
    );
    for name in ["report.json", "report.md", "report.html"] {
        let body = std::fs::read_to_string(folder.join(name)).unwrap();
        for (text, _) in LABELLED {
            assert!(!body.contains(text), "{name} holds an item text");
        }
    }
}

#[test]
fn a_head_of_another_task_is_refused() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("semeval.jsonl");
    std::fs::write(&data, "{\"text\": \"Climate action now\", \"label\": \"FAVOR\", \"target\": \"Climate Change is a Real Concern\"}\n").unwrap();
    let spec = format!("jsonl:{}", data.display());
    let out = stancer(&[
        "eval",
        "data",
        "--task",
        "datasets/semeval2016-stance/task.toml",
        "--data",
        &spec,
        "--reports",
        dir.path().join("r").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("differ from task 'semeval2016-stance'"),
        "{err}"
    );
    assert!(!dir.path().join("r").exists(), "no report on failure");

    std::fs::write(&data, "{\"text\": \"x\", \"label\": \"maybe\"}\n").unwrap();
    let out = stancer(&["eval", "data", "--data", &spec]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("semeval.jsonl:1"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn train_reports_its_out_of_fold_predictions() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("exemplar-head");
    let reports = dir.path().join("reports");
    let out = stancer(&[
        "train",
        "--c",
        "0.25,1",
        "--out",
        head.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(head.join("head.json")).unwrap()).unwrap();
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(reports.join("missile-shield-cv/exemplar-head/report.json")).unwrap(),
    )
    .unwrap();
    let n = manifest["cv"]["pooled"]["n"].as_u64().unwrap();
    assert_eq!(report["n_items"].as_u64(), Some(n));
    assert_eq!(report["n_missed"], 0);
    assert!(report["dataset"]["predictions_sha256"].is_null());
    assert_eq!(report["groups"]["by"], "target");
    // The report scores the same out-of-fold predictions the manifest's CV figures came from.
    let close = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-12
    };
    let pooled = &manifest["cv"]["pooled"];
    assert!(close(&report["scores"]["accuracy"], &pooled["accuracy"]));
    assert!(close(
        &report["scores"]["macro_avg"]["f1"],
        &pooled["macro_f1"]
    ));
    let c = manifest["config"]["c"].as_f64().unwrap();
    let protocol = report["dataset"]["protocol"].as_str().unwrap();
    assert!(
        protocol.starts_with(&format!(
            "5-fold stratified cross-validation (seed 13, C = {c}"
        )),
        "{protocol}"
    );
}
