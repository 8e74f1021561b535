//! Transformer encoders behind one small trait.
//!
//! [`Encoder`] is the backend seam: a host-side [`TokenBatch`] (packed ids, type ids and
//! cumulative lengths) in, plain vectors or logits out, with no candle types, so another
//! backend implements it alone. The candle backend ([`CandleBackend`]) pads a batch on its
//! device and runs an architecture file (`bert.rs`, `deberta.rs`, `modernbert.rs`) that implements
//! [`CandleEncoder`] on tensors. Everything that is the same for every architecture —
//! tokenisation, truncation, length-sorted batching — lives in [`TextModel`], so adding an
//! architecture means one new file plus a match arm in `build_encoder` and one in
//! [`ModelConfig::parse`]; a BERT variant (`roberta.rs`) is a `bert::Family` only.

mod backward;
mod batching;
mod bert;
mod candle_backend;
mod config;
mod deberta;
mod dropout;
mod gelu;
pub mod lora;
mod matmul;
mod modernbert;
mod random;
mod roberta;
mod text_model;

pub use batching::{plan_batches, PaddedBatch, TokenBatch};
pub use candle_backend::{CandleBackend, CandleEncoder};
pub use config::{ArchConfig, ModelConfig};
pub use dropout::Dropout;
pub use random::random_checkpoint;
pub use text_model::{LoadOptions, ModelInput, OffsetTokens, Pooling, TextModel, TextTokenizer};

use crate::device::Precision;
use crate::error::UserError;
use crate::models::Architecture;
use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::collections::BTreeMap;
use std::path::Path;

/// A model backend: host-side token batches in, plain vectors out, so a backend need not be
/// candle (an ONNX Runtime or a remote one would implement this alone).
pub trait Encoder: Send + Sync {
    /// One sentence vector per input of `batch`, pooled as `pooling` says and scaled to unit
    /// length when `normalize`.
    fn embed(&self, batch: &TokenBatch, pooling: Pooling, normalize: bool)
        -> Result<Vec<Vec<f32>>>;

    /// Sequence-classification logits, one row per input; an error for bare encoders.
    fn logits(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>>;

    /// Class names in logit order (from the checkpoint's `id2label`); empty for bare encoders.
    fn labels(&self) -> &[String];

    /// True when batches may run concurrently on rayon's pool (a CPU backend: much of a
    /// forward pass runs on one thread).
    fn concurrent(&self) -> bool;

    /// The longest input the model takes, special tokens included.
    fn max_tokens(&self) -> usize;
}

/// A linear layer of a transformer layer that an adapter can target.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Projection {
    /// Attention query.
    Query,
    /// Attention key.
    Key,
    /// Attention value.
    Value,
    /// Attention output.
    AttentionOutput,
    /// Feed-forward expansion.
    Intermediate,
    /// Feed-forward contraction.
    Output,
}

/// One linear layer of one transformer layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    /// Transformer layer index.
    pub layer: usize,
    /// Which of its linear layers.
    pub projection: Projection,
}

/// A linear layer an adapter can target.
#[derive(Debug, Clone)]
pub struct AdaptableLinear {
    /// Where it sits.
    pub site: Site,
    /// Its module path in transformers' sequence-classification model
    /// (`bert.encoder.layer.0.attention.self.query`): adapters are saved under these names.
    pub module: String,
    /// Input features.
    pub in_dim: usize,
    /// Output features.
    pub out_dim: usize,
}

/// What a fine-tuned model's head classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Head {
    /// The whole input (transformers' `…ForSequenceClassification`: pooler, then classifier).
    #[default]
    Sequence,
    /// Every token (transformers' `…ForTokenClassification`: a classifier on each last-layer
    /// state), for span tagging.
    Token,
}

/// The trained tensors of a fine-tuning run, by the names adapter files give them (LoRA
/// factors `MODULE.lora_A.weight` / `MODULE.lora_B.weight` and the head's tensors).
pub struct AdapterWeights<'a> {
    /// The tensors.
    pub tensors: &'a BTreeMap<String, Tensor>,
    /// The head those tensors make.
    pub head: Head,
    /// Factor applied to every `B·A`.
    pub scale: f64,
    /// Dropout on each adapter's input in training.
    pub lora_dropout: f64,
}

impl AdapterWeights<'_> {
    /// The tensor called `name`.
    pub fn get(&self, name: &str) -> candle_core::Result<&Tensor> {
        self.tensors
            .get(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("no trained tensor {name}")))
    }
}

/// An encoder that can be fine-tuned: its own weights stay frozen while LoRA factors on its
/// linear layers and a sequence-classification head are trained.
pub trait Trainable: CandleEncoder {
    /// Every linear layer an adapter can target, in forward order.
    fn adaptable(&self) -> Vec<AdaptableLinear>;
    /// Tensor names (transformers' classification names) and shapes of a `head` for `labels`
    /// classes.
    fn head_shapes(&self, head: Head, labels: usize) -> Vec<(String, Vec<usize>)>;
    /// The name under which this checkpoint stores the tensor transformers' sequence
    /// classification model calls `name` (bare encoders lack the model's prefix).
    fn checkpoint_name(&self, name: &str) -> String;
    /// Standard deviation of the checkpoint's weight initialisation, for new head weights.
    fn initializer_range(&self) -> f64;
    /// Classification logits with `weights` applied, without dropout: `[batch, labels]` for a
    /// sequence head, `[tokens, labels]` for a token head (the batch's real tokens, input by
    /// input, special tokens included).
    fn adapted_logits(
        &self,
        batch: &PaddedBatch,
        weights: &AdapterWeights,
    ) -> candle_core::Result<Tensor>;
    /// One training step's forward pass (with `dropout`) and backward pass: `loss` maps the
    /// logits (shaped as [`Trainable::adapted_logits`] gives them) to the loss and its gradient with respect to them; returns the loss and the
    /// gradient of every tensor of `weights`.
    fn gradients(
        &self,
        batch: &PaddedBatch,
        weights: &AdapterWeights,
        dropout: &mut Dropout,
        loss: &dyn Fn(&Tensor) -> candle_core::Result<(f64, Tensor)>,
    ) -> candle_core::Result<(f64, BTreeMap<String, Tensor>)>;
}

/// The name under which a checkpoint stores the tensor its task model calls `name`: a task
/// checkpoint (`prefixed`) keeps the encoder's module path `root` (`bert.encoder…`), a bare
/// encoder stores the encoder's tensors without it.
fn stored_name(name: &str, root: &str, prefixed: bool) -> String {
    match name
        .strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(rest) if !prefixed => rest.to_string(),
        _ => name.to_string(),
    }
}

/// A checkpoint folder opened for building: its config and weights.
struct Checkpoint {
    config: ModelConfig,
    weights: std::path::PathBuf,
    tensors: candle_core::safetensors::MmapedSafetensors,
}

impl Checkpoint {
    /// Reads `config.json` and memory-maps `model.safetensors` in `dir`.
    fn open(dir: &Path) -> Result<Self> {
        let config_path = dir.join("config.json");
        let config_text = std::fs::read_to_string(&config_path).map_err(|e| {
            UserError::new(
                format!("cannot read {}: {e}", config_path.display()),
                "the model folder is incomplete: run `stancer models verify` or fetch it again",
            )
        })?;
        let config = ModelConfig::parse(&config_text, &config_path)?;
        let weights = dir.join("model.safetensors");
        if !weights.is_file() {
            return Err(UserError::new(
                format!("{} is missing", weights.display()),
                "stancer reads safetensors weights only: fetch the model with `stancer models fetch`",
            ));
        }
        // SAFETY: the file is memory-mapped read-only; stancer never writes model files it maps.
        let tensors = unsafe { candle_core::safetensors::MmapedSafetensors::new(&weights) }
            .map_err(|e| {
                UserError::new(
                    format!("cannot load {}: {e}", weights.display()),
                    "the weights file is corrupt or truncated: run `stancer models verify` or fetch it again",
                )
            })?;
        Ok(Self {
            config,
            weights,
            tensors,
        })
    }

    fn context(&self) -> String {
        format!(
            "cannot build the {} model from {}",
            self.config.architecture(),
            self.weights.display()
        )
    }

    /// Refuses a checkpoint whose config is not of the architecture its manifest declares.
    fn check(&self, expected: Option<Architecture>) -> Result<()> {
        match expected {
            Some(expected) if expected != self.config.architecture() => Err(UserError::new(
                format!(
                    "{}: the model's manifest declares a {expected} model, its config.json a {}",
                    self.weights.display(),
                    self.config.architecture()
                ),
                "the manifest or the model folder is wrong: check `architecture` in models/*.toml, or fetch the model again",
            )),
            _ => Ok(()),
        }
    }
}

/// Loads the encoder in `dir` (`config.json` + `model.safetensors`) onto `device`, with the
/// LoRA adapter in `adapter` (PEFT layout) merged into its weights when given; `expected` is the
/// architecture the model's manifest declares, when it has one. Weights are converted to the
/// float type `precision` gives this architecture on `device`, returned beside the encoder;
/// outputs are f32 whatever it is.
pub fn load_encoder(
    dir: &Path,
    adapter: Option<&Path>,
    expected: Option<Architecture>,
    device: &Device,
    precision: Precision,
) -> Result<(Box<dyn Encoder>, DType)> {
    let checkpoint = Checkpoint::open(dir)?;
    checkpoint.check(expected)?;
    let context = checkpoint.context();
    let dtype = checkpoint.config.dtype(precision, device)?;
    let (vb, config) = match adapter {
        Some(adapter) => lora::adapted(
            checkpoint.tensors,
            checkpoint.config,
            adapter,
            device,
            dtype,
        )?,
        None => (
            VarBuilder::from_backend(Box::new(checkpoint.tensors), dtype, device.clone()),
            checkpoint.config,
        ),
    };
    let model = build_encoder(vb, &config).context(context)?;
    let backend = CandleBackend {
        model,
        device: device.clone(),
        max_tokens: config.max_tokens(),
    };
    Ok((Box::new(backend), dtype))
}

/// Loads the encoder in `dir` for fine-tuning.
pub fn load_trainable(dir: &Path, device: &Device) -> Result<Box<dyn Trainable>> {
    let checkpoint = Checkpoint::open(dir)?;
    let context = checkpoint.context();
    let architecture = checkpoint.config.architecture();
    let vb = VarBuilder::from_backend(Box::new(checkpoint.tensors), DType::F32, device.clone());
    let head = checkpoint.config.head_labels.as_deref();
    Ok(match &checkpoint.config.arch {
        ArchConfig::Bert(config) => {
            Box::new(bert::Bert::load(vb, config, head, bert::BERT).context(context)?)
        }
        _ => {
            return Err(UserError::new(
                format!(
                    "{}: fine-tuning does not support {architecture} models yet",
                    dir.display()
                ),
                "fine-tune a BERT-family model (e.g. all-MiniLM-L6-v2)",
            ))
        }
    })
}

/// The one place that maps an architecture to its implementation.
fn build_encoder(vb: VarBuilder, config: &ModelConfig) -> Result<Box<dyn CandleEncoder>> {
    let head = config.head_labels.as_deref();
    Ok(match &config.arch {
        ArchConfig::Bert(c) => Box::new(bert::Bert::load(vb, c, head, bert::BERT)?),
        ArchConfig::Roberta(c) => Box::new(roberta::load(vb, c, head)?),
        ArchConfig::DebertaV2(c) => Box::new(deberta::DebertaV2::load(vb, c, head)?),
        ArchConfig::ModernBert(c) => Box::new(modernbert::ModernBert::load(vb, c, head)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_encoders_store_tensors_without_the_task_models_prefix() {
        let name = "roberta.encoder.layer.0.attention.self.query.weight";
        assert_eq!(
            stored_name(name, "roberta", false),
            "encoder.layer.0.attention.self.query.weight"
        );
        assert_eq!(stored_name(name, "roberta", true), name);
        // Outside the encoder (the head), and a root that is only a prefix of the first part.
        assert_eq!(
            stored_name("classifier.dense.weight", "roberta", false),
            "classifier.dense.weight"
        );
        assert_eq!(stored_name("bertish.x", "bert", false), "bertish.x");
    }

    #[test]
    fn a_config_of_another_architecture_than_the_manifest_says_is_refused() {
        let dir = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny-deberta-v2-cls"
        ));
        let device = Device::Cpu;
        let err = load_encoder(dir, None, Some(Architecture::Bert), &device, Precision::F32)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("manifest declares a bert model, its config.json a deberta-v2"),
            "{err}"
        );
        let (model, _) = load_encoder(
            dir,
            None,
            Some(Architecture::DebertaV2),
            &device,
            Precision::F32,
        )
        .unwrap();
        assert_eq!(model.labels().len(), 3);
    }
}
