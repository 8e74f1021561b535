//! `stancer run`: the whole pipeline over a corpus, with outputs in `--out`.

use super::model_args::ModelArgs;
use super::stance_args::{load_trained, StanceArgs};
use super::ProgressView;
use crate::actors::Registry;
use crate::classify::classifier::{Classifier, Provenance};
use crate::error::UserError;
use crate::output::OutputDir;
use crate::pipeline::{self, RunConfig, RunManifest, RunPlan};
use crate::run_outputs::{self, OutputTask, TableFormat};
use crate::shard::{Shard, ShardState};
use crate::task::{Task, DEFAULT_TASK};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Checkpoint of finished chunks inside --out, removed once the outputs are written.
const CHECKPOINT: &str = ".stancer-checkpoint.jsonl";

/// Find quotes, classify their stance and aggregate it per actor.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Articles: .txt/.md or .jsonl files, directories of them, or - for stdin
    /// (default: the task's own corpus, for the default task the bundled missile-shield
    /// articles).
    inputs: Vec<PathBuf>,
    /// Task file: target, labels, hypotheses.
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Trained sentiment classifier folder (a fine-tuned cross-encoder or a linear head);
    /// predictions are in its own labels.
    #[arg(long, default_value = "models/semeval-sentiment")]
    sentiment: PathBuf,
    /// Skip sentiment.
    #[arg(long)]
    no_sentiment: bool,
    /// Actor registry (TOML or JSON) linking actors across documents. Without it, the task's
    /// registry is used on the task's own corpus only.
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Use no actor registry at all, not even the task's on its own corpus.
    #[arg(long, conflicts_with = "actors")]
    no_actors: bool,
    /// Report bad documents and continue instead of stopping.
    #[arg(long)]
    skip_bad: bool,
    /// Continue an interrupted run with the same inputs (unchanged) and flags from its
    /// checkpoint in --out, without redoing or duplicating finished documents.
    #[arg(long)]
    resume: bool,
    /// Process only shard K of N (e.g. 2/8): the documents whose id hashes to it, whatever
    /// else the inputs hold. `stancer merge` combines the N output folders into the outputs of
    /// one run, byte for byte.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Output folder (locked while the run writes to it).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Table formats: `parquet` also writes `quotes.parquet` and `actors.parquet` beside the
    /// JSONL files, for Spark, DuckDB, pandas and polars.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: TableFormat,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Documents classified between two checkpoint appends: what a killed run loses at most.
    /// Results do not depend on it.
    #[arg(long, default_value_t = pipeline::CHUNK_DOCUMENTS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    chunk_documents: usize,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print the corpus-level actor rows as JSON on stdout instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    stance: StanceArgs,
    #[command(flatten)]
    extraction: super::extractor_args::ExtractorArgs,
    #[command(flatten)]
    model: ModelArgs,
}

impl RunArgs {
    /// Runs the subcommand: locks `--out`, runs the pipeline and swaps the outputs in. A failed
    /// run leaves no folder or checkpoint it created, except a checkpoint holding finished work.
    /// `command` (the command line) goes into the manifest.
    pub fn run(&self, command: &[String]) -> Result<()> {
        let out = OutputDir::lock(&self.out)?;
        match self.run_locked(&out, command) {
            Ok(()) => Ok(()),
            Err(e) => {
                let checkpoint = self.out.join(CHECKPOINT);
                if checkpoint.exists() && !self.quiet {
                    eprintln!(
                        "note: finished documents are kept in {}; once the cause is fixed, \
                         --resume continues from them if the inputs are unchanged",
                        checkpoint.display()
                    );
                }
                out.abandon();
                Err(e)
            }
        }
    }

    fn run_locked(&self, out: &OutputDir, command: &[String]) -> Result<()> {
        let task = Task::load(&self.task)?;
        let inputs = if self.inputs.is_empty() {
            vec![task.corpus_dir().ok_or_else(|| {
                UserError::new(
                    format!(
                        "task {} has no corpus of its own to read by default",
                        task.path.display()
                    ),
                    "give the articles to read: files, folders, or - for stdin",
                )
            })?]
        } else {
            self.inputs.clone()
        };
        // Missing inputs fail here, before minutes may go into fetching and loading models.
        let total_bytes = crate::corpus::Corpus::open(&inputs)?.total_bytes();
        let registry_path = self.registry_path(&task, &inputs);
        let Loaded {
            config,
            plan,
            load_seconds,
        } = self.load(task, inputs, registry_path.as_deref())?;
        let progress = if self.quiet {
            ProgressView::hidden()
        } else {
            ProgressView::new(
                total_bytes,
                "reading",
                "{msg:>24} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} (eta {eta})",
                "{msg}: {bytes}/{total_bytes} ({percent}%) of the input done, {elapsed} elapsed, \
                 eta {eta}",
            )
        };
        let checkpoint = self.out.join(CHECKPOINT);
        let result = pipeline::run(&config, &checkpoint, &plan, self.resume, &|event| {
            show(&progress.bar, event)
        })?;
        progress.finish();
        let totals = &result.totals;
        let manifest = RunManifest::new(command, &config.task, plan, &result, load_seconds);
        let task = OutputTask::from(&config.task);
        let state = self
            .shard
            .map(|shard| ShardState::new(&result.run_id, shard, &task, totals, &result.corpus));
        run_outputs::write_outputs(
            out,
            &task,
            &result,
            state.as_ref().map(|s| s as &dyn run_outputs::ExtraFiles),
            self.format,
            serde_json::to_value(&manifest)?,
        )?;
        std::fs::remove_file(&checkpoint)
            .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", checkpoint.display()))?;
        for skipped in &totals.skipped {
            eprintln!("skipped: {skipped}");
        }
        super::print_actors(&task, totals, &self.out, self.json, self.quiet)?;
        Ok(())
    }

    /// Loads the models, heads and registry and builds the pipeline's config, with the plan
    /// the fingerprint and the manifest record.
    fn load(
        &self,
        task: Task,
        inputs: Vec<PathBuf>,
        registry_path: Option<&std::path::Path>,
    ) -> Result<Loaded> {
        let load_start = Instant::now();
        let registry = registry_path.map(Registry::load).transpose()?;
        let (embedder_manifest, embedder) = self.model.load()?;
        let stance = self
            .stance
            .open(&self.model, &embedder_manifest.id, &task)?;
        let sentiment = if self.no_sentiment {
            None
        } else {
            let classifier: Box<dyn Classifier> = Box::new(load_trained(
                &self.sentiment,
                &self.model,
                &embedder_manifest.id,
                "sentiment",
                None,
            )?);
            Some(classifier)
        };
        let mut models = vec![Provenance::Embedding {
            role: "embedding".into(),
            id: embedder_manifest.id.clone(),
            revision: embedder_manifest.revision.clone(),
            files: embedder_manifest.files.clone(),
        }];
        models.push(stance.provenance().clone());
        models.extend(sentiment.as_ref().map(|c| c.provenance().clone()));
        let extractor = self.extraction.build(&self.model)?;
        let plan = RunPlan {
            extractor: extractor.model_id(),
            task_sha256: pipeline::file_sha256(&task.path)?,
            models,
            registry_sha256: registry_path.map(pipeline::file_sha256).transpose()?,
            max_length: self.model.max_length,
            device: crate::device::describe(embedder.device()),
            dtype: embedder.dtype().as_str().to_string(),
        };
        let config = RunConfig {
            inputs,
            task,
            embedder,
            stance,
            sentiment,
            registry,
            extractor,
            skip_bad: self.skip_bad,
            batch_size: self.batch_size,
            chunk_documents: self.chunk_documents,
            window_bytes: crate::quotes::window::WINDOW_BYTES,
            shard: self.shard,
        };
        Ok(Loaded {
            config,
            plan,
            load_seconds: load_start.elapsed().as_secs_f64(),
        })
    }

    /// `--actors` when given; none with `--no-actors`; else the task's registry when every input
    /// lies in the task's own corpus, since it names that corpus's actors (elsewhere it would
    /// turn "the president" of any article into the task's president).
    fn registry_path(&self, task: &Task, inputs: &[PathBuf]) -> Option<PathBuf> {
        if self.no_actors {
            return None;
        }
        if let Some(path) = &self.actors {
            return Some(path.clone());
        }
        let own = task.actors.as_ref().map(|p| task.relative(p))?;
        if task.is_own_corpus(inputs) {
            return Some(own);
        }
        if !self.quiet {
            eprintln!(
                "note: the task's actor registry {} is for its own corpus and is not applied \
                 here; pass --actors {} to use it anyway",
                own.display(),
                own.display()
            );
        }
        None
    }
}

/// What [`RunArgs::load`] loads: the pipeline's config and its provenance.
struct Loaded {
    config: RunConfig,
    /// What changes the records besides flags and inputs.
    plan: RunPlan,
    load_seconds: f64,
}

/// The pipeline of `stancer run` with these flags (no input paths: the caller brings the
/// documents), for [`pipeline::annotate`] on batches of documents, as the Python package runs
/// it. The registry is `--actors` when given: the task's own registry names only its corpus.
pub fn annotator(flags: &[String]) -> Result<RunConfig> {
    #[derive(clap::Parser)]
    #[command(name = "stancer run")]
    struct Flags {
        #[command(flatten)]
        run: RunArgs,
    }
    let args = <Flags as clap::Parser>::try_parse_from(
        std::iter::once("stancer run").chain(flags.iter().map(String::as_str)),
    )
    .map_err(|e| anyhow::anyhow!("{}", e.render()))?
    .run;
    if !args.inputs.is_empty() || args.shard.is_some() || args.resume {
        return Err(UserError::new(
            "an annotator reads the documents of its batches, not input paths, shards or \
             checkpoints",
            "give only model, task and classification flags; run or shard whole corpora \
             with `stancer run`",
        ));
    }
    let task = Task::load(&args.task)?;
    // --actors and --no-actors conflict, so --actors alone decides.
    Ok(args.load(task, Vec::new(), args.actors.as_deref())?.config)
}

/// Shows a pipeline event on the bar: position and total in input bytes, and what the slow
/// part is doing.
fn show(bar: &indicatif::ProgressBar, event: pipeline::Progress) {
    match event {
        pipeline::Progress::Classifying { quotes, done } => {
            bar.set_message(format!("classifying {quotes} quotes"));
            bar.set_position(done);
        }
        pipeline::Progress::Finished { done } => {
            bar.set_position(done);
            bar.set_message("reading");
        }
    }
}
