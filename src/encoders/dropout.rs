//! Seeded dropout masks for training: the same seed draws the same masks, so a training run
//! repeats bit for bit and a resumed run continues exactly.
//!
//! A training step draws tens of millions of mask values, so they come from a fast generator
//! (xoshiro256++, 16 bits per value) filled in parallel blocks: block `i` of mask `m` has its own
//! generator, seeded from the step's seed, `m` and `i`, so the masks do not depend on how many
//! threads fill them.

use candle_core::{Result, Tensor};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Mask values per parallel block (each block a multiple of 4 draws of 16 bits).
const BLOCK: usize = 1 << 16;

/// The mask source of one training step.
pub struct Dropout {
    rng: ChaCha8Rng,
}

impl Dropout {
    /// Masks drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
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
        let seed = self.rng.next_u64();
        let threshold = (p * 65536.0).round() as u32;
        let keep = (1.0 / (1.0 - p)) as f32;
        let mut values = vec![0f32; xs.elem_count()];
        values
            .par_chunks_mut(BLOCK)
            .enumerate()
            .for_each(|(block, chunk)| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                    seed ^ (block as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                for quad in chunk.chunks_mut(4) {
                    let draws: u64 = rng.random();
                    for (j, v) in quad.iter_mut().enumerate() {
                        let draw = (draws >> (16 * j)) as u16;
                        *v = if u32::from(draw) < threshold {
                            0.0
                        } else {
                            keep
                        };
                    }
                }
            });
        Tensor::from_vec(values, xs.shape(), xs.device())?.to_dtype(xs.dtype())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn masks_drop_about_p_scale_the_rest_and_repeat_for_a_seed() {
        // More than one block, so the blocks' generators are exercised too.
        let n = 3 * BLOCK + 5;
        let xs = Tensor::ones(n, candle_core::DType::F32, &Device::Cpu).unwrap();
        let draw = |seed| {
            let (ys, _) = Dropout::new(seed).apply(&xs, 0.25).unwrap();
            ys.to_vec1::<f32>().unwrap()
        };
        let ys = draw(3);
        for block in ys.chunks_exact(BLOCK) {
            let dropped = block.iter().filter(|&&y| y == 0.0).count() as f64 / block.len() as f64;
            assert!((dropped - 0.25).abs() < 0.02, "{dropped} dropped");
        }
        assert!(ys.iter().all(|&y| y == 0.0 || (y - 4.0 / 3.0).abs() < 1e-6));
        assert_eq!(ys, draw(3));
        assert_ne!(ys, draw(4));
        // Blocks and successive masks differ.
        assert_ne!(ys[..BLOCK], ys[BLOCK..2 * BLOCK]);
        let mut dropout = Dropout::new(3);
        let first = dropout
            .apply(&xs, 0.25)
            .unwrap()
            .0
            .to_vec1::<f32>()
            .unwrap();
        let second = dropout
            .apply(&xs, 0.25)
            .unwrap()
            .0
            .to_vec1::<f32>()
            .unwrap();
        assert_ne!(first, second);
        let (same, mask) = Dropout::new(3).apply(&xs, 0.0).unwrap();
        assert!(mask.is_none() && same.to_vec1::<f32>().unwrap() == vec![1.0; n]);
    }
}
