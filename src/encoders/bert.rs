//! BERT family (BERT, MiniLM, RoBERTa, …): bare encoders and their sequence classifiers.
//!
//! Members differ only in what [`Family`] holds (where the encoder sits in the checkpoint,
//! where positions start, whether token types are read, what the head is called), so each is
//! one small file that builds a `Family` (`roberta.rs`).
//!
//! The forward pass is written here rather than taken from candle-transformers because that one
//! spends a large share of CPU time on work the answer does not need:
//! - every dense layer, layer norm and GELU runs on the real tokens only, packed as
//!   `[tokens, hidden]`; padding is laid out just for the attention scores, whose cost is small;
//! - query, key and value come from one fused matmul;
//! - softmax, layer norm and GELU use single-pass, multi-threaded kernels.
//!
//! Each real token sees exactly the arithmetic of the reference model: padded keys get weight 0
//! either way, so only the padding rows, which nobody reads, differ (they are zero here).

mod train;

use super::gelu::gelu_erf;
use super::matmul::batched_matmul;
use super::{
    config::BertConfig, stored_name, AdaptableLinear, AdapterWeights, CandleEncoder, Dropout, Head,
    PaddedBatch, Projection, Site, Trainable,
};
use anyhow::{Context, Result};
use candle_core::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::{linear, Linear, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct};
use std::collections::BTreeMap;

/// Checkpoint name of each projection inside `encoder.layer.N`, in forward order.
const PROJECTIONS: [(Projection, &str); 6] = [
    (Projection::Query, "attention.self.query"),
    (Projection::Key, "attention.self.key"),
    (Projection::Value, "attention.self.value"),
    (Projection::AttentionOutput, "attention.output.dense"),
    (Projection::Intermediate, "intermediate.dense"),
    (Projection::Output, "output.dense"),
];
/// What sets a member of the BERT family apart from BERT.
#[derive(Debug, Clone)]
pub struct Family {
    /// Module path of the encoder inside the sequence-classification model, as adapters and
    /// task checkpoints name it (`bert`, `roberta`).
    pub root: &'static str,
    /// Position id of a sequence's first token: 0 for BERT; RoBERTa counts from its padding
    /// id + 1.
    pub position_offset: usize,
    /// Whether type ids are model inputs: RoBERTa has one token type, and its tokenizer's
    /// pair type ids are never passed to the model.
    pub token_types: bool,
    /// Task-model names of the head's dense layer (tanh after it, on the first token) and of
    /// its output layer.
    pub head: [&'static str; 2],
}

/// BERT itself.
pub const BERT: Family = Family {
    root: "bert",
    position_offset: 0,
    token_types: true,
    head: ["bert.pooler.dense", "classifier"],
};

/// The head: `out(tanh(dense(h[first])))`, BERT's pooler + classifier and RoBERTa's
/// `classifier.dense` + `classifier.out_proj` alike.
struct ClassificationHead {
    pooler: Linear,
    classifier: Linear,
    labels: Vec<String>,
}

/// Layer-norm weights; applied with candle's fused kernel.
struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        Ok(Self {
            weight: vb.get(config.hidden_size, "weight")?,
            bias: vb.get(config.hidden_size, "bias")?,
            eps: config.layer_norm_eps as f32,
        })
    }

    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(xs, &self.weight, &self.bias, self.eps)
    }
}

/// One transformer layer, with query, key and value weights stacked into one matrix.
struct Layer {
    qkv: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let attention = vb.pp("attention");
        let parts = ["query", "key", "value"]
            .iter()
            .map(|name| linear(h, h, attention.pp("self").pp(name)))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let weights: Vec<&Tensor> = parts.iter().map(Linear::weight).collect();
        let biases = parts
            .iter()
            .map(|p| p.bias().context("BERT attention projections have biases"))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            qkv: Linear::new(Tensor::cat(&weights, 0)?, Some(Tensor::cat(&biases, 0)?)),
            attention_output: linear(h, h, attention.pp("output.dense"))?,
            attention_norm: LayerNorm::load(attention.pp("output.LayerNorm"), config)?,
            intermediate: linear(h, i, vb.pp("intermediate.dense"))?,
            output: linear(i, h, vb.pp("output.dense"))?,
            output_norm: LayerNorm::load(vb.pp("output.LayerNorm"), config)?,
        })
    }
}

/// Where each packed token sits in the padded `[batch, width]` grid, and the reverse.
struct Packing {
    batch: usize,
    width: usize,
    /// For each real token, its index in the flattened grid (row-major).
    grid_of_token: Tensor,
    /// For each real token, its position in its sequence.
    position_of_token: Tensor,
    /// For each grid slot, its packed token, or `tokens` (one past the end) for padding.
    token_of_slot: Tensor,
    /// `[batch, 1, 1, width]`: 0 for real keys, `f32::MIN` for padding, as transformers does.
    key_bias: Tensor,
    /// For each sequence, its first (`[CLS]`) packed token.
    first_token: Tensor,
}

impl Packing {
    /// The packing of `mask`'s real tokens, positions counted from `position_offset`.
    fn new(mask: &Tensor, position_offset: usize, device: &Device) -> candle_core::Result<Self> {
        let (batch, width) = mask.dims2()?;
        let mask = mask.to_dtype(DType::U32)?.flatten_all()?.to_vec1::<u32>()?;
        let mut grid_of_token = Vec::new();
        let mut position_of_token = Vec::new();
        let mut token_of_slot = Vec::with_capacity(mask.len());
        let mut first_token = Vec::with_capacity(batch);
        let real = mask.iter().filter(|&&m| m != 0).count() as u32;
        for (slot, &m) in mask.iter().enumerate() {
            if slot % width == 0 {
                first_token.push(grid_of_token.len() as u32);
            }
            if m != 0 {
                token_of_slot.push(grid_of_token.len() as u32);
                grid_of_token.push(slot as u32);
                position_of_token.push((slot % width + position_offset) as u32);
            } else {
                token_of_slot.push(real);
            }
        }
        let key_bias: Vec<f32> = mask
            .iter()
            .map(|&m| if m != 0 { 0.0 } else { f32::MIN })
            .collect();
        Ok(Self {
            batch,
            width,
            grid_of_token: Tensor::new(grid_of_token, device)?,
            position_of_token: Tensor::new(position_of_token, device)?,
            token_of_slot: Tensor::new(token_of_slot, device)?,
            key_bias: Tensor::from_vec(key_bias, (batch, 1, 1, width), device)?,
            first_token: Tensor::new(first_token, device)?,
        })
    }

    /// `[tokens, n]` → `[batch, width, n]`, zeros on padding.
    fn pad(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        let n = xs.dim(1)?;
        let zero = Tensor::zeros((1, n), xs.dtype(), xs.device())?;
        Tensor::cat(&[xs, &zero], 0)?
            .index_select(&self.token_of_slot, 0)?
            .reshape((self.batch, self.width, n))
    }
}

/// A BERT-family encoder with an optional sequence-classification head.
pub struct Bert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embeddings: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    activation: HiddenAct,
    head: Option<ClassificationHead>,
    config: Config,
    /// Dropout rate of the attention probabilities in training (candle's `Config` omits it).
    attention_dropout: f64,
    /// Whether the checkpoint's tensors sit under the family's root (a task model) or at the
    /// checkpoint's root (a bare encoder).
    prefixed: bool,
    family: Family,
}

impl Bert {
    /// Builds a `family` model from safetensors weights and its config, with a classification
    /// head over `head_labels` when the checkpoint has one.
    pub fn load(
        vb: VarBuilder,
        bert: &BertConfig,
        head_labels: Option<&[String]>,
        family: Family,
    ) -> Result<Self> {
        let config = bert.base.clone();
        let attention_dropout = bert.attention_probs_dropout_prob;
        let prefixed = vb.contains_tensor(&format!(
            "{}.embeddings.word_embeddings.weight",
            family.root
        ));
        let root = if prefixed {
            vb.pp(family.root)
        } else {
            vb.clone()
        };
        let h = config.hidden_size;
        let embeddings = root.pp("embeddings");
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(root.pp(format!("encoder.layer.{i}")), &config))
            .collect::<Result<Vec<_>>>()?;
        let head = if let Some(labels) = head_labels {
            let labels = labels.to_vec();
            let [dense, out] = family.head;
            Some(ClassificationHead {
                pooler: linear(h, h, vb.pp(stored_name(dense, family.root, prefixed)))?,
                classifier: linear(
                    h,
                    labels.len(),
                    vb.pp(stored_name(out, family.root, prefixed)),
                )?,
                labels,
            })
        } else {
            None
        };
        Ok(Self {
            word_embeddings: embeddings.get((config.vocab_size, h), "word_embeddings.weight")?,
            position_embeddings: embeddings.get(
                (config.max_position_embeddings, h),
                "position_embeddings.weight",
            )?,
            token_type_embeddings: embeddings
                .get((config.type_vocab_size, h), "token_type_embeddings.weight")?,
            embedding_norm: LayerNorm::load(embeddings.pp("LayerNorm"), &config)?,
            layers,
            heads: config.num_attention_heads,
            activation: config.hidden_act,
            head,
            config,
            attention_dropout,
            prefixed,
            family,
        })
    }

    /// Where `batch`'s real tokens sit, positions counted as this model counts them.
    fn packing(&self, batch: &PaddedBatch) -> candle_core::Result<Packing> {
        Packing::new(
            &batch.attention_mask,
            self.family.position_offset,
            batch.input_ids.device(),
        )
    }

    /// Word + token type + position embeddings of the real tokens, layer-normed: `[tokens, h]`.
    fn embed(&self, batch: &PaddedBatch, packing: &Packing) -> candle_core::Result<Tensor> {
        let pick = |ids: &Tensor| ids.flatten_all()?.index_select(&packing.grid_of_token, 0);
        let words = self
            .word_embeddings
            .index_select(&pick(&batch.input_ids)?, 0)?;
        let positions = self
            .position_embeddings
            .index_select(&packing.position_of_token, 0)?;
        let words = if self.family.token_types {
            let types = self
                .token_type_embeddings
                .index_select(&pick(&batch.type_ids)?, 0)?;
            (words + types)?
        } else {
            words.broadcast_add(&self.token_type_embeddings.i(0)?)?
        };
        self.embedding_norm.forward(&(words + positions)?)
    }

    fn activate(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        match self.activation {
            HiddenAct::Gelu => gelu_erf(xs),
            HiddenAct::GeluApproximate => xs.gelu(),
            HiddenAct::Relu => xs.relu(),
        }
    }

    /// Multi-head self-attention of packed `[tokens, 3h]` projections: `[tokens, h]`.
    ///
    /// Attention runs in f32 whatever the model's float type, as torch's scaled-dot-product
    /// kernels accumulate half types in f32: rounding its scores, probabilities and sums to a
    /// half type put the tiny RoBERTa's f16 embeddings at 2.0 times transformers' own distance
    /// from f32 (1.5 times in f32); its cost is small beside the dense layers, which stay in the
    /// model's type.
    fn attend(&self, qkv: &Tensor, packing: &Packing) -> candle_core::Result<Tensor> {
        let (b, t) = (packing.batch, packing.width);
        let h = qkv.dim(1)? / 3;
        let d = h / self.heads;
        let grid = packing
            .pad(&qkv.to_dtype(DType::F32)?)?
            .reshape((b, t, 3, self.heads, d))?;
        let part = |i: usize| grid.i((.., .., i))?.transpose(1, 2)?.contiguous();
        let (q, k, v) = (part(0)?, part(1)?, part(2)?);
        let scores =
            (batched_matmul(&q, &k.t()?)? / (d as f64).sqrt())?.broadcast_add(&packing.key_bias)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        batched_matmul(&probs, &v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b * t, h))?
            .index_select(&packing.grid_of_token, 0)?
            .to_dtype(qkv.dtype())
    }

    /// Last-layer states of the real tokens, packed: `[tokens, h]`.
    fn encode(&self, batch: &PaddedBatch, packing: &Packing) -> candle_core::Result<Tensor> {
        let mut hidden = self.embed(batch, packing)?;
        for layer in &self.layers {
            let context = self.attend(&layer.qkv.forward(&hidden)?, packing)?;
            let attended = layer
                .attention_norm
                .forward(&(layer.attention_output.forward(&context)? + &hidden)?)?;
            let inner = self.activate(&layer.intermediate.forward(&attended)?)?;
            hidden = layer
                .output_norm
                .forward(&(layer.output.forward(&inner)? + &attended)?)?;
        }
        Ok(hidden)
    }
}

impl Trainable for Bert {
    fn adaptable(&self) -> Vec<AdaptableLinear> {
        let (h, i) = (self.config.hidden_size, self.config.intermediate_size);
        (0..self.layers.len())
            .flat_map(|layer| {
                PROJECTIONS.iter().map(move |&(projection, path)| {
                    let (in_dim, out_dim) = match projection {
                        Projection::Intermediate => (h, i),
                        Projection::Output => (i, h),
                        _ => (h, h),
                    };
                    AdaptableLinear {
                        site: Site { layer, projection },
                        module: format!("{}.encoder.layer.{layer}.{path}", self.family.root),
                        in_dim,
                        out_dim,
                    }
                })
            })
            .collect()
    }

    fn head_shapes(&self, head: Head, labels: usize) -> Vec<(String, Vec<usize>)> {
        let h = self.config.hidden_size;
        let pooler = [
            (train::POOLER_WEIGHT.into(), vec![h, h]),
            (train::POOLER_BIAS.into(), vec![h]),
        ];
        let classifier = [
            (train::CLASSIFIER_WEIGHT.into(), vec![labels, h]),
            (train::CLASSIFIER_BIAS.into(), vec![labels]),
        ];
        match head {
            Head::Sequence => pooler.into_iter().chain(classifier).collect(),
            Head::Token => classifier.into(),
        }
    }

    fn checkpoint_name(&self, name: &str) -> String {
        stored_name(name, self.family.root, self.prefixed)
    }

    fn initializer_range(&self) -> f64 {
        self.config.initializer_range
    }

    fn adapted_logits(
        &self,
        batch: &PaddedBatch,
        weights: &AdapterWeights,
    ) -> candle_core::Result<Tensor> {
        Ok(self.forward_train(batch, weights, None)?.0)
    }

    fn gradients(
        &self,
        batch: &PaddedBatch,
        weights: &AdapterWeights,
        dropout: &mut Dropout,
        loss: &dyn Fn(&Tensor) -> candle_core::Result<(f64, Tensor)>,
    ) -> candle_core::Result<(f64, BTreeMap<String, Tensor>)> {
        let (logits, saved) = self.forward_train(batch, weights, Some(dropout))?;
        let saved = saved.expect("a training pass keeps its activations");
        let (value, dlogits) = loss(&logits)?;
        Ok((value, self.backward(&saved, weights, &dlogits)?))
    }
}

impl CandleEncoder for Bert {
    fn hidden_states(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        let packing = self.packing(batch)?;
        packing.pad(&self.encode(batch, &packing)?)
    }

    fn logits(&self, batch: &PaddedBatch) -> candle_core::Result<Tensor> {
        let head = self.head.as_ref().ok_or_else(|| {
            candle_core::Error::Msg("this BERT checkpoint has no classification head".into())
        })?;
        let hidden = self.hidden_states(batch)?;
        let cls = hidden.i((.., 0))?;
        let pooled = head.pooler.forward(&cls)?.tanh()?;
        head.classifier.forward(&pooled)
    }

    fn labels(&self) -> &[String] {
        self.head.as_ref().map_or(&[], |h| &h.labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_maps_real_tokens_and_zero_pads() {
        let mask = Tensor::new(&[[1u32, 1, 1], [1, 1, 0]], &Device::Cpu).unwrap();
        let packing = Packing::new(&mask, 2, &Device::Cpu).unwrap();
        assert_eq!(
            packing.grid_of_token.to_vec1::<u32>().unwrap(),
            [0, 1, 2, 3, 4]
        );
        assert_eq!(
            packing.position_of_token.to_vec1::<u32>().unwrap(),
            [2, 3, 4, 2, 3]
        );
        assert_eq!(
            packing.token_of_slot.to_vec1::<u32>().unwrap(),
            [0, 1, 2, 3, 4, 5]
        );
        let packed = Tensor::new(&[[1f32], [2.], [3.], [4.], [5.]], &Device::Cpu).unwrap();
        assert_eq!(
            packing.pad(&packed).unwrap().to_vec3::<f32>().unwrap(),
            [[[1.], [2.], [3.]], [[4.], [5.], [0.]]]
        );
        assert_eq!(
            packing
                .key_bias
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap(),
            [0., 0., 0., 0., 0., f32::MIN]
        );
    }
}
