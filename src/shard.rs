//! Splitting a run across processes or machines (`stancer run --shard K/N`) and merging the
//! shards' outputs (`stancer merge`) into the bytes of a single run.
//!
//! A document belongs to shard `1 + h(id) mod N`, with `h` the first 8 bytes of the sha256 of
//! its id: the share depends on the id alone, so adding files elsewhere moves no document, and
//! duplicate ids land in one shard, whose own check catches them. Every shard reads the whole
//! corpus (which is cheap next to classifying) and so knows each document's position in it;
//! `documents.jsonl` records the positions of its documents, and the merge interleaves the
//! shards' quotes and per-document rows by position. Corpus-level rows come from the shards'
//! running totals ([`Tally`]), which merge exactly.

use crate::aggregate::{ActorStance, Labels, Tally};
use crate::error::UserError;
use crate::output::StagedSet;
use crate::run_outputs::{DocumentActors, ExtraFiles, OutputTask, RunRecords, RunTotals};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BinaryHeap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// A shard's state file in its output folder.
pub const STATE: &str = "shard.json";
/// A shard's document index in its output folder: one [`DocumentEntry`] per line.
pub const DOCUMENTS: &str = "documents.jsonl";

/// Shard `number` of `count` (1-based, as written on the command line: `K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, from 1.
    pub number: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Whether the document `doc_id` belongs to this shard.
    pub fn contains(&self, doc_id: &str) -> bool {
        let digest = Sha256::digest(doc_id.as_bytes());
        let h = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        h % self.count as u64 == (self.number - 1) as u64
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}/{}", self.number, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parsed = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((number, count)) if (1..=count).contains(&number) => Ok(Shard { number, count }),
            _ => Err(format!(
                "`{s}` is not a shard: write K/N with 1 ≤ K ≤ N, e.g. 2/8"
            )),
        }
    }
}

/// Where one document's records sit in a shard's `quotes.jsonl` and `actors.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// Position in the corpus.
    pub position: u64,
    /// Document id.
    pub doc_id: String,
    /// Its quotes: the next this many lines of `quotes.jsonl`.
    pub quotes: usize,
    /// Its actor rows: the next this many document-level lines of `actors.jsonl`.
    pub actors: usize,
}

/// What a finished shard leaves for the merge besides its outputs: which run and shard it is,
/// and its totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardState {
    /// Fingerprint of the run (inputs, models, task, flags) without the shard: equal in all
    /// shards of one run.
    pub run_id: String,
    /// Which shard.
    pub shard: Shard,
    /// The task as the outputs name it.
    pub task: OutputTask,
    /// Documents, quotes and attributed quotes of this shard.
    pub documents: usize,
    /// Quotes found.
    pub quotes: usize,
    /// Quotes attributed to an actor.
    pub attributed_quotes: usize,
    /// Bad inputs skipped (every shard reads, and skips, the whole corpus's).
    pub skipped: Vec<String>,
    /// Running totals per actor.
    pub corpus: Tally,
}

impl ShardState {
    /// The state of `shard` of the run `run_id`, which ended with `totals` and `corpus`.
    pub fn new(
        run_id: &str,
        shard: Shard,
        task: &OutputTask,
        totals: &RunTotals,
        corpus: &Tally,
    ) -> Self {
        ShardState {
            run_id: run_id.to_string(),
            shard,
            task: task.clone(),
            documents: totals.documents,
            quotes: totals.quotes,
            attributed_quotes: totals.attributed_quotes,
            skipped: totals.skipped.clone(),
            corpus: corpus.clone(),
        }
    }
}

/// A shard's `documents.jsonl` (where each document's quotes and rows sit in the corpus, which
/// is what a merge interleaves by) and `shard.json` (its totals).
impl ExtraFiles for ShardState {
    fn write(&self, set: &mut StagedSet, records: &dyn RunRecords) -> Result<()> {
        set.write(DOCUMENTS, |w| {
            records.for_each_document(&mut |doc| {
                let entry = DocumentEntry {
                    position: doc.position,
                    doc_id: doc.doc_id,
                    quotes: doc.quotes,
                    actors: doc.actors.len(),
                };
                serde_json::to_writer(&mut *w, &entry)?;
                Ok(w.write_all(b"\n")?)
            })
        })?;
        let json = serde_json::to_string_pretty(self)?;
        set.write(STATE, |w| Ok(writeln!(w, "{json}")?))
    }
}

/// A shard's output folder read back for merging.
struct ShardDir {
    dir: PathBuf,
    state: ShardState,
}

/// The outputs of all shards of one run, read as one run's records.
pub struct MergedShards {
    shards: Vec<ShardDir>,
    task: OutputTask,
    totals: RunTotals,
    /// The run all shards belong to.
    pub run_id: String,
}

impl MergedShards {
    /// Opens the shard output folders `dirs` (in any order) and checks that they are all the
    /// shards of one run, each once.
    pub fn open(dirs: &[PathBuf]) -> Result<Self> {
        let mut shards = Vec::new();
        for dir in dirs {
            let path = dir.join(STATE);
            let bytes = std::fs::read(&path).map_err(|e| {
                UserError::new(
                    format!("cannot read {}: {e}", path.display()),
                    "give the --out folders of finished `stancer run --shard K/N` runs",
                )
            })?;
            let state: ShardState = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a stancer shard state", path.display()))?;
            shards.push(ShardDir {
                dir: dir.clone(),
                state,
            });
        }
        shards.sort_by_key(|s| s.state.shard.number);
        let Some(first) = shards.first() else {
            return Err(UserError::new(
                "no shard folders to merge",
                "give the shards' --out folders",
            ));
        };
        let (run_id, count, task) = (
            first.state.run_id.clone(),
            first.state.shard.count,
            first.state.task.clone(),
        );
        for s in &shards {
            if s.state.run_id != run_id
                || s.state.task != task
                || s.state.skipped != first.state.skipped
            {
                return Err(UserError::new(
                    format!(
                        "{} and {} are shards of different runs (inputs, task, models or flags differ)",
                        first.dir.display(),
                        s.dir.display()
                    ),
                    "merge only the shards of one run, all made with the same inputs and flags",
                ));
            }
        }
        let numbers: Vec<usize> = shards.iter().map(|s| s.state.shard.number).collect();
        let unique: HashSet<usize> = numbers.iter().copied().collect();
        let counts_agree = shards.iter().all(|s| s.state.shard.count == count);
        if !counts_agree || unique.len() != numbers.len() || numbers.len() != count {
            let missing: Vec<String> = (1..=count)
                .filter(|n| !unique.contains(n))
                .map(|n| format!("{n}/{count}"))
                .collect();
            return Err(UserError::new(
                format!(
                    "the folders hold shards {} of a run in {count}; missing: {}",
                    shards
                        .iter()
                        .map(|s| s.state.shard.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.is_empty() {
                        "none, but some repeat or disagree on N".into()
                    } else {
                        missing.join(", ")
                    }
                ),
                "give every shard's folder exactly once",
            ));
        }
        let mut corpus = Tally::default();
        let mut totals = RunTotals {
            skipped: first.state.skipped.clone(),
            ..RunTotals::default()
        };
        for s in &shards {
            totals.documents += s.state.documents;
            totals.quotes += s.state.quotes;
            totals.attributed_quotes += s.state.attributed_quotes;
            corpus.merge(s.state.corpus.clone());
        }
        let labels = Labels::new(&task.labels, task.none_label.as_deref());
        totals.corpus_actors = corpus.rows(&labels, None);
        Ok(MergedShards {
            shards,
            task,
            totals,
            run_id,
        })
    }

    /// The task as the outputs name it.
    pub fn task(&self) -> &OutputTask {
        &self.task
    }

    /// The merged shards' folders and shard numbers, for provenance.
    pub fn sources(&self) -> Vec<(PathBuf, Shard)> {
        self.shards
            .iter()
            .map(|s| (s.dir.clone(), s.state.shard))
            .collect()
    }

    /// Calls `f` with each document of every shard, in corpus order, with its shard's index.
    fn in_corpus_order(
        &self,
        mut f: impl FnMut(usize, &DocumentEntry) -> Result<()>,
    ) -> Result<()> {
        let mut indexes = self
            .shards
            .iter()
            .map(|s| Lines::open(&s.dir.join(DOCUMENTS)))
            .collect::<Result<Vec<_>>>()?;
        let mut heads: Vec<Option<DocumentEntry>> = Vec::new();
        let mut queue = BinaryHeap::new();
        for (i, index) in indexes.iter_mut().enumerate() {
            let head = index.next_json::<DocumentEntry>()?;
            if let Some(entry) = &head {
                queue.push(std::cmp::Reverse((entry.position, i)));
            }
            heads.push(head);
        }
        let mut last = None;
        while let Some(std::cmp::Reverse((position, i))) = queue.pop() {
            if last.is_some_and(|l| l >= position) {
                return Err(anyhow::anyhow!(
                    "{}: document position {position} comes twice or out of order",
                    indexes[i].where_()
                ));
            }
            last = Some(position);
            let entry = heads[i].take().expect("queued");
            f(i, &entry)?;
            heads[i] = indexes[i].next_json()?;
            if let Some(next) = &heads[i] {
                queue.push(std::cmp::Reverse((next.position, i)));
            }
        }
        Ok(())
    }
}

impl RunRecords for MergedShards {
    fn totals(&self) -> &RunTotals {
        &self.totals
    }

    fn for_each_quote_line(&self, f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut quotes = self.open_all("quotes.jsonl")?;
        self.in_corpus_order(|i, entry| {
            for _ in 0..entry.quotes {
                let line = quotes[i].expect_line()?;
                f(&line)?;
            }
            Ok(())
        })?;
        quotes.iter_mut().try_for_each(Lines::expect_end)
    }

    fn for_each_document(&self, f: &mut dyn FnMut(DocumentActors) -> Result<()>) -> Result<()> {
        let mut rows = self.open_all("actors.jsonl")?;
        self.in_corpus_order(|i, entry| {
            let mut actors = Vec::with_capacity(entry.actors);
            for _ in 0..entry.actors {
                let line = rows[i].expect_line()?;
                let mut value: serde_json::Value = serde_json::from_slice(&line)
                    .with_context(|| format!("{}: not JSON", rows[i].where_()))?;
                if value.get("level").and_then(|l| l.as_str()) != Some("document") {
                    return Err(anyhow::anyhow!(
                        "{}: expected a document-level row of {}",
                        rows[i].where_(),
                        entry.doc_id
                    ));
                }
                value.as_object_mut().expect("an object").remove("level");
                let actor: ActorStance = serde_json::from_value(value)
                    .with_context(|| format!("{}: not an actor row", rows[i].where_()))?;
                actors.push(actor);
            }
            f(DocumentActors {
                position: entry.position,
                doc_id: entry.doc_id.clone(),
                quotes: entry.quotes,
                actors,
            })
        })
    }
}

impl MergedShards {
    fn open_all(&self, name: &str) -> Result<Vec<Lines>> {
        self.shards
            .iter()
            .map(|s| Lines::open(&s.dir.join(name)))
            .collect()
    }
}

/// A JSON Lines file read line by line, naming the file and line in its errors.
struct Lines {
    path: PathBuf,
    reader: std::io::BufReader<std::fs::File>,
    line: usize,
}

impl Lines {
    fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open {} (is the shard finished?)", path.display()))?;
        Ok(Lines {
            path: path.to_path_buf(),
            reader: std::io::BufReader::new(file),
            line: 0,
        })
    }

    fn where_(&self) -> String {
        format!("{}:{}", self.path.display(), self.line)
    }

    /// The next line without its newline, if any.
    fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        let n = self
            .reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        Ok(Some(buf))
    }

    fn next_json<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>> {
        match self.next_line()? {
            None => Ok(None),
            Some(line) => {
                Ok(Some(serde_json::from_slice(&line).with_context(|| {
                    format!("{}: malformed", self.where_())
                })?))
            }
        }
    }

    fn expect_line(&mut self) -> Result<Vec<u8>> {
        self.next_line()?.ok_or_else(|| {
            anyhow::anyhow!(
                "{} ends after line {}, before the records documents.jsonl lists",
                self.path.display(),
                self.line
            )
        })
    }

    fn expect_end(&mut self) -> Result<()> {
        match self.next_line()? {
            None => Ok(()),
            Some(_) => Err(anyhow::anyhow!(
                "{}: a record documents.jsonl does not list",
                self.where_()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_ids_into_disjoint_covering_shares() {
        assert_eq!(
            "2/8".parse::<Shard>(),
            Ok(Shard {
                number: 2,
                count: 8
            })
        );
        for bad in ["0/4", "5/4", "4", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (1..=4)
            .map(|k| Shard {
                number: k,
                count: 4,
            })
            .collect();
        let mut sizes = [0; 4];
        for i in 0..400 {
            let id = format!("doc-{i}");
            let owners: Vec<usize> = (0..4).filter(|&k| shards[k].contains(&id)).collect();
            assert_eq!(owners.len(), 1, "{id} in shards {owners:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| (70..=130).contains(&n)), "{sizes:?}");
        // The share is the id's alone.
        assert!(Shard {
            number: 1,
            count: 1
        }
        .contains("anything"));
    }
}
