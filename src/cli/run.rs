//! `stancer run`: the whole pipeline over a corpus, with outputs in `--out`.

use super::model_args::ModelArgs;
use super::stance_args::{head_provenance, load_head, StanceArgs};
use crate::actors::Registry;
use crate::pipeline::{self, RunConfig, RunManifest};
use crate::task::{Task, DEFAULT_TASK};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// The bundled corpus `stancer run` reads when given no inputs.
const DEFAULT_CORPUS: &str = "datasets/missile-shield/articles";
/// Checkpoint of finished documents inside --out, removed once the outputs are written.
const CHECKPOINT: &str = ".stancer-checkpoint.jsonl";

/// Find quotes, classify their stance and aggregate it per actor.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Articles: .txt or .jsonl files, directories of them, or - for stdin
    /// (default: the bundled missile-shield articles).
    inputs: Vec<PathBuf>,
    /// Task file: target, labels, hypotheses.
    #[arg(long, default_value = DEFAULT_TASK)]
    task: PathBuf,
    /// Trained sentiment head folder.
    #[arg(long, default_value = "models/semeval-sentiment")]
    sentiment: PathBuf,
    /// Skip sentiment.
    #[arg(long)]
    no_sentiment: bool,
    /// Actor registry (TOML or JSON) linking actors across documents; default: the task's.
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Report bad documents and continue instead of stopping.
    #[arg(long)]
    skip_bad: bool,
    /// Continue an interrupted run with the same inputs and flags from its checkpoint in --out,
    /// without redoing or duplicating finished documents.
    #[arg(long)]
    resume: bool,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print the corpus-level actor rows as JSON on stdout instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    stance: StanceArgs,
    #[command(flatten)]
    model: ModelArgs,
}

impl RunArgs {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let load_start = Instant::now();
        let task = Task::load(&self.task)?;
        let (embedder_manifest, embedder) = self.model.load()?;
        let mut models = vec![serde_json::json!({
            "role": "embedding",
            "id": embedder_manifest.id,
            "revision": embedder_manifest.revision,
            "files": embedder_manifest.files,
        })];
        let (stance, provenance) = self
            .stance
            .open(&embedder_manifest.id, &self.model.device)?;
        models.push(provenance);
        let sentiment = if self.no_sentiment {
            None
        } else {
            let head = load_head(&self.sentiment, &embedder_manifest.id)?;
            models.push(head_provenance("sentiment", &self.sentiment, &head)?);
            Some(head)
        };
        let registry_path = self
            .actors
            .clone()
            .or_else(|| task.actors.as_ref().map(|p| task.relative(p)));
        let registry = registry_path.as_deref().map(Registry::load).transpose()?;
        let inputs = if self.inputs.is_empty() {
            vec![PathBuf::from(DEFAULT_CORPUS)]
        } else {
            self.inputs.clone()
        };
        let config = RunConfig {
            inputs,
            task,
            embedder,
            stance,
            sentiment,
            registry,
            skip_bad: self.skip_bad,
            batch_size: self.batch_size,
            chunk_documents: pipeline::CHUNK_DOCUMENTS,
        };
        let load_seconds = load_start.elapsed().as_secs_f64();
        let bar = if self.quiet {
            indicatif::ProgressBar::hidden()
        } else {
            super::progress_bar(0, "documents")
        };
        // Everything that changes the records; --resume, --quiet and --json do not.
        let fingerprint = crate::models::cache::sha256_bytes(
            serde_json::json!({
                "inputs": config.inputs,
                "task": pipeline::file_sha256(&self.task)?,
                "models": models,
                "method": format!("{:?}", self.stance.method),
                "multi_label": self.stance.multi_label,
                "registry": registry_path,
                "skip_bad": self.skip_bad,
                "max_length": self.model.max_length,
                "device": self.model.device.to_string(),
            })
            .to_string()
            .as_bytes(),
        );
        let checkpoint = self.out.join(CHECKPOINT);
        let result = pipeline::run(&config, &checkpoint, &fingerprint, self.resume, &|| {
            bar.inc(1)
        })?;
        bar.finish_and_clear();
        let manifest = RunManifest {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: std::env::args().skip(1).collect(),
            task: (config.task.name.clone(), pipeline::file_sha256(&self.task)?),
            models,
            counts: serde_json::json!({
                "documents": result.documents,
                "quotes": result.quotes.len(),
                "attributed_quotes": result.quotes.iter().filter(|q| q.actor_id.is_some()).count(),
                "actors": result.corpus_actors.len(),
                "skipped_inputs": result.skipped.len(),
            }),
            skipped: result.skipped.clone(),
            timings: pipeline::Timings {
                load: load_seconds,
                ..result.timings.clone()
            },
        };
        pipeline::write_outputs(&self.out, &config.task, &result, manifest)?;
        std::fs::remove_file(&checkpoint)
            .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", checkpoint.display()))?;
        for skipped in &result.skipped {
            eprintln!("skipped: {skipped}");
        }
        if self.json {
            println!("{}", serde_json::to_string(&result.corpus_actors)?);
        } else if !self.quiet {
            print!("{}", pipeline::summary(&config.task, &result));
            println!("\noutputs in {}", self.out.display());
        }
        Ok(())
    }
}
