//! `stancer run`: corpus → quotes → actors → stance and sentiment → per-actor aggregation →
//! output files. Everything but `manifest.json` is byte-identical for the same inputs, models
//! and flags; every file is written atomically.

use crate::actors::Registry;
use crate::aggregate::{aggregate, ActorStance, QuoteStance};
use crate::classify::features;
use crate::classify::nli::{Mode, NliClassifier};
use crate::classify::text_norm::TextNorm;
use crate::classify::trained_model::TrainedModel;
use crate::classify::{similarity, Item, Prediction};
use crate::corpus::Corpus;
use crate::encoders::TextModel;
use crate::error::UserError;
use crate::models::cache::sha256_file;
use crate::output::OutputDir;
use crate::quotes::{self, window, Quote};
use crate::task::Task;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How quotes get their stance.
// Built once per run, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum StanceMethod {
    /// A trained classifier: a linear head or a fine-tuned cross-encoder (default).
    Trained(TrainedModel),
    /// Zero-shot NLI with a cross-encoder.
    Nli {
        /// The cross-encoder.
        model: TextModel,
        /// Its name for outputs.
        name: String,
        /// Single- or multi-label scoring.
        mode: Mode,
    },
    /// Bi-encoder similarity to label descriptions (baseline).
    Similarity,
}

impl StanceMethod {
    /// The normalisation of the text embeddings [`StanceMethod::predict`] reads, when it reads
    /// any (a trained head).
    pub fn embeddings_norm(&self) -> Option<TextNorm> {
        match self {
            StanceMethod::Trained(model) => model.embeddings_norm(),
            _ => None,
        }
    }

    /// Stance predictions for `items`. `vectors` are the items' text embeddings from `embedder`
    /// (normalised as [`StanceMethod::embeddings_norm`] says) when the caller computed them
    /// already (they are shared with the sentiment head).
    pub fn predict(
        &self,
        embedder: &TextModel,
        task: &Task,
        items: &[Item],
        vectors: Option<Vec<Vec<f32>>>,
        batch_size: usize,
    ) -> Result<Vec<Prediction>> {
        match self {
            StanceMethod::Trained(model) => {
                model.predict(embedder, Some(task), items, vectors, batch_size)
            }
            StanceMethod::Nli { model, name, mode } => {
                NliClassifier::new(model, name, *mode)?.predict(task, items, batch_size)
            }
            StanceMethod::Similarity => similarity::predict(embedder, task, items, batch_size),
        }
    }
}

/// Everything a run needs.
pub struct RunConfig {
    /// Corpus inputs (files, directories, `-`).
    pub inputs: Vec<PathBuf>,
    /// The task.
    pub task: Task,
    /// Embedding model for heads and the similarity baseline.
    pub embedder: TextModel,
    /// Stance classifier.
    pub stance: StanceMethod,
    /// Sentiment classifier, if any (predictions in its own labels).
    pub sentiment: Option<TrainedModel>,
    /// Actor registry linking actors across documents.
    pub registry: Option<Registry>,
    /// Report bad documents and go on instead of stopping.
    pub skip_bad: bool,
    /// Texts per forward pass.
    pub batch_size: usize,
    /// Documents per classification chunk and checkpoint append.
    pub chunk_documents: usize,
    /// Documents longer than this many bytes are extracted and classified window by window
    /// ([`window::WINDOW_BYTES`] by default), each window a chunk of its own.
    pub window_bytes: usize,
}

/// What a run produced. The classified quotes themselves stay in the checkpoint, in corpus
/// order, and are read back one chunk at a time ([`RunResult::for_each_quote`]): held in memory
/// all at once (with their probability maps) they took gigabytes for one 50 MB document.
pub struct RunResult {
    /// Quotes found.
    pub quotes: usize,
    /// Quotes attributed to an actor.
    pub attributed_quotes: usize,
    /// Per actor per document.
    pub document_actors: Vec<ActorStance>,
    /// Per actor over the corpus.
    pub corpus_actors: Vec<ActorStance>,
    /// Documents read.
    pub documents: usize,
    /// Bad inputs skipped, with why.
    pub skipped: Vec<String>,
    /// Seconds spent reading and extracting, classifying, aggregating.
    pub timings: Timings,
    /// The checkpoint holding the classified quotes.
    checkpoint: PathBuf,
}

impl RunResult {
    /// Calls `f` on every classified quote in corpus order, reading the checkpoint one chunk at
    /// a time; valid until the checkpoint is removed.
    pub fn for_each_quote(&self, mut f: impl FnMut(Quote) -> Result<()>) -> Result<()> {
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
            chunk.quotes.into_iter().try_for_each(&mut f)
        })
    }
}

/// What aggregation keeps of each classified quote: counts, and the stance of the attributed
/// ones (not their text, spans or sentiment).
#[derive(Default)]
struct Tally {
    quotes: usize,
    attributed: Vec<Attributed>,
}

/// A classified quote attributed to an actor, as aggregation reads it.
struct Attributed {
    doc_id: String,
    quote_id: String,
    actor_id: String,
    actor: String,
    stance: Prediction,
}

impl Tally {
    fn add(&mut self, quotes: &[Quote]) -> Result<()> {
        self.quotes += quotes.len();
        for q in quotes {
            let (Some(actor_id), Some(actor)) = (&q.actor_id, &q.actor) else {
                continue;
            };
            let stance = q
                .stance
                .clone()
                .with_context(|| format!("quote {} has no stance", q.quote_id))?;
            self.attributed.push(Attributed {
                doc_id: q.doc_id.clone(),
                quote_id: q.quote_id.clone(),
                actor_id: actor_id.clone(),
                actor: actor.clone(),
                stance,
            });
        }
        Ok(())
    }
}

/// Wall-clock seconds per stage; everything but `load` and `classify` is time outside the model.
#[derive(Debug, Clone, Default, Serialize)]
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
    doc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<usize>,
}

/// Runs the pipeline. Documents are extracted and classified in chunks (up to
/// `chunk_documents` documents, or one window of a huge document), and each classified chunk is
/// appended, as one JSON line holding all its quotes, to `checkpoint`, whose first line is the
/// run's fingerprint: a hash of `settings` (the models, task, registry and flags the caller
/// knows), this config's own flags, and the contents of every input file. With `resume`,
/// chunks already in a checkpoint with the same fingerprint are not processed again; since a
/// corpus cuts into the same chunks every time and a torn last line drops its whole chunk, an
/// interrupted run resumes to byte-identical results without losing or duplicating anything.
/// A run that fails leaves no checkpoint unless it holds finished chunks.
pub fn run(
    config: &RunConfig,
    checkpoint: &Path,
    settings: &serde_json::Value,
    resume: bool,
    progress: &dyn Fn(Progress),
) -> Result<RunResult> {
    let corpus = Corpus::open(&config.inputs)?;
    let fingerprint = fingerprint(config, &corpus, settings, resume)?;
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
    result
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
    let mut tally = Tally::default();
    let done = if resume {
        read_checkpoint(checkpoint, fingerprint, &mut tally)?
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
    let mut documents = 0;
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
        documents += 1;
        let windows = window::windows(&doc.text, config.window_bytes);
        if let [_] = windows[..] {
            let piece = Piece {
                doc_id: doc.id.clone(),
                window: None,
            };
            if !done.contains_key(&piece) {
                let found = quotes::extract_with(&doc, config.registry.as_ref());
                chunks.pending.push((piece, found, corpus.bytes_read()));
            }
            if chunks.pending.len() >= config.chunk_documents.max(1) {
                chunks.flush(&mut tally, &mut timings, keep)?;
            }
            continue;
        }
        // A huge document: the documents before it make a chunk, then each window is one.
        chunks.flush(&mut tally, &mut timings, keep)?;
        let mut ordinal = 0;
        for (i, w) in windows.into_iter().enumerate() {
            let piece = Piece {
                doc_id: doc.id.clone(),
                window: Some(i),
            };
            if let Some(&n) = done.get(&piece) {
                ordinal += n;
                continue;
            }
            let found = window::extract_window(&doc, w, config.registry.as_ref(), ordinal);
            ordinal += found.len();
            let at = (before + w.end as u64).min(corpus.bytes_read());
            chunks.pending.push((piece, found, at));
            chunks.flush(&mut tally, &mut timings, keep)?;
        }
    }
    chunks.flush(&mut tally, &mut timings, keep)?;
    timings.extract = start.elapsed().as_secs_f64() - timings.classify;
    if documents == 0 {
        return Err(crate::corpus::no_documents(&config.inputs, skipped.len()));
    }

    let start = Instant::now();
    let labels: Vec<String> = config.task.labels.iter().map(|l| l.name.clone()).collect();
    let attributed: Vec<QuoteStance> = tally
        .attributed
        .iter()
        .map(|a| QuoteStance {
            doc_id: &a.doc_id,
            quote_id: &a.quote_id,
            actor: (&a.actor_id, &a.actor),
            stance: &a.stance,
        })
        .collect();
    let none = config.task.none_label.as_deref();
    let document_actors = aggregate(&attributed, &labels, none, true);
    let corpus_actors = aggregate(&attributed, &labels, none, false);
    timings.aggregate = start.elapsed().as_secs_f64();
    Ok(RunResult {
        quotes: tally.quotes,
        attributed_quotes: tally.attributed.len(),
        document_actors,
        corpus_actors,
        documents,
        skipped,
        timings,
        checkpoint: checkpoint.to_path_buf(),
    })
}

/// The hash a checkpoint is recognised by: everything that changes a run's records. Input files
/// count by their contents (an edited document is a different run), so resuming reads the
/// corpus once more up front; stdin cannot be read twice, so a run reading it cannot resume.
fn fingerprint(
    config: &RunConfig,
    corpus: &Corpus,
    settings: &serde_json::Value,
    resume: bool,
) -> Result<String> {
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
        "settings": settings,
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
    /// (after which the checkpoint is worth keeping: `keep`), and counts them into `tally`.
    fn flush(&mut self, tally: &mut Tally, timings: &mut Timings, keep: &mut bool) -> Result<()> {
        let Some(&(_, _, done)) = self.pending.last() else {
            return Ok(());
        };
        let mut chunk = CheckpointLine::default();
        for (piece, found, _) in self.pending.drain(..) {
            chunk.pieces.push((piece, found.len()));
            chunk.quotes.extend(found);
        }
        (self.progress)(Progress::Classifying {
            quotes: chunk.quotes.len(),
            done: self.finished,
        });
        let start = Instant::now();
        classify(self.config, &mut chunk.quotes)?;
        timings.classify += start.elapsed().as_secs_f64();
        let mut line = serde_json::to_vec(&chunk)?;
        line.push(b'\n');
        self.log.write_all(&line)?;
        self.log.sync_data()?;
        *keep = true;
        tally.add(&chunk.quotes)?;
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
/// finished, their quotes counted into `tally`. The file is cut back to its last whole line so
/// appends continue cleanly after a torn write, whose chunk is then done again whole.
fn read_checkpoint(
    path: &Path,
    fingerprint: &str,
    tally: &mut Tally,
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
        done.extend(chunk.pieces);
        tally.add(&chunk.quotes)?;
    }
    if keep < bytes.len() {
        let file = std::fs::OpenOptions::new().write(true).open(path)?;
        file.set_len(keep as u64)?;
    }
    Ok(done)
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
    // Stance and sentiment heads share the text vectors; a text is embedded again only where
    // their normalisations write it differently.
    let embed = |norm| features::embed_texts(&config.embedder, &items, norm, config.batch_size);
    let stance_norm = config.stance.embeddings_norm();
    let stance_vectors = stance_norm.map(embed).transpose()?;
    let stance = config.stance.predict(
        &config.embedder,
        &config.task,
        &items,
        stance_vectors.clone(),
        config.batch_size,
    )?;
    let sentiment = match &config.sentiment {
        Some(model) => {
            let vectors = match (model.embeddings_norm(), stance_vectors, stance_norm) {
                (Some(norm), Some(vectors), Some(from)) => Some(features::renormalise(
                    &config.embedder,
                    &items,
                    vectors,
                    from,
                    norm,
                    config.batch_size,
                )?),
                (Some(norm), _, _) => Some(embed(norm)?),
                (None, _, _) => None,
            };
            Some(model.predict(&config.embedder, None, &items, vectors, config.batch_size)?)
        }
        None => None,
    };
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
    pub models: Vec<serde_json::Value>,
    /// Documents, quotes, attributed quotes, actors, skipped inputs.
    pub counts: serde_json::Value,
    /// Bad inputs skipped.
    pub skipped: Vec<String>,
    /// Seconds per stage.
    pub timings: Timings,
    /// CPU float platform of the run ([`crate::device::cpu_float_platform`]): runs on the same
    /// platform give the same bytes.
    pub platform: String,
}

/// Writes `quotes.jsonl`, `actors.jsonl`, `actors.csv`, `summary.md` and, last, `manifest.json`
/// with the time taken by the others, into the locked folder `out` as one set: all are staged
/// first and swapped in together, so `out` never mixes files of two runs.
pub fn write_outputs(
    out: &OutputDir,
    task: &Task,
    result: &RunResult,
    mut manifest: RunManifest,
) -> Result<()> {
    let start = Instant::now();
    let mut set = out.stage()?;
    set.write("quotes.jsonl", |w| {
        result.for_each_quote(|q| {
            serde_json::to_writer(&mut *w, &q)?;
            Ok(w.write_all(b"\n")?)
        })
    })?;
    let rows: Vec<(&str, &ActorStance)> = result
        .document_actors
        .iter()
        .map(|a| ("document", a))
        .chain(result.corpus_actors.iter().map(|a| ("corpus", a)))
        .collect();
    set.write("actors.jsonl", |w| {
        for (level, actor) in &rows {
            let mut value = serde_json::to_value(actor)?;
            value["level"] = serde_json::Value::from(*level);
            serde_json::to_writer(&mut *w, &value)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    let on_target: Vec<&str> = task
        .label_names()
        .into_iter()
        .filter(|l| Some(*l) != task.none_label.as_deref())
        .collect();
    set.write("actors.csv", |w| {
        write!(
            w,
            "level,doc_id,actor_id,actor,label,confidence,n_quotes,n_on_target"
        )?;
        for l in &on_target {
            write!(w, ",p_{l}")?;
        }
        writeln!(w, ",evidence")?;
        for (level, a) in &rows {
            write!(
                w,
                "{level},{},{},{},{},{},{},{}",
                csv_field(a.doc_id.as_deref().unwrap_or("")),
                csv_field(&a.actor_id),
                csv_field(&a.actor),
                csv_field(&a.label),
                a.confidence,
                a.n_quotes,
                a.n_on_target
            )?;
            for l in &on_target {
                match a.scores.get(*l) {
                    Some(p) => write!(w, ",{p}")?,
                    None => write!(w, ",")?,
                }
            }
            writeln!(w, ",{}", csv_field(&a.evidence.join(" ")))?;
        }
        Ok(())
    })?;
    set.write("summary.md", |w| {
        Ok(w.write_all(summary(task, result).as_bytes())?)
    })?;
    manifest.timings.write = start.elapsed().as_secs_f64();
    let json = serde_json::to_string_pretty(&manifest)?;
    set.write("manifest.json", |w| Ok(writeln!(w, "{json}")?))?;
    set.commit()
}

/// Below this confidence an actor's stance is marked weak in the summary: its label is less
/// likely than all the other labels together.
pub const WEAK_CONFIDENCE: f32 = 0.5;

/// The compact actor table printed after a run and written to `summary.md`; stances below
/// [`WEAK_CONFIDENCE`] are marked "(weak)" with a note under the table.
pub fn summary(task: &Task, result: &RunResult) -> String {
    let mut out = format!(
        "# stancer run: {}\n\nTarget: {}. {} documents, {} quotes ({} attributed to an actor).\n\n",
        task.name, task.target.name, result.documents, result.quotes, result.attributed_quotes
    );
    out.push_str(
        "| actor | stance | confidence | on-target / quotes | evidence |\n|---|---|---|---|---|\n",
    );
    let mut weak = 0;
    for a in &result.corpus_actors {
        let is_weak = a.n_on_target > 0 && a.confidence < WEAK_CONFIDENCE;
        weak += usize::from(is_weak);
        out.push_str(&format!(
            "| {} | {}{} | {:.2} | {} / {} | {} |\n",
            a.actor.replace('|', "\\|"),
            a.label,
            if is_weak { " (weak)" } else { "" },
            a.confidence,
            a.n_on_target,
            a.n_quotes,
            a.evidence.join(", ")
        ));
    }
    if weak > 0 {
        out.push_str(&format!(
            "\n(weak): {weak} stance(s) with confidence below {WEAK_CONFIDENCE:.2}, less likely than \
             the other labels together: read the evidence quotes before relying on them.\n"
        ));
    }
    if !result.skipped.is_empty() {
        out.push_str(&format!(
            "\nSkipped {} bad input(s):\n\n",
            result.skipped.len()
        ));
        for s in &result.skipped {
            out.push_str(&format!("- {}\n", s.replace('\n', " ")));
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// sha256 of a file, or an error naming it.
pub fn file_sha256(path: &Path) -> Result<String> {
    sha256_file(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_stances_are_marked_in_the_summary() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let task = Task::load(&root.join(crate::task::DEFAULT_TASK)).unwrap();
        let actor = |name: &str, label: &str, confidence: f32, n_on_target: usize| ActorStance {
            actor_id: name.to_lowercase(),
            actor: name.into(),
            doc_id: None,
            label: label.into(),
            scores: Default::default(),
            confidence,
            n_quotes: 2,
            n_on_target,
            evidence: Vec::new(),
        };
        let result = RunResult {
            quotes: 9,
            attributed_quotes: 9,
            document_actors: Vec::new(),
            corpus_actors: vec![
                actor("Lavrov", "conciliatory", 0.34, 4),
                actor("Rice", "support", 0.81, 3),
                actor("Putin", "none", 0.0, 0),
            ],
            documents: 1,
            skipped: Vec::new(),
            timings: Timings::default(),
            checkpoint: PathBuf::new(),
        };
        let text = summary(&task, &result);
        assert!(
            text.contains("| Lavrov | conciliatory (weak) | 0.34 |"),
            "{text}"
        );
        assert!(text.contains("| Rice | support | 0.81 |"), "{text}");
        assert!(text.contains("| Putin | none | 0.00 |"), "{text}");
        assert!(
            text.contains("(weak): 1 stance(s) with confidence below 0.50"),
            "{text}"
        );
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"no\""), "\"say \"\"no\"\"\"");
    }
}
