//! Transformer encoders behind one small trait.
//!
//! An architecture file (`bert.rs`, `deberta.rs`) turns a padded token batch into hidden states
//! and, where the checkpoint has a sequence-classification head, into logits. Everything that is
//! the same for every architecture — tokenisation, truncation, length-sorted batching, pooling —
//! lives in [`TextModel`], so adding an architecture means one new file plus one match arm in
//! [`load_encoder`].

mod batching;
mod bert;
mod deberta;
mod gelu;
mod random;
mod text_model;

pub use batching::{plan_batches, TokenBatch};
pub use random::random_checkpoint;
pub use text_model::{LoadOptions, ModelInput, Pooling, TextModel};

use crate::error::UserError;
use crate::models::Architecture;
use anyhow::{Context, Result};
use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

/// A transformer that maps a padded token batch to hidden states and, optionally, class logits.
pub trait Encoder: Send + Sync {
    /// Last-layer hidden states, `[batch, tokens, hidden]`.
    fn hidden_states(&self, batch: &TokenBatch) -> candle_core::Result<Tensor>;

    /// Sequence-classification logits, `[batch, labels]`; an error for bare encoders.
    fn logits(&self, batch: &TokenBatch) -> candle_core::Result<Tensor>;

    /// Class names in logit order (from the checkpoint's `id2label`); empty for bare encoders.
    fn labels(&self) -> &[String];
}

/// Maps a Hugging Face `model_type` (from `config.json`) to an architecture this build runs.
fn architecture_of(model_type: &str) -> Option<Architecture> {
    match model_type {
        "bert" => Some(Architecture::Bert),
        "deberta-v2" => Some(Architecture::DebertaV2),
        _ => None,
    }
}

/// Loads the encoder in `dir` (`config.json` + `model.safetensors`) onto `device`.
pub fn load_encoder(dir: &Path, device: &Device) -> Result<Box<dyn Encoder>> {
    let config_path = dir.join("config.json");
    let config_text = std::fs::read_to_string(&config_path).map_err(|e| {
        UserError::new(
            format!("cannot read {}: {e}", config_path.display()),
            "the model folder is incomplete: run `stancer models verify` or fetch it again",
        )
    })?;
    let config: serde_json::Value = serde_json::from_str(&config_text).map_err(|e| {
        UserError::new(
            format!("{} is not valid JSON: {e}", config_path.display()),
            "the model folder is corrupt: run `stancer models verify` or fetch it again",
        )
    })?;
    let architecture = architecture_in(&config, &config_path)?;
    let model_type = config["model_type"].as_str().unwrap_or_default();

    let weights = dir.join("model.safetensors");
    if !weights.is_file() {
        return Err(UserError::new(
            format!("{} is missing", weights.display()),
            "stancer reads safetensors weights only: fetch the model with `stancer models fetch`",
        ));
    }
    // SAFETY: the file is memory-mapped read-only; stancer never writes model files it maps.
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(&[&weights], candle_core::DType::F32, device)
    }
    .map_err(|e| {
        UserError::new(
            format!("cannot load {}: {e}", weights.display()),
            "the weights file is corrupt or truncated: run `stancer models verify` or fetch it again",
        )
    })?;
    build_encoder(architecture, vb, &config_text).with_context(|| {
        format!(
            "cannot build the {model_type} model from {}",
            weights.display()
        )
    })
}

/// The one place that maps an architecture to its implementation.
fn build_encoder(
    architecture: Architecture,
    vb: VarBuilder,
    config_text: &str,
) -> Result<Box<dyn Encoder>> {
    Ok(match architecture {
        Architecture::Bert => Box::new(bert::Bert::load(vb, config_text)?),
        Architecture::DebertaV2 => Box::new(deberta::DebertaV2::load(vb, config_text)?),
    })
}

/// Reads a config's `model_type` and maps it to an architecture this build runs.
fn architecture_in(config: &serde_json::Value, origin: &Path) -> Result<Architecture> {
    let model_type = config
        .get("model_type")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    architecture_of(model_type).ok_or_else(|| {
        UserError::new(
            format!(
                "{}: model_type '{model_type}' is not supported",
                origin.display()
            ),
            "supported model types: bert, deberta-v2",
        )
    })
}

/// Class names ordered by id from a config's `id2label`, or empty when it has none.
fn labels_from_config(config_text: &str) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Labels {
        #[serde(default)]
        id2label: std::collections::BTreeMap<String, String>,
    }
    let parsed: Labels = serde_json::from_str(config_text).context("reading id2label")?;
    let mut labels: Vec<(usize, String)> = parsed
        .id2label
        .into_iter()
        .map(|(id, name)| {
            id.parse::<usize>()
                .map(|id| (id, name))
                .with_context(|| format!("id2label key '{id}' is not an integer"))
        })
        .collect::<Result<_>>()?;
    labels.sort();
    if labels.iter().enumerate().any(|(i, (id, _))| i != *id) {
        anyhow::bail!("id2label ids are not 0..n-1");
    }
    Ok(labels.into_iter().map(|(_, name)| name).collect())
}

/// Whether a config declares a `…ForSequenceClassification` head.
fn has_classification_head(config_text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(config_text)
        .ok()
        .and_then(|v| v.get("architectures").cloned())
        .and_then(|a| a.as_array().cloned())
        .is_some_and(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .any(|x| x.ends_with("ForSequenceClassification"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_ordered_by_id_not_by_name() {
        let cfg = r#"{"id2label": {"2": "neutral", "0": "contradiction", "1": "entailment"}}"#;
        assert_eq!(
            labels_from_config(cfg).unwrap(),
            ["contradiction", "entailment", "neutral"]
        );
        assert!(labels_from_config(r#"{"id2label": {"0": "a", "2": "b"}}"#).is_err());
        assert!(labels_from_config("{}").unwrap().is_empty());
    }

    #[test]
    fn detects_classification_heads() {
        assert!(has_classification_head(
            r#"{"architectures": ["BertForSequenceClassification"]}"#
        ));
        assert!(!has_classification_head(
            r#"{"architectures": ["BertModel"]}"#
        ));
        assert!(!has_classification_head("{}"));
    }
}
