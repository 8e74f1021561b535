//! A trained classifier folder of either kind, used through one type: a linear head on frozen
//! embeddings (`head.json`) or a fine-tuned cross-encoder (`classifier.json`).

use super::classifier::{Batch, Classifier, Provenance};
use super::finetuned::{self, FineTunedClassifier};
use super::trained::{self, TrainedClassifier};
use super::Prediction;
use crate::device::Precision;
use crate::error::UserError;
use crate::models::cache::sha256_file;
use crate::task::Task;
use anyhow::Result;
use candle_core::Device;
use std::path::{Path, PathBuf};

/// A loaded classifier folder, bound to the labels it predicts in.
pub struct TrainedModel {
    model: Folder,
    /// Predictions are in this task's labels; without one, in the classifier's own.
    task: Option<Task>,
    labels: Vec<String>,
    provenance: Provenance,
}

/// What the folder holds.
// Loaded once per command, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Folder {
    /// Linear heads on embeddings of the run's embedding model.
    Head(TrainedClassifier),
    /// A LoRA cross-encoder over its base encoder.
    FineTuned(FineTunedClassifier),
}

impl TrainedModel {
    /// Loads the classifier in `dir`, predicting in `task`'s labels (its own without one) and
    /// recorded under `role`: a head must have been trained on `embedding_model`'s embeddings
    /// (and, with a task, in its labels); a cross-encoder's base encoder is found by
    /// `resolve_base` (id → folder and weights sha256) and loaded on `device` in `precision`.
    pub fn load(
        dir: &Path,
        embedding_model: &str,
        resolve_base: &dyn Fn(&str) -> Result<(PathBuf, String)>,
        (device, precision): (&Device, Precision),
        task: Option<Task>,
        role: &str,
    ) -> Result<Self> {
        let (model, provenance, own_labels) = if finetuned::is_fine_tuned(dir) {
            let manifest = finetuned::read_manifest(dir)?;
            let (base_dir, base_sha256) = resolve_base(&manifest.base_model)?;
            let model = FineTunedClassifier::load(dir, &base_dir, &base_sha256, device, precision)?;
            let m = &model.manifest;
            let provenance = Provenance::FineTuned {
                role: role.to_string(),
                classifier: m.name.clone(),
                dir: dir.to_path_buf(),
                manifest_sha256: sha256_file(&dir.join(finetuned::MANIFEST))?,
                adapter_sha256: m.adapter_sha256.clone(),
                base_model: m.base_model.clone(),
                base_sha256: m.base_sha256.clone(),
            };
            let labels = m.labels.clone();
            (Folder::FineTuned(model), provenance, labels)
        } else {
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
            if let Some(task) = &task {
                check_labels(&head.manifest.labels, task)?;
            }
            let provenance = Provenance::Head {
                role: role.to_string(),
                head: head.manifest.name.clone(),
                dir: dir.to_path_buf(),
                manifest_sha256: sha256_file(&dir.join(trained::MANIFEST))?,
                heads: head.manifest.heads.clone(),
            };
            let labels = head.manifest.labels.clone();
            (Folder::Head(head), provenance, labels)
        };
        let labels = match &task {
            Some(task) => task.labels.iter().map(|l| l.name.clone()).collect(),
            None => own_labels,
        };
        Ok(TrainedModel {
            model,
            task,
            labels,
            provenance,
        })
    }
}

impl Classifier for TrainedModel {
    fn name(&self) -> &str {
        match &self.model {
            Folder::Head(h) => &h.manifest.name,
            Folder::FineTuned(f) => &f.manifest.name,
        }
    }

    fn labels(&self) -> &[String] {
        &self.labels
    }

    fn predict(&self, batch: &mut Batch) -> Result<Vec<Prediction>> {
        let size = batch.batch_size();
        match &self.model {
            Folder::Head(head) => {
                let vectors = batch.text_vectors(head.manifest.text_norm)?;
                head.predict_embedded(batch.embedder(), vectors, batch.items, size)
            }
            Folder::FineTuned(model) => match &self.task {
                Some(task) => model.predict(task, batch.items, size),
                None => model.predict_own(batch.items, size),
            },
        }
    }

    fn provenance(&self) -> &Provenance {
        &self.provenance
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
