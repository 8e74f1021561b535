//! `stancer run`: corpus → quotes → actors → stance and sentiment → per-actor aggregation →
//! output files. Everything but `manifest.json` is byte-identical for the same inputs, models
//! and flags; every file is written atomically.

use crate::actors::Registry;
use crate::aggregate::{aggregate, ActorStance, QuoteStance};
use crate::classify::features;
use crate::classify::nli::{Mode, NliClassifier};
use crate::classify::text_norm::TextNorm;
use crate::classify::trained::TrainedClassifier;
use crate::classify::{similarity, Item, Prediction};
use crate::corpus::Corpus;
use crate::encoders::TextModel;
use crate::error::UserError;
use crate::models::cache::sha256_file;
use crate::output::write_atomic;
use crate::quotes::{self, Quote};
use crate::task::Task;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How quotes get their stance.
// Built once per run, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum StanceMethod {
    /// A trained head (default).
    Head(TrainedClassifier),
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
            StanceMethod::Head(head) => Some(head.manifest.text_norm),
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
            StanceMethod::Head(head) => {
                check_labels(&head.manifest.labels, task)?;
                match vectors {
                    Some(v) => head.predict_embedded(embedder, v, items, batch_size),
                    None => head.predict(embedder, items, batch_size),
                }
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
    /// Sentiment head, if any.
    pub sentiment: Option<TrainedClassifier>,
    /// Actor registry linking actors across documents.
    pub registry: Option<Registry>,
    /// Report bad documents and go on instead of stopping.
    pub skip_bad: bool,
    /// Texts per forward pass.
    pub batch_size: usize,
    /// Documents per classification chunk and checkpoint append.
    pub chunk_documents: usize,
}

/// What a run produced.
pub struct RunResult {
    /// Classified quotes in corpus order.
    pub quotes: Vec<Quote>,
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

/// Runs the pipeline. Documents are extracted and classified in chunks, and each finished
/// document is appended (one JSON line holding all its quotes) to `checkpoint`, whose first line
/// is `fingerprint`. With `resume`, documents already in a checkpoint with the same fingerprint
/// are not processed again, so an interrupted run loses and duplicates nothing; a torn last line
/// is dropped and redone. `on_document` is called after each document (progress).
pub fn run(
    config: &RunConfig,
    checkpoint: &Path,
    fingerprint: &str,
    resume: bool,
    on_document: &dyn Fn(),
) -> Result<RunResult> {
    let mut timings = Timings::default();
    let (mut quotes, done) = if resume {
        read_checkpoint(checkpoint, fingerprint)?
    } else {
        (Vec::new(), HashSet::new())
    };
    let mut log = open_checkpoint(checkpoint, fingerprint, resume && checkpoint.exists())?;
    let mut skipped = Vec::new();
    let mut documents = 0;
    let mut pending: Vec<(String, Vec<Quote>)> = Vec::new();
    let start = Instant::now();
    for doc in Corpus::open(&config.inputs)? {
        match doc {
            Ok(doc) => {
                documents += 1;
                if !done.contains(&doc.id) {
                    let found = quotes::extract_with(&doc, config.registry.as_ref());
                    pending.push((doc.id, found));
                }
            }
            Err(e) if config.skip_bad => skipped.push(format!("{e:#}")),
            Err(e) => return Err(e),
        }
        if pending.len() >= config.chunk_documents.max(1) {
            flush_chunk(config, &mut pending, &mut quotes, &mut log, &mut timings)?;
        }
        on_document();
    }
    flush_chunk(config, &mut pending, &mut quotes, &mut log, &mut timings)?;
    timings.extract = start.elapsed().as_secs_f64() - timings.classify;

    let start = Instant::now();
    let labels: Vec<String> = config.task.labels.iter().map(|l| l.name.clone()).collect();
    let stances: Vec<Prediction> = quotes
        .iter()
        .map(|q| serde_json::from_value(q.extra["stance"].clone()))
        .collect::<Result<_, _>>()?;
    let attributed: Vec<QuoteStance> = quotes
        .iter()
        .zip(&stances)
        .filter_map(|(q, stance)| {
            Some(QuoteStance {
                doc_id: &q.doc_id,
                quote_id: &q.quote_id,
                actor: (q.actor_id.as_deref()?, q.actor.as_deref()?),
                stance,
            })
        })
        .collect();
    let none = config.task.none_label.as_deref();
    let document_actors = aggregate(&attributed, &labels, none, true);
    let corpus_actors = aggregate(&attributed, &labels, none, false);
    timings.aggregate = start.elapsed().as_secs_f64();
    Ok(RunResult {
        quotes,
        document_actors,
        corpus_actors,
        documents,
        skipped,
        timings,
    })
}

/// Classifies the pending documents' quotes, appends each document to the checkpoint (synced),
/// and moves the quotes into `quotes`.
fn flush_chunk(
    config: &RunConfig,
    pending: &mut Vec<(String, Vec<Quote>)>,
    quotes: &mut Vec<Quote>,
    log: &mut std::fs::File,
    timings: &mut Timings,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let start = Instant::now();
    let mut chunk: Vec<Quote> = pending
        .iter_mut()
        .flat_map(|(_, q)| std::mem::take(q))
        .collect();
    classify(config, &mut chunk)?;
    timings.classify += start.elapsed().as_secs_f64();
    let mut chunk = chunk.into_iter().peekable();
    let mut lines = Vec::new();
    for (doc_id, _) in pending.drain(..) {
        let mut doc_quotes = Vec::new();
        while chunk.peek().is_some_and(|q| q.doc_id == doc_id) {
            doc_quotes.extend(chunk.next());
        }
        serde_json::to_writer(
            &mut lines,
            &CheckpointLine {
                doc_id: doc_id.clone(),
                quotes: doc_quotes.clone(),
            },
        )?;
        lines.push(b'\n');
        quotes.extend(doc_quotes);
    }
    log.write_all(&lines)?;
    log.sync_data()?;
    Ok(())
}

/// One finished document in the checkpoint.
#[derive(Serialize, serde::Deserialize)]
struct CheckpointLine {
    doc_id: String,
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

/// Finished documents and their quotes from an earlier run with the same fingerprint. The file
/// is cut back to its last whole line so appends continue cleanly after a torn write.
fn read_checkpoint(path: &Path, fingerprint: &str) -> Result<(Vec<Quote>, HashSet<String>)> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), HashSet::new()))
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read checkpoint {}", path.display()))
        }
    };
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    let header: Option<String> = lines.next().and_then(|l| serde_json::from_slice(l).ok());
    if header.as_deref() != Some(fingerprint) {
        return Err(UserError::new(
            format!(
                "{} belongs to a run with other inputs, task, models or flags",
                path.display()
            ),
            "run again without --resume to start over",
        ));
    }
    let (mut quotes, mut done, mut keep) = (Vec::new(), HashSet::new(), 0usize);
    keep += bytes
        .split_inclusive(|&b| b == b'\n')
        .next()
        .map_or(0, <[u8]>::len);
    for line in lines {
        let Ok(entry) = serde_json::from_slice::<CheckpointLine>(line) else {
            break;
        };
        if !line.ends_with(b"\n") {
            break;
        }
        keep += line.len();
        done.insert(entry.doc_id);
        quotes.extend(entry.quotes);
    }
    if keep < bytes.len() {
        let file = std::fs::OpenOptions::new().write(true).open(path)?;
        file.set_len(keep as u64)?;
    }
    Ok((quotes, done))
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
        Some(head) => {
            let norm = head.manifest.text_norm;
            let vectors = match (stance_vectors, stance_norm) {
                (Some(vectors), Some(from)) => features::renormalise(
                    &config.embedder,
                    &items,
                    vectors,
                    from,
                    norm,
                    config.batch_size,
                )?,
                _ => embed(norm)?,
            };
            Some(head.predict_embedded(&config.embedder, vectors, &items, config.batch_size)?)
        }
        None => None,
    };
    for (i, quote) in quotes.iter_mut().enumerate() {
        quote
            .extra
            .insert("stance".into(), serde_json::to_value(&stance[i])?);
        if let Some(sentiment) = &sentiment {
            quote
                .extra
                .insert("sentiment".into(), serde_json::to_value(&sentiment[i])?);
        }
    }
    Ok(())
}

fn check_labels(head_labels: &[String], task: &Task) -> Result<()> {
    let task_labels = task.label_names();
    anyhow::ensure!(
        head_labels
            .iter()
            .map(String::as_str)
            .eq(task_labels.iter().copied()),
        "the stance head's labels ({}) differ from task '{}' ({}): train a head for this task",
        head_labels.join(", "),
        task.name,
        task_labels.join(", ")
    );
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
}

/// Writes `quotes.jsonl`, `actors.jsonl`, `actors.csv`, `summary.md` and, last, `manifest.json`
/// with the time taken by the others, into `dir`, each atomically.
pub fn write_outputs(
    dir: &Path,
    task: &Task,
    result: &RunResult,
    mut manifest: RunManifest,
) -> Result<()> {
    let start = Instant::now();
    write_atomic(&dir.join("quotes.jsonl"), |w| {
        for q in &result.quotes {
            serde_json::to_writer(&mut *w, q)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    let rows: Vec<(&str, &ActorStance)> = result
        .document_actors
        .iter()
        .map(|a| ("document", a))
        .chain(result.corpus_actors.iter().map(|a| ("corpus", a)))
        .collect();
    write_atomic(&dir.join("actors.jsonl"), |w| {
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
    write_atomic(&dir.join("actors.csv"), |w| {
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
    write_atomic(&dir.join("summary.md"), |w| {
        Ok(w.write_all(summary(task, result).as_bytes())?)
    })?;
    manifest.timings.write = start.elapsed().as_secs_f64();
    let json = serde_json::to_string_pretty(&manifest)?;
    write_atomic(&dir.join("manifest.json"), |w| Ok(writeln!(w, "{json}")?))
}

/// The compact actor table printed after a run and written to `summary.md`.
pub fn summary(task: &Task, result: &RunResult) -> String {
    let mut out =
        format!(
        "# stancer run: {}\n\nTarget: {}. {} documents, {} quotes ({} attributed to an actor).\n\n",
        task.name,
        task.target.name,
        result.documents,
        result.quotes.len(),
        result.quotes.iter().filter(|q| q.actor_id.is_some()).count()
    );
    out.push_str(
        "| actor | stance | confidence | on-target / quotes | evidence |\n|---|---|---|---|---|\n",
    );
    for a in &result.corpus_actors {
        out.push_str(&format!(
            "| {} | {} | {:.2} | {} / {} | {} |\n",
            a.actor.replace('|', "\\|"),
            a.label,
            a.confidence,
            a.n_on_target,
            a.n_quotes,
            a.evidence.join(", ")
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
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"no\""), "\"say \"\"no\"\"\"");
    }
}
