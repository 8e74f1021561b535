//! The repository's own gold format (`datasets/*/gold.jsonl`, schema in `datasets/README.md`)
//! as gold attributions: one line per article, its quotes and its explicit non-quotes.
//!
//! Only the fields attribution evaluation needs are read; stance and sentiment stay with the
//! stance evaluation.

use super::quotes::{GoldAttribution, GoldDoc};
use crate::corpus::Document;
use crate::quotes::Kind;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Line {
    doc_id: String,
    path: String,
    #[serde(default)]
    date: Option<String>,
    quotes: Vec<GoldQuote>,
    #[serde(default)]
    non_quotes: Vec<NonQuote>,
}

#[derive(Deserialize)]
struct GoldQuote {
    kind: Kind,
    start: usize,
    end: usize,
    cue: Range,
    speaker: Range,
    actor: String,
}

#[derive(Deserialize)]
struct Range {
    start: usize,
    end: usize,
}

/// A span where nothing may be extracted except the quote named by `within`.
#[derive(Debug, Clone, Deserialize)]
pub struct NonQuote {
    /// Start (Unicode scalar offset).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// The span's text, checked against the document.
    pub text: String,
    /// Why nothing there is a quote (scare quotes, a title, …).
    pub why: String,
    /// The gold quote this span lies inside, which may be extracted.
    #[serde(default)]
    pub within: Option<String>,
}

/// Reads a `gold.jsonl`; article paths are relative to its directory.
pub fn load(path: &Path) -> Result<Vec<GoldDoc>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{}:{}", path.display(), n + 1);
        let l: Line =
            serde_json::from_str(line).with_context(|| format!("{place}: invalid gold line"))?;
        let article = dir.join(&l.path);
        let body = std::fs::read_to_string(&article)
            .with_context(|| format!("{place}: cannot read {}", article.display()))?;
        let attributions = l
            .quotes
            .iter()
            .map(|q| GoldAttribution {
                kind: q.kind,
                content: vec![(q.start, q.end)],
                cue: vec![(q.cue.start, q.cue.end)],
                source: Some(vec![(q.speaker.start, q.speaker.end)]),
                actor: Some(q.actor.clone()),
            })
            .collect();
        out.push(GoldDoc {
            doc: Document {
                id: l.doc_id,
                text: body,
                date: l.date,
                ..Document::default()
            },
            publisher: "gold".into(),
            attributions,
            non_quotes: l.non_quotes,
        });
    }
    Ok(out)
}
