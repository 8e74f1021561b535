//! Per-actor stance from quote-level predictions, per document and over the corpus.
//!
//! The rule: quotes predicted as the task's none label say nothing about the target and are left
//! out. Each remaining quote contributes its probabilities over the on-target labels
//! (renormalised to sum to 1), weighted by its confidence (the probability of its own predicted
//! label). The actor's distribution is the weighted mean; its label is the most probable one and
//! its confidence that label's probability. Evidence lists the quotes with the largest
//! `weight · p(actor label)`, at most [`EVIDENCE`]. An actor with no on-target quote gets the
//! none label, an empty distribution and confidence 0.

use crate::classify::{argmax, Prediction};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most evidence quotes listed per actor.
pub const EVIDENCE: usize = 3;

/// One classified quote as aggregation sees it.
#[derive(Debug, Clone)]
pub struct QuoteStance<'a> {
    /// Document id.
    pub doc_id: &'a str,
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

/// Aggregates per actor per document (when `per_document`) or per actor over all quotes.
/// Rows come sorted by (document, actor id), so output order is deterministic.
pub fn aggregate(
    quotes: &[QuoteStance],
    labels: &[String],
    none_label: Option<&str>,
    per_document: bool,
) -> Vec<ActorStance> {
    let mut groups: BTreeMap<(Option<&str>, &str), Vec<&QuoteStance>> = BTreeMap::new();
    for q in quotes {
        let doc = per_document.then_some(q.doc_id);
        groups.entry((doc, q.actor.0)).or_default().push(q);
    }
    let on_target: Vec<&String> = labels
        .iter()
        .filter(|l| Some(l.as_str()) != none_label)
        .collect();
    groups
        .into_iter()
        .map(|((doc, actor_id), members)| {
            let relevant: Vec<&&QuoteStance> = members
                .iter()
                .filter(|q| Some(q.stance.label.as_str()) != none_label)
                .collect();
            let mut sums = vec![0f64; on_target.len()];
            let mut total_weight = 0f64;
            let mut weighted: Vec<(f64, &QuoteStance, Vec<f64>)> = Vec::new();
            for q in &relevant {
                let probs: Vec<f64> = on_target
                    .iter()
                    .map(|l| q.stance.scores.get(*l).copied().unwrap_or(0.0) as f64)
                    .collect();
                let mass: f64 = probs.iter().sum();
                let probs: Vec<f64> = probs.iter().map(|p| p / mass.max(1e-12)).collect();
                let weight = q.stance.confidence() as f64;
                for (s, p) in sums.iter_mut().zip(&probs) {
                    *s += weight * p;
                }
                total_weight += weight;
                weighted.push((weight, q, probs));
            }
            let (label, scores, confidence, evidence) =
                if relevant.is_empty() || total_weight <= 0.0 {
                    let none = none_label.unwrap_or("none").to_string();
                    (none, BTreeMap::new(), 0.0, Vec::new())
                } else {
                    let dist: Vec<f32> = sums.iter().map(|s| (s / total_weight) as f32).collect();
                    let best = argmax(&dist);
                    let mut ranked: Vec<(f64, &str)> = weighted
                        .iter()
                        .map(|(w, q, p)| (w * p[best], q.quote_id))
                        .collect();
                    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
                    (
                        on_target[best].clone(),
                        on_target
                            .iter()
                            .map(|l| (*l).clone())
                            .zip(dist.iter().copied())
                            .collect(),
                        dist[best],
                        ranked
                            .into_iter()
                            .take(EVIDENCE)
                            .map(|(_, id)| id.to_string())
                            .collect(),
                    )
                };
            ActorStance {
                actor_id: actor_id.to_string(),
                actor: members[0].actor.1.to_string(),
                doc_id: doc.map(String::from),
                label,
                scores,
                confidence,
                n_quotes: members.len(),
                n_on_target: relevant.len(),
                evidence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["oppose", "support", "none"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn pred(p: [f32; 3]) -> Prediction {
        Prediction::from_probs(&labels(), &p, "test")
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
        let quotes = [
            QuoteStance {
                doc_id: "d",
                quote_id: "d:q1",
                actor: ("a", "A"),
                stance: &p1,
            },
            QuoteStance {
                doc_id: "d",
                quote_id: "d:q2",
                actor: ("a", "A"),
                stance: &p2,
            },
            QuoteStance {
                doc_id: "d",
                quote_id: "d:q3",
                actor: ("a", "A"),
                stance: &p3,
            },
        ];
        let rows = aggregate(&quotes, &labels(), Some("none"), true);
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
        let quotes = [QuoteStance {
            doc_id: "d",
            quote_id: "d:q1",
            actor: ("b", "B"),
            stance: &p,
        }];
        let rows = aggregate(&quotes, &labels(), Some("none"), false);
        assert_eq!(rows[0].label, "none");
        assert_eq!(rows[0].confidence, 0.0);
        assert!(rows[0].scores.is_empty() && rows[0].doc_id.is_none());
    }
}
