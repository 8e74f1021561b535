//! Flags choosing how stance is classified, shared by `stancer run` and `stancer eval data` so
//! both build the classifier, and record its provenance, the same way.

use crate::classify::nli::Mode;
use crate::classify::trained::TrainedClassifier;
use crate::device::DeviceSpec;
use crate::encoders::{LoadOptions, TextModel};
use crate::error::UserError;
use crate::pipeline::{self, StanceMethod};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Stance classifier flags.
#[derive(Args, Debug)]
pub struct StanceArgs {
    /// How quotes are classified.
    #[arg(long, value_enum, default_value_t = Method::Head)]
    pub method: Method,
    /// Trained stance head folder (for --method head).
    #[arg(long, default_value = "models/missile-shield-exemplars")]
    pub classifier: PathBuf,
    /// Folder of an NLI cross-encoder (config.json, tokenizer.json, model.safetensors) for
    /// --method nli.
    #[arg(long)]
    pub nli_model_dir: Option<PathBuf>,
    /// Score NLI labels independently instead of as one softmax.
    #[arg(long)]
    pub multi_label: bool,
}

/// The stance classifiers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    /// Trained linear head on frozen embeddings.
    Head,
    /// Zero-shot NLI cross-encoder.
    Nli,
    /// Bi-encoder similarity to label descriptions (weak baseline).
    Similarity,
}

impl StanceArgs {
    /// Builds the classifier for embeddings of `embedding_model`, with its provenance record
    /// for a run's `manifest.json`.
    pub fn open(
        &self,
        embedding_model: &str,
        device: &DeviceSpec,
    ) -> Result<(StanceMethod, serde_json::Value)> {
        Ok(match self.method {
            Method::Head => {
                let dir = crate::bundled::locate(&self.classifier)?;
                let head = load_head(&dir, embedding_model)?;
                let provenance = head_provenance("stance", &dir, &head)?;
                (StanceMethod::Head(head), provenance)
            }
            Method::Nli => {
                let dir = self.nli_model_dir.as_ref().ok_or_else(|| {
                    UserError::new(
                        "--method nli needs --nli-model-dir",
                        "pass the folder of an NLI cross-encoder with an entailment label (e.g. a DeBERTa-v3 MNLI model fetched from the hub)",
                    )
                })?;
                let model = TextModel::load(dir, LoadOptions::default(), &device.open()?)?;
                let provenance = serde_json::json!({
                    "role": "stance-nli",
                    "dir": dir,
                    "weights_sha256": pipeline::file_sha256(&dir.join("model.safetensors"))?,
                });
                let name = dir.display().to_string();
                let mode = if self.multi_label {
                    Mode::MultiLabel
                } else {
                    Mode::SingleLabel
                };
                (StanceMethod::Nli { model, name, mode }, provenance)
            }
            Method::Similarity => (
                StanceMethod::Similarity,
                serde_json::json!({"role": "stance-similarity", "embedding": embedding_model}),
            ),
        })
    }
}

/// Loads a trained head, refusing one trained on another embedding model.
pub fn load_head(dir: &Path, embedding_model: &str) -> Result<TrainedClassifier> {
    let head = TrainedClassifier::load(dir)?;
    if head.manifest.embedding_model != embedding_model {
        return Err(UserError::new(
            format!(
                "head {} was trained on '{}' embeddings, not '{embedding_model}'",
                dir.display(),
                head.manifest.embedding_model
            ),
            format!("run with --model {}", head.manifest.embedding_model),
        ));
    }
    Ok(head)
}

/// A head's provenance record for `manifest.json`.
pub fn head_provenance(
    role: &str,
    dir: &Path,
    head: &TrainedClassifier,
) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "role": role,
        "head": head.manifest.name,
        "dir": dir,
        "manifest_sha256": pipeline::file_sha256(&dir.join(crate::classify::trained::MANIFEST))?,
        "heads": head.manifest.heads,
    }))
}
