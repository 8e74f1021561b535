//! The candle backend: architectures written on candle tensors ([`CandleEncoder`]) behind the
//! backend-neutral [`Encoder`], padding each host batch on the model's device and pooling there.

use super::{Encoder, PaddedBatch, Pooling, TokenBatch};
use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor, D};

/// A transformer on candle tensors: a padded batch to hidden states and, optionally, logits.
pub trait CandleEncoder: Send + Sync {
    /// Last-layer hidden states, `[batch, tokens, hidden]`.
    fn hidden_states(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor>;

    /// Sequence-classification logits, `[batch, labels]`; an error for bare encoders.
    fn logits(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor>;

    /// Class names in logit order (from the checkpoint's `id2label`); empty for bare encoders.
    fn labels(&self) -> &[String];
}

/// A [`CandleEncoder`] on its device.
pub struct CandleBackend {
    /// The architecture.
    pub model: Box<dyn CandleEncoder>,
    /// Where its weights are.
    pub device: Device,
    /// The longest input its position table covers.
    pub max_tokens: usize,
}

impl CandleBackend {
    /// Pads `batch`, runs `forward` and reads its `[b, n]` output back as f32 rows.
    fn rows(
        &self,
        batch: &TokenBatch,
        forward: impl Fn(&PaddedBatch) -> candle_core::Result<Tensor>,
    ) -> Result<Vec<Vec<f32>>> {
        PaddedBatch::new(batch, &self.device)
            .and_then(|padded| forward(&padded))
            .and_then(|t| t.to_dtype(DType::F32))
            .and_then(|t| t.to_vec2::<f32>())
            .context("model forward pass failed")
    }
}

impl Encoder for CandleBackend {
    fn embed(
        &self,
        batch: &TokenBatch,
        pooling: Pooling,
        normalize: bool,
    ) -> Result<Vec<Vec<f32>>> {
        self.rows(batch, |padded| {
            // Pooled in f32 whatever the model's float type: sums over hundreds of tokens.
            let hidden = self.model.hidden_states(padded)?.to_dtype(DType::F32)?;
            let pooled = pool(&hidden, &padded.attention_mask, pooling)?;
            if normalize {
                l2_normalize(&pooled)
            } else {
                Ok(pooled)
            }
        })
    }

    fn logits(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>> {
        self.rows(batch, |padded| self.model.logits(padded))
    }

    fn labels(&self) -> &[String] {
        self.model.labels()
    }

    fn concurrent(&self) -> bool {
        self.device.is_cpu()
    }

    fn max_tokens(&self) -> usize {
        self.max_tokens
    }
}

/// Pools `[b, t, h]` hidden states to `[b, h]` over the tokens the mask keeps.
pub(super) fn pool(
    hidden: &Tensor,
    mask: &Tensor,
    pooling: Pooling,
) -> candle_core::Result<Tensor> {
    match pooling {
        Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1),
        Pooling::Mean => {
            let mask = mask.to_dtype(hidden.dtype())?.unsqueeze(D::Minus1)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
            summed.broadcast_div(&counts)
        }
    }
}

/// Divides each row by its L2 norm (floored at 1e-12, as torch's `F.normalize`).
fn l2_normalize(x: &Tensor) -> candle_core::Result<Tensor> {
    let norms = x
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12, f64::MAX)?;
    x.broadcast_div(&norms)
}
