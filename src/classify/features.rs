//! Turning items into the feature vectors a linear head is trained on.

use super::text_norm::TextNorm;
use super::Item;
use crate::encoders::TextModel;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which vectors a head sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureMode {
    /// The text's embedding alone (one head per target, or a single-target task).
    Text,
    /// `[e_text, e_target, e_text ⊙ e_target]`: one head shared by every target.
    TextAndTarget,
}

/// Embeds `items` (their texts normalised by `norm`; and, for [`FeatureMode::TextAndTarget`],
/// their targets, each once). `default_target` stands in for items without their own target.
pub fn build(
    model: &TextModel,
    items: &[Item],
    mode: FeatureMode,
    norm: TextNorm,
    default_target: &str,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    let text_vectors = embed_texts(model, items, norm, batch_size)?;
    from_text_vectors(model, text_vectors, items, mode, default_target, batch_size)
}

/// The embeddings of `items`' texts, normalised by `norm`: what [`from_text_vectors`] takes.
pub fn embed_texts(
    model: &TextModel,
    items: &[Item],
    norm: TextNorm,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    let texts: Vec<_> = items.iter().map(|i| norm.apply(i.text)).collect();
    let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    model.embed(&texts, batch_size)
}

/// Like [`build`], reusing text embeddings already computed for `items` by [`embed_texts`] with
/// the same normalisation (so several heads on one embedding model embed each text once).
pub fn from_text_vectors(
    model: &TextModel,
    text_vectors: Vec<Vec<f32>>,
    items: &[Item],
    mode: FeatureMode,
    default_target: &str,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    anyhow::ensure!(
        text_vectors.len() == items.len(),
        "one text vector per item"
    );
    if mode == FeatureMode::Text {
        return Ok(text_vectors);
    }
    let targets: Vec<&str> = items
        .iter()
        .map(|i| i.target.unwrap_or(default_target))
        .collect();
    let unique: Vec<&str> = targets
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let target_vectors: BTreeMap<&str, Vec<f32>> = unique
        .iter()
        .copied()
        .zip(model.embed(&unique, batch_size)?)
        .collect();
    Ok(text_vectors
        .into_iter()
        .zip(&targets)
        .map(|(text, target)| {
            let target = &target_vectors[target];
            let product = text.iter().zip(target).map(|(a, b)| a * b);
            text.iter()
                .copied()
                .chain(target.iter().copied())
                .chain(product)
                .collect()
        })
        .collect())
}
