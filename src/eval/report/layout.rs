//! What a classification report shows, in which order: the one layout behind `report.md` and
//! `report.html`.

use super::page::{Align, Figure, Page, Table};
use super::svg::{confusion_heatmap, f1_bars, reliability};
use super::{fmt4, fmt_ci, Report};

use Align::{Left, Right};

/// The report as a page.
pub(super) fn page(r: &Report) -> Page {
    let b = &r.bootstrap;
    let pct = b.config.confidence * 100.0;
    let mut p = Page::new(format!(
        "Evaluation: {} on {} ({})",
        r.classifier(),
        r.dataset.name,
        r.task.field
    ));
    p.fields(vec![
        ("schema", r.schema.clone()),
        ("dataset", r.dataset.name.clone()),
        ("protocol", r.dataset.protocol.clone()),
        ("gold file", r.dataset.gold_file.clone()),
        ("gold sha256", r.dataset.gold_sha256.clone()),
        (
            "predictions sha256",
            r.dataset
                .predictions_sha256
                .clone()
                .unwrap_or_else(|| "–".into()),
        ),
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
    ]);

    p.heading("Summary");
    let ci = format!("{pct:.0}% CI");
    let mut t = Table::new(&[("metric", Left), ("value", Right), (&ci, Left)]);
    t.row(vec![
        "accuracy".into(),
        format!("{:.4}", r.scores.accuracy),
        fmt_ci(&b.accuracy),
    ]);
    t.row(vec![
        "macro F1".into(),
        format!("{:.4}", r.scores.macro_avg.f1),
        fmt_ci(&b.macro_f1),
    ]);
    t.row(vec![
        "weighted F1".into(),
        format!("{:.4}", r.scores.weighted_avg.f1),
        String::new(),
    ]);
    if let (Some(f), Some(ci), Some([x, y])) = (r.f_avg, &b.f_avg, &r.task.f_avg_labels) {
        t.row(vec![
            format!("F_avg ({x}, {y})"),
            format!("{f:.4}"),
            fmt_ci(ci),
        ]);
    }
    t.row(vec![
        "Cohen's kappa".into(),
        fmt4(r.cohen_kappa),
        String::new(),
    ]);
    t.row(vec![
        format!("ECE ({} bins)", r.calibration.bins.len()),
        format!("{:.4}", r.calibration.ece),
        String::new(),
    ]);
    if let Some(a) = &r.actor_level {
        t.row(vec![
            "actor-level accuracy".into(),
            format!("{:.4}", a.accuracy),
            String::new(),
        ]);
    }
    p.table(t);

    let labels: Vec<String> = r.scores.per_class.iter().map(|c| c.label.clone()).collect();
    let f1: Vec<f64> = r.scores.per_class.iter().map(|c| c.f1).collect();
    let cis: Vec<_> = b.per_class_f1.iter().map(|c| &c.f1).collect();
    p.heading("Charts");
    p.figures(vec![
        Figure {
            svg: confusion_heatmap(&r.scores.confusion_matrix),
            caption: "Confusion matrix: rows gold, columns predicted; shade = share of the gold row."
                .into(),
        },
        Figure {
            svg: f1_bars(&labels, &f1, &cis),
            caption: format!(
                "Per-class F1 with {pct:.0}% bootstrap percentile intervals ({} resamples, seed {}).",
                b.config.resamples, b.config.seed
            ),
        },
        Figure {
            svg: reliability(&r.calibration.bins),
            caption: format!(
                "Reliability: accuracy per confidence bin; the dashed diagonal is perfect calibration. ECE {:.4}.",
                r.calibration.ece
            ),
        },
    ]);

    p.heading("Per class");
    let f1_ci = format!("F1 {pct:.0}% CI");
    let mut t = Table::new(&[
        ("label", Left),
        ("precision", Right),
        ("recall", Right),
        ("F1", Right),
        (&f1_ci, Left),
        ("support", Right),
    ]);
    for (c, ci) in r.scores.per_class.iter().zip(&b.per_class_f1) {
        t.row(vec![
            c.label.clone(),
            format!("{:.4}", c.precision),
            format!("{:.4}", c.recall),
            format!("{:.4}", c.f1),
            fmt_ci(&ci.f1),
            c.support.to_string(),
        ]);
    }
    for (name, avg) in [
        ("macro avg", &r.scores.macro_avg),
        ("weighted avg", &r.scores.weighted_avg),
    ] {
        t.row(vec![
            name.into(),
            format!("{:.4}", avg.precision),
            format!("{:.4}", avg.recall),
            format!("{:.4}", avg.f1),
            String::new(),
            r.scores.support.to_string(),
        ]);
    }
    p.table(t);

    p.heading("Confusion matrix");
    p.paragraph("Rows: gold; columns: predicted.");
    let cm = &r.scores.confusion_matrix;
    let mut columns = vec![("gold \\ predicted", Left)];
    columns.extend(cm.labels.iter().map(|l| (l.as_str(), Right)));
    let mut t = Table::new(&columns);
    for (label, row) in cm.labels.iter().zip(&cm.counts) {
        let mut cells = vec![label.clone()];
        cells.extend(row.iter().map(u64::to_string));
        t.row(cells);
    }
    p.table(t);

    p.heading("Calibration");
    p.paragraph(format!(
        "Expected calibration error {:.4} over {} equal-width bins of the predicted label's probability.",
        r.calibration.ece,
        r.calibration.bins.len()
    ));
    let mut t = Table::new(&[
        ("bin", Left),
        ("items", Right),
        ("mean confidence", Right),
        ("accuracy", Right),
    ]);
    for bin in &r.calibration.bins {
        let close = if bin.upper >= 1.0 { ']' } else { ')' };
        t.row(vec![
            format!("[{:.1}, {:.1}{close}", bin.lower, bin.upper),
            bin.count.to_string(),
            fmt4(bin.mean_confidence),
            fmt4(bin.accuracy),
        ]);
    }
    p.table(t);

    if let Some(a) = &r.actor_level {
        p.heading("Actors");
        p.paragraph(format!(
            "Actor level (aggregated corpus-level label against the gold actor label): accuracy {:.4}.",
            a.accuracy
        ));
        let mut t = Table::new(&[
            ("actor", Left),
            ("gold", Left),
            ("predicted", Left),
            ("confidence", Right),
        ]);
        for o in &a.actors {
            t.row(vec![
                o.actor.clone(),
                o.gold.clone(),
                o.predicted.clone().unwrap_or_else(|| "(not found)".into()),
                fmt4(o.confidence.map(f64::from)),
            ]);
        }
        p.table(t);
    }

    let by = &r.groups.by;
    p.heading(format!("By {by}"));
    p.paragraph(format!("Scored items grouped by gold {by}."));
    let mut columns = vec![
        (by.as_str(), Left),
        ("gold items", Right),
        ("scored", Right),
        ("correct", Right),
        ("accuracy", Right),
        ("macro F1", Right),
    ];
    if r.task.f_avg_labels.is_some() {
        columns.push(("F_avg", Right));
    }
    let mut t = Table::new(&columns);
    for g in &r.groups.rows {
        let mut cells = vec![
            g.group.clone(),
            g.n_gold.to_string(),
            g.n_items.to_string(),
            g.correct.to_string(),
            fmt4(g.accuracy),
            fmt4(g.macro_f1),
        ];
        if r.task.f_avg_labels.is_some() {
            cells.push(fmt4(g.f_avg));
        }
        t.row(cells);
    }
    p.table(t);

    p.heading("Errors");
    p.paragraph(format!("{} wrong or missed items.", r.errors.len()));
    let mut t = Table::new(&[
        ("id", Left),
        (by.as_str(), Left),
        ("gold", Left),
        ("predicted", Left),
        ("scores", Left),
        ("text", Left),
    ]);
    for e in &r.errors {
        let scores = e.scores.as_ref().map_or_else(String::new, |m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        t.row(vec![
            e.id.clone(),
            e.group.clone(),
            e.gold.clone(),
            e.predicted.clone().unwrap_or_else(|| "(missed)".into()),
            scores,
            e.text.clone().unwrap_or_else(|| "(left out)".into()),
        ]);
    }
    p.table(t);
    p
}
