//! What fine-tuning trains: LoRA factors for the adapted linear layers and the whole
//! classification head, as named variables, and the training forward pass that applies them.

use crate::encoders::lora::factor_names;
use crate::encoders::{Adaptation, Projection, Site, Trainable};
use anyhow::{Context, Result};
use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::VarBuilder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

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

/// One adapted layer's factors: `delta(x) = scale · (x Aᵀ) Bᵀ`.
struct Factors {
    a: Var,
    b: Var,
}

/// Every trained tensor, by the name the adapter file gives it (without PEFT's prefix).
pub struct TrainableParams {
    vars: BTreeMap<String, Var>,
    factors: BTreeMap<Site, Factors>,
    scale: f64,
    /// Module paths of the adapted layers, in forward order.
    modules: Vec<String>,
}

impl TrainableParams {
    /// Fresh parameters for `model` with `labels` classes, initialised as PEFT and
    /// transformers do (A uniform in ±1/√in, B zero, a new classifier normal with the
    /// checkpoint's initialiser range, biases zero), except that a head tensor the checkpoint
    /// `base` already holds (BERT's pretrained pooler) starts from its value. Seeded.
    pub fn init(
        model: &dyn Trainable,
        base: &MmapedSafetensors,
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
        for (name, shape) in model.head_shapes(labels) {
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
        Self::from_tensors(model, &tensors, lora.alpha / lora.r as f64)
    }

    /// Parameters holding `tensors` (LoRA factors and head, as adapter files name them),
    /// scaled by `scale`: to continue training a saved adapter or a checkpoint.
    pub fn from_tensors(
        model: &dyn Trainable,
        tensors: &BTreeMap<String, Tensor>,
        scale: f64,
    ) -> Result<Self> {
        let vars: BTreeMap<String, Var> = tensors
            .iter()
            .map(|(name, t)| Ok((name.clone(), Var::from_tensor(t)?)))
            .collect::<Result<_>>()?;
        let mut factors = BTreeMap::new();
        let mut modules = Vec::new();
        for linear in model.adaptable() {
            let (a_name, b_name) = factor_names(&linear.module);
            if let (Some(a), Some(b)) = (vars.get(&a_name), vars.get(&b_name)) {
                factors.insert(
                    linear.site,
                    Factors {
                        a: a.clone(),
                        b: b.clone(),
                    },
                );
                modules.push(linear.module);
            }
        }
        for (name, _) in model.head_shapes(0) {
            anyhow::ensure!(vars.contains_key(&name), "the adapter has no {name}");
        }
        Ok(Self {
            vars,
            factors,
            scale,
            modules,
        })
    }

    /// The variables, by name.
    pub fn vars(&self) -> &BTreeMap<String, Var> {
        &self.vars
    }

    /// Current values, by name.
    pub fn tensors(&self) -> BTreeMap<String, Tensor> {
        self.vars
            .iter()
            .map(|(name, var)| (name.clone(), var.as_tensor().detach()))
            .collect()
    }

    /// Module paths of the adapted linear layers.
    pub fn modules(&self) -> &[String] {
        &self.modules
    }

    /// Number of trained values.
    pub fn count(&self) -> usize {
        self.vars.values().map(|v| v.as_tensor().elem_count()).sum()
    }

    /// The head's tensors for [`Trainable::adapted_logits`]; detached ones for evaluation, so
    /// that no graph is built.
    pub fn head(&self, detached: bool, device: &Device) -> VarBuilder<'static> {
        let tensors: HashMap<String, Tensor> = self
            .vars
            .iter()
            .filter(|(name, _)| !name.contains(".lora_"))
            .map(|(name, var)| {
                let t = var.as_tensor();
                (name.clone(), if detached { t.detach() } else { t.clone() })
            })
            .collect();
        VarBuilder::from_tensors(tensors, DType::F32, device)
    }
}

/// The forward pass of one training step (LoRA with dropout everywhere transformers puts it),
/// or of evaluation (LoRA only, detached, no dropout).
pub struct Pass<'a> {
    params: &'a TrainableParams,
    lora_dropout: f64,
    /// Dropout masks' source; `None` in evaluation.
    rng: Option<RefCell<ChaCha8Rng>>,
}

impl<'a> Pass<'a> {
    /// A training pass whose dropout masks come from `seed` (one seed per step, so a resumed
    /// run draws the same masks).
    pub fn training(params: &'a TrainableParams, lora_dropout: f64, seed: u64) -> Self {
        Self {
            params,
            lora_dropout,
            rng: Some(RefCell::new(ChaCha8Rng::seed_from_u64(seed))),
        }
    }

    /// An evaluation pass.
    pub fn evaluation(params: &'a TrainableParams) -> Self {
        Self {
            params,
            lora_dropout: 0.0,
            rng: None,
        }
    }

    fn tensor(&self, var: &Var) -> Tensor {
        if self.rng.is_some() {
            var.as_tensor().clone()
        } else {
            var.as_tensor().detach()
        }
    }
}

impl Adaptation for Pass<'_> {
    fn delta(&self, site: Site, xs: &Tensor) -> candle_core::Result<Option<Tensor>> {
        let Some(factors) = self.params.factors.get(&site) else {
            return Ok(None);
        };
        let (a, b) = (self.tensor(&factors.a), self.tensor(&factors.b));
        let xs = self.dropout(xs, self.lora_dropout)?;
        let down = xs.matmul(&a.t()?)?;
        Ok(Some((down.matmul(&b.t()?)? * self.params.scale)?))
    }

    fn dropout(&self, xs: &Tensor, p: f64) -> candle_core::Result<Tensor> {
        let Some(rng) = &self.rng else {
            return Ok(xs.clone());
        };
        if p <= 0.0 {
            return Ok(xs.clone());
        }
        let keep = 1.0 / (1.0 - p) as f32;
        let mut rng = rng.borrow_mut();
        let mask: Vec<f32> = (0..xs.elem_count())
            .map(|_| if rng.random::<f64>() < p { 0.0 } else { keep })
            .collect();
        let mask = Tensor::from_vec(mask, xs.shape(), xs.device())?.to_dtype(xs.dtype())?;
        xs * mask
    }
}
