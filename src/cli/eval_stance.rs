//! `stancer eval stance`: score a run's stance and sentiment against native gold.

use crate::aggregate::ActorStance;
use crate::eval::metrics::ClassificationReport;
use crate::eval::stance::{evaluate, load_gold, StanceEvaluation};
use crate::quotes::Quote;
use crate::task::{Task, DEFAULT_TASK};
use anyhow::{Context, Result};
use clap::Args;
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
        let quotes: Vec<Quote> = read_jsonl(&self.predictions.join("quotes.jsonl"))?;
        let actors: Vec<ActorStance> = read_jsonl(&self.predictions.join("actors.jsonl"))?;
        let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
        let result = evaluate(&gold, &quotes, &actors, &labels, &self.sentiment_labels)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&result)?);
        } else {
            print!("{}", table(&result));
        }
        Ok(())
    }
}

fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
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
            "\n{name} (matched quotes): accuracy {:.4}, macro-F1 {:.4}\n{:<14} {:>9} {:>9} {:>9} {:>8}\n",
            r.accuracy, r.macro_avg.f1, "label", "precision", "recall", "F1", "support"
        ));
        for c in &r.per_class {
            out.push_str(&format!(
                "{:<14} {:>9.4} {:>9.4} {:>9.4} {:>8}\n",
                c.label, c.precision, c.recall, c.f1, c.support
            ));
        }
    };
    section(&mut out, "stance", &e.stance);
    if let Some(s) = &e.sentiment {
        section(&mut out, "sentiment", s);
    }
    out.push_str(&format!("\nactors (accuracy {:.2}):\n", e.actor_accuracy));
    for a in &e.actors {
        out.push_str(&format!(
            "{:<28} gold {:<13} predicted {}\n",
            a.actor,
            a.gold,
            a.predicted.as_deref().unwrap_or("(not found)")
        ));
    }
    out
}
