//! Expected calibration error and the reliability table behind a reliability diagram.
//!
//! A classifier's confidence is only useful to a reader if "0.8" means right about 80% of the
//! time; these figures say how far off that is. Confidence is the probability the model gave
//! its predicted label (top-label calibration, Guo et al. 2017).

use crate::metrics::{check_lengths, LabelSet, MetricsError};
use serde::{Deserialize, Serialize};

/// Number of equal-width bins the reports use unless told otherwise.
pub const DEFAULT_BINS: usize = 10;

/// One equal-width confidence bin of the reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Inclusive lower edge, `i / bins`.
    pub lower: f64,
    /// Upper edge, `(i + 1) / bins`: exclusive, except that the last bin includes 1.
    pub upper: f64,
    /// Items whose confidence falls in the bin.
    pub count: u64,
    /// Mean confidence of those items; `None` for an empty bin.
    pub mean_confidence: Option<f64>,
    /// Fraction of those items predicted correctly; `None` for an empty bin.
    pub accuracy: Option<f64>,
}

/// Expected calibration error with its reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// Number of items.
    pub n_items: u64,
    /// Σ_bins (count / n)·|accuracy − mean confidence|.
    pub ece: f64,
    /// One row per bin, lowest confidence first, empty bins included.
    pub bins: Vec<ReliabilityBin>,
}

/// ECE over `n_bins` equal-width bins of `confidence`, the probability of each item's predicted
/// label; an item counts as correct when its prediction equals gold.
///
/// Errors on misaligned or empty input, labels outside `labels`, `n_bins` = 0, or a confidence
/// that is not a number in [0, 1].
pub fn expected_calibration_error<G, P, L>(
    gold: &[G],
    pred: &[P],
    confidence: &[f64],
    labels: &[L],
    n_bins: usize,
) -> Result<CalibrationReport, MetricsError>
where
    G: AsRef<str>,
    P: AsRef<str>,
    L: AsRef<str>,
{
    if n_bins == 0 {
        return Err(MetricsError::InvalidArgument(
            "calibration needs at least one bin".to_string(),
        ));
    }
    let set = LabelSet::new(labels)?;
    check_lengths("gold", gold.len(), "predictions", pred.len())?;
    check_lengths("predictions", pred.len(), "confidences", confidence.len())?;
    if gold.is_empty() {
        return Err(MetricsError::Empty("expected calibration error"));
    }
    let g = set.encode("gold", gold)?;
    let p = set.encode("predicted", pred)?;
    if let Some((i, c)) = confidence
        .iter()
        .enumerate()
        .find(|(_, c)| !(0.0..=1.0).contains(*c))
    {
        return Err(MetricsError::InvalidArgument(format!(
            "confidence {c} at index {i} is not a probability in [0, 1]"
        )));
    }

    let edge = |i: usize| i as f64 / n_bins as f64;
    let mut count = vec![0u64; n_bins];
    let mut conf_sum = vec![0.0f64; n_bins];
    let mut correct = vec![0u64; n_bins];
    for ((&g, &p), &c) in g.iter().zip(&p).zip(confidence) {
        let b = bin_of(c, n_bins, edge);
        count[b] += 1;
        conf_sum[b] += c;
        correct[b] += u64::from(g == p);
    }
    let n = g.len() as f64;
    let mut ece = 0.0;
    let bins = (0..n_bins)
        .map(|b| {
            let (mean_confidence, accuracy) = if count[b] == 0 {
                (None, None)
            } else {
                let k = count[b] as f64;
                let (conf, acc) = (conf_sum[b] / k, correct[b] as f64 / k);
                ece += k / n * (acc - conf).abs();
                (Some(conf), Some(acc))
            };
            ReliabilityBin {
                lower: edge(b),
                upper: edge(b + 1),
                count: count[b],
                mean_confidence,
                accuracy,
            }
        })
        .collect();
    Ok(CalibrationReport {
        n_items: g.len() as u64,
        ece,
        bins,
    })
}

/// The bin whose reported edges contain `c`: the last `i` with `edge(i) ≤ c`, capped at the
/// final bin, so an item on an edge goes to the bin the table says it is in.
fn bin_of(c: f64, n_bins: usize, edge: impl Fn(usize) -> f64) -> usize {
    let mut b = ((c * n_bins as f64) as usize).min(n_bins - 1);
    while b > 0 && c < edge(b) {
        b -= 1;
    }
    while b + 1 < n_bins && c >= edge(b + 1) {
        b += 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    const AB: [&str; 2] = ["a", "b"];

    #[test]
    fn hand_computed_ece() {
        // Confidences .95 (right), .85 (wrong), .35 (right), .05 (wrong), one per bin 9, 8, 3, 0.
        // Gaps |1 − .95| = .05, |0 − .85| = .85, |1 − .35| = .65, |0 − .05| = .05;
        // ECE = (.05 + .85 + .65 + .05)/4 = 0.4.
        let gold = ["a", "a", "a", "a"];
        let pred = ["a", "b", "a", "b"];
        let r =
            expected_calibration_error(&gold, &pred, &[0.95, 0.85, 0.35, 0.05], &AB, 10).unwrap();
        assert!((r.ece - 0.4).abs() < 1e-12, "{}", r.ece);
        let counts: Vec<u64> = r.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![1, 0, 0, 1, 0, 0, 0, 0, 1, 1]);
        assert_eq!(r.bins[9].accuracy, Some(1.0));
        assert_eq!(r.bins[8].mean_confidence, Some(0.85));
        assert_eq!(r.bins[1].accuracy, None);
        assert_eq!((r.bins[3].lower, r.bins[3].upper), (0.3, 0.4));
    }

    #[test]
    fn edges_go_to_the_bin_that_starts_there() {
        let edge = |i: usize| i as f64 / 10.0;
        assert_eq!(bin_of(0.0, 10, edge), 0);
        assert_eq!(bin_of(0.3, 10, edge), 3);
        assert_eq!(bin_of(0.7, 10, edge), 7);
        assert_eq!(bin_of(0.2999999999999999, 10, edge), 2);
        assert_eq!(bin_of(1.0, 10, edge), 9);
        assert_eq!(bin_of(0.5, 1, |i| i as f64), 0);
    }

    #[test]
    fn perfectly_calibrated_is_zero() {
        // Two items at .5, one right: accuracy .5 = confidence .5.
        let r = expected_calibration_error(&["a", "a"], &["a", "b"], &[0.5, 0.5], &AB, 10).unwrap();
        assert_eq!(r.ece, 0.0);
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let err = expected_calibration_error(&["a"], &["a"], &[1.5], &AB, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "confidence 1.5 at index 0 is not a probability in [0, 1]"
        );
        assert!(expected_calibration_error(&["a"], &["a"], &[f64::NAN], &AB, 10).is_err());
        assert!(expected_calibration_error(&["a"], &["a"], &[0.5, 0.5], &AB, 10).is_err());
        assert!(expected_calibration_error(&["a"], &["a"], &[0.5], &AB, 0).is_err());
        assert!(expected_calibration_error(&["a"], &["c"], &[0.5], &AB, 10).is_err());
        let empty: [&str; 0] = [];
        assert_eq!(
            expected_calibration_error(&empty, &empty, &[], &AB, 10).unwrap_err(),
            MetricsError::Empty("expected calibration error")
        );
    }
}
