//! NewsMTSC (Hamborg & Donnay 2021): sentences from political news with the sentiment each
//! expresses toward one or more persons named in it (polarity 2 negative, 4 neutral, 6 positive).
//!
//! Each (sentence, target) is one item; the target is its mention as written, which is the
//! model's second input.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

/// One sentence-target pair.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsMtscItem {
    /// The target's `Input.gid`.
    pub id: String,
    /// The sentence.
    pub text: String,
    /// The target mention.
    pub mention: String,
    /// `negative`, `neutral` or `positive`.
    pub label: String,
}

#[derive(Deserialize)]
struct Line {
    sentence_normalized: String,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(rename = "Input.gid")]
    gid: String,
    mention: String,
    polarity: f64,
}

/// Reads a NewsMTSC JSONL file; errors name the file and line.
pub fn load(path: &Path) -> Result<Vec<NewsMtscItem>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} (is it UTF-8?)", path.display()))?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n + 1;
        let parsed: Line = serde_json::from_str(line)
            .with_context(|| format!("{}:{line_no}: not a NewsMTSC record", path.display()))?;
        for target in parsed.targets {
            let label = match target.polarity {
                2.0 => "negative",
                4.0 => "neutral",
                6.0 => "positive",
                p => anyhow::bail!(
                    "{}:{line_no}: unknown polarity {p} (expected 2, 4 or 6)",
                    path.display()
                ),
            };
            items.push(NewsMtscItem {
                id: target.gid,
                text: parsed.sentence_normalized.clone(),
                mention: target.mention,
                label: label.to_string(),
            });
        }
    }
    anyhow::ensure!(!items.is_empty(), "{}: no targets found", path.display());
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_is_an_item_and_bad_polarity_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("train.jsonl");
        std::fs::write(
            &path,
            r#"{"primary_gid": "g", "sentence_normalized": "Ann praised Bob.", "targets": [{"Input.gid": "g1", "from": 0, "to": 3, "mention": "Ann", "polarity": 4.0}, {"Input.gid": "g2", "from": 12, "to": 15, "mention": "Bob", "polarity": 6.0}]}"#,
        )
        .unwrap();
        let items = load(&path).unwrap();
        assert_eq!(
            items
                .iter()
                .map(|i| (i.mention.as_str(), i.label.as_str()))
                .collect::<Vec<_>>(),
            [("Ann", "neutral"), ("Bob", "positive")]
        );
        std::fs::write(&path, "\n{\"sentence_normalized\": \"x\", \"targets\": [{\"Input.gid\": \"g\", \"mention\": \"m\", \"polarity\": 3.0}]}\n").unwrap();
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(
            err.contains("train.jsonl:2") && err.contains("polarity 3"),
            "{err}"
        );
    }
}
