//! The masked item stream: tokens outside quotations, with each quotation collapsed to a
//! single item, split into sentences at terminal punctuation and line breaks. Attribution rules read this stream, so
//! the words inside a quote never look like a cue or a speaker, and a quote never splits a
//! sentence.

use super::spans::QuoteSpan;
use crate::text::lexicon::{self, CueClass};
use crate::text::tokens::{TokKind, Token};

/// Longest sentence in items: longer runs (lists, tables, garbage) are cut, which keeps
/// every per-sentence rule linear in the document size.
const MAX_SENTENCE: usize = 200;

/// One unit of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A token outside any quotation (index into the tokens).
    Tok(usize),
    /// A whole quotation (index into the quote spans).
    Quote(usize),
}

/// A sentence: a range of items.
#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// Tokens, quotations and the stream built over them.
pub struct Stream<'a> {
    pub tokens: &'a [Token],
    pub quotes: &'a [QuoteSpan],
    pub items: Vec<Item>,
    pub sentences: Vec<Sentence>,
}

/// A quotation ending in ".", "!" or "?" ends its sentence when a capitalised word or another
/// quotation follows,
/// unless a speech cue closing a short clause or followed by an adverbial, or a verb of telling,
/// comes within a few words ("“…!” Mr. Gates said.", "“…!” Trump said on Twitter.", "“…?”
/// Trump told ITV on Monday.").
fn ends_sentence(tokens: &[Token], last: usize) -> bool {
    let terminal = last > 0
        && matches!(tokens[last - 1].ch(), '.' | '!' | '?' | '…')
        && tokens[last - 1].kind == TokKind::Punct;
    let next_cap = tokens
        .get(last + 1)
        .is_some_and(|t| (t.kind == TokKind::Word && t.cap) || t.kind == TokKind::Open);
    if !(terminal && next_cap) {
        return false;
    }
    let window = &tokens[last + 1..tokens.len().min(last + 7)];
    !window
        .windows(2)
        .any(|w| match lexicon::cue_class(&w[0].lower) {
            Some(CueClass::Tell) => true,
            Some(CueClass::Belief) | None => false,
            Some(_) => {
                w[1].is(',')
                    || w[1].is('.')
                    || (lexicon::is_cue_adverbial(&w[1].lower)
                        && !lexicon::is_determiner(&w[1].lower))
            }
        })
}

impl<'a> Stream<'a> {
    /// Builds the stream in one pass over the tokens, leaving out the `datelines` (token
    /// ranges, in order).
    pub fn new(tokens: &'a [Token], quotes: &'a [QuoteSpan], datelines: &[(usize, usize)]) -> Self {
        let mut items = Vec::with_capacity(tokens.len());
        let mut sentences = Vec::new();
        let mut sent_start = 0;
        let mut next_quote = 0;
        let mut next_dateline = 0;
        let mut i = 0;
        let mut close = |items: &Vec<Item>, start: &mut usize| {
            if items.len() > *start {
                sentences.push(Sentence {
                    start: *start,
                    end: items.len(),
                });
            }
            *start = items.len();
        };
        while i < tokens.len() {
            // A dateline inside a quotation was passed over with it.
            while datelines.get(next_dateline).is_some_and(|d| d.0 < i) {
                next_dateline += 1;
            }
            if let Some(&(_, end)) = datelines.get(next_dateline).filter(|d| d.0 == i) {
                i = end;
                continue;
            }
            if next_quote < quotes.len() && quotes[next_quote].first == i {
                let last = quotes[next_quote].last;
                items.push(Item::Quote(next_quote));
                if ends_sentence(tokens, last) {
                    close(&items, &mut sent_start);
                }
                i = last + 1;
                next_quote += 1;
                continue;
            }
            let t = &tokens[i];
            match t.kind {
                TokKind::Para | TokKind::Line => close(&items, &mut sent_start),
                _ => {
                    items.push(Item::Tok(i));
                    let terminal = t.kind == TokKind::Punct && matches!(t.ch(), '.' | '!' | '?');
                    if terminal || items.len() - sent_start >= MAX_SENTENCE {
                        close(&items, &mut sent_start);
                    }
                }
            }
            i += 1;
        }
        close(&items, &mut sent_start);
        Stream {
            tokens,
            quotes,
            items,
            sentences,
        }
    }

    /// The token behind item `i`, unless it is a quotation.
    pub fn tok(&self, i: usize) -> Option<&Token> {
        match self.items.get(i)? {
            Item::Tok(t) => Some(&self.tokens[*t]),
            Item::Quote(_) => None,
        }
    }

    /// The lowercase word at item `i`, if it is a word.
    pub fn word(&self, i: usize) -> Option<&str> {
        self.tok(i)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.lower.as_str())
    }

    /// True when item `i` is a capitalised word.
    pub fn cap(&self, i: usize) -> bool {
        self.tok(i)
            .is_some_and(|t| t.kind == TokKind::Word && t.cap)
    }

    /// True when item `i` is the punctuation `c`.
    pub fn punct(&self, i: usize, c: char) -> bool {
        self.tok(i).is_some_and(|t| t.is(c))
    }

    /// True when item `i` is a quotation.
    pub fn is_quote(&self, i: usize) -> bool {
        matches!(self.items.get(i), Some(Item::Quote(_)))
    }

    /// True for items that end a phrase outright: quotations and clause punctuation.
    pub fn is_break(&self, i: usize) -> bool {
        self.is_quote(i)
            || self.tok(i).is_some_and(|t| {
                t.kind == TokKind::Punct && matches!(t.ch(), ';' | ':' | '—' | '–' | '(' | ')')
            })
    }

    /// First token index covered by item `i`.
    pub fn first_token(&self, i: usize) -> usize {
        match self.items[i] {
            Item::Tok(t) => t,
            Item::Quote(q) => self.quotes[q].first,
        }
    }

    /// Last token index covered by item `i`.
    pub fn last_token(&self, i: usize) -> usize {
        match self.items[i] {
            Item::Tok(t) => t,
            Item::Quote(q) => self.quotes[q].last,
        }
    }
}
