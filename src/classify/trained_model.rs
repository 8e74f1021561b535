//! A trained classifier folder of either kind, used through one type: a linear head on frozen
//! embeddings (`head.json`) or a fine-tuned cross-encoder (`classifier.json`).

use super::finetuned::{self, FineTunedClassifier};
use super::text_norm::TextNorm;
use super::trained::{self, TrainedClassifier};
use super::{Item, Prediction};
use crate::encoders::TextModel;
use crate::error::UserError;
use crate::models::cache::sha256_file;
use crate::task::Task;
use anyhow::Result;
use candle_core::Device;
use std::path::{Path, PathBuf};

/// A loaded classifier folder.
// Loaded once per command, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum TrainedModel {
    /// Linear heads on embeddings of the run's embedding model.
    Head(TrainedClassifier),
    /// A LoRA cross-encoder over its base encoder.
    FineTuned(FineTunedClassifier),
}

impl TrainedModel {
    /// Loads the classifier in `dir`: a head must have been trained on `embedding_model`'s
    /// embeddings; a cross-encoder's base encoder is found by `resolve_base` (id → folder and
    /// weights sha256).
    pub fn load(
        dir: &Path,
        embedding_model: &str,
        resolve_base: &dyn Fn(&str) -> Result<(PathBuf, String)>,
        device: &Device,
    ) -> Result<Self> {
        if finetuned::is_fine_tuned(dir) {
            let manifest = finetuned::read_manifest(dir)?;
            let (base_dir, base_sha256) = resolve_base(&manifest.base_model)?;
            return Ok(Self::FineTuned(FineTunedClassifier::load(
                dir,
                &base_dir,
                &base_sha256,
                device,
            )?));
        }
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
        Ok(Self::Head(head))
    }

    /// The classifier's name, as predictions record it.
    pub fn name(&self) -> &str {
        match self {
            Self::Head(h) => &h.manifest.name,
            Self::FineTuned(f) => &f.manifest.name,
        }
    }

    /// The normalisation of the text embeddings a head reads (`None`: it reads no embeddings).
    pub fn embeddings_norm(&self) -> Option<TextNorm> {
        match self {
            Self::Head(h) => Some(h.manifest.text_norm),
            Self::FineTuned(_) => None,
        }
    }

    /// Predictions for `items`: in `task`'s labels, or in the classifier's own labels when
    /// `task` is `None`. `vectors` are the items' embeddings from `embedder` (normalised as
    /// [`TrainedModel::embeddings_norm`] says) when the caller has them already.
    pub fn predict(
        &self,
        embedder: &TextModel,
        task: Option<&Task>,
        items: &[Item],
        vectors: Option<Vec<Vec<f32>>>,
        batch_size: usize,
    ) -> Result<Vec<Prediction>> {
        match self {
            Self::Head(head) => {
                if let Some(task) = task {
                    check_labels(&head.manifest.labels, task)?;
                }
                match vectors {
                    Some(v) => head.predict_embedded(embedder, v, items, batch_size),
                    None => head.predict(embedder, items, batch_size),
                }
            }
            Self::FineTuned(model) => match task {
                Some(task) => model.predict(task, items, batch_size),
                None => model.predict_own(items, batch_size),
            },
        }
    }

    /// The provenance record of this classifier in `dir` for a run's `manifest.json`.
    pub fn provenance(&self, role: &str, dir: &Path) -> Result<serde_json::Value> {
        Ok(match self {
            Self::Head(head) => serde_json::json!({
                "role": role,
                "head": head.manifest.name,
                "dir": dir,
                "manifest_sha256": sha256_file(&dir.join(trained::MANIFEST))?,
                "heads": head.manifest.heads,
            }),
            Self::FineTuned(model) => serde_json::json!({
                "role": role,
                "classifier": model.manifest.name,
                "dir": dir,
                "manifest_sha256": sha256_file(&dir.join(finetuned::MANIFEST))?,
                "adapter_sha256": model.manifest.adapter_sha256,
                "base_model": model.manifest.base_model,
                "base_sha256": model.manifest.base_sha256,
            }),
        })
    }
}

fn check_labels(head_labels: &[String], task: &Task) -> Result<()> {
    let task_labels = task.label_names();
    anyhow::ensure!(
        head_labels
            .iter()
            .map(String::as_str)
            .eq(task_labels.iter().copied()),
        "the stance head's labels ({}) differ from task '{}' ({}): train a head for this task",
        head_labels.join(", "),
        task.name,
        task_labels.join(", ")
    );
    Ok(())
}
