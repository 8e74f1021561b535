//! BERT family (BERT, MiniLM, …): bare encoders and `BertForSequenceClassification`.

use super::{has_classification_head, labels_from_config, Encoder, TokenBatch};
use anyhow::{Context, Result};
use candle_core::{Module, Tensor};
use candle_nn::{linear, Linear, VarBuilder};
use candle_transformers::models::bert::{BertModel, Config};

/// The pooler (`tanh(dense(h[CLS]))`) and classifier of `BertForSequenceClassification`.
struct ClassificationHead {
    pooler: Linear,
    classifier: Linear,
    labels: Vec<String>,
}

/// A BERT encoder with an optional sequence-classification head.
pub struct Bert {
    model: BertModel,
    head: Option<ClassificationHead>,
}

impl Bert {
    /// Builds the model from safetensors weights and `config.json` text.
    pub fn load(vb: VarBuilder, config_text: &str) -> Result<Self> {
        let config: Config =
            serde_json::from_str(config_text).context("config.json is not a BERT config")?;
        let model = BertModel::load(vb.clone(), &config)?;
        let head = if has_classification_head(config_text) {
            let labels = labels_from_config(config_text)?;
            let root = if vb.contains_tensor("bert.pooler.dense.weight") {
                vb.pp("bert")
            } else {
                vb.clone()
            };
            Some(ClassificationHead {
                pooler: linear(
                    config.hidden_size,
                    config.hidden_size,
                    root.pp("pooler.dense"),
                )?,
                classifier: linear(config.hidden_size, labels.len(), vb.pp("classifier"))?,
                labels,
            })
        } else {
            None
        };
        Ok(Self { model, head })
    }
}

impl Encoder for Bert {
    fn hidden_states(&self, batch: &TokenBatch) -> candle_core::Result<Tensor> {
        self.model.forward(
            &batch.input_ids,
            &batch.type_ids,
            Some(&batch.attention_mask),
        )
    }

    fn logits(&self, batch: &TokenBatch) -> candle_core::Result<Tensor> {
        let head = self.head.as_ref().ok_or_else(|| {
            candle_core::Error::Msg("this BERT checkpoint has no classification head".into())
        })?;
        let hidden = self.hidden_states(batch)?;
        let cls = hidden.narrow(1, 0, 1)?.squeeze(1)?;
        let pooled = head.pooler.forward(&cls)?.tanh()?;
        head.classifier.forward(&pooled)
    }

    fn labels(&self) -> &[String] {
        self.head.as_ref().map_or(&[], |h| &h.labels)
    }
}
