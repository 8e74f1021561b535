//! Zero-shot classification with an NLI cross-encoder, as transformers' zero-shot pipeline does
//! it: the text is the premise, each label's hypothesis the second sequence, and the
//! entailment class (found by name in `id2label`) scores the label.

use super::classifier::{Batch, Classifier, Provenance};
use super::{softmax, Prediction};
use crate::encoders::{ModelInput, TextModel};
use crate::error::UserError;
use crate::task::Task;
use anyhow::Result;

/// How entailment logits become label scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Softmax of the entailment logits across labels: exactly one label holds.
    SingleLabel,
    /// Per label, softmax over (contradiction, entailment): labels are independent.
    MultiLabel,
}

/// Class positions a zero-shot classifier needs from the cross-encoder's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NliClasses {
    /// The class named "entailment…".
    pub entailment: usize,
    /// The class named "contradiction…", else the pipeline's convention (0, or the last class
    /// when entailment is 0).
    pub contradiction: usize,
}

impl NliClasses {
    /// Finds the classes by name in `labels`; an error when no label starts with "entail".
    pub fn from_labels(labels: &[String], model_name: &str) -> Result<Self> {
        let find = |prefix: &str| {
            labels
                .iter()
                .position(|l| l.to_lowercase().starts_with(prefix))
        };
        let entailment = find("entail").ok_or_else(|| {
            UserError::new(
                format!(
                    "model '{model_name}' has no entailment label (labels: {})",
                    labels.join(", ")
                ),
                "zero-shot classification needs an NLI cross-encoder whose id2label names an entailment class",
            )
        })?;
        let fallback = if entailment == 0 { labels.len() - 1 } else { 0 };
        Ok(Self {
            entailment,
            contradiction: find("contradict").unwrap_or(fallback),
        })
    }
}

/// Label scores for each premise: `hypotheses[i][k]` is premise `i`'s hypothesis for label `k`.
/// Every (premise, hypothesis) pair goes through the model in one batched run.
pub fn zero_shot_scores(
    model: &TextModel,
    classes: NliClasses,
    premises: &[&str],
    hypotheses: &[Vec<String>],
    mode: Mode,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    anyhow::ensure!(
        premises.len() == hypotheses.len(),
        "one hypothesis list per premise"
    );
    let pairs: Vec<ModelInput> = premises
        .iter()
        .zip(hypotheses)
        .flat_map(|(p, hs)| hs.iter().map(move |h| ModelInput::Pair(p, h)))
        .collect();
    let logits = model.logits(&pairs, batch_size)?;
    let mut rows = logits.into_iter();
    Ok(hypotheses
        .iter()
        .map(|hs| {
            let per_label: Vec<Vec<f32>> = rows.by_ref().take(hs.len()).collect();
            match mode {
                Mode::SingleLabel => softmax(
                    &per_label
                        .iter()
                        .map(|l| l[classes.entailment])
                        .collect::<Vec<_>>(),
                ),
                Mode::MultiLabel => per_label
                    .iter()
                    .map(|l| softmax(&[l[classes.contradiction], l[classes.entailment]])[1])
                    .collect(),
            }
        })
        .collect())
}

/// Zero-shot stance from a task's per-label hypotheses.
pub struct NliClassifier {
    model: TextModel,
    classes: NliClasses,
    task: Task,
    labels: Vec<String>,
    name: String,
    mode: Mode,
    provenance: Provenance,
}

impl NliClassifier {
    /// Wraps a cross-encoder scoring `task`'s hypotheses; fails when it has no entailment
    /// class.
    pub fn new(
        model: TextModel,
        name: &str,
        mode: Mode,
        task: Task,
        provenance: Provenance,
    ) -> Result<Self> {
        Ok(Self {
            classes: NliClasses::from_labels(model.labels(), name)?,
            model,
            labels: task.labels.iter().map(|l| l.name.clone()).collect(),
            task,
            name: name.to_string(),
            mode,
            provenance,
        })
    }

    /// The cross-encoder.
    pub fn model(&self) -> &TextModel {
        &self.model
    }
}

impl Classifier for NliClassifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Scores every task label for each item, with `{speaker}` and `{target}` filled in.
    fn predict(&self, batch: &mut Batch) -> Result<Vec<Prediction>> {
        let items = batch.items;
        let premises: Vec<&str> = items.iter().map(|i| i.text).collect();
        let hypotheses: Vec<Vec<String>> = items
            .iter()
            .map(|item| {
                (0..self.task.labels.len())
                    .map(|k| self.task.hypothesis_for(k, item.speaker, item.target))
                    .collect()
            })
            .collect();
        let scores = zero_shot_scores(
            &self.model,
            self.classes,
            &premises,
            &hypotheses,
            self.mode,
            batch.batch_size(),
        )?;
        Ok(scores
            .iter()
            .map(|s| Prediction::from_probs(&self.labels, s, &self.name))
            .collect())
    }

    fn provenance(&self) -> &Provenance {
        &self.provenance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(labels: &[&str]) -> Vec<String> {
        labels.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn classes_are_found_by_name_not_position() {
        let c = NliClasses::from_labels(&names(&["neutral", "CONTRADICTION", "Entailment"]), "m")
            .unwrap();
        assert_eq!(
            c,
            NliClasses {
                entailment: 2,
                contradiction: 1
            }
        );
        let c = NliClasses::from_labels(&names(&["entailment", "neutral", "other"]), "m").unwrap();
        assert_eq!(
            c,
            NliClasses {
                entailment: 0,
                contradiction: 2
            }
        );
        assert!(NliClasses::from_labels(&names(&["positive", "negative"]), "m").is_err());
    }
}
