//! `stancer bench`: throughput and memory of the model on bundled and shared corpora.
//!
//! Each thread count and each memory figure is measured in a fresh child process (this binary
//! again, with a hidden flag): candle's thread pools read `RAYON_NUM_THREADS` once, and a
//! process's peak RSS only ever grows, so neither can be varied within one process.

use super::model_args::ModelArgs;
use crate::bench::{
    bench_embed, bench_zero_shot, peak_rss_bytes, polnear_paragraphs, seed_quotes, semeval_items,
    semeval_tweets, streaming_peak_rss, write_corpus, write_random_model, zero_shot_pairs,
    BenchCorpus, BenchRow, EmbedLoad, FineTuneReport, ModelLoad, PairBenchRow, PairLoads, RssRow,
    WorkerReport,
};
use crate::classify::classifier::Provenance;
use crate::classify::nli::{Mode, NliClassifier};
use crate::datasets::semeval::SemevalItem;
use crate::device::{DeviceSpec, Precision};
use crate::encoders::{LoadOptions, TextModel};
use crate::error::UserError;
use crate::eval::report::{Align, Table};
use crate::task::Task;
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
    /// Zero-shot cross-encoder throughput (pairs/s) per batch size and thread count, model load
    /// time, peak RSS: on model folders and on configs instantiated with random weights.
    CrossEncoder(CrossEncoderBenchArgs),
    /// LoRA fine-tuning throughput (training examples/s) on SemEval-2016 (tweet, target) pairs
    /// per thread count, and peak RSS.
    FineTune(FineTuneBenchArgs),
    /// Whole-pipeline throughput of `stancer run` (documents/s, quotes/s) on PolNeAR train+dev,
    /// with the share of time spent outside the model, per thread count.
    Run(RunBenchArgs),
    /// Quote extraction throughput (MB/s) of the rules, the learned span tagger and both, on
    /// the same documents in one process.
    Extract(ExtractBenchArgs),
}

/// Flags of `stancer bench extract`.
#[derive(Args, Debug)]
struct ExtractBenchArgs {
    /// PolNeAR split whose articles are read (under $STANCER_DATA/polnear).
    #[arg(long, default_value = "dev")]
    split: String,
    /// Keep passing over the documents until each extractor has run this long.
    #[arg(long, default_value_t = 5.0)]
    min_seconds: f64,
    /// Windows per forward pass of the tagger.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// The tagger folder.
    #[arg(long, default_value = "models/polnear-tagger")]
    tagger: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

impl ExtractBenchArgs {
    fn run(&self) -> Result<()> {
        use crate::quotes::{Extractor, Rules};
        use crate::tagger::{Learned, SpanTagger};
        let root = crate::settings::data_root().join("polnear");
        let docs: Vec<crate::corpus::Document> = crate::eval::polnear::load(&root, &self.split)?
            .into_iter()
            .map(|g| g.doc)
            .collect();
        let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        let (manifest, dir) = self.model.resolve()?;
        let base_sha = manifest.weights_sha256();
        let device = self.model.device.open()?;
        let tagger = |with_rules| -> Result<Learned> {
            let mut tagger = SpanTagger::load(&self.tagger, &dir, &base_sha, &device)?;
            tagger.batch_size = self.batch_size;
            Ok(Learned { tagger, with_rules })
        };
        let extractors: Vec<(&str, Box<dyn Extractor>)> = vec![
            ("rules", Box::new(Rules)),
            ("learned", Box::new(tagger(false)?)),
            ("both", Box::new(tagger(true)?)),
        ];
        let mut rows = Vec::new();
        for (name, extractor) in &extractors {
            let start = Instant::now();
            let (mut passes, mut quotes) = (0usize, 0usize);
            while passes == 0 || start.elapsed().as_secs_f64() < self.min_seconds {
                quotes = 0;
                for doc in &docs {
                    quotes += extractor.extract(doc, None)?.len();
                }
                passes += 1;
            }
            let seconds = start.elapsed().as_secs_f64();
            rows.push(json!({
                "extractor": name,
                "documents": docs.len(),
                "bytes": bytes,
                "quotes": quotes,
                "passes": passes,
                "seconds": seconds,
                "mb_per_second": (bytes * passes) as f64 / 1e6 / seconds,
            }));
        }
        let rules = rows[0]["mb_per_second"].as_f64().unwrap_or(f64::NAN);
        for row in &mut rows {
            let rate = row["mb_per_second"].as_f64().unwrap_or(f64::NAN);
            row["vs_rules"] = json!(rate / rules);
        }
        let report = json!({
            "split": self.split,
            "device": crate::device::describe(&device),
            "batch_size": self.batch_size,
            "rows": rows,
        });
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
            return Ok(());
        }
        let mut table = Table::new(&[
            ("extractor", Align::Left),
            ("quotes", Align::Right),
            ("passes", Align::Right),
            ("seconds", Align::Right),
            ("MB/s", Align::Right),
            ("× rules", Align::Right),
        ]);
        for row in &rows {
            table.row(vec![
                row["extractor"].as_str().unwrap_or_default().to_string(),
                row["quotes"].to_string(),
                row["passes"].to_string(),
                format!("{:.2}", row["seconds"].as_f64().unwrap_or_default()),
                format!("{:.3}", row["mb_per_second"].as_f64().unwrap_or_default()),
                format!("{:.4}", row["vs_rules"].as_f64().unwrap_or_default()),
            ]);
        }
        println!(
            "PolNeAR {} ({} documents, {:.2} MB) on {}",
            self.split,
            docs.len(),
            bytes as f64 / 1e6,
            crate::device::describe(&device)
        );
        print!("{}", table.to_text());
        Ok(())
    }
}

/// Flags of `stancer bench run`.
#[derive(Args, Debug)]
struct RunBenchArgs {
    /// Corpus to run on: files or folders as `stancer run` reads them (default: PolNeAR's
    /// train and dev articles under $STANCER_DATA).
    inputs: Vec<PathBuf>,
    /// Only the first N documents of the corpus.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    documents: Option<usize>,
    /// Thread counts to measure, comma-separated (each a `stancer run` process of its own).
    #[arg(long, value_delimiter = ',', default_values_t = vec![2])]
    threads: Vec<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Flags for `stancer run` itself, after `--` (e.g. `-- --no-sentiment`).
    #[arg(last = true)]
    run_flags: Vec<String>,
}

/// Flags of `stancer bench fine-tune`.
#[derive(Args, Debug)]
struct FineTuneBenchArgs {
    /// Examples per step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Token limit per (tweet, target) pair.
    #[arg(long, default_value_t = 64)]
    length: usize,
    /// Thread counts to measure, comma-separated (each in its own process).
    #[arg(long, value_delimiter = ',', default_values_t = vec![2])]
    threads: Vec<usize>,
    /// Untimed steps before the timed ones.
    #[arg(long, default_value_t = 2)]
    warmup_steps: usize,
    /// Timed steps.
    #[arg(long, default_value_t = 10)]
    steps: usize,
    /// Dropout on each adapter's input (LoRA r 8, alpha 16 on every encoder linear layer).
    #[arg(long, default_value_t = 0.1)]
    lora_dropout: f64,
    /// Write the examples trained on here as `examples.jsonl` ({"text", "text_pair", "label"}
    /// per line), for scripts/bench/python_finetune.py.
    #[arg(long)]
    write_examples: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Internal: measure in this process only and print its JSON.
    #[arg(long, hide = true)]
    worker: bool,
    #[command(flatten)]
    model: ModelArgs,
}

/// Flags of `stancer bench cross-encoder`. Paths default to the repository's own files: run it
/// from the repository root.
#[derive(Args, Debug)]
struct CrossEncoderBenchArgs {
    /// Cross-encoder folders (config.json, model.safetensors, tokenizer.json), repeatable.
    #[arg(long = "model-dir", default_values = ["tests/fixtures/tiny-deberta-v2-cls"])]
    model_dirs: Vec<PathBuf>,
    /// config.json files to instantiate with seeded random weights (a forward pass costs the
    /// same whatever the weights hold), repeatable.
    #[arg(long = "random-config", default_values = ["scripts/bench/deberta-v3-xsmall-config.json"])]
    random_configs: Vec<PathBuf>,
    /// Tokenizer of the randomly initialised models; its ids must fit their vocabulary.
    #[arg(long, default_value = "tests/fixtures/tiny-bert-cls/tokenizer.json")]
    random_tokenizer: PathBuf,
    /// Task whose hypotheses are paired with each tweet (one pair per label).
    #[arg(long, default_value = "datasets/semeval2016-stance/task.toml")]
    task: PathBuf,
    /// Pairs per forward pass to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![8, 32])]
    batch_sizes: Vec<usize>,
    /// Thread counts to measure, comma-separated (each in its own process).
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 2])]
    threads: Vec<usize>,
    /// Minimum timed seconds per setting (whole passes over the tweets).
    #[arg(long, default_value_t = 3.0)]
    min_seconds: f64,
    /// How many SemEval-2016 training tweets to classify (read from $STANCER_DATA).
    #[arg(long, default_value_t = 100)]
    tweets: usize,
    /// Where to run the models: auto, cpu, cuda, cuda:N or metal.
    #[arg(long, default_value = "auto")]
    device: DeviceSpec,
    /// Float type of the models: auto (f32 on the CPU, bf16 on CUDA), f32, f16 or bf16.
    #[arg(long, value_enum, default_value_t = Precision::Auto)]
    dtype: Precision,
    /// Write the pairs here as `pairs.jsonl` ({"premise", "hypothesis"} per line), for
    /// scripts/bench/python_cross_encoder.py.
    #[arg(long)]
    write_pairs: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Internal: measure in this process only and print its JSON.
    #[arg(long, hide = true)]
    worker: bool,
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
    /// process, tweets repeated as needed), comma-separated; the flag with no value skips it.
    #[arg(long, value_delimiter = ',', num_args = 0.., default_values_t = vec![1000, 10000])]
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
            BenchCommand::CrossEncoder(args) => args.run(),
            BenchCommand::FineTune(args) => args.run(),
            BenchCommand::Run(args) => args.run(),
            BenchCommand::Extract(args) => args.run(),
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
            let run: WorkerReport<BenchRow, EmbedLoad> = child(threads, &["--worker"])?;
            if !self.json {
                print_run(&run);
            }
            runs.push(run);
        }
        let rss_threads = self.threads.iter().copied().max().unwrap_or(1);
        let mut rss = Vec::new();
        for &count in &self.rss_texts {
            let row: RssRow = child(rss_threads, &["--rss-worker", &count.to_string()])?;
            if !self.json {
                println!(
                    "streaming {:>6} texts ({} threads): peak RSS {:.1} MiB",
                    count,
                    rss_threads,
                    mib(row.peak_rss_bytes)
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
        let report = WorkerReport {
            device: crate::device::describe(model.device()),
            threads: candle_core::utils::get_num_threads(),
            peak_rss_bytes: peak_rss_bytes(),
            rows,
            extra: EmbedLoad {
                load_seconds,
                dtype: model.dtype().as_str().to_string(),
            },
        };
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }

    fn rss_worker(&self, count: usize) -> Result<()> {
        let (_, model) = self.model.load()?;
        let corpus = self.corpora()?.remove(0);
        let peak = streaming_peak_rss(&model, &corpus, count, 32)?;
        let row = RssRow {
            texts: count,
            corpus: corpus.name,
            peak_rss_bytes: peak,
        };
        println!("{}", serde_json::to_string(&row)?);
        Ok(())
    }
}

impl CrossEncoderBenchArgs {
    fn run(&self) -> Result<()> {
        if self.worker {
            return self.worker();
        }
        if let Some(dir) = &self.write_pairs {
            let (task, tweets) = self.inputs()?;
            let lines: String = zero_shot_pairs(&task, &tweets)
                .iter()
                .map(|(premise, hypothesis)| {
                    json!({ "premise": premise, "hypothesis": hypothesis }).to_string() + "\n"
                })
                .collect();
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            crate::output::write_atomic(&dir.join("pairs.jsonl"), |w| {
                Ok(w.write_all(lines.as_bytes())?)
            })?;
        }
        let mut runs = Vec::new();
        for &threads in &self.threads {
            let run: WorkerReport<PairBenchRow, PairLoads> = child(threads, &["--worker"])?;
            if !self.json {
                print_pair_run(&run);
            }
            runs.push(run);
        }
        if self.json {
            println!(
                "{}",
                json!({
                    "implementation": "stancer (candle)",
                    "model_dirs": self.model_dirs,
                    "random_configs": self.random_configs,
                    "random_tokenizer": self.random_tokenizer,
                    "min_seconds": self.min_seconds,
                    "batch_sizes": self.batch_sizes,
                    "threads": self.threads,
                    "runs": runs,
                })
            );
        }
        Ok(())
    }

    /// The task and the tweets to pair with its hypotheses.
    fn inputs(&self) -> Result<(Task, Vec<SemevalItem>)> {
        let root = crate::settings::data_root();
        let tweets = semeval_items(&root, self.tweets)?.ok_or_else(|| {
            UserError::new(
                format!("no semeval2016-task6 under {}", root.display()),
                "set STANCER_DATA to the folder that holds the shared datasets",
            )
        })?;
        Ok((Task::load(&self.task)?, tweets))
    }

    /// Loads each model in turn (timed) and measures every batch size on it.
    fn worker(&self) -> Result<()> {
        let (task, tweets) = self.inputs()?;
        let device = self.device.open()?;
        let min_time = Duration::from_secs_f64(self.min_seconds);
        let scratch = tempfile::tempdir().context("cannot create a temporary folder")?;
        let mut models: Vec<(String, PathBuf)> = self
            .model_dirs
            .iter()
            .map(|dir| (dir.display().to_string(), dir.clone()))
            .collect();
        for (i, config) in self.random_configs.iter().enumerate() {
            let dir = scratch.path().join(i.to_string());
            std::fs::create_dir_all(&dir)?;
            write_random_model(config, &self.random_tokenizer, &dir, 0)?;
            models.push((format!("random:{}", config.display()), dir));
        }
        let mut loads = Vec::new();
        let mut rows = Vec::new();
        for (name, dir) in &models {
            let start = Instant::now();
            let options = LoadOptions {
                precision: self.dtype,
                ..LoadOptions::default()
            };
            let model = TextModel::load(dir, options, &device)?;
            loads.push(ModelLoad {
                model: name.clone(),
                load_seconds: start.elapsed().as_secs_f64(),
                dtype: model.dtype().as_str().to_string(),
            });
            let provenance = Provenance::Nli {
                role: "stance-nli".into(),
                dir: dir.clone(),
                weights_sha256: crate::pipeline::file_sha256(&dir.join("model.safetensors"))?,
                multi_label: false,
            };
            let classifier =
                NliClassifier::new(model, name, Mode::SingleLabel, task.clone(), provenance)?;
            for &batch_size in &self.batch_sizes {
                rows.push(bench_zero_shot(
                    &classifier,
                    &task,
                    &tweets,
                    batch_size,
                    min_time,
                )?);
            }
        }
        let report = WorkerReport {
            device: crate::device::describe(&device),
            threads: candle_core::utils::get_num_threads(),
            peak_rss_bytes: peak_rss_bytes(),
            rows,
            extra: PairLoads { loads },
        };
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}

impl FineTuneBenchArgs {
    fn run(&self) -> Result<()> {
        if self.worker {
            return self.worker();
        }
        if let Some(dir) = &self.write_examples {
            let lines: String = self
                .examples()?
                .iter()
                .map(|e| {
                    let label = match &e.target {
                        crate::finetune::Target::Allowed(set) => set.first().copied(),
                        crate::finetune::Target::Tokens(_) => None,
                    };
                    json!({"text": e.text, "text_pair": e.pair, "label": label}).to_string() + "\n"
                })
                .collect();
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            crate::output::write_atomic(&dir.join("examples.jsonl"), |w| {
                Ok(w.write_all(lines.as_bytes())?)
            })?;
        }
        let mut runs = Vec::new();
        for &threads in &self.threads {
            let run: FineTuneReport = child(threads, &["--worker"])?;
            if !self.json {
                println!(
                    "{threads} threads: {:.1} examples/s ({:.0} real tokens/s), {:.3} s/step, peak RSS {:.0} MiB",
                    run.examples_per_second,
                    run.tokens_per_second,
                    run.seconds_per_step,
                    mib(run.peak_rss_bytes)
                );
            }
            runs.push(run);
        }
        if self.json {
            println!(
                "{}",
                json!({
                    "implementation": "stancer (candle)",
                    "model": self.model.model,
                    "batch_size": self.batch_size,
                    "max_length": self.length,
                    "warmup_steps": self.warmup_steps,
                    "steps": self.steps,
                    "lora_dropout": self.lora_dropout,
                    "threads": self.threads,
                    "runs": runs,
                })
            );
        }
        Ok(())
    }

    /// The (tweet, target) pairs trained on: enough SemEval-2016 training tweets for every
    /// step, labels FAVOR, AGAINST, NONE as 0, 1, 2.
    fn examples(&self) -> Result<Vec<crate::finetune::TrainExample>> {
        let root = crate::settings::data_root();
        let needed = (self.warmup_steps + self.steps) * self.batch_size;
        let tweets = semeval_items(&root, needed)?.ok_or_else(|| {
            UserError::new(
                format!("no semeval2016-task6 under {}", root.display()),
                "set STANCER_DATA to the folder that holds the shared datasets",
            )
        })?;
        anyhow::ensure!(
            tweets.len() >= needed,
            "only {} tweets for {needed} examples",
            tweets.len()
        );
        Ok(tweets
            .into_iter()
            .map(|t| crate::finetune::TrainExample {
                target: crate::finetune::Target::Allowed(vec![match t.stance.as_str() {
                    "FAVOR" => 0,
                    "AGAINST" => 1,
                    _ => 2,
                }]),
                text: t.text,
                pair: Some(t.target),
            })
            .collect())
    }

    fn worker(&self) -> Result<()> {
        use crate::finetune::{fine_tune, FineTuneConfig, LoraSettings, Start};
        let (_, dir) = self.model.resolve()?;
        let device = self.model.device.open()?;
        let model = crate::encoders::load_trainable(&dir, &device)?;
        let tokenizer = crate::encoders::TextTokenizer::load(&dir, self.length)?;
        let examples = self.examples()?;
        let inputs: Vec<crate::encoders::ModelInput> = examples
            .iter()
            .map(|e| {
                crate::encoders::ModelInput::Pair(&e.text, e.pair.as_deref().unwrap_or_default())
            })
            .collect();
        let tokens: usize = tokenizer
            .tokenize(&inputs)?
            .iter()
            .map(|(ids, _)| ids.len())
            .sum();
        let config = FineTuneConfig {
            epochs: 1,
            batch_size: self.batch_size,
            max_length: self.length,
            patience: 0,
            lora: LoraSettings {
                dropout: self.lora_dropout,
                ..LoraSettings::default()
            },
            ..FineTuneConfig::default()
        };
        let start = Start::Fresh {
            model_dir: &dir,
            labels: 3,
        };
        let run = fine_tune(
            model.as_ref(),
            &tokenizer,
            &device,
            start,
            &examples,
            None,
            &config,
            None,
            true,
        )?;
        let timed = &run.step_seconds[self.warmup_steps.min(run.step_seconds.len())..];
        let seconds: f64 = timed.iter().sum();
        let per_example = tokens as f64 / examples.len() as f64;
        let examples_per_second = (timed.len() * self.batch_size) as f64 / seconds.max(1e-9);
        let report = FineTuneReport {
            device: crate::device::describe(&device),
            threads: candle_core::utils::get_num_threads(),
            timed_steps: timed.len(),
            seconds_per_step: seconds / timed.len().max(1) as f64,
            examples_per_second,
            tokens_per_second: examples_per_second * per_example,
            real_tokens_per_example: per_example,
            peak_rss_bytes: peak_rss_bytes(),
        };
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}

impl RunBenchArgs {
    fn run(&self) -> Result<()> {
        let inputs = if self.inputs.is_empty() {
            let root = crate::settings::data_root().join("polnear");
            let dirs = vec![root.join("train/text"), root.join("dev/text")];
            if !dirs.iter().all(|d| d.is_dir()) {
                return Err(UserError::new(
                    format!("no PolNeAR train and dev texts under {}", root.display()),
                    "set STANCER_DATA to the shared datasets, or give the corpus to run on",
                ));
            }
            dirs
        } else {
            self.inputs.clone()
        };
        // The measured runs read one JSONL file: the corpus as it is, or its first documents.
        let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
        let corpus = dir.path().join("corpus.jsonl");
        let (documents, bytes) = crate::bench::write_documents(&inputs, self.documents, &corpus)?;
        let mut runs = Vec::new();
        for &threads in &self.threads {
            let out = dir.path().join(format!("out-{threads}"));
            let exe = std::env::current_exe().context("cannot locate the stancer binary")?;
            let start = Instant::now();
            let output = Command::new(exe)
                .arg("run")
                .arg(&corpus)
                .arg("--quiet")
                .arg("--out")
                .arg(&out)
                .args(&self.run_flags)
                .env("RAYON_NUM_THREADS", threads.to_string())
                .env("CANDLE_NUM_THREADS", threads.to_string())
                .output()
                .context("cannot start stancer run")?;
            let wall = start.elapsed().as_secs_f64();
            anyhow::ensure!(
                output.status.success(),
                "stancer run failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let manifest = out.join("manifest.json");
            let manifest: Value = serde_json::from_slice(
                &std::fs::read(&manifest)
                    .with_context(|| format!("cannot read {}", manifest.display()))?,
            )
            .with_context(|| format!("{} is not JSON", manifest.display()))?;
            let run = crate::bench::RunBenchRow::new(threads, wall, &manifest)?;
            if !self.json {
                println!("{run}");
            }
            runs.push(run);
        }
        if self.json {
            println!(
                "{}",
                json!({
                    "implementation": "stancer run",
                    "inputs": inputs,
                    "documents": documents,
                    "input_bytes": bytes,
                    "run_flags": self.run_flags,
                    "runs": runs,
                })
            );
        }
        Ok(())
    }
}

/// Runs this command again in a child process with `threads` threads and `extra` flags, and
/// parses the report it prints.
fn child<T: serde::de::DeserializeOwned>(threads: usize, extra: &[&str]) -> Result<T> {
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
    serde_json::from_slice(&output.stdout).context("benchmark worker printed no report")
}

fn mib(bytes: Option<u64>) -> f64 {
    bytes.unwrap_or(0) as f64 / (1024.0 * 1024.0)
}

fn print_pair_run(run: &WorkerReport<PairBenchRow, PairLoads>) {
    let threads = run.threads;
    let mut t = Table::new(&[
        ("model", Align::Left),
        ("pairs", Align::Right),
        ("tokens", Align::Right),
        ("threads", Align::Right),
        ("batch", Align::Right),
        ("pairs/s", Align::Right),
    ]);
    for row in &run.rows {
        t.row(vec![
            row.model.clone(),
            row.pairs.to_string(),
            format!("{:.1}", row.mean_tokens),
            threads.to_string(),
            row.batch_size.to_string(),
            format!("{:.1}", row.pairs_per_second),
        ]);
    }
    print!("{}", t.to_text());
    for load in &run.extra.loads {
        println!(
            "{} threads: {} loaded in {:.2} s",
            threads, load.model, load.load_seconds
        );
    }
    println!(
        "{} threads: peak RSS {:.1} MiB",
        threads,
        mib(run.peak_rss_bytes)
    );
}

fn print_run(run: &WorkerReport<BenchRow, EmbedLoad>) {
    let threads = run.threads;
    let mut t = Table::new(&[
        ("corpus", Align::Left),
        ("texts", Align::Right),
        ("tokens", Align::Right),
        ("threads", Align::Right),
        ("batch", Align::Right),
        ("texts/s", Align::Right),
    ]);
    for row in &run.rows {
        t.row(vec![
            row.corpus.clone(),
            row.texts.to_string(),
            format!("{:.1}", row.mean_tokens),
            threads.to_string(),
            row.batch_size.to_string(),
            format!("{:.1}", row.texts_per_second),
        ]);
    }
    print!("{}", t.to_text());
    println!(
        "{} threads: model loaded in {:.2} s; peak RSS {:.1} MiB",
        threads,
        run.extra.load_seconds,
        mib(run.peak_rss_bytes)
    );
}
