//! Cross-encoders fine-tuned by stancer: a LoRA adapter and classification head over a base
//! encoder, reading the quote and its target together.
//!
//! A classifier folder holds the adapter in PEFT's layout (`adapter_config.json`,
//! `adapter_model.safetensors`) and `classifier.json`: the model's own labels (e.g. favor,
//! against, neutral, unrelated), how an item becomes the model's input, the training data and
//! settings, the per-epoch history and cross-validation scores. A task reads the model's
//! labels through its `label_map` (missile shield: neutral → conciliatory, unrelated → none),
//! so one model serves tasks with different label sets, and training data labelled in a
//! task's terms trains the model labels that task maps to it.

use super::cv::stratified_folds;
use super::text_norm::TextNorm;
use super::trained::{cv_scores, CvReport, CvScores, DataSource};
use super::{Item, Prediction};
use crate::device::Precision;
use crate::encoders::lora::{self, AdapterConfig};
use crate::encoders::{load_trainable, LoadOptions, TextModel, TextTokenizer};
use crate::error::UserError;
use crate::finetune::{
    fine_tune, Checkpointing, DevSplit, EpochRecord, FineTuneConfig, FineTuned, Start, TrainExample,
};
use crate::task::Task;
use anyhow::{Context, Result};
use candle_core::Device;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Manifest file name inside a fine-tuned classifier folder.
pub const MANIFEST: &str = "classifier.json";

/// How an item becomes the model's input pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFormat {
    /// The first sequence is `"{speaker}: {text}"` when the speaker is known, else the text.
    pub speaker_prefix: bool,
    /// The second sequence when an item has no target of its own and the task it is read in
    /// gives none (the trained task's target).
    pub default_target: String,
    /// Normalisation of the text before it is read (absent: none).
    #[serde(default, skip_serializing_if = "TextNorm::is_none")]
    pub text_norm: TextNorm,
}

impl InputFormat {
    /// The (first, second) sequences of `item`; an item without a target of its own is read
    /// against `default_target`.
    pub fn pair(&self, item: &Item, default_target: &str) -> (String, String) {
        let text = self.text_norm.apply(item.text);
        let first = match (self.speaker_prefix, item.speaker) {
            (true, Some(speaker)) => format!("{speaker}: {text}"),
            _ => text.into_owned(),
        };
        let second = item.target.unwrap_or(default_target).to_string();
        (first, second)
    }
}

/// `classifier.json`: what a fine-tuned classifier is, and how to reproduce it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FineTunedManifest {
    /// Manifest format version.
    pub format: u32,
    /// Classifier name (its folder name).
    pub name: String,
    /// The task it was trained for.
    pub task: String,
    /// Gold field the labels come from (`stance`, `sentiment`).
    pub field: String,
    /// The model's labels, in logit order.
    pub labels: Vec<String>,
    /// Base encoder id (see `stancer models list`).
    pub base_model: String,
    /// sha256 of the base encoder's weights.
    pub base_sha256: String,
    /// sha256 of `adapter_model.safetensors`.
    pub adapter_sha256: String,
    /// Input construction.
    pub input: InputFormat,
    /// Training data provenance.
    pub data: Vec<DataSource>,
    /// Training examples per data source.
    pub examples: BTreeMap<String, usize>,
    /// Training settings.
    pub config: FineTuneConfig,
    /// Fraction of the training data held out for early stopping.
    pub dev_fraction: f64,
    /// Per-epoch training loss and dev score of the shipped run.
    pub history: Vec<EpochRecord>,
    /// The epoch whose weights were kept.
    pub kept_epoch: usize,
    /// Cross-validation of the same recipe on the training data, if run.
    pub cv: Option<CvReport>,
    /// CPU float platform the weights were computed on (same platform, same bytes).
    pub platform: String,
    /// The command that produced this folder.
    pub command: Vec<String>,
}

/// One training example: an input and the task label it carries, with the model labels the
/// task maps to that label.
#[derive(Debug, Clone)]
pub struct LabelledItem {
    /// Stable id within its data.
    pub id: String,
    /// Which data source it came from (a key of [`FineTunedManifest::examples`]).
    pub source: String,
    /// The text.
    pub text: String,
    /// Its own target, if the data has several.
    pub target: Option<String>,
    /// Its speaker, if known.
    pub speaker: Option<String>,
    /// The gold label in its own task's terms.
    pub gold: String,
    /// Whether its own task is the task being trained for (so `gold` is one of its labels).
    pub in_task: bool,
    /// Model labels counted as right.
    pub allowed: Vec<usize>,
}

impl LabelledItem {
    fn item(&self) -> Item<'_> {
        Item {
            text: &self.text,
            speaker: self.speaker.as_deref(),
            target: self.target.as_deref(),
        }
    }
}

/// For each model label, the index of the task label it means (through `label_map`, else by
/// name); an error names a model label the task cannot read.
pub fn task_label_of(task: &Task, model_labels: &[String]) -> Result<Vec<usize>> {
    model_labels
        .iter()
        .map(|label| {
            task.map_label(label).with_context(|| {
                format!(
                    "{}: label_map does not say what the model label '{label}' means in this task",
                    task.path.display()
                )
            })
        })
        .collect()
}

/// The model labels that task label `gold` (an index into `task`'s labels) allows.
pub fn allowed_for(task: &Task, model_labels: &[String], gold: usize) -> Result<Vec<usize>> {
    let meaning = task_label_of(task, model_labels)?;
    let allowed: Vec<usize> = (0..model_labels.len())
        .filter(|&i| meaning[i] == gold)
        .collect();
    anyhow::ensure!(
        !allowed.is_empty(),
        "{}: no model label ({}) maps to the task label '{}'",
        task.path.display(),
        model_labels.join(", "),
        task.labels[gold].name
    );
    Ok(allowed)
}

/// Everything that decides a fine-tuned classifier besides its data.
pub struct FineTuneSpec<'a> {
    /// Classifier name.
    pub name: String,
    /// The task whose labels CV and dev scores are read in (and whose target is the default).
    pub task: &'a Task,
    /// Gold field.
    pub field: String,
    /// The model's labels.
    pub labels: Vec<String>,
    /// Base encoder folder, id and weights sha256.
    pub base: (&'a Path, String, String),
    /// Input construction.
    pub input: InputFormat,
    /// Training settings.
    pub config: FineTuneConfig,
    /// Held-out fraction for early stopping (0: none, the last epoch is kept).
    pub dev_fraction: f64,
    /// Cross-validation folds (0 or 1: none).
    pub folds: usize,
    /// Continue from this adapter folder instead of a fresh adapter (few-shot adaptation).
    pub init: Option<&'a Path>,
    /// Data provenance.
    pub data: Vec<DataSource>,
    /// Command line.
    pub command: Vec<String>,
    /// Device to train on.
    pub device: Device,
    /// Resume an interrupted run from the checkpoint in the output folder.
    pub resume: bool,
    /// No progress output.
    pub quiet: bool,
}

/// What [`train`] wrote.
pub struct Trained {
    /// The manifest written to `classifier.json`.
    pub manifest: FineTunedManifest,
    /// Out-of-fold probabilities over the task's labels, when cross-validation ran.
    pub out_of_fold: Option<Vec<Vec<f32>>>,
}

/// Checkpoint file inside the output folder while a run is unfinished.
const CHECKPOINT: &str = ".stancer-finetune-checkpoint.safetensors";

/// Fine-tunes on `items` (cross-validating first when `spec.folds > 1`) and writes the
/// classifier folder `out`.
pub fn train(items: &[LabelledItem], spec: &FineTuneSpec, out: &Path) -> Result<Trained> {
    anyhow::ensure!(!items.is_empty(), "no training examples");
    anyhow::ensure!(
        spec.folds <= 1 || items.iter().all(|i| i.in_task),
        "cross-validation scores the task's own labels: every --data must be labelled in task {}",
        spec.task.name
    );
    let model = load_trainable(spec.base.0, &spec.device)?;
    let tokenizer = TextTokenizer::load(spec.base.0, spec.config.max_length)?;
    let meaning = task_label_of(spec.task, &spec.labels)?;
    let strata: Vec<usize> = items.iter().map(|i| i.allowed[0]).collect();
    let run =
        |train_idx: &[usize], checkpoint: Option<&Checkpointing>, seed: u64| -> Result<FineTuned> {
            let (fit, dev) = split_dev(train_idx, &strata, spec.dev_fraction, seed);
            let examples = |idx: &[usize]| -> Vec<TrainExample> {
                idx.iter()
                    .map(|&i| example(&items[i], &spec.input))
                    .collect()
            };
            let (fit_examples, dev_examples) = (examples(&fit), examples(&dev));
            let dev_items: Vec<&LabelledItem> = dev.iter().map(|&i| &items[i]).collect();
            let score = |probs: &[Vec<f32>]| dev_score(spec.task, &meaning, &dev_items, probs);
            let dev_split = (!dev.is_empty()).then(|| DevSplit {
                examples: &dev_examples,
                score: &score,
            });
            let start = match spec.init {
                Some(dir) => {
                    let config = AdapterConfig::read(dir)?;
                    Start::From {
                        tensors: lora::read_tensors(dir, &spec.device)?,
                        scale: config.scale(),
                    }
                }
                None => Start::Fresh {
                    model_dir: spec.base.0,
                    labels: spec.labels.len(),
                },
            };
            fine_tune(
                model.as_ref(),
                &tokenizer,
                &spec.device,
                start,
                &fit_examples,
                dev_split,
                &spec.config,
                checkpoint,
                spec.quiet,
            )
        };

    let mut cv = None;
    let mut out_of_fold = None;
    if spec.folds > 1 {
        let folds = stratified_folds(&strata, spec.folds, spec.config.seed);
        let mut probs = vec![Vec::new(); items.len()];
        for fold in 0..spec.folds {
            if !spec.quiet {
                eprintln!("cross-validation fold {}/{}", fold + 1, spec.folds);
            }
            let train_idx: Vec<usize> = (0..items.len()).filter(|&i| folds[i] != fold).collect();
            let test_idx: Vec<usize> = (0..items.len()).filter(|&i| folds[i] == fold).collect();
            let fitted = run(&train_idx, None, spec.config.seed)?;
            let test: Vec<TrainExample> = test_idx
                .iter()
                .map(|&i| example(&items[i], &spec.input))
                .collect();
            let predicted = predict_with(&*model, &tokenizer, &fitted, &test, spec)?;
            for (&i, p) in test_idx.iter().zip(predicted) {
                probs[i] = to_task(&meaning, spec.task.labels.len(), &p);
            }
        }
        cv = Some(cv_report(spec, items, &probs)?);
        out_of_fold = Some(probs);
    }

    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let checkpoint = Checkpointing {
        path: out.join(CHECKPOINT),
        every: 50,
        resume: spec.resume,
    };
    let all: Vec<usize> = (0..items.len()).collect();
    let fitted = run(&all, Some(&checkpoint), spec.config.seed)?;
    let adapter = crate::finetune::params::adapter_config(
        &*model,
        &spec.config.lora,
        &spec.base.1,
        crate::encoders::Head::Sequence,
    );
    lora::write(out, &adapter, &fitted.tensors)?;
    let mut examples = BTreeMap::new();
    for item in items {
        *examples.entry(item.source.clone()).or_default() += 1;
    }
    let manifest = FineTunedManifest {
        format: 1,
        name: spec.name.clone(),
        task: spec.task.name.clone(),
        field: spec.field.clone(),
        labels: spec.labels.clone(),
        base_model: spec.base.1.clone(),
        base_sha256: spec.base.2.clone(),
        adapter_sha256: crate::models::cache::sha256_file(&out.join(lora::WEIGHTS_FILE))?,
        input: spec.input.clone(),
        data: spec.data.clone(),
        examples,
        config: spec.config.clone(),
        dev_fraction: spec.dev_fraction,
        history: fitted.history,
        kept_epoch: fitted.kept_epoch,
        cv,
        platform: crate::device::cpu_float_platform(),
        command: spec.command.clone(),
    };
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    crate::output::write_atomic(&out.join(MANIFEST), |w| Ok(w.write_all(json.as_bytes())?))?;
    std::fs::remove_file(&checkpoint.path)
        .with_context(|| format!("cannot remove {}", checkpoint.path.display()))?;
    Ok(Trained {
        manifest,
        out_of_fold,
    })
}

/// The model input and allowed labels of an item.
fn example(item: &LabelledItem, input: &InputFormat) -> TrainExample {
    let (text, pair) = input.pair(&item.item(), &input.default_target);
    TrainExample {
        text,
        pair: Some(pair),
        target: crate::finetune::Target::Allowed(item.allowed.clone()),
    }
}

/// Splits `indices` into a fitting part and a stratified dev part of about `fraction`.
fn split_dev(
    indices: &[usize],
    strata: &[usize],
    fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    if fraction <= 0.0 || indices.len() < 2 {
        return (indices.to_vec(), Vec::new());
    }
    let k = (1.0 / fraction).round().max(2.0) as usize;
    let labels: Vec<usize> = indices.iter().map(|&i| strata[i]).collect();
    let folds = stratified_folds(&labels, k, seed ^ 0xD5);
    let (mut fit, mut dev) = (Vec::new(), Vec::new());
    for (j, &i) in indices.iter().enumerate() {
        if folds[j] == 0 {
            dev.push(i)
        } else {
            fit.push(i)
        }
    }
    (fit, dev)
}

/// Model probabilities summed into the task's labels.
fn to_task(meaning: &[usize], task_labels: usize, probs: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; task_labels];
    for (p, &t) in probs.iter().zip(meaning) {
        out[t] += p;
    }
    out
}

/// Dev score for early stopping: F_avg when the task defines it, else macro-F1, over the
/// task's labels; for data from several tasks, the share of items whose most probable model
/// label is one they allow, averaged over data sources.
fn dev_score(task: &Task, meaning: &[usize], items: &[&LabelledItem], probs: &[Vec<f32>]) -> f64 {
    if !items.iter().all(|i| i.in_task) {
        let mut by_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for (item, p) in items.iter().zip(probs) {
            let entry = by_source.entry(&item.source).or_default();
            entry.0 += usize::from(item.allowed.contains(&super::argmax(p)));
            entry.1 += 1;
        }
        return by_source
            .values()
            .map(|&(right, n)| right as f64 / n as f64)
            .sum::<f64>()
            / by_source.len().max(1) as f64;
    }
    let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
    let gold: Vec<&str> = items.iter().map(|i| i.gold.as_str()).collect();
    let pred: Vec<&str> = probs
        .iter()
        .map(|p| labels[super::argmax(&to_task(meaning, labels.len(), p))].as_str())
        .collect();
    cv_scores(&gold, &pred, &labels, task.f_avg_labels.as_ref())
        .map(|s| s.f_avg.unwrap_or(s.macro_f1))
        .unwrap_or(0.0)
}

/// Cross-validation scores of out-of-fold task probabilities, per target and pooled.
fn cv_report(spec: &FineTuneSpec, items: &[LabelledItem], probs: &[Vec<f32>]) -> Result<CvReport> {
    let labels: Vec<String> = spec.task.labels.iter().map(|l| l.name.clone()).collect();
    let scores = |idx: &[usize]| -> Result<CvScores> {
        let gold: Vec<&str> = idx.iter().map(|&i| items[i].gold.as_str()).collect();
        let pred: Vec<&str> = idx
            .iter()
            .map(|&i| labels[super::argmax(&probs[i])].as_str())
            .collect();
        cv_scores(&gold, &pred, &labels, spec.task.f_avg_labels.as_ref())
    };
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let group = item
            .target
            .clone()
            .unwrap_or_else(|| spec.task.target.name.clone());
        groups.entry(group).or_default().push(i);
    }
    Ok(CvReport {
        folds: spec.folds,
        seed: spec.config.seed,
        groups: groups
            .iter()
            .map(|(g, idx)| Ok((g.clone(), scores(idx)?)))
            .collect::<Result<_>>()?,
        pooled: scores(&(0..items.len()).collect::<Vec<_>>())?,
    })
}

/// Class probabilities of `examples` under fitted parameters.
fn predict_with(
    model: &dyn crate::encoders::Trainable,
    tokenizer: &TextTokenizer,
    fitted: &FineTuned,
    examples: &[TrainExample],
    spec: &FineTuneSpec,
) -> Result<Vec<Vec<f32>>> {
    let params = crate::finetune::TrainableParams {
        tensors: fitted.tensors.clone(),
        head: crate::encoders::Head::Sequence,
        scale: spec.config.lora.alpha / spec.config.lora.r as f64,
        lora_dropout: 0.0,
    };
    crate::finetune::trainer::predict(
        model,
        &params,
        tokenizer,
        examples,
        spec.config.batch_size,
        &spec.device,
    )
}

/// A loaded fine-tuned classifier.
pub struct FineTunedClassifier {
    /// Its manifest.
    pub manifest: FineTunedManifest,
    model: TextModel,
}

impl FineTunedClassifier {
    /// Loads the classifier in `dir` over the base encoder in `base_dir`, checking that the
    /// base and adapter are the ones it was trained with.
    pub fn load(
        dir: &Path,
        base_dir: &Path,
        base_sha256: &str,
        device: &Device,
        precision: Precision,
    ) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let recorded = lora::Recorded {
            manifest: MANIFEST,
            base_model: &manifest.base_model,
            base_sha256: &manifest.base_sha256,
            adapter_sha256: &manifest.adapter_sha256,
        };
        lora::verify(dir, &recorded, base_sha256)?;
        let options = LoadOptions {
            max_length: Some(manifest.config.max_length),
            adapter: Some(dir.to_path_buf()),
            precision,
            ..LoadOptions::default()
        };
        let model = TextModel::load(base_dir, options, device)?;
        Ok(Self { manifest, model })
    }

    /// Probabilities over the model's own labels, one row per item; items without a target
    /// are read against `default_target`.
    pub fn probabilities(
        &self,
        items: &[Item],
        default_target: &str,
        batch_size: usize,
    ) -> Result<Vec<Vec<f32>>> {
        let pairs: Vec<(String, String)> = items
            .iter()
            .map(|i| self.manifest.input.pair(i, default_target))
            .collect();
        let inputs: Vec<crate::encoders::ModelInput> = pairs
            .iter()
            .map(|(a, b)| crate::encoders::ModelInput::Pair(a, b))
            .collect();
        Ok(self
            .model
            .logits(&inputs, batch_size)?
            .iter()
            .map(|l| super::softmax(l))
            .collect())
    }

    /// Predictions in the model's own labels.
    pub fn predict_own(&self, items: &[Item], batch_size: usize) -> Result<Vec<Prediction>> {
        Ok(self
            .probabilities(items, &self.manifest.input.default_target, batch_size)?
            .iter()
            .map(|p| Prediction::from_probs(&self.manifest.labels, p, &self.manifest.name))
            .collect())
    }

    /// Predictions in `task`'s labels (model probabilities summed through its `label_map`);
    /// items without a target are read against `task`'s.
    pub fn predict(
        &self,
        task: &Task,
        items: &[Item],
        batch_size: usize,
    ) -> Result<Vec<Prediction>> {
        let meaning = task_label_of(task, &self.manifest.labels)?;
        let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
        Ok(self
            .probabilities(items, &task.target.name, batch_size)?
            .iter()
            .map(|p| {
                Prediction::from_probs(
                    &labels,
                    &to_task(&meaning, labels.len(), p),
                    &self.manifest.name,
                )
            })
            .collect())
    }
}

/// Reads `classifier.json` in `dir`.
pub fn read_manifest(dir: &Path) -> Result<FineTunedManifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        UserError::new(
            format!("cannot read {}: {e}", path.display()),
            "fine-tune a classifier with `stancer train --fine-tune`",
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: invalid classifier manifest: {e}", path.display()))
}

/// Whether `dir` holds a fine-tuned classifier (rather than a linear head).
pub fn is_fine_tuned(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}
