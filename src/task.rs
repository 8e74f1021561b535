//! Task definitions (`datasets/<name>/task.toml`): the target, its label set with descriptions
//! and NLI hypotheses, optional exemplars, and the mapping from a dataset's own labels.

use crate::error::UserError;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The task stancer runs when none is named: the bundled missile-shield seed task.
pub const DEFAULT_TASK: &str = "datasets/missile-shield/task.toml";

/// What a stance is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Short name, used in hypotheses as `{target}`.
    pub name: String,
    /// One or two sentences a reader (or a bi-encoder) can match against.
    pub description: String,
}

/// One stance label.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The label as written in gold files and outputs.
    pub name: String,
    /// The definition annotators and the bi-encoder baseline use.
    pub description: String,
    /// NLI hypothesis; may use `{speaker}` and `{target}`.
    pub hypothesis: String,
}

/// A short statement written for a label, used to train a few-shot head.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemplar {
    /// One of the task's labels.
    pub label: String,
    /// The statement.
    pub text: String,
    /// Who says it, when the exemplar is written as an attributed quote (a cross-encoder reads
    /// it as the quote's speaker).
    #[serde(default)]
    pub speaker: Option<String>,
    /// The construction it was written to cover (reassurance, threat, conditional offer, …).
    #[serde(default)]
    pub construction: Option<String>,
}

/// A stance task as read from `task.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Task name (directory name by convention).
    pub name: String,
    /// What the task measures.
    pub description: String,
    /// Native gold file, relative to the task file.
    #[serde(default)]
    pub gold: Option<PathBuf>,
    /// Actor registry, relative to the task file. It describes the actors of the task's own
    /// corpus, so `stancer run` applies it there only (other corpora need `--actors`).
    #[serde(default)]
    pub actors: Option<PathBuf>,
    /// The task's own corpus, relative to the task file (default: an `articles` folder beside
    /// it); `stancer run` reads it when given no inputs.
    #[serde(default)]
    pub corpus: Option<PathBuf>,
    /// The label meaning "says nothing about the target"; left out of aggregation.
    #[serde(default)]
    pub none_label: Option<String>,
    /// Who wrote the exemplars and from what (required when there are exemplars).
    #[serde(default)]
    pub exemplars_source: Option<String>,
    /// The two labels whose mean F1 is SemEval's F_avg (e.g. `["support", "oppose"]`).
    #[serde(default)]
    pub f_avg_labels: Option<[String; 2]>,
    /// Maps a dataset's own labels (e.g. SemEval's FAVOR) to task labels.
    #[serde(default)]
    pub label_map: BTreeMap<String, String>,
    /// The stance target.
    pub target: Target,
    /// The label set, in output order.
    pub labels: Vec<Label>,
    /// Few-shot exemplars.
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
    /// Where the file was read from, for resolving relative paths.
    #[serde(skip)]
    pub path: PathBuf,
}

impl Task {
    /// Reads and validates a task file; a bundled task (such as the default) is found even
    /// outside the repository ([`crate::bundled`]).
    pub fn load(path: &Path) -> Result<Self> {
        let path = &crate::bundled::locate(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("cannot read task file {}: {e}", path.display()),
                format!("pass --task with the path of a task.toml (the default is {DEFAULT_TASK})"),
            )
        })?;
        Self::parse(&text, path)
    }

    /// Parses task TOML read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut task: Task = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{}: invalid task file: {e}", path.display()))?;
        task.path = path.to_path_buf();
        task.validate()
            .with_context(|| format!("{}: invalid task file", path.display()))?;
        Ok(task)
    }

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(self.labels.len() >= 2, "a task needs at least two labels");
        let mut seen = std::collections::BTreeSet::new();
        for label in &self.labels {
            anyhow::ensure!(
                seen.insert(&label.name),
                "label '{}' is defined twice",
                label.name
            );
        }
        if let Some(none) = &self.none_label {
            self.label_index(none)?;
        }
        for exemplar in &self.exemplars {
            self.label_index(&exemplar.label)
                .with_context(|| format!("exemplar {:?}", exemplar.text))?;
        }
        anyhow::ensure!(
            self.exemplars.is_empty() || self.exemplars_source.is_some(),
            "exemplars need an `exemplars_source` saying who wrote them and from what"
        );
        for label in self.f_avg_labels.iter().flatten() {
            self.label_index(label).context("f_avg_labels")?;
        }
        for (from, to) in &self.label_map {
            self.label_index(to)
                .with_context(|| format!("label_map entry {from} = {to}"))?;
        }
        Ok(())
    }

    /// Label names in output order.
    pub fn label_names(&self) -> Vec<&str> {
        self.labels.iter().map(|l| l.name.as_str()).collect()
    }

    /// Position of a label, or an error naming the known labels.
    pub fn label_index(&self, name: &str) -> Result<usize> {
        self.labels
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown label '{name}' (task labels: {})",
                    self.label_names().join(", ")
                )
            })
    }

    /// Maps a dataset label through `label_map` (identity when unmapped) to a label index.
    pub fn map_label(&self, raw: &str) -> Result<usize> {
        let name = self.label_map.get(raw).map_or(raw, String::as_str);
        self.label_index(name)
    }

    /// The NLI hypothesis for a label, with `{speaker}` ("The speaker" when unknown) and
    /// `{target}` (the item's own target, else the task's) filled in.
    pub fn hypothesis_for(
        &self,
        label: usize,
        speaker: Option<&str>,
        target: Option<&str>,
    ) -> String {
        self.labels[label]
            .hypothesis
            .replace("{speaker}", speaker.unwrap_or("The speaker"))
            .replace("{target}", target.unwrap_or(&self.target.name))
    }

    /// A path given relative to the task file.
    pub fn relative(&self, path: &Path) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(path)
    }

    /// The task's own corpus: `corpus`, else the `articles` folder beside the task file when
    /// there is one.
    pub fn corpus_dir(&self) -> Option<PathBuf> {
        match &self.corpus {
            Some(dir) => Some(self.relative(dir)),
            None => Some(self.relative(Path::new("articles"))).filter(|d| d.is_dir()),
        }
    }

    /// Whether every input lies inside the task's own corpus, where its actor registry holds.
    pub fn is_own_corpus(&self, inputs: &[PathBuf]) -> bool {
        let Some(own) = self.corpus_dir().and_then(|d| d.canonicalize().ok()) else {
            return false;
        };
        !inputs.is_empty()
            && inputs
                .iter()
                .all(|i| i.canonicalize().is_ok_and(|i| i.starts_with(&own)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
description = "d"
none_label = "none"
label_map = { FAVOR = "support", AGAINST = "oppose", NONE = "none" }
[target]
name = "the plan"
description = "A plan."
[[labels]]
name = "support"
description = "for"
hypothesis = "{speaker} supports {target}."
[[labels]]
name = "oppose"
description = "against"
hypothesis = "{speaker} opposes {target}."
[[labels]]
name = "none"
description = "silent"
hypothesis = "{speaker} says nothing about {target}."
"#;

    #[test]
    fn parses_maps_labels_and_fills_hypotheses() {
        let task = Task::parse(MINIMAL, Path::new("x/task.toml")).unwrap();
        assert_eq!(task.label_names(), ["support", "oppose", "none"]);
        assert_eq!(task.map_label("AGAINST").unwrap(), 1);
        assert_eq!(task.map_label("none").unwrap(), 2);
        assert!(task.map_label("MAYBE").is_err());
        assert_eq!(
            task.hypothesis_for(0, Some("Ms. Rice"), None),
            "Ms. Rice supports the plan."
        );
        assert_eq!(
            task.hypothesis_for(1, None, Some("Atheism")),
            "The speaker opposes Atheism."
        );
        assert_eq!(
            task.relative(Path::new("gold.jsonl")),
            Path::new("x/gold.jsonl")
        );
    }

    #[test]
    fn rejects_unknown_labels_and_unsourced_exemplars() {
        let bad = MINIMAL.replace("none_label = \"none\"", "none_label = \"neutral\"");
        let err = Task::parse(&bad, Path::new("t.toml")).unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown label 'neutral'"),
            "{err:#}"
        );
        let unsourced = format!("{MINIMAL}\n[[exemplars]]\nlabel = \"oppose\"\ntext = \"No.\"\n");
        let err = Task::parse(&unsourced, Path::new("t.toml")).unwrap_err();
        assert!(format!("{err:#}").contains("exemplars_source"), "{err:#}");
        let typo = MINIMAL.replace("description = \"d\"", "descripton = \"d\"");
        assert!(Task::parse(&typo, Path::new("t.toml")).is_err());
    }

    #[test]
    fn the_own_corpus_is_the_articles_folder_unless_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let task = Task::load(&root.join(DEFAULT_TASK)).unwrap();
        let articles = root.join("datasets/missile-shield/articles");
        assert_eq!(task.corpus_dir(), Some(articles.clone()));
        assert!(task.is_own_corpus(std::slice::from_ref(&articles)));
        assert!(task.is_own_corpus(&[articles.join("nysun-2008-03-missile-shield-divide.txt")]));
        let elsewhere = root.join("datasets/semeval2016-stance");
        assert!(!task.is_own_corpus(&[articles.clone(), elsewhere]));
        assert!(!task.is_own_corpus(&[PathBuf::from("-")]));
        assert!(!task.is_own_corpus(&[]));
        let named = Task::parse(
            &format!("corpus = \"texts\"\n{MINIMAL}"),
            Path::new("x/task.toml"),
        )
        .unwrap();
        assert_eq!(named.corpus_dir(), Some(PathBuf::from("x/texts")));
        let none = Task::parse(MINIMAL, Path::new("x/task.toml")).unwrap();
        assert_eq!(none.corpus_dir(), None);
    }

    #[test]
    fn bundled_task_files_are_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let task = Task::load(&root.join(DEFAULT_TASK)).unwrap();
        assert_eq!(
            task.label_names(),
            ["oppose", "support", "conciliatory", "none"]
        );
        // Every bundled task parses and is named after its folder.
        for (path, _) in crate::bundled::FILES {
            if let Some(dir) = path.strip_suffix("/task.toml") {
                let task = Task::load(&root.join(path)).unwrap();
                assert_eq!(Some(task.name.as_str()), dir.rsplit('/').next());
            }
        }
    }
}
