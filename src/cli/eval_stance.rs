//! `stancer eval stance`: score a run's stance and sentiment against native gold, print the
//! table and write the report files (`report.json`, `report.md`, `report.html`).

use crate::aggregate::ActorStance;
use crate::classify::data::Field;
use crate::error::UserError;
use crate::eval::bootstrap::{BootstrapConfig, MIN_RESAMPLES};
use crate::eval::report::{self, ActorLevel, Align, Dataset, ReportInput, Table, TaskInfo};
use crate::eval::stance::{evaluate, load_gold, GoldStanceDoc, StanceEvaluation};
use crate::metrics::ClassificationReport;
use crate::quotes::Quote;
use crate::task::{Task, DEFAULT_TASK};
use anyhow::{Context, Result};
use clap::Args;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Flags of `stancer eval stance`.
#[derive(Args, Debug)]
pub struct EvalStanceArgs {
    /// Native gold file (default: the task's `gold`).
    #[arg(long)]
    gold: Option<PathBuf>,
    /// Output folder of `stancer run` (quotes.jsonl, actors.jsonl).
    #[arg(long, default_value = "out")]
    predictions: PathBuf,
    /// Task file (labels).
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Sentiment labels, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec!["positive".to_string(), "negative".to_string(), "neutral".to_string()])]
    sentiment_labels: Vec<String>,
    /// Print the evaluation as JSON.
    #[arg(long)]
    json: bool,
    /// Root of the report tree: each report (stance, and sentiment when the run predicted it)
    /// goes to DIR/<dataset>/<classifier>/ as report.json, report.md and report.html
    /// (default: `reports` inside the --predictions folder; the committed baselines pass
    /// `eval/reports`).
    #[arg(long)]
    reports: Option<PathBuf>,
    /// Seed of the bootstrap resampling (recorded in the report).
    #[arg(long, default_value_t = report::DEFAULT_SEED)]
    seed: u64,
    /// Bootstrap resamples (at least 1000).
    #[arg(long, default_value_t = MIN_RESAMPLES)]
    resamples: usize,
}

impl EvalStanceArgs {
    /// Runs the evaluation.
    pub fn run(&self) -> Result<()> {
        let task = Task::load(&self.task)?;
        let gold_path = match (&self.gold, &task.gold) {
            (Some(p), _) => p.clone(),
            (None, Some(g)) => task.relative(g),
            (None, None) => {
                anyhow::bail!("{} names no gold file: pass --gold", self.task.display())
            }
        };
        let gold = load_gold(&gold_path)?;
        let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
        check_gold(&gold_path, &gold, &task, &labels)?;
        let quotes_path = self.predictions.join("quotes.jsonl");
        let quotes: Vec<(usize, Quote)> = read_jsonl(&quotes_path)?;
        check_predictions(&quotes_path, &quotes, &gold_path, &gold, &task, &labels)?;
        let quotes: Vec<Quote> = quotes.into_iter().map(|(_, q)| q).collect();
        let actors: Vec<ActorStance> = read_jsonl(&self.predictions.join("actors.jsonl"))?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let result = evaluate(&gold, &quotes, &actors, &labels, &self.sentiment_labels)
            .with_context(|| {
                format!(
                    "cannot score {} against {}",
                    quotes_path.display(),
                    gold_path.display()
                )
            })?;
        let dataset = Dataset {
            name: task.name.clone(),
            protocol: "predictions of a run, matched to gold quotes by character overlap".into(),
            gold_file: crate::datasets::file_name(&gold_path),
            gold_sha256: crate::pipeline::file_sha256(&gold_path)?,
            predictions_sha256: Some(crate::pipeline::file_sha256(&quotes_path)?),
        };
        let bootstrap = BootstrapConfig {
            resamples: self.resamples,
            ..BootstrapConfig::new(self.seed)
        };
        // One report per predicted field; only stance has actor-level labels and F_avg.
        let build = |field: Field, labels: Vec<String>, f_avg_labels, actor_level| {
            report::build(ReportInput {
                dataset: dataset.clone(),
                task: TaskInfo {
                    name: task.name.clone(),
                    field: field.name().to_string(),
                    labels,
                    f_avg_labels,
                },
                items: &result.items(field),
                group_by: "actor",
                actor_level,
                bootstrap,
            })
        };
        let mut reports = vec![build(
            Field::Stance,
            labels,
            task.f_avg_labels.clone(),
            Some(ActorLevel {
                accuracy: result.actor_accuracy,
                actors: result.actors.clone(),
            }),
        )?];
        if result.sentiment.is_some() {
            reports.push(build(
                Field::Sentiment,
                self.sentiment_labels.clone(),
                None,
                None,
            )?);
        }
        let root = self
            .reports
            .clone()
            .unwrap_or_else(|| self.predictions.join("reports"));
        let dirs = reports
            .iter()
            .map(|r| {
                let dir = r.folder(&root);
                r.write(&dir)?;
                Ok(dir)
            })
            .collect::<Result<Vec<_>>>()?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&result)?);
        } else {
            print!("{}", table(&result));
            for dir in dirs {
                println!("report: {}", dir.display());
            }
        }
        Ok(())
    }
}

/// Gold must hold quotes, and its quotes and actors must all be labelled with the task's labels:
/// a mismatch usually means the wrong `--task` for this gold file (or a typo in it).
fn check_gold(path: &Path, gold: &[GoldStanceDoc], task: &Task, labels: &[String]) -> Result<()> {
    let quotes = || gold.iter().flat_map(|d| &d.quotes);
    if quotes().next().is_none() {
        return Err(UserError::new(
            format!(
                "{}: no gold quotes, so there is nothing to score",
                path.display()
            ),
            "annotate quotes first (schema in datasets/README.md) or pass another --gold",
        ));
    }
    if let Some(q) = quotes().find(|q| !labels.contains(&q.stance)) {
        return Err(UserError::new(
            format!(
                "{}: quote {} has stance {:?}, which is not a label of task {} [{}]",
                path.display(),
                q.quote_id,
                q.stance,
                task.name,
                labels.join(", ")
            ),
            format!(
                "pass the task this gold was annotated for with --task (now {})",
                task.path.display()
            ),
        ));
    }
    let actors = gold
        .iter()
        .flat_map(|d| d.actors.iter().map(move |a| (d, a)));
    if let Some((doc, a)) = actors.clone().find(|(_, a)| !labels.contains(&a.stance)) {
        return Err(UserError::new(
            format!(
                "{}: actor {:?} of document {} has stance {:?}, which is not a label of task {} \
                 [{}]",
                path.display(),
                a.actor,
                doc.doc_id,
                a.stance,
                task.name,
                labels.join(", ")
            ),
            format!(
                "fix the actor's label, or pass the task this gold was annotated for with --task \
                 (now {})",
                task.path.display()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some((doc, a)) = actors
        .into_iter()
        .find(|(d, a)| !seen.insert((&d.doc_id, &a.actor)))
    {
        return Err(UserError::new(
            format!(
                "{}: actor {:?} of document {} is labelled twice",
                path.display(),
                a.actor,
                doc.doc_id
            ),
            "keep one actor-level label per actor and document",
        ));
    }
    Ok(())
}

/// Every prediction must carry a stance over exactly the task's labels, and the run must cover
/// at least one gold document.
fn check_predictions(
    path: &Path,
    quotes: &[(usize, Quote)],
    gold_path: &Path,
    gold: &[GoldStanceDoc],
    task: &Task,
    labels: &[String],
) -> Result<()> {
    let known = labels.join(", ");
    let hint = "score predictions made with the same task (stancer run --task …), or pass that task with --task";
    for (line, q) in quotes {
        let at = format!("{}:{line}", path.display());
        let p = q.stance.as_ref().ok_or_else(|| {
            UserError::new(
                format!("{at}: quote {} has no stance prediction", q.quote_id),
                "score the output folder of `stancer run`, whose quotes carry a stance",
            )
        })?;
        if !labels.contains(&p.label) {
            return Err(UserError::new(
                format!(
                    "{at}: predicted stance {:?} is not a label of task {} [{known}]",
                    p.label, task.name
                ),
                hint,
            ));
        }
        let keys: Vec<&String> = p.scores.keys().collect();
        if let Some(k) = keys.iter().find(|k| !labels.contains(k)) {
            return Err(UserError::new(
                format!(
                    "{at}: stance scores name {k:?}, which is not a label of task {} [{known}]",
                    task.name
                ),
                hint,
            ));
        }
        if let Some((k, v)) = p.scores.iter().find(|(_, v)| !(0.0..=1.0).contains(*v)) {
            return Err(UserError::new(
                format!("{at}: stance score of {k:?} is {v}, not a probability in [0, 1]"),
                "scores must be the classifier's probabilities",
            ));
        }
        if !p.scores.contains_key(&p.label) {
            return Err(UserError::new(
                format!(
                    "{at}: stance scores have no probability for the predicted label {:?}",
                    p.label
                ),
                "scores must give every label's probability",
            ));
        }
    }
    let gold_docs: BTreeSet<&str> = gold.iter().map(|d| d.doc_id.as_str()).collect();
    let run_docs: BTreeSet<&str> = quotes.iter().map(|(_, q)| q.doc_id.as_str()).collect();
    if gold_docs.is_disjoint(&run_docs) {
        let list = |s: &BTreeSet<&str>| {
            let v: Vec<&str> = s.iter().take(3).copied().collect();
            let more = if s.len() > 3 { ", …" } else { "" };
            format!("{}{more}", v.join(", "))
        };
        return Err(UserError::new(
            if run_docs.is_empty() {
                format!("{} holds no quotes", path.display())
            } else {
                format!(
                    "{} covers documents [{}] but {} is about [{}]: gold and predictions are for different documents",
                    path.display(),
                    list(&run_docs),
                    gold_path.display(),
                    list(&gold_docs)
                )
            },
            "run `stancer run` on the gold's articles (the task's default input) and score that output",
        ));
    }
    Ok(())
}

/// JSONL records with their 1-based line numbers, so later checks can name the line.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<(usize, T)>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (run `stancer run --out DIR` first)",
            path.display()
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l)
                .map(|r| (n + 1, r))
                .with_context(|| format!("{}:{}: malformed record", path.display(), n + 1))
        })
        .collect()
}

fn table(e: &StanceEvaluation) -> String {
    let mut out = format!(
        "gold quotes {}, matched {}\n",
        e.gold_quotes, e.matched_quotes
    );
    let section = |out: &mut String, name: &str, r: &ClassificationReport| {
        out.push_str(&format!(
            "\n{name} (matched quotes): accuracy {:.4}, macro-F1 {:.4}\n",
            r.accuracy, r.macro_avg.f1
        ));
        let mut t = Table::new(&[
            ("label", Align::Left),
            ("precision", Align::Right),
            ("recall", Align::Right),
            ("F1", Align::Right),
            ("support", Align::Right),
        ]);
        for c in &r.per_class {
            t.row(vec![
                c.label.clone(),
                format!("{:.4}", c.precision),
                format!("{:.4}", c.recall),
                format!("{:.4}", c.f1),
                c.support.to_string(),
            ]);
        }
        out.push_str(&t.to_text());
    };
    section(&mut out, "stance", &e.stance);
    if let Some(s) = &e.sentiment {
        section(&mut out, "sentiment", s);
    }
    out.push_str(&format!("\nactors (accuracy {:.2}):\n", e.actor_accuracy));
    let mut t = Table::new(&[
        ("actor", Align::Left),
        ("gold", Align::Left),
        ("predicted", Align::Left),
    ]);
    for a in &e.actors {
        t.row(vec![
            a.actor.clone(),
            a.gold.clone(),
            a.predicted.clone().unwrap_or_else(|| "(not found)".into()),
        ]);
    }
    out.push_str(&t.to_text());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check_gold` on the seed gold with its first document's actors replaced by `actors`.
    fn check_with_actors(actors: serde_json::Value) -> Result<()> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let task = Task::load(&root.join(DEFAULT_TASK)).unwrap();
        let text =
            std::fs::read_to_string(root.join("datasets/missile-shield/gold.jsonl")).unwrap();
        let mut doc: serde_json::Value =
            serde_json::from_str(text.lines().next().unwrap()).unwrap();
        doc["actors"] = actors;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.jsonl");
        std::fs::write(&path, format!("{doc}\n")).unwrap();
        let gold = load_gold(&path).unwrap();
        let labels: Vec<String> = task.label_names().iter().map(|l| l.to_string()).collect();
        check_gold(&path, &gold, &task, &labels)
    }

    #[test]
    fn actor_level_gold_labels_are_checked() {
        let ok = serde_json::json!([{"actor": "Sergey Lavrov", "stance": "oppose"}]);
        check_with_actors(ok).unwrap();
        let typo = serde_json::json!([{"actor": "Sergey Lavrov", "stance": "opose"}]);
        let err = check_with_actors(typo).unwrap_err().to_string();
        assert!(err.contains("actor \"Sergey Lavrov\""), "{err}");
        assert!(
            err.contains("stance \"opose\", which is not a label"),
            "{err}"
        );
        let twice = serde_json::json!([
            {"actor": "Robert Gates", "stance": "support"},
            {"actor": "Robert Gates", "stance": "oppose"}
        ]);
        let err = check_with_actors(twice).unwrap_err().to_string();
        assert!(err.contains("labelled twice"), "{err}");
    }
}
