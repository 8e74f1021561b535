//! `report.html`: one self-contained page (inline CSS, inline SVG, no scripts, no external
//! resources) that opens offline in any browser and can be attached to a paper or a review.

use super::svg::{confusion_heatmap, esc, f1_bars, reliability};
use super::{fmt4, fmt_ci, Report};
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f6f8}\
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0}figcaption{font-size:.9em;color:#555;max-width:520px}\
svg text{font-size:12px;fill:#222}svg text.small{font-size:10px;fill:#555}svg text.axis{font-size:12px;font-weight:600}\
td.text{max-width:520px}.muted{color:#666}";

/// The whole HTML page.
pub(super) fn render(r: &Report) -> String {
    let b = &r.bootstrap;
    let pct = b.config.confidence * 100.0;
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        s,
        "<title>stancer evaluation: {} on {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&r.classifier()),
        esc(&r.dataset.name)
    );
    let _ = writeln!(
        s,
        "<h1>Evaluation: {} on {}</h1>",
        esc(&r.classifier()),
        esc(&r.dataset.name)
    );
    s.push_str("<table>\n");
    for (k, v) in [
        ("schema", r.schema.clone()),
        ("gold file", r.dataset.gold_file.clone()),
        ("gold sha256", r.dataset.gold_sha256.clone()),
        ("predictions sha256", r.dataset.predictions_sha256.clone()),
        ("task", format!("{} ({})", r.task.name, r.task.field)),
        ("labels", r.task.labels.join(", ")),
        ("models", r.models.join(", ")),
        (
            "items",
            format!(
                "{} gold, {} scored, {} missed (no matched prediction)",
                r.n_gold_items, r.n_items, r.n_missed
            ),
        ),
        (
            "bootstrap",
            format!(
                "{} resamples, seed {}, {pct:.0}% percentile intervals",
                b.config.resamples, b.config.seed
            ),
        ),
    ] {
        let _ = writeln!(s, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    s.push_str("</table>\n");

    let _ = writeln!(
        s,
        "<h2>Summary</h2>\n<table>\n<tr><th>metric</th><th class=\"n\">value</th><th>{pct:.0}% CI</th></tr>"
    );
    let mut row = |name: &str, value: String, ci: String| {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{value}</td><td>{ci}</td></tr>",
            esc(name)
        );
    };
    row(
        "accuracy",
        format!("{:.4}", r.scores.accuracy),
        fmt_ci(&b.accuracy),
    );
    row(
        "macro F1",
        format!("{:.4}", r.scores.macro_avg.f1),
        fmt_ci(&b.macro_f1),
    );
    row(
        "weighted F1",
        format!("{:.4}", r.scores.weighted_avg.f1),
        String::new(),
    );
    if let (Some(f), Some(ci), Some([x, y])) = (r.f_avg, &b.f_avg, &r.task.f_avg_labels) {
        row(&format!("F_avg ({x}, {y})"), format!("{f:.4}"), fmt_ci(ci));
    }
    row("Cohen's kappa", fmt4(r.cohen_kappa), String::new());
    row(
        &format!("ECE ({} bins)", r.calibration.bins.len()),
        format!("{:.4}", r.calibration.ece),
        String::new(),
    );
    row(
        "actor-level accuracy",
        format!("{:.4}", r.actors.actor_level_accuracy),
        String::new(),
    );
    s.push_str("</table>\n");

    let labels: Vec<String> = r.scores.per_class.iter().map(|c| c.label.clone()).collect();
    let f1: Vec<f64> = r.scores.per_class.iter().map(|c| c.f1).collect();
    let cis: Vec<_> = b.per_class_f1.iter().map(|c| &c.f1).collect();
    let _ = writeln!(
        s,
        "<h2>Charts</h2>\n<div class=\"charts\">\n<figure>{}<figcaption>Confusion matrix: rows gold, columns predicted; shade = share of the gold row.</figcaption></figure>\n<figure>{}<figcaption>Per-class F1 with {pct:.0}% bootstrap percentile intervals ({} resamples, seed {}).</figcaption></figure>\n<figure>{}<figcaption>Reliability: accuracy per confidence bin; the dashed diagonal is perfect calibration. ECE {:.4}.</figcaption></figure>\n</div>",
        confusion_heatmap(&r.scores.confusion_matrix),
        f1_bars(&labels, &f1, &cis),
        b.config.resamples,
        b.config.seed,
        reliability(&r.calibration.bins),
        r.calibration.ece
    );

    let _ = writeln!(
        s,
        "<h2>Per class</h2>\n<table>\n<tr><th>label</th><th class=\"n\">precision</th><th class=\"n\">recall</th><th class=\"n\">F1</th><th>F1 {pct:.0}% CI</th><th class=\"n\">support</th></tr>"
    );
    for (c, ci) in r.scores.per_class.iter().zip(&b.per_class_f1) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.label),
            c.precision,
            c.recall,
            c.f1,
            fmt_ci(&ci.f1),
            c.support
        );
    }
    for (name, avg) in [
        ("macro avg", &r.scores.macro_avg),
        ("weighted avg", &r.scores.weighted_avg),
    ] {
        let _ = writeln!(
            s,
            "<tr><td><em>{name}</em></td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td></td><td class=\"n\">{}</td></tr>",
            avg.precision, avg.recall, avg.f1, r.scores.support
        );
    }
    s.push_str("</table>\n");

    let _ = writeln!(
        s,
        "<h2>Calibration</h2>\n<table>\n<tr><th>bin</th><th class=\"n\">items</th><th class=\"n\">mean confidence</th><th class=\"n\">accuracy</th></tr>"
    );
    for bin in &r.calibration.bins {
        let close = if bin.upper >= 1.0 { ']' } else { ')' };
        let _ = writeln!(
            s,
            "<tr><td>[{:.1}, {:.1}{close}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            bin.lower,
            bin.upper,
            bin.count,
            fmt4(bin.mean_confidence),
            fmt4(bin.accuracy)
        );
    }
    s.push_str("</table>\n");

    let _ = writeln!(
        s,
        "<h2>Actors</h2>\n<p>Actor level (aggregated corpus-level label against the gold actor label): accuracy {:.4}.</p>\n<table>\n<tr><th>actor</th><th>gold</th><th>predicted</th><th class=\"n\">confidence</th></tr>",
        r.actors.actor_level_accuracy
    );
    for a in &r.actors.actor_level {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&a.actor),
            esc(&a.gold),
            esc(a.predicted.as_deref().unwrap_or("(not found)")),
            fmt4(a.confidence.map(f64::from))
        );
    }
    s.push_str("</table>\n<p>Quote level, by gold actor:</p>\n<table>\n<tr><th>actor</th><th class=\"n\">gold quotes</th><th class=\"n\">scored</th><th class=\"n\">correct</th><th class=\"n\">accuracy</th></tr>\n");
    for a in &r.actors.quote_level {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&a.actor),
            a.n_gold,
            a.n_items,
            a.correct,
            fmt4(a.accuracy)
        );
    }
    s.push_str("</table>\n");

    let _ = writeln!(
        s,
        "<h2>Errors</h2>\n<p>{} wrong or missed items.</p>\n<table>\n<tr><th>id</th><th>actor</th><th>gold</th><th>predicted</th><th>scores</th><th>text</th></tr>",
        r.errors.len()
    );
    for e in &r.errors {
        let scores = e.scores.as_ref().map_or_else(String::new, |m| {
            m.iter()
                .map(|(k, v)| format!("{}&nbsp;{v:.3}", esc(k)))
                .collect::<Vec<_>>()
                .join("<br>")
        });
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{scores}</td><td class=\"text\">{}</td></tr>",
            esc(&e.id),
            esc(&e.actor),
            esc(&e.gold),
            esc(e.predicted.as_deref().unwrap_or("(missed)")),
            esc(&e.text)
        );
    }
    s.push_str("</table>\n<p class=\"muted\">Written by stancer eval; figures are defined in eval/README.md.</p>\n</body>\n</html>\n");
    s
}
