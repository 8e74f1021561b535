//! Trained classifiers on disk: one or more linear heads (one per target, or one shared) over
//! a named embedding model, with a manifest recording data, command, seed and cross-validation
//! scores. Everything written is deterministic for the same inputs and seed: no timestamps.

use super::cv::stratified_folds;
use super::features::{self, FeatureMode};
use super::head::{LinearHead, TrainConfig};
use super::text_norm::TextNorm;
use super::{Item, Prediction};
use crate::encoders::TextModel;
use crate::error::UserError;
use crate::metrics::classification_report;
use crate::output::write_atomic;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Manifest file name inside a classifier folder.
pub const MANIFEST: &str = "head.json";
/// Key of the head that serves every target.
pub const ALL_TARGETS: &str = "*";

/// One labelled training example.
#[derive(Debug, Clone)]
pub struct Example {
    /// Stable id within its data (SemEval tweet id, `file:line`, or exemplar number), so
    /// cross-validation reports can be paired item by item.
    pub id: String,
    /// The text.
    pub text: String,
    /// Its own stance target, when the data has several.
    pub target: Option<String>,
    /// Index into the task's labels.
    pub label: usize,
}

impl Example {
    /// The example as a classifier input (no speaker: training data names none).
    pub fn item(&self) -> Item<'_> {
        Item {
            text: &self.text,
            speaker: None,
            target: self.target.as_deref(),
        }
    }
}

/// A training input file and its hash, so a manifest names exactly what a head was fitted on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataSource {
    /// How the data was named on the command line (or `task exemplars`).
    pub path: String,
    /// sha256 of the file's bytes (of the task file for exemplars).
    pub sha256: String,
}

impl DataSource {
    /// The data file's name, without folders or the `kind:` prefix, as reports name their gold.
    pub fn file_name(&self) -> String {
        let path = self
            .path
            .split_once(':')
            .map_or(self.path.as_str(), |p| p.1);
        crate::datasets::file_name(Path::new(path))
    }
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainSpec {
    /// Classifier name (folder name under `models/`).
    pub name: String,
    /// Task name.
    pub task: String,
    /// Which gold field the labels come from (`stance`, `sentiment`).
    pub field: String,
    /// Label names in output order.
    pub labels: Vec<String>,
    /// The pair of labels for F_avg, if the task defines one.
    pub f_avg_labels: Option<[String; 2]>,
    /// Feature construction.
    pub features: FeatureMode,
    /// Normalisation of input texts before embedding.
    pub text_norm: TextNorm,
    /// One head per target instead of one shared head.
    pub per_target: bool,
    /// Target used for items without their own.
    pub default_target: String,
    /// Optimiser settings (`c` is replaced by the best of `c_grid` when that has several values).
    pub config: TrainConfig,
    /// Values of C tried by cross-validation; the best pooled F_avg (else macro-F1) wins.
    pub c_grid: Vec<f64>,
    /// Cross-validation folds (0 or 1: none).
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Embedding model id and the sha256 of its weights.
    pub embedding_model: (String, String),
    /// Training data provenance.
    pub data: Vec<DataSource>,
    /// The command line that produced it.
    pub command: Vec<String>,
}

/// Scores of cross-validated predictions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvScores {
    /// Items scored.
    pub n: usize,
    /// Fraction correct.
    pub accuracy: f64,
    /// Unweighted mean F1 over the task's labels.
    pub macro_f1: f64,
    /// SemEval F_avg over the task's `f_avg_labels`.
    pub f_avg: Option<f64>,
    /// F1 per label.
    pub f1: BTreeMap<String, f64>,
}

/// k-fold cross-validation figures, per target group and pooled over all items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvReport {
    /// Number of folds.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Scores per head group (target name, or `*`).
    pub groups: BTreeMap<String, CvScores>,
    /// Scores over every item's held-out prediction.
    pub pooled: CvScores,
}

/// One head file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadFile {
    /// File name inside the classifier folder.
    pub file: String,
    /// sha256 of that file.
    pub sha256: String,
    /// Examples it was fitted on.
    pub examples: usize,
}

/// `head.json`: everything needed to use and to reproduce a trained classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadManifest {
    /// Manifest format version.
    pub format: u32,
    /// Classifier name.
    pub name: String,
    /// Task name.
    pub task: String,
    /// Gold field the labels come from.
    pub field: String,
    /// Labels in probability order.
    pub labels: Vec<String>,
    /// Embedding model id (see `stancer models list`).
    pub embedding_model: String,
    /// sha256 of the embedding model's weights the head was trained on.
    pub embedding_sha256: String,
    /// Feature construction.
    pub features: FeatureMode,
    /// Normalisation of input texts before embedding, at training and prediction time alike
    /// (absent in heads trained without one).
    #[serde(default, skip_serializing_if = "TextNorm::is_none")]
    pub text_norm: TextNorm,
    /// Target used for items without their own (target-conditioned features).
    pub default_target: String,
    /// Heads by target (`*` serves all targets).
    pub heads: BTreeMap<String, HeadFile>,
    /// Training data provenance.
    pub data: Vec<DataSource>,
    /// Examples per label.
    pub label_counts: BTreeMap<String, usize>,
    /// Optimiser settings.
    pub config: TrainConfig,
    /// Command that produced this folder.
    pub command: Vec<String>,
    /// Cross-validation on the training data with the chosen C, if run.
    pub cv: Option<CvReport>,
    /// Pooled CV score for each C tried. The chosen C's score is slightly optimistic: it was
    /// selected on the same folds.
    pub c_search: Vec<(f64, f64)>,
    /// CPU float platform the heads were fitted on ([`crate::device::cpu_float_platform`]):
    /// retraining there gives the same bytes, elsewhere the same values to rounding (absent in
    /// heads from before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// A loaded classifier: manifest plus heads.
pub struct TrainedClassifier {
    /// Its manifest.
    pub manifest: HeadManifest,
    heads: BTreeMap<String, LinearHead>,
}

/// What [`train`] produced.
pub struct Trained {
    /// The manifest written to `head.json`.
    pub manifest: HeadManifest,
    /// Held-out class probabilities of every example under the chosen `C` (in example order,
    /// label order), when cross-validation ran: the input of a cross-validation report.
    pub out_of_fold: Option<Vec<Vec<f32>>>,
}

/// Trains heads (with cross-validation when `spec.folds > 1`), writes them and `head.json` to
/// `out`, and returns the manifest with the out-of-fold probabilities.
pub fn train(
    model: &TextModel,
    examples: &[Example],
    spec: &TrainSpec,
    out: &Path,
    batch_size: usize,
) -> Result<Trained> {
    anyhow::ensure!(!examples.is_empty(), "no training examples");
    let items: Vec<Item> = examples.iter().map(Example::item).collect();
    let feats = features::build(
        model,
        &items,
        spec.features,
        spec.text_norm,
        &spec.default_target,
        batch_size,
    )?;
    let groups = group_indices(examples, spec.per_target);

    let mut config = spec.config.clone();
    let mut c_search = Vec::new();
    let mut cv = None;
    let mut out_of_fold = None;
    if spec.folds > 1 {
        let grid = if spec.c_grid.is_empty() {
            vec![config.c]
        } else {
            spec.c_grid.clone()
        };
        for c in grid {
            let candidate = TrainConfig {
                c,
                ..spec.config.clone()
            };
            let (report, probabilities) =
                cross_validate(&feats, examples, &groups, spec, &candidate)?;
            let score = report.pooled.f_avg.unwrap_or(report.pooled.macro_f1);
            let best = c_search.iter().all(|&(_, s)| score > s);
            c_search.push((c, score));
            if best {
                config = candidate;
                cv = Some(report);
                out_of_fold = Some(probabilities);
            }
        }
    }

    let mut heads = BTreeMap::new();
    for (group, indices) in &groups {
        let (x, y) = select(&feats, examples, indices);
        let head = LinearHead::train(&x, &y, spec.labels.len(), &config)?;
        let file = if group == ALL_TARGETS {
            "head.safetensors".to_string()
        } else {
            format!("head-{}.safetensors", crate::actors::slug(group))
        };
        let bytes = head.to_safetensors()?;
        write_atomic(&out.join(&file), |w| Ok(w.write_all(&bytes)?))?;
        heads.insert(
            group.clone(),
            HeadFile {
                file,
                sha256: crate::models::cache::sha256_bytes(&bytes),
                examples: indices.len(),
            },
        );
    }
    let mut label_counts: BTreeMap<String, usize> =
        spec.labels.iter().map(|l| (l.clone(), 0)).collect();
    for e in examples {
        *label_counts
            .get_mut(&spec.labels[e.label])
            .expect("label index checked") += 1;
    }
    let manifest = HeadManifest {
        format: 1,
        name: spec.name.clone(),
        task: spec.task.clone(),
        field: spec.field.clone(),
        labels: spec.labels.clone(),
        embedding_model: spec.embedding_model.0.clone(),
        embedding_sha256: spec.embedding_model.1.clone(),
        features: spec.features,
        text_norm: spec.text_norm,
        default_target: spec.default_target.clone(),
        heads,
        data: spec.data.clone(),
        label_counts,
        config,
        command: spec.command.clone(),
        cv,
        c_search,
        platform: Some(crate::device::cpu_float_platform()),
    };
    let json = serde_json::to_string_pretty(&manifest)?;
    write_atomic(&out.join(MANIFEST), |w| Ok(writeln!(w, "{json}")?))?;
    Ok(Trained {
        manifest,
        out_of_fold,
    })
}

/// Held-out predictions for every example, fold by fold within each group, scored per group
/// and pooled; also returns the held-out probabilities.
fn cross_validate(
    feats: &[Vec<f32>],
    examples: &[Example],
    groups: &BTreeMap<String, Vec<usize>>,
    spec: &TrainSpec,
    config: &TrainConfig,
) -> Result<(CvReport, Vec<Vec<f32>>)> {
    let mut predicted = vec![usize::MAX; examples.len()];
    let mut probabilities = vec![Vec::new(); examples.len()];
    let mut group_scores = BTreeMap::new();
    for (group, indices) in groups {
        let labels: Vec<usize> = indices.iter().map(|&i| examples[i].label).collect();
        let folds = stratified_folds(&labels, spec.folds, spec.seed);
        for fold in 0..spec.folds {
            let train_idx: Vec<usize> = (0..indices.len())
                .filter(|&j| folds[j] != fold)
                .map(|j| indices[j])
                .collect();
            let test_idx: Vec<usize> = (0..indices.len())
                .filter(|&j| folds[j] == fold)
                .map(|j| indices[j])
                .collect();
            if test_idx.is_empty() || train_idx.is_empty() {
                continue;
            }
            let (x, y) = select(feats, examples, &train_idx);
            let head = LinearHead::train(&x, &y, spec.labels.len(), config)?;
            let (tx, _) = select(feats, examples, &test_idx);
            for (&i, probs) in test_idx.iter().zip(head.predict_proba(&tx)?) {
                predicted[i] = super::argmax(&probs);
                probabilities[i] = probs;
            }
        }
        group_scores.insert(group.clone(), score(examples, &predicted, indices, spec)?);
    }
    let all: Vec<usize> = (0..examples.len()).collect();
    let report = CvReport {
        folds: spec.folds,
        seed: spec.seed,
        groups: group_scores,
        pooled: score(examples, &predicted, &all, spec)?,
    };
    Ok((report, probabilities))
}

fn score(
    examples: &[Example],
    predicted: &[usize],
    indices: &[usize],
    spec: &TrainSpec,
) -> Result<CvScores> {
    let gold: Vec<&str> = indices
        .iter()
        .map(|&i| spec.labels[examples[i].label].as_str())
        .collect();
    let pred: Vec<&str> = indices
        .iter()
        .map(|&i| spec.labels[predicted[i]].as_str())
        .collect();
    cv_scores(&gold, &pred, &spec.labels, spec.f_avg_labels.as_ref())
}

/// Accuracy, macro-F1, F_avg (when `f_avg_labels` is given) and per-label F1 of `pred`
/// against `gold` over `labels`.
pub fn cv_scores(
    gold: &[&str],
    pred: &[&str],
    labels: &[String],
    f_avg_labels: Option<&[String; 2]>,
) -> Result<CvScores> {
    let report = classification_report(gold, pred, labels)?;
    let f_avg = match f_avg_labels {
        Some([a, b]) => Some(report.f_avg(a, b)?),
        None => None,
    };
    Ok(CvScores {
        n: gold.len(),
        accuracy: report.accuracy,
        macro_f1: report.macro_avg.f1,
        f_avg,
        f1: report
            .per_class
            .iter()
            .map(|c| (c.label.clone(), c.f1))
            .collect(),
    })
}

fn group_indices(examples: &[Example], per_target: bool) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        let key = match (&e.target, per_target) {
            (Some(t), true) => t.clone(),
            _ => ALL_TARGETS.to_string(),
        };
        groups.entry(key).or_default().push(i);
    }
    groups
}

fn select(
    feats: &[Vec<f32>],
    examples: &[Example],
    indices: &[usize],
) -> (Vec<Vec<f32>>, Vec<usize>) {
    indices
        .iter()
        .map(|&i| (feats[i].clone(), examples[i].label))
        .unzip()
}

impl TrainedClassifier {
    /// Reads `head.json` and its heads from `dir`, checking each head's sha256.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            UserError::new(
                format!("cannot read {}: {e}", path.display()),
                "train a classifier with `stancer train` or pass --classifier with a folder holding head.json",
            )
        })?;
        let manifest: HeadManifest = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: invalid classifier manifest: {e}", path.display()))?;
        let mut heads = BTreeMap::new();
        for (group, file) in &manifest.heads {
            let head_path = dir.join(&file.file);
            let actual = crate::models::cache::sha256_file(&head_path)
                .with_context(|| format!("cannot read {}", head_path.display()))?;
            if actual != file.sha256 {
                return Err(UserError::new(
                    format!("{}: sha256 {actual} does not match head.json ({})", head_path.display(), file.sha256),
                    "the classifier folder was modified or is corrupt: retrain it with the command in head.json",
                ));
            }
            heads.insert(group.clone(), LinearHead::load(&head_path)?);
        }
        Ok(Self { manifest, heads })
    }

    /// Label probabilities for each item, from the head of the item's target (or the shared head).
    pub fn predict(
        &self,
        model: &TextModel,
        items: &[Item],
        batch_size: usize,
    ) -> Result<Vec<Prediction>> {
        let vectors = features::embed_texts(model, items, self.manifest.text_norm, batch_size)?;
        self.predict_embedded(model, vectors, items, batch_size)
    }

    /// Like [`TrainedClassifier::predict`], given the items' text embeddings from `model`,
    /// computed by [`features::embed_texts`] with this head's `text_norm`.
    pub fn predict_embedded(
        &self,
        model: &TextModel,
        text_vectors: Vec<Vec<f32>>,
        items: &[Item],
        batch_size: usize,
    ) -> Result<Vec<Prediction>> {
        let feats = features::from_text_vectors(
            model,
            text_vectors,
            items,
            self.manifest.features,
            &self.manifest.default_target,
            batch_size,
        )?;
        items
            .iter()
            .zip(feats)
            .map(|(item, f)| {
                let head = self.head_for(item.target)?;
                let probs = head.predict_proba(&[f])?.remove(0);
                Ok(Prediction::from_probs(
                    &self.manifest.labels,
                    &probs,
                    &self.manifest.name,
                ))
            })
            .collect()
    }

    fn head_for(&self, target: Option<&str>) -> Result<&LinearHead> {
        if let Some(head) = self.heads.get(ALL_TARGETS) {
            return Ok(head);
        }
        let target = target.unwrap_or(&self.manifest.default_target);
        self.heads.get(target).ok_or_else(|| {
            anyhow::anyhow!(
                "classifier '{}' has no head for target '{target}' (targets: {})",
                self.manifest.name,
                self.heads.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }
}
