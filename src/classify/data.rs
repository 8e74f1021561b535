//! Labelled training data for heads: SemEval TSV, plain JSONL, or a task's exemplars.

use super::trained::{DataSource, Example};
use crate::models::cache::{sha256_bytes, sha256_file};
use crate::task::Task;
use anyhow::{Context, Result};
use std::path::Path;

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

/// Reads training examples from `spec`: `semeval:PATH` (SemEval-2016 Task 6 TSV) or
/// `jsonl:PATH` / `PATH.jsonl` (objects with `text`, `label` and optional `target`). Labels go
/// through the task's `label_map`; an unknown label is an error naming file and line.
pub fn load(spec: &str, task: &Task, field: Field) -> Result<(Vec<Example>, DataSource)> {
    let (kind, path) = match spec.split_once(':') {
        Some((kind @ ("semeval" | "jsonl"), path)) => (kind, Path::new(path)),
        _ if spec.ends_with(".jsonl") => ("jsonl", Path::new(spec)),
        _ => anyhow::bail!("--data {spec}: expected semeval:PATH, jsonl:PATH or a .jsonl file"),
    };
    let source = DataSource {
        path: spec.to_string(),
        sha256: sha256_file(path).with_context(|| format!("cannot read {}", path.display()))?,
    };
    let examples = match kind {
        "semeval" => crate::eval::semeval::load(path)?
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
        _ => load_jsonl(path, task)?,
    };
    Ok((examples, source))
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
            id: format!("{}:{}", crate::eval::report::file_name(path), n + 1),
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
