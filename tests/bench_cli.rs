//! `stancer bench cross-encoder` end to end on the tiny DeBERTa fixture, as a model folder and
//! as a config instantiated with random weights.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

#[test]
fn cross_encoder_bench_measures_every_model_and_batch_size() {
    if common::shared_dataset("semeval2016-task6").is_none() {
        return;
    }
    let pairs_dir = tempfile::tempdir().unwrap();
    let output = bench_tiny_random_deberta(&[
        "--random-tokenizer",
        "tests/fixtures/tiny-deberta-v2-cls/tokenizer.json",
        "--tweets",
        "10",
        "--batch-sizes",
        "4,16",
        "--threads",
        "1",
        "--min-seconds",
        "0",
        "--json",
        "--write-pairs",
        pairs_dir.path().to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &report["runs"][0];
    assert_eq!(run["threads"], 1);
    let rows = run["rows"].as_array().unwrap();
    let measured: Vec<(&str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["model"].as_str().unwrap(),
                r["batch_size"].as_u64().unwrap(),
            )
        })
        .collect();
    let random = "random:tests/fixtures/tiny-deberta-v2-cls/config.json";
    assert_eq!(
        measured,
        [
            ("tests/fixtures/tiny-deberta-v2-cls", 4),
            ("tests/fixtures/tiny-deberta-v2-cls", 16),
            (random, 4),
            (random, 16),
        ]
    );
    for row in rows {
        // Ten tweets against the SemEval task's three hypotheses.
        assert_eq!(row["pairs"], 30);
        assert!(row["pairs_per_second"].as_f64().unwrap() > 0.0);
        assert!(row["mean_tokens"].as_f64().unwrap() > 3.0);
    }
    assert_eq!(run["loads"].as_array().unwrap().len(), 2);
    let pairs = std::fs::read_to_string(pairs_dir.path().join("pairs.jsonl")).unwrap();
    let first: Value = serde_json::from_str(pairs.lines().next().unwrap()).unwrap();
    assert_eq!(pairs.lines().count(), 30);
    assert!(first["hypothesis"].as_str().unwrap().ends_with('.'));
}

#[test]
fn a_random_tokenizer_too_large_for_the_config_is_refused() {
    if common::shared_dataset("semeval2016-task6").is_none() {
        return;
    }
    // The default random tokenizer (BERT WordPiece, 30,522 tokens) against a 313-token config.
    let output = bench_tiny_random_deberta(&["--threads", "1", "--json"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("more than the vocab_size") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// `stancer bench cross-encoder` with the tiny DeBERTa fixture's config as a random model.
fn bench_tiny_random_deberta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args([
            "bench",
            "cross-encoder",
            "--random-config",
            "tests/fixtures/tiny-deberta-v2-cls/config.json",
        ])
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .unwrap()
}

#[test]
fn run_bench_reports_the_pipeline_rates_of_a_real_run() {
    if common::minilm().is_none() {
        return;
    }
    let seed = "datasets/missile-shield/articles";
    let out = common::stancer(&["bench", "run", seed, "--json", "--", "--no-sentiment"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["documents"], 1);
    let quotes = common::stancer(&["quotes", seed]);
    let found = String::from_utf8(quotes.stdout).unwrap().lines().count() as u64;
    let run = &report["runs"][0];
    assert_eq!(
        (run["documents"].as_u64(), run["quotes"].as_u64()),
        (Some(1), Some(found))
    );
    let f = |v: &Value| v.as_f64().unwrap();
    let t = &run["timings"];
    let pipeline = f(&t["extract"]) + f(&t["classify"]) + f(&t["aggregate"]) + f(&t["write"]);
    assert!((f(&run["pipeline_seconds"]) - pipeline).abs() < 1e-9);
    assert!((f(&run["quotes_per_second"]) * pipeline - found as f64).abs() < 1e-6);
    let outside = f(&run["outside_model_share"]);
    assert!((outside - (pipeline - f(&t["classify"])) / pipeline).abs() < 1e-9);
    assert!(outside > 0.0 && outside < 1.0);
    assert!(f(&run["wall_seconds"]) >= pipeline + f(&t["load"]));

    let limited = common::stancer(&["bench", "run", "--documents", "0", seed]);
    assert!(!limited.status.success());
    assert!(String::from_utf8_lossy(&limited.stderr).contains("--documents"));
}
