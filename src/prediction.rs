//! A classifier's decision: the chosen label with the probability of every label, and the two
//! functions that make one. Its own module because quote records carry it, and the text layer
//! (corpus, text, quotes, actors) must not depend on the model code that produces it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A label decision with the probability of every label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The most probable label (first in task order on ties).
    pub label: String,
    /// Probability per label.
    pub scores: BTreeMap<String, f32>,
    /// What produced it (head or model id).
    pub model: String,
}

impl Prediction {
    /// Builds a prediction from probabilities in `labels` order.
    pub fn from_probs(labels: &[String], probs: &[f32], model: &str) -> Self {
        let best = argmax(probs);
        Self {
            label: labels[best].clone(),
            scores: labels.iter().cloned().zip(probs.iter().copied()).collect(),
            model: model.to_string(),
        }
    }

    /// Probability of the chosen label.
    pub fn confidence(&self) -> f32 {
        self.scores.get(&self.label).copied().unwrap_or(0.0)
    }
}

/// Index of the largest value, first on ties.
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
        .0
}

/// Softmax of a slice, computed stably in f64.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let exps: Vec<f64> = logits.iter().map(|&l| (l as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| (e / sum) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_prefers_first_on_ties_and_softmax_sums_to_one() {
        assert_eq!(argmax(&[0.1, 0.5, 0.5]), 1);
        assert_eq!(argmax(&[]), 0);
        let p = softmax(&[1000.0, 1000.0, 0.0]);
        assert!((p[0] - 0.5).abs() < 1e-6 && p[2] < 1e-6);
        assert!((softmax(&[0.3, -2.0, 4.0]).iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn prediction_picks_most_probable_label() {
        let labels = vec!["oppose".to_string(), "support".to_string()];
        let p = Prediction::from_probs(&labels, &[0.2, 0.8], "m");
        assert_eq!(p.label, "support");
        assert!((p.confidence() - 0.8).abs() < 1e-6);
    }
}
