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

/// The embeddings of `items`' texts under `to`, given `vectors`, their embeddings under `from`:
/// only the texts the two normalisations write differently are embedded again. News quotes
/// rarely carry hashtags, so a tweet-normalised sentiment head then costs no second pass over a
/// corpus whose stance head reads raw text.
pub fn renormalise(
    model: &TextModel,
    items: &[Item],
    vectors: Vec<Vec<f32>>,
    from: TextNorm,
    to: TextNorm,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    anyhow::ensure!(vectors.len() == items.len(), "one text vector per item");
    let changed: Vec<(usize, String)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let target = to.apply(item.text);
            (target != from.apply(item.text)).then(|| (i, target.into_owned()))
        })
        .collect();
    let texts: Vec<&str> = changed.iter().map(|(_, text)| text.as_str()).collect();
    let fresh = model.embed(&texts, batch_size)?;
    let mut vectors = vectors;
    for ((i, _), vector) in changed.iter().zip(fresh) {
        vectors[*i] = vector;
    }
    Ok(vectors)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoders::LoadOptions;

    #[test]
    fn renormalise_embeds_again_only_what_the_normalisation_changes() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bert-cls");
        let model =
            TextModel::load(&dir, LoadOptions::default(), &candle_core::Device::Cpu).unwrap();
        let texts = [
            "no tags here",
            "vote #StopHillary2016 now #SemST",
            "plain again",
        ];
        let items: Vec<Item> = texts.iter().map(|t| Item::text(t)).collect();
        let raw = embed_texts(&model, &items, TextNorm::None, 8).unwrap();
        let tweet = embed_texts(&model, &items, TextNorm::Tweet, 8).unwrap();
        assert_ne!(raw[1], tweet[1], "the hashtag text must change its vector");
        let renormalised = renormalise(
            &model,
            &items,
            raw.clone(),
            TextNorm::None,
            TextNorm::Tweet,
            8,
        )
        .unwrap();
        assert_eq!(renormalised[0], raw[0]);
        assert_eq!(renormalised[2], raw[2]);
        let alone = model.embed(&["vote Stop Hillary 2016 now"], 8).unwrap();
        assert_eq!(renormalised[1], alone[0]);
        assert_eq!(
            TextNorm::Tweet.apply(texts[1]),
            "vote Stop Hillary 2016 now",
            "the text embedded alone above is the normalised one"
        );
    }
}
