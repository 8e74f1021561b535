//! Pairing of double quotation marks into quoted spans, in one left-to-right pass.
//!
//! Single marks (‘…’, '…') are never paired at the top level: they are nested quotes or
//! apostrophes, and stay inside whatever double-quoted span holds them. Curly double marks nest
//! (“… “inner” …”); a straight mark opening while a quote is open restarts it, since straight
//! marks cannot show nesting. A paragraph that ends
//! with a quote still open continues the quote when the next paragraph opens with a mark (the
//! news convention for multi-paragraph quotes); otherwise the unclosed mark is dropped.

use crate::text::tokens::{TokKind, Token};

/// A quoted span as token indices: `first` is the opening mark, `last` the closing mark (or the
/// last token before the paragraph break where a continued quote ran out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteSpan {
    /// Token index of the opening mark.
    pub first: usize,
    /// Token index of the closing mark, or of the last quoted token.
    pub last: usize,
}

/// Pairs the quotation marks in `tokens`. Linear: each mark is looked at once.
pub fn pair(tokens: &[Token]) -> Vec<QuoteSpan> {
    let mut out = Vec::new();
    // The quote in progress: opening mark, whether it crossed a paragraph, nesting depth.
    let mut open: Option<(usize, bool, u32)> = None;
    let mut continuation_mark: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokKind::Open => {
                if continuation_mark == Some(i) {
                    continuation_mark = None;
                    continue;
                }
                open = match open {
                    // A curly mark inside a curly quote nests (“… “Settle For Hillary” …”).
                    Some((first, crossed, depth)) if t.ch() != '"' && t.ch() != '\'' => {
                        Some((first, crossed, depth + 1))
                    }
                    _ => Some((i, false, 1)),
                };
            }
            TokKind::Close => match open {
                Some((first, _, 1)) => {
                    out.push(QuoteSpan { first, last: i });
                    open = None;
                }
                Some((first, crossed, depth)) => open = Some((first, crossed, depth - 1)),
                None => {}
            },
            TokKind::Para => {
                if let Some((first, crossed, _)) = open {
                    let next = tokens.get(i + 1);
                    if next.is_some_and(|n| n.kind == TokKind::Open) {
                        open = Some((first, true, 1));
                        continuation_mark = Some(i + 1);
                    } else {
                        open = None;
                        if crossed && i > first + 1 {
                            out.push(QuoteSpan { first, last: i - 1 });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((first, true, _)) = open {
        if tokens.len() > first + 1 {
            out.push(QuoteSpan {
                first,
                last: tokens.len() - 1,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::tokenize;

    fn quoted(text: &str) -> Vec<String> {
        let t = tokenize(text);
        pair(&t)
            .iter()
            .map(|q| text[t[q.first].byte_start..t[q.last].byte_end].to_string())
            .collect()
    }

    #[test]
    fn curly_and_straight_quotes_pair() {
        assert_eq!(quoted("He said “yes,” and \"no.\""), ["“yes,”", "\"no.\""]);
    }

    #[test]
    fn nested_single_quotes_stay_inside() {
        assert_eq!(
            quoted("“We dot the ‘i’s,” he said."),
            ["“We dot the ‘i’s,”"]
        );
    }

    #[test]
    fn paragraph_continuation_joins_paragraphs() {
        let text = "“First part.\n\n“Second part,” she said.";
        assert_eq!(
            quoted(text),
            [text[..text.find(" she").unwrap()].to_string()]
        );
    }

    #[test]
    fn unclosed_quote_without_continuation_is_dropped() {
        assert!(quoted("“Never closed.\n\nNext paragraph.").is_empty());
        assert!(quoted("stray ” close").is_empty());
    }

    #[test]
    fn curly_marks_nest_and_straight_marks_restart() {
        assert_eq!(quoted("“a “b” c” d"), ["“a “b” c”"]);
        assert_eq!(quoted("\"a \"b\" c"), ["\"b\""]);
    }
}
