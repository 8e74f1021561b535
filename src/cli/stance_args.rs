//! Flags choosing how stance is classified, shared by `stancer run` and `stancer eval data` so
//! both build the classifier, and record its provenance, the same way.

use super::model_args::ModelArgs;
use crate::classify::classifier::{Classifier, Provenance};
use crate::classify::nli::{Mode, NliClassifier};
use crate::classify::similarity::Similarity;
use crate::classify::trained_model::TrainedModel;
use crate::encoders::{LoadOptions, TextModel};
use crate::error::UserError;
use crate::pipeline;
use crate::task::Task;
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
    /// Builds the classifier for `task` (for embeddings of `embedding_model`, the run's
    /// embedding model).
    pub fn open(
        &self,
        model: &ModelArgs,
        embedding_model: &str,
        task: &Task,
    ) -> Result<Box<dyn Classifier>> {
        Ok(match self.method {
            Method::Trained => Box::new(load_trained(
                &self.classifier,
                model,
                embedding_model,
                "stance",
                Some(task.clone()),
            )?),
            Method::Nli => {
                let dir = self.nli_model_dir.as_ref().ok_or_else(|| {
                    UserError::new(
                        "--method nli needs --nli-model-dir",
                        "pass the folder of an NLI cross-encoder with an entailment label (e.g. a DeBERTa-v3 MNLI model fetched from the hub)",
                    )
                })?;
                let options = LoadOptions {
                    precision: model.dtype,
                    ..LoadOptions::default()
                };
                let encoder = TextModel::load(dir, options, &model.device.open()?)?;
                let provenance = Provenance::Nli {
                    role: "stance-nli".into(),
                    dir: dir.clone(),
                    weights_sha256: pipeline::file_sha256(&dir.join("model.safetensors"))?,
                    multi_label: self.multi_label,
                };
                let mode = if self.multi_label {
                    Mode::MultiLabel
                } else {
                    Mode::SingleLabel
                };
                let name = dir.display().to_string();
                Box::new(NliClassifier::new(
                    encoder,
                    &name,
                    mode,
                    task.clone(),
                    provenance,
                )?)
            }
            Method::Similarity => Box::new(Similarity::new(task.clone(), embedding_model)),
        })
    }
}

/// Loads the trained classifier folder `dir` (bundled defaults found anywhere), recorded under
/// `role` and predicting in `task`'s labels (its own without one): a head must match
/// `embedding_model`; a cross-encoder's base encoder is obtained as `model` obtains models.
pub fn load_trained(
    dir: &Path,
    model: &ModelArgs,
    embedding_model: &str,
    role: &str,
    task: Option<Task>,
) -> Result<TrainedModel> {
    let dir = crate::bundled::locate(dir)?;
    let resolve_base = |id: &str| -> Result<(PathBuf, String)> {
        let mut args = model.clone();
        if id != args.model {
            args.model = id.to_string();
            args.model_dir = None;
        }
        let (manifest, dir) = args.resolve()?;
        let sha = manifest.weights_sha256();
        Ok((dir, sha))
    };
    let device = model.device.open()?;
    TrainedModel::load(
        &dir,
        embedding_model,
        &resolve_base,
        (&device, model.dtype),
        task,
        role,
    )
}
