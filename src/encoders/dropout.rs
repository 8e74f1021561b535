//! Seeded dropout masks for training: the same seed draws the same masks, so a training run
//! repeats bit for bit and a resumed run continues exactly.

use candle_core::{Result, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The mask source of one training step.
pub struct Dropout {
    rng: ChaCha8Rng,
    /// Reused buffer of random draws.
    draws: Vec<u16>,
}

impl Dropout {
    /// Masks drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            draws: Vec::new(),
        }
    }

    /// `xs` with each element zeroed with probability `p` and the rest scaled by `1/(1-p)`,
    /// and the mask it was multiplied by (`None`, and `xs` itself, when `p` is 0).
    pub fn apply(&mut self, xs: &Tensor, p: f64) -> Result<(Tensor, Option<Tensor>)> {
        if p <= 0.0 {
            return Ok((xs.clone(), None));
        }
        let mask = self.mask(xs, p)?;
        Ok(((xs * &mask)?, Some(mask)))
    }

    /// A mask shaped like `xs`: 0 with probability `p`, else `1/(1-p)`. Draws are 16-bit, so
    /// `p` is resolved to 1/65536.
    fn mask(&mut self, xs: &Tensor, p: f64) -> Result<Tensor> {
        let n = xs.elem_count();
        self.draws.resize(n, 0);
        self.rng.fill(&mut self.draws[..]);
        let threshold = (p * 65536.0).round() as u32;
        let keep = (1.0 / (1.0 - p)) as f32;
        let values: Vec<f32> = self
            .draws
            .iter()
            .map(|&d| if (d as u32) < threshold { 0.0 } else { keep })
            .collect();
        Tensor::from_vec(values, xs.shape(), xs.device())?.to_dtype(xs.dtype())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn masks_drop_about_p_scale_the_rest_and_repeat_for_a_seed() {
        let xs = Tensor::ones(10_000, candle_core::DType::F32, &Device::Cpu).unwrap();
        let draw = |seed| {
            let (ys, _) = Dropout::new(seed).apply(&xs, 0.25).unwrap();
            ys.to_vec1::<f32>().unwrap()
        };
        let ys = draw(3);
        let dropped = ys.iter().filter(|&&y| y == 0.0).count();
        assert!(
            (2300..2700).contains(&dropped),
            "{dropped} of 10000 dropped"
        );
        assert!(ys.iter().all(|&y| y == 0.0 || (y - 4.0 / 3.0).abs() < 1e-6));
        assert_eq!(ys, draw(3));
        assert_ne!(ys, draw(4));
        let (same, mask) = Dropout::new(3).apply(&xs, 0.0).unwrap();
        assert!(mask.is_none() && same.to_vec1::<f32>().unwrap() == vec![1.0; 10_000]);
    }
}
