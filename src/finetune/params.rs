//! What fine-tuning trains: LoRA factors for the adapted linear layers and the whole
//! classification head, as named tensors.

use crate::encoders::lora::{factor_names, AdapterConfig};
use crate::encoders::{AdapterWeights, Head, Projection, Trainable};
use anyhow::{Context, Result};
use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which linear layers get LoRA factors, and their shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoraSettings {
    /// Rank.
    pub r: usize,
    /// Scale numerator (`alpha / r` multiplies the update).
    pub alpha: f64,
    /// Dropout on each adapter's input in training.
    pub dropout: f64,
    /// Adapted projections, in every layer.
    pub targets: Vec<Projection>,
}

impl Default for LoraSettings {
    fn default() -> Self {
        use Projection::*;
        Self {
            r: 8,
            alpha: 16.0,
            dropout: 0.1,
            targets: vec![Query, Key, Value, AttentionOutput, Intermediate, Output],
        }
    }
}

/// Every trained tensor, by the name the adapter file gives it (without PEFT's prefix).
pub struct TrainableParams {
    /// The tensors.
    pub tensors: BTreeMap<String, Tensor>,
    /// The head they make.
    pub head: Head,
    /// LoRA scale (`alpha / r`).
    pub scale: f64,
    /// Dropout on each adapter's input in training.
    pub lora_dropout: f64,
}

impl TrainableParams {
    /// Fresh parameters for `model` with a `head` of `labels` classes, initialised as PEFT and
    /// transformers do (A uniform in ±1/√in, B zero, a new classifier normal with the
    /// checkpoint's initialiser range, biases zero), except that a head tensor the checkpoint
    /// `base` already holds (BERT's pretrained pooler) starts from its value. Seeded.
    pub fn init(
        model: &dyn Trainable,
        base: &MmapedSafetensors,
        head: Head,
        labels: usize,
        lora: &LoraSettings,
        seed: u64,
        device: &Device,
    ) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut tensors = BTreeMap::new();
        for linear in model.adaptable() {
            if !lora.targets.contains(&linear.site.projection) {
                continue;
            }
            let bound = 1.0 / (linear.in_dim as f32).sqrt();
            let a: Vec<f32> = (0..lora.r * linear.in_dim)
                .map(|_| rng.random_range(-bound..bound))
                .collect();
            let (a_name, b_name) = factor_names(&linear.module);
            tensors.insert(
                a_name,
                Tensor::from_vec(a, (lora.r, linear.in_dim), device)?,
            );
            tensors.insert(
                b_name,
                Tensor::zeros((linear.out_dim, lora.r), DType::F32, device)?,
            );
        }
        let std = model.initializer_range();
        for (name, shape) in model.head_shapes(head, labels) {
            let stored = model.checkpoint_name(&name);
            let tensor = match base.load(&stored, device) {
                Ok(t) if t.dims() == shape.as_slice() => t.to_dtype(DType::F32)?,
                _ if name.ends_with("bias") => Tensor::zeros(shape, DType::F32, device)?,
                _ => {
                    let normal = rand_distr::Normal::new(0.0, std as f32)
                        .context("invalid initializer range")?;
                    let n = shape.iter().product();
                    let values: Vec<f32> = (0..n).map(|_| rng.sample(normal)).collect();
                    Tensor::from_vec(values, shape, device)?
                }
            };
            tensors.insert(name, tensor);
        }
        Ok(Self {
            tensors,
            head,
            scale: lora.alpha / lora.r as f64,
            lora_dropout: lora.dropout,
        })
    }

    /// The view of these tensors an encoder reads.
    pub fn weights(&self) -> AdapterWeights<'_> {
        AdapterWeights {
            tensors: &self.tensors,
            head: self.head,
            scale: self.scale,
            lora_dropout: self.lora_dropout,
        }
    }

    /// Module paths of the adapted linear layers of `model`.
    pub fn modules(&self, model: &dyn Trainable) -> Vec<String> {
        model
            .adaptable()
            .into_iter()
            .filter(|l| self.tensors.contains_key(&factor_names(&l.module).0))
            .map(|l| l.module)
            .collect()
    }

    /// Number of trained values.
    pub fn count(&self) -> usize {
        self.tensors.values().map(Tensor::elem_count).sum()
    }
}

/// The `adapter_config.json` PEFT rebuilds a model trained with `lora` on `model` from:
/// `target_modules` a pattern matching exactly the adapted modules, the head saved whole.
pub fn adapter_config(
    model: &dyn Trainable,
    lora: &LoraSettings,
    base_name: &str,
    head: Head,
) -> AdapterConfig {
    let modules: Vec<String> = model
        .adaptable()
        .into_iter()
        .filter(|l| lora.targets.contains(&l.site.projection))
        .map(|l| l.module.replace('.', "\\."))
        .collect();
    let (task_type, modules_to_save) = match head {
        Head::Sequence => ("SEQ_CLS", vec!["classifier".into(), "pooler".into()]),
        Head::Token => ("TOKEN_CLS", vec!["classifier".into()]),
    };
    AdapterConfig {
        peft_type: "LORA".into(),
        task_type: task_type.into(),
        base_model_name_or_path: base_name.into(),
        r: lora.r,
        lora_alpha: lora.alpha,
        lora_dropout: lora.dropout,
        target_modules: format!("^(?:{})$", modules.join("|")),
        modules_to_save,
        bias: "none".into(),
        fan_in_fan_out: false,
        inference_mode: true,
        use_rslora: false,
    }
}
