//! Zero-shot bi-encoder baseline: each label's description (with `{target}` filled in) is
//! embedded, and an item takes the label whose description is most similar to it. Documented as
//! a weak baseline; never the default.

use super::{softmax, Item, Prediction};
use crate::encoders::TextModel;
use crate::task::Task;
use anyhow::Result;
use std::collections::BTreeMap;

/// Cosine similarities are divided by this before the softmax that turns them into scores.
pub const TEMPERATURE: f32 = 0.05;

/// Predicts by cosine similarity between item and label-description embeddings.
pub fn predict(
    model: &TextModel,
    task: &Task,
    items: &[Item],
    batch_size: usize,
) -> Result<Vec<Prediction>> {
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
    let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
    Ok(items
        .iter()
        .zip(&vectors)
        .map(|(item, v)| {
            let target = item.target.unwrap_or(&task.target.name);
            let sims: Vec<f32> = label_vectors[target]
                .iter()
                .map(|l| cosine(v, l) / TEMPERATURE)
                .collect();
            Prediction::from_probs(&labels, &softmax(&sims), "bi-encoder-similarity")
        })
        .collect())
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    dot / (norm(a) * norm(b))
}
