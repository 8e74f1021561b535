//! A tokenizer and an encoder together: text in, pooled vectors or logits out, in input order.

use super::{load_encoder, plan_batches, Encoder, TokenBatch};
use crate::device::Precision;
use crate::error::UserError;
pub use crate::models::Pooling;
use crate::models::{Architecture, ModelManifest};
use anyhow::Result;
use candle_core::{DType, Device};
use rayon::prelude::*;
use std::path::Path;
use tokenizers::{
    EncodeInput, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

/// Options that come from a model manifest or the command line rather than from the checkpoint.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Token limit including special tokens; default: the tokenizer config's
    /// `model_max_length`, capped by `max_position_embeddings`.
    pub max_length: Option<usize>,
    /// Sentence pooling for [`TextModel::embed`].
    pub pooling: Pooling,
    /// Whether embeddings are L2-normalised.
    pub normalize: bool,
    /// A LoRA adapter folder (PEFT layout) merged into the weights at load time.
    pub adapter: Option<std::path::PathBuf>,
    /// The architecture the model's manifest declares: loading fails when `config.json` says
    /// another (`None`: a folder without a manifest).
    pub architecture: Option<Architecture>,
    /// The float type of weights and activations, resolved against the device and the
    /// architecture at load.
    pub precision: Precision,
}

impl LoadOptions {
    /// The options a model's manifest sets: its token limit, pooling, normalisation and
    /// architecture.
    pub fn from_manifest(manifest: &ModelManifest) -> Self {
        LoadOptions {
            max_length: manifest.max_seq_length,
            pooling: manifest.pooling.unwrap_or_default(),
            normalize: manifest.normalize,
            adapter: None,
            architecture: Some(manifest.architecture),
            precision: Precision::Auto,
        }
    }
}

/// One model input: a single text, or a (premise, hypothesis) pair for cross-encoders.
#[derive(Debug, Clone, Copy)]
pub enum ModelInput<'a> {
    /// One sequence.
    Single(&'a str),
    /// Two sequences; only the first is ever truncated.
    Pair(&'a str, &'a str),
}

/// One text's tokens and where each lies in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetTokens {
    /// Token ids, special tokens included.
    pub ids: Vec<u32>,
    /// Byte range of each token in the text; `None` for special tokens.
    pub offsets: Vec<Option<(usize, usize)>>,
}

/// A checkpoint's tokenizer set up for stancer: truncation at the model's limit, no padding
/// (batches pad themselves to their longest item).
pub struct TextTokenizer {
    tokenizer: Tokenizer,
    pad_id: u32,
    max_length: usize,
}

impl TextTokenizer {
    /// Loads `tokenizer.json` from `dir`, truncating at `max_length` tokens.
    pub fn load(dir: &Path, max_length: usize) -> Result<Self> {
        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path).map_err(|e| {
            UserError::new(
                format!("cannot load {}: {e}", tokenizer_path.display()),
                "the model folder is incomplete or corrupt: run `stancer models verify` or fetch it again",
            )
        })?;
        let pad_id = tokenizer
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| tokenizer.token_to_id("[PAD]"))
            .or_else(|| tokenizer.token_to_id("<pad>"))
            .unwrap_or(0);
        // Tokenizer files often bake in fixed padding (all-MiniLM-L6-v2 pads every text to
        // 128); padding is done per batch instead, and truncation follows `max_length`.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length,
                strategy: TruncationStrategy::OnlyFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(anyhow::Error::msg)?;
        Ok(Self {
            tokenizer,
            pad_id,
            max_length,
        })
    }

    /// Token limit applied to every input, special tokens included.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// The id padding positions carry.
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// Token ids of each text after truncation, special tokens included, with each token's
    /// byte range in its text (`None` for special tokens): what a span tagger maps its tags back
    /// to the text through.
    pub fn tokenize_with_offsets(&self, texts: &[&str]) -> Result<Vec<OffsetTokens>> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| anyhow::anyhow!("tokenisation failed: {e}"))?;
        Ok(encodings
            .into_iter()
            .map(|e| OffsetTokens {
                offsets: e
                    .get_offsets()
                    .iter()
                    .zip(e.get_special_tokens_mask())
                    .map(|(&range, &special)| (special == 0).then_some(range))
                    .collect(),
                ids: e.get_ids().to_vec(),
            })
            .collect())
    }

    /// Token ids and type ids for each input after truncation, special tokens included.
    pub fn tokenize(&self, inputs: &[ModelInput]) -> Result<Vec<(Vec<u32>, Vec<u32>)>> {
        let encode_inputs: Vec<EncodeInput> = inputs
            .iter()
            .map(|input| match *input {
                ModelInput::Single(text) => EncodeInput::from(text),
                ModelInput::Pair(first, second) => EncodeInput::from((first, second)),
            })
            .collect();
        let encodings = self
            .tokenizer
            .encode_batch(encode_inputs, true)
            .map_err(|e| {
                UserError::new(
                    format!("tokenisation failed: {e}"),
                    format!(
                        "a pair's second text must fit in {} tokens with room for the first",
                        self.max_length
                    ),
                )
            })?;
        Ok(encodings
            .into_iter()
            .map(|e| (e.get_ids().to_vec(), e.get_type_ids().to_vec()))
            .collect())
    }
}

/// A loaded model ready to embed or classify text.
pub struct TextModel {
    tokenizer: TextTokenizer,
    encoder: Box<dyn Encoder>,
    device: Device,
    dtype: DType,
    options: LoadOptions,
}

impl TextModel {
    /// Loads `tokenizer.json`, `config.json` and `model.safetensors` from `dir` (and the
    /// adapter `options` name, if any).
    pub fn load(dir: &Path, options: LoadOptions, device: &Device) -> Result<Self> {
        let (encoder, dtype) = load_encoder(
            dir,
            options.adapter.as_deref(),
            options.architecture,
            device,
            options.precision,
        )?;
        let max_length = options
            .max_length
            .unwrap_or_else(|| declared_max_length(dir, encoder.max_tokens()));
        let tokenizer = TextTokenizer::load(dir, max_length)?;
        Ok(Self {
            tokenizer,
            encoder,
            device: device.clone(),
            dtype,
            options,
        })
    }

    /// The device the model was loaded on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The float type its weights and activations use.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Class names in logit order; empty for embedding models.
    pub fn labels(&self) -> &[String] {
        self.encoder.labels()
    }

    /// Index of the entailment class, found by name as transformers' zero-shot pipeline does.
    pub fn entailment_index(&self) -> Option<usize> {
        self.labels()
            .iter()
            .position(|l| l.to_lowercase().starts_with("entail"))
    }

    /// Token limit applied to every input, special tokens included.
    pub fn max_length(&self) -> usize {
        self.tokenizer.max_length()
    }

    /// Token ids and type ids for each input after truncation, special tokens included.
    pub fn tokenize(&self, inputs: &[ModelInput]) -> Result<Vec<(Vec<u32>, Vec<u32>)>> {
        self.tokenizer.tokenize(inputs)
    }

    /// Sentence embeddings, one `Vec<f32>` per text, in input order.
    pub fn embed(&self, texts: &[&str], batch_size: usize) -> Result<Vec<Vec<f32>>> {
        let inputs: Vec<ModelInput> = texts.iter().map(|t| ModelInput::Single(t)).collect();
        self.run_batched(&inputs, batch_size, |batch| {
            self.encoder
                .embed(batch, self.options.pooling, self.options.normalize)
        })
    }

    /// Class logits, one `Vec<f32>` per input, in input order.
    pub fn logits(&self, inputs: &[ModelInput], batch_size: usize) -> Result<Vec<Vec<f32>>> {
        self.run_batched(inputs, batch_size, |batch| self.encoder.logits(batch))
    }

    /// Tokenises, runs `forward` on length-sorted batches and restores input order.
    ///
    /// On a CPU backend, batches run concurrently on rayon's pool: much of a forward pass
    /// (attention, softmax, layer norm, copies) runs on one thread, so one batch at a time leaves
    /// the other cores idle; the matmuls still share the same pool. Each batch's result does not
    /// depend on what runs beside it, so outputs are the same as running them one after another.
    fn run_batched<F>(
        &self,
        inputs: &[ModelInput],
        batch_size: usize,
        forward: F,
    ) -> Result<Vec<Vec<f32>>>
    where
        F: Fn(&TokenBatch) -> Result<Vec<Vec<f32>>> + Sync,
    {
        let tokens = self.tokenize(inputs)?;
        let lengths: Vec<usize> = tokens.iter().map(|(ids, _)| ids.len()).collect();
        let plan = plan_batches(&lengths, batch_size);
        let run_one = |indices: &Vec<usize>| -> Result<Vec<Vec<f32>>> {
            let items: Vec<(&[u32], &[u32])> = indices
                .iter()
                .map(|&i| (tokens[i].0.as_slice(), tokens[i].1.as_slice()))
                .collect();
            forward(&TokenBatch::new(&items, self.tokenizer.pad_id()))
        };
        let outputs: Vec<Vec<Vec<f32>>> = if self.encoder.concurrent() {
            plan.par_iter().map(run_one).collect::<Result<_>>()?
        } else {
            plan.iter().map(run_one).collect::<Result<_>>()?
        };
        let mut results: Vec<Vec<f32>> = vec![Vec::new(); inputs.len()];
        for (indices, rows) in plan.iter().zip(outputs) {
            for (&i, row) in indices.iter().zip(rows) {
                results[i] = row;
            }
        }
        Ok(results)
    }
}

/// The token limit a checkpoint declares: `model_max_length` from `tokenizer_config.json`
/// (absent, or the huge sentinel transformers writes for "none"), capped by `model_tokens`, the
/// longest input the model's position table covers.
fn declared_max_length(dir: &Path, model_tokens: usize) -> usize {
    let declared = || -> Option<usize> {
        let text = std::fs::read_to_string(dir.join("tokenizer_config.json")).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("model_max_length")?.as_u64().map(|n| n as usize)
    };
    declared().map_or(model_tokens, |n| n.min(model_tokens))
}
