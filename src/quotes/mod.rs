//! Quote extraction: every direct, mixed and reported attribution in a document, with content,
//! cue and speaker spans, resolved to actors.
//!
//! Pipeline, one linear pass each: [`tokens`] → [`spans`] (quotation-mark pairing) →
//! [`stream`] (quotations masked, sentences) → [`attribution`] (cues, [`speaker`]s, content
//! shapes) → [`crate::actors`] (mentions clustered into actors) → [`Quote`] records.

mod attribution;
pub mod lexicon;
pub mod spans;
mod speaker;
mod stream;
pub mod tokens;

use crate::actors::{self, Registry};
use crate::corpus::Document;
use serde::{Deserialize, Serialize};

/// How the content is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Wholly inside quotation marks.
    Direct,
    /// Reported speech holding a quoted fragment: said the system “would not constitute a threat”.
    Mixed,
    /// Reported speech without quotation marks: "X said that …", "according to X, …".
    Indirect,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 3] = [Kind::Direct, Kind::Mixed, Kind::Indirect];

    /// The lowercase name used in JSONL and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Mixed => "mixed",
            Kind::Indirect => "indirect",
        }
    }
}

/// A span of document text: Unicode scalar offsets, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One quote record, one JSONL line of `stancer quotes`.
///
/// A split quote ("“…,” she said, “…”") and a continuation quote give one record per quoted
/// piece, sharing cue and speaker. Later stages (stance, sentiment) add their fields to
/// `extra`, which is flattened into the same JSON object, so a record read and written by any
/// stage keeps everything the earlier stages put there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub doc_id: String,
    /// `doc_id` + ":q" + 4-digit ordinal in document order; stable for the same input.
    pub quote_id: String,
    pub kind: Kind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub cue: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Fields added by later stages (`stance`, `sentiment`, …).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Extracts the quotes of one document, resolving speakers within the document only.
pub fn extract(doc: &Document) -> Vec<Quote> {
    extract_with(doc, None)
}

/// Extracts the quotes of one document; `registry`, when given, links actors across documents.
pub fn extract_with(doc: &Document, registry: Option<&Registry>) -> Vec<Quote> {
    let text = doc.text.as_str();
    let toks = tokens::tokenize(text);
    let quotes = spans::pair(&toks);
    let s = stream::Stream::new(&toks, &quotes);
    let found = attribution::find(&s);

    let token_range = |(a, b): (usize, usize)| (s.first_token(a), s.last_token(b - 1) + 1);
    // One speaker mention per coordinated speaker; each gets its own records.
    let mentions: Vec<Vec<(usize, usize)>> = found
        .iter()
        .map(|a| {
            a.speaker
                .map(|sp| {
                    speaker::mentions(&s, sp)
                        .into_iter()
                        .map(token_range)
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let flat: Vec<Option<(usize, usize)>> = mentions.iter().flatten().copied().map(Some).collect();
    let mut in_quote = vec![false; toks.len()];
    for q in &quotes {
        in_quote[q.first..=q.last]
            .iter_mut()
            .for_each(|b| *b = true);
    }
    let mut resolved =
        actors::resolve(text, &toks, &in_quote, &flat, doc.date.as_deref(), registry).into_iter();

    let text_span = |(a, b): (usize, usize)| Span {
        text: text[toks[a].byte_start..toks[b - 1].byte_end].to_string(),
        start: toks[a].start,
        end: toks[b - 1].end,
    };
    let mut out = Vec::new();
    for (a, ments) in found.iter().zip(&mentions) {
        let cue = text_span(token_range(a.cue));
        let speakers: Vec<(Option<Span>, Option<actors::Actor>)> = if ments.is_empty() {
            vec![(None, None)]
        } else {
            ments
                .iter()
                .map(|&m| (Some(text_span(m)), resolved.next().flatten()))
                .collect()
        };
        for &piece in &a.pieces {
            let kind = attribution::kind_of(&s, &[piece]);
            for (first, last) in content_tokens(&s, piece, kind) {
                for (speaker, actor) in &speakers {
                    let (t0, t1) = (&toks[first], &toks[last]);
                    out.push(Quote {
                        doc_id: doc.id.clone(),
                        quote_id: String::new(),
                        kind,
                        text: text[t0.byte_start..t1.byte_end].to_string(),
                        start: t0.start,
                        end: t1.end,
                        byte_start: t0.byte_start,
                        byte_end: t1.byte_end,
                        cue: cue.clone(),
                        speaker: speaker.clone(),
                        actor_id: actor.as_ref().map(|x| x.id.clone()),
                        actor: actor.as_ref().map(|x| x.name.clone()),
                        extra: serde_json::Map::new(),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (a.start, a.end, a.speaker.as_ref().map(|s| s.start)).cmp(&(
            b.start,
            b.end,
            b.speaker.as_ref().map(|s| s.start),
        ))
    });
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.speaker == b.speaker);
    for (i, q) in out.iter_mut().enumerate() {
        q.quote_id = format!("{}:q{:04}", doc.id, i + 1);
    }
    out
}

/// The content of one piece as inclusive token ranges, following the span rules of
/// `datasets/missile-shield/GUIDE.md`: a direct quote is the text between its marks, one range
/// per paragraph when it continues across paragraphs; reported content drops a leading "that"
/// and trailing commas.
fn content_tokens(s: &stream::Stream, (a, b): (usize, usize), kind: Kind) -> Vec<(usize, usize)> {
    let toks = s.tokens;
    if kind == Kind::Direct {
        let (first, last) = (s.first_token(a), s.last_token(b - 1));
        let inner_end = if toks[last].kind == tokens::TokKind::Close {
            last
        } else {
            last + 1
        };
        let mut out = Vec::new();
        let mut seg = first + 1;
        for i in first + 1..=inner_end {
            if i == inner_end || toks[i].kind == tokens::TokKind::Para {
                let from = if toks
                    .get(seg)
                    .is_some_and(|t| t.kind == tokens::TokKind::Open)
                {
                    seg + 1
                } else {
                    seg
                };
                if from < i {
                    out.push((from, i - 1));
                }
                seg = i + 1;
            }
        }
        return out;
    }
    let mut a = a;
    if s.word(a) == Some("that") && b > a + 1 {
        a += 1;
    }
    let mut b = b;
    while b > a + 1 && (s.punct(b - 1, ',') || s.punct(b - 1, ';')) {
        b -= 1;
    }
    vec![(s.first_token(a), s.last_token(b - 1))]
}
