//! Labelled data for training and evaluation: SemEval TSV, GWSD, PERSPECTRUM, NewsMTSC,
//! plain JSONL, or a task's exemplars.

use super::finetuned::{allowed_for, LabelledItem};
use super::trained::{DataSource, Example};
use crate::error::UserError;
use crate::models::cache::{sha256_bytes, sha256_file};
use crate::task::Task;
use anyhow::{Context, Result};
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use std::path::Path;

/// What data is read for: training refuses splits kept for evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Fitting or tuning a model.
    Train,
    /// Scoring one.
    Evaluate,
}

/// The data kinds `--data` accepts, each with the task (bundled, [`crate::bundled`]) whose labels its rows carry
/// (`None`: the task given on the command line) and whether it is kept for evaluation.
const KINDS: &[(&str, Option<&str>, bool)] = &[
    ("semeval", None, false),
    ("jsonl", None, false),
    ("gwsd", Some("datasets/gwsd/task.toml"), false),
    ("gwsd-test", Some("datasets/gwsd/task.toml"), true),
    ("perspectrum", Some("datasets/perspectrum/task.toml"), false),
    (
        "perspectrum-dev",
        Some("datasets/perspectrum/task.toml"),
        true,
    ),
    (
        "perspectrum-test",
        Some("datasets/perspectrum/task.toml"),
        true,
    ),
    ("newsmtsc", Some("datasets/newsmtsc/task.toml"), false),
];

/// Splits `spec` into its kind and path (`PATH.jsonl` alone is JSONL).
fn kind_of(spec: &str) -> Result<(&'static str, &Path)> {
    if let Some((kind, path)) = spec.split_once(':') {
        if let Some((k, _, _)) = KINDS.iter().find(|(k, _, _)| *k == kind) {
            return Ok((k, Path::new(path)));
        }
    }
    if spec.ends_with(".jsonl") {
        return Ok(("jsonl", Path::new(spec)));
    }
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
    Err(UserError::new(
        format!("--data {spec}: unknown data kind"),
        format!(
            "write KIND:PATH with KIND one of {}, or give a .jsonl file",
            kinds.join(", ")
        ),
    ))
}

/// The task whose labels the rows of `spec` carry: the kind's bundled task, SemEval's stance or
/// sentiment task, or `task` for JSONL.
pub fn task_of(spec: &str, task: &Task, field: Field) -> Result<Task> {
    let (kind, _) = kind_of(spec)?;
    let (_, bundled, _) = KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .expect("known kind");
    match (kind, bundled) {
        ("semeval", _) => Task::load(Path::new(match field {
            Field::Stance => "datasets/semeval2016-stance/task.toml",
            Field::Sentiment => "datasets/semeval2016-sentiment/task.toml",
        })),
        (_, Some(path)) => Task::load(Path::new(path)),
        _ => Ok(task.clone()),
    }
}

/// Which annotation a dataset's rows are labelled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// Stance toward the target.
    Stance,
    /// Overall sentiment.
    Sentiment,
}

impl Field {
    /// The field's name in records, manifests and reports (`stance`, `sentiment`).
    pub fn name(self) -> &'static str {
        match self {
            Field::Stance => "stance",
            Field::Sentiment => "sentiment",
        }
    }
}

/// Reads labelled examples from `spec`: `semeval:PATH` (SemEval-2016 Task 6 TSV),
/// `gwsd:PATH` / `gwsd-test:PATH` (GWSD.tsv outside / inside the authors' held-out test),
/// `perspectrum:DIR` / `perspectrum-dev:DIR` / `perspectrum-test:DIR` (claims of one split),
/// `newsmtsc:PATH` (a NewsMTSC JSONL file), or `jsonl:PATH` / `PATH.jsonl` (objects with
/// `text`, `label` and optional `target`). Labels go through the task's `label_map`; an
/// unknown label is an error naming file and line. For [`Purpose::Train`], evaluation-only
/// splits are refused and PERSPECTRUM gains pairs of perspectives with other debates' claims
/// (label `UNRELATED`).
pub fn load(
    spec: &str,
    task: &Task,
    field: Field,
    purpose: Purpose,
) -> Result<(Vec<Example>, DataSource)> {
    let (kind, path) = kind_of(spec)?;
    let held_out = KINDS.iter().any(|(k, _, test)| *k == kind && *test)
        || (kind == "newsmtsc" && crate::datasets::file_name(path).starts_with("devtest"))
        || (kind == "semeval" && crate::datasets::file_name(path).starts_with("testdata"));
    if purpose == Purpose::Train && held_out {
        return Err(UserError::new(
            format!("--data {spec} is kept for evaluation"),
            "train on the training split (gwsd:, perspectrum:, newsmtsc:…/train.jsonl) and evaluate on this one with `stancer eval data`",
        ));
    }
    let hashed = if kind.starts_with("perspectrum") {
        path.join("perspectrum_with_answers_v1.0.json")
    } else {
        path.to_path_buf()
    };
    let source = DataSource {
        path: spec.to_string(),
        sha256: sha256_file(&hashed)
            .with_context(|| format!("cannot read {}", hashed.display()))?,
    };
    let mapped = |raw: &str, where_: &dyn Fn() -> String| task.map_label(raw).with_context(where_);
    let examples = match kind {
        "semeval" => crate::datasets::semeval::load(path)?
            .into_iter()
            .map(|item| {
                let raw = match field {
                    Field::Stance => &item.stance,
                    Field::Sentiment => &item.sentiment,
                };
                let label = task
                    .map_label(raw)
                    .with_context(|| format!("{}: row {}", path.display(), item.id))?;
                Ok(Example {
                    id: item.id,
                    text: item.text,
                    target: (field == Field::Stance).then_some(item.target),
                    label,
                })
            })
            .collect::<Result<Vec<_>>>()?,
        "gwsd" | "gwsd-test" => {
            let split = if kind == "gwsd" {
                crate::datasets::gwsd::Split::Train
            } else {
                crate::datasets::gwsd::Split::Test
            };
            let (items, _) = crate::datasets::gwsd::load(path, split)?;
            items
                .into_iter()
                .map(|item| {
                    Ok(Example {
                        label: mapped(&item.label, &|| {
                            format!("{}: row {}", path.display(), item.id)
                        })?,
                        id: item.id,
                        text: item.text,
                        target: None,
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
        "newsmtsc" => crate::datasets::newsmtsc::load(path)?
            .into_iter()
            .map(|item| {
                Ok(Example {
                    label: mapped(&item.label, &|| {
                        format!("{}: target {}", path.display(), item.id)
                    })?,
                    id: item.id,
                    text: item.text,
                    target: Some(item.mention),
                })
            })
            .collect::<Result<Vec<_>>>()?,
        "jsonl" => load_jsonl(path, task)?,
        _ => {
            let split = kind.strip_prefix("perspectrum-").unwrap_or("train");
            let mut items = crate::datasets::perspectrum::load(path, split)?;
            if purpose == Purpose::Train {
                items.extend(unrelated_pairs(&items));
            }
            items
                .into_iter()
                .map(|item| {
                    Ok(Example {
                        label: mapped(&item.label, &|| format!("{}: {}", path.display(), item.id))?,
                        id: item.id,
                        text: item.text,
                        target: Some(item.claim),
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    Ok((examples, source))
}

/// One perspective in three paired with the claim of another debate, drawn with a fixed seed:
/// a sentence about something else, which takes no stance on the claim it is shown with.
fn unrelated_pairs(
    items: &[crate::datasets::perspectrum::PerspectrumItem],
) -> Vec<crate::datasets::perspectrum::PerspectrumItem> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2019);
    let claims: Vec<(u64, &str)> = {
        let mut seen = std::collections::BTreeMap::new();
        for item in items {
            seen.entry(item.claim_id).or_insert(item.claim.as_str());
        }
        seen.into_iter().collect()
    };
    items
        .iter()
        .step_by(3)
        .filter_map(|item| {
            let others: Vec<&(u64, &str)> = claims
                .iter()
                .filter(|(id, _)| *id != item.claim_id)
                .collect();
            let (id, claim) = **others.choose(&mut rng)?;
            Some(crate::datasets::perspectrum::PerspectrumItem {
                id: format!("{}-unrelated-c{id}", item.id),
                claim: claim.to_string(),
                claim_id: id,
                text: item.text.clone(),
                label: "UNRELATED".into(),
            })
        })
        .collect()
}

/// Training items for a cross-encoder with `model_labels` from `spec`, each read by the task
/// its data is labelled in ([`task_of`]), with the model labels that task maps its label to.
/// `in_task` marks items whose task is `task` itself (their gold is in its labels).
pub fn load_for_model(
    spec: &str,
    task: &Task,
    field: Field,
    model_labels: &[String],
) -> Result<(Vec<LabelledItem>, DataSource)> {
    let own = task_of(spec, task, field)?;
    let (examples, source) = load(spec, &own, field, Purpose::Train)?;
    let items = to_items(&examples, &own, task, model_labels, &source.file_name())?;
    Ok((items, source))
}

/// `examples` (labelled in `own`'s labels) as training items for `model_labels`.
pub fn to_items(
    examples: &[Example],
    own: &Task,
    task: &Task,
    model_labels: &[String],
    source: &str,
) -> Result<Vec<LabelledItem>> {
    examples
        .iter()
        .map(|e| {
            Ok(LabelledItem {
                id: e.id.clone(),
                source: source.to_string(),
                text: e.text.clone(),
                // Each item is read against its own task's target, whatever task is trained.
                target: Some(e.target.clone().unwrap_or_else(|| own.target.name.clone())),
                speaker: None,
                gold: own.labels[e.label].name.clone(),
                in_task: own.name == task.name,
                allowed: allowed_for(own, model_labels, e.label)?,
            })
        })
        .collect()
}

fn load_jsonl(path: &Path, task: &Task) -> Result<Vec<Example>> {
    #[derive(serde::Deserialize)]
    struct Row {
        text: String,
        label: String,
        #[serde(default)]
        target: Option<String>,
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} (is it UTF-8?)", path.display()))?;
    let mut examples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let where_ = || format!("{}:{}", path.display(), n + 1);
        let row: Row = serde_json::from_str(line)
            .with_context(|| format!("{}: malformed JSON line", where_()))?;
        let label = task.map_label(&row.label).with_context(where_)?;
        examples.push(Example {
            id: format!("{}:{}", crate::datasets::file_name(path), n + 1),
            text: row.text,
            target: row.target,
            label,
        });
    }
    anyhow::ensure!(!examples.is_empty(), "{}: no examples", path.display());
    Ok(examples)
}

/// The task's own exemplars as training examples.
pub fn exemplars(task: &Task) -> Result<(Vec<Example>, DataSource)> {
    anyhow::ensure!(
        !task.exemplars.is_empty(),
        "{} has no exemplars: pass --data with labelled examples",
        task.path.display()
    );
    let examples = task
        .exemplars
        .iter()
        .enumerate()
        .map(|(n, e)| {
            Ok(Example {
                id: format!("exemplar:{}", n + 1),
                text: e.text.clone(),
                target: None,
                label: task.label_index(&e.label)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes = std::fs::read(&task.path)
        .with_context(|| format!("cannot read {}", task.path.display()))?;
    let source = DataSource {
        path: format!("exemplars:{}", task.path.display()),
        sha256: sha256_bytes(&bytes),
    };
    Ok((examples, source))
}
