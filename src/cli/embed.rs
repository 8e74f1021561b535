//! `stancer embed`: texts in (plain lines or JSONL), sentence embeddings out (JSONL).

use super::model_args::ModelArgs;
use crate::embed::{embed_streaming, read_texts, seed_sentences, EmbedRecord};
use crate::error::UserError;
use crate::models::ModelTask;
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Embed texts with a sentence-embedding model.
#[derive(Args, Debug)]
pub struct EmbedArgs {
    /// Input file: one text per line, or JSONL objects with `text` (and optional `id`);
    /// `-` reads stdin. Without it, embeds the sentences of the bundled seed article.
    pub input: Option<PathBuf>,
    /// Write JSONL here (atomically) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Texts per forward pass; inputs are sorted by length within the run to limit padding.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Model selection.
    #[command(flatten)]
    pub model: ModelArgs,
}

impl EmbedArgs {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let texts = match &self.input {
            Some(path) => read_texts(path)?,
            None => seed_sentences()?,
        };
        let (manifest, model) = self.model.load()?;
        if manifest.task != ModelTask::Embedding {
            return Err(UserError::new(
                format!(
                    "model '{}' is a {:?} model, not a sentence-embedding model",
                    manifest.id, manifest.task
                ),
                "pick an embedding model from `stancer models list`",
            ));
        }
        let progress = super::progress_bar(texts.len() as u64, "embedding");
        let write = |out: &mut dyn Write| -> Result<()> {
            embed_streaming(
                &model,
                &texts,
                |t| t.text.as_str(),
                self.batch_size,
                |chunk, embeddings| {
                    for (text, embedding) in chunk.iter().zip(embeddings) {
                        let record = EmbedRecord {
                            id: &text.id,
                            embedding,
                        };
                        serde_json::to_writer(&mut *out, &record)?;
                        out.write_all(b"\n")?;
                    }
                    progress.inc(chunk.len() as u64);
                    Ok(())
                },
            )?;
            progress.finish_and_clear();
            Ok(())
        };
        match &self.output {
            Some(path) => crate::output::write_atomic(path, |w| write(w)),
            None => write(&mut std::io::stdout().lock()),
        }
    }
}
