//! `stancer train`: fit a linear head on frozen embeddings, with k-fold cross-validation.

use super::fine_tune_args::FineTuneArgs;
use super::model_args::ModelArgs;
use crate::classify::data::{self, Field};
use crate::classify::features::FeatureMode;
use crate::classify::finetuned::{self, FineTuneSpec, InputFormat};
use crate::classify::head::TrainConfig;
use crate::classify::text_norm::TextNorm;
use crate::classify::trained::{self, DataSource, Example, HeadManifest, TrainSpec};
use crate::classify::Prediction;
use crate::error::UserError;
use crate::eval::bootstrap::BootstrapConfig;
use crate::eval::report::{self, Align, Dataset, Report, ReportInput, ScoredItem, Table, TaskInfo};
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
    /// Labelled data, KIND:PATH with KIND semeval, gwsd, perspectrum, newsmtsc or jsonl
    /// (repeatable); without it, the task's exemplars.
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
    /// Texts per forward pass of the embedding model (with --fine-tune: examples per step).
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[command(flatten)]
    fine: FineTuneArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Features {
    Text,
    TextAndTarget,
}

impl TrainArgs {
    /// Runs the subcommand; `command` (the command line) goes into the trained model's record.
    pub fn run(&self, command: &[String]) -> Result<()> {
        if self.fine.fine_tune {
            return self.run_fine_tune(command);
        }
        let task = Task::load(&self.task)?;
        let (mut examples, mut sources) = (Vec::new(), Vec::new());
        if self.data.is_empty() {
            let (e, s) = data::exemplars(&task)?;
            examples.extend(e);
            sources.push(s);
        }
        for spec in &self.data {
            let (e, s) = data::load(spec, &task, self.field, data::Purpose::Train)?;
            examples.extend(e);
            sources.push(s);
        }
        let (manifest, model) = self.model.load()?;
        let weights_sha = manifest.weights_sha256();
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
            command: command.to_vec(),
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
            let mut table = Table::new(&[
                ("group", Align::Left),
                ("n", Align::Right),
                ("acc", Align::Right),
                ("macroF1", Align::Right),
                ("F_avg", Align::Right),
            ]);
            for (group, s) in cv
                .groups
                .iter()
                .chain([(&"pooled".to_string(), &cv.pooled)])
            {
                table.row(vec![
                    group.clone(),
                    s.n.to_string(),
                    format!("{:.4}", s.accuracy),
                    format!("{:.4}", s.macro_f1),
                    s.f_avg.map_or("-".into(), |f| format!("{f:.4}")),
                ]);
            }
            print!("{}", table.to_text());
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
                ScoredItem::from_example(
                    e,
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
        let protocol =
            format!(
            "{}-fold stratified cross-validation (seed {}, C = {}, {}), out-of-fold predictions",
            cv.folds,
            cv.seed,
            head.config.c,
            if self.per_target { "one head per target" } else { "one head" }
        );
        self.report(task, &head.field, &head.data, protocol, &items)
    }

    /// A report of out-of-fold predictions `items` of a model trained on `data`.
    fn report(
        &self,
        task: &Task,
        field: &str,
        data: &[DataSource],
        protocol: String,
        items: &[ScoredItem],
    ) -> Result<Report> {
        let names =
            |f: &dyn Fn(&DataSource) -> String| data.iter().map(f).collect::<Vec<_>>().join(" + ");
        report::build(ReportInput {
            dataset: Dataset {
                name: format!("{}-cv", task.name),
                protocol,
                gold_file: names(&DataSource::file_name),
                gold_sha256: names(&|d| d.sha256.clone()),
                predictions_sha256: None,
            },
            task: TaskInfo {
                name: task.name.clone(),
                field: field.to_string(),
                labels: task.labels.iter().map(|l| l.name.clone()).collect(),
                f_avg_labels: task.f_avg_labels.clone(),
            },
            items,
            group_by: "target",
            actor_level: None,
            bootstrap: BootstrapConfig::new(self.report_seed),
        })
    }

    /// `train --fine-tune`: a LoRA cross-encoder on the data (and exemplars), cross-validated
    /// first when --folds > 1.
    fn run_fine_tune(&self, command: &[String]) -> Result<()> {
        if self.per_target
            || !matches!(self.features, Features::Text)
            || self.c != [1.0]
            || self.steps != TrainConfig::default().steps
            || self.no_balance
        {
            return Err(UserError::new(
                "--per-target, --features, --c, --steps and --no-balance are settings of linear heads",
                "drop them with --fine-tune (see --lr, --epochs, --lora-r)",
            ));
        }
        let task = Task::load(&self.task)?;
        let init = self
            .fine
            .init
            .as_deref()
            .map(finetuned::read_manifest)
            .transpose()?;
        let labels = match (&init, self.fine.labels.is_empty()) {
            (Some(m), true) => m.labels.clone(),
            (_, false) => self.fine.labels.clone(),
            (None, true) => task.labels.iter().map(|l| l.name.clone()).collect(),
        };
        let mut items = Vec::new();
        let mut sources = Vec::new();
        for spec in &self.data {
            let (i, s) = data::load_for_model(spec, &task, self.field, &labels)?;
            items.extend(i);
            sources.push(s);
        }
        if self.fine.exemplars || self.data.is_empty() {
            let (examples, source) = data::exemplars(&task)?;
            items.extend(data::to_items(
                &examples,
                &task,
                &task,
                &labels,
                "exemplars",
            )?);
            sources.push(source);
        }
        self.model.require_f32_for_training()?;
        let (manifest, dir) = self.model.resolve()?;
        let base_sha = manifest.weights_sha256();
        let mut config = self
            .fine
            .config(self.seed, self.batch_size, self.model.max_length);
        if let Some(m) = &init {
            // Continued training keeps the adapter's shape.
            config.lora.r = m.config.lora.r;
            config.lora.alpha = m.config.lora.alpha;
            config.lora.targets.clone_from(&m.config.lora.targets);
            if m.base_model != manifest.id {
                return Err(UserError::new(
                    format!(
                        "--init classifier was trained on {}, not {}",
                        m.base_model, manifest.id
                    ),
                    format!("run with --model {}", m.base_model),
                ));
            }
        }
        let spec = FineTuneSpec {
            name: self
                .out
                .file_name()
                .map_or_else(|| "classifier".into(), |n| n.to_string_lossy().into_owned()),
            task: &task,
            field: self.field.name().to_string(),
            labels,
            base: (&dir, manifest.id.clone(), base_sha),
            input: InputFormat {
                speaker_prefix: !self.fine.no_speaker_prefix,
                default_target: task.target.name.clone(),
                text_norm: self.text_norm,
            },
            config,
            dev_fraction: self.fine.dev_fraction,
            folds: self.folds,
            init: self.fine.init.as_deref(),
            data: sources,
            command: command.to_vec(),
            device: self.model.device.open()?,
            resume: self.fine.resume,
            quiet: false,
        };
        eprintln!(
            "fine-tuning on {} examples ({} model labels, {} device)",
            items.len(),
            spec.labels.len(),
            self.model.device
        );
        let trained = finetuned::train(&items, &spec, &self.out)?;
        let m = &trained.manifest;
        let kept = m.history.iter().find(|r| r.epoch == m.kept_epoch);
        println!(
            "kept epoch {} of {}{}",
            m.kept_epoch,
            m.history.len(),
            kept.and_then(|r| r.dev_score)
                .map_or(String::new(), |s| format!(" (dev score {s:.4})"))
        );
        if let Some(cv) = &m.cv {
            let f_avg = cv.pooled.f_avg.map_or("-".into(), |f| format!("{f:.4}"));
            println!(
                "{}-fold cross-validation: accuracy {:.4}, macro-F1 {:.4}, F_avg {f_avg}",
                cv.folds, cv.pooled.accuracy, cv.pooled.macro_f1
            );
            for (group, s) in &cv.groups {
                let f = s.f_avg.map_or("-".into(), |f| format!("{f:.4}"));
                println!(
                    "  {group:<36} n {:>5} macro-F1 {:.4} F_avg {f}",
                    s.n, s.macro_f1
                );
            }
        }
        println!("wrote {}", self.out.join(finetuned::MANIFEST).display());
        if let Some(root) = &self.reports {
            let probabilities = trained.out_of_fold.as_ref().ok_or_else(|| {
                UserError::new(
                    "--reports needs cross-validation, but --folds is 1",
                    "use --folds 5 (the default)",
                )
            })?;
            let task_labels: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
            let scored: Vec<ScoredItem> = items
                .iter()
                .zip(probabilities)
                .map(|(item, probs)| ScoredItem {
                    id: item.id.clone(),
                    doc_id: String::new(),
                    group: item
                        .target
                        .clone()
                        .unwrap_or_else(|| task.target.name.clone()),
                    text: (!self.no_report_text).then(|| item.text.clone()),
                    gold: item.gold.clone(),
                    prediction: Some(Prediction::from_probs(&task_labels, probs, &m.name)),
                    matched_id: None,
                })
                .collect();
            let cv =
                m.cv.as_ref()
                    .expect("out-of-fold predictions come with a CV report");
            let protocol = format!(
                "{}-fold stratified cross-validation (seed {}) of LoRA fine-tuning (r {}, {} epochs at most, lr {}), out-of-fold predictions",
                cv.folds, cv.seed, m.config.lora.r, m.config.epochs, m.config.optim.lr
            );
            let report = self.report(&task, &m.field, &m.data, protocol, &scored)?;
            let dir = report.folder(root);
            report.write(&dir)?;
            println!("report: {}", dir.display());
        }
        Ok(())
    }
}
