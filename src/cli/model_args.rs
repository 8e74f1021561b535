//! Flags shared by every subcommand that runs a model: which model, from where, on what device.

use crate::device::{DeviceSpec, Precision};
use crate::encoders::{LoadOptions, TextModel};
use crate::models::{self, FetchOptions, ModelManifest};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Model selection flags.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Model id from `stancer models list`, or the path of a manifest TOML file.
    #[arg(long, default_value = "all-minilm-l6-v2")]
    pub model: String,
    /// Use the model files in this folder (verified against the manifest) instead of the cache.
    #[arg(long)]
    pub model_dir: Option<PathBuf>,
    /// Never touch the network: use the hub cache only (also HF_HUB_OFFLINE=1).
    #[arg(long)]
    pub offline: bool,
    /// Where to run the model: auto, cpu, cuda, cuda:N or metal.
    #[arg(long, default_value = "auto")]
    pub device: DeviceSpec,
    /// Float type of weights and activations: auto (f32 on the CPU, bf16 on CUDA), f32, f16 or
    /// bf16. Fine-tuning runs in f32.
    #[arg(long, value_enum, default_value_t = Precision::Auto)]
    pub dtype: Precision,
    /// Token limit per text, special tokens included (default: the manifest's max_seq_length).
    #[arg(long)]
    pub max_length: Option<usize>,
}

impl ModelArgs {
    /// Refuses a half type for training: the backward kernels are f32 only (`auto` means f32
    /// for training on every device).
    pub fn require_f32_for_training(&self) -> Result<()> {
        if matches!(self.dtype, Precision::Auto | Precision::F32) {
            return Ok(());
        }
        Err(crate::error::UserError::new(
            format!("--dtype {}: fine-tuning runs in f32", self.dtype),
            "drop --dtype (or pass --dtype f32); a fine-tuned model runs in any dtype afterwards",
        ))
    }

    /// Finds the manifest and obtains and verifies the files: the manifest and the folder.
    pub fn resolve(&self) -> Result<(ModelManifest, PathBuf)> {
        let manifest = ModelManifest::resolve_id_or_path(&self.model)?;
        let mut fetch = FetchOptions::from_env();
        fetch.model_dir.clone_from(&self.model_dir);
        fetch.offline |= self.offline;
        let resolved = models::resolve(&manifest, &fetch)?;
        Ok((manifest, resolved.dir))
    }

    /// Finds the manifest, obtains and verifies the files, and loads the model.
    pub fn load(&self) -> Result<(ModelManifest, TextModel)> {
        let (manifest, dir) = self.resolve()?;
        let device = self.device.open()?;
        let options = LoadOptions {
            max_length: self.max_length.or(manifest.max_seq_length),
            precision: self.dtype,
            ..LoadOptions::from_manifest(&manifest)
        };
        let model = TextModel::load(&dir, options, &device)?;
        Ok((manifest, model))
    }
}
