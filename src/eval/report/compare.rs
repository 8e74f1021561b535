//! `stancer eval compare`: two reports side by side, with paired tests on the items both scored.
//!
//! Two systems evaluated on the same gold items are compared item by item (paired), which is
//! far more sensitive than comparing their intervals: McNemar's exact test on correctness and a
//! paired bootstrap of the accuracy and macro-F1 differences, on identical resamples.

use super::{fmt4, Align, Report, Table};
use crate::eval::bootstrap::{paired_bootstrap, BootstrapConfig, PairedBootstrapTest};
use crate::metrics::{classification_report, mcnemar_exact, ClassificationReport, McNemarTest};
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One metric of both reports; deltas are B − A, so a positive delta means B scores higher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDelta {
    /// Metric name.
    pub metric: String,
    /// Value in report A.
    pub a: Option<f64>,
    /// Value in report B.
    pub b: Option<f64>,
    /// `b − a`, when both are defined.
    pub delta: Option<f64>,
}

/// A paired bootstrap of one metric's difference, oriented B − A like the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedDelta {
    /// Metric name.
    pub metric: String,
    /// Metric of A on the paired items.
    pub a: f64,
    /// Metric of B on the paired items.
    pub b: f64,
    /// `b − a`.
    pub delta: f64,
    /// Lower bound of the percentile interval of `b − a`.
    pub delta_lower: f64,
    /// Upper bound.
    pub delta_upper: f64,
    /// Two-sided bootstrap p-value for "no difference".
    pub p_value: f64,
    /// Confidence level, resamples, seed and method, as the bootstrap reported them.
    pub confidence: f64,
    /// Resamples drawn.
    pub resamples: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl PairedDelta {
    /// Reads a test run with B as the first system, so its `delta` is already B − A.
    fn from_b_minus_a(metric: &str, t: PairedBootstrapTest) -> Self {
        PairedDelta {
            metric: metric.to_string(),
            a: t.estimate_b,
            b: t.estimate_a,
            delta: t.delta,
            delta_lower: t.delta_lower,
            delta_upper: t.delta_upper,
            p_value: t.p_value,
            confidence: t.confidence,
            resamples: t.resamples,
            seed: t.seed,
        }
    }
}

/// Everything `stancer eval compare` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Classifier of report A.
    pub a: String,
    /// Classifier of report B.
    pub b: String,
    /// Items each report scored (its own figures are over these).
    pub n_items: [u64; 2],
    /// Whole-report figures side by side.
    pub metrics: Vec<MetricDelta>,
    /// Items both reports scored (matched a prediction), on which the tests run.
    pub n_paired: u64,
    /// Gold items scored by A only (missed by B or absent from B).
    pub only_a: u64,
    /// Gold items scored by B only.
    pub only_b: u64,
    /// McNemar's exact test on correctness; its "A" and "B" are reports A and B.
    pub mcnemar: McNemarTest,
    /// Paired bootstrap differences (accuracy, macro F1).
    pub paired_bootstrap: Vec<PairedDelta>,
}

/// Compares two reports of the same task on the same gold; errors name what differs.
pub fn compare(a: &Report, b: &Report, config: &BootstrapConfig) -> Result<Comparison> {
    anyhow::ensure!(
        a.task.field == b.task.field,
        "the reports score different fields ({} vs {}); compare reports of the same field",
        a.task.field,
        b.task.field
    );
    anyhow::ensure!(
        a.task.labels == b.task.labels,
        "the reports use different label sets ([{}] vs [{}]); compare reports of the same task",
        a.task.labels.join(", "),
        b.task.labels.join(", ")
    );
    let b_items: BTreeMap<&str, _> = b.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let (mut gold, mut pred_a, mut pred_b) = (Vec::new(), Vec::new(), Vec::new());
    let mut only_a = 0u64;
    for ia in &a.items {
        let Some(ib) = b_items.get(ia.id.as_str()) else {
            only_a += u64::from(ia.predicted.is_some());
            continue;
        };
        anyhow::ensure!(
            ia.gold == ib.gold,
            "item {} has gold {:?} in A but {:?} in B: the reports score different gold annotations",
            ia.id,
            ia.gold,
            ib.gold
        );
        match (&ia.predicted, &ib.predicted) {
            (Some(pa), Some(pb)) => {
                gold.push(ia.gold.as_str());
                pred_a.push(pa.as_str());
                pred_b.push(pb.as_str());
            }
            (Some(_), None) => only_a += 1,
            _ => {}
        }
    }
    let n = gold.len();
    let only_b = b.items.iter().filter(|i| i.predicted.is_some()).count() as u64 - n as u64;
    anyhow::ensure!(
        n > 0,
        "the reports share no scored items (no gold id both runs matched); they must evaluate the same gold"
    );
    let labels = &a.task.labels;
    let mcnemar = mcnemar_exact(&gold, &pred_a, &pred_b, labels)?;
    let mut paired = Vec::new();
    let metrics_to_test: [(&str, Figure); 2] = [
        ("accuracy", |r| r.accuracy),
        ("macro F1", |r| r.macro_avg.f1),
    ];
    for (name, f) in metrics_to_test {
        let t = paired_bootstrap(
            n,
            config,
            scorer(&gold, &pred_b, labels, f),
            scorer(&gold, &pred_a, labels, f),
        )?;
        paired.push(PairedDelta::from_b_minus_a(name, t));
    }

    let mut metrics = Vec::new();
    let mut push = |name: String, x: Option<f64>, y: Option<f64>| {
        metrics.push(MetricDelta {
            metric: name,
            a: x,
            b: y,
            delta: x.zip(y).map(|(x, y)| y - x),
        })
    };
    push(
        "accuracy".into(),
        Some(a.scores.accuracy),
        Some(b.scores.accuracy),
    );
    push(
        "macro F1".into(),
        Some(a.scores.macro_avg.f1),
        Some(b.scores.macro_avg.f1),
    );
    push(
        "weighted F1".into(),
        Some(a.scores.weighted_avg.f1),
        Some(b.scores.weighted_avg.f1),
    );
    if a.f_avg.is_some() || b.f_avg.is_some() {
        push("F_avg".into(), a.f_avg, b.f_avg);
    }
    push("Cohen's kappa".into(), a.cohen_kappa, b.cohen_kappa);
    push(
        "ECE".into(),
        Some(a.calibration.ece),
        Some(b.calibration.ece),
    );
    if a.actor_level.is_some() || b.actor_level.is_some() {
        push(
            "actor-level accuracy".into(),
            a.actor_level.as_ref().map(|x| x.accuracy),
            b.actor_level.as_ref().map(|x| x.accuracy),
        );
    }
    for (ca, cb) in a.scores.per_class.iter().zip(&b.scores.per_class) {
        push(format!("F1 {}", ca.label), Some(ca.f1), Some(cb.f1));
    }
    Ok(Comparison {
        a: a.classifier(),
        b: b.classifier(),
        n_items: [a.n_items, b.n_items],
        metrics,
        n_paired: n as u64,
        only_a,
        only_b,
        mcnemar,
        paired_bootstrap: paired,
    })
}

/// Reads one figure off a classification report.
type Figure = fn(&ClassificationReport) -> f64;

/// A bootstrap metric closure: `f` of the classification report on the resampled items.
fn scorer<'a>(
    gold: &'a [&'a str],
    pred: &'a [&'a str],
    labels: &'a [String],
    f: Figure,
) -> impl FnMut(&[usize]) -> Option<f64> + 'a {
    move |idx| {
        let g: Vec<&str> = idx.iter().map(|&i| gold[i]).collect();
        let p: Vec<&str> = idx.iter().map(|&i| pred[i]).collect();
        classification_report(&g, &p, labels).ok().map(|r| f(&r))
    }
}

impl Comparison {
    /// The side-by-side table and the tests, as plain text for the terminal.
    pub fn table(&self) -> String {
        let mut s = format!(
            "A: {} ({} items scored)\nB: {} ({} items scored)\n\n",
            self.a, self.n_items[0], self.b, self.n_items[1]
        );
        let mut table = Table::new(&[
            ("metric", Align::Left),
            ("A", Align::Right),
            ("B", Align::Right),
            ("B − A", Align::Right),
        ]);
        for m in &self.metrics {
            let delta = m
                .delta
                .map_or_else(|| "–".to_string(), |d| format!("{d:+.4}"));
            table.row(vec![m.metric.clone(), fmt4(m.a), fmt4(m.b), delta]);
        }
        s.push_str(&table.to_text());
        let t = &self.mcnemar;
        let _ = writeln!(
            s,
            "\npaired on {} items scored by both (A only {}, B only {})",
            self.n_paired, self.only_a, self.only_b
        );
        let _ = writeln!(
            s,
            "McNemar exact: both right {}, only A right {}, only B right {}, both wrong {}; p = {:.4}",
            t.both_correct, t.only_a_correct, t.only_b_correct, t.both_wrong, t.p_value
        );
        for p in &self.paired_bootstrap {
            let _ = writeln!(
                s,
                "paired bootstrap {}: B − A = {:+.4}, {:.0}% CI [{:+.4}, {:+.4}], p = {:.4} ({} resamples, seed {})",
                p.metric,
                p.delta,
                p.confidence * 100.0,
                p.delta_lower,
                p.delta_upper,
                p.p_value,
                p.resamples,
                p.seed
            );
        }
        s
    }
}
