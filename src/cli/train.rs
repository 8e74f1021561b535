//! `stancer train`: fit a linear head on frozen embeddings, with k-fold cross-validation.

use super::model_args::ModelArgs;
use crate::classify::data::{self, Field};
use crate::classify::features::FeatureMode;
use crate::classify::head::TrainConfig;
use crate::classify::text_norm::TextNorm;
use crate::classify::trained::{self, CvScores, DataSource, Example, HeadManifest, TrainSpec};
use crate::classify::Prediction;
use crate::error::UserError;
use crate::eval::bootstrap::BootstrapConfig;
use crate::eval::report::{self, Dataset, Report, ReportInput, ScoredItem, TaskInfo};
use crate::task::{Task, DEFAULT_TASK};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Train a stance (or sentiment) head on labelled data or on a task's exemplars.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Task file defining the labels (and exemplars).
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Labelled data: semeval:PATH or jsonl:PATH (repeatable); without it, the task's exemplars.
    #[arg(long)]
    data: Vec<String>,
    /// Which annotation to learn.
    #[arg(long, value_enum, default_value_t = Field::Stance)]
    field: Field,
    /// One head per target instead of one shared head.
    #[arg(long)]
    per_target: bool,
    /// Feature construction: text, or text-and-target for one head conditioned on the target.
    #[arg(long, value_enum, default_value_t = Features::Text)]
    features: Features,
    /// Normalisation of texts before embedding, recorded in head.json and applied again at
    /// prediction time: none, or tweet (hashtags split into words, the SemEval marker #SemST
    /// dropped).
    #[arg(long, value_enum, default_value_t = TextNorm::None)]
    text_norm: TextNorm,
    /// Cross-validation folds (1 to skip).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 13)]
    seed: u64,
    /// Inverse L2 strength, as scikit-learn's C; several comma-separated values are compared by
    /// cross-validation and the best is kept.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1.0])]
    c: Vec<f64>,
    /// Full-batch optimisation steps per fit.
    #[arg(long, default_value_t = TrainConfig::default().steps)]
    steps: usize,
    /// Do not weight classes by inverse frequency.
    #[arg(long)]
    no_balance: bool,
    /// Output folder (head.json and head*.safetensors).
    #[arg(long)]
    out: PathBuf,
    /// Also write a cross-validation report (out-of-fold predictions under the chosen C) to
    /// DIR/<task>-cv/<head name>/ (report.json, report.md, report.html).
    #[arg(long)]
    reports: Option<PathBuf>,
    /// Seed of the report's bootstrap resampling.
    #[arg(long, default_value_t = report::DEFAULT_SEED)]
    report_seed: u64,
    /// Leave item texts out of the report (for data you may not redistribute, such as the
    /// SemEval tweets); item ids still identify every item.
    #[arg(long)]
    no_report_text: bool,
    /// Texts per forward pass of the embedding model.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Features {
    Text,
    TextAndTarget,
}

impl TrainArgs {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let task = Task::load(&self.task)?;
        let (mut examples, mut sources) = (Vec::new(), Vec::new());
        if self.data.is_empty() {
            let (e, s) = data::exemplars(&task)?;
            examples.extend(e);
            sources.push(s);
        }
        for spec in &self.data {
            let (e, s) = data::load(spec, &task, self.field)?;
            examples.extend(e);
            sources.push(s);
        }
        let (manifest, model) = self.model.load()?;
        let weights_sha = manifest
            .file("model.safetensors")
            .map(|f| f.sha256.clone())
            .unwrap_or_default();
        let spec = TrainSpec {
            name: self
                .out
                .file_name()
                .map_or_else(|| "head".into(), |n| n.to_string_lossy().into_owned()),
            task: task.name.clone(),
            field: self.field.name().to_string(),
            labels: task.labels.iter().map(|l| l.name.clone()).collect(),
            f_avg_labels: task.f_avg_labels.clone(),
            features: match self.features {
                Features::Text => FeatureMode::Text,
                Features::TextAndTarget => FeatureMode::TextAndTarget,
            },
            text_norm: self.text_norm,
            per_target: self.per_target,
            default_target: task.target.name.clone(),
            config: TrainConfig {
                c: self.c[0],
                balanced: !self.no_balance,
                steps: self.steps,
                ..TrainConfig::default()
            },
            c_grid: self.c.clone(),
            folds: self.folds,
            seed: self.seed,
            embedding_model: (manifest.id.clone(), weights_sha),
            data: sources,
            command: std::env::args().skip(1).collect(),
        };
        eprintln!(
            "training on {} examples ({} labels)",
            examples.len(),
            spec.labels.len()
        );
        let trained = trained::train(&model, &examples, &spec, &self.out, self.batch_size)?;
        let head = &trained.manifest;
        for (c, score) in &head.c_search {
            println!("C = {c:<8} pooled CV score {score:.4}");
        }
        if let Some(cv) = &head.cv {
            println!(
                "{}-fold cross-validation (seed {}, C = {}):",
                cv.folds, cv.seed, head.config.c
            );
            println!(
                "{:<36} {:>5} {:>8} {:>8} {:>8}",
                "group", "n", "acc", "macroF1", "F_avg"
            );
            let row = |name: &str, s: &CvScores| {
                let f_avg = s.f_avg.map_or("-".into(), |f| format!("{f:.4}"));
                println!(
                    "{name:<36} {:>5} {:>8.4} {:>8.4} {f_avg:>8}",
                    s.n, s.accuracy, s.macro_f1
                );
            };
            for (group, scores) in &cv.groups {
                row(group, scores);
            }
            row("pooled", &cv.pooled);
        }
        println!("wrote {}", self.out.join(trained::MANIFEST).display());
        if let Some(root) = &self.reports {
            let probabilities = trained.out_of_fold.as_ref().ok_or_else(|| {
                UserError::new(
                    "--reports needs cross-validation, but --folds is 1",
                    "use --folds 5 (the default)",
                )
            })?;
            let report = self.cv_report(&task, head, &examples, probabilities)?;
            let dir = report.folder(root);
            report.write(&dir)?;
            println!("report: {}", dir.display());
        }
        Ok(())
    }

    /// The cross-validation report: every example scored by the head of the folds that held it
    /// out, grouped by target.
    fn cv_report(
        &self,
        task: &Task,
        head: &HeadManifest,
        examples: &[Example],
        probabilities: &[Vec<f32>],
    ) -> Result<Report> {
        let items: Vec<ScoredItem> = examples
            .iter()
            .zip(probabilities)
            .map(|(e, probs)| {
                let prediction = Prediction::from_probs(&head.labels, probs, &head.name);
                e.scored(
                    &head.labels,
                    &task.target.name,
                    prediction,
                    !self.no_report_text,
                )
            })
            .collect();
        let cv = head
            .cv
            .as_ref()
            .expect("out-of-fold predictions come with a CV report");
        let names = |f: &dyn Fn(&DataSource) -> String| {
            head.data.iter().map(f).collect::<Vec<_>>().join(" + ")
        };
        report::build(ReportInput {
            dataset: Dataset {
                name: format!("{}-cv", task.name),
                protocol: format!(
                    "{}-fold stratified cross-validation (seed {}, C = {}, {}), out-of-fold predictions",
                    cv.folds,
                    cv.seed,
                    head.config.c,
                    if self.per_target { "one head per target" } else { "one head" }
                ),
                gold_file: names(&DataSource::file_name),
                gold_sha256: names(&|d| d.sha256.clone()),
                predictions_sha256: None,
            },
            task: TaskInfo {
                name: task.name.clone(),
                field: head.field.clone(),
                labels: head.labels.clone(),
                f_avg_labels: task.f_avg_labels.clone(),
            },
            items: &items,
            group_by: "target",
            actor_level: None,
            bootstrap: BootstrapConfig::new(self.report_seed),
        })
    }
}
