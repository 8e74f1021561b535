//! Task definitions (`datasets/<name>/task.toml`): the target, its label set with descriptions
//! and NLI hypotheses, optional exemplars, and the mapping from a dataset's own labels.

use crate::error::UserError;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The task stancer runs when none is named: the bundled missile-shield seed task.
pub const DEFAULT_TASK: &str = "datasets/missile-shield/task.toml";

/// Task files compiled into the binary, by their path in the repository: the label
/// definitions of the public corpora, which their data readers need wherever stancer runs.
const BUNDLED: &[(&str, &str)] = &[
    (
        "datasets/semeval2016-stance/task.toml",
        include_str!("../datasets/semeval2016-stance/task.toml"),
    ),
    (
        "datasets/semeval2016-sentiment/task.toml",
        include_str!("../datasets/semeval2016-sentiment/task.toml"),
    ),
    (
        "datasets/gwsd/task.toml",
        include_str!("../datasets/gwsd/task.toml"),
    ),
    (
        "datasets/perspectrum/task.toml",
        include_str!("../datasets/perspectrum/task.toml"),
    ),
    (
        "datasets/newsmtsc/task.toml",
        include_str!("../datasets/newsmtsc/task.toml"),
    ),
];

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
    /// Actor registry, relative to the task file.
    #[serde(default)]
    pub actors: Option<PathBuf>,
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
    /// Reads and validates a task file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("cannot read task file {}: {e}", path.display()),
                format!("pass --task with the path of a task.toml (the default is {DEFAULT_TASK})"),
            )
        })?;
        Self::parse(&text, path)
    }

    /// A task compiled into the binary, named by its path in the repository.
    pub fn bundled(path: &str) -> Result<Self> {
        let (_, text) = BUNDLED
            .iter()
            .find(|(p, _)| *p == path)
            .with_context(|| format!("no bundled task {path}"))?;
        Self::parse(text, Path::new(path))
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
    fn bundled_task_files_are_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let task = Task::load(&root.join(DEFAULT_TASK)).unwrap();
        assert_eq!(
            task.label_names(),
            ["oppose", "support", "conciliatory", "none"]
        );
        for (path, _) in BUNDLED {
            let task = Task::bundled(path).unwrap();
            assert_eq!(
                task.name,
                Path::new(path)
                    .parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
            );
        }
        assert!(Task::bundled("datasets/nope/task.toml").is_err());
    }
}
