//! Per-actor stance from quote-level predictions, per document and over the corpus.
//!
//! The rule: quotes predicted as the task's none label say nothing about the target and are left
//! out. Each remaining quote contributes its probabilities over the on-target labels
//! (renormalised to sum to 1), weighted by its confidence (the probability of its own predicted
//! label). The actor's distribution is the weighted mean; its label is the most probable one and
//! its confidence that label's probability. Evidence lists the quotes with the largest
//! `weight · p(actor label)`, at most [`EVIDENCE`]. An actor with no on-target quote gets the
//! none label, an empty distribution and confidence 0.
//!
//! A [`Tally`] keeps running totals, not quotes, so memory does not grow with the corpus, and
//! tallies of disjoint parts of a corpus (shards) merge into exactly the tally of the whole: the
//! weighted sums are kept in fixed point, where addition is exact and so independent of order,
//! and each label keeps its own strongest [`EVIDENCE`] candidates.

use crate::classify::{argmax, Prediction};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most evidence quotes listed per actor.
pub const EVIDENCE: usize = 3;

/// One unit of the fixed-point sums, 2⁻⁶⁴: far below f32 resolution, and 2⁶³ quotes of weight
/// 1 still fit an i128.
const FIXED_ONE: f64 = 18_446_744_073_709_551_616.0;

fn to_fixed(x: f64) -> i128 {
    (x * FIXED_ONE).round() as i128
}

/// One classified quote as aggregation sees it.
#[derive(Debug, Clone)]
pub struct QuoteStance<'a> {
    /// Quote id.
    pub quote_id: &'a str,
    /// Actor id and canonical name.
    pub actor: (&'a str, &'a str),
    /// The stance prediction.
    pub stance: &'a Prediction,
}

/// An actor's aggregated stance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorStance {
    /// Stable actor id.
    pub actor_id: String,
    /// Canonical name.
    pub actor: String,
    /// Document id, absent for corpus-level rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    /// Aggregated label.
    pub label: String,
    /// Probability of each on-target label.
    pub scores: BTreeMap<String, f32>,
    /// Probability of `label` (0 without on-target quotes).
    pub confidence: f32,
    /// Quotes attributed to the actor.
    pub n_quotes: usize,
    /// Quotes not predicted as the none label.
    pub n_on_target: usize,
    /// Quote ids that carry the most weight, strongest first.
    pub evidence: Vec<String>,
}

/// The labels aggregation works over: the task's labels but its none label.
#[derive(Debug, Clone)]
pub struct Labels {
    on_target: Vec<String>,
    none_label: Option<String>,
}

impl Labels {
    /// The task's `labels` and its `none_label`, if it has one.
    pub fn new(labels: &[impl AsRef<str>], none_label: Option<&str>) -> Self {
        Labels {
            on_target: labels
                .iter()
                .map(AsRef::as_ref)
                .filter(|l| Some(*l) != none_label)
                .map(String::from)
                .collect(),
            none_label: none_label.map(String::from),
        }
    }
}

/// Running totals of one actor's quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ActorTotals {
    /// The name of the actor's first quote in corpus order.
    actor: String,
    /// Corpus position of the document `actor` comes from, to keep the first name on a merge.
    first_document: u64,
    n_quotes: usize,
    n_on_target: usize,
    /// Σ weight · p(label) per on-target label, in units of 2⁻⁶⁴.
    sums: Vec<i128>,
    /// Σ weight, in units of 2⁻⁶⁴.
    total_weight: i128,
    /// Per on-target label, the quotes with the largest `weight · p(label)`, strongest first
    /// (ties by quote id), at most [`EVIDENCE`]: whichever label wins, its evidence is here.
    evidence: Vec<Vec<(f64, String)>>,
}

impl ActorTotals {
    fn new(labels: &Labels, actor: &str, document: u64) -> Self {
        ActorTotals {
            actor: actor.to_string(),
            first_document: document,
            n_quotes: 0,
            n_on_target: 0,
            sums: vec![0; labels.on_target.len()],
            total_weight: 0,
            evidence: vec![Vec::new(); labels.on_target.len()],
        }
    }

    fn add(&mut self, labels: &Labels, quote: &QuoteStance) {
        self.n_quotes += 1;
        if Some(&quote.stance.label) == labels.none_label.as_ref() {
            return;
        }
        self.n_on_target += 1;
        let probs: Vec<f64> = labels
            .on_target
            .iter()
            .map(|l| quote.stance.scores.get(l).copied().unwrap_or(0.0) as f64)
            .collect();
        let mass = probs.iter().sum::<f64>().max(1e-12);
        let weight = quote.stance.confidence() as f64;
        self.total_weight += to_fixed(weight);
        for (l, p) in probs.iter().enumerate() {
            let strength = weight * (p / mass);
            self.sums[l] += to_fixed(strength);
            self.evidence[l].push((strength, quote.quote_id.to_string()));
            rank(&mut self.evidence[l]);
        }
    }

    fn merge(&mut self, other: ActorTotals) {
        if other.first_document < self.first_document {
            self.actor = other.actor;
            self.first_document = other.first_document;
        }
        self.n_quotes += other.n_quotes;
        self.n_on_target += other.n_on_target;
        self.total_weight += other.total_weight;
        for (s, o) in self.sums.iter_mut().zip(other.sums) {
            *s += o;
        }
        for (mine, theirs) in self.evidence.iter_mut().zip(other.evidence) {
            mine.extend(theirs);
            rank(mine);
        }
    }

    fn row(&self, labels: &Labels, actor_id: &str, doc_id: Option<&str>) -> ActorStance {
        let (label, scores, confidence, evidence) = if self.total_weight <= 0 {
            let none = labels.none_label.as_deref().unwrap_or("none").to_string();
            (none, BTreeMap::new(), 0.0, Vec::new())
        } else {
            let total = self.total_weight as f64;
            let dist: Vec<f32> = self
                .sums
                .iter()
                .map(|&s| (s as f64 / total) as f32)
                .collect();
            let best = argmax(&dist);
            (
                labels.on_target[best].clone(),
                labels.on_target.iter().cloned().zip(dist.clone()).collect(),
                dist[best],
                self.evidence[best]
                    .iter()
                    .map(|(_, id)| id.clone())
                    .collect(),
            )
        };
        ActorStance {
            actor_id: actor_id.to_string(),
            actor: self.actor.clone(),
            doc_id: doc_id.map(String::from),
            label,
            scores,
            confidence,
            n_quotes: self.n_quotes,
            n_on_target: self.n_on_target,
            evidence,
        }
    }
}

/// Sorts evidence candidates strongest first (ties by quote id) and keeps [`EVIDENCE`].
fn rank(candidates: &mut Vec<(f64, String)>) {
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    candidates.truncate(EVIDENCE);
}

/// Per-actor running totals over some quotes (a document's, a shard's, a corpus's), keyed by
/// actor id; bounded by the number of actors, not of quotes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    actors: BTreeMap<String, ActorTotals>,
}

impl Tally {
    /// Counts `quote`, found in the document at corpus position `document`. Quotes must come in
    /// corpus order within a tally; tallies of disjoint parts combine with [`Tally::merge`].
    pub fn add(&mut self, labels: &Labels, document: u64, quote: &QuoteStance) {
        let (actor_id, actor) = quote.actor;
        self.actors
            .entry(actor_id.to_string())
            .or_insert_with(|| ActorTotals::new(labels, actor, document))
            .add(labels, quote);
    }

    /// Adds the totals of quotes from other documents; the result equals one tally of all the
    /// quotes, whatever the order of merging.
    pub fn merge(&mut self, other: Tally) {
        for (actor_id, totals) in other.actors {
            match self.actors.entry(actor_id) {
                std::collections::btree_map::Entry::Occupied(mut mine) => {
                    mine.get_mut().merge(totals)
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(totals);
                }
            }
        }
    }

    /// One row per actor, sorted by actor id, for the document `doc_id` (or the corpus).
    pub fn rows(&self, labels: &Labels, doc_id: Option<&str>) -> Vec<ActorStance> {
        self.actors
            .iter()
            .map(|(actor_id, totals)| totals.row(labels, actor_id, doc_id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["oppose", "support", "none"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn labels() -> Labels {
        Labels::new(&names(), Some("none"))
    }

    fn pred(p: [f32; 3]) -> Prediction {
        Prediction::from_probs(&names(), &p, "test")
    }

    fn quote<'a>(id: &'a str, actor: &'a str, stance: &'a Prediction) -> QuoteStance<'a> {
        QuoteStance {
            quote_id: id,
            actor: (actor, actor),
            stance,
        }
    }

    #[test]
    fn weighted_mean_excludes_none_quotes() {
        // q1: oppose 0.8 (weight 0.8) → renormalised over on-target labels (0.8, 0.1)/0.9.
        // q2: support 0.6 (weight 0.6) → (0.2, 0.6)/0.8 = (0.25, 0.75).
        // q3: none → left out.
        let (p1, p2, p3) = (
            pred([0.8, 0.1, 0.1]),
            pred([0.2, 0.6, 0.2]),
            pred([0.1, 0.1, 0.8]),
        );
        let mut tally = Tally::default();
        for (id, p) in [("d:q1", &p1), ("d:q2", &p2), ("d:q3", &p3)] {
            tally.add(&labels(), 0, &quote(id, "a", p));
        }
        let rows = tally.rows(&labels(), Some("d"));
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        let oppose = (0.8 * (0.8 / 0.9) + 0.6 * 0.25) / 1.4;
        assert!((row.scores["oppose"] as f64 - oppose).abs() < 1e-6);
        assert!((row.scores["support"] as f64 - (1.0 - oppose)).abs() < 1e-6);
        assert_eq!(row.label, "oppose");
        assert_eq!((row.n_quotes, row.n_on_target), (3, 2));
        assert_eq!(row.evidence, vec!["d:q1", "d:q2"]);
        assert_eq!(row.doc_id.as_deref(), Some("d"));
    }

    #[test]
    fn actors_without_on_target_quotes_get_none() {
        let p = pred([0.1, 0.1, 0.8]);
        let mut tally = Tally::default();
        tally.add(&labels(), 0, &quote("d:q1", "b", &p));
        let rows = tally.rows(&labels(), None);
        assert_eq!(rows[0].label, "none");
        assert_eq!(rows[0].confidence, 0.0);
        assert!(rows[0].scores.is_empty() && rows[0].doc_id.is_none());
    }

    #[test]
    fn merged_tallies_of_parts_equal_the_tally_of_the_whole() {
        // Probabilities whose weighted sums round differently when added in another order.
        let preds: Vec<Prediction> = (0..40)
            .map(|i| {
                let a = 0.05 + 0.9 * ((i * 37 % 101) as f32 / 101.0);
                let n = if i % 7 == 0 { 0.9 } else { 0.02 };
                let rest = 1.0 - a - n;
                pred([a * 0.97, rest.max(0.0) + a * 0.03, n])
            })
            .collect();
        let ids: Vec<String> = (0..40).map(|i| format!("d{}:q{i}", i / 4)).collect();
        let actor = |i: usize| ["lavrov", "rice", "gates"][i % 3];
        let mut whole = Tally::default();
        let mut parts = [Tally::default(), Tally::default(), Tally::default()];
        for i in 0..40 {
            let q = QuoteStance {
                quote_id: &ids[i],
                actor: (actor(i), if i < 10 { "First" } else { "Later" }),
                stance: &preds[i],
            };
            let document = (i / 4) as u64;
            whole.add(&labels(), document, &q);
            // Documents dealt to three shards, as --shard does.
            parts[(i / 4) % 3].add(&labels(), document, &q);
        }
        let [a, b, c] = parts;
        for order in [[&c, &a, &b], [&b, &c, &a]] {
            let mut merged = Tally::default();
            for part in order {
                merged.merge(part.clone());
            }
            assert_eq!(merged, whole);
            assert_eq!(merged.rows(&labels(), None), whole.rows(&labels(), None));
        }
        // A tally survives its JSON form (the shard state) exactly.
        let json = serde_json::to_string(&whole).unwrap();
        assert_eq!(serde_json::from_str::<Tally>(&json).unwrap(), whole);
        let rows = whole.rows(&labels(), None);
        assert!(rows
            .iter()
            .all(|r| r.actor == "First" && r.evidence.len() == 3));
    }
}
