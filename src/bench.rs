//! Throughput benchmarks of the embedding model, run in one process so that ratios between
//! settings (batch size, corpus, device) are comparable.

use crate::classify::classifier::{Batch, Classifier};
use crate::classify::nli::NliClassifier;
use crate::classify::Item;
use crate::datasets::semeval::SemevalItem;
use crate::encoders::{ModelInput, TextModel};
use crate::error::UserError;
use crate::task::Task;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A named set of texts to benchmark on.
pub struct BenchCorpus {
    /// Short name shown in the report.
    pub name: String,
    /// The texts.
    pub texts: Vec<String>,
}

/// One measured setting.
#[derive(Debug, Serialize, Deserialize)]
pub struct BenchRow {
    /// Corpus name.
    pub corpus: String,
    /// Texts in the corpus.
    pub texts: usize,
    /// Mean tokens per text after truncation, special tokens included.
    pub mean_tokens: f64,
    /// Texts per forward pass.
    pub batch_size: usize,
    /// Full passes over the corpus that were timed.
    pub passes: usize,
    /// Wall-clock seconds of the timed passes.
    pub seconds: f64,
    /// Throughput.
    pub texts_per_second: f64,
}

/// The seed article's gold quotes (`datasets/missile-shield/gold.jsonl`), bundled in the binary.
const SEED_GOLD: &str = include_str!("../datasets/missile-shield/gold.jsonl");

/// The quote texts of the seed article's gold annotations: short political statements, the
/// inputs stance classification sees.
pub fn seed_quotes() -> Result<BenchCorpus> {
    #[derive(serde::Deserialize)]
    struct Doc {
        quotes: Vec<Quote>,
    }
    #[derive(serde::Deserialize)]
    struct Quote {
        text: String,
    }
    let mut texts = Vec::new();
    for line in SEED_GOLD.lines().filter(|l| !l.trim().is_empty()) {
        let doc: Doc = serde_json::from_str(line).context("bundled seed gold.jsonl")?;
        texts.extend(doc.quotes.into_iter().map(|q| q.text));
    }
    Ok(BenchCorpus {
        name: "seed-quotes".into(),
        texts,
    })
}

/// The first `limit` SemEval-2016 Task 6 training tweets under `data_root`, with their
/// targets; `None` when the file is not there.
pub fn semeval_items(data_root: &Path, limit: usize) -> Result<Option<Vec<SemevalItem>>> {
    let path = data_root.join("semeval2016-task6/trainingdata-all-annotations.txt");
    if !path.is_file() {
        return Ok(None);
    }
    let mut items = crate::datasets::semeval::load(&path)?;
    items.truncate(limit);
    Ok(Some(items))
}

/// The first `limit` SemEval-2016 Task 6 training tweets under `data_root`; `None` when the
/// file is not there.
pub fn semeval_tweets(data_root: &Path, limit: usize) -> Result<Option<BenchCorpus>> {
    Ok(semeval_items(data_root, limit)?.map(|items| BenchCorpus {
        name: "semeval-train-tweets".into(),
        texts: items.into_iter().map(|item| item.text).collect(),
    }))
}

/// Up to `limit` paragraphs of at least 40 words from the PolNeAR dev articles in `data_root`,
/// in sorted file order; `None` when the corpus is not there.
pub fn polnear_paragraphs(data_root: &Path, limit: usize) -> Result<Option<BenchCorpus>> {
    let dir = data_root.join("polnear/dev/text");
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut texts = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        texts.extend(
            text.split('\n')
                .map(str::trim)
                .filter(|p| p.split_whitespace().count() >= 40)
                .map(String::from),
        );
        if texts.len() >= limit {
            texts.truncate(limit);
            break;
        }
    }
    Ok(Some(BenchCorpus {
        name: "polnear-dev-paragraphs".into(),
        texts,
    }))
}

/// Embeds the whole corpus at `batch_size` repeatedly until `min_time` has passed (at least
/// once, after one untimed warm-up pass) and reports the throughput.
pub fn bench_embed(
    model: &TextModel,
    corpus: &BenchCorpus,
    batch_size: usize,
    min_time: Duration,
) -> Result<BenchRow> {
    let refs: Vec<&str> = corpus.texts.iter().map(String::as_str).collect();
    let inputs: Vec<_> = refs.iter().map(|t| ModelInput::Single(t)).collect();
    let tokens: usize = model
        .tokenize(&inputs)?
        .iter()
        .map(|(ids, _)| ids.len())
        .sum();
    let (passes, seconds) = time_passes(min_time, || {
        std::hint::black_box(model.embed(&refs, batch_size)?);
        Ok(())
    })?;
    Ok(BenchRow {
        corpus: corpus.name.clone(),
        texts: refs.len(),
        mean_tokens: tokens as f64 / refs.len().max(1) as f64,
        batch_size,
        passes,
        seconds,
        texts_per_second: (passes * refs.len()) as f64 / seconds,
    })
}

/// Runs `pass` once untimed (warm-up), then repeatedly until `min_time` has passed (at least
/// once); returns the timed passes and their wall-clock seconds.
fn time_passes(min_time: Duration, mut pass: impl FnMut() -> Result<()>) -> Result<(usize, f64)> {
    pass()?;
    let start = Instant::now();
    let mut passes = 0;
    while passes == 0 || start.elapsed() < min_time {
        pass()?;
        passes += 1;
    }
    Ok((passes, start.elapsed().as_secs_f64()))
}

/// What a benchmark worker process reports to the parent: where it ran, its rows, and what
/// else the kind of benchmark measures (`extra`).
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerReport<R, X> {
    /// The device, as [`crate::device::describe`] names it.
    pub device: String,
    /// Threads of candle's pool.
    pub threads: usize,
    /// Peak resident memory of the worker, when the platform tells it.
    pub peak_rss_bytes: Option<u64>,
    /// The measured settings.
    pub rows: Vec<R>,
    /// What this benchmark adds.
    #[serde(flatten)]
    pub extra: X,
}

/// `bench embed`'s addition to a worker report.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmbedLoad {
    /// Seconds to load the model.
    pub load_seconds: f64,
    /// The float type it ran in.
    pub dtype: String,
}

/// `bench cross-encoder`'s addition to a worker report: each model's load time.
#[derive(Debug, Serialize, Deserialize)]
pub struct PairLoads {
    /// Model and load seconds, in the order loaded.
    pub loads: Vec<ModelLoad>,
}

/// One model's load time.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModelLoad {
    /// Model folder or random config.
    pub model: String,
    /// Seconds to load it.
    pub load_seconds: f64,
    /// The float type it ran in (`--dtype` as its architecture allows it on the device).
    pub dtype: String,
}

/// `bench embed --rss-worker`: the peak memory of streaming `texts` texts.
#[derive(Debug, Serialize, Deserialize)]
pub struct RssRow {
    /// Texts streamed.
    pub texts: usize,
    /// The corpus they came from.
    pub corpus: String,
    /// Peak resident memory, when the platform tells it.
    pub peak_rss_bytes: Option<u64>,
}

/// `bench fine-tune`'s worker: training throughput after warm-up.
#[derive(Debug, Serialize, Deserialize)]
pub struct FineTuneReport {
    /// The device, as [`crate::device::describe`] names it.
    pub device: String,
    /// Threads of candle's pool.
    pub threads: usize,
    /// Steps timed.
    pub timed_steps: usize,
    /// Mean seconds per timed step.
    pub seconds_per_step: f64,
    /// Training examples per second.
    pub examples_per_second: f64,
    /// Real (unpadded) tokens per second.
    pub tokens_per_second: f64,
    /// Mean real tokens per example.
    pub real_tokens_per_example: f64,
    /// Peak resident memory of the worker, when the platform tells it.
    pub peak_rss_bytes: Option<u64>,
}

/// One measured cross-encoder setting.
#[derive(Debug, Serialize, Deserialize)]
pub struct PairBenchRow {
    /// Model folder or random config.
    pub model: String,
    /// Texts classified per pass.
    pub texts: usize,
    /// (text, hypothesis) pairs per pass: texts × task labels.
    pub pairs: usize,
    /// Mean tokens per pair after truncation, special tokens included.
    pub mean_tokens: f64,
    /// Pairs per forward pass.
    pub batch_size: usize,
    /// Full passes that were timed.
    pub passes: usize,
    /// Wall-clock seconds of the timed passes.
    pub seconds: f64,
    /// Throughput.
    pub pairs_per_second: f64,
}

/// The tweets as zero-shot items, each against its own target.
fn zero_shot_items(tweets: &[SemevalItem]) -> Vec<Item<'_>> {
    tweets
        .iter()
        .map(|t| Item {
            text: &t.text,
            speaker: None,
            target: Some(&t.target),
        })
        .collect()
}

/// The (tweet, hypothesis) pairs zero-shot classification runs through the model, in order:
/// one per tweet and task label.
pub fn zero_shot_pairs(task: &Task, tweets: &[SemevalItem]) -> Vec<(String, String)> {
    zero_shot_items(tweets)
        .iter()
        .flat_map(|item| {
            (0..task.labels.len()).map(|k| {
                (
                    item.text.to_string(),
                    task.hypothesis_for(k, item.speaker, item.target),
                )
            })
        })
        .collect()
}

/// Zero-shot classifies every tweet against its own target through [`NliClassifier`] (one pair
/// per task label, the path of `--method nli`), repeatedly until `min_time` has passed.
pub fn bench_zero_shot(
    classifier: &NliClassifier,
    task: &Task,
    tweets: &[SemevalItem],
    batch_size: usize,
    min_time: Duration,
) -> Result<PairBenchRow> {
    let model = classifier.model();
    let items = zero_shot_items(tweets);
    let pairs = zero_shot_pairs(task, tweets);
    let inputs: Vec<ModelInput> = pairs
        .iter()
        .map(|(premise, hypothesis)| ModelInput::Pair(premise, hypothesis))
        .collect();
    let tokens: usize = model
        .tokenize(&inputs)?
        .iter()
        .map(|(ids, _)| ids.len())
        .sum();
    let (passes, seconds) = time_passes(min_time, || {
        let mut batch = Batch::new(&items, model, batch_size);
        std::hint::black_box(classifier.predict(&mut batch)?);
        Ok(())
    })?;
    Ok(PairBenchRow {
        model: classifier.name().to_string(),
        texts: items.len(),
        pairs: pairs.len(),
        mean_tokens: tokens as f64 / pairs.len().max(1) as f64,
        batch_size,
        passes,
        seconds,
        pairs_per_second: (passes * pairs.len()) as f64 / seconds,
    })
}

/// Writes a loadable model folder for `config` with seeded random weights and `tokenizer`
/// (any tokenizer whose ids fit the config's vocabulary), for timing architectures whose trained
/// weights are not at hand.
pub fn write_random_model(config: &Path, tokenizer: &Path, dir: &Path, seed: u64) -> Result<()> {
    let config_text = std::fs::read_to_string(config)
        .with_context(|| format!("cannot read {}", config.display()))?;
    let vocab = tokenizers::Tokenizer::from_file(tokenizer)
        .map_err(|e| anyhow::anyhow!("cannot load {}: {e}", tokenizer.display()))?
        .get_vocab_size(true);
    let fits = serde_json::from_str::<serde_json::Value>(&config_text)
        .ok()
        .and_then(|c| c["vocab_size"].as_u64())
        .is_some_and(|size| vocab as u64 <= size);
    if !fits {
        return Err(UserError::new(
            format!(
                "{} has {vocab} tokens, more than the vocab_size of {}",
                tokenizer.display(),
                config.display()
            ),
            "pass a --random-tokenizer whose ids fit the config's vocabulary",
        ));
    }
    let tensors = crate::encoders::random_checkpoint(&config_text, config, seed)?;
    candle_core::safetensors::save(
        &tensors.into_iter().collect(),
        dir.join("model.safetensors"),
    )?;
    std::fs::write(dir.join("config.json"), &config_text)?;
    std::fs::copy(tokenizer, dir.join("tokenizer.json"))
        .with_context(|| format!("cannot copy {}", tokenizer.display()))?;
    Ok(())
}

/// Writes the corpus as JSONL (`{"text": …}` per line) so that another implementation (the
/// Python baseline) measures exactly the same texts.
pub fn write_corpus(corpus: &BenchCorpus, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = String::new();
    for text in &corpus.texts {
        out.push_str(&serde_json::json!({ "text": text }).to_string());
        out.push('\n');
    }
    let path = dir.join(format!("{}.jsonl", corpus.name));
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// Streams `count` texts (the corpus repeated as needed) through the same chunked path as
/// `stancer embed` and returns this process's peak RSS afterwards: run in a fresh process per
/// count, the figures show whether memory grows with the corpus.
pub fn streaming_peak_rss(
    model: &TextModel,
    corpus: &BenchCorpus,
    count: usize,
    batch_size: usize,
) -> Result<Option<u64>> {
    anyhow::ensure!(!corpus.texts.is_empty(), "corpus {} is empty", corpus.name);
    let texts: Vec<&str> = corpus
        .texts
        .iter()
        .map(String::as_str)
        .cycle()
        .take(count)
        .collect();
    crate::embed::embed_streaming(
        model,
        &texts,
        |t| t,
        batch_size,
        |_, vectors| {
            std::hint::black_box(vectors);
            Ok(())
        },
    )?;
    Ok(peak_rss_bytes())
}

/// Writes the documents of `inputs` (the first `limit` of them, if given) to `path` as one
/// JSONL corpus, and returns how many there are and their text bytes.
pub fn write_documents(
    inputs: &[PathBuf],
    limit: Option<usize>,
    path: &Path,
) -> Result<(usize, usize)> {
    let (mut documents, mut bytes) = (0, 0);
    crate::output::write_atomic(path, |w| {
        for doc in crate::corpus::Corpus::open(inputs)?.take(limit.unwrap_or(usize::MAX)) {
            let doc = doc?;
            documents += 1;
            bytes += doc.text.len();
            serde_json::to_writer(&mut *w, &doc)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    if documents == 0 {
        return Err(crate::corpus::no_documents(inputs, 0));
    }
    Ok((documents, bytes))
}

/// One measured `stancer run` of `stancer bench run`: rates over the pipeline's own time
/// (reading, extraction, classification, aggregation, writing; model loading apart).
#[derive(Debug, Serialize)]
pub struct RunBenchRow {
    /// Threads the run had.
    pub threads: usize,
    /// Documents and quotes it processed.
    pub documents: u64,
    /// Quotes found and classified.
    pub quotes: u64,
    /// Seconds of the whole process, model loading included.
    pub wall_seconds: f64,
    /// Seconds loading the task, models and heads.
    pub load_seconds: f64,
    /// Seconds of everything after loading.
    pub pipeline_seconds: f64,
    /// Seconds in stance and sentiment classification (tokenising, encoder, heads).
    pub model_seconds: f64,
    /// Documents per pipeline second.
    pub documents_per_second: f64,
    /// Quotes per pipeline second.
    pub quotes_per_second: f64,
    /// Share of the pipeline's time spent outside classification.
    pub outside_model_share: f64,
    /// The run's own seconds per stage, from its manifest.
    pub timings: crate::pipeline::Timings,
}

impl RunBenchRow {
    /// The row of a run that took `wall_seconds` and wrote `manifest`.
    pub fn new(threads: usize, wall_seconds: f64, manifest: &serde_json::Value) -> Result<Self> {
        let timings: crate::pipeline::Timings = serde_json::from_value(manifest["timings"].clone())
            .context("manifest.json has no stage timings")?;
        let count = |name: &str| {
            manifest["counts"][name]
                .as_u64()
                .with_context(|| format!("manifest.json has no count of {name}"))
        };
        let (documents, quotes) = (count("documents")?, count("quotes")?);
        let t = &timings;
        let pipeline = t.extract + t.classify + t.aggregate + t.write;
        let per_second = |n: u64| {
            if pipeline > 0.0 {
                n as f64 / pipeline
            } else {
                0.0
            }
        };
        Ok(Self {
            threads,
            documents,
            quotes,
            wall_seconds,
            load_seconds: t.load,
            pipeline_seconds: pipeline,
            model_seconds: t.classify,
            documents_per_second: per_second(documents),
            quotes_per_second: per_second(quotes),
            outside_model_share: if pipeline > 0.0 {
                (pipeline - t.classify) / pipeline
            } else {
                0.0
            },
            timings,
        })
    }
}

impl std::fmt::Display for RunBenchRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} threads: {} documents, {} quotes in {:.1} s ({:.1} s loading): {:.2} documents/s, \
             {:.2} quotes/s; {:.1}% of the time outside the model",
            self.threads,
            self.documents,
            self.quotes,
            self.pipeline_seconds,
            self.load_seconds,
            self.documents_per_second,
            self.quotes_per_second,
            100.0 * self.outside_model_share
        )
    }
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if the OS reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_reported_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = peak_rss_bytes().expect("VmHWM in /proc/self/status");
            assert!(rss > 1 << 20, "{rss}");
        }
    }

    #[test]
    fn polnear_paragraphs_are_long_and_limited() {
        let dir = tempfile::tempdir().unwrap();
        let text_dir = dir.path().join("polnear/dev/text");
        std::fs::create_dir_all(&text_dir).unwrap();
        let long = "word ".repeat(45);
        std::fs::write(
            text_dir.join("a.txt"),
            format!("short one\n{long}\n{long}\n"),
        )
        .unwrap();
        let corpus = polnear_paragraphs(dir.path(), 1).unwrap().unwrap();
        assert_eq!(corpus.texts, vec![long.trim().to_string()]);
        assert!(polnear_paragraphs(&dir.path().join("none"), 5)
            .unwrap()
            .is_none());
    }
}
