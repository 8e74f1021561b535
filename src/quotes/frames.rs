//! Attributions found by something other than the rules (a learned span tagger), given as
//! byte ranges, made into the same [`Quote`] records the rules write: content trimmed to the
//! record's convention, kind read from the quotation marks, speakers resolved to actors by the
//! same [`crate::actors`] pass. That is where the rules and a tagger meet, so one scorer reads
//! either, and [`merge`] combines them.

use super::{finish, spans, Kind, Quote, Span};
use crate::actors::{self, Registry};
use crate::corpus::Document;
use crate::text::tokens::{self, TokKind, Token};

/// One attribution as byte ranges into a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The content's pieces (a split quote has several), in text order.
    pub content: Vec<(usize, usize)>,
    /// The cue ("said", "according to").
    pub cue: (usize, usize),
    /// The source mention, when one was found.
    pub source: Option<(usize, usize)>,
}

/// The quote records of `frames` in `doc`, sorted and numbered as [`super::extract_with`]
/// numbers its own; `registry`, when given, links actors across documents.
pub fn from_frames(doc: &Document, frames: &[Frame], registry: Option<&Registry>) -> Vec<Quote> {
    let text = doc.text.as_str();
    let toks = tokens::tokenize(text);
    let quotations = spans::pair(&toks);
    let datelines = tokens::datelines(text, &toks);
    let mut hidden = vec![false; toks.len()];
    for (a, b) in quotations
        .iter()
        .map(|q| (q.first, q.last + 1))
        .chain(datelines.iter().copied())
    {
        hidden[a..b].fill(true);
    }
    let mentions: Vec<Option<(usize, usize)>> = frames
        .iter()
        .map(|f| f.source.and_then(|s| token_range(&toks, s)))
        .collect();
    // A source inside a quotation ("“…,” said Mr. X" is outside; a tagged word inside the
    // marks is not a mention the clustering may use).
    let visible: Vec<Option<(usize, usize)>> = mentions
        .iter()
        .map(|m| m.filter(|&(a, b)| !hidden[a..b].iter().all(|&h| h)))
        .collect();
    let resolved = actors::resolve(
        text,
        &toks,
        &hidden,
        &visible,
        doc.date.as_deref(),
        registry,
    );
    let char_starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let scalar = |b: usize| char_starts.partition_point(|&c| c < b);
    let span = |(a, b): (usize, usize)| Span {
        text: text[a..b].to_string(),
        start: scalar(a),
        end: scalar(b),
    };
    let mut out = Vec::new();
    for ((frame, mention), actor) in frames.iter().zip(&mentions).zip(resolved) {
        let speaker = mention.map(|(a, b)| span((toks[a].byte_start, toks[b - 1].byte_end)));
        for &piece in &frame.content {
            let Some((start, end)) = trimmed(text, piece) else {
                continue;
            };
            out.push(Quote {
                doc_id: doc.id.clone(),
                quote_id: String::new(),
                kind: kind_of(&toks, &quotations, piece),
                text: text[start..end].to_string(),
                start: scalar(start),
                end: scalar(end),
                byte_start: start,
                byte_end: end,
                cue: span(frame.cue),
                speaker: speaker.clone(),
                actor_id: actor.as_ref().map(|x| x.id.clone()),
                actor: actor.as_ref().map(|x| x.name.clone()),
                sentiment: None,
                stance: None,
                extra: serde_json::Map::new(),
            });
        }
    }
    finish(&doc.id, out)
}

/// The rules' quotes, and each of `learned`'s attributions (quotes sharing a cue) whose content
/// overlaps none of the rules' contents: the rules are precise where they fire (direct quotes
/// and their frames), the tagger finds reported speech they miss. Renumbered in document order.
pub fn merge(doc_id: &str, mut rules: Vec<Quote>, learned: Vec<Quote>) -> Vec<Quote> {
    // Sorted by start with the running maximum of ends, a rule content overlaps q exactly when
    // one starting before q's end reaches past q's start: a binary search, not a scan.
    rules.sort_by_key(|r| (r.start, r.end));
    let reach: Vec<usize> = rules
        .iter()
        .scan(0, |max, r| {
            *max = r.end.max(*max);
            Some(*max)
        })
        .collect();
    let overlaps = |q: &Quote| {
        let before = rules.partition_point(|r| r.start < q.end);
        before > 0 && reach[before - 1] > q.start
    };
    let mut clashing_cues: Vec<(usize, usize)> = learned
        .iter()
        .filter(|q| overlaps(q))
        .map(|q| (q.cue.start, q.cue.end))
        .collect();
    clashing_cues.sort_unstable();
    let kept: Vec<Quote> = learned
        .into_iter()
        .filter(|q| {
            clashing_cues
                .binary_search(&(q.cue.start, q.cue.end))
                .is_err()
        })
        .collect();
    finish(doc_id, rules.into_iter().chain(kept).collect())
}

/// The tokens of `text` a byte range touches, as a half-open token range.
fn token_range(toks: &[Token], (a, b): (usize, usize)) -> Option<(usize, usize)> {
    let first = toks.partition_point(|t| t.byte_end <= a);
    let last = toks.partition_point(|t| t.byte_start < b);
    (first < last).then_some((first, last))
}

/// A content piece without the surrounding whitespace, quotation marks and trailing commas or
/// semicolons, as the rules write content; `None` when nothing is left.
fn trimmed(text: &str, (a, b): (usize, usize)) -> Option<(usize, usize)> {
    let strip = |c: char| c.is_whitespace() || matches!(c, '"' | '“' | '”' | '«' | '»' | '„');
    let piece = &text[a..b];
    let start = a + (piece.len() - piece.trim_start_matches(strip).len());
    let rest = &text[start..b];
    let end = start
        + rest
            .trim_end_matches(|c: char| strip(c) || matches!(c, ',' | ';'))
            .len();
    (start < end).then_some((start, end))
}

/// Direct when the piece lies inside one quotation, mixed when it holds a quotation mark,
/// else indirect.
fn kind_of(toks: &[Token], quotations: &[spans::QuoteSpan], piece: (usize, usize)) -> Kind {
    let Some((a, b)) = token_range(toks, piece) else {
        return Kind::Indirect;
    };
    let mut words = (a..b).filter(|&i| toks[i].kind == TokKind::Word);
    let (first, last) = (words.next(), words.next_back());
    // Quotations do not overlap and come in text order: only the last one opening before the
    // first word can hold the piece.
    let holder = first.and_then(|w| {
        let opened = quotations.partition_point(|q| q.first < w);
        opened.checked_sub(1).map(|i| &quotations[i])
    });
    let inside = |q: &spans::QuoteSpan| last.or(first).is_some_and(|l| l <= q.last);
    if holder.is_some_and(inside) {
        Kind::Direct
    } else if (a..b).any(|i| matches!(toks[i].kind, TokKind::Open | TokKind::Close)) {
        Kind::Mixed
    } else {
        Kind::Indirect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document {
            id: "d".into(),
            text: text.into(),
            ..Document::default()
        }
    }

    fn range(text: &str, needle: &str) -> (usize, usize) {
        let a = text.find(needle).unwrap();
        (a, a + needle.len())
    }

    #[test]
    fn frames_become_records_with_kinds_trimmed_content_and_resolved_speakers() {
        let text = "Sergey Lavrov spoke in Moscow. “We will respond,” Mr. Lavrov said. \
                    He added that the talks would go on.";
        let d = doc(text);
        let frames = [
            Frame {
                content: vec![range(text, "“We will respond,”")],
                cue: range(text, "said"),
                source: Some(range(text, "Mr. Lavrov")),
            },
            Frame {
                content: vec![range(text, "that the talks would go on.")],
                cue: range(text, "added"),
                source: Some(range(text, "He")),
            },
        ];
        let q = from_frames(&d, &frames, None);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].kind, Kind::Direct);
        assert_eq!(q[0].text, "We will respond");
        assert_eq!(q[0].speaker.as_ref().unwrap().text, "Mr. Lavrov");
        assert_eq!(q[1].kind, Kind::Indirect);
        assert_eq!(q[1].actor, q[0].actor);
        assert!(q[0].actor.is_some());
        assert_eq!(q[1].quote_id, "d:q0002");
        let chars: String = text
            .chars()
            .skip(q[0].start)
            .take(q[0].end - q[0].start)
            .collect();
        assert_eq!(chars, q[0].text);
        assert_eq!(&text[q[1].byte_start..q[1].byte_end], q[1].text);
    }

    #[test]
    fn merge_keeps_rules_and_adds_whole_learned_attributions_that_do_not_clash() {
        // The second sentence has no attribution the rules know: a tagger's frame is whatever
        // it tagged.
        let text = "“No,” he said. Weather was mild in Warsaw, the agency noted drily.";
        let d = doc(text);
        let rules = super::super::extract(&d);
        assert_eq!(rules.len(), 1, "{rules:?}");
        let learned = from_frames(
            &d,
            &[
                Frame {
                    content: vec![range(text, "No")],
                    cue: range(text, "said"),
                    source: None,
                },
                Frame {
                    content: vec![range(text, "Weather was mild in Warsaw,")],
                    cue: range(text, "noted drily"),
                    source: Some(range(text, "the agency")),
                },
            ],
            None,
        );
        assert_eq!(learned.len(), 2);
        let merged = merge("d", rules.clone(), learned);
        let texts: Vec<&str> = merged.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [rules[0].text.as_str(), "Weather was mild in Warsaw"]
        );
        assert_eq!(merged[0], rules[0]);
        assert_eq!(merged[1].quote_id, "d:q0002");
        assert_eq!(merged[1].speaker.as_ref().unwrap().text, "the agency");
    }
}
