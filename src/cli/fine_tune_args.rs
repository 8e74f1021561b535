//! Flags of `stancer train --fine-tune`: the cross-encoder's labels, LoRA shape, optimiser,
//! schedule and early stopping.

use crate::encoders::Projection;
use crate::finetune::{FineTuneConfig, LoraSettings, OptimConfig};
use clap::Args;
use std::path::PathBuf;

/// Fine-tuning flags (used with `--fine-tune`).
#[derive(Args, Debug)]
pub struct FineTuneArgs {
    /// Fine-tune a cross-encoder (LoRA adapters and a classification head over the encoder,
    /// reading text and target together) instead of fitting a head on frozen embeddings.
    #[arg(long)]
    pub fine_tune: bool,
    /// The model's own labels, comma-separated (default: the task's). Each --data's task maps
    /// them to its labels through its label_map; stance models use favor,against,neutral,unrelated.
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Continue from this fine-tuned classifier instead of a fresh adapter (few-shot adaptation
    /// of a general model to a new target from its exemplars).
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Also train on the task's exemplars.
    #[arg(long)]
    pub exemplars: bool,
    /// Passes over the data (the most: early stopping may end sooner).
    #[arg(long, default_value_t = FineTuneConfig::default().epochs)]
    pub epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = OptimConfig::default().lr)]
    pub lr: f64,
    /// Fraction of steps warming up linearly from 0 (then linear decay to 0).
    #[arg(long, default_value_t = OptimConfig::default().warmup_ratio)]
    pub warmup_ratio: f64,
    /// Decoupled weight decay (not on biases).
    #[arg(long, default_value_t = OptimConfig::default().weight_decay)]
    pub weight_decay: f64,
    /// Clip the global gradient norm to this (0: no clipping).
    #[arg(long, default_value_t = OptimConfig::default().max_grad_norm)]
    pub max_grad_norm: f64,
    /// LoRA rank.
    #[arg(long, default_value_t = LoraSettings::default().r)]
    pub lora_r: usize,
    /// LoRA alpha (updates are scaled by alpha / r).
    #[arg(long, default_value_t = LoraSettings::default().alpha)]
    pub lora_alpha: f64,
    /// Dropout on each adapter's input in training.
    #[arg(long, default_value_t = LoraSettings::default().dropout)]
    pub lora_dropout: f64,
    /// Adapted linear layers, in every transformer layer.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = LoraSettings::default().targets)]
    pub lora_targets: Vec<Projection>,
    /// Fraction of the training data held out (stratified) to score each epoch and keep the
    /// best (0: keep the last epoch).
    #[arg(long, default_value_t = 0.1)]
    pub dev_fraction: f64,
    /// Epochs without a better dev score before training stops.
    #[arg(long, default_value_t = FineTuneConfig::default().patience)]
    pub patience: usize,
    /// Continue an interrupted fine-tuning run from the checkpoint in --out.
    #[arg(long)]
    pub resume: bool,
    /// Give the model the text alone, not "Speaker: text" when the speaker is known.
    #[arg(long)]
    pub no_speaker_prefix: bool,
}

impl FineTuneArgs {
    /// The run settings; `seed`, `batch_size` and the token limit (`--max-length`, default
    /// 128, per (text, target) pair: longer texts are cut, the target never) come from
    /// `train`'s and the model's own flags.
    pub fn config(
        &self,
        seed: u64,
        batch_size: usize,
        max_length: Option<usize>,
    ) -> FineTuneConfig {
        FineTuneConfig {
            epochs: self.epochs,
            batch_size,
            max_length: max_length.unwrap_or(FineTuneConfig::default().max_length),
            seed,
            optim: OptimConfig {
                lr: self.lr,
                warmup_ratio: self.warmup_ratio,
                weight_decay: self.weight_decay,
                max_grad_norm: self.max_grad_norm,
                ..OptimConfig::default()
            },
            lora: LoraSettings {
                r: self.lora_r,
                alpha: self.lora_alpha,
                dropout: self.lora_dropout,
                targets: self.lora_targets.clone(),
            },
            patience: self.patience,
            objective: crate::finetune::Objective::Sequence,
        }
    }
}
