//! The training loop: seeded shuffles, AdamW steps with warmup and decay, an evaluation on a
//! dev split after every epoch with early stopping, and a checkpoint that a killed run resumes
//! from with exactly the state it would have had.

use super::optim::{scheduled_lr, AdamW, OptimConfig};
use super::params::{LoraSettings, TrainableParams};
use crate::encoders::{
    plan_batches, Dropout, Head, ModelInput, PaddedBatch, TextTokenizer, Trainable,
};
use crate::models::cache::sha256_bytes;
use crate::progress::ProgressView;
use anyhow::{Context, Result};
use candle_core::{Device, Tensor};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One training input: a text (or a pair) and the labels that count as right for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainExample {
    /// First sequence (the quote, tweet or sentence).
    pub text: String,
    /// Second sequence (the target), if any.
    pub pair: Option<String>,
    /// What is right for it (serialised as the variant's name beside `text`, so a sequence
    /// example's record, and the fingerprint of its run, read as before token targets came).
    #[serde(flatten)]
    pub target: Target,
}

/// The right answer for one training input, of the kind its run's [`Objective`] learns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Indices of the labels any of which is correct; one for ordinary data, several where a
    /// corpus labels coarser than the model (SemEval's NONE is neutral or unrelated).
    Allowed(Vec<usize>),
    /// One entry per model token of the input, special tokens included: the right label in
    /// each softmax group (group-relative), or `None` for a token that does not count.
    Tokens(Vec<Option<Vec<usize>>>),
}

/// What a run learns, which decides the model's head and the loss.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// One label set per input: set cross-entropy over a sequence head.
    #[default]
    Sequence,
    /// Labels per token over a token head whose logits are `groups` softmax groups (their
    /// sizes, in logit order; a span tagger may tag content and role independently, as they
    /// nest): the mean over counted tokens of the sum of the groups' cross-entropies.
    Tokens {
        /// Number of labels of each group.
        groups: Vec<usize>,
    },
}

impl Objective {
    /// The head this objective trains.
    pub fn head(&self) -> Head {
        match self {
            Objective::Sequence => Head::Sequence,
            Objective::Tokens { .. } => Head::Token,
        }
    }

    fn is_sequence(&self) -> bool {
        *self == Objective::Sequence
    }
}

impl TrainExample {
    fn input(&self) -> ModelInput<'_> {
        match &self.pair {
            Some(pair) => ModelInput::Pair(&self.text, pair),
            None => ModelInput::Single(&self.text),
        }
    }
}

/// Settings of a fine-tuning run, all of which change its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneConfig {
    /// Passes over the training data (the most; early stopping may end sooner).
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// Token limit per input, special tokens included.
    pub max_length: usize,
    /// Seed of initialisation, shuffling and dropout.
    pub seed: u64,
    /// Optimiser and schedule.
    pub optim: OptimConfig,
    /// Adapter shape.
    pub lora: LoraSettings,
    /// Epochs without a better dev score before stopping (0: never stop early).
    pub patience: usize,
    /// What is learned (absent in records of sequence runs).
    #[serde(default, skip_serializing_if = "Objective::is_sequence")]
    pub objective: Objective,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        Self {
            epochs: 4,
            batch_size: 32,
            max_length: 128,
            seed: 13,
            optim: OptimConfig::default(),
            lora: LoraSettings::default(),
            patience: 2,
            objective: Objective::Sequence,
        }
    }
}

/// What one epoch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Dev score after the epoch, if a dev split was given.
    pub dev_score: Option<f64>,
}

/// Held-out examples scored after every epoch: higher is better.
pub struct DevSplit<'a> {
    /// The examples.
    pub examples: &'a [TrainExample],
    /// Score of the model's class probabilities for `examples` (in order).
    pub score: &'a dyn Fn(&[Vec<f32>]) -> f64,
}

/// Where a run keeps its checkpoint, and whether it continues from one.
pub struct Checkpointing {
    /// The checkpoint file (written atomically every `every` steps and after every epoch).
    pub path: PathBuf,
    /// Steps between checkpoints.
    pub every: usize,
    /// Continue from `path` if it exists and belongs to the same run.
    pub resume: bool,
}

/// The outcome of [`fine_tune`].
pub struct FineTuned {
    /// The parameters to keep: from the best dev epoch, else from the last.
    pub tensors: BTreeMap<String, Tensor>,
    /// Per-epoch losses and dev scores.
    pub history: Vec<EpochRecord>,
    /// Epoch whose parameters were kept.
    pub kept_epoch: usize,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Training examples per second over the steps this process ran.
    pub examples_per_second: f64,
    /// Wall-clock seconds of each step this process ran (forward, backward and update).
    pub step_seconds: Vec<f64>,
}

/// Training state beside the tensors in a checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CheckpointState {
    fingerprint: String,
    step: usize,
    history: Vec<EpochRecord>,
    best: Option<(usize, f64)>,
    /// Training loss summed over the current epoch's finished steps.
    epoch_loss: f64,
}

/// Parameters a run starts from: fresh, or an adapter to continue (few-shot adaptation).
pub enum Start<'a> {
    /// Initialised from the base checkpoint's folder (for its pretrained head tensors).
    Fresh {
        /// The base model folder.
        model_dir: &'a Path,
        /// Number of classes.
        labels: usize,
    },
    /// Existing adapter tensors (named as in adapter files), scaled by `scale`.
    From {
        /// The tensors.
        tensors: BTreeMap<String, Tensor>,
        /// LoRA scale of those factors.
        scale: f64,
    },
}

/// Fine-tunes `model` on `train`, returning the parameters of the best dev epoch.
#[allow(clippy::too_many_arguments)]
pub fn fine_tune(
    model: &dyn Trainable,
    tokenizer: &TextTokenizer,
    device: &Device,
    start: Start,
    train: &[TrainExample],
    dev: Option<DevSplit>,
    config: &FineTuneConfig,
    checkpoint: Option<&Checkpointing>,
    quiet: bool,
) -> Result<FineTuned> {
    anyhow::ensure!(!train.is_empty(), "no training examples");
    anyhow::ensure!(
        config.batch_size > 0 && config.epochs > 0,
        "batch size and epochs must be positive"
    );
    let head = config.objective.head();
    anyhow::ensure!(
        dev.is_none() || head == Head::Sequence,
        "dev scoring during training is for sequence objectives only"
    );
    let fingerprint = fingerprint(config, train, dev.as_ref(), &start)?;
    let mut params = match start {
        Start::Fresh { model_dir, labels } => {
            if let Objective::Tokens { groups } = &config.objective {
                anyhow::ensure!(
                    groups.iter().sum::<usize>() == labels,
                    "token label groups {groups:?} do not make {labels} labels"
                );
            }
            let weights = model_dir.join("model.safetensors");
            // SAFETY: read-only map of a model file stancer never writes.
            let base = unsafe { candle_core::safetensors::MmapedSafetensors::new(&weights) }
                .with_context(|| format!("cannot read {}", weights.display()))?;
            TrainableParams::init(
                model,
                &base,
                head,
                labels,
                &config.lora,
                config.seed,
                device,
            )?
        }
        Start::From { tensors, scale } => TrainableParams {
            tensors,
            head,
            scale,
            lora_dropout: config.lora.dropout,
        },
    };
    let mut adam = AdamW::new(&params.tensors, config.optim.clone())?;
    let tokens = tokenizer.tokenize(&train.iter().map(TrainExample::input).collect::<Vec<_>>())?;
    let steps_per_epoch = train.len().div_ceil(config.batch_size);
    let total = steps_per_epoch * config.epochs;
    let warmup = (config.optim.warmup_ratio * total as f64).ceil() as usize;

    let mut state = CheckpointState {
        fingerprint: fingerprint.clone(),
        step: 0,
        history: Vec::new(),
        best: None,
        epoch_loss: 0.0,
    };
    let mut best_tensors = params.tensors.clone();
    if let Some(ck) = checkpoint.filter(|c| c.resume && c.path.exists()) {
        let (saved, tensors) = read_checkpoint(&ck.path, device)?;
        anyhow::ensure!(
            saved.fingerprint == fingerprint,
            "{} belongs to a run with other data or settings: remove it or drop --resume",
            ck.path.display()
        );
        for (name, value) in params.tensors.iter_mut() {
            *value = tensors
                .get(&format!("param.{name}"))
                .with_context(|| format!("{}: no parameter {name}", ck.path.display()))?
                .clone();
        }
        adam.restore(&tensors, saved.step)?;
        best_tensors = tensors
            .iter()
            .filter_map(|(k, t)| k.strip_prefix("best.").map(|k| (k.to_string(), t.clone())))
            .collect();
        state = saved;
        if !quiet {
            eprintln!(
                "resuming from step {} of {total} ({})",
                state.step,
                ck.path.display()
            );
        }
    }

    let view = if quiet {
        ProgressView::hidden()
    } else {
        ProgressView::new(
            Some(total as u64),
            "fine-tuning",
            "{bar:30} {pos}/{len} steps {msg} [{elapsed} < {eta}]",
            "{pos}/{len} steps ({percent}%) {msg}, {elapsed} elapsed, eta {eta}",
        )
    };
    let progress = &view.bar;
    progress.set_position(state.step as u64);
    let started = Instant::now();
    let first_step = state.step;
    let mut ema: Option<f64> = None;
    let mut step_seconds = Vec::new();
    let mut stopped = early_stop(&state, config.patience);

    while state.step < total && !stopped {
        let epoch = state.step / steps_per_epoch;
        let order = epoch_order(train.len(), config.seed, epoch);
        let within = state.step % steps_per_epoch;
        let batch: Vec<usize> = order
            .iter()
            .skip(within * config.batch_size)
            .take(config.batch_size)
            .copied()
            .collect();
        let step_start = Instant::now();
        let (loss, grads) = step_gradients(
            model, &params, tokenizer, &tokens, train, &batch, config, state.step, device,
        )?;
        anyhow::ensure!(
            loss.is_finite(),
            "training diverged at step {} (loss {loss})",
            state.step + 1
        );
        let lr = scheduled_lr(config.optim.lr, state.step, warmup, total);
        adam.step(&mut params.tensors, &grads, lr)?;
        step_seconds.push(step_start.elapsed().as_secs_f64());
        state.step += 1;
        state.epoch_loss += loss;
        ema = Some(ema.map_or(loss, |e| 0.95 * e + 0.05 * loss));
        let rate = (state.step - first_step) as f64 * config.batch_size as f64
            / started.elapsed().as_secs_f64().max(1e-9);
        progress.set_position(state.step as u64);
        progress.set_message(format!(
            "epoch {}/{} · loss {:.4} · {rate:.1} ex/s",
            epoch + 1,
            config.epochs,
            ema.unwrap_or(loss)
        ));

        let epoch_done = state.step.is_multiple_of(steps_per_epoch);
        if epoch_done {
            let dev_score = dev
                .as_ref()
                .map(|d| -> Result<f64> {
                    let probs = predict(
                        model,
                        &params,
                        tokenizer,
                        d.examples,
                        config.batch_size,
                        device,
                    )?;
                    Ok((d.score)(&probs))
                })
                .transpose()?;
            let record = EpochRecord {
                epoch: epoch + 1,
                train_loss: state.epoch_loss / steps_per_epoch as f64,
                dev_score,
            };
            // Without a dev split the last epoch is kept.
            let improved = match (dev_score, state.best) {
                (Some(s), Some((_, b))) => s > b,
                _ => true,
            };
            if improved {
                if let Some(s) = dev_score {
                    state.best = Some((record.epoch, s));
                }
                best_tensors = params.tensors.clone();
            }
            if !quiet {
                progress.suspend(|| {
                    eprintln!(
                        "epoch {}: train loss {:.4}{}",
                        record.epoch,
                        record.train_loss,
                        dev_score.map_or(String::new(), |s| format!(", dev score {s:.4}"))
                    )
                });
            }
            state.history.push(record);
            state.epoch_loss = 0.0;
            stopped = early_stop(&state, config.patience);
        }
        if let Some(ck) = checkpoint {
            if epoch_done || state.step.is_multiple_of(ck.every.max(1)) {
                write_checkpoint(&ck.path, &state, &params, &adam, &best_tensors)?;
            }
        }
    }
    view.finish();
    let ran = state.step - first_step;
    Ok(FineTuned {
        tensors: best_tensors,
        kept_epoch: state.best.map_or(state.history.len(), |(e, _)| e),
        history: state.history,
        steps: state.step,
        examples_per_second: ran as f64 * config.batch_size as f64
            / started.elapsed().as_secs_f64().max(1e-9),
        step_seconds,
    })
}

/// Whether `patience` epochs have passed since the best one.
fn early_stop(state: &CheckpointState, patience: usize) -> bool {
    match (patience, state.best) {
        (0, _) | (_, None) => false,
        (p, Some((best, _))) => state.history.len() >= best + p,
    }
}

/// The example order of `epoch`: a permutation drawn from the seed and the epoch alone, so a
/// resumed run sees the same order.
fn epoch_order(n: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(epoch as u64 + 1)));
    order.shuffle(&mut rng);
    order
}

/// The loss and gradients of one training step on `batch` (indices into `train`).
#[allow(clippy::too_many_arguments)]
fn step_gradients(
    model: &dyn Trainable,
    params: &TrainableParams,
    tokenizer: &TextTokenizer,
    tokens: &[(Vec<u32>, Vec<u32>)],
    train: &[TrainExample],
    batch: &[usize],
    config: &FineTuneConfig,
    step: usize,
    device: &Device,
) -> Result<(f64, BTreeMap<String, Tensor>)> {
    let items: Vec<(&[u32], &[u32])> = batch
        .iter()
        .map(|&i| (tokens[i].0.as_slice(), tokens[i].1.as_slice()))
        .collect();
    let padded = PaddedBatch::pad(&items, tokenizer.pad_id(), device)?;
    let mut dropout = Dropout::new(dropout_seed(config.seed, step));
    let weights = params.weights();
    match &config.objective {
        Objective::Sequence => {
            let allowed = batch
                .iter()
                .map(|&i| match &train[i].target {
                    Target::Allowed(set) => Ok(set.as_slice()),
                    Target::Tokens(_) => anyhow::bail!("a token target in a sequence run"),
                })
                .collect::<Result<Vec<&[usize]>>>()?;
            Ok(model.gradients(&padded, &weights, &mut dropout, &|logits| {
                set_cross_entropy(logits, &allowed)
            })?)
        }
        Objective::Tokens { groups } => {
            let mut labels: Vec<Option<&[usize]>> = Vec::new();
            for &i in batch {
                let Target::Tokens(per_token) = &train[i].target else {
                    anyhow::bail!("a sequence target in a token run");
                };
                anyhow::ensure!(
                    per_token.len() == tokens[i].0.len(),
                    "training example {i} has {} token labels for {} tokens",
                    per_token.len(),
                    tokens[i].0.len()
                );
                labels.extend(per_token.iter().map(Option::as_deref));
            }
            Ok(model.gradients(&padded, &weights, &mut dropout, &|logits| {
                grouped_cross_entropy(logits, &labels, groups)
            })?)
        }
    }
}

/// Mean over the rows of `logits` that have a target of the sum, over the softmax `groups`
/// (their sizes, in column order), of each group's cross-entropy against the row's label in
/// that group; and its gradient, `(softmax(z_g) − onehot) / counted rows` per group, zero on
/// rows without a target. With one group this is transformers' token-classification loss.
pub fn grouped_cross_entropy(
    logits: &Tensor,
    targets: &[Option<&[usize]>],
    groups: &[usize],
) -> candle_core::Result<(f64, Tensor)> {
    let rows = logits.to_dtype(candle_core::DType::F64)?.to_vec2::<f64>()?;
    let width: usize = groups.iter().sum();
    if rows.len() != targets.len() || rows.first().is_some_and(|r| r.len() != width) {
        candle_core::bail!(
            "{} logit rows of {} for {} targets in groups {groups:?}",
            rows.len(),
            rows.first().map_or(0, Vec::len),
            targets.len()
        );
    }
    let counted = targets.iter().filter(|t| t.is_some()).count().max(1) as f64;
    let mut loss = 0.0;
    let mut grad = vec![0f32; rows.len() * width];
    for (r, (z, target)) in rows.iter().zip(targets).enumerate() {
        let Some(target) = target else { continue };
        if target.len() != groups.len() || target.iter().zip(groups).any(|(&t, &g)| t >= g) {
            candle_core::bail!("token labels {target:?} do not fit groups {groups:?}");
        }
        let mut offset = 0;
        for (&size, &label) in groups.iter().zip(*target) {
            let z = &z[offset..offset + size];
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let exps: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
            let all: f64 = exps.iter().sum();
            loss += (all.ln() - (z[label] - max)) / counted;
            for (j, e) in exps.iter().enumerate() {
                let hit = if j == label { 1.0 } else { 0.0 };
                grad[r * width + offset + j] = ((e / all - hit) / counted) as f32;
            }
            offset += size;
        }
    }
    let grad =
        Tensor::from_vec(grad, (rows.len(), width), logits.device())?.to_dtype(logits.dtype())?;
    Ok((loss, grad))
}

/// Mean over the rows of `logits` of `-log Σ_{allowed} p(label)` (cross-entropy when one label
/// is allowed), and its gradient: `(softmax(z) − softmax over the allowed labels) / rows`.
pub fn set_cross_entropy(
    logits: &Tensor,
    allowed: &[&[usize]],
) -> candle_core::Result<(f64, Tensor)> {
    let rows = logits.to_dtype(candle_core::DType::F64)?.to_vec2::<f64>()?;
    if rows.len() != allowed.len() {
        candle_core::bail!("{} logit rows for {} examples", rows.len(), allowed.len());
    }
    let n = rows.len() as f64;
    let mut loss = 0.0;
    let mut grad = Vec::with_capacity(rows.len() * rows.first().map_or(0, Vec::len));
    for (z, set) in rows.iter().zip(allowed) {
        if set.is_empty() || set.iter().any(|&l| l >= z.len()) {
            candle_core::bail!(
                "an example's allowed labels {set:?} do not fit {} logits",
                z.len()
            );
        }
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
        let all: f64 = exps.iter().sum();
        let kept: f64 = set.iter().map(|&l| exps[l]).sum();
        loss += (all.ln() - kept.ln()) / n;
        for (label, e) in exps.iter().enumerate() {
            let in_set = if set.contains(&label) { e / kept } else { 0.0 };
            grad.push(((e / all - in_set) / n) as f32);
        }
    }
    let grad =
        Tensor::from_vec(grad, logits.dims2()?, logits.device())?.to_dtype(logits.dtype())?;
    Ok((loss, grad))
}

/// Dropout seed of one step.
fn dropout_seed(seed: u64, step: usize) -> u64 {
    seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ step as u64
}

/// Class probabilities of `examples` under the current parameters, in input order.
pub fn predict(
    model: &dyn Trainable,
    params: &TrainableParams,
    tokenizer: &TextTokenizer,
    examples: &[TrainExample],
    batch_size: usize,
    device: &Device,
) -> Result<Vec<Vec<f32>>> {
    let tokens =
        tokenizer.tokenize(&examples.iter().map(TrainExample::input).collect::<Vec<_>>())?;
    let mut out = vec![Vec::new(); examples.len()];
    for_each_batch(
        model,
        params,
        &tokens,
        tokenizer.pad_id(),
        batch_size,
        device,
        |indices, logits| {
            let probs = candle_nn::ops::softmax_last_dim(logits)?.to_vec2::<f32>()?;
            for (&i, p) in indices.iter().zip(probs) {
                out[i] = p;
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// Runs `model` under `params` over tokenised inputs (ids, type ids) in batches of similar
/// length, calling `f` with each batch's input indices and its logits (as
/// [`Trainable::adapted_logits`] shapes them).
pub fn for_each_batch(
    model: &dyn Trainable,
    params: &TrainableParams,
    tokens: &[(Vec<u32>, Vec<u32>)],
    pad_id: u32,
    batch_size: usize,
    device: &Device,
    mut f: impl FnMut(&[usize], &Tensor) -> Result<()>,
) -> Result<()> {
    let lengths: Vec<usize> = tokens.iter().map(|(ids, _)| ids.len()).collect();
    let weights = params.weights();
    for indices in plan_batches(&lengths, batch_size) {
        let items: Vec<(&[u32], &[u32])> = indices
            .iter()
            .map(|&i| (tokens[i].0.as_slice(), tokens[i].1.as_slice()))
            .collect();
        let padded = PaddedBatch::pad(&items, pad_id, device)?;
        f(&indices, &model.adapted_logits(&padded, &weights)?)?;
    }
    Ok(())
}

/// A digest of everything that decides a run's result, so a checkpoint is resumed only by
/// the run that wrote it.
fn fingerprint(
    config: &FineTuneConfig,
    train: &[TrainExample],
    dev: Option<&DevSplit>,
    start: &Start,
) -> Result<String> {
    let start = match start {
        Start::Fresh { labels, .. } => format!("fresh:{labels}"),
        Start::From { tensors, scale } => {
            let bytes = crate::output::safetensors_bytes(tensors)?;
            format!("from:{}:{scale}", sha256_bytes(&bytes))
        }
    };
    let record = serde_json::json!({
        "config": config,
        "train": train,
        "dev": dev.map(|d| d.examples),
        "start": start,
    });
    Ok(sha256_bytes(record.to_string().as_bytes()))
}

const STATE_KEY: &str = "stancer";

fn write_checkpoint(
    path: &Path,
    state: &CheckpointState,
    params: &TrainableParams,
    adam: &AdamW,
    best: &BTreeMap<String, Tensor>,
) -> Result<()> {
    let mut tensors: BTreeMap<String, Tensor> = params
        .tensors
        .iter()
        .map(|(k, t)| (format!("param.{k}"), t.clone()))
        .collect();
    tensors.extend(adam.state());
    tensors.extend(best.iter().map(|(k, t)| (format!("best.{k}"), t.clone())));
    let metadata =
        std::collections::HashMap::from([(STATE_KEY.to_string(), serde_json::to_string(state)?)]);
    let bytes = crate::output::safetensors_with_metadata(&tensors, Some(metadata))?;
    crate::output::write_atomic(path, |w| Ok(w.write_all(&bytes)?))
}

fn read_checkpoint(
    path: &Path,
    device: &Device,
) -> Result<(CheckpointState, BTreeMap<String, Tensor>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)
        .with_context(|| format!("{} is not a stancer checkpoint", path.display()))?;
    let state: CheckpointState = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(STATE_KEY))
        .with_context(|| format!("{} has no training state", path.display()))
        .and_then(|s| {
            serde_json::from_str(s)
                .with_context(|| format!("{}: bad training state", path.display()))
        })?;
    let tensors = candle_core::safetensors::load_buffer(&bytes, device)
        .with_context(|| format!("{} is corrupt", path.display()))?
        .into_iter()
        .collect();
    Ok((state, tensors))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: logits (0, ln 2, ln 3) give p = (1/6, 2/6, 3/6).
    #[test]
    fn set_cross_entropy_is_cross_entropy_for_one_label_and_sums_a_set() {
        let z = Tensor::new(
            &[[0.0f32, 2f32.ln(), 3f32.ln()], [0.0, 2f32.ln(), 3f32.ln()]],
            &Device::Cpu,
        )
        .unwrap();
        let (loss, grad) = set_cross_entropy(&z, &[&[2], &[0, 1]]).unwrap();
        // −ln(3/6) and −ln(1/6 + 2/6), averaged.
        assert!(
            (loss - (2f64.ln() + 2f64.ln()) / 2.0).abs() < 1e-6,
            "{loss}"
        );
        let g = grad.to_vec2::<f32>().unwrap();
        let want = [
            [1.0 / 6.0, 2.0 / 6.0, 0.5 - 1.0],
            [1.0 / 6.0 - 1.0 / 3.0, 2.0 / 6.0 - 2.0 / 3.0, 0.5],
        ];
        for (row, want) in g.iter().zip(want) {
            for (a, b) in row.iter().zip(want) {
                assert!((a - (b / 2.0) as f32).abs() < 1e-6, "{g:?}");
            }
        }
        assert!(set_cross_entropy(&z, &[&[3], &[0]]).is_err());
    }

    /// Worked by hand: groups (3, 2); row 0 has logits (0, ln 2, ln 3 | 0, 0) and labels
    /// (2, 1): loss −ln(1/2) − ln(1/2); row 1 does not count; row 2 (0, 0, 0 | ln 3, 0) with
    /// labels (0, 0): −ln(1/3) − ln(3/4). Mean over the two counted rows.
    #[test]
    fn grouped_cross_entropy_sums_groups_and_skips_uncounted_tokens() {
        let (l2, l3) = (2f32.ln(), 3f32.ln());
        let z = Tensor::new(
            &[
                [0.0f32, l2, l3, 0.0, 0.0],
                [5.0, 1.0, 0.0, 2.0, 0.0],
                [0.0, 0.0, 0.0, l3, 0.0],
            ],
            &Device::Cpu,
        )
        .unwrap();
        let (a, b) = ([2usize, 1], [0usize, 0]);
        let targets = [Some(&a[..]), None, Some(&b[..])];
        let (loss, grad) = grouped_cross_entropy(&z, &targets, &[3, 2]).unwrap();
        let want = (2.0 * 2f64.ln() + 3f64.ln() - (0.75f64).ln()) / 2.0;
        assert!((loss - want).abs() < 1e-6, "{loss} vs {want}");
        let g = grad.to_vec2::<f32>().unwrap();
        let want = [
            [1.0 / 6.0, 2.0 / 6.0, 0.5 - 1.0, 0.5, 0.5 - 1.0],
            [0.0; 5],
            [1.0 / 3.0 - 1.0, 1.0 / 3.0, 1.0 / 3.0, 0.75 - 1.0, 0.25],
        ];
        for (row, want) in g.iter().zip(want) {
            for (x, w) in row.iter().zip(want) {
                assert!((x - (w / 2.0) as f32).abs() < 1e-6, "{g:?}");
            }
        }
        assert!(grouped_cross_entropy(&z, &[Some(&[3, 0][..]), None, None], &[3, 2]).is_err());
    }
}
