//! LoRA adapters in the PEFT layout (`adapter_config.json` + `adapter_model.safetensors`), so a
//! model fine-tuned here loads in Python with `PeftModel.from_pretrained`, and one trained
//! there loads here.
//!
//! At inference an adapter is merged into the frozen weights it adapts (`W + s·B·A`) as they
//! are read, so an adapted model runs the plain forward pass at the plain model's speed.

use super::ModelConfig;
use crate::error::UserError;
use anyhow::{Context, Result};
use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// PEFT's adapter settings file.
pub const CONFIG_FILE: &str = "adapter_config.json";
/// PEFT's adapter weights file.
pub const WEIGHTS_FILE: &str = "adapter_model.safetensors";
/// Prefix PEFT puts before every module path of the wrapped model.
const PEFT_PREFIX: &str = "base_model.model.";

/// `adapter_config.json`, with the fields PEFT needs to rebuild a LoRA model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdapterConfig {
    /// Always `LORA`.
    pub peft_type: String,
    /// `SEQ_CLS`: a sequence-classification model.
    pub task_type: String,
    /// The base checkpoint (hub id or path).
    pub base_model_name_or_path: String,
    /// Rank of the update.
    pub r: usize,
    /// Scale numerator: updates are multiplied by `lora_alpha / r`.
    pub lora_alpha: f64,
    /// Dropout on the adapter's input during training.
    pub lora_dropout: f64,
    /// Modules adapted: a regular expression over full module paths, as PEFT accepts.
    pub target_modules: String,
    /// Modules trained and saved whole (the classification head).
    pub modules_to_save: Vec<String>,
    /// Bias handling; stancer trains no biases of adapted layers.
    pub bias: String,
    /// Whether the checkpoint stores weights transposed (GPT-2 style); never here.
    pub fan_in_fan_out: bool,
    /// Whether the model is for inference only.
    pub inference_mode: bool,
    /// rsLoRA scaling (`alpha / sqrt(r)`); stancer writes false and reads either.
    #[serde(default)]
    pub use_rslora: bool,
}

impl AdapterConfig {
    /// The factor applied to `B·A`.
    pub fn scale(&self) -> f64 {
        if self.use_rslora {
            self.lora_alpha / (self.r as f64).sqrt()
        } else {
            self.lora_alpha / self.r as f64
        }
    }

    /// Reads `adapter_config.json` in `dir`.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            UserError::new(
                format!("cannot read {}: {e}", path.display()),
                "an adapter folder holds adapter_config.json and adapter_model.safetensors",
            )
        })?;
        let config: Self = serde_json::from_str(&text).map_err(|e| {
            UserError::new(
                format!("{}: {e}", path.display()),
                "not a PEFT adapter config",
            )
        })?;
        if config.peft_type != "LORA" || config.fan_in_fan_out || config.r == 0 {
            return Err(UserError::new(
                format!(
                    "{}: peft_type {}, r {}, fan_in_fan_out {}",
                    path.display(),
                    config.peft_type,
                    config.r,
                    config.fan_in_fan_out
                ),
                "stancer reads LoRA adapters with r > 0 and fan_in_fan_out false",
            ));
        }
        Ok(config)
    }
}

/// The weights file's name for a module's tensor (`classifier.weight` →
/// `base_model.model.classifier.weight`), as PEFT saves them.
pub fn saved_name(name: &str) -> String {
    format!("{PEFT_PREFIX}{name}")
}

/// The LoRA factor names of a module: (`….lora_A.weight`, `….lora_B.weight`), unprefixed.
pub fn factor_names(module: &str) -> (String, String) {
    (
        format!("{module}.lora_A.weight"),
        format!("{module}.lora_B.weight"),
    )
}

/// Writes an adapter folder: `config` and `tensors` (unprefixed module tensor names: LoRA
/// factors and whole modules), through atomic writes.
pub fn write(dir: &Path, config: &AdapterConfig, tensors: &BTreeMap<String, Tensor>) -> Result<()> {
    let named: BTreeMap<String, Tensor> = tensors
        .iter()
        .map(|(name, t)| (saved_name(name), t.clone()))
        .collect();
    let bytes = crate::output::safetensors_bytes(&named)?;
    crate::output::write_atomic(&dir.join(WEIGHTS_FILE), |w| Ok(w.write_all(&bytes)?))?;
    let json = serde_json::to_string_pretty(config)? + "\n";
    crate::output::write_atomic(
        &dir.join(CONFIG_FILE),
        |w| Ok(w.write_all(json.as_bytes())?),
    )
}

/// Reads an adapter's tensors with PEFT's prefix removed.
pub fn read_tensors(dir: &Path, device: &Device) -> Result<BTreeMap<String, Tensor>> {
    let path = dir.join(WEIGHTS_FILE);
    let tensors = candle_core::safetensors::load(&path, device).map_err(|e| {
        UserError::new(
            format!("cannot load {}: {e}", path.display()),
            "the adapter weights are missing or corrupt: train the model again",
        )
    })?;
    tensors
        .into_iter()
        .map(|(name, t)| {
            let name = name
                .strip_prefix(PEFT_PREFIX)
                .with_context(|| format!("{}: tensor {name} lacks PEFT's prefix", path.display()))?
                .to_string();
            Ok((name, t.to_dtype(DType::F32)?))
        })
        .collect()
}

/// Base weights with an adapter's tensors laid over them.
struct Overlay {
    base: MmapedSafetensors,
    replaced: HashMap<String, Tensor>,
}

impl SimpleBackend for Overlay {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        init: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        match self.replaced.get(name) {
            Some(t) if t.shape() != &shape => Err(candle_core::Error::Msg(format!(
                "adapter tensor {name} has shape {:?}, the model expects {shape:?}",
                t.dims()
            ))),
            Some(t) => t.to_dtype(dtype)?.to_device(device),
            None => SimpleBackend::get(&self.base, shape, name, init, dtype, device),
        }
    }

    fn get_unchecked(
        &self,
        name: &str,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        match self.replaced.get(name) {
            Some(t) => t.to_dtype(dtype)?.to_device(device),
            None => SimpleBackend::get_unchecked(&self.base, name, dtype, device),
        }
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.replaced.contains_key(name) || SimpleBackend::contains_tensor(&self.base, name)
    }
}

/// The weights of `base` with the adapter in `dir` merged in, and a config for its
/// sequence-classification model (labels `LABEL_0…` as transformers names them by default;
/// callers that know the names keep their own). Merging is done in f32; the model reads the
/// merged weights as `dtype`.
pub fn adapted(
    base: MmapedSafetensors,
    config: ModelConfig,
    dir: &Path,
    device: &Device,
    dtype: DType,
) -> Result<(VarBuilder<'static>, ModelConfig)> {
    let adapter = AdapterConfig::read(dir)?;
    let tensors = read_tensors(dir, &Device::Cpu)?;
    let scale = adapter.scale();
    // Adapters name modules as in the task model (`bert.encoder…`); a bare encoder checkpoint
    // stores them without that first component.
    let root = tensors
        .keys()
        .find(|k| k.contains(".lora_A."))
        .and_then(|k| k.split('.').next())
        .unwrap_or_default()
        .to_string();
    let prefixed = base
        .tensors()
        .iter()
        .any(|(k, _)| k.starts_with(&format!("{root}.")));
    let local = |name: &str| super::stored_name(name, &root, prefixed || root.is_empty());
    let mut replaced = HashMap::new();
    for (name, tensor) in &tensors {
        if let Some(module) = name.strip_suffix(".lora_A.weight") {
            let (_, b_name) = factor_names(module);
            let b = tensors
                .get(&b_name)
                .with_context(|| format!("{}: {name} has no {b_name}", dir.display()))?;
            let weight_name = format!("{}.weight", local(module));
            let weight = base
                .load(&weight_name, &Device::Cpu)
                .with_context(|| format!("{}: the base model has no {weight_name}", dir.display()))?
                .to_dtype(DType::F32)?;
            let merged = (weight + (b.matmul(tensor)? * scale)?)?;
            replaced.insert(weight_name, merged);
        } else if !name.contains(".lora_B.") {
            replaced.insert(local(name), tensor.clone());
        }
    }
    let labels = replaced
        .get("classifier.bias")
        .map(|b| b.dim(0))
        .transpose()?
        .with_context(|| format!("{}: the adapter has no classifier", dir.display()))?;
    let vb = VarBuilder::from_backend(Box::new(Overlay { base, replaced }), dtype, device.clone());
    Ok((vb, config.with_head(labels)))
}

/// What the manifest of a trained adapter's folder records of its training.
pub struct Recorded<'a> {
    /// The manifest's file name (`classifier.json`, `tagger.json`), for messages.
    pub manifest: &'a str,
    /// The base model's manifest id.
    pub base_model: &'a str,
    /// sha256 of the base weights it was trained on.
    pub base_sha256: &'a str,
    /// sha256 of its adapter weights.
    pub adapter_sha256: &'a str,
}

/// Refuses the adapter in `dir` when it was trained on other base weights than `base_sha256`
/// (not checked when empty) or its weights are not the ones its manifest records.
pub fn verify(dir: &Path, recorded: &Recorded, base_sha256: &str) -> Result<()> {
    if !base_sha256.is_empty() && recorded.base_sha256 != base_sha256 {
        return Err(UserError::new(
            format!(
                "{} was trained on base weights {}, not {base_sha256}",
                dir.display(),
                recorded.base_sha256
            ),
            format!("run with --model {}", recorded.base_model),
        ));
    }
    let weights = dir.join(WEIGHTS_FILE);
    let actual = crate::models::cache::sha256_file(&weights)
        .with_context(|| format!("cannot read {}", weights.display()))?;
    if actual != recorded.adapter_sha256 {
        return Err(UserError::new(
            format!(
                "{}: sha256 {actual} does not match {}",
                weights.display(),
                recorded.manifest
            ),
            format!(
                "the folder was modified or is corrupt: retrain it with the command in {}",
                recorded.manifest
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rslora_scales_by_the_root_of_the_rank() {
        let mut config = AdapterConfig {
            peft_type: "LORA".into(),
            task_type: "SEQ_CLS".into(),
            base_model_name_or_path: "m".into(),
            r: 4,
            lora_alpha: 8.0,
            lora_dropout: 0.0,
            target_modules: ".*".into(),
            modules_to_save: vec![],
            bias: "none".into(),
            fan_in_fan_out: false,
            inference_mode: true,
            use_rslora: false,
        };
        assert_eq!(config.scale(), 2.0);
        config.use_rslora = true;
        assert_eq!(config.scale(), 4.0);
    }
}
