//! Finding the speaker phrase next to a cue: the subject before it ("Mr. Lavrov said",
//! "Sergey Lavrov, the Russian foreign minister, said"), or the inverted subject after it
//! ("said Mr. Lavrov"). Works on the masked item stream, where a quotation is one item.

use super::stream::Stream;
use crate::text::lexicon;

/// Longest speaker phrase, in words, before giving up.
const MAX_NP: usize = 12;
/// Longest comma-delimited appositive or participle clause skipped between subject and cue.
pub const MAX_APPOSITIVE: usize = 30;

/// The speaker phrase ending just before item `cue` (after skipping auxiliaries and adverbs),
/// not reaching before `lo`. Returns an item range. With `common`, a subject right before the
/// cue may be any common noun phrase ("hacking specialists say", "six in 10 said"), which only
/// a verb of saying or thinking makes a likely speaker.
pub fn before(s: &Stream, lo: usize, cue: usize, common: bool) -> Option<(usize, usize)> {
    // A progressive cue also skips its "be": "is saying", "has been warning".
    let progressive = s.word(cue).is_some_and(|w| w.ends_with("ing"));
    let mut j = cue;
    while j > lo
        && s.word(j - 1).is_some_and(|w| {
            lexicon::is_verb_modifier(w)
                || (progressive
                    && matches!(w, "is" | "are" | "was" | "were" | "am" | "been" | "be"))
        })
    {
        j -= 1;
    }
    if j == lo {
        return None;
    }
    if s.word(j - 1)
        .is_some_and(|w| lexicon::is_pronoun(w) || lexicon::is_quantifier(w))
    {
        return Some((j - 1, j));
    }
    // "Gov. John Kasich (R-OH) said": the parenthesis belongs to the speaker.
    let end = j;
    if s.punct(j - 1, ')') {
        if let Some(open) = (j.saturating_sub(8).max(lo)..j - 1)
            .rev()
            .find(|&i| s.punct(i, '('))
        {
            j = open;
        }
    }
    if j == lo {
        return None;
    }
    if !s.punct(j - 1, ',') {
        return noun_phrase_back(s, lo, j, common).map(|start| (start, end));
    }
    // "HEAD, APPOSITIVE, said": find the comma opening the appositive.
    let close = j - 1;
    let mut k = close;
    while k > lo && close - k < MAX_APPOSITIVE {
        k -= 1;
        if s.punct(k, ',') || s.is_break(k) {
            break;
        }
    }
    if k + 1 == close || close - k >= MAX_APPOSITIVE {
        return None;
    }
    if s.punct(k, ',') {
        if let Some(head) = noun_phrase_back(s, lo, k, false) {
            return Some((head, close));
        }
        // Two appositives: "David Autor, a professor at M.I.T., who studies trade, said".
        let outer = (k.saturating_sub(MAX_APPOSITIVE).max(lo)..k)
            .rev()
            .find(|&i| s.punct(i, ',') || s.is_break(i));
        if let Some(outer) = outer.filter(|&i| i + 1 < k && s.punct(i, ',')) {
            if let Some(head) = noun_phrase_back(s, lo, outer, false) {
                return Some((head, close));
            }
        }
    }
    let seg_start = if s.punct(k, ',') || s.is_break(k) {
        k + 1
    } else {
        k
    };
    noun_phrase_back(s, seg_start, close, false)
        .filter(|&start| start == seg_start)
        .map(|start| (start, close))
}

/// The inverted speaker phrase starting at item `from` ("said the official, who…"): a noun
/// phrase followed by a comma, the sentence end or a quotation, or a name followed by a
/// parenthesis or an adverbial ("said Mr. Romero in a statement"). With `common`, any noun
/// phrase will do ("said the 46-year-old"), as after a quotation, where little else can
/// follow an inverted cue.
pub fn after(s: &Stream, from: usize, hi: usize, common: bool) -> Option<(usize, usize)> {
    if s.word(from).is_some_and(lexicon::is_quantifier)
        && (from + 1 == hi || s.punct(from + 1, ','))
    {
        return Some((from, from + 1));
    }
    let mut j = from;
    while j < hi && j - from < MAX_NP {
        match s.word(j) {
            // "an adviser to Trump": "to" joins a head noun to its complement.
            Some(w) if !lexicon::is_boundary_word(w) || w == "of" || (w == "to" && j > from) => {
                j += 1
            }
            _ => break,
        }
    }
    if j == from {
        return None;
    }
    let np_end = j;
    // "said Sen. Chris Murphy (D-Conn.), who …": the parenthesis belongs to the speaker.
    if s.punct(j, '(') {
        if let Some(close) = (j + 1..hi.min(j + 8)).find(|&i| s.punct(i, ')')) {
            j = close + 1;
        }
    }
    // The phrase ends the clause, or a name is followed by how or when it spoke ("said Mr.
    // Romero in a statement", "said Ms. Rice, who …").
    let ends = j == hi || s.punct(j, ',') || s.punct(j, '.') || s.is_quote(j);
    let trailer = s.word(j).is_some_and(|w| {
        matches!(
            w,
            "in" | "on" | "at" | "during" | "when" | "who" | "after" | "before" | "while"
        )
    }) && s.cap(np_end - 1);
    if !(ends || trailer) {
        return None;
    }
    is_speaker_like(s, from, np_end, common).then_some((from, j))
}

/// The subject opening the sentence, for a cue in a coordinated verb phrase with no subject of
/// its own: "The official was not specific but indicated that …".
pub fn coordinated(s: &Stream, lo: usize, cue: usize) -> Option<(usize, usize)> {
    let mut j = cue;
    while j > lo && s.word(j - 1).is_some_and(lexicon::is_verb_modifier) {
        j -= 1;
    }
    if !(j > lo && matches!(s.word(j - 1), Some("but" | "and"))) {
        return None;
    }
    subject(s, lo, j)
}

/// The noun phrase opening a sentence at `lo`, ending before `limit`: determiners, role
/// nouns, affiliations and capitalised words.
pub fn subject(s: &Stream, lo: usize, limit: usize) -> Option<(usize, usize)> {
    let mut e = lo;
    while e < limit && e - lo < MAX_NP {
        let Some(w) = s.word(e) else { break };
        let nominal = lexicon::is_determiner(w)
            || lexicon::is_role_noun(w)
            || lexicon::is_affiliation(w)
            || (s.cap(e) && !lexicon::is_function_word(w));
        if !nominal {
            break;
        }
        e += 1;
    }
    (e > lo && is_speaker_like(s, lo, e, false)).then_some((lo, e))
}

/// The source of "according to …": everything up to the next comma or the sentence end, any
/// noun phrase at all ("recent polling", "early results of exit polls conducted by Edison").
pub fn according(s: &Stream, from: usize, hi: usize) -> Option<(usize, usize)> {
    let end = (from..hi)
        .take(MAX_APPOSITIVE)
        .find(|&i| s.punct(i, ',') || s.is_break(i))
        .unwrap_or(hi);
    let end = if end > from && s.punct(end - 1, '.') {
        end - 1
    } else {
        end
    };
    (end > from && s.word(end - 1).is_some()).then_some((from, end))
}

/// Start of a noun phrase ending at `end` (exclusive), scanning back no further than `lo`;
/// `common` as in [`is_speaker_like`].
fn noun_phrase_back(s: &Stream, lo: usize, end: usize, common: bool) -> Option<usize> {
    let mut j = end;
    while j > lo && end - j < MAX_NP {
        let Some(w) = s.word(j - 1) else { break };
        if lexicon::cue_class(w).is_some() && j != end {
            break;
        }
        // Coordinated names stay together: "Mr. Lavrov and Ms. Rice".
        let coordinated = w == "and" && j - 1 > lo && s.cap(j - 2) && s.cap(j);
        if lexicon::is_boundary_word(w) && !coordinated && !is_share(s, j - 1) {
            break;
        }
        j -= 1;
    }
    // Drop leading words that cannot open a noun phrase ("with", "for").
    while j < end
        && s.word(j).is_some_and(|w| {
            !s.cap(j) && lexicon::is_function_word(w) && !lexicon::is_determiner(w)
        })
    {
        j += 1;
    }
    // A sentence adverb before the subject: "Later the foreign minister said".
    if j + 1 < end
        && s.cap(j)
        && s.word(j + 1)
            .is_some_and(|w| lexicon::is_determiner(w) && !s.cap(j + 1))
    {
        j += 1;
    }
    (j < end && is_speaker_like(s, j, end, common)).then_some(j)
}

/// True when items `a..b` can name a speaker: a pronoun, a capitalised name or a role noun,
/// not ending on a function word; with `common`, also any phrase ending on a noun-like word
/// ("hacking specialists", "six in 10").
fn is_speaker_like(s: &Stream, a: usize, b: usize, common: bool) -> bool {
    let last = match s.word(b - 1) {
        Some(w) => w,
        None => return false,
    };
    if b - a == 1 && lexicon::is_pronoun(last) {
        return true;
    }
    if lexicon::is_function_word(last) || lexicon::is_pronoun(last) {
        return false;
    }
    let named = (a..b).any(|i| {
        s.word(i).is_some_and(|w| {
            lexicon::is_role_noun(w)
                || (s.cap(i) && !lexicon::is_function_word(w) && !lexicon::is_pronoun(w))
        })
    });
    // A bare number is a speaker only as a share: "six in 10", not "271 pledged delegates".
    let noun = !lexicon::is_verb_modifier(last)
        && lexicon::cue_class(last).is_none()
        && (!is_number(last) || (b - a >= 2 && is_share(s, b - 2)));
    named || (common && noun)
}

/// A numeral ("271", "10", "1,000"), not a compound that starts with one ("46-year-old").
fn is_number(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

/// The "in" of a share ("six in 10"), which stays inside the speaker phrase.
fn is_share(s: &Stream, i: usize) -> bool {
    s.word(i) == Some("in") && s.word(i + 1).is_some_and(is_number)
}

/// The mentions inside a speaker phrase, as the record reports them: the name of an appositive
/// pair ("The Russian Foreign Minister, Sergey Lavrov" → "Sergey Lavrov"), the head without
/// post-modifiers ("A senior American official traveling with …" → "A senior American
/// official"), and one mention per coordinated name ("both Mr. Lavrov and Ms. Rice").
pub fn mentions(s: &Stream, (a, b): (usize, usize)) -> Vec<(usize, usize)> {
    // Comma-separated parts; the first that holds a name wins, else the first part.
    let mut parts = Vec::new();
    let mut start = a;
    for i in a..=b {
        if i == b || s.punct(i, ',') {
            if i > start {
                parts.push((start, i));
            }
            start = i + 1;
        }
    }
    let has_name = |&(x, y): &(usize, usize)| {
        (x..y).any(|i| {
            s.cap(i)
                && s.word(i).is_some_and(|w| {
                    !lexicon::is_title(w)
                        && !lexicon::is_affiliation(w)
                        && !lexicon::is_function_word(w)
                })
        })
    };
    let Some(&(x, y)) = parts.iter().find(|p| has_name(p)).or(parts.first()) else {
        return Vec::new();
    };
    // Cut post-modifiers: a participle, relative pronoun or preposition after the head.
    let y = (x + 1..y)
        .find(|&i| {
            s.word(i).is_some_and(|w| {
                !s.cap(i)
                    && ((w.ends_with("ing")
                        && s.word(i + 1)
                            .is_some_and(|n| lexicon::is_function_word(n) || s.cap(i + 1)))
                        || w == "who"
                        || (lexicon::is_boundary_word(w) && w != "and" && !is_share(s, i))
                        || (w == "of" && !s.cap(i + 1)))
            })
        })
        .unwrap_or(y);
    // Coordinated names: split at "and" between capitalised words.
    let mut out = Vec::new();
    let mut from = x;
    for i in x..y {
        if s.word(i) == Some("and") && i > from && s.cap(i - 1) && s.cap(i + 1) {
            out.push((from, i));
            from = i + 1;
        }
    }
    out.push((from, y));
    out.into_iter()
        .map(|(p, q)| {
            let mut p = p;
            while p + 1 < q
                && s.word(p)
                    .is_some_and(|w| matches!(w, "both" | "all" | "each"))
            {
                p += 1;
            }
            (p, q)
        })
        .collect()
}
