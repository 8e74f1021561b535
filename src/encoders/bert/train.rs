//! Training BERT's LoRA adapters and classification head: a forward pass that keeps what the
//! backward pass needs, and the backward pass written out by hand.
//!
//! Why not candle's autograd: it computes the gradient of every operand of every op, so each
//! frozen weight's gradient (a third of the arithmetic) is computed and thrown away, and every
//! node's gradient is first allocated as zeros and then added to; on a CPU that bookkeeping cost
//! more than the matmuls. Written out, the backward pass is a short list of matmuls and
//! elementwise ops over packed real tokens (padding only inside attention), it skips the input
//! gradient of the first layer (the embeddings are frozen), and it runs on any candle device.
//! `tests/finetune.rs` checks the loss and every gradient against PyTorch + peft.

use super::{Bert, Layer, LayerNorm, Packing};
use crate::encoders::lora::factor_names;
use crate::encoders::matmul::batched_matmul;
use crate::encoders::{backward, AdapterWeights, Dropout, Head, PaddedBatch, Projection, Site};
use candle_core::{IndexOp, Module, Result, Tensor};
use candle_nn::Linear;
use std::collections::BTreeMap;

/// Names of the head's tensors, as transformers' `BertForSequenceClassification` has them
/// (`BertForTokenClassification` has the classifier only).
pub const POOLER_WEIGHT: &str = "bert.pooler.dense.weight";
/// See [`POOLER_WEIGHT`].
pub const POOLER_BIAS: &str = "bert.pooler.dense.bias";
/// See [`POOLER_WEIGHT`].
pub const CLASSIFIER_WEIGHT: &str = "classifier.weight";
/// See [`POOLER_WEIGHT`].
pub const CLASSIFIER_BIAS: &str = "classifier.bias";

/// What the backward pass needs of the adapters of one linear layer (of query, key and value
/// together for the fused projection). Adapters that read the same input share one dropout mask
/// on it, so their down-projections are one matmul with the factors A stacked, and their
/// up-projections one matmul with the factors B laid out block-diagonally.
struct LoraSaved {
    /// The adapted parts: site, tensor names of A and B, and the part's index in the output.
    parts: Vec<(Site, String, String, usize)>,
    /// The adapters' input after its dropout.
    input: Tensor,
    /// The dropout mask on the input, if any.
    mask: Option<Tensor>,
    /// `input · [A…]ᵀ`, `[tokens, parts · r]`.
    down: Tensor,
    /// The stacked A factors, `[parts · r, in]`.
    a: Tensor,
    /// The B factors block-diagonally, `[out, parts · r]`.
    b: Tensor,
    /// Width of one part of the output (`out` divided by the parts of the projection).
    part_out: usize,
}

/// Activations of one transformer layer.
struct LayerSaved {
    qkv_lora: Option<LoraSaved>,
    /// Per head, `[batch, heads, width, head dim]`.
    q: Tensor,
    k: Tensor,
    v: Tensor,
    /// Attention probabilities before and after dropout.
    probs: Tensor,
    dropped_probs: Tensor,
    probs_mask: Option<Tensor>,
    attention_lora: Option<LoraSaved>,
    attention_mask: Option<Tensor>,
    /// The input of the first layer norm.
    norm1_input: Tensor,
    intermediate_lora: Option<LoraSaved>,
    /// The feed-forward pre-activation.
    pre_gelu: Tensor,
    output_lora: Option<LoraSaved>,
    output_mask: Option<Tensor>,
    /// The input of the second layer norm.
    norm2_input: Tensor,
}

/// Activations of the head.
enum HeadSaved {
    Sequence {
        /// `[CLS]` states of the last layer, `[batch, h]`.
        cls: Tensor,
        /// `tanh(pooler(cls))` before and after dropout.
        pooled: Tensor,
        dropped_pooled: Tensor,
        pooled_mask: Option<Tensor>,
    },
    Token {
        /// Every token's last-layer state after dropout, `[tokens, h]`.
        dropped: Tensor,
        mask: Option<Tensor>,
    },
}

/// Everything a training forward pass keeps.
pub(super) struct Saved {
    packing: Packing,
    layers: Vec<LayerSaved>,
    head: HeadSaved,
}

/// `xs ⊙ mask`, or `xs` when there is no mask.
fn masked(xs: &Tensor, mask: &Option<Tensor>) -> Result<Tensor> {
    match mask {
        Some(m) => xs * m,
        None => Ok(xs.clone()),
    }
}

/// Dropout when training (`dropout` given), else nothing.
fn drop(
    dropout: &mut Option<&mut Dropout>,
    xs: &Tensor,
    p: f64,
) -> Result<(Tensor, Option<Tensor>)> {
    match dropout {
        Some(d) => d.apply(xs, p),
        None => Ok((xs.clone(), None)),
    }
}

/// The B factors of `parts` laid out block-diagonally: `[parts_total · part_out, parts · rank]`,
/// part `index` of the output reading its own `rank` columns (rows of unadapted parts are zero).
fn block_diagonal(
    parts: &[(Site, String, String, usize)],
    weights: &AdapterWeights,
    parts_total: usize,
    part_out: usize,
    rank: usize,
) -> Result<Tensor> {
    if parts.len() == 1 && parts_total == 1 {
        return Ok(weights.get(&parts[0].2)?.clone());
    }
    let first = weights.get(&parts[0].2)?;
    let zeros = |rows, cols| Tensor::zeros((rows, cols), first.dtype(), first.device());
    let columns = parts.len() * rank;
    let rows = (0..parts_total)
        .map(|index| match parts.iter().position(|p| p.3 == index) {
            Some(j) => {
                let b = weights.get(&parts[j].2)?;
                let mut blocks = Vec::new();
                if j > 0 {
                    blocks.push(zeros(part_out, j * rank)?);
                }
                blocks.push(b.clone());
                if j + 1 < parts.len() {
                    blocks.push(zeros(part_out, columns - (j + 1) * rank)?);
                }
                Tensor::cat(&blocks, 1)
            }
            None => zeros(part_out, columns),
        })
        .collect::<Result<Vec<_>>>()?;
    Tensor::cat(&rows, 0)
}

/// Gradient of a frozen layer norm's input `xs`.
fn norm_backward(xs: &Tensor, grad: &Tensor, norm: &LayerNorm) -> Result<Tensor> {
    backward::layer_norm(xs, grad, &norm.weight, norm.eps)
}

impl Bert {
    /// Tensor names of the LoRA factors (A, B) of `site`, if it is adapted.
    fn factor_names(&self, site: Site, weights: &AdapterWeights) -> Option<(String, String)> {
        let path = super::PROJECTIONS
            .iter()
            .find(|(p, _)| *p == site.projection)
            .map(|(_, path)| *path)?;
        let names = factor_names(&format!(
            "{}.encoder.layer.{}.{path}",
            self.family.root, site.layer
        ));
        weights.tensors.contains_key(&names.0).then_some(names)
    }

    /// `linear(xs)` plus the LoRA deltas of `projections`, its output's parts in order (one,
    /// or query, key and value for the fused projection), keeping what backward needs.
    fn project(
        &self,
        layer: usize,
        linear: &Linear,
        projections: &[Projection],
        xs: &Tensor,
        weights: &AdapterWeights,
        dropout: &mut Option<&mut Dropout>,
    ) -> Result<(Tensor, Option<LoraSaved>)> {
        let base = linear.forward(xs)?;
        let parts: Vec<(Site, String, String, usize)> = projections
            .iter()
            .enumerate()
            .filter_map(|(index, &projection)| {
                let site = Site { layer, projection };
                self.factor_names(site, weights)
                    .map(|(a, b)| (site, a, b, index))
            })
            .collect();
        if parts.is_empty() {
            return Ok((base, None));
        }
        let part_out = base.dim(1)? / projections.len();
        let a_list = parts
            .iter()
            .map(|(_, a, _, _)| weights.get(a))
            .collect::<Result<Vec<_>>>()?;
        let a = Tensor::cat(&a_list, 0)?;
        let rank = a_list[0].dim(0)?;
        let b = block_diagonal(&parts, weights, projections.len(), part_out, rank)?;
        let (input, mask) = drop(dropout, xs, weights.lora_dropout)?;
        let down = input.matmul(&a.t()?)?;
        let delta = (down.matmul(&b.t()?)? * weights.scale)?;
        let saved = LoraSaved {
            parts,
            input,
            mask,
            down,
            a,
            b,
            part_out,
        };
        Ok(((base + delta)?, Some(saved)))
    }

    /// Gradient of `project`'s input (when `need_input`), adding the LoRA factors' gradients
    /// to `grads`.
    fn project_backward(
        &self,
        grad: &Tensor,
        linear: &Linear,
        saved: &Option<LoraSaved>,
        weights: &AdapterWeights,
        grads: &mut BTreeMap<String, Tensor>,
        need_input: bool,
    ) -> Result<Option<Tensor>> {
        let mut input_grad = if need_input {
            Some(grad.matmul(linear.weight())?)
        } else {
            None
        };
        let Some(lora) = saved else {
            return Ok(input_grad);
        };
        let (rank, part_out) = (lora.a.dim(0)? / lora.parts.len(), lora.part_out);
        // Only the diagonal blocks of the full products are gradients of B.
        let b_grad = (grad.t()?.matmul(&lora.down)? * weights.scale)?;
        let down_grad = (grad.matmul(&lora.b)? * weights.scale)?;
        let a_grad = down_grad.t()?.matmul(&lora.input)?;
        for (j, (_, a_name, b_name, index)) in lora.parts.iter().enumerate() {
            let block = b_grad
                .narrow(0, index * part_out, part_out)?
                .narrow(1, j * rank, rank)?
                .contiguous()?;
            grads.insert(b_name.clone(), block);
            grads.insert(
                a_name.clone(),
                a_grad.narrow(0, j * rank, rank)?.contiguous()?,
            );
        }
        if let Some(input_grad) = &mut input_grad {
            *input_grad = (&*input_grad + masked(&down_grad.matmul(&lora.a)?, &lora.mask)?)?;
        }
        Ok(input_grad)
    }

    /// Logits, and with `dropout` (training) the activations the backward pass needs.
    pub(super) fn forward_train(
        &self,
        batch: &PaddedBatch,
        weights: &AdapterWeights,
        mut dropout: Option<&mut Dropout>,
    ) -> Result<(Tensor, Option<Saved>)> {
        use Projection::*;
        let training = dropout.is_some();
        let packing = self.packing(batch)?;
        let p = self.config.hidden_dropout_prob;
        let (b, t) = (packing.batch, packing.width);
        let h = self.config.hidden_size;
        let d = h / self.heads;
        let mut hidden = drop(&mut dropout, &self.embed(batch, &packing)?, p)?.0;
        let mut layers = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let Layer {
                qkv,
                attention_output,
                attention_norm,
                intermediate,
                output,
                output_norm,
            } = layer;
            let (qkv_out, qkv_lora) =
                self.project(i, qkv, &[Query, Key, Value], &hidden, weights, &mut dropout)?;
            let grid = packing.pad(&qkv_out)?.reshape((b, t, 3, self.heads, d))?;
            let part = |j: usize| grid.i((.., .., j))?.transpose(1, 2)?.contiguous();
            let (q, k, v) = (part(0)?, part(1)?, part(2)?);
            let scores = (batched_matmul(&q, &k.t()?)? / (d as f64).sqrt())?
                .broadcast_add(&packing.key_bias)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let (dropped_probs, probs_mask) = drop(&mut dropout, &probs, self.attention_dropout)?;
            let context = batched_matmul(&dropped_probs, &v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b * t, h))?
                .index_select(&packing.grid_of_token, 0)?;
            let (attention, attention_lora) = self.project(
                i,
                attention_output,
                &[AttentionOutput],
                &context,
                weights,
                &mut dropout,
            )?;
            let (attention, attention_mask) = drop(&mut dropout, &attention, p)?;
            let norm1_input = (attention + &hidden)?;
            let attended = attention_norm.forward(&norm1_input)?;
            let (pre_gelu, intermediate_lora) = self.project(
                i,
                intermediate,
                &[Intermediate],
                &attended,
                weights,
                &mut dropout,
            )?;
            let (out, output_lora) = self.project(
                i,
                output,
                &[Output],
                &self.activate(&pre_gelu)?,
                weights,
                &mut dropout,
            )?;
            let (out, output_mask) = drop(&mut dropout, &out, p)?;
            let norm2_input = (out + &attended)?;
            let next = output_norm.forward(&norm2_input)?;
            if training {
                layers.push(LayerSaved {
                    qkv_lora,
                    q,
                    k,
                    v,
                    probs,
                    dropped_probs,
                    probs_mask,
                    attention_lora,
                    attention_mask,
                    norm1_input,
                    intermediate_lora,
                    pre_gelu,
                    output_lora,
                    output_mask,
                    norm2_input,
                });
            }
            hidden = next;
        }
        let p_head = self.config.classifier_dropout.unwrap_or(p);
        let classify = |xs: &Tensor| {
            xs.matmul(&weights.get(CLASSIFIER_WEIGHT)?.t()?)?
                .broadcast_add(weights.get(CLASSIFIER_BIAS)?)
        };
        let (logits, head) = match weights.head {
            Head::Sequence => {
                let cls = hidden.index_select(&packing.first_token, 0)?;
                let pooled = cls
                    .matmul(&weights.get(POOLER_WEIGHT)?.t()?)?
                    .broadcast_add(weights.get(POOLER_BIAS)?)?
                    .tanh()?;
                let (dropped_pooled, pooled_mask) = drop(&mut dropout, &pooled, p_head)?;
                let logits = classify(&dropped_pooled)?;
                let head = HeadSaved::Sequence {
                    cls,
                    pooled,
                    dropped_pooled,
                    pooled_mask,
                };
                (logits, head)
            }
            Head::Token => {
                let (dropped, mask) = drop(&mut dropout, &hidden, p_head)?;
                (classify(&dropped)?, HeadSaved::Token { dropped, mask })
            }
        };
        let saved = training.then_some(Saved {
            packing,
            layers,
            head,
        });
        Ok((logits, saved))
    }

    /// Gradients of every tensor in `weights` given the gradient of the logits.
    pub(super) fn backward(
        &self,
        saved: &Saved,
        weights: &AdapterWeights,
        logits_grad: &Tensor,
    ) -> Result<BTreeMap<String, Tensor>> {
        let mut grads = BTreeMap::new();
        let (head_input, head_mask) = match &saved.head {
            HeadSaved::Sequence {
                dropped_pooled,
                pooled_mask,
                ..
            } => (dropped_pooled, pooled_mask),
            HeadSaved::Token { dropped, mask } => (dropped, mask),
        };
        grads.insert(
            CLASSIFIER_WEIGHT.into(),
            logits_grad.t()?.matmul(head_input)?,
        );
        grads.insert(CLASSIFIER_BIAS.into(), logits_grad.sum(0)?);
        let input_grad = masked(
            &logits_grad.matmul(weights.get(CLASSIFIER_WEIGHT)?)?,
            head_mask,
        )?;
        let packing = &saved.packing;
        let mut grad = match &saved.head {
            HeadSaved::Sequence { cls, pooled, .. } => {
                let pre_grad = (input_grad * pooled.sqr()?.affine(-1.0, 1.0)?)?;
                grads.insert(POOLER_WEIGHT.into(), pre_grad.t()?.matmul(cls)?);
                grads.insert(POOLER_BIAS.into(), pre_grad.sum(0)?);
                let cls_grad = pre_grad.matmul(weights.get(POOLER_WEIGHT)?)?;
                let tokens = packing.grid_of_token.dim(0)?;
                let h = self.config.hidden_size;
                Tensor::zeros((tokens, h), cls_grad.dtype(), cls_grad.device())?.index_add(
                    &packing.first_token,
                    &cls_grad,
                    0,
                )?
            }
            HeadSaved::Token { .. } => input_grad,
        };
        for (i, (layer, s)) in self.layers.iter().zip(&saved.layers).enumerate().rev() {
            let after_norm2 = norm_backward(&s.norm2_input, &grad, &layer.output_norm)?;
            let out_grad = masked(&after_norm2, &s.output_mask)?;
            let activated_grad = self
                .project_backward(
                    &out_grad,
                    &layer.output,
                    &s.output_lora,
                    weights,
                    &mut grads,
                    true,
                )?
                .expect("input gradient requested");
            let pre_gelu_grad = backward::gelu(&s.pre_gelu, &activated_grad)?;
            let attended_grad = (self
                .project_backward(
                    &pre_gelu_grad,
                    &layer.intermediate,
                    &s.intermediate_lora,
                    weights,
                    &mut grads,
                    true,
                )?
                .expect("input gradient requested")
                + after_norm2)?;
            let after_norm1 = norm_backward(&s.norm1_input, &attended_grad, &layer.attention_norm)?;
            let attention_grad = masked(&after_norm1, &s.attention_mask)?;
            let context_grad = self
                .project_backward(
                    &attention_grad,
                    &layer.attention_output,
                    &s.attention_lora,
                    weights,
                    &mut grads,
                    true,
                )?
                .expect("input gradient requested");
            let qkv_grad = self.attention_backward(&context_grad, s, packing)?;
            // The first layer's input is the frozen embeddings: no gradient needed.
            let input_grad = self.project_backward(
                &qkv_grad,
                &layer.qkv,
                &s.qkv_lora,
                weights,
                &mut grads,
                i > 0,
            )?;
            if let Some(input_grad) = input_grad {
                grad = (input_grad + after_norm1)?;
            }
        }
        Ok(grads)
    }

    /// Gradient of the fused query-key-value projection's output, packed `[tokens, 3h]`,
    /// from the gradient of the attention's packed output.
    fn attention_backward(
        &self,
        context_grad: &Tensor,
        s: &LayerSaved,
        packing: &Packing,
    ) -> Result<Tensor> {
        let (b, t) = (packing.batch, packing.width);
        let h = self.config.hidden_size;
        let d = h / self.heads;
        let grid_grad = packing
            .pad(context_grad)?
            .reshape((b, t, self.heads, d))?
            .transpose(1, 2)?
            .contiguous()?;
        let dropped_grad = batched_matmul(&grid_grad, &s.v.t()?)?;
        let v_grad = batched_matmul(&s.dropped_probs.t()?, &grid_grad)?;
        let probs_grad = masked(&dropped_grad, &s.probs_mask)?;
        let scores_grad = (backward::softmax(&s.probs, &probs_grad)? / (d as f64).sqrt())?;
        let q_grad = batched_matmul(&scores_grad, &s.k)?;
        let k_grad = batched_matmul(&scores_grad.t()?, &s.q)?;
        Tensor::stack(&[q_grad, k_grad, v_grad], 2)?
            .permute((0, 3, 2, 1, 4))?
            .contiguous()?
            .reshape((b * t, 3 * h))?
            .index_select(&packing.grid_of_token, 0)
    }
}
