//! Randomly initialised checkpoints of a given `config.json`, for throughput benchmarks of
//! architectures whose trained weights are not at hand: a forward pass costs the same whatever
//! the weights hold.

use super::{build_encoder, ModelConfig};
use anyhow::{Context, Result};
use candle_core::{DType, Device, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A weight source that hands out zeros and records every tensor name and shape asked for, so
/// that the architecture code itself says which tensors a checkpoint of this config holds.
#[derive(Clone, Default)]
struct ShapeRecorder(Arc<Mutex<BTreeMap<String, Shape>>>);

impl SimpleBackend for ShapeRecorder {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        self.0
            .lock()
            .map_err(|_| candle_core::Error::Msg("shape recorder poisoned".into()))?
            .insert(name.to_string(), shape.clone());
        Tensor::zeros(shape, dtype, device)
    }

    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> candle_core::Result<Tensor> {
        Err(candle_core::Error::Msg(format!(
            "{name}: a random checkpoint needs every tensor's shape"
        )))
    }

    // Claim every name, so that architectures pick the prefixed layout of Hugging Face
    // checkpoints (`deberta.…`, `bert.…`) and the file loads like a downloaded one.
    fn contains_tensor(&self, _: &str) -> bool {
        true
    }
}

/// Builds the model `config_text` describes and returns seeded random weights for every tensor
/// it reads: layer-norm weights 1, biases 0, everything else uniform with standard deviation
/// 0.02 (Hugging Face's `initializer_range`). Save with `candle_core::safetensors::save`.
pub fn random_checkpoint(
    config_text: &str,
    origin: &Path,
    seed: u64,
) -> Result<BTreeMap<String, Tensor>> {
    let config = ModelConfig::parse(config_text, origin)?;
    let recorder = ShapeRecorder::default();
    let vb = VarBuilder::from_backend(Box::new(recorder.clone()), DType::F32, Device::Cpu);
    build_encoder(vb, &config)
        .with_context(|| format!("cannot build the model {} describes", origin.display()))?;
    let shapes = recorder
        .0
        .lock()
        .map_err(|_| anyhow::anyhow!("shape recorder poisoned"))?
        .clone();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // Uniform on [-a, a] has standard deviation a / sqrt(3).
    let bound = 0.02 * 3f32.sqrt();
    shapes
        .into_iter()
        .map(|(name, shape)| {
            let n = shape.elem_count();
            let values: Vec<f32> = if name.ends_with("bias") {
                vec![0.0; n]
            } else if name.to_lowercase().contains("layernorm") {
                vec![1.0; n]
            } else {
                (0..n).map(|_| rng.random_range(-bound..bound)).collect()
            };
            Ok((name, Tensor::from_vec(values, shape, &Device::Cpu)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tiny-deberta-v2-cls"
    );

    /// The random checkpoint holds exactly the tensors, shapes and names of a real checkpoint
    /// of the same config, so it loads through the normal path.
    #[test]
    fn random_checkpoint_matches_a_real_checkpoints_layout() {
        let dir = Path::new(FIXTURE);
        let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
        let random = random_checkpoint(&config, &dir.join("config.json"), 7).unwrap();
        let real =
            candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu).unwrap();
        for (name, tensor) in &random {
            let original = real
                .get(name)
                .unwrap_or_else(|| panic!("{name} is not in the real checkpoint"));
            assert_eq!(tensor.shape(), original.shape(), "{name}");
        }
        let again = random_checkpoint(&config, &dir.join("config.json"), 7).unwrap();
        let first = &random["deberta.embeddings.word_embeddings.weight"];
        let diff = (first - &again["deberta.embeddings.word_embeddings.weight"])
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert_eq!(diff, 0.0, "same seed, same weights");
        let std = first
            .sqr()
            .unwrap()
            .mean_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
            .sqrt();
        assert!((std - 0.02).abs() < 0.002, "std {std}");
    }
}
