//! Quote extraction: every direct, mixed and reported attribution in a document, with content,
//! cue and speaker spans, resolved to actors.
//!
//! Pipeline, one linear pass each: [`tokens`] (and datelines) → [`spans`] (quotation-mark
//! pairing) → [`stream`] (quotations masked, datelines left out, sentences) → [`attribution`]
//! (cues, [`speaker`]s, content shapes) → [`crate::actors`] (mentions clustered into actors) →
//! [`Quote`] records.

mod attribution;
pub mod spans;
mod speaker;
mod stream;
pub mod window;

use crate::actors::{self, Registry};
use crate::classify::Prediction;
use crate::corpus::Document;
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
    pub text: String,
    pub start: usize,
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
    pub doc_id: String,
    /// `doc_id` + ":q" + 4-digit ordinal in document order; stable for the same input.
    pub quote_id: String,
    pub kind: Kind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub cue: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
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
    out.sort_by(|a, b| {
        (a.start, a.end, a.speaker.as_ref().map(|s| s.start)).cmp(&(
            b.start,
            b.end,
            b.speaker.as_ref().map(|s| s.start),
        ))
    });
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.speaker == b.speaker);
    for (i, q) in out.iter_mut().enumerate() {
        q.quote_id = quote_id(&doc.id, i + 1);
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

    /// (kind, content, cue, speaker, actor) of every quote.
    fn run(text: &str) -> Vec<(Kind, String, String, String, String)> {
        extract(&doc(text))
            .into_iter()
            .map(|q| {
                (
                    q.kind,
                    q.text,
                    q.cue.text,
                    q.speaker.map(|s| s.text).unwrap_or_default(),
                    q.actor.unwrap_or_default(),
                )
            })
            .collect()
    }

    fn one(text: &str) -> (Kind, String, String, String, String) {
        let got = run(text);
        assert_eq!(got.len(), 1, "{text}: {got:?}");
        got.into_iter().next().unwrap()
    }

    /// Asserts that no word of these sentences but "said" is taken as a cue.
    fn assert_only_said_cues(texts: &[&str]) {
        for text in texts {
            assert!(
                run(text).iter().all(|q| q.2 == "said"),
                "{text}: {:?}",
                run(text)
            );
        }
    }

    #[test]
    fn direct_quote_with_cue_after_and_before() {
        let q = one("“We can talk,” Ms. Rice said.");
        assert_eq!(
            (q.0, q.1.as_str(), q.2.as_str(), q.3.as_str()),
            (Kind::Direct, "We can talk,", "said", "Ms. Rice")
        );
        let q = one("Ms. Rice said: “We can talk.”");
        assert_eq!(
            (q.0, q.1.as_str(), q.3.as_str()),
            (Kind::Direct, "We can talk.", "Ms. Rice")
        );
    }

    #[test]
    fn a_party_label_in_parentheses_does_not_end_the_sentence() {
        let q = one("Sen. Jane Doe (D-Ore.) said the plan would fail.");
        assert_eq!(
            (q.0, q.1.as_str(), q.3.as_str()),
            (
                Kind::Indirect,
                "the plan would fail",
                "Sen. Jane Doe (D-Ore.)"
            )
        );
    }

    #[test]
    fn inversion() {
        let q = one("“We disagree,” said Mr. Lavrov.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str(), q.4.as_str()),
            ("We disagree,", "Mr. Lavrov", "Lavrov")
        );
    }

    #[test]
    fn split_quote_in_one_sentence_and_across_sentences() {
        let got = run("“I would say,” Mr. Gates said, “they listened.” “Now they study them.”");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(
            texts,
            ["I would say,", "they listened.", "Now they study them."]
        );
        assert!(got.iter().all(|q| q.2 == "said" && q.3 == "Mr. Gates"));
        // Adverbials between the attribution and the second piece.
        let got = run("“I would say,” Mr. Gates said on Monday in Brussels, “they listened.”");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["I would say,", "they listened."]);
        let got = run("“The risk,” said Jane Doe, an economist at the college, “is inflation.”");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["The risk,", "is inflation."]);
    }

    #[test]
    fn paragraph_continuation_and_follow_up_quote() {
        let got = run("“First part of it.\n\n“Second part,” Mr. Putin said.\n\n“And a third.”");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["First part of it.", "Second part,", "And a third."]);
        assert!(got.iter().all(|q| q.3 == "Mr. Putin"));
    }

    #[test]
    fn mixed_quote_takes_the_whole_reported_clause() {
        let q = one(
            "Defense Secretary Gates said the system “would not constitute a threat” to Moscow.",
        );
        assert_eq!(q.0, Kind::Mixed);
        assert_eq!(q.1, "the system “would not constitute a threat” to Moscow");
        assert_eq!(q.3, "Defense Secretary Gates");
    }

    #[test]
    fn indirect_speech_forms() {
        let cases = [
            (
                "Mr. Lavrov said that Russia disagrees.",
                "Russia disagrees",
                "said",
            ),
            (
                "Mr. Lavrov said Russia disagrees.",
                "Russia disagrees",
                "said",
            ),
            (
                "Mr. Lavrov told a news conference that Russia disagrees.",
                "Russia disagrees",
                "told",
            ),
            (
                "According to Mr. Lavrov, Russia disagrees.",
                "Russia disagrees",
                "According to",
            ),
            (
                "Russia disagrees, according to Mr. Lavrov.",
                "Russia disagrees",
                "according to",
            ),
            (
                "Mr. Lavrov confirmed that Russia disagrees.",
                "Russia disagrees",
                "confirmed",
            ),
            (
                "Mr. Lavrov indicated that Russia disagrees.",
                "Russia disagrees",
                "indicated",
            ),
            (
                "Mr. Lavrov acknowledged that Russia disagrees.",
                "Russia disagrees",
                "acknowledged",
            ),
            (
                "Mr. Lavrov added that Russia disagrees.",
                "Russia disagrees",
                "added",
            ),
            (
                "Mr. Lavrov warned that Russia disagrees.",
                "Russia disagrees",
                "warned",
            ),
            (
                "Mr. Lavrov argued that Russia disagrees.",
                "Russia disagrees",
                "argued",
            ),
            (
                "Mr. Lavrov insisted that Russia disagrees.",
                "Russia disagrees",
                "insisted",
            ),
            (
                "Mr. Lavrov noted that Russia disagrees.",
                "Russia disagrees",
                "noted",
            ),
            (
                "Mr. Lavrov voiced confidence that Russia disagrees.",
                "Russia disagrees",
                "voiced confidence",
            ),
            (
                "Mr. Lavrov had said earlier that Russia disagrees.",
                "Russia disagrees",
                "said",
            ),
            (
                "Mr. Lavrov said in his closing remarks to the forum that Russia disagrees.",
                "Russia disagrees",
                "said",
            ),
            (
                "Russia disagrees, Mr. Lavrov said.",
                "Russia disagrees",
                "said",
            ),
        ];
        for (text, content, cue) in cases {
            let q = one(text);
            assert_eq!(
                (q.0, q.1.as_str(), q.2.as_str()),
                (Kind::Indirect, content, cue),
                "{text}"
            );
            assert_eq!(q.4, "Lavrov", "{text}");
        }
    }

    #[test]
    fn common_noun_and_share_subjects_of_saying() {
        let q = one("But hacking specialists say the leaks may be forged.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("the leaks may be forged", "hacking specialists")
        );
        let q = one("About four in 10 said they would stay home.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("they would stay home", "four in 10")
        );
        // Evaluative acts keep to named speakers, and a bare number is no speaker.
        assert!(run("The old bridge criticized nothing at all.").is_empty());
        assert!(run("Delegates said 271 pledged delegates were enough.")
            .iter()
            .all(|q| q.3 == "Delegates"));
    }

    #[test]
    fn commitments_and_refusals_take_an_infinitive() {
        for (text, cue) in [
            ("The governor vowed to veto the bill.", "vowed"),
            ("The governor declined to veto the bill.", "declined"),
            ("Ms. Rice plans to visit Moscow next week.", "plans"),
        ] {
            let q = one(text);
            assert_eq!((q.0, q.2.as_str()), (Kind::Indirect, cue), "{text}");
            assert!(q.1.starts_with("to "), "{text}: {q:?}");
        }
    }

    #[test]
    fn quotes_labelled_by_a_colon_clause_or_a_dash() {
        let q = one("When pressed on the point, Mr. Gates replied firmly: “We will not wait.”");
        assert_eq!(
            (q.0, q.1.as_str(), q.3.as_str()),
            (Kind::Direct, "We will not wait.", "Mr. Gates")
        );
        let q = one("“We will not wait” — Defense Secretary Robert Gates");
        assert_eq!(
            (q.0, q.1.as_str(), q.3.as_str()),
            (
                Kind::Direct,
                "We will not wait",
                "Defense Secretary Robert Gates"
            )
        );
    }

    #[test]
    fn labelled_lines_name_their_speaker() {
        let q = one("Some text before.\nMr. Lavrov: Russia Will Not Accept It\n\nMore text.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("Russia Will Not Accept It", ":", "Mr. Lavrov")
        );
        // Section labels and short lines are no attributions.
        assert!(
            run("Contributing: Anna Smith and Bob Jones\nThe Latest: Rain Is Coming Soon")
                .is_empty()
        );
    }

    #[test]
    fn cue_nouns_after_a_possessive() {
        let q = one("This contradicts Mr. Lavrov's claim that Russia had no choice.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("Russia had no choice", "claim", "Mr. Lavrov's")
        );
        let q = one("Voters cheered her decision to stay in the race.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str()),
            ("to stay in the race", "decision")
        );
        assert!(run("The claim that it works is old.").is_empty());
    }

    #[test]
    fn polls_cited_with_in_and_urging_with_an_infinitive() {
        let q = one("In a new state poll, the governor leads by six points.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("the governor leads by six points", "a new state poll")
        );
        let q = one("The mayor urged residents to stay indoors.");
        assert_eq!((q.1.as_str(), q.2.as_str()), ("to stay indoors", "urged"));
    }

    #[test]
    fn participles_take_the_subject_of_their_clause() {
        let q = one("On Monday, Ms. Rice ended the visit, saying that talks would go on.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("talks would go on", "saying", "Ms. Rice")
        );
    }

    #[test]
    fn long_speaker_phrases_on_either_side() {
        let q = one("“We will see,” said Sen. Jane Doe (D-OR), who leads the panel.");
        assert_eq!((q.1.as_str(), q.4.as_str()), ("We will see,", "Jane Doe"));
        let q = one("“We will see,” said Sen. Jane Doe in a statement.");
        assert_eq!((q.1.as_str(), q.4.as_str()), ("We will see,", "Jane Doe"));
        let q = one(
            "Jane Doe, a professor at the college, who studies trade, said tariffs would fail.",
        );
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("tariffs would fail", "Jane Doe")
        );
    }

    #[test]
    fn any_noun_phrase_speaks_after_a_quotation_and_an_inverted_cue() {
        let q = one("“The plan is dead,” said the 52-year-old.");
        assert_eq!((q.0, q.3.as_str()), (Kind::Direct, "the 52-year-old"));
        let q = one("“We will win,” said a longtime adviser to the governor.");
        assert_eq!((q.0, q.3.as_str()), (Kind::Direct, "a longtime adviser"));
        // Without the quotation an inverted common noun phrase is no speaker.
        assert!(run("Then said the old man nothing.").is_empty());
    }

    #[test]
    fn verbs_that_report_only_quoted_words() {
        for (text, content, cue) in [
            ("The banner read: “No more wars.”", "No more wars.", "read"),
            (
                "“No more wars,” the crowd chanted.",
                "No more wars,",
                "chanted",
            ),
            (
                "As the senator put it: “We are done.”",
                "We are done.",
                "put it",
            ),
        ] {
            let q = one(text);
            assert_eq!(
                (q.0, q.1.as_str(), q.2.as_str()),
                (Kind::Direct, content, cue),
                "{text}"
            );
        }
        assert_only_said_cues(&[
            "The senator read the bill twice.",
            "The governor put it on the table, aides said.",
            "Nothing changed, the crowd chanted.",
        ]);
    }

    #[test]
    fn content_before_a_cue_followed_by_adverbials() {
        let q = one("Talks will go on, Mr. Lavrov said on Tuesday in Brussels.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("Talks will go on", "Mr. Lavrov")
        );
        let q = one("In a statement, the mayor said the plan is dead.");
        assert_eq!(q.1, "the plan is dead");
        let q = one("Turnout will fall, analysts say; in 2012, it rose.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("Turnout will fall", "analysts")
        );
        let q = one("Mr. Gates said of the treaty, “It is dead.”");
        assert_eq!((q.0, q.1.as_str()), (Kind::Direct, "It is dead."));
        let q = one("“We need it NOW!” Mr. Gates said on Twitter.");
        assert_eq!((q.0, q.3.as_str()), (Kind::Direct, "Mr. Gates"));
    }

    #[test]
    fn according_to_after_its_content() {
        let q = one("The mayor broke the law, according to Jane Doe, who teaches law.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("The mayor broke the law", "Jane Doe")
        );
        let q = one("Turnout rose five points according to exit polls.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("Turnout rose five points", "exit polls")
        );
        let got = run("The plan, according to aides, is dead.");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["The plan", "is dead"]);
    }

    #[test]
    fn progressive_cues_are_active() {
        let q = one("The city has been warning that it is running out of cash.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("it is running out of cash", "warning", "The city")
        );
        let q = one("Ms. Rice is saying the talks will fail.");
        assert_eq!(
            (q.1.as_str(), q.3.as_str()),
            ("the talks will fail", "Ms. Rice")
        );
    }

    #[test]
    fn an_evaluative_act_takes_its_object_up_to_a_comma() {
        let q = one("The governor criticized the merger, a deal that closed last year.");
        assert_eq!((q.1.as_str(), q.2.as_str()), ("the merger", "criticized"));
    }

    #[test]
    fn further_forms_of_speech_belief_and_act_verbs() {
        let q = one("The senator denounced the ruling.");
        assert_eq!((q.1.as_str(), q.2.as_str()), ("the ruling", "denounced"));
        let q = one("Ms. Rice is hoping that talks resume.");
        assert_eq!((q.1.as_str(), q.2.as_str()), ("talks resume", "hoping"));
        let q = one("Critics insist the plan will fail.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str()),
            ("the plan will fail", "insist")
        );
        let q = one("Ms. Rice has called for the wage, now $7 an hour, to be raised.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str()),
            ("the wage, now $7 an hour, to be raised", "called for")
        );
        let q = one("Mr. Gates spoke for an hour, referring to the soldiers in Kabul.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("the soldiers in Kabul", "referring to", "Mr. Gates")
        );
        let q = one("The governor spoke about the budget crisis.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str()),
            ("the budget crisis", "spoke about")
        );
        // A wish is no report (the seed guide leaves "hopes to" out).
        assert!(run("Ms. Rice is hoping to win the seat.").is_empty());
    }

    #[test]
    fn raising_verbs_attribute_their_clause_to_no_one() {
        let got = run("On Monday, the bill is expected to pass the House.");
        let texts: Vec<(&str, &str, &str)> = got
            .iter()
            .map(|q| (q.1.as_str(), q.2.as_str(), q.3.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("the bill", "is expected", ""),
                ("to pass the House", "is expected", "")
            ]
        );
        assert_eq!(run("Voters seem to agree.").len(), 2);
        // "seem" and "appear" also take a predicate; a place is no predicate.
        let got = run("Trump's team seemed equally unperturbed.");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["Trump's team", "equally unperturbed"]);
        let got = run("The senator left early though the race appears closer in Ohio.");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["the race", "closer in Ohio"]);
        assert!(run("Mr. Putin appeared on television. The vote was expected.").is_empty());
    }

    #[test]
    fn content_before_a_verb_of_telling_and_its_listener() {
        let q = one("Talks will go on, Mr. Lavrov told Russian television.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("Talks will go on", "told", "Mr. Lavrov")
        );
        let q = one("“Who knows?” Mr. Lavrov told Russian television on Monday.");
        assert_eq!((q.0, q.1.as_str()), (Kind::Direct, "Who knows?"));
    }

    #[test]
    fn possessive_nouns_are_not_cues() {
        assert!(run("Mr. Lavrov's attacks on the plan grew sharper.").is_empty());
    }

    #[test]
    fn a_second_speaker_ends_the_first_content() {
        let got = run("Mr. Lavrov said today that Russia disagrees, while Defense Secretary Gates said the system is safe.");
        let texts: Vec<&str> = got.iter().map(|q| q.1.as_str()).collect();
        assert_eq!(texts, ["Russia disagrees", "the system is safe"]);
    }

    #[test]
    fn calling_on_is_an_appeal_and_a_named_thing_is_no_call() {
        let q = one("Biden called on Kurds not to cross the river.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("Kurds not to cross the river", "called on", "Biden")
        );
        assert!(run("A company called Cambridge Analytica worked for the campaign.").is_empty());
        assert_eq!(
            one("Trump called the deal a disaster.").1,
            "the deal a disaster"
        );
    }

    #[test]
    fn passive_questions_have_no_asker() {
        let q = one("Rubio was asked whether he would run again.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("whether he would run again", "was asked", "")
        );
        let got = run("Asked about her own vote, Ms. Rice said she was undecided.");
        let texts: Vec<(&str, &str)> = got.iter().map(|q| (q.1.as_str(), q.2.as_str())).collect();
        assert_eq!(
            texts,
            [
                ("her own vote", "Asked about"),
                ("she was undecided", "said")
            ]
        );
    }

    #[test]
    fn a_long_subject_before_said_is_taken_whole() {
        let q = one(
            "The employee of nearly four years, a registered Republican who spoke on the \
             condition of anonymity for fear of losing her job, said she was pregnant.",
        );
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("she was pregnant", "said", "The employee")
        );
        // A quotation before the cue is no subject.
        assert_eq!(one("“We will win,” said Ms. Rice.").3, "Ms. Rice");
    }

    #[test]
    fn measured_cues_of_thought_and_action_report_their_object() {
        for (text, content, cue) in [
            ("Officials fear a wider war.", "a wider war", "fear"),
            (
                "Sanders expressed support for the bill.",
                "support for the bill",
                "expressed",
            ),
            (
                "Many voters see the race as a referendum.",
                "the race as a referendum",
                "see",
            ),
            ("The governor ordered an inquiry.", "an inquiry", "ordered"),
        ] {
            let q = one(text);
            assert_eq!((q.1.as_str(), q.2.as_str()), (content, cue), "{text}");
        }
        assert!(run("Mr. Putin never mentioned the shield.").is_empty());
    }

    #[test]
    fn unlisted_verb_forms_before_a_that_clause_are_cues() {
        for (text, cue) in [
            (
                "Investigators suspected that Trump misled students.",
                "suspected",
            ),
            (
                "Democrats walked out, remarking that Trump misled students.",
                "remarking",
            ),
        ] {
            let q = one(text);
            assert_eq!(
                (q.1.as_str(), q.2.as_str()),
                ("Trump misled students", cue),
                "{text}"
            );
        }
        assert_only_said_cues(&[
            "Federal funding that Congress approved last year ran out.",
            "Clinton kept something that voters never saw.",
            "The senators left, including that Mr. Doe was angry.",
        ]);
    }

    #[test]
    fn action_reports_are_not_quotes() {
        for text in [
            "Mr. Putin did not mention American plans for the shield.",
            "President Putin took extensive notes last night.",
            "Ms. Bush had sent Mr. Putin a letter framing the discussions.",
            "Mr. Bush wanted to make sure Mr. Putin stuck to the script.",
            "The official was not specific.",
            "The film was called “Saturday Night Live” by fans of the show.",
        ] {
            assert!(run(text).is_empty(), "{text}: {:?}", run(text));
        }
    }

    #[test]
    fn pronouns_follow_the_latest_compatible_person() {
        let got =
            run("Mr. Lavrov met Ms. Rice. “We have work to do,” she said. “We agree,” he said.");
        assert_eq!(got[0].4, "Rice");
        assert_eq!(got[1].4, "Lavrov");
    }

    #[test]
    fn appositives_in_both_orders_and_role_only_mentions() {
        let got = run(
            "The Russian Foreign Minister, Sergey Lavrov, said Russia disagrees. \
             Later the foreign minister said talks would go on.",
        );
        assert_eq!(got[0].3, "Sergey Lavrov");
        assert_eq!(got[0].4, "Sergey Lavrov");
        assert_eq!(got[1].4, "Sergey Lavrov");
        let q = one("Sergey Lavrov, the Russian foreign minister, said Russia disagrees.");
        assert_eq!(
            (q.3.as_str(), q.4.as_str()),
            ("Sergey Lavrov", "Sergey Lavrov")
        );
    }

    #[test]
    fn unnamed_sources_and_institutions() {
        let got = run(
            "A senior American official traveling with the secretaries confirmed that talks went on. \
             The official indicated that issues remain. The Kremlin said it would respond.",
        );
        assert_eq!(got[0].3, "A senior American official");
        assert_eq!(got[0].4, "senior American official");
        assert_eq!(got[1].4, "senior American official");
        assert_eq!(got[2].4, "Kremlin");
    }

    #[test]
    fn coordinated_speakers_share_the_content() {
        let got = run("Both Mr. Lavrov and Ms. Rice voiced confidence that talks can continue.");
        let speakers: Vec<&str> = got.iter().map(|q| q.3.as_str()).collect();
        assert_eq!(speakers, ["Mr. Lavrov", "Ms. Rice"]);
        assert!(got.iter().all(|q| q.1 == "talks can continue"));
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
    fn quoted_as_saying_names_who_said_it() {
        let q = one(
            "“We will not give up,” Ivan Petrov, the deputy chief of staff, was quoted as saying.",
        );
        assert_eq!(
            (q.0, q.1.as_str(), q.2.as_str(), q.3.as_str()),
            (
                Kind::Direct,
                "We will not give up,",
                "quoted as saying",
                "Ivan Petrov"
            )
        );
        let q = one("Ivan Petrov was quoted as saying that the talks had failed.");
        assert_eq!(
            (q.1.as_str(), q.2.as_str(), q.3.as_str()),
            ("the talks had failed", "quoted as saying", "Ivan Petrov")
        );
        // The agency that quotes is not the speaker.
        for (text, speaker) in [
            (
                "Interfax quoted Ivan Petrov as saying that the talks had failed.",
                "Ivan Petrov",
            ),
            (
                "The agency quoted a senior official as saying the talks had failed.",
                "a senior official",
            ),
        ] {
            let q = one(text);
            assert_eq!(
                (q.1.as_str(), q.2.as_str(), q.3.as_str()),
                ("the talks had failed", "as saying", speaker),
                "{text}"
            );
        }
        let q = one("Tass quoted Mr. Petrov as saying: “We will respond.”");
        assert_eq!(
            (q.0, q.1.as_str(), q.3.as_str(), q.4.as_str()),
            (Kind::Direct, "We will respond.", "Mr. Petrov", "Petrov")
        );
        assert!(run("The newspaper quoted his letter in full.").is_empty());
    }

    #[test]
    fn pull_quotes_signed_on_a_dash_line() {
        let got = run(
            "Talks went on.\n\n“We will sign the deal this year.”\n— Polish Prime \
             Minister Donald Tusk\n\nMore talks followed.",
        );
        let got: Vec<(Kind, &str, &str, &str)> = got
            .iter()
            .map(|q| (q.0, q.1.as_str(), q.3.as_str(), q.4.as_str()))
            .collect();
        assert_eq!(
            got,
            [(
                Kind::Direct,
                "We will sign the deal this year.",
                "Polish Prime Minister Donald Tusk",
                "Donald Tusk"
            )]
        );
        // The signature beats the continuation of the quotation before it.
        let got = run("“We are close,” Mr. Gates said.\n\n“So are we.”\n\n– Jane Doe, mayor");
        let speakers: Vec<&str> = got.iter().map(|q| q.3.as_str()).collect();
        assert_eq!(speakers, ["Mr. Gates", "Jane Doe"]);
        // A dash line that goes on as a sentence signs nothing.
        assert!(run("“So are we.”\n— and then the crowd left.").is_empty());
    }

    #[test]
    fn a_quotation_without_a_cue_continues_the_reported_speech_before_it() {
        let got = run("Mr. Tusk said Poland would sign the deal. “We are ready to sign it.”");
        let got: Vec<(Kind, &str, &str)> = got
            .iter()
            .map(|q| (q.0, q.1.as_str(), q.3.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::Indirect, "Poland would sign the deal", "Mr. Tusk"),
                (Kind::Direct, "We are ready to sign it.", "Mr. Tusk")
            ]
        );
        // Only a sentence that is the quotation alone, right after the attribution.
        assert_eq!(
            run("Mr. Tusk said Poland would sign. “Star Wars” was the old name of the plan.").len(),
            1
        );
        assert_eq!(
            run("Mr. Tusk said Poland would sign. The talks ended. “We are ready.”").len(),
            1
        );
    }

    #[test]
    fn told_a_listener_then_a_clause_without_that() {
        for (text, content) in [
            (
                "Mr. Tusk told reporters in Warsaw Poland would sign the deal.",
                "Poland would sign the deal",
            ),
            (
                "Mr. Tusk told reporters on Friday the deal was done.",
                "the deal was done",
            ),
            (
                "Mr. Tusk told the newspaper Poland would sign.",
                "Poland would sign",
            ),
            (
                "Mr. Tusk told reporters the Americans had come to terms.",
                "the Americans had come to terms",
            ),
        ] {
            let q = one(text);
            assert_eq!(
                (q.1.as_str(), q.2.as_str(), q.3.as_str()),
                (content, "told", "Mr. Tusk"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_dateline_is_no_part_of_the_content() {
        for text in [
            "WASHINGTON (AP) — The shield is a threat, the Kremlin said.",
            "NICE, France, Nov. 14 -- The shield is a threat, the Kremlin said.",
        ] {
            assert_eq!(one(text).1, "The shield is a threat", "{text}");
        }
    }

    #[test]
    fn straight_and_double_apostrophe_quotes() {
        assert_eq!(one("\"We can talk,\" she said.").1, "We can talk,");
        assert_eq!(one("''We can talk,'' she said.").1, "We can talk,");
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
