//! `stancer eval data`: score a stance classifier (trained head, NLI cross-encoder, or the
//! similarity baseline) on labelled data, such as a SemEval split, and write a report.

use super::model_args::ModelArgs;
use super::stance_args::StanceArgs;
use crate::classify::classifier::Batch;
use crate::classify::data::{self, Field};
use crate::classify::Item;
use crate::eval::bootstrap::{BootstrapConfig, MIN_RESAMPLES};
use crate::eval::report::{self, Dataset, ReportInput, ScoredItem, TaskInfo};
use crate::task::{Task, DEFAULT_TASK};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Items classified between progress-bar updates: large enough that length-sorted batching
/// still pads little.
const PROGRESS_CHUNK: usize = 512;

/// Flags of `stancer eval data`.
#[derive(Args, Debug)]
pub struct EvalDataArgs {
    /// Task file: labels, label map, descriptions (similarity) and hypotheses (NLI).
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Labelled data, KIND:PATH with KIND semeval, gwsd-test, perspectrum-dev, perspectrum-test,
    /// newsmtsc or jsonl (repeatable).
    #[arg(long, required = true)]
    data: Vec<String>,
    /// Which annotation to score (sentiment needs --method head with a sentiment head).
    #[arg(long, value_enum, default_value_t = Field::Stance)]
    field: Field,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Root of the report tree: the report goes to DIR/<task>-<data>/<classifier>/.
    #[arg(long, default_value = report::DEFAULT_ROOT)]
    reports: PathBuf,
    /// Seed of the bootstrap resampling (recorded in the report).
    #[arg(long, default_value_t = report::DEFAULT_SEED)]
    seed: u64,
    /// Bootstrap resamples (at least 1000).
    #[arg(long, default_value_t = MIN_RESAMPLES)]
    resamples: usize,
    /// Leave item texts out of the report (for data you may not redistribute, such as the
    /// SemEval tweets); item ids still identify every item.
    #[arg(long)]
    no_report_text: bool,
    /// Print the report as JSON instead of a summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    stance: StanceArgs,
    #[command(flatten)]
    model: ModelArgs,
}

impl EvalDataArgs {
    /// Runs the evaluation.
    pub fn run(&self) -> Result<()> {
        let task = Task::load(&self.task)?;
        let (mut examples, mut sources) = (Vec::new(), Vec::new());
        for spec in &self.data {
            let (e, s) = data::load(spec, &task, self.field, data::Purpose::Evaluate)?;
            examples.extend(e);
            sources.push(s);
        }
        let (embedder_manifest, embedder) = self.model.load()?;
        let classifier = self
            .stance
            .open(&self.model, &embedder_manifest.id, &task)?;
        let items: Vec<Item> = examples.iter().map(|e| e.item()).collect();
        let bar = super::progress_bar(items.len() as u64, "items");
        let mut predictions = Vec::with_capacity(items.len());
        for chunk in items.chunks(PROGRESS_CHUNK) {
            let mut batch = Batch::new(chunk, &embedder, self.batch_size);
            predictions.extend(classifier.predict(&mut batch)?);
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        let labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
        let scored: Vec<ScoredItem> = examples
            .iter()
            .zip(predictions)
            .map(|(e, p)| {
                ScoredItem::from_example(e, &labels, &task.target.name, p, !self.no_report_text)
            })
            .collect();
        let file_names: Vec<String> = sources.iter().map(|d| d.file_name()).collect();
        let stems: Vec<&str> = file_names
            .iter()
            .map(|n| n.split('.').next().unwrap_or(n))
            .collect();
        let report = report::build(ReportInput {
            dataset: Dataset {
                name: format!("{}-{}", task.name, stems.join("+")),
                protocol: format!(
                    "{:?} classifier applied to labelled data",
                    self.stance.method
                )
                .to_lowercase(),
                gold_file: file_names.join(" + "),
                gold_sha256: sources
                    .iter()
                    .map(|d| d.sha256.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                predictions_sha256: None,
            },
            task: TaskInfo {
                name: task.name.clone(),
                field: self.field.name().to_string(),
                labels,
                f_avg_labels: task.f_avg_labels.clone(),
            },
            items: &scored,
            group_by: "target",
            actor_level: None,
            bootstrap: BootstrapConfig {
                resamples: self.resamples,
                ..BootstrapConfig::new(self.seed)
            },
        })?;
        let dir = report.folder(&self.reports);
        report.write(&dir)?;
        if self.json {
            print!("{}", report.to_json()?);
        } else {
            println!(
                "{} on {} items: accuracy {:.4}, macro-F1 {:.4}, F_avg {}",
                report.classifier(),
                report.n_items,
                report.scores.accuracy,
                report.scores.macro_avg.f1,
                report.f_avg.map_or("-".into(), |f| format!("{f:.4}"))
            );
            println!("report: {}", dir.display());
        }
        Ok(())
    }
}
