//! Quote extraction: every direct, mixed and reported attribution in a document, with content,
//! cue and speaker spans, resolved to actors.
//!
//! Pipeline, one linear pass each: [`tokens`] (and datelines) → [`spans`] (quotation-mark
//! pairing) → `stream` (quotations masked, datelines left out, sentences) → `attribution`
//! (cues, speakers, content shapes) → [`crate::actors`] (mentions clustered into actors) →
//! [`Quote`] records.
//!
//! The rules are one [`Extractor`]; a learned span tagger (`crate::tagger`) is another, whose
//! attributions become the same records through [`frames`], so either runs alone, both run
//! together ([`frames::merge`]), and one scorer reads them all.

mod attribution;
pub mod frames;
pub mod spans;
mod speaker;
mod stream;
pub mod window;

use crate::actors::{self, Registry};
use crate::corpus::Document;
use crate::prediction::Prediction;
use crate::text::tokens;
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
    /// The text, as in the document.
    pub text: String,
    /// Start.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
}

/// One quote record, one JSONL line of `stancer quotes`.
///
/// A split quote ("“…,” she said, “…”") and a continuation quote give one record per quoted
/// piece, sharing cue and speaker. Classification fills `stance` and `sentiment`; fields of an
/// input record that stancer does not know are kept in `extra`, flattened into the same JSON
/// object, so a record read and written by any stage keeps everything put there before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The document it was found in.
    pub doc_id: String,
    /// `doc_id` + ":q" + 4-digit ordinal in document order; stable for the same input.
    pub quote_id: String,
    /// Direct, indirect (reported speech) or mixed (a partial quote in reported speech).
    pub kind: Kind,
    /// The content, without its quotation marks.
    pub text: String,
    /// Start of the content (Unicode scalar offset into the document text).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Start as a byte offset, for readers that slice UTF-8.
    pub byte_start: usize,
    /// End as a byte offset, exclusive.
    pub byte_end: usize,
    /// The attribution verb or phrase ("said", "according to").
    pub cue: Span,
    /// The speaker mention the quote is attributed to, when found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Span>,
    /// The resolved actor's id, when the speaker resolved to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// The resolved actor's canonical name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Sentiment of the quote (`stancer run`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_json_value"
    )]
    pub sentiment: Option<Prediction>,
    /// Stance toward the task's target (`stancer run`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_json_value"
    )]
    pub stance: Option<Prediction>,
    /// Fields of an input record that no stage knows, written back as they came.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Writes a prediction through `serde_json::Value`, as records were written when predictions
/// lived in `extra`: keys sorted and each f32 score widened to f64, so outputs keep their bytes.
fn as_json_value<S: serde::Serializer>(p: &Option<Prediction>, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(p)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// Finds the quotes of a document.
pub trait Extractor: Send + Sync {
    /// The quotes of `doc`, offsets into its text, ids numbered from 1 in document order;
    /// `registry`, when given, links actors across documents.
    fn extract(&self, doc: &Document, registry: Option<&Registry>) -> anyhow::Result<Vec<Quote>>;

    /// What identifies a learned extractor's model in a run's plan; `None` for the rules.
    fn model_id(&self) -> Option<String> {
        None
    }
}

/// The rule-based extractor ([`extract_with`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules;

impl Extractor for Rules {
    fn extract(&self, doc: &Document, registry: Option<&Registry>) -> anyhow::Result<Vec<Quote>> {
        Ok(extract_with(doc, registry))
    }
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
    let datelines = tokens::datelines(text, &toks);
    let s = stream::Stream::new(&toks, &quotes, &datelines);
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
    // Tokens that hold no actor mention: quotations and datelines.
    let mut hidden = vec![false; toks.len()];
    for (a, b) in quotes
        .iter()
        .map(|q| (q.first, q.last + 1))
        .chain(datelines.iter().copied())
    {
        hidden[a..b].fill(true);
    }
    let mut resolved =
        actors::resolve(text, &toks, &hidden, &flat, doc.date.as_deref(), registry).into_iter();

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
                        sentiment: None,
                        stance: None,
                        extra: serde_json::Map::new(),
                    });
                }
            }
        }
    }
    finish(&doc.id, out)
}

/// A document's quote records in document order (by content, then speaker), one per content
/// and speaker, numbered from 1.
fn finish(doc_id: &str, mut out: Vec<Quote>) -> Vec<Quote> {
    out.sort_by(|a, b| {
        (a.start, a.end, a.speaker.as_ref().map(|s| s.start)).cmp(&(
            b.start,
            b.end,
            b.speaker.as_ref().map(|s| s.start),
        ))
    });
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.speaker == b.speaker);
    for (i, q) in out.iter_mut().enumerate() {
        q.quote_id = quote_id(doc_id, i + 1);
    }
    out
}

/// The id of a document's `ordinal`-th quote (from 1): `doc_id:q0001`.
fn quote_id(doc_id: &str, ordinal: usize) -> String {
    format!("{doc_id}:q{ordinal:04}")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document {
            id: "t".into(),
            text: text.into(),
            date: Some("2008-03-18".into()),
            ..Document::default()
        }
    }

    /// `sentences.toml`: sentences and the quotes extraction must find in them.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sentences {
        case: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        /// What the case shows, when its text does not say it.
        about: Option<String>,
        text: String,
        /// Every quote found, in order.
        quotes: Option<Vec<Expected>>,
        /// Instead of `quotes`: what any number of quotes found must all match.
        every: Option<Expected>,
    }

    /// The fields of a quote a case checks; the others are not checked.
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Expected {
        kind: Option<Kind>,
        text: Option<String>,
        cue: Option<String>,
        speaker: Option<String>,
        actor: Option<String>,
    }

    impl Expected {
        /// The fields of `q` that differ from the expected ones.
        fn mismatches(&self, q: &Quote) -> Vec<String> {
            let speaker = q.speaker.as_ref().map_or("", |s| s.text.as_str());
            let actor = q.actor.as_deref().unwrap_or("");
            let fields = [
                (
                    "kind",
                    self.kind.map(|k| k.as_str().to_string()),
                    q.kind.as_str(),
                ),
                ("text", self.text.clone(), q.text.as_str()),
                ("cue", self.cue.clone(), q.cue.text.as_str()),
                ("speaker", self.speaker.clone(), speaker),
                ("actor", self.actor.clone(), actor),
            ];
            fields
                .into_iter()
                .filter_map(|(name, want, got)| {
                    want.filter(|w| w != got)
                        .map(|w| format!("{name} {got:?}, expected {w:?}"))
                })
                .collect()
        }
    }

    #[test]
    fn sentences() {
        let cases: Sentences = toml::from_str(include_str!("sentences.toml")).unwrap();
        assert!(cases.case.len() > 100, "{} cases", cases.case.len());
        let mut failures = Vec::new();
        for case in &cases.case {
            let got = extract(&doc(&case.text));
            let problems: Vec<String> = match (&case.quotes, &case.every) {
                (Some(want), None) if want.len() != got.len() => {
                    vec![format!("{} quotes, expected {}", got.len(), want.len())]
                }
                (Some(want), None) => want
                    .iter()
                    .zip(&got)
                    .enumerate()
                    .flat_map(|(i, (w, q))| {
                        w.mismatches(q)
                            .into_iter()
                            .map(move |m| format!("quote {}: {m}", i + 1))
                    })
                    .collect(),
                (None, Some(every)) => got.iter().flat_map(|q| every.mismatches(q)).collect(),
                _ => vec!["give either `quotes` or `every`".to_string()],
            };
            if !problems.is_empty() {
                let found: Vec<(&str, &str, &str)> = got
                    .iter()
                    .map(|q| {
                        (
                            q.text.as_str(),
                            q.cue.text.as_str(),
                            q.speaker.as_ref().map_or("", |s| s.text.as_str()),
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{:?}{}\n  {}\n  found {found:?}",
                    case.text,
                    case.about
                        .as_ref()
                        .map_or(String::new(), |a| format!(" ({a})")),
                    problems.join("; ")
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases fail:\n{}",
            failures.len(),
            cases.case.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn registry_links_surnames_and_dated_roles() {
        let registry: Registry = toml::from_str(
            r#"
            [[actors]]
            name = "Vladimir Putin"
            roles = [{ title = "Russian president", from = "2000-05-07", to = "2008-05-07" }]
            [[actors]]
            name = "Dmitry Medvedev"
            roles = [{ title = "Russian president", from = "2008-05-07", to = "2012-05-07" }]
            [[actors]]
            name = "Robert Gates"
            "#,
        )
        .unwrap();
        let mut d = doc(
            "The Russian president said talks went well. Mr. Gates said the talks were useful.",
        );
        let q = extract_with(&d, Some(&registry));
        assert_eq!(q[0].actor.as_deref(), Some("Vladimir Putin"));
        assert_eq!(q[0].actor_id.as_deref(), Some("vladimir-putin"));
        assert_eq!(q[1].actor.as_deref(), Some("Robert Gates"));
        d.date = Some("2010-01-01".into());
        let q = extract_with(&d, Some(&registry));
        assert_eq!(q[0].actor.as_deref(), Some("Dmitry Medvedev"));
    }

    #[test]
    fn offsets_are_scalars_and_bytes_and_ids_are_stable() {
        let text = "Énergie — “Ça va,” dit-il. “Ça va,” Mr. Gates said.";
        let d = doc(text);
        let q = extract(&d);
        assert_eq!(q.len(), 1);
        let q = &q[0];
        assert_eq!(&text[q.byte_start..q.byte_end], q.text);
        let by_chars: String = text.chars().skip(q.start).take(q.end - q.start).collect();
        assert_eq!(by_chars, q.text);
        assert_eq!(q.quote_id, "t:q0001");
        assert_eq!(extract(&d)[0], *q);
    }

    #[test]
    fn records_round_trip_with_later_stage_fields() {
        let q = extract(&doc("“Yes,” she said."))[0].clone();
        let mut v = serde_json::to_value(&q).unwrap();
        v["stance"] = serde_json::json!({"label": "none", "model": "m", "scores": {"none": 0.75}});
        v["lang"] = serde_json::json!("en");
        let back: Quote = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back.stance.as_ref().unwrap().label, "none");
        assert_eq!(back.extra["lang"], "en");
        assert!(!back.extra.contains_key("stance"));
        assert_eq!(serde_json::to_value(&back).unwrap(), v);
    }
}
