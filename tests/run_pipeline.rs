//! `stancer run` end to end: byte-identical reruns, --skip-bad, and resuming an interrupted run.

mod common;

use stancer::classify::trained::TrainedClassifier;
use stancer::pipeline::{self, RunConfig, StanceMethod};
use stancer::task::Task;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stancer(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

const OUTPUTS: &[&str] = &["quotes.jsonl", "actors.jsonl", "actors.csv", "summary.md"];

#[test]
fn reruns_are_byte_identical_and_bad_documents_are_skipped_or_reported() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let run = stancer(&["run", "--quiet", "--out", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    for file in OUTPUTS {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(!x.is_empty(), "{file} is empty");
        assert_eq!(x, y, "{file} differs between two identical runs");
    }
    assert!(!a.join(".stancer-checkpoint.jsonl").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["documents"], 1);
    // Every stage is timed, so the share of time outside the model can be read off a run.
    for stage in ["load", "extract", "classify", "aggregate", "write"] {
        let seconds = manifest["timings"][stage].as_f64();
        assert!(
            seconds.is_some_and(|s| s >= 0.0),
            "timings.{stage}: {seconds:?}"
        );
    }
    assert!(manifest["timings"]["classify"].as_f64().unwrap() > 0.0);

    let corpus = dir.path().join("corpus.jsonl");
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let good = serde_json::json!({"id": "nysun-2008-03-missile-shield-divide", "text": article})
        .to_string();
    std::fs::write(
        &corpus,
        format!("{good}\n{{\"id\": \"broken\", \"text\": \n"),
    )
    .unwrap();
    let out = dir.path().join("c");
    let corpus_arg = corpus.to_str().unwrap();
    let failed = stancer(&["run", "--quiet", corpus_arg, "--out", out.to_str().unwrap()]);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("corpus.jsonl:2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !out.join("quotes.jsonl").exists(),
        "no outputs after a failed run"
    );

    let skipped = stancer(&[
        "run",
        "--quiet",
        "--skip-bad",
        corpus_arg,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        skipped.status.success(),
        "{}",
        String::from_utf8_lossy(&skipped.stderr)
    );
    assert!(String::from_utf8_lossy(&skipped.stderr).contains("corpus.jsonl:2"));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("Skipped 1 bad input"), "{summary}");
    assert_eq!(
        std::fs::read(out.join("quotes.jsonl")).unwrap(),
        std::fs::read(a.join("quotes.jsonl")).unwrap(),
        "the good document gives the same quotes"
    );
}

fn config(model: stancer::encoders::TextModel, inputs: Vec<PathBuf>) -> RunConfig {
    let task = Task::load(&root().join("datasets/missile-shield/task.toml")).unwrap();
    let head = TrainedClassifier::load(&root().join("models/missile-shield-exemplars")).unwrap();
    RunConfig {
        inputs,
        task,
        embedder: model,
        stance: StanceMethod::Head(head),
        sentiment: None,
        registry: None,
        skip_bad: false,
        batch_size: 8,
        chunk_documents: 1,
    }
}

#[test]
fn an_interrupted_run_resumes_without_losing_or_duplicating_quotes() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let paragraphs: Vec<&str> = article.split("\n\n").filter(|p| p.contains('“')).collect();
    let corpus = dir.path().join("corpus.jsonl");
    let lines: Vec<String> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| serde_json::json!({"id": format!("p{i}"), "text": p}).to_string())
        .collect();
    assert!(lines.len() >= 4);
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let config = config(model, vec![corpus]);

    let clean = pipeline::run(&config, &dir.path().join("clean.ckpt"), "f", false, &|| {}).unwrap();

    let checkpoint = dir.path().join("resume.ckpt");
    let seen = std::cell::Cell::new(0);
    let interrupted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipeline::run(&config, &checkpoint, "f", false, &|| {
            seen.set(seen.get() + 1);
            if seen.get() == 3 {
                panic!("simulated crash");
            }
        })
    }));
    assert!(interrupted.is_err());
    // A torn write at the moment of the crash.
    let mut bytes = std::fs::read(&checkpoint).unwrap();
    bytes.extend_from_slice(b"{\"doc_id\": \"p9\", \"quo");
    std::fs::write(&checkpoint, bytes).unwrap();

    let err = pipeline::run(&config, &checkpoint, "other flags", true, &|| {})
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("other inputs, task, models or flags"),
        "{err}"
    );

    let resumed = pipeline::run(&config, &checkpoint, "f", true, &|| {}).unwrap();
    let ids = |r: &pipeline::RunResult| {
        r.quotes
            .iter()
            .map(|q| q.quote_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&resumed), ids(&clean));
    assert_eq!(resumed.quotes, clean.quotes);
    assert_eq!(resumed.corpus_actors, clean.corpus_actors);
    assert_eq!(resumed.documents, clean.documents);
}

#[test]
fn the_nli_path_runs_end_to_end_on_the_tiny_deberta_fixture() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join("tests/fixtures/tiny-deberta-v2-cls");
    let run = stancer(&[
        "run",
        "--quiet",
        "--method",
        "nli",
        "--nli-model-dir",
        fixture.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let quotes = std::fs::read_to_string(dir.path().join("quotes.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(quotes.lines().next().unwrap()).unwrap();
    let scores = first["stance"]["scores"].as_object().unwrap();
    assert_eq!(scores.len(), 4, "one score per task label");
    let total: f64 = scores.values().map(|v| v.as_f64().unwrap()).sum();
    assert!(
        (total - 1.0).abs() < 1e-5,
        "single-label scores sum to 1, got {total}"
    );
    assert_eq!(first["stance"]["model"], fixture.display().to_string());
}
