//! Zero-shot bi-encoder baseline: each label's description (with `{target}` filled in) is
//! embedded, and an item takes the label whose description is most similar to it. Documented as
//! a weak baseline; never the default.

use super::classifier::{Batch, Classifier, Provenance};
use super::{softmax, Prediction};
use crate::task::Task;
use anyhow::Result;
use std::collections::BTreeMap;

/// Cosine similarities are divided by this before the softmax that turns them into scores.
pub const TEMPERATURE: f32 = 0.05;

/// The baseline for one task: its labels' descriptions are what items are compared with.
pub struct Similarity {
    task: Task,
    labels: Vec<String>,
    provenance: Provenance,
}

impl Similarity {
    /// The baseline over `task`'s label descriptions, comparing embeddings of `embedding_model`.
    pub fn new(task: Task, embedding_model: &str) -> Self {
        Similarity {
            labels: task.labels.iter().map(|l| l.name.clone()).collect(),
            task,
            provenance: Provenance::Similarity {
                role: "stance-similarity".into(),
                embedding: embedding_model.to_string(),
            },
        }
    }
}

impl Classifier for Similarity {
    fn name(&self) -> &str {
        NAME
    }

    fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Predicts by cosine similarity between item and label-description embeddings (of the raw
    /// texts, never normalised).
    fn predict(&self, batch: &mut Batch) -> Result<Vec<Prediction>> {
        let (model, items, batch_size) = (batch.embedder(), batch.items, batch.batch_size());
        let task = &self.task;
        let texts: Vec<&str> = items.iter().map(|i| i.text).collect();
        let vectors = model.embed(&texts, batch_size)?;
        let mut label_vectors: BTreeMap<&str, Vec<Vec<f32>>> = BTreeMap::new();
        for item in items {
            let target = item.target.unwrap_or(&task.target.name);
            if !label_vectors.contains_key(target) {
                let descriptions: Vec<String> = task
                    .labels
                    .iter()
                    .map(|l| l.description.replace("{target}", target))
                    .collect();
                let refs: Vec<&str> = descriptions.iter().map(String::as_str).collect();
                label_vectors.insert(target, model.embed(&refs, batch_size)?);
            }
        }
        Ok(items
            .iter()
            .zip(&vectors)
            .map(|(item, v)| {
                let target = item.target.unwrap_or(&task.target.name);
                let sims: Vec<f32> = label_vectors[target]
                    .iter()
                    .map(|l| cosine(v, l) / TEMPERATURE)
                    .collect();
                Prediction::from_probs(&self.labels, &softmax(&sims), NAME)
            })
            .collect())
    }

    fn provenance(&self) -> &Provenance {
        &self.provenance
    }
}

/// The name its predictions record.
const NAME: &str = "bi-encoder-similarity";

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    dot / (norm(a) * norm(b))
}
