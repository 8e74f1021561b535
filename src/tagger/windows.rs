//! A document cut into the pieces the tagger reads: paragraphs (lines), each cut further at
//! its last sentence end that fits when it holds more tokens than the model's limit.

use crate::encoders::{OffsetTokens, TextTokenizer};
use anyhow::{Context, Result};

/// One piece of a document: its byte range and its tokens, offsets into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// First byte.
    pub start: usize,
    /// End byte, exclusive.
    pub end: usize,
    /// Token ids (special tokens included) and byte ranges into the document.
    pub tokens: OffsetTokens,
}

/// The windows of `text`, in text order, each within the tokenizer's limit. Linear in the text:
/// a paragraph is tokenised once, plus once more per cut.
pub fn windows(text: &str, tokenizer: &TextTokenizer) -> Result<Vec<Window>> {
    let mut pending: Vec<(usize, usize)> = paragraphs(text);
    let mut out = Vec::new();
    while !pending.is_empty() {
        let pieces: Vec<&str> = pending.iter().map(|&(a, b)| &text[a..b]).collect();
        let encoded = tokenizer.tokenize_with_offsets(&pieces)?;
        let mut rest = Vec::new();
        for (&(start, end), tokens) in pending.iter().zip(encoded) {
            let piece = &text[start..end];
            let covered = tokens.offsets.iter().flatten().last().map_or(0, |r| r.1);
            let (end, mut tokens) = if piece[covered..].trim().is_empty() {
                (end, tokens)
            } else {
                let cut = cut_point(piece, &tokens);
                let next = start + cut + (piece[cut..].len() - piece[cut..].trim_start().len());
                if next < end {
                    rest.push((next, end));
                }
                // Tokenised again, not truncated, so the special tokens close the window.
                let again = tokenizer
                    .tokenize_with_offsets(&[&piece[..cut]])?
                    .pop()
                    .context("the tokenizer returned nothing")?;
                (start + cut, again)
            };
            for range in tokens.offsets.iter_mut().flatten() {
                range.0 += start;
                range.1 += start;
            }
            out.push(Window { start, end, tokens });
        }
        pending = rest;
    }
    out.sort_by_key(|w| w.start);
    Ok(out)
}

/// Non-blank lines of `text` as trimmed byte ranges.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let lead = line.len() - line.trim_start().len();
        let body = line.trim();
        if !body.is_empty() {
            out.push((at + lead, at + lead + body.len()));
        }
        at += line.len();
    }
    out
}

/// Where to cut a piece whose tokens (truncated at the limit) do not reach its end: after the
/// last sentence end among them in the second half, else before the last token that starts a
/// word, so a word is never split; never at 0.
fn cut_point(piece: &str, tokens: &OffsetTokens) -> usize {
    let ranges: Vec<(usize, usize)> = tokens.offsets.iter().flatten().copied().collect();
    let half = ranges.last().map_or(0, |r| r.1) / 2;
    let sentence_end = ranges.iter().rev().find(|&&(a, z)| {
        z > half
            && matches!(&piece[a..z], "." | "?" | "!")
            && piece[z..].starts_with(char::is_whitespace)
    });
    if let Some(&(_, z)) = sentence_end {
        return z;
    }
    let word_start = ranges
        .iter()
        .rev()
        .map(|&(a, _)| a)
        .find(|&a| a > 0 && piece[..a].ends_with(char::is_whitespace));
    match word_start {
        Some(a) => piece[..a].trim_end().len(),
        None => ranges.last().map_or(piece.len(), |r| r.1.max(1)),
    }
}
