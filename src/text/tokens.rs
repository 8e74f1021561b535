//! One linear pass over a document: word and punctuation tokens with byte and Unicode scalar
//! offsets, quotation marks classified as opening or closing, and paragraph / line breaks.
//!
//! Everything later in extraction works on token indices, so offsets are computed exactly once.
//! Datelines ("MOSCOW —") are found here too, as token ranges that later stages leave out.

use super::lexicon;

/// What a token is, as far as attribution rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters, digits, inner apostrophes and abbreviation periods ("Mr.", "U.S.", "don't").
    Word,
    /// Any other single non-space character.
    Punct,
    /// A double quotation mark that opens a quote (“, « or a straight " after space).
    Open,
    /// A double quotation mark that closes a quote (”, » or a straight " after a word).
    Close,
    /// A single line break: ends a sentence but not a paragraph.
    Line,
    /// A blank line: ends a paragraph.
    Para,
}

/// A token: its kind, its span in bytes and in Unicode scalar values, and a lowercased form
/// (apostrophes normalised to `'`) for lexicon look-ups.
#[derive(Debug, Clone)]
pub struct Token {
    /// Word, punctuation, quotation mark or break.
    pub kind: TokKind,
    /// Start byte.
    pub byte_start: usize,
    /// End byte, exclusive.
    pub byte_end: usize,
    /// Start (Unicode scalar offset).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Lowercased text, apostrophes normalised, for lexicon look-ups.
    pub lower: String,
    /// First character is uppercase.
    pub cap: bool,
}

impl Token {
    /// The token's first character, for punctuation tests.
    pub fn ch(&self) -> char {
        self.lower.chars().next().unwrap_or(' ')
    }

    /// True for a punctuation token equal to `c`.
    pub fn is(&self, c: char) -> bool {
        self.kind == TokKind::Punct && self.ch() == c
    }

    /// True for a word token whose lowercase form is `w`.
    pub fn word(&self, w: &str) -> bool {
        self.kind == TokKind::Word && self.lower == w
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Zero-width space: a break between words that takes no room, read as a space.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200B}'
}

/// Invisible format characters that web text carries inside and beside words (soft hyphen,
/// zero-width joiners, word joiner, byte-order mark, direction marks): tokens read through them
/// as if they were not there, so "Ri\u{AD}ce" is the word "rice" and a mark beside a quotation
/// mark does not hide it. Offsets still count them: they index the text as given.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// `raw` without its invisible characters (borrowed when it has none).
pub fn visible(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains(is_invisible) {
        raw.chars()
            .filter(|&c| !is_invisible(c))
            .collect::<String>()
            .into()
    } else {
        raw.into()
    }
}

/// The first index at or after `i` whose character is not invisible.
fn skip_invisible(chars: &[(usize, char)], mut i: usize) -> usize {
    while i < chars.len() && is_invisible(chars[i].1) {
        i += 1;
    }
    i
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits `text` into tokens in one pass.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 5);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let byte_at = |i: usize| if i < n { chars[i].0 } else { text.len() };
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if c == '\n' || c == '\r' {
            // A run of whitespace holding two or more newlines is a paragraph break.
            let s = i;
            let mut newlines = 0;
            while i < n && (is_space(chars[i].1) || is_invisible(chars[i].1)) {
                if chars[i].1 == '\n' {
                    newlines += 1;
                }
                i += 1;
            }
            let kind = if newlines >= 2 {
                TokKind::Para
            } else {
                TokKind::Line
            };
            push(&mut out, text, kind, byte_at(s), byte_at(i), s, i);
            continue;
        }
        if is_space(c) || is_invisible(c) {
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let s = i;
            i += 1;
            loop {
                let j = skip_invisible(&chars, i);
                if j < n && is_word_char(chars[j].1) {
                    i = j + 1;
                } else if j + 1 < n
                    && (is_apostrophe(chars[j].1) || chars[j].1 == '.' || chars[j].1 == '-')
                    && is_word_char(chars[j + 1].1)
                {
                    // Inner apostrophe (don't), inner period (U.S), inner hyphen (so-called).
                    i = j + 2;
                } else {
                    break;
                }
            }
            // Trailing abbreviation period: "Mr.", "U.S.", "J.", and a capitalised word closing a
            // parenthesis ("Sen. Rand Paul (R-Ky.) said"), which in news is a state or party
            // label, not the end of a sentence.
            if i < n && chars[i].1 == '.' {
                let word = visible(&text[byte_at(s)..byte_at(i)]);
                let after = skip_invisible(&chars, i + 1);
                let closes_paren = after < n && chars[after].1 == ')';
                let capitalised = word.chars().next().is_some_and(char::is_uppercase);
                if lexicon::is_abbreviation(&word, after >= n || is_space(chars[after].1))
                    || (closes_paren && capitalised)
                {
                    i += 1;
                }
            }
            push(&mut out, text, TokKind::Word, byte_at(s), byte_at(i), s, i);
            continue;
        }
        // Two straight apostrophes are a double mark (the NYT archive's ''…'').
        let width = if c == '\'' && i + 1 < n && chars[i + 1].1 == '\'' {
            2
        } else {
            1
        };
        let kind = match c {
            '“' | '«' | '„' => TokKind::Open,
            '”' | '»' => TokKind::Close,
            '"' => straight_mark(&chars, i, 1),
            '\'' if width == 2 => straight_mark(&chars, i, 2),
            _ => TokKind::Punct,
        };
        push(
            &mut out,
            text,
            kind,
            byte_at(i),
            byte_at(i + width),
            i,
            i + width,
        );
        i += width;
    }
    out
}

/// Longest dateline, in tokens ("PURCHASE, N.Y., April 1 (UPI) —" is 11).
const MAX_DATELINE: usize = 16;

/// Token ranges (end exclusive) of datelines: at the start of a line, a place in capitals,
/// optionally a comma and more words, optionally a parenthesised agency, then a dash ("MOSCOW
/// —", "NICE, France —", "WASHINGTON, Aug. 24 (UPI) —", "NEW YORK -"). A dateline is neither
/// content nor speaker. Linear: each line start looks at most `MAX_DATELINE` tokens ahead.
pub fn datelines(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    let n = tokens.len();
    let capitals = |t: &Token| {
        let raw = &text[t.byte_start..t.byte_end];
        t.kind == TokKind::Word
            && raw.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !raw.chars().any(char::is_lowercase)
    };
    let dash = |t: &Token| t.kind == TokKind::Punct && matches!(t.ch(), '—' | '–' | '―' | '-');
    let mut out = Vec::new();
    for i in 0..n {
        let line_start = i == 0 || matches!(tokens[i - 1].kind, TokKind::Line | TokKind::Para);
        if !line_start || !capitals(&tokens[i]) {
            continue;
        }
        let limit = n.min(i + MAX_DATELINE);
        let mut j = i;
        while j < limit && capitals(&tokens[j]) {
            j += 1;
        }
        if j < limit && tokens[j].is(',') {
            while j < limit
                && (tokens[j].kind == TokKind::Word || tokens[j].is(',') || tokens[j].is('.'))
            {
                j += 1;
            }
        }
        if j < limit && tokens[j].is('(') {
            match (j + 1..limit).find(|&k| tokens[k].kind != TokKind::Word) {
                Some(k) if k > j + 1 && tokens[k].is(')') => j = k + 1,
                _ => continue,
            }
        }
        let dashes = (j..limit).take_while(|&k| dash(&tokens[k])).count();
        if (1..=2).contains(&dashes) {
            out.push((i, j + dashes));
        }
    }
    out
}

/// A straight mark of `width` characters at `i` opens after space or an opening bracket and
/// closes after a word; standing alone between spaces it closes.
fn straight_mark(chars: &[(usize, char)], i: usize, width: usize) -> TokKind {
    let before = chars[..i].iter().rposition(|c| !is_invisible(c.1));
    let prev = before.map_or(' ', |p| chars[p].1);
    let next = chars
        .get(skip_invisible(chars, i + width))
        .map_or(' ', |c| c.1);
    let after_space = before.is_none() || is_space(prev) || "([{—–-/".contains(prev);
    if after_space && !(is_space(next) && before.is_some()) {
        TokKind::Open
    } else {
        TokKind::Close
    }
}

fn push(
    out: &mut Vec<Token>,
    text: &str,
    kind: TokKind,
    byte_start: usize,
    byte_end: usize,
    start: usize,
    end: usize,
) {
    let raw = visible(&text[byte_start..byte_end]);
    let cap = raw.chars().next().is_some_and(char::is_uppercase);
    let lower = if kind == TokKind::Word {
        raw.chars()
            .map(|c| if c == '’' { '\'' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    } else {
        raw.chars().next().map(String::from).unwrap_or_default()
    };
    out.push(Token {
        kind,
        byte_start,
        byte_end,
        start,
        end,
        lower,
        cap,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text)
            .iter()
            .map(|t| text[t.byte_start..t.byte_end].to_string())
            .collect()
    }

    #[test]
    fn abbreviations_and_apostrophes_stay_in_words() {
        assert_eq!(
            words("Mr. Lavrov’s U.S. trip didn't end."),
            ["Mr.", "Lavrov’s", "U.S.", "trip", "didn't", "end", "."]
        );
    }

    #[test]
    fn a_capitalised_label_closing_a_parenthesis_keeps_its_period() {
        assert_eq!(
            words("Sen. Jane Doe (D-Ore.) said it. (It rained.) Then"),
            [
                "Sen.", "Jane", "Doe", "(", "D-Ore.", ")", "said", "it", ".", "(", "It", "rained",
                ".", ")", "Then"
            ]
        );
    }

    #[test]
    fn quote_marks_are_classified() {
        let t = tokenize("He said \"no\" and “yes”, ''so''.");
        let kinds: Vec<_> = t
            .iter()
            .filter(|t| matches!(t.kind, TokKind::Open | TokKind::Close))
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                TokKind::Open,
                TokKind::Close,
                TokKind::Open,
                TokKind::Close,
                TokKind::Open,
                TokKind::Close
            ]
        );
    }

    #[test]
    fn offsets_count_scalars_and_bytes() {
        let text = "é “ab”";
        let t = tokenize(text);
        assert_eq!((t[1].start, t[1].byte_start), (2, 3));
        assert_eq!((t[2].start, t[2].end), (3, 5));
    }

    #[test]
    fn datelines_open_a_line_in_capitals_and_end_at_a_dash() {
        let dated = |text: &str| -> Vec<String> {
            let t = tokenize(text);
            datelines(text, &t)
                .iter()
                .map(|&(a, b)| text[t[a].byte_start..t[b - 1].byte_end].to_string())
                .collect()
        };
        assert_eq!(dated("NICE — Talks began."), ["NICE —"]);
        assert_eq!(
            dated("Intro.\nWASHINGTON, Aug. 24 (UPI) -- Talks began."),
            ["WASHINGTON, Aug. 24 (UPI) --"]
        );
        assert_eq!(dated("NEW YORK (AP) - Talks began."), ["NEW YORK (AP) -"]);
        // Not at a line start, not in capitals, or no dash.
        assert!(dated("Talks in NICE — began.").is_empty());
        assert!(dated("Nice — talks began.").is_empty());
        assert!(dated("NATO said talks began — again.").is_empty());
    }

    #[test]
    fn blank_lines_are_paragraphs() {
        let t = tokenize("a\nb\n\n c");
        assert_eq!(t[1].kind, TokKind::Line);
        assert_eq!(t[3].kind, TokKind::Para);
    }
}
