//! `stancer bench`: throughput and memory of the model on bundled and shared corpora.
//!
//! Each thread count and each memory figure is measured in a fresh child process (this binary
//! again, with a hidden flag): candle's thread pools read `RAYON_NUM_THREADS` once, and a
//! process's peak RSS only ever grows, so neither can be varied within one process.

use super::model_args::ModelArgs;
use crate::bench::{
    bench_embed, peak_rss_bytes, polnear_paragraphs, seed_quotes, semeval_tweets,
    streaming_peak_rss, write_corpus, BenchCorpus,
};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Benchmarks.
#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Sentence-embedding throughput per batch size and thread count, model load time, peak RSS.
    Embed(EmbedBenchArgs),
}

/// Flags of `stancer bench embed`.
#[derive(Args, Debug)]
struct EmbedBenchArgs {
    /// Batch sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 8, 32, 64])]
    batch_sizes: Vec<usize>,
    /// Thread counts to measure, comma-separated (each in its own process).
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 2])]
    threads: Vec<usize>,
    /// Minimum timed seconds per setting (whole passes over the corpus).
    #[arg(long, default_value_t = 3.0)]
    min_seconds: f64,
    /// How many SemEval-2016 training tweets form the short-text corpus (read from $STANCER_DATA).
    #[arg(long, default_value_t = 300)]
    tweets: usize,
    /// How many PolNeAR dev paragraphs form the long-text corpus (read from $STANCER_DATA; 0 skips it).
    #[arg(long, default_value_t = 0)]
    long_texts: usize,
    /// Corpus sizes at which to report peak RSS of streaming embedding (each in its own
    /// process, tweets repeated as needed), comma-separated; empty skips it.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1000, 10000])]
    rss_texts: Vec<usize>,
    /// Write each corpus here as `<name>.jsonl`, for scripts/bench/python_baseline.py.
    #[arg(long)]
    write_corpora: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Internal: measure throughput in this process only and print its JSON.
    #[arg(long, hide = true)]
    worker: bool,
    /// Internal: stream this many texts in this process, print peak RSS as JSON.
    #[arg(long, hide = true)]
    rss_worker: Option<usize>,
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
        if let Some(count) = self.rss_worker {
            return self.rss_worker(count);
        }
        if self.worker {
            return self.throughput_worker();
        }
        let manifest = crate::models::ModelManifest::resolve_id_or_path(&self.model.model)?;
        let corpora = self.corpora()?;
        if let Some(dir) = &self.write_corpora {
            for corpus in &corpora {
                write_corpus(corpus, dir)?;
            }
        }
        let mut runs = Vec::new();
        for &threads in &self.threads {
            let run = child(threads, &["--worker"])?;
            if !self.json {
                print_run(&run);
            }
            runs.push(run);
        }
        let rss_threads = self.threads.iter().copied().max().unwrap_or(1);
        let mut rss = Vec::new();
        for &count in &self.rss_texts {
            let row = child(rss_threads, &["--rss-worker", &count.to_string()])?;
            if !self.json {
                println!(
                    "streaming {:>6} texts ({} threads): peak RSS {:.1} MiB",
                    count,
                    rss_threads,
                    mib(&row["peak_rss_bytes"])
                );
            }
            rss.push(row);
        }
        if self.json {
            println!(
                "{}",
                json!({
                    "implementation": "stancer (candle)",
                    "model": manifest.id,
                    "repo": manifest.repo,
                    "revision": manifest.revision,
                    "min_seconds": self.min_seconds,
                    "batch_sizes": self.batch_sizes,
                    "threads": self.threads,
                    "runs": runs,
                    "streaming_rss": rss,
                })
            );
        }
        Ok(())
    }

    /// The corpora present here: SemEval tweets and PolNeAR paragraphs come from $STANCER_DATA.
    fn corpora(&self) -> Result<Vec<BenchCorpus>> {
        let root = crate::settings::data_root();
        let mut corpora = Vec::new();
        match semeval_tweets(&root, self.tweets)? {
            Some(corpus) => corpora.push(corpus),
            None => eprintln!(
                "SKIPPED: tweets (no semeval2016-task6 under {}; set STANCER_DATA)",
                root.display()
            ),
        }
        corpora.push(seed_quotes()?);
        if self.long_texts > 0 {
            match polnear_paragraphs(&root, self.long_texts)? {
                Some(corpus) => corpora.push(corpus),
                None => eprintln!(
                    "SKIPPED: long-text corpus (no polnear/dev under {}; set STANCER_DATA)",
                    root.display()
                ),
            }
        }
        Ok(corpora)
    }

    fn throughput_worker(&self) -> Result<()> {
        let load_start = Instant::now();
        let (_, model) = self.model.load()?;
        let load_seconds = load_start.elapsed().as_secs_f64();
        let min_time = Duration::from_secs_f64(self.min_seconds);
        let mut rows = Vec::new();
        for corpus in &self.corpora()? {
            for &batch_size in &self.batch_sizes {
                rows.push(bench_embed(&model, corpus, batch_size, min_time)?);
            }
        }
        let report = json!({
            "device": crate::device::describe(&self.model.device.open()?),
            "threads": candle_core::utils::get_num_threads(),
            "load_seconds": load_seconds,
            "peak_rss_bytes": peak_rss_bytes(),
            "rows": rows,
        });
        println!("{report}");
        Ok(())
    }

    fn rss_worker(&self, count: usize) -> Result<()> {
        let (_, model) = self.model.load()?;
        let corpus = self.corpora()?.remove(0);
        let peak = streaming_peak_rss(&model, &corpus, count, 32)?;
        println!(
            "{}",
            json!({ "texts": count, "corpus": corpus.name, "peak_rss_bytes": peak })
        );
        Ok(())
    }
}

/// Runs this command again in a child process with `threads` threads and `extra` flags, and
/// parses the JSON it prints.
fn child(threads: usize, extra: &[&str]) -> Result<Value> {
    let exe = std::env::current_exe().context("cannot locate the stancer binary")?;
    let output = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .args(extra)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env("CANDLE_NUM_THREADS", threads.to_string())
        .output()
        .context("cannot start the benchmark worker")?;
    anyhow::ensure!(
        output.status.success(),
        "benchmark worker failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).context("benchmark worker printed no JSON")
}

fn mib(bytes: &Value) -> f64 {
    bytes.as_f64().unwrap_or(0.0) / (1024.0 * 1024.0)
}

fn print_run(run: &Value) {
    let threads = &run["threads"];
    for row in run["rows"].as_array().into_iter().flatten() {
        println!(
            "{:<22} {:>5} texts {:>6.1} tok  threads {}  batch {:>3}  {:>8.1} texts/s",
            row["corpus"].as_str().unwrap_or_default(),
            row["texts"],
            row["mean_tokens"].as_f64().unwrap_or_default(),
            threads,
            row["batch_size"],
            row["texts_per_second"].as_f64().unwrap_or_default()
        );
    }
    println!(
        "{} threads: model loaded in {:.2} s; peak RSS {:.1} MiB",
        threads,
        run["load_seconds"].as_f64().unwrap_or_default(),
        mib(&run["peak_rss_bytes"])
    );
}
