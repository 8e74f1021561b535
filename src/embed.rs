//! Inputs and records of the `embed` job: texts with ids in, one vector per text out.

use crate::encoders::TextModel;
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use unicode_segmentation::UnicodeSegmentation;

/// The bundled seed article, the default input of `stancer embed`.
const SEED_ARTICLE: &str =
    include_str!("../datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt");
const SEED_ID: &str = "nysun-2008-03-missile-shield-divide";

/// One text to embed, with the id its output record carries.
#[derive(Debug, Clone, PartialEq)]
pub struct TextInput {
    /// The input's own `id` field, else `<file>:<line>`.
    pub id: String,
    /// The text as given (not stripped: an all-blank text embeds like the empty string).
    pub text: String,
}

/// One output line of `stancer embed`.
#[derive(Debug, Serialize)]
pub struct EmbedRecord<'a> {
    /// The input's id.
    pub id: &'a str,
    /// The sentence embedding.
    pub embedding: Vec<f32>,
}

/// Embeds `texts` a few batches at a time and hands each chunk, with its vectors, to `sink`
/// before the next chunk runs, so memory holds one chunk of vectors however long the input is.
pub fn embed_streaming<T>(
    model: &TextModel,
    texts: &[T],
    text_of: impl Fn(&T) -> &str,
    batch_size: usize,
    mut sink: impl FnMut(&[T], Vec<Vec<f32>>) -> Result<()>,
) -> Result<()> {
    for chunk in texts.chunks(batch_size.max(1) * 16) {
        let refs: Vec<&str> = chunk.iter().map(&text_of).collect();
        sink(chunk, model.embed(&refs, batch_size)?)?;
    }
    Ok(())
}

/// Reads texts from a file (or `-` for stdin): JSONL objects with `text` and optional `id` when
/// the first non-blank line starts with `{`, else one text per non-blank line.
pub fn read_texts(path: &Path) -> Result<Vec<TextInput>> {
    let name = path.display().to_string();
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?)
    };
    parse_texts(BufReader::new(reader), &name)
}

fn parse_texts(reader: impl BufRead, name: &str) -> Result<Vec<TextInput>> {
    let mut texts = Vec::new();
    let mut jsonl: Option<bool> = None;
    for (index, line) in reader.split(b'\n').enumerate() {
        let lineno = index + 1;
        let bytes = line.with_context(|| format!("cannot read {name}"))?;
        let line = String::from_utf8(bytes)
            .map_err(|e| anyhow::anyhow!("{name}:{lineno}: invalid UTF-8: {e}"))?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        // A byte-order mark before the first line would hide its JSON (or its first word).
        let line = if index == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        let is_json = *jsonl.get_or_insert_with(|| line.trim_start().starts_with('{'));
        let text = if is_json {
            parse_json_line(line, name, lineno)?
        } else {
            TextInput {
                id: format!("{name}:{lineno}"),
                text: line.to_string(),
            }
        };
        texts.push(text);
    }
    if texts.is_empty() {
        anyhow::bail!("{name}: no texts found");
    }
    Ok(texts)
}

fn parse_json_line(line: &str, name: &str, lineno: usize) -> Result<TextInput> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| anyhow::anyhow!("{name}:{lineno}: malformed JSON: {e}"))?;
    let text = value
        .get("text")
        .and_then(|t| t.as_str())
        .ok_or_else(|| anyhow::anyhow!("{name}:{lineno}: no string field \"text\""))?;
    let id = match value.get("id") {
        None | Some(serde_json::Value::Null) => format!("{name}:{lineno}"),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    Ok(TextInput {
        id,
        text: text.to_string(),
    })
}

/// Abbreviations after which a Unicode sentence boundary is not a real one.
const ABBREVIATIONS: &[&str] = &[
    "Mr.", "Ms.", "Mrs.", "Dr.", "Gen.", "Sen.", "Rep.", "Gov.", "Prof.", "St.", "U.S.", "U.N.",
];

/// Splits text into sentences: Unicode (UAX #29) boundaries, re-joined after title
/// abbreviations such as "Mr." that UAX #29 cannot tell from a full stop.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start: Option<usize> = None;
    for (offset, piece) in text.split_sentence_bound_indices() {
        let begin = *start.get_or_insert(offset);
        let end = offset + piece.len();
        let joined = &text[begin..end];
        let last_word = joined.split_whitespace().last().unwrap_or("");
        if !ABBREVIATIONS.contains(&last_word) {
            out.push(joined.trim());
            start = None;
        }
    }
    if let Some(begin) = start {
        out.push(text[begin..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The seed article's sentences, ids `<doc>:s001`, ….
pub fn seed_sentences() -> Result<Vec<TextInput>> {
    Ok(sentences(SEED_ARTICLE)
        .into_iter()
        .enumerate()
        .map(|(i, s)| TextInput {
            id: format!("{SEED_ID}:s{:03}", i + 1),
            text: s.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_skip_blanks_and_keep_line_numbers() {
        let texts = parse_texts("first\n\n  \nsecond\r\n".as_bytes(), "in.txt").unwrap();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[1].id, "in.txt:4");
        assert_eq!(texts[1].text, "second");
    }

    #[test]
    fn a_byte_order_mark_before_the_first_line_is_dropped() {
        let texts =
            parse_texts("\u{feff}{\"id\": \"a\", \"text\": \"A\"}\n".as_bytes(), "x").unwrap();
        assert_eq!((texts[0].id.as_str(), texts[0].text.as_str()), ("a", "A"));
        let texts = parse_texts("\u{feff}plain\n".as_bytes(), "y").unwrap();
        assert_eq!(texts[0].text, "plain");
    }

    #[test]
    fn jsonl_takes_ids_and_names_bad_lines() {
        let texts = parse_texts(
            "{\"id\": 7, \"text\": \"a\"}\n{\"text\": \"b\"}\n".as_bytes(),
            "x.jsonl",
        )
        .unwrap();
        assert_eq!(texts[0].id, "7");
        assert_eq!(texts[1].id, "x.jsonl:2");
        let err = parse_texts("{\"text\": \"a\"}\n{oops\n".as_bytes(), "x.jsonl").unwrap_err();
        assert!(
            err.to_string().starts_with("x.jsonl:2: malformed JSON"),
            "{err}"
        );
        let err = parse_texts("{\"id\": 1}\n".as_bytes(), "x.jsonl").unwrap_err();
        assert!(
            err.to_string().contains("x.jsonl:1: no string field"),
            "{err}"
        );
    }

    #[test]
    fn invalid_utf8_and_empty_input_are_errors() {
        let err = parse_texts(&b"ok\n\xff\xfe\n"[..], "bad.txt").unwrap_err();
        assert!(
            err.to_string().starts_with("bad.txt:2: invalid UTF-8"),
            "{err}"
        );
        assert!(parse_texts(&b"\n \n"[..], "empty.txt").is_err());
    }

    #[test]
    fn titles_do_not_end_sentences() {
        assert_eq!(
            sentences("Mr. Lavrov said no. Ms. Rice agreed.\n\nEnd"),
            vec!["Mr. Lavrov said no.", "Ms. Rice agreed.", "End"]
        );
        assert!(sentences(" \n ").is_empty());
    }

    #[test]
    fn seed_article_splits_into_sentences() {
        let sentences = seed_sentences().unwrap();
        assert!(sentences.len() > 30, "{}", sentences.len());
        assert!(sentences
            .iter()
            .any(|s| s.text.contains("would not constitute a threat")));
        assert_eq!(sentences[0].id, "nysun-2008-03-missile-shield-divide:s001");
    }
}
