//! Evaluation reports researchers can publish from: one versioned `report.json` (every figure,
//! per-item outcomes for paired comparisons, and the error list), `report.md` (the same as
//! tables) and `report.html` (one self-contained page with SVG charts, no scripts).
//!
//! A report body holds no timestamps and no absolute paths, and every figure is computed in a
//! fixed order from the inputs and a recorded bootstrap seed, so rerunning `stancer eval` on the
//! same inputs gives byte-identical files. JSON keeps full precision (shortest round-trip
//! floats); Markdown and HTML print floats with a fixed number of decimals.

pub mod compare;
mod html;
mod layout;
mod markdown;
mod page;
pub use page::{Align, Table};
pub mod quotes;
mod svg;

use crate::classify::trained::Example;
use crate::classify::Prediction;
use crate::eval::bootstrap::{bootstrap_ci, BootstrapConfig, ConfidenceInterval};
use crate::eval::calibration::{expected_calibration_error, CalibrationReport, DEFAULT_BINS};
use crate::eval::stance::ActorOutcome;
use crate::metrics::{classification_report, cohen_kappa, ClassificationReport};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Schema id written into every report; bump it when a field changes meaning or disappears,
/// so readers (and `stancer eval compare`) can refuse what they do not understand.
pub const SCHEMA: &str = "stancer-eval-report/2";

/// Root of the committed report tree; each report lives in `<root>/<dataset>/<classifier>/`.
pub const DEFAULT_ROOT: &str = "eval/reports";

/// Bootstrap seed of the reports unless `--seed` says otherwise; fixed so baselines reproduce.
pub const DEFAULT_SEED: u64 = 2016;

/// The whole evaluation of one classifier on one dataset, as written to `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// What was scored against, and how the predictions were obtained.
    pub dataset: Dataset,
    /// The task: which prediction field, and its label set (the order of all tables).
    pub task: TaskInfo,
    /// Classifier ids found in the predictions (`Prediction.model`), sorted.
    pub models: Vec<String>,
    /// Gold items in the dataset.
    pub n_gold_items: u64,
    /// Gold items a prediction was matched to; every figure below is over these.
    pub n_items: u64,
    /// Gold items with no matched prediction (listed in `errors`, not in the figures).
    pub n_missed: u64,
    /// Per-class P/R/F1/support, accuracy, macro and weighted averages, confusion matrix.
    pub scores: ClassificationReport,
    /// SemEval F_avg over the task's `f_avg_labels`; absent when the task defines none.
    pub f_avg: Option<f64>,
    /// Cohen's kappa between gold and predictions; `null` where undefined.
    pub cohen_kappa: Option<f64>,
    /// Seeded percentile-bootstrap intervals.
    pub bootstrap: BootstrapIntervals,
    /// Top-label calibration: ECE and the reliability table.
    pub calibration: CalibrationReport,
    /// Figures per group of items (per gold actor for news quotes, per target for SemEval).
    pub groups: GroupScores,
    /// Aggregated per-actor labels against gold actor labels; only for stance on news runs.
    pub actor_level: Option<ActorLevel>,
    /// Every gold item with its outcome, keyed by gold id, so two reports can be paired.
    pub items: Vec<ItemOutcome>,
    /// Every wrong or missed item, with text and scores, for reading errors.
    pub errors: Vec<ErrorItem>,
}

/// Where the gold came from and how predictions were made, without absolute paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Dataset name (the task's name, e.g. `missile-shield`); names the report folder.
    pub name: String,
    /// How the predictions were obtained (a scored run, or out-of-fold cross-validation).
    pub protocol: String,
    /// Gold file name(s) (no directory, so reports do not depend on the checkout's location).
    pub gold_file: String,
    /// sha256 of the gold file(s), so a report says exactly which annotations it used.
    pub gold_sha256: String,
    /// sha256 of the predictions' `quotes.jsonl` when a run was scored; `null` for
    /// cross-validation, whose predictions exist only inside the report.
    pub predictions_sha256: Option<String>,
}

/// The task as the report needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Task name.
    pub name: String,
    /// Which prediction field is scored (`stance` or `sentiment`).
    pub field: String,
    /// Label set in task order.
    pub labels: Vec<String>,
    /// The two labels averaged by F_avg, when the task defines them.
    pub f_avg_labels: Option<[String; 2]>,
}

/// Bootstrap intervals, all from the same resamples (same seed, same item count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapIntervals {
    /// Resamples, confidence level and seed.
    pub config: BootstrapConfig,
    /// Accuracy.
    pub accuracy: ConfidenceInterval,
    /// Macro-averaged F1.
    pub macro_f1: ConfidenceInterval,
    /// F_avg, when the task defines it.
    pub f_avg: Option<ConfidenceInterval>,
    /// F1 of each class, in label order (the whiskers of the per-class chart).
    pub per_class_f1: Vec<ClassInterval>,
}

/// One class's F1 interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassInterval {
    /// The class.
    pub label: String,
    /// Its F1 with interval.
    pub f1: ConfidenceInterval,
}

/// Figures per group of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScores {
    /// What the groups are (`actor`, `target`).
    pub by: String,
    /// One row per group, sorted by name.
    pub rows: Vec<GroupScore>,
}

/// The scored items of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    /// Group name (canonical actor, or target).
    pub group: String,
    /// Gold items of the group.
    pub n_gold: u64,
    /// Of those, matched to a prediction.
    pub n_items: u64,
    /// Matched items predicted correctly.
    pub correct: u64,
    /// `correct / n_items`; `null` when nothing was matched.
    pub accuracy: Option<f64>,
    /// Macro-F1 over the task's labels on the group's scored items.
    pub macro_f1: Option<f64>,
    /// F_avg on the group's scored items, when the task defines it (SemEval scores per target).
    pub f_avg: Option<f64>,
}

/// Corpus-level actor labels against the gold actor labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorLevel {
    /// Fraction of gold actors whose corpus-level predicted label equals gold (missing = wrong).
    pub accuracy: f64,
    /// Gold actor by gold actor.
    pub actors: Vec<ActorOutcome>,
}

/// One gold item's outcome, compact, for pairing reports item by item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Gold item id.
    pub id: String,
    /// Gold label.
    pub gold: String,
    /// Predicted label; `null` when no prediction matched the item.
    pub predicted: Option<String>,
    /// Probability of the predicted label.
    pub confidence: Option<f64>,
}

/// A wrong or missed item, with what a reader needs to judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorItem {
    /// Gold item id.
    pub id: String,
    /// Document.
    pub doc_id: String,
    /// The item's group (gold actor or target).
    pub group: String,
    /// Gold text; `null` when the report leaves texts out (data that may not be redistributed).
    pub text: Option<String>,
    /// Gold label.
    pub gold: String,
    /// Predicted label; `null` for a missed item.
    pub predicted: Option<String>,
    /// Matched predicted quote id; `null` for a missed item or cross-validation.
    pub predicted_quote_id: Option<String>,
    /// Probabilities the classifier gave each label.
    pub scores: Option<BTreeMap<String, f32>>,
}

/// One gold item and what the classifier said about it: the common input of every report.
#[derive(Debug, Clone)]
pub struct ScoredItem {
    /// Gold item id (unique within the dataset).
    pub id: String,
    /// Document (or data file) the item belongs to.
    pub doc_id: String,
    /// Group the item is reported under (gold actor, target).
    pub group: String,
    /// Item text; `None` leaves it out of the report (the id still identifies the item).
    pub text: Option<String>,
    /// Gold label.
    pub gold: String,
    /// The prediction; `None` when no predicted quote matched the gold item.
    pub prediction: Option<Prediction>,
    /// Id of the matched predicted quote, when predictions come from a run.
    pub matched_id: Option<String>,
}

impl ScoredItem {
    /// A labelled example as a report item under `prediction`, grouped by its target (or
    /// `default_target`); `keep_text` false leaves the text out of the report.
    pub fn from_example(
        example: &Example,
        labels: &[String],
        default_target: &str,
        prediction: Prediction,
        keep_text: bool,
    ) -> ScoredItem {
        ScoredItem {
            id: example.id.clone(),
            doc_id: String::new(),
            group: example
                .target
                .clone()
                .unwrap_or_else(|| default_target.to_string()),
            text: keep_text.then(|| example.text.clone()),
            gold: labels[example.label].clone(),
            prediction: Some(prediction),
            matched_id: None,
        }
    }
}

/// What [`build`] needs.
pub struct ReportInput<'a> {
    /// Dataset provenance.
    pub dataset: Dataset,
    /// Task name, field and labels.
    pub task: TaskInfo,
    /// Every gold item, in a fixed order.
    pub items: &'a [ScoredItem],
    /// What [`ScoredItem::group`] holds (`actor`, `target`).
    pub group_by: &'a str,
    /// Actor-level outcomes, when the predictions aggregate actors.
    pub actor_level: Option<ActorLevel>,
    /// How to resample.
    pub bootstrap: BootstrapConfig,
}

/// Computes every figure of the report. Fails (with the metric's own message) when no item was
/// scored or a label or probability is out of range; callers validate inputs first so the user
/// sees the file at fault.
pub fn build(input: ReportInput) -> Result<Report> {
    let labels = &input.task.labels;
    let scored_items: Vec<&ScoredItem> = input
        .items
        .iter()
        .filter(|i| i.prediction.is_some())
        .collect();
    let scored: Vec<(&str, &str, f64)> = scored_items
        .iter()
        .filter_map(|i| {
            let p = i.prediction.as_ref()?;
            let conf = p.scores.get(&p.label).copied().unwrap_or(0.0) as f64;
            Some((i.gold.as_str(), p.label.as_str(), conf))
        })
        .collect();
    anyhow::ensure!(
        !scored.is_empty(),
        "no gold item has a matched prediction, so there is nothing to score"
    );
    let gold: Vec<&str> = scored.iter().map(|s| s.0).collect();
    let pred: Vec<&str> = scored.iter().map(|s| s.1).collect();
    let conf: Vec<f64> = scored.iter().map(|s| s.2).collect();
    let scores = classification_report(&gold, &pred, labels)?;
    let f_avg_of = |r: &ClassificationReport| {
        input
            .task
            .f_avg_labels
            .as_ref()
            .map(|[a, b]| r.f_avg(a, b))
            .transpose()
    };
    let f_avg = f_avg_of(&scores)?;
    let cohen_kappa = cohen_kappa(&gold, &pred, labels)?;
    let calibration = expected_calibration_error(&gold, &pred, &conf, labels, DEFAULT_BINS)?;

    let subset = |idx: &[usize]| {
        let g: Vec<&str> = idx.iter().map(|&i| gold[i]).collect();
        let p: Vec<&str> = idx.iter().map(|&i| pred[i]).collect();
        classification_report(&g, &p, labels).ok()
    };
    let n = scored.len();
    let cfg = &input.bootstrap;
    let bootstrap = BootstrapIntervals {
        config: *cfg,
        accuracy: bootstrap_ci(n, cfg, |idx| Some(subset(idx)?.accuracy))?,
        macro_f1: bootstrap_ci(n, cfg, |idx| Some(subset(idx)?.macro_avg.f1))?,
        f_avg: match &input.task.f_avg_labels {
            Some(_) => Some(bootstrap_ci(n, cfg, |idx| {
                f_avg_of(&subset(idx)?).ok().flatten()
            })?),
            None => None,
        },
        per_class_f1: labels
            .iter()
            .enumerate()
            .map(|(c, label)| {
                Ok(ClassInterval {
                    label: label.clone(),
                    f1: bootstrap_ci(n, cfg, |idx| Some(subset(idx)?.per_class[c].f1))?,
                })
            })
            .collect::<Result<_>>()?,
    };

    let mut by_group: BTreeMap<&str, (u64, Vec<usize>)> = BTreeMap::new();
    for item in input.items {
        by_group.entry(item.group.as_str()).or_default().0 += 1;
    }
    for (k, item) in scored_items.iter().enumerate() {
        by_group
            .get_mut(item.group.as_str())
            .expect("every item's group was counted")
            .1
            .push(k);
    }
    let rows = by_group
        .into_iter()
        .map(|(group, (n_gold, idx))| {
            let report = (!idx.is_empty()).then(|| subset(&idx)).flatten();
            let correct = idx.iter().filter(|&&i| gold[i] == pred[i]).count() as u64;
            Ok(GroupScore {
                group: group.to_string(),
                n_gold,
                n_items: idx.len() as u64,
                correct,
                accuracy: (!idx.is_empty()).then(|| correct as f64 / idx.len() as f64),
                macro_f1: report.as_ref().map(|r| r.macro_avg.f1),
                f_avg: report.as_ref().map(f_avg_of).transpose()?.flatten(),
            })
        })
        .collect::<Result<_>>()?;

    let items = input
        .items
        .iter()
        .map(|i| ItemOutcome {
            id: i.id.clone(),
            gold: i.gold.clone(),
            predicted: i.prediction.as_ref().map(|p| p.label.clone()),
            confidence: i
                .prediction
                .as_ref()
                .and_then(|p| p.scores.get(&p.label))
                .map(|&c| c as f64),
        })
        .collect();
    let errors = input
        .items
        .iter()
        .filter(|i| i.prediction.as_ref().map(|p| &p.label) != Some(&i.gold))
        .map(|i| ErrorItem {
            id: i.id.clone(),
            doc_id: i.doc_id.clone(),
            group: i.group.clone(),
            text: i.text.clone(),
            gold: i.gold.clone(),
            predicted: i.prediction.as_ref().map(|p| p.label.clone()),
            predicted_quote_id: i.matched_id.clone(),
            scores: i.prediction.as_ref().map(|p| p.scores.clone()),
        })
        .collect();
    let mut models: Vec<String> = scored_items
        .iter()
        .filter_map(|i| Some(i.prediction.as_ref()?.model.clone()))
        .collect();
    models.sort();
    models.dedup();

    Ok(Report {
        schema: SCHEMA.to_string(),
        dataset: input.dataset,
        task: input.task,
        models,
        n_gold_items: input.items.len() as u64,
        n_items: n as u64,
        n_missed: (input.items.len() - n) as u64,
        scores,
        f_avg,
        cohen_kappa,
        bootstrap,
        calibration,
        groups: GroupScores {
            by: input.group_by.to_string(),
            rows,
        },
        actor_level: input.actor_level,
        items,
        errors,
    })
}

impl Report {
    /// The classifier id that names the report folder: the models joined with `+`.
    pub fn classifier(&self) -> String {
        if self.models.is_empty() {
            "unknown".to_string()
        } else {
            self.models.join("+")
        }
    }

    /// The report's folder under `root`: `<root>/<dataset>/<classifier>/`.
    pub fn folder(&self, root: &Path) -> std::path::PathBuf {
        root.join(path_safe(&self.dataset.name))
            .join(path_safe(&self.classifier()))
    }

    /// `report.json` bytes: pretty-printed, newline-terminated.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)? + "\n")
    }

    /// Writes `report.json`, `report.md` and `report.html` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        write_files(dir, &self.to_json()?, &layout::page(self))
    }

    /// Reads a `report.json`, refusing other schema versions by name.
    pub fn load(path: &Path) -> Result<Report> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let head: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a JSON report", path.display()))?;
        let schema = head.get("schema").and_then(|s| s.as_str()).unwrap_or("");
        anyhow::ensure!(
            schema == SCHEMA,
            "{}: schema {schema:?} is not {SCHEMA:?}; regenerate it with `stancer eval stance`",
            path.display()
        );
        serde_json::from_value(head)
            .with_context(|| format!("{}: malformed {SCHEMA} report", path.display()))
    }
}

/// A name usable as one path component: anything but letters, digits, `-`, `_`, `.` and `+`
/// becomes `_`.
pub fn path_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        "_".to_string()
    } else {
        s
    }
}

/// Writes `report.json` (given) and the page as `report.md` and `report.html` into `dir`, each
/// atomically, so an interrupted evaluation never leaves a half-written report.
fn write_files(dir: &Path, json: &str, page: &page::Page) -> Result<()> {
    let files = [
        ("report.json", json.to_string()),
        ("report.md", markdown::render(page)),
        ("report.html", html::render(page)),
    ];
    for (name, body) in files {
        crate::output::write_atomic(&dir.join(name), |w| Ok(w.write_all(body.as_bytes())?))?;
    }
    Ok(())
}

/// `x` with four decimals, or an en dash when undefined: the fixed precision of md and html.
fn fmt4(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

/// "[lower, upper]" of an interval with four decimals.
fn fmt_ci(ci: &ConfidenceInterval) -> String {
    format!("[{:.4}, {:.4}]", ci.lower, ci.upper)
}
