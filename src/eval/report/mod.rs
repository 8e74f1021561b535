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
mod markdown;
mod svg;

use crate::eval::bootstrap::{bootstrap_ci, BootstrapConfig, ConfidenceInterval};
use crate::eval::calibration::{expected_calibration_error, CalibrationReport, DEFAULT_BINS};
use crate::eval::metrics::{classification_report, cohen_kappa, ClassificationReport};
use crate::eval::stance::{ActorOutcome, StanceEvaluation};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Schema id written into every report; bump it when a field changes meaning or disappears,
/// so readers (and `stancer eval compare`) can refuse what they do not understand.
pub const SCHEMA: &str = "stancer-eval-report/1";

/// Bootstrap seed of the reports unless `--seed` says otherwise; fixed so baselines reproduce.
pub const DEFAULT_SEED: u64 = 2016;

/// The whole evaluation of one classifier on one dataset, as written to `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// What was scored against.
    pub dataset: Dataset,
    /// The task: which prediction field, and its label set (the order of all tables).
    pub task: TaskInfo,
    /// Classifier ids found in the predictions (`Prediction.model`), sorted.
    pub models: Vec<String>,
    /// Gold items (quotes) in the dataset.
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
    /// Per-actor figures.
    pub actors: ActorScores,
    /// Every gold item with its outcome, keyed by gold id, so two reports can be paired.
    pub items: Vec<ItemOutcome>,
    /// Every wrong or missed item, with text and scores, for reading errors.
    pub errors: Vec<ErrorItem>,
}

/// Where the gold came from, without absolute paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Dataset name (the task's name, e.g. `missile-shield`); names the report folder.
    pub name: String,
    /// Gold file name (no directory, so reports do not depend on the checkout's location).
    pub gold_file: String,
    /// sha256 of the gold file, so a report says exactly which annotations it used.
    pub gold_sha256: String,
    /// sha256 of the predictions' `quotes.jsonl`, tying the report to one run's output.
    pub predictions_sha256: String,
}

/// The task as the report needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Task name.
    pub name: String,
    /// Which prediction field is scored (`stance`).
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

/// Accuracy per actor: of the aggregated actor label, and of that actor's quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorScores {
    /// Fraction of gold actors whose corpus-level predicted label equals gold (missing = wrong).
    pub actor_level_accuracy: f64,
    /// Gold actor by gold actor.
    pub actor_level: Vec<ActorOutcome>,
    /// Quote-level accuracy grouped by each quote's gold actor, sorted by actor.
    pub quote_level: Vec<ActorQuoteScore>,
}

/// Quote-level accuracy of one actor's quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorQuoteScore {
    /// Canonical actor name.
    pub actor: String,
    /// Gold quotes of the actor.
    pub n_gold: u64,
    /// Of those, matched to a prediction.
    pub n_items: u64,
    /// Matched quotes predicted correctly.
    pub correct: u64,
    /// `correct / n_items`; `null` when nothing was matched.
    pub accuracy: Option<f64>,
}

/// One gold item's outcome, compact, for pairing reports item by item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Gold item id (gold quote id).
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
    /// Gold actor.
    pub actor: String,
    /// Gold text.
    pub text: String,
    /// Gold label.
    pub gold: String,
    /// Predicted label; `null` for a missed item.
    pub predicted: Option<String>,
    /// Matched predicted quote id; `null` for a missed item.
    pub predicted_quote_id: Option<String>,
    /// Probabilities the classifier gave each label.
    pub scores: Option<BTreeMap<String, f32>>,
}

/// What [`build`] needs besides the evaluation itself.
pub struct ReportInput<'a> {
    /// Dataset provenance.
    pub dataset: Dataset,
    /// Task name, field and labels.
    pub task: TaskInfo,
    /// The scored run.
    pub evaluation: &'a StanceEvaluation,
    /// How to resample.
    pub bootstrap: BootstrapConfig,
}

/// Computes every figure of the report. Fails (with the metric's own message) when no item was
/// scored or a label or probability is out of range; callers validate inputs first so the user
/// sees the file at fault.
pub fn build(input: ReportInput) -> Result<Report> {
    let ev = input.evaluation;
    let labels = &input.task.labels;
    let scored: Vec<(&str, &str, f64)> = ev
        .quotes
        .iter()
        .filter_map(|q| {
            let p = q.predicted.as_deref()?;
            let conf = q.scores.as_ref()?.get(p).copied().unwrap_or(0.0) as f64;
            Some((q.gold.as_str(), p, conf))
        })
        .collect();
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

    let mut by_actor: BTreeMap<&str, ActorQuoteScore> = BTreeMap::new();
    for q in &ev.quotes {
        let row = by_actor
            .entry(q.actor.as_str())
            .or_insert_with(|| ActorQuoteScore {
                actor: q.actor.clone(),
                n_gold: 0,
                n_items: 0,
                correct: 0,
                accuracy: None,
            });
        row.n_gold += 1;
        if let Some(p) = &q.predicted {
            row.n_items += 1;
            row.correct += u64::from(*p == q.gold);
        }
    }
    let quote_level = by_actor
        .into_values()
        .map(|mut r| {
            r.accuracy = (r.n_items > 0).then(|| r.correct as f64 / r.n_items as f64);
            r
        })
        .collect();

    let items = ev
        .quotes
        .iter()
        .map(|q| ItemOutcome {
            id: q.gold_quote_id.clone(),
            gold: q.gold.clone(),
            predicted: q.predicted.clone(),
            confidence: q
                .predicted
                .as_ref()
                .and_then(|p| q.scores.as_ref()?.get(p))
                .map(|&c| c as f64),
        })
        .collect();
    let errors = ev
        .quotes
        .iter()
        .filter(|q| q.predicted.as_ref() != Some(&q.gold))
        .map(|q| ErrorItem {
            id: q.gold_quote_id.clone(),
            doc_id: q.doc_id.clone(),
            actor: q.actor.clone(),
            text: q.text.clone(),
            gold: q.gold.clone(),
            predicted: q.predicted.clone(),
            predicted_quote_id: q.quote_id.clone(),
            scores: q.scores.clone(),
        })
        .collect();
    let mut models: Vec<String> = Vec::new();
    for m in ev.quotes.iter().filter_map(|q| q.model.as_ref()) {
        if !models.contains(m) {
            models.push(m.clone());
        }
    }
    models.sort();

    Ok(Report {
        schema: SCHEMA.to_string(),
        dataset: input.dataset,
        task: input.task,
        models,
        n_gold_items: ev.gold_quotes as u64,
        n_items: n as u64,
        n_missed: (ev.gold_quotes - ev.matched_quotes) as u64,
        scores,
        f_avg,
        cohen_kappa,
        bootstrap,
        calibration,
        actors: ActorScores {
            actor_level_accuracy: ev.actor_accuracy,
            actor_level: ev.actors.clone(),
            quote_level,
        },
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

    /// `report.json` bytes: pretty-printed, newline-terminated.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)? + "\n")
    }

    /// `report.md`: the figures as Markdown tables.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }

    /// `report.html`: one self-contained page (inline CSS and SVG, no scripts).
    pub fn to_html(&self) -> String {
        html::render(self)
    }

    /// Writes `report.json`, `report.md` and `report.html` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let files = [
            ("report.json", self.to_json()?),
            ("report.md", self.to_markdown()),
            ("report.html", self.to_html()),
        ];
        for (name, body) in files {
            crate::output::write_atomic(&dir.join(name), |w| Ok(w.write_all(body.as_bytes())?))?;
        }
        Ok(())
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

/// `x` with four decimals, or an en dash when undefined: the fixed precision of md and html.
fn fmt4(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

/// "[lower, upper]" of an interval with four decimals.
fn fmt_ci(ci: &ConfidenceInterval) -> String {
    format!("[{:.4}, {:.4}]", ci.lower, ci.upper)
}
