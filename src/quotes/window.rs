//! Huge documents in windows: extraction holds per-token state (about sixty times the text's
//! size), so a document above [`WINDOW_BYTES`] is cut at paragraph breaks into windows that are
//! extracted one at a time, with offsets and quote ids mapped back to the whole document.
//!
//! A document of at most [`WINDOW_BYTES`] is one window and is extracted exactly as
//! [`super::extract_with`] does. In a windowed document a quotation, a speaker or a pronoun's
//! antecedent that lies across a window break is not seen, which is what bounds the memory.

use super::{quote_id, Extractor, Quote};
use crate::actors::Registry;
use crate::corpus::Document;

/// Documents longer than this many bytes are extracted (and classified) window by window.
pub const WINDOW_BYTES: usize = 1 << 20;

/// A window of a document's text: byte range `start..end` and the Unicode scalar offset of
/// `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First byte.
    pub start: usize,
    /// End byte, exclusive.
    pub end: usize,
    /// Unicode scalar offset of `start` in the whole text.
    pub char_start: usize,
}

/// Cuts `text` into windows of at most `max` bytes (at least one character each), at the last
/// paragraph break that fits, else the last line break, else the last space, else at a character
/// boundary. The whitespace at a cut belongs to no window. A text of at most `max` bytes is one
/// window.
pub fn windows(text: &str, max: usize) -> Vec<Window> {
    let max = max.max(1);
    let mut out = Vec::new();
    let (mut pos, mut char_pos) = (0, 0);
    while text.len() - pos > max {
        let mut limit = pos + max;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let room = &text[pos..limit];
        let cut = [
            room.rfind("\n\n").max(room.rfind("\n\r\n")),
            room.rfind('\n'),
            room.rfind(' '),
        ]
        .into_iter()
        .flatten()
        .find(|&c| c > 0)
        .unwrap_or_else(|| {
            // No break at all: cut at a character boundary, at least one character in.
            let first = text[pos..].chars().next().map_or(1, char::len_utf8);
            (limit - pos).max(first)
        });
        let end = pos + cut;
        out.push(Window {
            start: pos,
            end,
            char_start: char_pos,
        });
        let next = end + (text[end..].len() - text[end..].trim_start().len());
        char_pos += text[pos..next].chars().count();
        pos = next;
    }
    if pos < text.len() || out.is_empty() {
        out.push(Window {
            start: pos,
            end: text.len(),
            char_start: char_pos,
        });
    }
    out
}

/// Extracts the quotes of one window of `doc` with `extractor`, with offsets into the whole
/// document and quote ids numbered on from `first_ordinal` (the number of quotes in the
/// document's earlier windows).
pub fn extract_window(
    doc: &Document,
    window: Window,
    extractor: &dyn Extractor,
    registry: Option<&Registry>,
    first_ordinal: usize,
) -> anyhow::Result<Vec<Quote>> {
    let part = Document {
        id: doc.id.clone(),
        date: doc.date.clone(),
        text: doc.text[window.start..window.end].to_string(),
        ..Document::default()
    };
    let mut quotes = extractor.extract(&part, registry)?;
    let (chars, bytes) = (window.char_start, window.start);
    for (i, q) in quotes.iter_mut().enumerate() {
        q.start += chars;
        q.end += chars;
        q.byte_start += bytes;
        q.byte_end += bytes;
        q.cue.start += chars;
        q.cue.end += chars;
        if let Some(s) = &mut q.speaker {
            s.start += chars;
            s.end += chars;
        }
        q.quote_id = quote_id(&doc.id, first_ordinal + i + 1);
    }
    Ok(quotes)
}

/// Calls `f` with the quotes of each window of `doc` (of at most `max` bytes) in order, as
/// `stancer quotes` writes them, so a huge document never holds all its quotes at once.
pub fn for_each_window(
    doc: &Document,
    max: usize,
    extractor: &dyn Extractor,
    registry: Option<&Registry>,
    mut f: impl FnMut(Vec<Quote>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut ordinal = 0;
    for window in windows(&doc.text, max) {
        let found = extract_window(doc, window, extractor, registry, ordinal)?;
        ordinal += found.len();
        f(found)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::extract_with;

    /// Every quote of `doc`, window by window as `stancer quotes` and `stancer run` read it.
    fn extract_windowed(doc: &Document, max: usize) -> Vec<Quote> {
        let mut out = Vec::new();
        for_each_window(doc, max, &super::super::Rules, None, |found| {
            out.extend(found);
            Ok(())
        })
        .unwrap();
        out
    }

    fn texts(text: &str, max: usize) -> Vec<&str> {
        windows(text, max)
            .into_iter()
            .map(|w| &text[w.start..w.end])
            .collect()
    }

    #[test]
    fn cuts_prefer_paragraphs_then_lines_then_spaces() {
        assert_eq!(texts("short", 100), ["short"]);
        assert_eq!(texts("", 100), [""]);
        assert_eq!(texts("aa bb\n\ncc dd\n\nee", 8), ["aa bb", "cc dd", "ee"]);
        assert_eq!(texts("aa bb\ncc dd", 8), ["aa bb", "cc dd"]);
        assert_eq!(texts("aa bb cc", 6), ["aa bb", "cc"]);
        assert_eq!(texts("abcdefgh", 3), ["abc", "def", "gh"]);
        // Never inside a character, and never an empty window.
        assert_eq!(texts("ééé", 3), ["é", "é", "é"]);
        assert_eq!(texts("ééé", 1), ["é", "é", "é"]);
    }

    #[test]
    fn scalar_offsets_follow_the_text() {
        let text = "é “a”\n\nü “b”\n\nx";
        for w in windows(text, 9) {
            assert_eq!(text[..w.start].chars().count(), w.char_start);
        }
    }

    #[test]
    fn windows_at_article_breaks_give_each_article_its_own_quotes() {
        let article = "“We can talk,” Ms. Rice said on Tuesday.\n\nMr. Lavrov said that Russia \
                       disagrees. “It is a threat,” he said. Über “alles”, said Mr. Gates.";
        let copies = 5;
        let whole = Document {
            id: "big".into(),
            date: Some("2008-03-18".into()),
            text: vec![article; copies].join("\n\n"),
            ..Document::default()
        };
        let alone = extract_with(
            &Document {
                text: article.into(),
                ..whole.clone()
            },
            None,
        );
        assert!(alone.len() >= 3);
        // Each window holds one article and its separator fits too.
        let got = extract_windowed(&whole, article.len() + 2);
        assert_eq!(windows(&whole.text, article.len() + 2).len(), copies);
        assert_eq!(got.len(), alone.len() * copies);
        let chars = article.chars().count() + 2;
        for (i, q) in got.iter().enumerate() {
            let (k, a) = (i / alone.len(), &alone[i % alone.len()]);
            assert_eq!(&whole.text[q.byte_start..q.byte_end], q.text);
            assert_eq!(
                (
                    q.start,
                    q.end,
                    &q.text,
                    &q.kind,
                    &q.speaker.as_ref().map(|s| &s.text)
                ),
                (
                    a.start + k * chars,
                    a.end + k * chars,
                    &a.text,
                    &a.kind,
                    &a.speaker.as_ref().map(|s| &s.text)
                )
            );
            assert_eq!(q.cue.start, a.cue.start + k * chars);
            assert_eq!(q.quote_id, format!("big:q{:04}", i + 1));
        }
        // Under the window size, nothing changes at all.
        assert_eq!(
            extract_windowed(&whole, whole.text.len()),
            extract_with(&whole, None)
        );
    }
}
