//! Span matching for attribution evaluation: word-token sets, overlap F1, one-to-one greedy
//! matching, and precision/recall/F1 from counts.
//!
//! Spans are compared as sets of word tokens (maximal runs of letters and digits), so
//! punctuation, quotation marks and whitespace at the edges never decide a match; corpora
//! disagree on those (PolNeAR keeps the marks and "that", our gold drops them). A leading
//! complementizer "that" is dropped before comparing for the same reason.

use serde::Serialize;

/// Character ranges (Unicode scalar offsets) of the word tokens of one text.
pub struct Words {
    ranges: Vec<(usize, usize)>,
    that: Vec<bool>,
}

impl Words {
    /// Indexes the word tokens of `text` in one pass.
    pub fn new(text: &str) -> Self {
        let mut ranges = Vec::new();
        let mut that = Vec::new();
        let mut start: Option<usize> = None;
        let mut word = String::new();
        let mut n = 0;
        for (i, c) in text.chars().enumerate() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                    word.clear();
                }
                word.extend(c.to_lowercase());
            } else if let Some(s) = start.take() {
                ranges.push((s, i));
                that.push(word == "that");
            }
            n = i + 1;
        }
        if let Some(s) = start {
            ranges.push((s, n));
            that.push(word == "that");
        }
        Words { ranges, that }
    }

    /// Sorted ids of the word tokens overlapping any of `pieces` (character ranges), without a
    /// leading "that".
    pub fn tokens(&self, pieces: &[(usize, usize)]) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &(a, b) in pieces {
            let first = self.ranges.partition_point(|&(_, e)| e <= a);
            let last = self.ranges.partition_point(|&(s, _)| s < b);
            out.extend(first..last);
        }
        out.sort_unstable();
        out.dedup();
        if out.first().is_some_and(|&t| self.that[t]) && out.len() > 1 {
            out.remove(0);
        }
        out
    }
}

/// Token-overlap F1 of two sorted token sets: 2·|a∩b| / (|a| + |b|).
pub fn overlap_f1(a: &[usize], b: &[usize]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// One-to-one matching of predictions to gold spans: every pair scoring at least `threshold`
/// is a candidate, and pairs are taken best score first (ties: earlier prediction, then
/// earlier gold), each side used once. Returns `(prediction, gold, score)`.
pub fn greedy_match(
    pred: &[Vec<usize>],
    gold: &[Vec<usize>],
    threshold: f64,
) -> Vec<(usize, usize, f64)> {
    let mut pairs = Vec::new();
    for (p, pt) in pred.iter().enumerate() {
        for (g, gt) in gold.iter().enumerate() {
            let f = overlap_f1(pt, gt);
            if f >= threshold && f > 0.0 {
                pairs.push((p, g, f));
            }
        }
    }
    pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut used_p = vec![false; pred.len()];
    let mut used_g = vec![false; gold.len()];
    let mut out = Vec::new();
    for (p, g, f) in pairs {
        if !used_p[p] && !used_g[g] {
            used_p[p] = true;
            used_g[g] = true;
            out.push((p, g, f));
        }
    }
    out
}

/// True when two sets of character ranges share at least one character.
pub fn ranges_overlap(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
    a.iter()
        .any(|&(s, e)| b.iter().any(|&(t, u)| s < u && t < e))
}

/// Precision, recall and F1 from match counts; `None` where a denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    /// Matched predictions over predictions.
    pub precision: Option<f64>,
    /// Matched gold over gold.
    pub recall: Option<f64>,
    /// Harmonic mean of the two.
    pub f1: Option<f64>,
}

impl Prf {
    /// From matched predictions over all predictions and matched gold over all gold.
    pub fn new(pred_matched: usize, pred: usize, gold_matched: usize, gold: usize) -> Self {
        let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
        let precision = ratio(pred_matched, pred);
        let recall = ratio(gold_matched, gold);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_ignore_punctuation_and_leading_that() {
        let text = "He said that “we will go,” today.";
        let w = Words::new(text);
        // "that “we will go,”" → we, will, go (ids 3, 4, 5).
        assert_eq!(w.tokens(&[(8, 26)]), vec![3, 4, 5]);
        // The quoted span alone, marks included.
        assert_eq!(w.tokens(&[(13, 26)]), vec![3, 4, 5]);
        // Discontinuous pieces join.
        assert_eq!(w.tokens(&[(0, 2), (27, 32)]), vec![0, 6]);
    }

    #[test]
    fn overlap_f1_by_hand() {
        // |a∩b| = 2, |a| = 4, |b| = 2 → 4/6.
        assert!((overlap_f1(&[1, 2, 3, 4], &[3, 4]) - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(overlap_f1(&[1, 2], &[3]), 0.0);
        assert_eq!(overlap_f1(&[], &[3]), 0.0);
        assert_eq!(overlap_f1(&[5, 6], &[5, 6]), 1.0);
    }

    #[test]
    fn greedy_matching_is_one_to_one_best_first() {
        // Prediction 0 overlaps both golds; gold 1 is its better match (F1 0.8 vs 0.67),
        // leaving gold 0 for prediction 1 (F1 0.5, exactly the threshold).
        let pred = vec![vec![3, 4, 5, 6], vec![0, 1]];
        let gold = vec![vec![0, 1, 2, 3, 4, 5], vec![4, 5, 6]];
        // pred0-gold0: common 3 → 6/10 = 0.6; pred0-gold1: common 3 → 6/7 ≈ 0.857;
        // pred1-gold0: common 2 → 4/8 = 0.5.
        let m = greedy_match(&pred, &gold, 0.5);
        let pairs: Vec<(usize, usize)> = m.iter().map(|&(p, g, _)| (p, g)).collect();
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
        assert!((m[0].2 - 6.0 / 7.0).abs() < 1e-12);
        assert_eq!(m[1].2, 0.5);
        // Exact matching only keeps F1 = 1.
        assert!(greedy_match(&pred, &gold, 1.0).is_empty());
    }

    #[test]
    fn prf_by_hand() {
        let p = Prf::new(3, 4, 3, 6);
        assert_eq!(p.precision, Some(0.75));
        assert_eq!(p.recall, Some(0.5));
        assert!((p.f1.unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(Prf::new(0, 0, 0, 2).f1, None);
        assert_eq!(Prf::new(0, 3, 0, 2).f1, Some(0.0));
    }

    #[test]
    fn range_overlap() {
        assert!(ranges_overlap(&[(0, 5)], &[(4, 9)]));
        assert!(!ranges_overlap(&[(0, 5)], &[(5, 9)]));
        assert!(ranges_overlap(&[(0, 1), (10, 12)], &[(11, 20)]));
    }
}
