//! `report.md`: the report as Markdown tables, for a repository, a paper draft or a diff.

use super::{fmt4, fmt_ci, Report};
use std::fmt::Write;

/// Escapes what would break a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The whole Markdown report.
pub(super) fn render(r: &Report) -> String {
    let mut s = String::new();
    let b = &r.bootstrap;
    let pct = b.config.confidence * 100.0;
    let _ = writeln!(
        s,
        "# Evaluation: {} on {}\n",
        cell(&r.classifier()),
        cell(&r.dataset.name)
    );
    let _ = writeln!(s, "| | |\n| --- | --- |");
    for (k, v) in [
        ("schema", r.schema.clone()),
        ("dataset", r.dataset.name.clone()),
        ("gold file", r.dataset.gold_file.clone()),
        ("gold sha256", format!("`{}`", r.dataset.gold_sha256)),
        (
            "predictions sha256",
            format!("`{}`", r.dataset.predictions_sha256),
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
    ] {
        let _ = writeln!(s, "| {k} | {} |", cell(&v));
    }

    let _ = writeln!(
        s,
        "\n## Summary\n\n| metric | value | {pct:.0}% CI |\n| --- | ---: | --- |"
    );
    let _ = writeln!(
        s,
        "| accuracy | {:.4} | {} |",
        r.scores.accuracy,
        fmt_ci(&b.accuracy)
    );
    let _ = writeln!(
        s,
        "| macro F1 | {:.4} | {} |",
        r.scores.macro_avg.f1,
        fmt_ci(&b.macro_f1)
    );
    let _ = writeln!(s, "| weighted F1 | {:.4} | |", r.scores.weighted_avg.f1);
    if let (Some(f), Some(ci), Some([x, y])) = (r.f_avg, &b.f_avg, &r.task.f_avg_labels) {
        let _ = writeln!(s, "| F_avg ({x}, {y}) | {f:.4} | {} |", fmt_ci(ci));
    }
    let _ = writeln!(s, "| Cohen's kappa | {} | |", fmt4(r.cohen_kappa));
    let _ = writeln!(
        s,
        "| ECE ({} bins) | {:.4} | |",
        r.calibration.bins.len(),
        r.calibration.ece
    );
    let _ = writeln!(
        s,
        "| actor-level accuracy | {:.4} | |",
        r.actors.actor_level_accuracy
    );

    let _ = writeln!(
        s,
        "\n## Per class\n\n| label | precision | recall | F1 | F1 {pct:.0}% CI | support |\n| --- | ---: | ---: | ---: | --- | ---: |"
    );
    for (c, ci) in r.scores.per_class.iter().zip(&b.per_class_f1) {
        let _ = writeln!(
            s,
            "| {} | {:.4} | {:.4} | {:.4} | {} | {} |",
            cell(&c.label),
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
            "| *{name}* | {:.4} | {:.4} | {:.4} | | {} |",
            avg.precision, avg.recall, avg.f1, r.scores.support
        );
    }

    let cm = &r.scores.confusion_matrix;
    let _ = writeln!(
        s,
        "\n## Confusion matrix\n\nRows: gold; columns: predicted.\n\n| gold \\ predicted | {} |\n| --- |{}",
        cm.labels.iter().map(|l| cell(l)).collect::<Vec<_>>().join(" | "),
        " ---: |".repeat(cm.labels.len())
    );
    for (label, row) in cm.labels.iter().zip(&cm.counts) {
        let counts: Vec<String> = row.iter().map(u64::to_string).collect();
        let _ = writeln!(s, "| {} | {} |", cell(label), counts.join(" | "));
    }

    let _ = writeln!(
        s,
        "\n## Calibration\n\nExpected calibration error {:.4} over {} equal-width bins of the predicted label's probability.\n\n| bin | items | mean confidence | accuracy |\n| --- | ---: | ---: | ---: |",
        r.calibration.ece,
        r.calibration.bins.len()
    );
    for bin in &r.calibration.bins {
        let close = if bin.upper >= 1.0 { ']' } else { ')' };
        let _ = writeln!(
            s,
            "| [{:.1}, {:.1}{close} | {} | {} | {} |",
            bin.lower,
            bin.upper,
            bin.count,
            fmt4(bin.mean_confidence),
            fmt4(bin.accuracy)
        );
    }

    let _ = writeln!(
        s,
        "\n## Actors\n\nActor level (aggregated corpus-level label against the gold actor label): accuracy {:.4}.\n\n| actor | gold | predicted | confidence |\n| --- | --- | --- | ---: |",
        r.actors.actor_level_accuracy
    );
    for a in &r.actors.actor_level {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            cell(&a.actor),
            cell(&a.gold),
            cell(a.predicted.as_deref().unwrap_or("(not found)")),
            fmt4(a.confidence.map(f64::from))
        );
    }
    let _ = writeln!(
        s,
        "\nQuote level, by gold actor:\n\n| actor | gold quotes | scored | correct | accuracy |\n| --- | ---: | ---: | ---: | ---: |"
    );
    for a in &r.actors.quote_level {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            cell(&a.actor),
            a.n_gold,
            a.n_items,
            a.correct,
            fmt4(a.accuracy)
        );
    }

    let _ = writeln!(
        s,
        "\n## Errors\n\n{} wrong or missed items.\n\n| id | actor | gold | predicted | confidence | text |\n| --- | --- | --- | --- | ---: | --- |",
        r.errors.len()
    );
    for e in &r.errors {
        let conf = e
            .predicted
            .as_ref()
            .and_then(|p| e.scores.as_ref()?.get(p))
            .map(|&c| f64::from(c));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&e.id),
            cell(&e.actor),
            cell(&e.gold),
            cell(e.predicted.as_deref().unwrap_or("(missed)")),
            fmt4(conf),
            cell(&e.text)
        );
    }
    s
}
