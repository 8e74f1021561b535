//! `stancer bench`: throughput and memory of the model on bundled and shared corpora.

use super::model_args::ModelArgs;
use crate::bench::{bench_embed, peak_rss_bytes, polnear_paragraphs, seed_corpus};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::time::{Duration, Instant};

/// Benchmarks.
#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Sentence-embedding throughput at several batch sizes, model load time and peak RSS.
    Embed(EmbedBenchArgs),
}

/// Flags of `stancer bench embed`.
#[derive(Args, Debug)]
struct EmbedBenchArgs {
    /// Batch sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 8, 32])]
    batch_sizes: Vec<usize>,
    /// Minimum timed seconds per setting (whole passes over the corpus).
    #[arg(long, default_value_t = 3.0)]
    min_seconds: f64,
    /// How many PolNeAR dev paragraphs form the long-text corpus (read from $STANCER_DATA).
    #[arg(long, default_value_t = 300)]
    long_texts: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

impl BenchArgs {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        match &self.command {
            BenchCommand::Embed(args) => args.run(),
        }
    }
}

impl EmbedBenchArgs {
    fn run(&self) -> Result<()> {
        let load_start = Instant::now();
        let (manifest, model) = self.model.load()?;
        let load_seconds = load_start.elapsed().as_secs_f64();
        let mut corpora = vec![seed_corpus()?];
        match polnear_paragraphs(&crate::settings::data_root(), self.long_texts)? {
            Some(corpus) => corpora.push(corpus),
            None => eprintln!(
                "SKIPPED: long-text corpus (no polnear/dev under {}; set STANCER_DATA)",
                crate::settings::data_root().display()
            ),
        }
        let min_time = Duration::from_secs_f64(self.min_seconds);
        let mut rows = Vec::new();
        for corpus in &corpora {
            for &batch_size in &self.batch_sizes {
                let row = bench_embed(&model, corpus, batch_size, min_time)?;
                if !self.json {
                    println!(
                        "{:<24} {:>5} texts {:>6.1} tok  batch {:>3}  {:>8.1} texts/s",
                        row.corpus,
                        row.texts,
                        row.mean_tokens,
                        row.batch_size,
                        row.texts_per_second
                    );
                }
                rows.push(row);
            }
        }
        let report = serde_json::json!({
            "model": manifest.id,
            "device": crate::device::describe(&self.model.device.open()?),
            "threads": candle_core::utils::get_num_threads(),
            "load_seconds": load_seconds,
            "peak_rss_bytes": peak_rss_bytes(),
            "rows": rows,
        });
        if self.json {
            println!("{report}");
        } else {
            println!(
                "model {} loaded in {:.2} s; peak RSS {:.1} MiB",
                manifest.id,
                load_seconds,
                peak_rss_bytes().unwrap_or(0) as f64 / (1024.0 * 1024.0)
            );
        }
        Ok(())
    }
}
