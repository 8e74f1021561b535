//! Flags choosing how stance is classified, shared by `stancer run` and `stancer eval data` so
//! both build the classifier, and record its provenance, the same way.

use super::model_args::ModelArgs;
use crate::classify::nli::Mode;
use crate::classify::trained_model::TrainedModel;
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
    #[arg(long, value_enum, default_value_t = Method::Trained)]
    pub method: Method,
    /// Trained stance classifier folder (for --method trained): a fine-tuned cross-encoder
    /// (classifier.json) or a linear head (head.json).
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
    /// A trained classifier (--classifier): a fine-tuned cross-encoder or a linear head on
    /// frozen embeddings.
    #[value(alias = "head")]
    Trained,
    /// Zero-shot NLI cross-encoder.
    Nli,
    /// Bi-encoder similarity to label descriptions (weak baseline).
    Similarity,
}

impl StanceArgs {
    /// Builds the classifier (for embeddings of `model`, the run's embedding model), with its
    /// provenance record for a run's `manifest.json`.
    pub fn open(
        &self,
        model: &ModelArgs,
        embedding_model: &str,
    ) -> Result<(StanceMethod, serde_json::Value)> {
        let device = &model.device;
        Ok(match self.method {
            Method::Trained => {
                let (classifier, provenance) =
                    load_trained(&self.classifier, model, embedding_model, "stance")?;
                (StanceMethod::Trained(classifier), provenance)
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

/// Loads the trained classifier folder `dir` (bundled defaults found anywhere) with its
/// provenance record under `role`: a head must match `embedding_model`; a cross-encoder's base
/// encoder is obtained as `model` obtains models.
pub fn load_trained(
    dir: &Path,
    model: &ModelArgs,
    embedding_model: &str,
    role: &str,
) -> Result<(TrainedModel, serde_json::Value)> {
    let dir = crate::bundled::locate(dir)?;
    let resolve_base = |id: &str| -> Result<(PathBuf, String)> {
        let mut args = model.clone();
        if id != args.model {
            args.model = id.to_string();
            args.model_dir = None;
        }
        let (manifest, dir) = args.resolve()?;
        let sha = manifest
            .file("model.safetensors")
            .map(|f| f.sha256.clone())
            .unwrap_or_default();
        Ok((dir, sha))
    };
    let classifier =
        TrainedModel::load(&dir, embedding_model, &resolve_base, &model.device.open()?)?;
    let provenance = classifier.provenance(role, &dir)?;
    Ok((classifier, provenance))
}
