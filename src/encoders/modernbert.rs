//! ModernBERT: candle-transformers' encoder (rotary positions, GeGLU, global and sliding-window
//! attention layers, no biases) under transformers' sequence-classification head, with its
//! config read in either layout: the hub checkpoints' (transformers 4) or transformers 5's.

use super::candle_backend::pool;
use super::{CandleEncoder, PaddedBatch, Pooling};
use crate::error::UserError;
use anyhow::Result;
use candle_core::{Module, Tensor};
use candle_nn::{layer_norm_no_bias, linear, linear_no_bias, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::modernbert;
use serde::Deserialize;
use std::collections::BTreeMap;

/// candle's config and what the classification head adds.
#[derive(Debug, Clone)]
pub struct ModernBertConfig {
    /// candle's config.
    pub base: modernbert::Config,
    /// What the head reads: the first token's state (`cls`) or the mean over tokens.
    pub pooling: Pooling,
}

/// `config.json` as either transformers version writes it.
#[derive(Deserialize)]
struct Raw {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    norm_eps: f64,
    pad_token_id: u32,
    local_attention: usize,
    // transformers 4 (the hub's checkpoints)
    global_attn_every_n_layers: Option<usize>,
    global_rope_theta: Option<f64>,
    local_rope_theta: Option<f64>,
    // transformers 5
    layer_types: Option<Vec<String>>,
    rope_parameters: Option<BTreeMap<String, RopeParameters>>,
    #[serde(default = "cls")]
    classifier_pooling: String,
    #[serde(default = "gelu")]
    hidden_activation: String,
    #[serde(default = "gelu")]
    classifier_activation: String,
    #[serde(default)]
    attention_bias: bool,
    #[serde(default)]
    mlp_bias: bool,
    #[serde(default)]
    norm_bias: bool,
    #[serde(default)]
    classifier_bias: bool,
}

#[derive(Deserialize)]
struct RopeParameters {
    rope_theta: f64,
}

fn cls() -> String {
    "cls".into()
}

fn gelu() -> String {
    "gelu".into()
}

impl ModernBertConfig {
    /// Reads a ModernBERT `config.json`, refusing settings candle's encoder does not build.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: Raw = serde_json::from_str(text)?;
        let unsupported = |what: String| {
            UserError::new(
                format!("ModernBERT with {what} is not supported"),
                "stancer runs ModernBERT as released: no biases, GELU, cls or mean pooling",
            )
        };
        for (name, set) in [
            ("attention_bias", raw.attention_bias),
            ("mlp_bias", raw.mlp_bias),
            ("norm_bias", raw.norm_bias),
            ("classifier_bias", raw.classifier_bias),
        ] {
            if set {
                return Err(unsupported(format!("{name} true")));
            }
        }
        for (name, value) in [
            ("hidden_activation", &raw.hidden_activation),
            ("classifier_activation", &raw.classifier_activation),
        ] {
            if value != "gelu" {
                return Err(unsupported(format!("{name} {value}")));
            }
        }
        let pooling = match raw.classifier_pooling.as_str() {
            "cls" => Pooling::Cls,
            "mean" => Pooling::Mean,
            other => return Err(unsupported(format!("classifier_pooling {other}"))),
        };
        let every_n = match (&raw.layer_types, raw.global_attn_every_n_layers) {
            (Some(types), _) => global_period(types).ok_or_else(|| {
                unsupported(format!(
                    "layer_types {types:?} (not one global layer every n)"
                ))
            })?,
            (None, Some(n)) if n > 0 => n,
            _ => anyhow::bail!("neither layer_types nor global_attn_every_n_layers"),
        };
        let theta = |kind: &str, legacy: Option<f64>| -> Result<f64> {
            raw.rope_parameters
                .as_ref()
                .and_then(|p| p.get(kind))
                .map(|p| p.rope_theta)
                .or(legacy)
                .ok_or_else(|| anyhow::anyhow!("no rope theta for {kind} layers"))
        };
        let base = modernbert::Config {
            vocab_size: raw.vocab_size,
            hidden_size: raw.hidden_size,
            num_hidden_layers: raw.num_hidden_layers,
            num_attention_heads: raw.num_attention_heads,
            intermediate_size: raw.intermediate_size,
            max_position_embeddings: raw.max_position_embeddings,
            layer_norm_eps: raw.norm_eps,
            pad_token_id: raw.pad_token_id,
            global_attn_every_n_layers: every_n,
            global_rope_theta: theta("full_attention", raw.global_rope_theta)?,
            local_attention: raw.local_attention,
            local_rope_theta: theta("sliding_attention", raw.local_rope_theta)?,
            classifier_config: None,
        };
        Ok(Self { base, pooling })
    }
}

/// `n` where layer `i` is global exactly when `i % n == 0`, as candle builds the layers.
fn global_period(types: &[String]) -> Option<usize> {
    let n = types
        .iter()
        .skip(1)
        .position(|t| t == "full_attention")
        .map_or(types.len(), |p| p + 1);
    let global = |t: &String| t == "full_attention";
    types
        .iter()
        .enumerate()
        .all(|(i, t)| global(t) == (i % n == 0) && (global(t) || t == "sliding_attention"))
        .then_some(n)
}

/// transformers' `ModernBertPredictionHead` and classifier.
struct ClassificationHead {
    dense: Linear,
    norm: LayerNorm,
    classifier: Linear,
    labels: Vec<String>,
}

/// A ModernBERT encoder with an optional sequence-classification head.
pub struct ModernBert {
    model: modernbert::ModernBert,
    head: Option<ClassificationHead>,
    pooling: Pooling,
}

impl ModernBert {
    /// Builds the model from safetensors weights and its config, with a classification head
    /// over `head_labels` when the checkpoint has one.
    pub fn load(
        vb: VarBuilder,
        config: &ModernBertConfig,
        head_labels: Option<&[String]>,
    ) -> Result<Self> {
        let c = &config.base;
        let model = modernbert::ModernBert::load(vb.clone(), c)?;
        let head = match head_labels {
            Some(labels) => Some(ClassificationHead {
                dense: linear_no_bias(c.hidden_size, c.hidden_size, vb.pp("head.dense"))?,
                norm: layer_norm_no_bias(c.hidden_size, c.layer_norm_eps, vb.pp("head.norm"))?,
                classifier: linear(c.hidden_size, labels.len(), vb.pp("classifier"))?,
                labels: labels.to_vec(),
            }),
            None => None,
        };
        Ok(Self {
            model,
            head,
            pooling: config.pooling,
        })
    }
}

impl CandleEncoder for ModernBert {
    fn hidden_states(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        self.model.forward(&batch.input_ids, &batch.attention_mask)
    }

    fn logits(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        let head = self.head.as_ref().ok_or_else(|| {
            candle_core::Error::Msg("this ModernBERT checkpoint has no classification head".into())
        })?;
        let hidden = self.hidden_states(batch)?;
        let pooled = pool(&hidden, &batch.attention_mask, self.pooling)?;
        let features = head
            .norm
            .forward(&head.dense.forward(&pooled)?.gelu_erf()?)?;
        head.classifier.forward(&features)
    }

    fn labels(&self) -> &[String] {
        self.head.as_ref().map_or(&[], |h| &h.labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn both_config_layouts_give_the_same_model() {
        let hub = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny-modernbert-cls/config.json"
        ))
        .unwrap();
        let mut v5: serde_json::Value = serde_json::from_str(&hub).unwrap();
        let fields = v5.as_object_mut().unwrap();
        for legacy in [
            "global_attn_every_n_layers",
            "global_rope_theta",
            "local_rope_theta",
        ] {
            fields.remove(legacy);
        }
        fields.insert(
            "layer_types".into(),
            serde_json::json!(["full_attention", "sliding_attention", "sliding_attention"]),
        );
        fields.insert(
            "rope_parameters".into(),
            serde_json::json!({
                "full_attention": {"rope_type": "default", "rope_theta": 160000.0},
                "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}
            }),
        );
        let (a, b) = (
            ModernBertConfig::parse(&hub).unwrap(),
            ModernBertConfig::parse(&v5.to_string()).unwrap(),
        );
        assert_eq!(a.base, b.base);
        assert_eq!(
            (a.base.global_attn_every_n_layers, a.base.local_attention),
            (3, 8)
        );
        v5["mlp_bias"] = true.into();
        let e = ModernBertConfig::parse(&v5.to_string()).unwrap_err();
        assert!(e.to_string().contains("mlp_bias true"), "{e}");
    }

    #[test]
    fn the_global_layer_period_is_read_from_layer_types() {
        let (g, s) = ("full_attention", "sliding_attention");
        assert_eq!(global_period(&types(&[g, s, s, g, s, s])), Some(3));
        assert_eq!(global_period(&types(&[g, g])), Some(1));
        assert_eq!(global_period(&types(&[g, s])), Some(2));
        assert_eq!(global_period(&types(&[g, s, g, s, s])), None);
        assert_eq!(global_period(&types(&[s, g])), None);
    }
}
