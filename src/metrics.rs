//! Classification and agreement metrics over string labels, with scikit-learn semantics.
//!
//! Researchers publish these numbers next to scikit-learn's, so every definition here follows
//! scikit-learn exactly (`precision_recall_fscore_support(labels=…, zero_division=0)`,
//! `cohen_kappa_score`) or the `krippendorff` package (nominal alpha), and
//! `tests/metrics_sklearn.rs` checks that against values those libraries produced.
//!
//! Every call takes the label set explicitly: its order is the order of confusion-matrix rows
//! and columns and of per-class results, and a label in it that never occurs still counts in
//! macro averages (as in scikit-learn when `labels` is passed). Gold or predicted labels outside
//! the set, misaligned vectors and empty input are errors, never panics.
//!
//! Results are plain serde structs whose field names are part of the report schema; floats are
//! computed in a fixed order from integer counts and written by `serde_json` in shortest
//! round-trip form, so the same input always serialises to the same bytes. Undefined values are
//! `None` (JSON `null`), never NaN.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Why a metric could not be computed; the message names the offending label, item or argument.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// The label set defines the confusion matrix, so it cannot be empty.
    #[error("the label set is empty; pass the labels of the task (e.g. support, oppose, none)")]
    EmptyLabelSet,
    /// A repeated label would make confusion-matrix rows ambiguous.
    #[error("label {0:?} appears more than once in the label set")]
    DuplicateLabel(String),
    /// Two per-item vectors that must be aligned have different lengths.
    #[error("{left} has {left_len} items but {right} has {right_len}; they must be aligned item by item")]
    LengthMismatch {
        /// Name of the first vector (e.g. "gold").
        left: &'static str,
        /// Its length.
        left_len: usize,
        /// Name of the second vector (e.g. "predictions").
        right: &'static str,
        /// Its length.
        right_len: usize,
    },
    /// The metric has no value on zero items.
    #[error("no items to score: {0} is undefined on empty input")]
    Empty(&'static str),
    /// A gold or predicted label is not in the label set (often a typo or a task mismatch).
    #[error("{side} label {label:?} at index {index} is not in the label set [{known}]")]
    UnknownLabel {
        /// Which vector holds it ("gold", "predicted", …).
        side: &'static str,
        /// The label as found.
        label: String,
        /// Its 0-based position in that vector.
        index: usize,
        /// The label set, comma-separated.
        known: String,
    },
    /// An argument outside its domain (confidence level, probabilities, resample count…).
    #[error("{0}")]
    InvalidArgument(String),
    /// The metric is undefined on the data given (e.g. a bootstrap estimate on degenerate input).
    #[error("{0}")]
    Undefined(String),
}

/// Counts of gold (rows) against predicted (columns) labels, in label-set order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Row and column labels, in the order given by the caller.
    pub labels: Vec<String>,
    /// `counts[g][p]`: items with gold label `labels[g]` predicted as `labels[p]`.
    pub counts: Vec<Vec<u64>>,
}

/// Precision, recall, F1 and support of one class (zero_division = 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// The class.
    pub label: String,
    /// Correct predictions of the class over all predictions of it; 0 when never predicted.
    pub precision: f64,
    /// Correct predictions of the class over its gold items; 0 when absent from gold.
    pub recall: f64,
    /// 2·tp / (2·tp + fp + fn); 0 when the class is absent from both gold and predictions.
    pub f1: f64,
    /// Number of gold items of the class.
    pub support: u64,
}

/// Precision, recall and F1 averaged over classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AverageMetrics {
    /// Averaged precision.
    pub precision: f64,
    /// Averaged recall.
    pub recall: f64,
    /// Average of the per-class F1 scores (not the F1 of the averaged precision and recall).
    pub f1: f64,
}

/// Everything scikit-learn's `classification_report` gives, plus the confusion matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    /// One entry per label, in label-set order.
    pub per_class: Vec<ClassMetrics>,
    /// Fraction of items whose prediction equals gold.
    pub accuracy: f64,
    /// Unweighted mean over every label in the set, including labels that never occur.
    pub macro_avg: AverageMetrics,
    /// Mean weighted by gold support.
    pub weighted_avg: AverageMetrics,
    /// Number of items scored.
    pub support: u64,
    /// The counts the figures above come from.
    pub confusion_matrix: ConfusionMatrix,
}

/// Agreement between two annotators (or an annotator and a model) on the same items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementReport {
    /// Number of items both coded.
    pub n_items: u64,
    /// Fraction of items with the same label.
    pub observed_agreement: f64,
    /// Cohen's kappa; `None` where chance agreement is 1 (both coders used one same label).
    pub cohen_kappa: Option<f64>,
    /// Krippendorff's nominal alpha; `None` where only one label value occurs at all.
    pub krippendorff_alpha: Option<f64>,
    /// First coder on rows, second on columns.
    pub confusion_matrix: ConfusionMatrix,
}

/// McNemar's exact test between two systems scored on the same gold items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McNemarTest {
    /// Number of items compared.
    pub n_items: u64,
    /// Items both systems got right.
    pub both_correct: u64,
    /// Items only system A got right (b in the usual 2×2 table).
    pub only_a_correct: u64,
    /// Items only system B got right (c).
    pub only_b_correct: u64,
    /// Items both systems got wrong.
    pub both_wrong: u64,
    /// Two-sided p-value: min(1, 2·P[X ≤ min(b, c)]) with X ~ Binomial(b + c, 1/2); 1 when b + c = 0.
    pub p_value: f64,
    /// Names the test, so a report says which one produced `p_value`.
    pub method: String,
}

/// Method name written into [`McNemarTest::method`].
const MCNEMAR_METHOD: &str = "mcnemar-exact-binomial-two-sided";

impl ClassificationReport {
    /// SemEval-2016 Task 6's F_avg: the mean of the F1 of the FAVOR and AGAINST classes, which
    /// ignores NONE by design; pass the two labels as named in this label set.
    pub fn f_avg(&self, favor: &str, against: &str) -> Result<f64, MetricsError> {
        if favor == against {
            return Err(MetricsError::InvalidArgument(format!(
                "F_avg needs two different classes, got {favor:?} twice"
            )));
        }
        Ok((self.f1_of(favor)? + self.f1_of(against)?) / 2.0)
    }

    fn f1_of(&self, label: &str) -> Result<f64, MetricsError> {
        self.per_class
            .iter()
            .find(|c| c.label == label)
            .map(|c| c.f1)
            .ok_or_else(|| {
                MetricsError::InvalidArgument(format!(
                    "F_avg class {label:?} is not in the label set [{}]",
                    self.confusion_matrix.labels.join(", ")
                ))
            })
    }
}

/// Confusion matrix of `gold` (rows) against `pred` (columns) in the order of `labels`.
///
/// Empty input gives a matrix of zeros; only labels outside the set and misaligned vectors are
/// errors.
pub fn confusion_matrix<G, P, L>(
    gold: &[G],
    pred: &[P],
    labels: &[L],
) -> Result<ConfusionMatrix, MetricsError>
where
    G: AsRef<str>,
    P: AsRef<str>,
    L: AsRef<str>,
{
    let set = LabelSet::new(labels)?;
    check_lengths("gold", gold.len(), "predictions", pred.len())?;
    let g = set.encode("gold", gold)?;
    let p = set.encode("predicted", pred)?;
    Ok(set.confusion(&g, &p))
}

/// Per-class, averaged and overall scores as scikit-learn computes them with
/// `labels=labels, zero_division=0`.
pub fn classification_report<G, P, L>(
    gold: &[G],
    pred: &[P],
    labels: &[L],
) -> Result<ClassificationReport, MetricsError>
where
    G: AsRef<str>,
    P: AsRef<str>,
    L: AsRef<str>,
{
    let cm = checked_confusion(
        gold,
        pred,
        labels,
        "classification scores",
        Pairing::GoldPredicted,
    )?;
    Ok(report_from_confusion(cm))
}

/// Cohen's kappa as scikit-learn's `cohen_kappa_score` (unweighted); `Ok(None)` where
/// scikit-learn returns NaN, i.e. when chance agreement is 1.
pub fn cohen_kappa<A, B, L>(a: &[A], b: &[B], labels: &[L]) -> Result<Option<f64>, MetricsError>
where
    A: AsRef<str>,
    B: AsRef<str>,
    L: AsRef<str>,
{
    let cm = checked_confusion(a, b, labels, "Cohen's kappa", Pairing::TwoCoders)?;
    Ok(kappa_from_confusion(&cm.counts))
}

/// Krippendorff's alpha for nominal data, two coders and no missing values, as the
/// `krippendorff` Python package computes it; `Ok(None)` where it is undefined (one value only).
pub fn krippendorff_alpha_nominal<A, B, L>(
    a: &[A],
    b: &[B],
    labels: &[L],
) -> Result<Option<f64>, MetricsError>
where
    A: AsRef<str>,
    B: AsRef<str>,
    L: AsRef<str>,
{
    let cm = checked_confusion(a, b, labels, "Krippendorff's alpha", Pairing::TwoCoders)?;
    Ok(alpha_from_confusion(&cm.counts))
}

/// All agreement figures for two coders at once, for `stancer eval agreement`.
pub fn agreement<A, B, L>(a: &[A], b: &[B], labels: &[L]) -> Result<AgreementReport, MetricsError>
where
    A: AsRef<str>,
    B: AsRef<str>,
    L: AsRef<str>,
{
    let cm = checked_confusion(a, b, labels, "agreement", Pairing::TwoCoders)?;
    let n = total(&cm.counts);
    Ok(AgreementReport {
        n_items: n,
        observed_agreement: trace(&cm.counts) as f64 / n as f64,
        cohen_kappa: kappa_from_confusion(&cm.counts),
        krippendorff_alpha: alpha_from_confusion(&cm.counts),
        confusion_matrix: cm,
    })
}

/// McNemar's exact test of whether systems A and B differ in accuracy on the same items; only
/// items where exactly one system is right carry information.
pub fn mcnemar_exact<G, A, B, L>(
    gold: &[G],
    pred_a: &[A],
    pred_b: &[B],
    labels: &[L],
) -> Result<McNemarTest, MetricsError>
where
    G: AsRef<str>,
    A: AsRef<str>,
    B: AsRef<str>,
    L: AsRef<str>,
{
    let set = LabelSet::new(labels)?;
    check_lengths("gold", gold.len(), "system A predictions", pred_a.len())?;
    check_lengths("gold", gold.len(), "system B predictions", pred_b.len())?;
    if gold.is_empty() {
        return Err(MetricsError::Empty("McNemar's test"));
    }
    let g = set.encode("gold", gold)?;
    let a = set.encode("system A predicted", pred_a)?;
    let b = set.encode("system B predicted", pred_b)?;
    let (mut both, mut only_a, mut only_b, mut neither) = (0u64, 0u64, 0u64, 0u64);
    for ((g, a), b) in g.iter().zip(&a).zip(&b) {
        match (a == g, b == g) {
            (true, true) => both += 1,
            (true, false) => only_a += 1,
            (false, true) => only_b += 1,
            (false, false) => neither += 1,
        }
    }
    let lower_tail = binomial_half_cdf(only_a.min(only_b), only_a + only_b);
    Ok(McNemarTest {
        n_items: g.len() as u64,
        both_correct: both,
        only_a_correct: only_a,
        only_b_correct: only_b,
        both_wrong: neither,
        p_value: (2.0 * lower_tail).min(1.0),
        method: MCNEMAR_METHOD.to_string(),
    })
}

/// The label set with a lookup table, validated once per call.
pub(crate) struct LabelSet<'a> {
    names: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> LabelSet<'a> {
    /// Rejects an empty label set or a repeated label.
    pub(crate) fn new<L: AsRef<str>>(labels: &'a [L]) -> Result<Self, MetricsError> {
        if labels.is_empty() {
            return Err(MetricsError::EmptyLabelSet);
        }
        let names: Vec<&str> = labels.iter().map(|l| l.as_ref()).collect();
        let mut index = HashMap::with_capacity(names.len());
        for (i, &name) in names.iter().enumerate() {
            if index.insert(name, i).is_some() {
                return Err(MetricsError::DuplicateLabel(name.to_string()));
            }
        }
        Ok(LabelSet { names, index })
    }

    /// Positions of `values` in the label set; `side` names the vector in errors.
    pub(crate) fn encode<S: AsRef<str>>(
        &self,
        side: &'static str,
        values: &[S],
    ) -> Result<Vec<usize>, MetricsError> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let v = v.as_ref();
                self.index
                    .get(v)
                    .copied()
                    .ok_or_else(|| MetricsError::UnknownLabel {
                        side,
                        label: v.to_string(),
                        index: i,
                        known: self.names.join(", "),
                    })
            })
            .collect()
    }

    fn confusion(&self, gold: &[usize], pred: &[usize]) -> ConfusionMatrix {
        let k = self.names.len();
        let mut counts = vec![vec![0u64; k]; k];
        for (&g, &p) in gold.iter().zip(pred) {
            counts[g][p] += 1;
        }
        ConfusionMatrix {
            labels: self.names.iter().map(|s| s.to_string()).collect(),
            counts,
        }
    }
}

/// Errors unless two vectors that must be aligned item by item have the same length.
pub(crate) fn check_lengths(
    left: &'static str,
    left_len: usize,
    right: &'static str,
    right_len: usize,
) -> Result<(), MetricsError> {
    if left_len == right_len {
        Ok(())
    } else {
        Err(MetricsError::LengthMismatch {
            left,
            left_len,
            right,
            right_len,
        })
    }
}

/// What two aligned label vectors are, for naming them in errors.
#[derive(Clone, Copy)]
enum Pairing {
    GoldPredicted,
    TwoCoders,
}

impl Pairing {
    /// (first vector, second vector, first side, second side) as errors name them.
    fn names(self) -> [&'static str; 4] {
        match self {
            Pairing::GoldPredicted => ["gold", "predictions", "gold", "predicted"],
            Pairing::TwoCoders => [
                "first coder",
                "second coder",
                "first coder's",
                "second coder's",
            ],
        }
    }
}

/// Validates and tabulates a pair of label vectors for a metric undefined on empty input.
fn checked_confusion<A, B, L>(
    a: &[A],
    b: &[B],
    labels: &[L],
    metric: &'static str,
    pairing: Pairing,
) -> Result<ConfusionMatrix, MetricsError>
where
    A: AsRef<str>,
    B: AsRef<str>,
    L: AsRef<str>,
{
    let [a_name, b_name, a_side, b_side] = pairing.names();
    let set = LabelSet::new(labels)?;
    check_lengths(a_name, a.len(), b_name, b.len())?;
    if a.is_empty() {
        return Err(MetricsError::Empty(metric));
    }
    let a = set.encode(a_side, a)?;
    let b = set.encode(b_side, b)?;
    Ok(set.confusion(&a, &b))
}

fn total(counts: &[Vec<u64>]) -> u64 {
    counts.iter().flatten().sum()
}

fn trace(counts: &[Vec<u64>]) -> u64 {
    counts.iter().enumerate().map(|(i, row)| row[i]).sum()
}

/// `num / den`, or 0 when `den` is 0 (scikit-learn's `zero_division=0`).
fn ratio_or_zero(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn report_from_confusion(cm: ConfusionMatrix) -> ClassificationReport {
    let k = cm.labels.len();
    let n = total(&cm.counts);
    let per_class: Vec<ClassMetrics> = (0..k)
        .map(|c| {
            let tp = cm.counts[c][c];
            let support: u64 = cm.counts[c].iter().sum();
            let predicted: u64 = cm.counts.iter().map(|row| row[c]).sum();
            ClassMetrics {
                label: cm.labels[c].clone(),
                precision: ratio_or_zero(tp, predicted),
                recall: ratio_or_zero(tp, support),
                // scikit-learn ≥ 1.3: F = (1 + β²)·tp / (β²·support + predicted), β = 1.
                f1: ratio_or_zero(2 * tp, support + predicted),
                support,
            }
        })
        .collect();
    let mean = |f: fn(&ClassMetrics) -> f64| per_class.iter().map(f).sum::<f64>() / k as f64;
    // n > 0 here, so the weights (gold supports) never sum to zero.
    let weighted = |f: fn(&ClassMetrics) -> f64| {
        per_class
            .iter()
            .map(|c| f(c) * c.support as f64)
            .sum::<f64>()
            / n as f64
    };
    ClassificationReport {
        accuracy: trace(&cm.counts) as f64 / n as f64,
        macro_avg: AverageMetrics {
            precision: mean(|c| c.precision),
            recall: mean(|c| c.recall),
            f1: mean(|c| c.f1),
        },
        weighted_avg: AverageMetrics {
            precision: weighted(|c| c.precision),
            recall: weighted(|c| c.recall),
            f1: weighted(|c| c.f1),
        },
        per_class,
        support: n,
        confusion_matrix: cm,
    }
}

/// scikit-learn computes kappa = 1 − Σ_{i≠j} O_ij / Σ_{i≠j} E_ij with E = outer(col, row) / n.
/// With integer counts that is 1 − n·(n − trace) / (n² − Σ_i row_i·col_i), evaluated here
/// exactly in integers before a single division.
fn kappa_from_confusion(counts: &[Vec<u64>]) -> Option<f64> {
    let n = total(counts) as u128;
    let agree = trace(counts) as u128;
    let chance: u128 = (0..counts.len())
        .map(|i| {
            let row: u64 = counts[i].iter().sum();
            let col: u64 = counts.iter().map(|r| r[i]).sum();
            row as u128 * col as u128
        })
        .sum();
    let den = n * n - chance;
    (den != 0).then(|| 1.0 - (n * (n - agree)) as f64 / den as f64)
}

/// For two coders without missing values the coincidence matrix is C + Cᵀ (C the confusion
/// matrix), with n = 2N pairable values and n_c = row_c + col_c; the `krippendorff` package's
/// 1 − Σ_{c≠k} o_ck / Σ_{c≠k} e_ck with e_ck = n_c·n_k / (n − 1) becomes
/// 1 − 2(N − trace)(n − 1) / (n² − Σ_c n_c²), computed exactly in integers.
fn alpha_from_confusion(counts: &[Vec<u64>]) -> Option<f64> {
    let items = total(counts) as u128;
    let n = 2 * items;
    let sum_sq: u128 = (0..counts.len())
        .map(|c| {
            let row: u64 = counts[c].iter().sum();
            let col: u64 = counts.iter().map(|r| r[c]).sum();
            let n_c = (row + col) as u128;
            n_c * n_c
        })
        .sum();
    let den = n * n - sum_sq;
    let num = 2 * (items - trace(counts) as u128) * (n - 1);
    (den != 0).then(|| 1.0 - num as f64 / den as f64)
}

/// P[X ≤ k] for X ~ Binomial(m, 1/2), summed in log space so large m neither overflows nor
/// loses the tail. Called with k ≤ m/2, where terms grow with i, so the last term is the largest.
fn binomial_half_cdf(k: u64, m: u64) -> f64 {
    if k >= m {
        return 1.0;
    }
    let ln_half_m = -(m as f64) * std::f64::consts::LN_2;
    // ln C(m, i), built up from ln C(m, 0) = 0.
    let mut ln_terms = Vec::with_capacity(k as usize + 1);
    let mut ln_choose = 0.0f64;
    ln_terms.push(ln_half_m);
    for i in 1..=k {
        ln_choose += ((m - i + 1) as f64).ln() - (i as f64).ln();
        ln_terms.push(ln_choose + ln_half_m);
    }
    let peak = ln_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scaled: f64 = ln_terms.iter().map(|t| (t - peak).exp()).sum();
    (peak + scaled.ln()).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: [&str; 3] = ["a", "b", "c"];

    fn close(x: f64, y: f64) {
        assert!((x - y).abs() < 1e-12, "{x} != {y}");
    }

    // gold a a a b b c / pred a a b b c c.
    // Confusion (rows gold): a [2 1 0], b [0 1 1], c [0 0 1]; gold counts 3 2 1, predicted 2 2 2.
    // precision a 2/2 = 1, b 1/2, c 1/2; recall a 2/3, b 1/2, c 1/1.
    // F1 = 2tp/(support + predicted): a 4/5, b 2/4, c 2/3.
    // accuracy 4/6. macro P (1 + .5 + .5)/3 = 2/3, R (2/3 + 1/2 + 1)/3 = 13/18,
    // F1 (4/5 + 1/2 + 2/3)/3 = 59/90. weighted P (3·1 + 2·.5 + 1·.5)/6 = 3/4,
    // R (3·2/3 + 2·1/2 + 1)/6 = 2/3, F1 (3·4/5 + 2·1/2 + 1·2/3)/6 = 61/90.
    const GOLD: [&str; 6] = ["a", "a", "a", "b", "b", "c"];
    const PRED: [&str; 6] = ["a", "a", "b", "b", "c", "c"];

    #[test]
    fn hand_computed_report() {
        let r = classification_report(&GOLD, &PRED, &ABC).unwrap();
        assert_eq!(
            r.confusion_matrix.counts,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]
        );
        let p: Vec<f64> = r.per_class.iter().map(|c| c.precision).collect();
        let rc: Vec<f64> = r.per_class.iter().map(|c| c.recall).collect();
        let f: Vec<f64> = r.per_class.iter().map(|c| c.f1).collect();
        let s: Vec<u64> = r.per_class.iter().map(|c| c.support).collect();
        assert_eq!(p, vec![1.0, 0.5, 0.5]);
        close(rc[0], 2.0 / 3.0);
        assert_eq!(&rc[1..], &[0.5, 1.0]);
        close(f[0], 0.8);
        close(f[1], 0.5);
        close(f[2], 2.0 / 3.0);
        assert_eq!(s, vec![3, 2, 1]);
        assert_eq!(r.support, 6);
        close(r.accuracy, 4.0 / 6.0);
        close(r.macro_avg.precision, 2.0 / 3.0);
        close(r.macro_avg.recall, 13.0 / 18.0);
        close(r.macro_avg.f1, 59.0 / 90.0);
        close(r.weighted_avg.precision, 0.75);
        close(r.weighted_avg.recall, 2.0 / 3.0);
        close(r.weighted_avg.f1, 61.0 / 90.0);
        // F_avg(a, b) = (4/5 + 1/2)/2 = 0.65.
        close(r.f_avg("a", "b").unwrap(), 0.65);
    }

    #[test]
    fn label_absent_from_both_counts_in_macro_average() {
        // Adding d (never gold, never predicted): its P = R = F1 = 0 with zero_division = 0,
        // so macro F1 = (59/90)·3/4 = 59/120; weighted averages are unchanged (support 0).
        let r = classification_report(&GOLD, &PRED, &["a", "b", "c", "d"]).unwrap();
        let d = &r.per_class[3];
        assert_eq!((d.precision, d.recall, d.f1, d.support), (0.0, 0.0, 0.0, 0));
        close(r.macro_avg.f1, 59.0 / 120.0);
        close(r.macro_avg.precision, 0.5);
        close(r.weighted_avg.f1, 61.0 / 90.0);
    }

    #[test]
    fn never_predicted_class_has_zero_precision() {
        // gold a b, pred a a: b never predicted → precision_b = 0 (zero_division), recall_b = 0,
        // F1_b = 0/(1 + 0) = 0; a: P = 1/2, R = 1, F1 = 2/(1 + 2) = 2/3.
        let r = classification_report(&["a", "b"], &["a", "a"], &["a", "b"]).unwrap();
        assert_eq!(r.per_class[1].precision, 0.0);
        assert_eq!(r.per_class[1].f1, 0.0);
        close(r.per_class[0].f1, 2.0 / 3.0);
    }

    #[test]
    fn hand_computed_kappa_and_alpha() {
        // kappa: n = 6, trace 4, Σ row·col = 3·2 + 2·2 + 1·2 = 12;
        // p_o = 4/6, p_e = 12/36 = 1/3, kappa = (2/3 − 1/3)/(2/3) = 1/2.
        close(cohen_kappa(&GOLD, &PRED, &ABC).unwrap().unwrap(), 0.5);
        // alpha: n = 12 values, n_c = 3+2, 2+2, 1+2 = 5, 4, 3, Σ n_c² = 50;
        // disagreeing coincidences 2·(6 − 4) = 4; alpha = 1 − 4·11/(144 − 50) = 1 − 44/94 = 25/47.
        let alpha = krippendorff_alpha_nominal(&GOLD, &PRED, &ABC).unwrap();
        close(alpha.unwrap(), 25.0 / 47.0);
        let ag = agreement(&GOLD, &PRED, &ABC).unwrap();
        assert_eq!(ag.cohen_kappa, Some(0.5));
        close(ag.observed_agreement, 4.0 / 6.0);
        assert_eq!(ag.n_items, 6);
    }

    #[test]
    fn kappa_and_alpha_undefined_on_a_single_shared_label() {
        let same = ["a", "a", "a"];
        assert_eq!(cohen_kappa(&same, &same, &ABC).unwrap(), None);
        assert_eq!(
            krippendorff_alpha_nominal(&same, &same, &ABC).unwrap(),
            None
        );
        // One coder constant, the other not: p_o = 1/2, p_e = (1·2 + 1·0)/4 = 1/2 → kappa 0.
        // alpha: n_c = 3, 1; 1 − 2·1·3/(16 − 10) = 0.
        assert_eq!(
            cohen_kappa(&["a", "a"], &["a", "b"], &ABC).unwrap(),
            Some(0.0)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&["a", "a"], &["a", "b"], &ABC).unwrap(),
            Some(0.0)
        );
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let err = classification_report(&["a"], &["favour"], &ABC).unwrap_err();
        assert_eq!(
            err.to_string(),
            "predicted label \"favour\" at index 0 is not in the label set [a, b, c]"
        );
        let err = classification_report(&["a", "b"], &["a"], &ABC).unwrap_err();
        assert!(matches!(
            err,
            MetricsError::LengthMismatch {
                left_len: 2,
                right_len: 1,
                ..
            }
        ));
        let empty: [&str; 0] = [];
        assert_eq!(
            classification_report(&empty, &empty, &ABC).unwrap_err(),
            MetricsError::Empty("classification scores")
        );
        assert!(cohen_kappa(&empty, &empty, &ABC).is_err());
        assert!(krippendorff_alpha_nominal(&empty, &empty, &ABC).is_err());
        assert_eq!(
            classification_report(&["a"], &["a"], &empty).unwrap_err(),
            MetricsError::EmptyLabelSet
        );
        assert_eq!(
            classification_report(&["a"], &["a"], &["a", "a"]).unwrap_err(),
            MetricsError::DuplicateLabel("a".into())
        );
        let r = classification_report(&GOLD, &PRED, &ABC).unwrap();
        assert!(r.f_avg("a", "favor").is_err());
        assert!(r.f_avg("a", "a").is_err());
        // The confusion matrix itself is defined on empty input.
        let cm = confusion_matrix(&empty, &empty, &["a", "b"]).unwrap();
        assert_eq!(cm.counts, vec![vec![0, 0], vec![0, 0]]);
    }

    #[test]
    fn mcnemar_exact_hand_computed() {
        // 10 gold items, all "a". A right on items 0..8, B right on items 0..3 and 8:
        // both 3, only A 5, only B 1, neither 1. m = 6, k = 1:
        // P[X ≤ 1] = (C(6,0) + C(6,1))/2⁶ = 7/64, p = 14/64.
        let gold = ["a"; 10];
        let a: Vec<&str> = (0..10).map(|i| if i < 8 { "a" } else { "b" }).collect();
        let b: Vec<&str> = (0..10)
            .map(|i| if i < 3 || i == 8 { "a" } else { "b" })
            .collect();
        let t = mcnemar_exact(&gold, &a, &b, &["a", "b"]).unwrap();
        assert_eq!(
            (
                t.both_correct,
                t.only_a_correct,
                t.only_b_correct,
                t.both_wrong
            ),
            (3, 5, 1, 1)
        );
        close(t.p_value, 14.0 / 64.0);
        // Identical systems: b = c = 0 → p = 1.
        assert_eq!(
            mcnemar_exact(&gold, &a, &a, &["a", "b"]).unwrap().p_value,
            1.0
        );
    }

    #[test]
    fn binomial_tail_is_stable_for_large_counts() {
        // m = 6, k = 3: (1 + 6 + 15 + 20)/64 = 42/64.
        close(binomial_half_cdf(3, 6), 42.0 / 64.0);
        // Symmetric m = 2001, k = 1000: exactly 1/2 (the log-space sum keeps ~1e-12 relative).
        assert!((binomial_half_cdf(1000, 2001) - 0.5).abs() < 1e-9);
        // 2⁻³⁰⁰⁰ underflows to 0 instead of producing NaN.
        assert_eq!(binomial_half_cdf(0, 3000), 0.0);
    }

    #[test]
    fn serialisation_is_stable() {
        let r = classification_report(&["a", "b"], &["a", "a"], &["a", "b"]).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"per_class":[{"label":"a","precision":0.5,"recall":1.0,"f1":0.6666666666666666,"support":1},"#,
                r#"{"label":"b","precision":0.0,"recall":0.0,"f1":0.0,"support":1}],"accuracy":0.5,"#,
                r#""macro_avg":{"precision":0.25,"recall":0.5,"f1":0.3333333333333333},"#,
                r#""weighted_avg":{"precision":0.25,"recall":0.5,"f1":0.3333333333333333},"support":2,"#,
                r#""confusion_matrix":{"labels":["a","b"],"counts":[[1,0],[1,0]]}}"#
            )
        );
        let back: ClassificationReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
