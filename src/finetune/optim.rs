//! AdamW with decoupled weight decay, the linear warmup-and-decay schedule and global gradient
//! clipping, with the arithmetic of `torch.optim.AdamW`,
//! `transformers.get_linear_schedule_with_warmup` and `torch.nn.utils.clip_grad_norm_`.
//!
//! candle-nn has an AdamW, but its moments are private: a run killed mid-training could not
//! resume with the same optimiser state, so the state lives here, in named tensors that a
//! checkpoint saves and restores bit for bit.

use candle_core::{Result, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Optimiser and schedule settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimConfig {
    /// Peak learning rate.
    pub lr: f64,
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Denominator floor.
    pub eps: f64,
    /// Decoupled weight decay, applied to weights but not to biases.
    pub weight_decay: f64,
    /// Fraction of the steps spent warming up linearly from 0.
    pub warmup_ratio: f64,
    /// Largest global L2 norm of the gradients; larger ones are scaled down (0: no clipping).
    pub max_grad_norm: f64,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            lr: 5e-4,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            warmup_ratio: 0.06,
            max_grad_norm: 1.0,
        }
    }
}

/// Learning rate of step `step` (0-based) out of `total`, after `warmup` warm-up steps: rises
/// linearly from 0, then falls linearly to 0, as transformers' linear schedule.
pub fn scheduled_lr(peak: f64, step: usize, warmup: usize, total: usize) -> f64 {
    if step < warmup {
        peak * step as f64 / warmup.max(1) as f64
    } else {
        peak * (total.saturating_sub(step) as f64 / total.saturating_sub(warmup).max(1) as f64)
            .max(0.0)
    }
}

/// One parameter's optimiser state.
struct Slot {
    decay: bool,
    m: Tensor,
    v: Tensor,
}

/// AdamW over named parameters, visited in name order so every sum is taken in one order.
pub struct AdamW {
    config: OptimConfig,
    slots: BTreeMap<String, Slot>,
    /// Steps taken so far.
    step: usize,
}

impl AdamW {
    /// An optimiser for `params`; names ending in `bias` get no weight decay.
    pub fn new(params: &BTreeMap<String, Tensor>, config: OptimConfig) -> Result<Self> {
        let slots = params
            .iter()
            .map(|(name, t)| {
                let zeros = t.zeros_like()?;
                Ok((
                    name.clone(),
                    Slot {
                        decay: !name.ends_with("bias"),
                        m: zeros.clone(),
                        v: zeros,
                    },
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            config,
            slots,
            step: 0,
        })
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// Clips `grads` to the configured global norm and updates `params` in place at learning
    /// rate `lr`. Returns the global gradient norm before clipping.
    pub fn step(
        &mut self,
        params: &mut BTreeMap<String, Tensor>,
        grads: &BTreeMap<String, Tensor>,
        lr: f64,
    ) -> Result<f64> {
        let grads: Vec<&Tensor> = self
            .slots
            .keys()
            .map(|name| {
                grads
                    .get(name)
                    .ok_or_else(|| candle_core::Error::Msg(format!("no gradient for {name}")))
            })
            .collect::<Result<_>>()?;
        let norm = global_norm(&grads)?;
        let scale = if self.config.max_grad_norm > 0.0 {
            (self.config.max_grad_norm / (norm + 1e-6)).min(1.0)
        } else {
            1.0
        };
        self.step += 1;
        let c = &self.config;
        let bias1 = 1.0 - c.beta1.powi(self.step as i32);
        let bias2 = 1.0 - c.beta2.powi(self.step as i32);
        for ((name, slot), grad) in self.slots.iter_mut().zip(grads) {
            let grad = (grad * scale)?;
            let theta = params
                .get(name)
                .ok_or_else(|| candle_core::Error::Msg(format!("no parameter {name}")))?;
            let theta = if slot.decay {
                (theta * (1.0 - lr * c.weight_decay))?
            } else {
                theta.clone()
            };
            slot.m = ((&slot.m * c.beta1)? + (&grad * (1.0 - c.beta1))?)?;
            slot.v = ((&slot.v * c.beta2)? + (grad.sqr()? * (1.0 - c.beta2))?)?;
            let denom = ((slot.v.sqrt()? / bias2.sqrt())? + c.eps)?;
            let update = (slot.m.div(&denom)? * (lr / bias1))?;
            params.insert(name.clone(), (theta - update)?);
        }
        Ok(norm)
    }

    /// The moments by parameter name (`m.NAME`, `v.NAME`), for a checkpoint.
    pub fn state(&self) -> BTreeMap<String, Tensor> {
        self.slots
            .iter()
            .flat_map(|(name, slot)| {
                [
                    (format!("m.{name}"), slot.m.clone()),
                    (format!("v.{name}"), slot.v.clone()),
                ]
            })
            .collect()
    }

    /// Restores moments saved by [`AdamW::state`] after `step` steps.
    pub fn restore(&mut self, state: &BTreeMap<String, Tensor>, step: usize) -> Result<()> {
        for (name, slot) in &mut self.slots {
            let get = |key: String| {
                state.get(&key).cloned().ok_or_else(|| {
                    candle_core::Error::Msg(format!("checkpoint has no optimiser state {key}"))
                })
            };
            slot.m = get(format!("m.{name}"))?;
            slot.v = get(format!("v.{name}"))?;
        }
        self.step = step;
        Ok(())
    }
}

/// The L2 norm of all gradients together, as `clip_grad_norm_` computes it (the norm of the
/// per-tensor norms).
fn global_norm(grads: &[&Tensor]) -> Result<f64> {
    let mut squares = 0f64;
    for g in grads {
        let n = g
            .sqr()?
            .sum_all()?
            .to_dtype(candle_core::DType::F64)?
            .to_scalar::<f64>()?;
        squares += n;
    }
    Ok(squares.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn schedule_warms_up_from_zero_and_decays_to_zero() {
        let lrs: Vec<f64> = (0..6).map(|s| scheduled_lr(1.0, s, 2, 5)).collect();
        assert_eq!(lrs, [0.0, 0.5, 1.0, 2.0 / 3.0, 1.0 / 3.0, 0.0]);
        assert_eq!(scheduled_lr(1.0, 0, 0, 4), 1.0);
    }

    fn one_param(name: &str, value: &[f32]) -> BTreeMap<String, Tensor> {
        BTreeMap::from([(name.to_string(), Tensor::new(value, &Device::Cpu).unwrap())])
    }

    /// One AdamW step worked by hand: with m = 0.1·g, v = 0.001·g² and both bias corrections,
    /// the update is lr·g/(|g| + eps') ≈ lr·sign(g).
    #[test]
    fn first_step_moves_each_weight_by_lr_against_its_gradient_sign() {
        let mut params = one_param("w.weight", &[1.0, -2.0]);
        let config = OptimConfig {
            weight_decay: 0.1,
            max_grad_norm: 0.0,
            ..OptimConfig::default()
        };
        let mut adam = AdamW::new(&params, config).unwrap();
        let grads = one_param("w.weight", &[3.0, -0.5]);
        let norm = adam.step(&mut params, &grads, 0.01).unwrap();
        assert!((norm - (9.0f64 + 0.25).sqrt()).abs() < 1e-6);
        let w = params["w.weight"].to_vec1::<f32>().unwrap();
        // decay first: 1·(1 − 0.001) and −2·(1 − 0.001), then −0.01·sign(g).
        assert!((w[0] - (0.999 - 0.01)).abs() < 1e-6, "{w:?}");
        assert!((w[1] - (-1.998 + 0.01)).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn clipping_scales_the_global_norm_down_to_the_limit() {
        let mut params = one_param("b.bias", &[0.0, 0.0]);
        let config = OptimConfig {
            max_grad_norm: 1.0,
            ..OptimConfig::default()
        };
        let mut adam = AdamW::new(&params, config).unwrap();
        let grads = one_param("b.bias", &[30.0, 40.0]);
        let norm = adam.step(&mut params, &grads, 0.1).unwrap();
        assert!((norm - 50.0).abs() < 1e-6);
        let m = adam.state()["m.b.bias"].to_vec1::<f32>().unwrap();
        // m = (1 − β1)·g·(1/50): the clipped gradient is (0.6, 0.8).
        assert!(
            (m[0] - 0.06).abs() < 1e-6 && (m[1] - 0.08).abs() < 1e-6,
            "{m:?}"
        );
    }
}
