//! `stancer run`: corpus → quotes → actors → stance and sentiment → per-actor aggregation →
//! output files. Everything but `manifest.json` is byte-identical for the same inputs, models
//! and flags; every file is written atomically.

use crate::actors::Registry;
use crate::aggregate::{Labels, QuoteStance, Tally};
use crate::classify::classifier::{Batch, Classifier, Provenance};
use crate::classify::Item;
use crate::corpus::{Corpus, Document};
use crate::encoders::TextModel;
use crate::error::UserError;
use crate::models::cache::sha256_file;
use crate::quotes::{self, window, Quote};
use crate::run_outputs::{DocumentActors, RunRecords, RunTotals};
use crate::shard::Shard;
use crate::task::Task;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything a run needs.
pub struct RunConfig {
    /// Corpus inputs (files, directories, `-`).
    pub inputs: Vec<PathBuf>,
    /// The task.
    pub task: Task,
    /// Embedding model for heads and the similarity baseline.
    pub embedder: TextModel,
    /// Stance classifier, in the task's labels.
    pub stance: Box<dyn Classifier>,
    /// Sentiment classifier, if any (predictions in its own labels).
    pub sentiment: Option<Box<dyn Classifier>>,
    /// Actor registry linking actors across documents.
    pub registry: Option<Registry>,
    /// Finds the quotes: the rules, a learned tagger or both (`--extractor`).
    pub extractor: Box<dyn quotes::Extractor>,
    /// Report bad documents and go on instead of stopping.
    pub skip_bad: bool,
    /// Texts per forward pass.
    pub batch_size: usize,
    /// Documents per classification chunk and checkpoint append.
    pub chunk_documents: usize,
    /// Documents longer than this many bytes are extracted and classified window by window
    /// ([`window::WINDOW_BYTES`] by default), each window a chunk of its own.
    pub window_bytes: usize,
    /// The share of the corpus to process, or all of it.
    pub shard: Option<Shard>,
}

/// What a run produced. The classified quotes themselves stay in the checkpoint, in corpus
/// order, and are read back one chunk at a time ([`RunResult::for_each_quote`]): held in memory
/// all at once (with their probability maps) they took gigabytes for one 50 MB document. Only
/// running totals per actor stay in memory, so memory does not grow with the corpus; the
/// per-document rows are recomputed from the checkpoint when the outputs are written.
pub struct RunResult {
    /// Counts, skipped inputs and the corpus-level actor rows.
    pub totals: RunTotals,
    /// The corpus-level running totals (what shards merge).
    pub corpus: Tally,
    /// Seconds spent reading and extracting, classifying, aggregating.
    pub timings: Timings,
    /// The run's identity without its shard: the fingerprint every shard of one run shares.
    pub run_id: String,
    labels: Labels,
    /// The checkpoint holding the classified quotes.
    checkpoint: PathBuf,
}

impl RunResult {
    /// Calls `f` on every classified quote in corpus order, reading the checkpoint one chunk at
    /// a time; valid until the checkpoint is removed.
    pub fn for_each_quote(&self, mut f: impl FnMut(Quote) -> Result<()>) -> Result<()> {
        self.for_each_piece(|_, quotes| quotes.into_iter().try_for_each(&mut f))
    }

    /// Calls `f` with each checkpointed piece's document position and quotes, in corpus order.
    fn for_each_piece(&self, mut f: impl FnMut(u64, Vec<Quote>) -> Result<()>) -> Result<()> {
        let file = std::fs::File::open(&self.checkpoint)
            .with_context(|| format!("cannot open checkpoint {}", self.checkpoint.display()))?;
        let mut lines = std::io::BufReader::new(file).split(b'\n').skip(1);
        lines.try_for_each(|line| {
            let line = line
                .with_context(|| format!("cannot read checkpoint {}", self.checkpoint.display()))?;
            let chunk: CheckpointLine = serde_json::from_slice(&line).with_context(|| {
                format!(
                    "checkpoint {} changed during the run",
                    self.checkpoint.display()
                )
            })?;
            let mut quotes = chunk.quotes.into_iter();
            chunk
                .pieces
                .into_iter()
                .try_for_each(|(piece, n)| f(piece.document, quotes.by_ref().take(n).collect()))
        })
    }
}

impl RunRecords for RunResult {
    fn totals(&self) -> &RunTotals {
        &self.totals
    }

    fn for_each_quote_line(&self, f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut line = Vec::new();
        self.for_each_quote(|q| {
            line.clear();
            serde_json::to_writer(&mut line, &q)?;
            f(&line)
        })
    }

    fn for_each_document(&self, f: &mut dyn FnMut(DocumentActors) -> Result<()>) -> Result<()> {
        // The pieces of a windowed document come one after another.
        let mut current: Option<(DocumentActors, Tally)> = None;
        let finish = |(mut doc, tally): (DocumentActors, Tally),
                      f: &mut dyn FnMut(DocumentActors) -> Result<()>| {
            doc.actors = tally.rows(&self.labels, Some(&doc.doc_id));
            f(doc)
        };
        self.for_each_piece(|position, quotes| {
            if current
                .as_ref()
                .is_some_and(|(d, _)| d.position != position)
            {
                finish(current.take().expect("checked"), &mut *f)?;
            }
            for q in &quotes {
                let (doc, tally) = current.get_or_insert_with(|| {
                    let doc = DocumentActors {
                        position,
                        doc_id: q.doc_id.clone(),
                        quotes: 0,
                        actors: Vec::new(),
                    };
                    (doc, Tally::default())
                });
                doc.quotes += 1;
                if let Some(stance) = attributed(q)? {
                    tally.add(&self.labels, position, &stance);
                }
            }
            Ok(())
        })?;
        current.map_or(Ok(()), |c| finish(c, f))
    }
}

/// A quote as aggregation reads it, if it is attributed to an actor.
fn attributed(q: &Quote) -> Result<Option<QuoteStance<'_>>> {
    let (Some(actor_id), Some(actor)) = (&q.actor_id, &q.actor) else {
        return Ok(None);
    };
    let stance = q
        .stance
        .as_ref()
        .with_context(|| format!("quote {} has no stance", q.quote_id))?;
    Ok(Some(QuoteStance {
        quote_id: &q.quote_id,
        actor: (actor_id, actor),
        stance,
    }))
}

/// What the run keeps of each classified quote while it goes: counts, and the corpus-level
/// running totals per actor.
struct Counted {
    quotes: usize,
    attributed: usize,
    corpus: Tally,
    labels: Labels,
}

impl Counted {
    fn add(&mut self, pieces: &[(Piece, usize)], quotes: &[Quote]) -> Result<()> {
        let mut rest = quotes;
        for (piece, n) in pieces {
            let (these, others) = rest.split_at((*n).min(rest.len()));
            rest = others;
            self.quotes += these.len();
            for q in these {
                if let Some(stance) = attributed(q)? {
                    self.attributed += 1;
                    self.corpus.add(&self.labels, piece.document, &stance);
                }
            }
        }
        Ok(())
    }
}

/// Wall-clock seconds per stage; everything but `load` and `classify` is time outside the model.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Timings {
    /// Loading the task, the encoder and the heads.
    pub load: f64,
    /// Reading the corpus, extracting quotes and appending the checkpoint.
    pub extract: f64,
    /// Stance and sentiment classification.
    pub classify: f64,
    /// Aggregation.
    pub aggregate: f64,
    /// Writing every output but `manifest.json`, which is written last and holds these timings.
    pub write: f64,
}

/// Documents classified together by default; each chunk is appended to the checkpoint once
/// classified.
pub const CHUNK_DOCUMENTS: usize = 64;

/// How far a run has got, reported as it goes (for a progress bar or log lines), in bytes of
/// the input files (whose total is [`Corpus::total_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A chunk of quotes is being classified (the slow part).
    Classifying {
        /// Quotes in the chunk.
        quotes: usize,
        /// Bytes finished before this chunk.
        done: u64,
    },
    /// Input up to `done` bytes is classified and checkpointed.
    Finished {
        /// Bytes finished.
        done: u64,
    },
}

/// A unit of work in the checkpoint: a whole document, or one window of a windowed one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
struct Piece {
    /// The document's position in the corpus (counting every document, in every shard).
    document: u64,
    doc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<usize>,
}

/// Runs the pipeline. Documents are extracted and classified in chunks (up to
/// `chunk_documents` documents, or one window of a huge document), and each classified chunk is
/// appended, as one JSON line holding all its quotes, to `checkpoint`, whose first line is the
/// run's fingerprint ([`RunPlan::fingerprint`]). With `resume`,
/// chunks already in a checkpoint with the same fingerprint are not processed again; since a
/// corpus cuts into the same chunks every time and a torn last line drops its whole chunk, an
/// interrupted run resumes to byte-identical results without losing or duplicating anything.
/// A run that fails leaves no checkpoint unless it holds finished chunks.
pub fn run(
    config: &RunConfig,
    checkpoint: &Path,
    plan: &RunPlan,
    resume: bool,
    progress: &dyn Fn(Progress),
) -> Result<RunResult> {
    let corpus = Corpus::open(&config.inputs)?;
    let run_id = plan.fingerprint(config, &corpus, resume)?;
    // Shards of one run share the run id; each resumes from its own checkpoint only.
    let fingerprint = match config.shard {
        Some(shard) => crate::models::cache::sha256_bytes(format!("{run_id} {shard}").as_bytes()),
        None => run_id.clone(),
    };
    let mut keep = true;
    let result = run_chunks(
        config,
        corpus,
        checkpoint,
        &fingerprint,
        resume,
        &mut keep,
        progress,
    );
    if result.is_err() && !keep {
        // Nothing finished: a checkpoint holding only the fingerprint helps no later run.
        let _ = std::fs::remove_file(checkpoint);
    }
    let mut result = result?;
    result.run_id = run_id;
    Ok(result)
}

/// [`run`] after the fingerprint. `keep` stays true until this run has opened the checkpoint,
/// and from then on says whether it holds finished chunks (worth keeping after a failure).
fn run_chunks(
    config: &RunConfig,
    mut corpus: Corpus,
    checkpoint: &Path,
    fingerprint: &str,
    resume: bool,
    keep: &mut bool,
    progress: &dyn Fn(Progress),
) -> Result<RunResult> {
    let mut timings = Timings::default();
    let labels = Labels::new(
        &config.task.label_names(),
        config.task.none_label.as_deref(),
    );
    let mut counted = Counted {
        quotes: 0,
        attributed: 0,
        corpus: Tally::default(),
        labels: labels.clone(),
    };
    let done = if resume {
        read_checkpoint(checkpoint, fingerprint, &mut counted)?
    } else {
        HashMap::new()
    };
    let mut chunks = Chunks {
        config,
        log: open_checkpoint(checkpoint, fingerprint, resume && checkpoint.exists())?,
        pending: Vec::new(),
        finished: 0,
        progress,
    };
    *keep = !done.is_empty();
    let mut skipped = Vec::new();
    // Documents in the corpus, and in this run's share of it.
    let (mut position, mut documents) = (0u64, 0);
    let start = Instant::now();
    loop {
        let before = corpus.bytes_read();
        let Some(doc) = corpus.next() else { break };
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) if config.skip_bad => {
                skipped.push(format!("{e:#}"));
                continue;
            }
            Err(e) => return Err(e),
        };
        let document = position;
        position += 1;
        if config.shard.is_some_and(|s| !s.contains(&doc.id)) {
            continue;
        }
        documents += 1;
        let windows = window::windows(&doc.text, config.window_bytes);
        if let [_] = windows[..] {
            let piece = Piece {
                document,
                doc_id: doc.id.clone(),
                window: None,
            };
            if !done.contains_key(&piece) {
                let found = config
                    .extractor
                    .extract(&doc, config.registry.as_ref())
                    .with_context(|| format!("cannot extract quotes from {}", doc.id))?;
                chunks.pending.push((piece, found, corpus.bytes_read()));
            }
            if chunks.pending.len() >= config.chunk_documents.max(1) {
                chunks.flush(&mut counted, &mut timings, keep)?;
            }
            continue;
        }
        // A huge document: the documents before it make a chunk, then each window is one.
        chunks.flush(&mut counted, &mut timings, keep)?;
        let mut ordinal = 0;
        for (i, w) in windows.into_iter().enumerate() {
            let piece = Piece {
                document,
                doc_id: doc.id.clone(),
                window: Some(i),
            };
            if let Some(&n) = done.get(&piece) {
                ordinal += n;
                continue;
            }
            let found = window::extract_window(
                &doc,
                w,
                config.extractor.as_ref(),
                config.registry.as_ref(),
                ordinal,
            )?;
            ordinal += found.len();
            let at = (before + w.end as u64).min(corpus.bytes_read());
            chunks.pending.push((piece, found, at));
            chunks.flush(&mut counted, &mut timings, keep)?;
        }
    }
    chunks.flush(&mut counted, &mut timings, keep)?;
    timings.extract = start.elapsed().as_secs_f64() - timings.classify;
    // A shard may hold none of a small corpus's documents; the corpus must hold some.
    if position == 0 {
        return Err(crate::corpus::no_documents(&config.inputs, skipped.len()));
    }

    let start = Instant::now();
    let corpus_actors = counted.corpus.rows(&labels, None);
    timings.aggregate = start.elapsed().as_secs_f64();
    Ok(RunResult {
        totals: RunTotals {
            documents,
            quotes: counted.quotes,
            attributed_quotes: counted.attributed,
            corpus_actors,
            skipped,
        },
        corpus: counted.corpus,
        timings,
        run_id: String::new(),
        labels,
        checkpoint: checkpoint.to_path_buf(),
    })
}

/// What changes a run's records besides its flags and inputs: the task, the models with their
/// hashes, the registry's contents and the device the models run on. `--resume`, `--quiet`,
/// `--json` and `--out` change nothing and are not in it.
#[derive(Debug, Clone, Serialize)]
pub struct RunPlan {
    /// The learned extractor's model (`learned:`/`both:` and its adapter's sha256); absent for
    /// the rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extractor: Option<String>,
    /// sha256 of the task file.
    pub task_sha256: String,
    /// The embedding model and the classifiers.
    pub models: Vec<Provenance>,
    /// sha256 of the actor registry, when one is used.
    pub registry_sha256: Option<String>,
    /// The token limit asked for (`None`: each model's own).
    pub max_length: Option<usize>,
    /// The device the models were loaded on ([`crate::device::describe`]), not the one asked for.
    pub device: String,
    /// The embedding model's float type (`f32`, `bf16`, …): `--dtype` as resolved on that device.
    /// Every model of a run gets the same `--dtype`; one whose architecture runs in f32 only
    /// (a DeBERTa or ModernBERT cross-encoder) runs in f32 under `auto`.
    pub dtype: String,
}

impl RunPlan {
    /// The hash a checkpoint is recognised by: this plan, `config`'s own flags and the contents
    /// of every input file (an edited document is a different run), so resuming reads the
    /// corpus once more up front; stdin cannot be read twice, so a run reading it cannot resume.
    pub fn fingerprint(&self, config: &RunConfig, corpus: &Corpus, resume: bool) -> Result<String> {
        let mut inputs = Vec::new();
        for path in corpus.files() {
            if path.as_os_str() == crate::corpus::STDIN {
                if resume {
                    return Err(UserError::new(
                        "--resume cannot check that stdin holds the same documents as before",
                        "save the input to a file and run on that file, or run without --resume",
                    ));
                }
                inputs.push(serde_json::json!([path, null]));
            } else {
                inputs.push(serde_json::json!([path, file_sha256(path)?]));
            }
        }
        let value = serde_json::json!({
            "stancer": env!("CARGO_PKG_VERSION"),
            "plan": self,
            "inputs": inputs,
            "skip_bad": config.skip_bad,
            "batch_size": config.batch_size,
            "chunk_documents": config.chunk_documents,
            "window_bytes": config.window_bytes,
        });
        Ok(crate::models::cache::sha256_bytes(
            value.to_string().as_bytes(),
        ))
    }
}

/// Extracted pieces waiting for classification, and where classified chunks go.
struct Chunks<'a> {
    config: &'a RunConfig,
    log: std::fs::File,
    /// Each piece with its quotes and the input bytes finished once it is classified.
    pending: Vec<(Piece, Vec<Quote>, u64)>,
    /// Input bytes finished by the last chunk.
    finished: u64,
    progress: &'a dyn Fn(Progress),
}

impl Chunks<'_> {
    /// Classifies the pending pieces' quotes, appends them to the checkpoint as one synced line
    /// (after which the checkpoint is worth keeping: `keep`), and counts them. Each piece is
    /// classified on its own, so that its results (down to the last float bit, which depends
    /// on what shares a forward pass) do not depend on the other documents of its chunk: a
    /// shard or a resumed run gets the bytes of a single uninterrupted run.
    fn flush(
        &mut self,
        counted: &mut Counted,
        timings: &mut Timings,
        keep: &mut bool,
    ) -> Result<()> {
        let Some(&(_, _, done)) = self.pending.last() else {
            return Ok(());
        };
        (self.progress)(Progress::Classifying {
            quotes: self.pending.iter().map(|(_, found, _)| found.len()).sum(),
            done: self.finished,
        });
        let start = Instant::now();
        let mut chunk = CheckpointLine::default();
        for (piece, mut found, _) in self.pending.drain(..) {
            classify(self.config, &mut found)?;
            chunk.pieces.push((piece, found.len()));
            chunk.quotes.extend(found);
        }
        timings.classify += start.elapsed().as_secs_f64();
        let mut line = serde_json::to_vec(&chunk)?;
        line.push(b'\n');
        self.log.write_all(&line)?;
        self.log.sync_data()?;
        *keep = true;
        counted.add(&chunk.pieces, &chunk.quotes)?;
        self.finished = done;
        (self.progress)(Progress::Finished { done });
        Ok(())
    }
}

/// One classified chunk in the checkpoint: its pieces with their quote counts, and the quotes.
#[derive(Default, Serialize, serde::Deserialize)]
struct CheckpointLine {
    pieces: Vec<(Piece, usize)>,
    quotes: Vec<Quote>,
}

/// Opens the checkpoint for appending; a fresh one starts with the fingerprint line.
fn open_checkpoint(path: &Path, fingerprint: &str, append: bool) -> Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path)
        .with_context(|| format!("cannot open checkpoint {}", path.display()))?;
    if !append {
        writeln!(file, "{}", serde_json::to_string(fingerprint)?)?;
    }
    Ok(file)
}

/// The pieces (with their quote counts) of the chunks an earlier run with the same fingerprint
/// finished, their quotes counted into `counted`. The file is cut back to its last whole line so
/// appends continue cleanly after a torn write, whose chunk is then done again whole.
fn read_checkpoint(
    path: &Path,
    fingerprint: &str,
    counted: &mut Counted,
) -> Result<HashMap<Piece, usize>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read checkpoint {}", path.display()))
        }
    };
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let header: Option<String> = serde_json::from_slice(first).ok();
    if header.as_deref() != Some(fingerprint) {
        return Err(UserError::new(
            format!(
                "{} belongs to a run with other inputs, task, models or flags (an input edited \
                 since counts as another)",
                path.display()
            ),
            "run again without --resume to start over",
        ));
    }
    let (mut done, mut keep) = (HashMap::new(), first.len());
    for line in lines {
        if !line.ends_with(b"\n") {
            break;
        }
        let Ok(chunk) = serde_json::from_slice::<CheckpointLine>(line) else {
            break;
        };
        keep += line.len();
        counted.add(&chunk.pieces, &chunk.quotes)?;
        done.extend(chunk.pieces);
    }
    if keep < bytes.len() {
        let file = std::fs::OpenOptions::new().write(true).open(path)?;
        file.set_len(keep as u64)?;
    }
    Ok(done)
}

/// One document's quotes, extracted and classified as [`run`] does it (a document longer than
/// `window_bytes` window by window, each window classified on its own), so they equal its
/// records in `quotes.jsonl` byte for byte: the batch path (pandas, Arrow, Ray, Dask, Spark) of
/// the Python package.
pub fn annotate(config: &RunConfig, doc: &Document) -> Result<Vec<Quote>> {
    // A document of one window extracts as `run`'s whole-document piece does: the window
    // keeps the id, date and text, all that extraction reads.
    let mut all = Vec::new();
    window::for_each_window(
        doc,
        config.window_bytes,
        config.extractor.as_ref(),
        config.registry.as_ref(),
        |mut found| {
            classify(config, &mut found)?;
            all.extend(found);
            anyhow::Ok(())
        },
    )?;
    Ok(all)
}

/// Adds `stance` (and `sentiment`) predictions to every quote's record.
fn classify(config: &RunConfig, quotes: &mut [Quote]) -> Result<()> {
    if quotes.is_empty() {
        return Ok(());
    }
    let items: Vec<Item> = quotes
        .iter()
        .map(|q| Item {
            text: &q.text,
            speaker: q
                .actor
                .as_deref()
                .or(q.speaker.as_ref().map(|s| s.text.as_str())),
            target: None,
        })
        .collect();
    // Stance and sentiment heads share the text vectors through the batch.
    let mut batch = Batch::new(&items, &config.embedder, config.batch_size);
    let stance = config.stance.predict(&mut batch)?;
    let sentiment = config
        .sentiment
        .as_ref()
        .map(|c| c.predict(&mut batch))
        .transpose()?;
    let mut sentiment = sentiment.map(Vec::into_iter);
    for (quote, stance) in quotes.iter_mut().zip(stance) {
        quote.stance = Some(stance);
        quote.sentiment = sentiment.as_mut().and_then(Iterator::next);
    }
    Ok(())
}

/// Provenance written to `manifest.json` (the only output with timings).
#[derive(Debug, Serialize)]
pub struct RunManifest {
    /// stancer version.
    pub tool_version: String,
    /// Command line.
    pub command: Vec<String>,
    /// Task name and sha256 of the task file.
    pub task: (String, String),
    /// Models and heads with their file hashes.
    pub models: Vec<Provenance>,
    /// Documents, quotes, attributed quotes, actors, skipped inputs.
    pub counts: serde_json::Value,
    /// Bad inputs skipped.
    pub skipped: Vec<String>,
    /// Seconds per stage.
    pub timings: Timings,
    /// CPU float platform of the run ([`crate::device::cpu_float_platform`]): runs on the same
    /// platform give the same bytes.
    pub platform: String,
    /// The device the models ran on.
    pub device: String,
    /// The embedding model's float type ([`RunPlan::dtype`]).
    pub dtype: String,
    /// The learned extractor's model ([`RunPlan::extractor`]); absent for the rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extractor: Option<String>,
}

impl RunManifest {
    /// The manifest of the finished run `result` of `plan` on `task`, invoked as `command`,
    /// whose models took `load_seconds` to load.
    pub fn new(
        command: &[String],
        task: &Task,
        plan: RunPlan,
        result: &RunResult,
        load_seconds: f64,
    ) -> Self {
        RunManifest {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_vec(),
            task: (task.name.clone(), plan.task_sha256),
            models: plan.models,
            counts: result.totals.counts(),
            skipped: result.totals.skipped.clone(),
            platform: crate::device::cpu_float_platform(),
            device: plan.device,
            dtype: plan.dtype,
            extractor: plan.extractor,
            timings: Timings {
                load: load_seconds,
                ..result.timings.clone()
            },
        }
    }
}

/// sha256 of a file, or an error naming it.
pub fn file_sha256(path: &Path) -> Result<String> {
    sha256_file(path).with_context(|| format!("cannot read {}", path.display()))
}
