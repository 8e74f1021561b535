//! Quote attribution evaluation: predicted quotes against gold attributions.
//!
//! Units. A gold attribution is one content (possibly discontinuous) with its cue and source.
//! Predicted quote records sharing a cue span are one predicted attribution (a split quote is
//! one attribution with two pieces, as PolNeAR annotates it).
//!
//! Metrics, each overall, by kind and by publisher:
//! - content precision / recall / F1, *exact* (identical word-token sets; punctuation, quotation
//!   marks and a leading "that" ignored, see [`super::spans`]) and *overlap* (token-overlap F1 ≥
//!   0.5), with one-to-one greedy matching by best overlap;
//! - cue accuracy: among overlap-matched pairs whose gold has a cue, the predicted cue span
//!   shares a character with the gold cue;
//! - source accuracy: among overlap-matched pairs whose gold has a source, the prediction is
//!   right when a predicted speaker span shares a character with the gold source span, or
//!   names the same entity: the predicted actor equals the gold actor (where gold names one),
//!   or the predicted actor's last name appears as a word of the gold source text (gold "Mr.
//!   Lavrov" two sentences up, predicted "he" resolved to Sergey Lavrov). A missing predicted
//!   speaker is wrong.
//!
//! Kind: recall counts gold attributions by gold kind (direct when every content piece is wholly
//! inside quotation marks, mixed when it holds a mark, else indirect); precision counts
//! predictions by predicted kind. Matched-pair accuracies go by gold kind.

use super::native::NonQuote;
use super::report::{Align, Table};
use super::spans::{greedy_match, ranges_overlap, Prf, Words};
use crate::corpus::Document;
use crate::quotes::{Kind, Quote};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One gold attribution; spans are Unicode scalar ranges into the document text.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldAttribution {
    /// Direct, indirect or mixed.
    pub kind: Kind,
    /// The content's pieces.
    pub content: Vec<(usize, usize)>,
    /// Empty when the annotation has no cue.
    pub cue: Vec<(usize, usize)>,
    /// The source's pieces, when annotated.
    pub source: Option<Vec<(usize, usize)>>,
    /// Canonical actor, where the gold names one.
    pub actor: Option<String>,
}

/// A gold document: the article, a grouping key for reports, and its attributions.
#[derive(Debug, Clone)]
pub struct GoldDoc {
    /// The article.
    pub doc: Document,
    /// What reports group documents by.
    pub publisher: String,
    /// Every gold attribution.
    pub attributions: Vec<GoldAttribution>,
    /// Spans where extracting a quote is a false positive.
    pub non_quotes: Vec<NonQuote>,
}

/// The kind of a gold content: direct when every piece is wholly inside double quotation
/// marks, mixed when any piece holds one, else indirect.
pub fn gold_kind(text: &str, content: &[(usize, usize)]) -> Kind {
    // Two straight apostrophes are a double mark in the NYT archive.
    let pieces: Vec<String> = content
        .iter()
        .map(|&(s, e)| slice(text, s, e).replace("''", "\""))
        .collect();
    if pieces.iter().all(|p| wholly_quoted(p)) {
        Kind::Direct
    } else if pieces.iter().any(|p| p.chars().any(is_double_mark)) {
        Kind::Mixed
    } else {
        Kind::Indirect
    }
}

fn is_double_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„')
}

/// Opens with a mark and closes with the matching mark at the end (trailing punctuation
/// allowed), never closing in between.
fn wholly_quoted(piece: &str) -> bool {
    let p = piece
        .trim()
        .trim_end_matches(|c: char| matches!(c, '.' | ',' | ';' | ':') || c.is_whitespace());
    let marks: Vec<(usize, char)> = p
        .char_indices()
        .filter(|(_, c)| is_double_mark(*c))
        .collect();
    let (Some(&(0, _)), Some(&(last, _))) = (marks.first(), marks.last()) else {
        return false;
    };
    if last + p[last..].chars().next().map_or(0, char::len_utf8) != p.len() || marks.len() < 2 {
        return false;
    }
    // Depth must stay positive until the final mark.
    let mut depth = 0i32;
    for (k, &(_, c)) in marks.iter().enumerate() {
        let opens = match c {
            '“' | '«' | '„' => true,
            '”' | '»' => false,
            _ => depth == 0,
        };
        depth += if opens { 1 } else { -1 };
        if depth <= 0 && k + 1 < marks.len() {
            return false;
        }
    }
    depth == 0
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// Predicted attribution: the quote records sharing one cue.
struct Predicted {
    kind: Kind,
    content: Vec<(usize, usize)>,
    cue: (usize, usize),
    speakers: Vec<(usize, usize)>,
    actors: Vec<String>,
}

/// Predicted attributions from quote records. With `merge_split`, records sharing a cue (a
/// quote split by its attribution, or continued in the next sentences and paragraphs) are one
/// attribution, as PolNeAR mostly annotates them; without it every record is its own (our gold
/// keeps split parts, and one content said by several speakers, as separate quotes).
fn group(quotes: &[Quote], merge_split: bool) -> Vec<Predicted> {
    let mut sorted: Vec<&Quote> = quotes.iter().collect();
    sorted.sort_by_key(|q| (q.cue.start, q.cue.end, q.start));
    let mut out: Vec<Predicted> = Vec::new();
    let mut last: Option<&Quote> = None;
    for q in sorted {
        let joins = last
            .is_some_and(|l| merge_split && (l.cue.start, l.cue.end) == (q.cue.start, q.cue.end));
        if !joins {
            out.push(Predicted {
                kind: q.kind,
                content: Vec::new(),
                cue: (q.cue.start, q.cue.end),
                speakers: Vec::new(),
                actors: Vec::new(),
            });
        }
        let p = out.last_mut().expect("pushed above");
        if !p.content.contains(&(q.start, q.end)) {
            p.content.push((q.start, q.end));
        }
        if p.kind != q.kind {
            p.kind = Kind::Mixed;
        }
        if let Some(s) = &q.speaker {
            p.speakers.push((s.start, s.end));
        }
        p.actors.extend(q.actor.clone());
        last = Some(q);
    }
    out
}

/// Counts behind one row of the report.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    gold: usize,
    pred: usize,
    exact_gold: usize,
    exact_pred: usize,
    overlap_gold: usize,
    overlap_pred: usize,
    cue_total: usize,
    cue_ok: usize,
    source_total: usize,
    source_ok: usize,
}

impl Counts {
    fn merge(&mut self, o: &Counts) {
        self.gold += o.gold;
        self.pred += o.pred;
        self.exact_gold += o.exact_gold;
        self.exact_pred += o.exact_pred;
        self.overlap_gold += o.overlap_gold;
        self.overlap_pred += o.overlap_pred;
        self.cue_total += o.cue_total;
        self.cue_ok += o.cue_ok;
        self.source_total += o.source_total;
        self.source_ok += o.source_ok;
    }

    fn scores(&self) -> Scores {
        let acc = |ok: usize, n: usize| (n > 0).then(|| ok as f64 / n as f64);
        Scores {
            gold: self.gold,
            predicted: self.pred,
            exact: Prf::new(self.exact_pred, self.pred, self.exact_gold, self.gold),
            overlap: Prf::new(self.overlap_pred, self.pred, self.overlap_gold, self.gold),
            matched: self.overlap_gold,
            cue_accuracy: acc(self.cue_ok, self.cue_total),
            source_accuracy: acc(self.source_ok, self.source_total),
            with_source: self.source_total,
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Gold attributions.
    pub gold: usize,
    /// Predicted quotes.
    pub predicted: usize,
    /// Scores when content spans must match exactly.
    pub exact: Prf,
    /// Scores when content spans need only overlap.
    pub overlap: Prf,
    /// Overlap-matched pairs.
    pub matched: usize,
    /// Share of matched pairs whose cue overlaps the gold cue.
    pub cue_accuracy: Option<f64>,
    /// Share of matched pairs with a gold source whose speaker overlaps it.
    pub source_accuracy: Option<f64>,
    /// Matched pairs whose gold has a source (the source accuracy denominator).
    pub with_source: usize,
}

/// The whole report, as printed and as `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteReport {
    /// Which gold set.
    pub dataset: String,
    /// Documents scored.
    pub documents: usize,
    /// All attributions.
    pub overall: Scores,
    /// Per gold kind (direct, indirect, mixed).
    pub by_kind: BTreeMap<String, Scores>,
    /// Per publisher.
    pub by_publisher: BTreeMap<String, Scores>,
}

/// A gold attribution missed, a spurious prediction, or a matched pair with a wrong source or
/// cue: one line of `--mistakes`.
#[derive(Debug, Clone, Serialize)]
pub struct Mistake {
    /// The document.
    pub doc_id: String,
    /// What went wrong: a missed or spurious quote, a wrong source or cue.
    pub what: &'static str,
    /// The gold kind (the predicted one for a spurious quote).
    pub kind: Kind,
    /// The content text.
    pub content: String,
    /// The cue text.
    pub cue: String,
    /// The source text (the speaker for a prediction).
    pub source: String,
    /// The other side of a matched pair: the predicted speaker for a wrong source.
    pub other: String,
}

/// Accumulates documents into a report.
#[derive(Default)]
pub struct Evaluator {
    overall: Counts,
    by_kind: HashMap<Kind, Counts>,
    by_publisher: BTreeMap<String, Counts>,
    documents: usize,
    merge_split: bool,
    /// Mistakes found so far, when asked for.
    pub mistakes: Option<Vec<Mistake>>,
}

impl Evaluator {
    /// An evaluator that also records mistakes when `keep_mistakes`. `merge_split` joins the
    /// pieces of a quote split by its attribution into one predicted attribution (for gold
    /// that annotates them as one, like PolNeAR; our own gold keeps them apart).
    pub fn new(keep_mistakes: bool, merge_split: bool) -> Self {
        Evaluator {
            merge_split,
            mistakes: keep_mistakes.then(Vec::new),
            ..Evaluator::default()
        }
    }

    /// Scores one document's predicted quotes against its gold.
    pub fn add(&mut self, gold: &GoldDoc, quotes: &[Quote]) {
        self.documents += 1;
        let text = &gold.doc.text;
        let words = Words::new(text);
        let pred = group(quotes, self.merge_split);
        let gold_tokens: Vec<Vec<usize>> = gold
            .attributions
            .iter()
            .map(|g| words.tokens(&g.content))
            .collect();
        let pred_tokens: Vec<Vec<usize>> = pred.iter().map(|p| words.tokens(&p.content)).collect();
        let exact = greedy_match(&pred_tokens, &gold_tokens, 1.0);
        let overlap = greedy_match(&pred_tokens, &gold_tokens, 0.5);

        let mut local: HashMap<Kind, Counts> = HashMap::new();
        for g in &gold.attributions {
            at(&mut local, g.kind).gold += 1;
        }
        for p in &pred {
            at(&mut local, p.kind).pred += 1;
        }
        for &(pi, gi, _) in &exact {
            at(&mut local, gold.attributions[gi].kind).exact_gold += 1;
            at(&mut local, pred[pi].kind).exact_pred += 1;
        }
        let mut matched_gold = vec![false; gold.attributions.len()];
        let mut matched_pred = vec![false; pred.len()];
        let mut mistakes = Vec::new();
        for &(pi, gi, _) in &overlap {
            matched_gold[gi] = true;
            matched_pred[pi] = true;
            let (g, p) = (&gold.attributions[gi], &pred[pi]);
            at(&mut local, g.kind).overlap_gold += 1;
            at(&mut local, p.kind).overlap_pred += 1;
            if !g.cue.is_empty() {
                let ok = ranges_overlap(&[p.cue], &g.cue);
                at(&mut local, g.kind).cue_total += 1;
                at(&mut local, g.kind).cue_ok += usize::from(ok);
                if !ok {
                    mistakes.push(("wrong_cue", g.clone(), text_of(text, &[p.cue])));
                }
            }
            if let Some(src) = &g.source {
                let ok = source_ok(text, src, g.actor.as_deref(), p);
                at(&mut local, g.kind).source_total += 1;
                at(&mut local, g.kind).source_ok += usize::from(ok);
                if !ok {
                    mistakes.push(("wrong_source", g.clone(), text_of(text, &p.speakers)));
                }
            }
        }
        for (gi, g) in gold.attributions.iter().enumerate() {
            if !matched_gold[gi] {
                mistakes.push(("missed", g.clone(), String::new()));
            }
        }
        for (pi, p) in pred.iter().enumerate() {
            if !matched_pred[pi] {
                let as_gold = GoldAttribution {
                    kind: p.kind,
                    content: p.content.clone(),
                    cue: vec![p.cue],
                    source: Some(p.speakers.clone()),
                    actor: None,
                };
                mistakes.push(("spurious", as_gold, String::new()));
            }
        }
        let publisher = self.by_publisher.entry(gold.publisher.clone()).or_default();
        for (k, c) in local {
            self.overall.merge(&c);
            publisher.merge(&c);
            self.by_kind.entry(k).or_default().merge(&c);
        }
        for (what, a, other) in mistakes {
            self.note(gold, what, &a, &other);
        }
    }

    fn note(&mut self, gold: &GoldDoc, what: &'static str, a: &GoldAttribution, other: &str) {
        let Some(m) = self.mistakes.as_mut() else {
            return;
        };
        let text = &gold.doc.text;
        m.push(Mistake {
            doc_id: gold.doc.id.clone(),
            what,
            kind: a.kind,
            content: text_of(text, &a.content),
            cue: text_of(text, &a.cue),
            source: a
                .source
                .as_deref()
                .map(|s| text_of(text, s))
                .unwrap_or_default(),
            other: other.to_string(),
        });
    }

    /// The finished report.
    pub fn report(&self, dataset: &str) -> QuoteReport {
        QuoteReport {
            dataset: dataset.to_string(),
            documents: self.documents,
            overall: self.overall.scores(),
            by_kind: Kind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str().to_string(),
                        self.by_kind.get(k).copied().unwrap_or_default().scores(),
                    )
                })
                .collect(),
            by_publisher: self
                .by_publisher
                .iter()
                .map(|(p, c)| (p.clone(), c.scores()))
                .collect(),
        }
    }
}

fn at(local: &mut HashMap<Kind, Counts>, k: Kind) -> &mut Counts {
    local.entry(k).or_default()
}

fn text_of(text: &str, ranges: &[(usize, usize)]) -> String {
    ranges
        .iter()
        .map(|&(s, e)| slice(text, s, e))
        .collect::<Vec<_>>()
        .join(" … ")
}

fn source_ok(text: &str, src: &[(usize, usize)], gold_actor: Option<&str>, p: &Predicted) -> bool {
    if p.speakers.is_empty() {
        return false;
    }
    if ranges_overlap(&p.speakers, src) {
        return true;
    }
    if let Some(g) = gold_actor {
        if p.actors.iter().any(|a| a == g) {
            return true;
        }
    }
    let src_words: Vec<String> = text_of(text, src)
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    p.actors.iter().any(|a| {
        a.rsplit(' ')
            .next()
            .is_some_and(|last| src_words.iter().any(|w| *w == last.to_lowercase()))
    })
}

impl QuoteReport {
    /// The report as aligned text tables: overall and by kind, then by publisher.
    pub fn table(&self) -> String {
        let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}", 100.0 * v));
        let table = |first: &str, rows: &mut dyn Iterator<Item = (String, &Scores)>| {
            let mut columns = vec![(first, Align::Left)];
            columns.extend(
                [
                    "gold",
                    "pred",
                    "exact P",
                    "R",
                    "F1",
                    "overlap P",
                    "R",
                    "F1",
                    "match",
                    "cue",
                    "src",
                ]
                .map(|c| (c, Align::Right)),
            );
            let mut t = Table::new(&columns);
            for (name, s) in rows {
                t.row(vec![
                    name,
                    s.gold.to_string(),
                    s.predicted.to_string(),
                    pct(s.exact.precision),
                    pct(s.exact.recall),
                    pct(s.exact.f1),
                    pct(s.overlap.precision),
                    pct(s.overlap.recall),
                    pct(s.overlap.f1),
                    s.matched.to_string(),
                    pct(s.cue_accuracy),
                    pct(s.source_accuracy),
                ]);
            }
            t.to_text()
        };
        let mut kinds = std::iter::once(("all".to_string(), &self.overall))
            .chain(self.by_kind.iter().map(|(k, s)| (format!("  {k}"), s)));
        let mut publishers = self.by_publisher.iter().map(|(p, s)| (p.clone(), s));
        format!(
            "{} — {} documents\n{}\n{}",
            self.dataset,
            self.documents,
            table("", &mut kinds),
            table("publisher", &mut publishers)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::Span;

    #[test]
    fn gold_kind_from_marks() {
        let t = "“A b,” he said. He said the plan “is dead” now. He said it is.";
        assert_eq!(gold_kind(t, &[(0, 6)]), Kind::Direct);
        assert_eq!(gold_kind(t, &[(24, 46)]), Kind::Mixed);
        assert_eq!(gold_kind(t, &[(56, 61)]), Kind::Indirect);
        // Two quotes joined by unquoted words are not wholly quoted.
        let t2 = "“A,” then “B.”";
        assert_eq!(gold_kind(t2, &[(0, 14)]), Kind::Mixed);
        assert_eq!(gold_kind(t2, &[(0, 4), (10, 14)]), Kind::Direct);
    }

    fn quote(start: usize, end: usize, cue: (usize, usize), speaker: (usize, usize)) -> Quote {
        Quote {
            doc_id: "d".into(),
            quote_id: "d:q0001".into(),
            kind: Kind::Direct,
            text: String::new(),
            start,
            end,
            byte_start: start,
            byte_end: end,
            cue: Span {
                text: String::new(),
                start: cue.0,
                end: cue.1,
            },
            speaker: Some(Span {
                text: String::new(),
                start: speaker.0,
                end: speaker.1,
            }),
            actor_id: None,
            actor: None,
            sentiment: None,
            stance: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn split_quote_is_one_predicted_attribution() {
        let text = "“One two,” he said. “Three four.”";
        let gold = GoldDoc {
            doc: Document {
                id: "d".into(),
                text: text.into(),
                ..Document::default()
            },
            publisher: "p".into(),
            attributions: vec![GoldAttribution {
                kind: Kind::Direct,
                content: vec![(0, 10), (20, 33)],
                cue: vec![(14, 18)],
                source: Some(vec![(11, 13)]),
                actor: None,
            }],
            non_quotes: vec![],
        };
        let mut ev = Evaluator::new(true, true);
        ev.add(
            &gold,
            &[
                quote(1, 9, (14, 18), (11, 13)),
                quote(21, 32, (14, 18), (11, 13)),
            ],
        );
        let r = ev.report("t");
        assert_eq!(r.overall.predicted, 1);
        assert_eq!(r.overall.exact.f1, Some(1.0));
        assert_eq!(r.overall.source_accuracy, Some(1.0));
        assert_eq!(r.by_kind["direct"].overlap.recall, Some(1.0));
        assert!(ev.mistakes.unwrap().is_empty());
    }
}
