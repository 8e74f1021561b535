//! `stancer eval zero-shot`: score a zero-shot method (bi-encoder similarity, or NLI with a
//! cross-encoder) on labelled data, with no training.

use super::model_args::ModelArgs;
use crate::classify::data::{self, Field};
use crate::classify::nli::{Mode, NliClassifier};
use crate::classify::{similarity, Item};
use crate::encoders::{LoadOptions, TextModel};
use crate::error::UserError;
use crate::eval::metrics::classification_report;
use crate::task::{Task, DEFAULT_TASK};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Flags of `stancer eval zero-shot`.
#[derive(Args, Debug)]
pub struct EvalZeroShotArgs {
    /// Task file: labels, descriptions (similarity) and hypotheses (NLI).
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Labelled data: semeval:PATH or jsonl:PATH (repeatable).
    #[arg(long, required = true)]
    data: Vec<String>,
    /// Which annotation to score.
    #[arg(long, value_enum, default_value_t = Field::Stance)]
    field: Field,
    /// Zero-shot method.
    #[arg(long, value_enum, default_value_t = ZeroShot::Similarity)]
    method: ZeroShot,
    /// NLI cross-encoder folder for --method nli.
    #[arg(long)]
    nli_model_dir: Option<PathBuf>,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ZeroShot {
    /// Bi-encoder similarity to label descriptions (baseline).
    Similarity,
    /// NLI cross-encoder, single-label.
    Nli,
}

impl EvalZeroShotArgs {
    /// Runs the evaluation.
    pub fn run(&self) -> Result<()> {
        let task = Task::load(&self.task)?;
        let mut examples = Vec::new();
        for spec in &self.data {
            examples.extend(data::load(spec, &task, self.field)?.0);
        }
        let items: Vec<Item> = examples.iter().map(|e| e.item()).collect();
        let predictions =
            match self.method {
                ZeroShot::Similarity => {
                    let (_, model) = self.model.load()?;
                    similarity::predict(&model, &task, &items, self.batch_size)?
                }
                ZeroShot::Nli => {
                    let dir = self.nli_model_dir.as_ref().ok_or_else(|| {
                        UserError::new(
                            "--method nli needs --nli-model-dir",
                            "pass the folder of an NLI cross-encoder",
                        )
                    })?;
                    let model =
                        TextModel::load(dir, LoadOptions::default(), &self.model.device.open()?)?;
                    NliClassifier::new(&model, &dir.display().to_string(), Mode::SingleLabel)?
                        .predict(&task, &items, self.batch_size)?
                }
            };
        let labels = task.label_names();
        let gold: Vec<&str> = examples.iter().map(|e| labels[e.label]).collect();
        let pred: Vec<&str> = predictions.iter().map(|p| p.label.as_str()).collect();
        let report = classification_report(&gold, &pred, &labels)?;
        let f_avg = match &task.f_avg_labels {
            Some([a, b]) => Some(report.f_avg(a, b)?),
            None => None,
        };
        if self.json {
            println!(
                "{}",
                serde_json::json!({"method": format!("{:?}", self.method).to_lowercase(), "f_avg": f_avg, "report": report})
            );
        } else {
            println!(
                "{:?} on {} items: accuracy {:.4}, macro-F1 {:.4}, F_avg {}",
                self.method,
                gold.len(),
                report.accuracy,
                report.macro_avg.f1,
                f_avg.map_or("-".into(), |f| format!("{f:.4}"))
            );
        }
        Ok(())
    }
}
