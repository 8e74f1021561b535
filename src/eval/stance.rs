//! Stance and sentiment scores of a run against native gold (`gold.jsonl`): quote level on gold
//! quotes matched to predicted quotes by character overlap, and actor level on the gold actors.

use crate::aggregate::ActorStance;
use crate::classify::data::Field;
use crate::classify::Prediction;
use crate::eval::report::ScoredItem;
use crate::metrics::{classification_report, ClassificationReport};
use crate::quotes::Quote;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Minimum character-overlap F1 for a predicted quote to stand for a gold quote.
pub const MIN_OVERLAP_F1: f64 = 0.5;

#[derive(Deserialize)]
struct GoldLine {
    doc_id: String,
    quotes: Vec<GoldQuote>,
    #[serde(default)]
    actors: Vec<GoldActor>,
}

/// One gold quote's span and labels.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldQuote {
    /// Gold quote id.
    pub quote_id: String,
    /// Unicode scalar offsets.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// The content span's text (shown in error lists).
    #[serde(default)]
    pub text: String,
    /// Canonical actor.
    pub actor: String,
    /// Gold stance label.
    pub stance: String,
    /// Gold sentiment label.
    pub sentiment: String,
}

/// One gold actor-level label.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldActor {
    /// Canonical actor name.
    pub actor: String,
    /// Gold stance.
    pub stance: String,
}

/// Gold stance data of one document.
#[derive(Debug, Clone)]
pub struct GoldStanceDoc {
    /// Document id.
    pub doc_id: String,
    /// Gold quotes.
    pub quotes: Vec<GoldQuote>,
    /// Gold actor labels.
    pub actors: Vec<GoldActor>,
}

/// Reads the stance-relevant fields of a native `gold.jsonl`.
pub fn load_gold(path: &Path) -> Result<Vec<GoldStanceDoc>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line: GoldLine = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a gold document line", path.display(), n + 1))?;
        docs.push(GoldStanceDoc {
            doc_id: line.doc_id,
            quotes: line.quotes,
            actors: line.actors,
        });
    }
    anyhow::ensure!(!docs.is_empty(), "{}: no gold documents", path.display());
    Ok(docs)
}

/// A gold quote beside the prediction that matched it.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteOutcome {
    /// Gold quote id.
    pub gold_quote_id: String,
    /// Document of the gold quote.
    pub doc_id: String,
    /// Gold actor, so quote-level scores can be broken down per actor.
    pub actor: String,
    /// Gold content text, so an error list can be read without the article.
    pub text: String,
    /// Matched predicted quote id, if any.
    pub quote_id: Option<String>,
    /// Gold stance.
    pub gold_stance: String,
    /// Gold sentiment.
    pub gold_sentiment: String,
    /// Stance prediction of the matched quote (`None` when unmatched).
    pub stance: Option<Prediction>,
    /// Sentiment prediction of the matched quote (`None` when unmatched or not predicted).
    pub sentiment: Option<Prediction>,
}

impl StanceEvaluation {
    /// The gold quotes as report items for one field, grouped by gold actor.
    pub fn items(&self, field: Field) -> Vec<ScoredItem> {
        self.quotes
            .iter()
            .map(|q| {
                let (gold, prediction) = match field {
                    Field::Stance => (&q.gold_stance, &q.stance),
                    Field::Sentiment => (&q.gold_sentiment, &q.sentiment),
                };
                ScoredItem {
                    id: q.gold_quote_id.clone(),
                    doc_id: q.doc_id.clone(),
                    group: q.actor.clone(),
                    text: Some(q.text.clone()),
                    gold: gold.clone(),
                    prediction: prediction.clone(),
                    matched_id: q.quote_id.clone(),
                }
            })
            .collect()
    }
}

/// An actor's gold and predicted stance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorOutcome {
    /// Canonical name.
    pub actor: String,
    /// Gold label.
    pub gold: String,
    /// Predicted corpus-level label, if the run found the actor.
    pub predicted: Option<String>,
    /// Confidence of the prediction.
    pub confidence: Option<f32>,
}

/// The scores of one run.
#[derive(Debug, Clone, Serialize)]
pub struct StanceEvaluation {
    /// Gold quotes.
    pub gold_quotes: usize,
    /// Gold quotes with a matching predicted quote.
    pub matched_quotes: usize,
    /// Stance on matched quotes.
    pub stance: ClassificationReport,
    /// Sentiment on matched quotes (when the run has sentiment).
    pub sentiment: Option<ClassificationReport>,
    /// Quote by quote.
    pub quotes: Vec<QuoteOutcome>,
    /// Actor by actor.
    pub actors: Vec<ActorOutcome>,
    /// Fraction of gold actors whose predicted label equals gold (missing actors count as wrong).
    pub actor_accuracy: f64,
}

/// Scores `quotes` and corpus-level `actors` of a run against `gold`.
pub fn evaluate(
    gold: &[GoldStanceDoc],
    quotes: &[Quote],
    actors: &[ActorStance],
    stance_labels: &[String],
    sentiment_labels: &[String],
) -> Result<StanceEvaluation> {
    let mut by_doc: BTreeMap<&str, Vec<&Quote>> = BTreeMap::new();
    for q in quotes {
        by_doc.entry(&q.doc_id).or_default().push(q);
    }
    let (mut outcomes, mut stance_pairs, mut sentiment_pairs) =
        (Vec::new(), Vec::new(), Vec::new());
    for doc in gold {
        let predicted = by_doc.get(doc.doc_id.as_str()).cloned().unwrap_or_default();
        for (g, p) in match_quotes(&doc.quotes, &predicted) {
            let stance = p
                .map(|p| {
                    p.stance
                        .clone()
                        .with_context(|| format!("quote {} has no stance prediction", p.quote_id))
                })
                .transpose()?;
            if let Some(stance) = &stance {
                stance_pairs.push((g.stance.clone(), stance.label.clone()));
            }
            let sentiment = p.and_then(|p| p.sentiment.clone());
            if let Some(sentiment) = &sentiment {
                sentiment_pairs.push((g.sentiment.clone(), sentiment.label.clone()));
            }
            outcomes.push(QuoteOutcome {
                gold_quote_id: g.quote_id.clone(),
                doc_id: doc.doc_id.clone(),
                actor: g.actor.clone(),
                text: g.text.clone(),
                quote_id: p.map(|p| p.quote_id.clone()),
                gold_stance: g.stance.clone(),
                gold_sentiment: g.sentiment.clone(),
                stance,
                sentiment,
            });
        }
    }
    let report = |pairs: &[(String, String)], labels: &[String]| {
        let (g, p): (Vec<&str>, Vec<&str>) =
            pairs.iter().map(|(g, p)| (g.as_str(), p.as_str())).unzip();
        classification_report(&g, &p, labels)
    };
    anyhow::ensure!(
        !stance_pairs.is_empty(),
        "no predicted quote overlaps a gold quote (character-overlap F1 ≥ {MIN_OVERLAP_F1}), so there is nothing to score"
    );
    let stance = report(&stance_pairs, stance_labels)?;
    let sentiment = (!sentiment_pairs.is_empty())
        .then(|| report(&sentiment_pairs, sentiment_labels))
        .transpose()?;
    let actor_rows: Vec<ActorOutcome> = gold
        .iter()
        .flat_map(|d| &d.actors)
        .map(|g| {
            let found = actors
                .iter()
                .find(|a| a.actor == g.actor && a.doc_id.is_none());
            ActorOutcome {
                actor: g.actor.clone(),
                gold: g.stance.clone(),
                predicted: found.map(|a| a.label.clone()),
                confidence: found.map(|a| a.confidence),
            }
        })
        .collect();
    let correct = actor_rows
        .iter()
        .filter(|a| a.predicted.as_ref() == Some(&a.gold))
        .count();
    Ok(StanceEvaluation {
        gold_quotes: outcomes.len(),
        matched_quotes: outcomes.iter().filter(|o| o.quote_id.is_some()).count(),
        stance,
        sentiment,
        quotes: outcomes,
        actor_accuracy: correct as f64 / actor_rows.len().max(1) as f64,
        actors: actor_rows,
    })
}

/// Pairs each gold quote with the unused predicted quote of highest character-overlap F1
/// (at least [`MIN_OVERLAP_F1`]), best pairs first.
fn match_quotes<'g, 'p>(
    gold: &'g [GoldQuote],
    predicted: &[&'p Quote],
) -> Vec<(&'g GoldQuote, Option<&'p Quote>)> {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in predicted.iter().enumerate() {
            let f1 = overlap_f1((g.start, g.end), (p.start, p.end));
            if f1 >= MIN_OVERLAP_F1 {
                candidates.push((f1, gi, pi));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_match = vec![None; gold.len()];
    let mut used = vec![false; predicted.len()];
    for (_, gi, pi) in candidates {
        if gold_match[gi].is_none() && !used[pi] {
            gold_match[gi] = Some(predicted[pi]);
            used[pi] = true;
        }
    }
    gold.iter().zip(gold_match).collect()
}

/// F1 of two character ranges' overlap.
fn overlap_f1(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0)) as f64;
    let (la, lb) = ((a.1 - a.0) as f64, (b.1 - b.0) as f64);
    if inter == 0.0 {
        return 0.0;
    }
    2.0 * inter / (la + lb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_f1_by_hand() {
        // [0,10) vs [5,15): overlap 5, F1 = 2·5/(10+10) = 0.5.
        assert_eq!(overlap_f1((0, 10), (5, 15)), 0.5);
        assert_eq!(overlap_f1((0, 10), (10, 20)), 0.0);
        assert_eq!(overlap_f1((3, 7), (3, 7)), 1.0);
    }
}
