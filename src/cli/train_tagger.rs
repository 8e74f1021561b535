//! `stancer train-tagger`: fine-tune the learned span tagger on PolNeAR train.

use super::model_args::ModelArgs;
use crate::encoders::Projection;
use crate::finetune::{FineTuneConfig, LoraSettings, OptimConfig};
use crate::tagger::train::{train, TaggerSpec};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Flags of `stancer train-tagger`.
#[derive(Args, Debug)]
pub struct TrainTaggerArgs {
    /// The PolNeAR folder (default: $STANCER_DATA/polnear).
    #[arg(long)]
    pub polnear: Option<PathBuf>,
    /// Split trained on (the test split is kept back; dev is for the final figure).
    #[arg(long, default_value = "train")]
    pub split: String,
    /// Leave every Nth document of the split (sorted by id, the Nth, 2Nth, …) out of training,
    /// listed in tagger.json, for choices made before dev is scored (`eval quotes --held-out`;
    /// 0: train on every document).
    #[arg(long, default_value_t = 10)]
    pub hold_out: usize,
    /// Output folder (PEFT adapter + tagger.json).
    #[arg(long, default_value = "models/polnear-tagger")]
    pub out: PathBuf,
    /// Passes over the windows.
    #[arg(long, default_value_t = 2)]
    pub epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Windows per step.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// LoRA rank.
    #[arg(long, default_value_t = LoraSettings::default().r)]
    pub lora_r: usize,
    /// Adapted linear layers, in every transformer layer.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = LoraSettings::default().targets)]
    pub lora_targets: Vec<Projection>,
    /// Seed of initialisation, order and dropout.
    #[arg(long, default_value_t = 13)]
    pub seed: u64,
    /// Continue an interrupted run from the checkpoint in --out.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// The encoder (its --max-length is the window's token limit, default 128).
    #[command(flatten)]
    pub model: ModelArgs,
}

impl TrainTaggerArgs {
    /// Loads the split, trains and writes the tagger.
    pub fn run(self, command: &[String]) -> Result<()> {
        let root = self
            .polnear
            .clone()
            .unwrap_or_else(|| crate::settings::data_root().join("polnear"));
        let docs = crate::eval::polnear::load(&root, &self.split)?;
        let (kept, held_out): (Vec<_>, Vec<_>) = docs
            .into_iter()
            .enumerate()
            .partition(|(i, _)| self.hold_out == 0 || (i + 1) % self.hold_out != 0);
        let kept: Vec<_> = kept.into_iter().map(|(_, d)| d).collect();
        let held_out: Vec<String> = held_out.into_iter().map(|(_, d)| d.doc.id).collect();
        let (manifest, dir) = self.model.resolve()?;
        let base_sha = manifest.weights_sha256();
        self.model.require_f32_for_training()?;
        let config = FineTuneConfig {
            epochs: self.epochs,
            batch_size: self.batch_size,
            max_length: self.model.max_length.unwrap_or(128),
            seed: self.seed,
            optim: OptimConfig {
                lr: self.lr,
                ..OptimConfig::default()
            },
            lora: LoraSettings {
                r: self.lora_r,
                alpha: 2.0 * self.lora_r as f64,
                targets: self.lora_targets.clone(),
                ..LoraSettings::default()
            },
            patience: 0,
            ..FineTuneConfig::default()
        };
        let spec = TaggerSpec {
            base: (&dir, manifest.id.clone(), base_sha),
            data_path: format!("polnear:{}/{}", root.display(), self.split),
            held_out,
            config,
            device: self.model.device.open()?,
            resume: self.resume,
            quiet: self.quiet,
            command: command.to_vec(),
        };
        let started = std::time::Instant::now();
        let written = train(&kept, &spec, &self.out)?;
        eprintln!(
            "trained on {} documents ({} windows) in {:.0} s; wrote {}",
            written.documents,
            written.windows,
            started.elapsed().as_secs_f64(),
            self.out.display()
        );
        Ok(())
    }
}
