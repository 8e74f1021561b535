//! Label files for `stancer eval agreement`: two annotators (or an annotator and a model)
//! labelled the same items; items are matched by id.
//!
//! A file is JSONL in one of two shapes, told apart line by line: `{"id": …, "label": …}`, or a
//! native `gold.jsonl` document line, whose quotes give `quote_id` → stance (or sentiment).

use crate::metrics::{agreement, AgreementReport};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Gold { quotes: Vec<serde_json::Value> },
    Label { id: String, label: String },
}

/// Item id → label, read from one annotator's file; `field` picks the gold quotes' label
/// (`stance` or `sentiment`). Repeated ids are an error naming the line.
pub fn load_labels(path: &Path, field: &str) -> Result<BTreeMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), n + 1);
        let parsed: Line = serde_json::from_str(line).with_context(|| {
            format!("{at}: expected {{\"id\", \"label\"}} or a gold.jsonl document line")
        })?;
        let pairs = match parsed {
            Line::Label { id, label } => vec![(id, label)],
            Line::Gold { quotes } => quotes
                .iter()
                .map(|q| {
                    let get = |k: &str| q.get(k).and_then(|v| v.as_str()).map(str::to_string);
                    get("quote_id")
                        .zip(get(field))
                        .with_context(|| format!("{at}: a gold quote lacks quote_id or {field}"))
                })
                .collect::<Result<_>>()?,
        };
        for (id, label) in pairs {
            anyhow::ensure!(
                out.insert(id.clone(), label).is_none(),
                "{at}: item {id:?} is labelled twice"
            );
        }
    }
    anyhow::ensure!(!out.is_empty(), "{}: no labelled items", path.display());
    Ok(out)
}

/// Agreement on the items both files label, with how many each labels alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Items labelled in the first file only (left out of the figures).
    pub only_first: u64,
    /// Items labelled in the second file only (left out).
    pub only_second: u64,
    /// Kappa, alpha, observed agreement and the confusion matrix (first coder on rows).
    pub report: AgreementReport,
}

/// Compares two annotators on their shared item ids, in id order. Without `labels`, the label
/// set is every label either file uses, sorted, so the confusion matrix has a stable order.
pub fn compare(
    first: &BTreeMap<String, String>,
    second: &BTreeMap<String, String>,
    labels: Option<&[String]>,
) -> Result<Agreement> {
    let shared: Vec<&String> = first.keys().filter(|k| second.contains_key(*k)).collect();
    anyhow::ensure!(
        !shared.is_empty(),
        "the two files share no item id (e.g. first has {:?}, second {:?}); they must label the same items",
        first.keys().next().map_or("", |s| s.as_str()),
        second.keys().next().map_or("", |s| s.as_str())
    );
    let a: Vec<&str> = shared.iter().map(|k| first[*k].as_str()).collect();
    let b: Vec<&str> = shared.iter().map(|k| second[*k].as_str()).collect();
    let set: Vec<String> = match labels {
        Some(l) => l.to_vec(),
        None => a
            .iter()
            .chain(&b)
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    Ok(Agreement {
        only_first: (first.len() - shared.len()) as u64,
        only_second: (second.len() - shared.len()) as u64,
        report: agreement(&a, &b, &set)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pairs_by_id_and_counts_the_rest() {
        // Shared x, y, z: a b a vs a b b → 2/3 agree; w only in the first, v only in the second.
        let first = labels(&[("x", "a"), ("y", "b"), ("z", "a"), ("w", "a")]);
        let second = labels(&[("z", "b"), ("y", "b"), ("x", "a"), ("v", "a")]);
        let ag = compare(&first, &second, None).unwrap();
        assert_eq!((ag.only_first, ag.only_second), (1, 1));
        assert_eq!(ag.report.n_items, 3);
        assert!((ag.report.observed_agreement - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(ag.report.confusion_matrix.labels, vec!["a", "b"]);
        assert_eq!(
            ag.report.confusion_matrix.counts,
            vec![vec![1, 1], vec![0, 1]]
        );
        assert!(compare(&first, &labels(&[("q", "a")]), None).is_err());
    }

    #[test]
    fn reads_both_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.jsonl");
        std::fs::write(
            &plain,
            "{\"id\":\"x\",\"label\":\"a\"}\n\n{\"id\":\"y\",\"label\":\"b\"}\n",
        )
        .unwrap();
        assert_eq!(
            load_labels(&plain, "stance").unwrap(),
            labels(&[("x", "a"), ("y", "b")])
        );
        let gold = dir.path().join("gold.jsonl");
        std::fs::write(&gold, "{\"doc_id\":\"d\",\"quotes\":[{\"quote_id\":\"d:q01\",\"stance\":\"none\",\"sentiment\":\"neutral\"}]}\n").unwrap();
        assert_eq!(
            load_labels(&gold, "sentiment").unwrap(),
            labels(&[("d:q01", "neutral")])
        );
        std::fs::write(
            &plain,
            "{\"id\":\"x\",\"label\":\"a\"}\n{\"id\":\"x\",\"label\":\"b\"}\n",
        )
        .unwrap();
        let err = load_labels(&plain, "stance").unwrap_err().to_string();
        assert!(
            err.ends_with("a.jsonl:2: item \"x\" is labelled twice"),
            "{err}"
        );
        std::fs::write(&plain, "{\"text\":\"x\"}\n").unwrap();
        assert!(load_labels(&plain, "stance")
            .unwrap_err()
            .to_string()
            .contains("a.jsonl:1: expected"));
    }
}
