//! The files of a run's output folder, written the same way from a finished run and from merged
//! shards ([`RunRecords`]), so that a merge gives a single run's bytes: `quotes.jsonl`,
//! `actors.jsonl`, `actors.csv`, `summary.md`, with `--format parquet` also `quotes.parquet` and
//! `actors.parquet`, for a shard `documents.jsonl` and `shard.json`, and last `manifest.json`
//! (the only file with timings and the command line).

use crate::aggregate::ActorStance;
use crate::columnar;
use crate::output::{OutputDir, StagedSet};
use crate::task::Task;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::time::Instant;

/// What the output files say about the task: its name, target and labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputTask {
    /// Task name.
    pub name: String,
    /// Target name.
    pub target: String,
    /// Labels in task order.
    pub labels: Vec<String>,
    /// The label for quotes that say nothing about the target.
    pub none_label: Option<String>,
}

impl From<&Task> for OutputTask {
    fn from(task: &Task) -> Self {
        OutputTask {
            name: task.name.clone(),
            target: task.target.name.clone(),
            labels: task.label_names().into_iter().map(String::from).collect(),
            none_label: task.none_label.clone(),
        }
    }
}

/// Counts, skipped inputs and corpus-level actor rows of a run (or of merged shards).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTotals {
    /// Documents processed (in a shard: of its share).
    pub documents: usize,
    /// Quotes found.
    pub quotes: usize,
    /// Quotes attributed to an actor.
    pub attributed_quotes: usize,
    /// Per actor over the corpus, sorted by actor id.
    pub corpus_actors: Vec<ActorStance>,
    /// Bad inputs skipped, with why.
    pub skipped: Vec<String>,
}

impl RunTotals {
    /// The counts `manifest.json` records.
    pub fn counts(&self) -> serde_json::Value {
        serde_json::json!({
            "documents": self.documents,
            "quotes": self.quotes,
            "attributed_quotes": self.attributed_quotes,
            "actors": self.corpus_actors.len(),
            "skipped_inputs": self.skipped.len(),
        })
    }
}

/// One document with quotes, as the per-document outputs list it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentActors {
    /// Position in the corpus (counting every document of every shard).
    pub position: u64,
    /// Document id.
    pub doc_id: String,
    /// Quotes found in it.
    pub quotes: usize,
    /// Its actor rows, sorted by actor id.
    pub actors: Vec<ActorStance>,
}

/// The records output files are written from, in corpus order; each pass reads them afresh,
/// so they need not fit in memory.
pub trait RunRecords {
    /// Counts and corpus-level rows.
    fn totals(&self) -> &RunTotals;
    /// Calls `f` with each quote's JSON line (without its newline), in corpus order.
    fn for_each_quote_line(&self, f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()>;
    /// Calls `f` with each document that has quotes, in corpus order.
    fn for_each_document(&self, f: &mut dyn FnMut(DocumentActors) -> Result<()>) -> Result<()>;
}

/// Formats of the quote and actor tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// `quotes.jsonl`, `actors.jsonl` and `actors.csv` only.
    Jsonl,
    /// Also `quotes.parquet` and `actors.parquet` (the JSONL files are what `merge`, `eval`
    /// and `--resume` read, so they are always written).
    Parquet,
}

/// Writes the output files into the locked folder `out` as one set: all are staged first and
/// swapped in together, so `out` never mixes files of two runs, `extra` files (a shard's)
/// included. `manifest` is written last, as `manifest.json`, with the seconds the other
/// files took under `timings.write`.
pub fn write_outputs(
    out: &OutputDir,
    task: &OutputTask,
    records: &dyn RunRecords,
    extra: Option<&dyn ExtraFiles>,
    format: TableFormat,
    mut manifest: serde_json::Value,
) -> Result<()> {
    let start = Instant::now();
    let mut set = out.stage()?;
    set.write("quotes.jsonl", |w| {
        records.for_each_quote_line(&mut |line| {
            w.write_all(line)?;
            Ok(w.write_all(b"\n")?)
        })
    })?;
    let rows = |f: &mut dyn FnMut(&str, &ActorStance) -> Result<()>| -> Result<()> {
        records
            .for_each_document(&mut |doc| doc.actors.iter().try_for_each(|a| f("document", a)))?;
        let corpus = &records.totals().corpus_actors;
        corpus.iter().try_for_each(|a| f("corpus", a))
    };
    set.write("actors.jsonl", |w| {
        rows(&mut |level, actor| {
            let mut value = serde_json::to_value(actor)?;
            value["level"] = serde_json::Value::from(level);
            serde_json::to_writer(&mut *w, &value)?;
            Ok(w.write_all(b"\n")?)
        })
    })?;
    if format == TableFormat::Parquet {
        // From the staged JSONL files themselves: no second pass over the records.
        let tables = [
            ("quotes.jsonl", "quotes.parquet", columnar::quote_schema()),
            ("actors.jsonl", "actors.parquet", columnar::actor_schema()),
        ];
        for (jsonl, parquet, schema) in tables {
            let lines = set.read_staged(jsonl)?;
            set.write(parquet, |w| columnar::write_parquet(lines, w, schema))?;
        }
    }
    let on_target: Vec<&str> = task
        .labels
        .iter()
        .map(String::as_str)
        .filter(|l| Some(*l) != task.none_label.as_deref())
        .collect();
    set.write("actors.csv", |w| write_actors_csv(w, &on_target, &rows))?;
    set.write("summary.md", |w| {
        Ok(w.write_all(summary(task, records.totals()).as_bytes())?)
    })?;
    if let Some(extra) = extra {
        extra.write(&mut set, records)?;
    }
    manifest["timings"]["write"] = serde_json::Value::from(start.elapsed().as_secs_f64());
    let json = serde_json::to_string_pretty(&manifest)?;
    set.write("manifest.json", |w| Ok(writeln!(w, "{json}")?))?;
    set.commit()
}

/// Files a run adds to its output set beside the tables, written from the same records (a
/// shard's index and state); implemented where their format is defined.
pub trait ExtraFiles {
    /// Stages the files into `set`.
    fn write(&self, set: &mut StagedSet, records: &dyn RunRecords) -> Result<()>;
}

/// Below this confidence an actor's stance is marked weak in the summary: its label is less
/// likely than all the other labels together.
pub const WEAK_CONFIDENCE: f32 = 0.5;

/// The compact actor table printed after a run and written to `summary.md`; stances below
/// [`WEAK_CONFIDENCE`] are marked "(weak)" with a note under the table.
pub fn summary(task: &OutputTask, totals: &RunTotals) -> String {
    let mut out = format!(
        "# stancer run: {}\n\nTarget: {}. {} documents, {} quotes ({} attributed to an actor).\n\n",
        task.name, task.target, totals.documents, totals.quotes, totals.attributed_quotes
    );
    out.push_str(
        "| actor | stance | confidence | on-target / quotes | evidence |\n|---|---|---|---|---|\n",
    );
    let mut weak = 0;
    for a in &totals.corpus_actors {
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
    if !totals.skipped.is_empty() {
        out.push_str(&format!(
            "\nSkipped {} bad input(s):\n\n",
            totals.skipped.len()
        ));
        for s in &totals.skipped {
            out.push_str(&format!("- {}\n", s.replace('\n', " ")));
        }
    }
    out
}

/// Visits every actor row with its level: the documents' rows, then the corpus rows.
type ActorRows<'a> = dyn Fn(&mut dyn FnMut(&str, &ActorStance) -> Result<()>) -> Result<()> + 'a;

/// `actors.csv`: one row per actor row, the probabilities of the `on_target` labels as
/// `p_<label>` columns, evidence quote ids space-separated; quoted where needed.
fn write_actors_csv(
    w: &mut (dyn Write + Send),
    on_target: &[&str],
    rows: &ActorRows,
) -> Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let mut header: Vec<String> = [
        "level",
        "doc_id",
        "actor_id",
        "actor",
        "label",
        "confidence",
        "n_quotes",
        "n_on_target",
    ]
    .map(String::from)
    .into();
    header.extend(on_target.iter().map(|l| format!("p_{l}")));
    header.push("evidence".into());
    csv.write_record(&header)?;
    rows(&mut |level, a| {
        let mut record = vec![
            level.to_string(),
            a.doc_id.clone().unwrap_or_default(),
            a.actor_id.clone(),
            a.actor.clone(),
            a.label.clone(),
            a.confidence.to_string(),
            a.n_quotes.to_string(),
            a.n_on_target.to_string(),
        ];
        record.extend(
            on_target
                .iter()
                .map(|l| a.scores.get(*l).map_or(String::new(), f32::to_string)),
        );
        record.push(a.evidence.join(" "));
        Ok(csv.write_record(&record)?)
    })?;
    Ok(csv.flush()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
        let totals = RunTotals {
            documents: 1,
            quotes: 9,
            attributed_quotes: 9,
            corpus_actors: vec![
                actor("Lavrov", "conciliatory", 0.34, 4),
                actor("Rice", "support", 0.81, 3),
                actor("Putin", "none", 0.0, 0),
            ],
            skipped: Vec::new(),
        };
        let text = summary(&OutputTask::from(&task), &totals);
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
    fn actors_csv_quotes_what_needs_it_and_reads_back() {
        let actor = ActorStance {
            actor_id: "a1".into(),
            actor: "Smith, \"Jr.\"\nthe second".into(),
            doc_id: Some("d,1".into()),
            label: "oppose".into(),
            scores: [("oppose".to_string(), 0.75)].into(),
            confidence: 0.75,
            n_quotes: 2,
            n_on_target: 1,
            evidence: vec!["d,1:q0001".into(), "d,1:q0002".into()],
        };
        let rows = |f: &mut dyn FnMut(&str, &ActorStance) -> Result<()>| f("document", &actor);
        let mut bytes = Vec::new();
        write_actors_csv(&mut bytes, &["oppose", "support"], &rows).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "level,doc_id,actor_id,actor,label,confidence,n_quotes,n_on_target,p_oppose,p_support,evidence\n\
             document,\"d,1\",a1,\"Smith, \"\"Jr.\"\"\nthe second\",oppose,0.75,2,1,0.75,,\"d,1:q0001 d,1:q0002\"\n"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "Smith, \"Jr.\"\nthe second");
        assert_eq!(&row[10], "d,1:q0001 d,1:q0002");
    }
}
