//! A trained linear head: multinomial logistic regression on frozen embeddings, fitted with
//! candle by full-batch Adam on the L2-regularised cross-entropy (scikit-learn's objective for
//! `LogisticRegression(C=…)`, divided by `C·n`).

use crate::error::UserError;
use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor, Var, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Hyper-parameters of [`LinearHead::train`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Inverse regularisation strength, as scikit-learn's `C`.
    pub c: f64,
    /// Weight classes by `n / (k · n_class)` (scikit-learn's `class_weight="balanced"`).
    pub balanced: bool,
    /// Full-batch optimisation steps.
    pub steps: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            c: 1.0,
            balanced: true,
            steps: 400,
            learning_rate: 0.05,
        }
    }
}

/// Softmax regression weights `[classes, features]` and bias `[classes]`.
pub struct LinearHead {
    weight: Tensor,
    bias: Tensor,
}

impl LinearHead {
    /// Fits the head on rows of `features` with class indices `targets` (< `classes`).
    /// Deterministic: zero initialisation, full batch, fixed step count.
    pub fn train(
        features: &[Vec<f32>],
        targets: &[usize],
        classes: usize,
        config: &TrainConfig,
    ) -> Result<Self> {
        anyhow::ensure!(!features.is_empty(), "no training examples");
        anyhow::ensure!(
            features.len() == targets.len(),
            "features and targets differ in length"
        );
        let device = Device::Cpu;
        let dim = features[0].len();
        let x = rows_to_tensor(features, &device)?;
        let n = features.len();
        let mut counts = vec![0usize; classes];
        for &t in targets {
            anyhow::ensure!(t < classes, "target class {t} out of range");
            counts[t] += 1;
        }
        let class_weight: Vec<f32> = counts
            .iter()
            .map(|&c| match (config.balanced, c) {
                (false, _) => 1.0,
                (true, 0) => 0.0,
                (true, c) => n as f32 / (classes as f32 * c as f32),
            })
            .collect();
        let sample_weight: Vec<f32> = targets.iter().map(|&t| class_weight[t]).collect();
        let sample_weight = Tensor::from_vec(sample_weight, n, &device)?;
        let target_idx = Tensor::from_vec(
            targets.iter().map(|&t| t as u32).collect::<Vec<_>>(),
            (n, 1),
            &device,
        )?;
        let weight = Var::zeros((classes, dim), DType::F32, &device)?;
        let bias = Var::zeros(classes, DType::F32, &device)?;
        let l2 = 1.0 / (2.0 * config.c * n as f64);
        let mut optimizer = AdamW::new(
            vec![weight.clone(), bias.clone()],
            ParamsAdamW {
                lr: config.learning_rate,
                weight_decay: 0.0,
                ..ParamsAdamW::default()
            },
        )?;
        for _ in 0..config.steps {
            let logits = x.matmul(&weight.t()?)?.broadcast_add(&bias)?;
            let log_probs = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
            let picked = log_probs.gather(&target_idx, 1)?.squeeze(1)?;
            let data_loss = (picked * &sample_weight)?
                .sum_all()?
                .neg()?
                .affine(1.0 / n as f64, 0.0)?;
            let penalty = weight.sqr()?.sum_all()?.affine(l2, 0.0)?;
            optimizer.backward_step(&(data_loss + penalty)?)?;
        }
        Ok(Self {
            weight: weight.as_tensor().clone(),
            bias: bias.as_tensor().clone(),
        })
    }

    /// Number of input features the head expects.
    pub fn input_dim(&self) -> usize {
        self.weight.dims()[1]
    }

    /// Class probabilities for each row of `features`.
    pub fn predict_proba(&self, features: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        if features.is_empty() {
            return Ok(Vec::new());
        }
        let x = rows_to_tensor(features, self.weight.device())?;
        anyhow::ensure!(
            x.dims()[1] == self.input_dim(),
            "features have {} dimensions but the head expects {}",
            x.dims()[1],
            self.input_dim()
        );
        let logits = x.matmul(&self.weight.t()?)?.broadcast_add(&self.bias)?;
        Ok(candle_nn::ops::softmax(&logits, D::Minus1)?.to_vec2::<f32>()?)
    }

    /// The weights as safetensors bytes (tensors `weight` and `bias`, f32 little-endian).
    pub fn to_safetensors(&self) -> Result<Vec<u8>> {
        crate::output::safetensors_bytes(&std::collections::BTreeMap::from([
            ("bias".to_string(), self.bias.clone()),
            ("weight".to_string(), self.weight.clone()),
        ]))
    }

    /// Reads a head written by [`LinearHead::to_safetensors`].
    pub fn load(path: &Path) -> Result<Self> {
        let tensors = candle_core::safetensors::load(path, &Device::Cpu).map_err(|e| {
            UserError::new(
                format!("cannot load head weights {}: {e}", path.display()),
                "the head file is missing or corrupt: retrain it with `stancer train`",
            )
        })?;
        let get = |name: &str| {
            tensors
                .get(name)
                .cloned()
                .with_context(|| format!("{}: no tensor '{name}'", path.display()))
        };
        let (weight, bias) = (get("weight")?, get("bias")?);
        anyhow::ensure!(
            weight.rank() == 2 && bias.dims() == [weight.dims()[0]],
            "{}: weight {:?} and bias {:?} do not form a linear head",
            path.display(),
            weight.dims(),
            bias.dims()
        );
        Ok(Self { weight, bias })
    }
}

fn rows_to_tensor(rows: &[Vec<f32>], device: &Device) -> Result<Tensor> {
    let dim = rows[0].len();
    anyhow::ensure!(
        rows.iter().all(|r| r.len() == dim),
        "feature rows differ in length"
    );
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Ok(Tensor::from_vec(flat, (rows.len(), dim), device)?)
}
