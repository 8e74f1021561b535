//! DeBERTa-v2/v3: bare encoders and `DebertaV2ForSequenceClassification`.

use super::{CandleEncoder, PaddedBatch};
use anyhow::Result;
use candle_core::{Module, Tensor};
use candle_nn::{linear, Linear, VarBuilder};
use candle_transformers::models::debertav2::{Config, DebertaV2ContextPooler, DebertaV2Model};

/// The context pooler and classifier of `DebertaV2ForSequenceClassification`.
struct ClassificationHead {
    pooler: DebertaV2ContextPooler,
    classifier: Linear,
    labels: Vec<String>,
}

/// A DeBERTa-v2 encoder with an optional sequence-classification head.
pub struct DebertaV2 {
    model: DebertaV2Model,
    head: Option<ClassificationHead>,
}

impl DebertaV2 {
    /// Builds the model from safetensors weights and its config, with a classification head
    /// over `head_labels` when the checkpoint has one.
    pub fn load(vb: VarBuilder, config: &Config, head_labels: Option<&[String]>) -> Result<Self> {
        let base = if vb.contains_tensor("deberta.embeddings.word_embeddings.weight") {
            vb.pp("deberta")
        } else {
            vb.clone()
        };
        let model = DebertaV2Model::load(base.clone(), config)?;
        let head = if let Some(labels) = head_labels {
            let labels = labels.to_vec();
            // The pooler and classifier sit at the checkpoint root, beside `deberta.`.
            let pooler = DebertaV2ContextPooler::load(vb.clone(), config)?;
            let classifier = linear(pooler.output_dim()?, labels.len(), vb.pp("classifier"))?;
            Some(ClassificationHead {
                pooler,
                classifier,
                labels,
            })
        } else {
            None
        };
        Ok(Self { model, head })
    }
}

impl CandleEncoder for DebertaV2 {
    fn hidden_states(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        self.model.forward(
            &batch.input_ids,
            Some(batch.type_ids.clone()),
            Some(batch.attention_mask.clone()),
        )
    }

    fn logits(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        let head = self.head.as_ref().ok_or_else(|| {
            candle_core::Error::Msg("this DeBERTa checkpoint has no classification head".into())
        })?;
        let hidden = self.hidden_states(batch)?;
        head.classifier.forward(&head.pooler.forward(&hidden)?)
    }

    fn labels(&self) -> &[String] {
        self.head.as_ref().map_or(&[], |h| &h.labels)
    }
}
