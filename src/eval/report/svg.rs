//! Inline SVG charts for `report.html`: drawn as plain markup so the page needs no scripts and
//! renders the same in any browser. Coordinates are printed with one decimal, so the markup is
//! byte-stable. Chart elements carry classes (`cell`, `bar`, `whisker`, `bin`) that the tests
//! and `scripts/check_report_html.sh` count.

use crate::eval::bootstrap::ConfidenceInterval;
use crate::eval::calibration::ReliabilityBin;
use crate::metrics::ConfusionMatrix;
use std::fmt::Write;

/// Escapes text for HTML and SVG element content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A blue from white (0) to dark (1), the usual sequential scale of confusion heatmaps.
fn blue(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let (r0, g0, b0) = (247.0, 251.0, 255.0);
    let (r1, g1, b1) = (8.0, 48.0, 107.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

/// Confusion heatmap: one `rect.cell` per (gold, predicted) pair, shaded by the row share
/// (recall per gold class), so classes of different sizes read alike; counts printed inside.
pub(super) fn confusion_heatmap(cm: &ConfusionMatrix) -> String {
    let k = cm.labels.len();
    let (cell, left, top) = (64.0, 120.0, 70.0);
    let (w, h) = (left + cell * k as f64 + 20.0, top + cell * k as f64 + 20.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" width="{w:.1}" height="{h:.1}" viewBox="0 0 {w:.1} {h:.1}" role="img" aria-label="confusion matrix">"#
    );
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="16" text-anchor="middle" class="axis">predicted</text><text x="14" y="{:.1}" text-anchor="middle" class="axis" transform="rotate(-90 14 {:.1})">gold</text>"#,
        left + cell * k as f64 / 2.0,
        top + cell * k as f64 / 2.0,
        top + cell * k as f64 / 2.0
    );
    for (j, label) in cm.labels.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            left + cell * (j as f64 + 0.5),
            top - 10.0,
            esc(label)
        );
    }
    for (i, row) in cm.counts.iter().enumerate() {
        let y = top + cell * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + cell / 2.0 + 4.0,
            esc(&cm.labels[i])
        );
        let support: u64 = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let share = if support == 0 {
                0.0
            } else {
                count as f64 / support as f64
            };
            let x = left + cell * j as f64;
            let ink = if share > 0.5 { "#ffffff" } else { "#222222" };
            let _ = write!(
                s,
                r##"<rect class="cell" x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{}" stroke="#ffffff"><title>gold {} / predicted {}: {count}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{count}</text>"##,
                blue(share),
                esc(&cm.labels[i]),
                esc(&cm.labels[j]),
                x + cell / 2.0,
                y + cell / 2.0 + 5.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Per-class F1 bars (`rect.bar`) with bootstrap interval whiskers (`line.whisker`).
pub(super) fn f1_bars(labels: &[String], f1: &[f64], intervals: &[&ConfidenceInterval]) -> String {
    let (left, top, plot_h, band) = (50.0, 20.0, 220.0, 90.0);
    let w = left + band * labels.len() as f64 + 20.0;
    let h = top + plot_h + 50.0;
    let y_of = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 1.0));
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" width="{w:.1}" height="{h:.1}" viewBox="0 0 {w:.1} {h:.1}" role="img" aria-label="per-class F1 with bootstrap intervals">"#
    );
    s.push_str(&y_axis(left, w - 20.0, &y_of));
    for (c, label) in labels.iter().enumerate() {
        let x = left + band * c as f64 + band * 0.2;
        let bw = band * 0.6;
        let (y, ci) = (y_of(f1[c]), intervals[c]);
        let _ = write!(
            s,
            r##"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="#4a7ab7"><title>{}: F1 {:.4} [{:.4}, {:.4}]</title></rect>"##,
            top + plot_h - y,
            esc(label),
            f1[c],
            ci.lower,
            ci.upper
        );
        let (cx, lo, hi) = (x + bw / 2.0, y_of(ci.lower), y_of(ci.upper));
        let _ = write!(
            s,
            r##"<line class="whisker" x1="{cx:.1}" y1="{lo:.1}" x2="{cx:.1}" y2="{hi:.1}" stroke="#222222" stroke-width="1.5"/><line x1="{:.1}" y1="{lo:.1}" x2="{:.1}" y2="{lo:.1}" stroke="#222222"/><line x1="{:.1}" y1="{hi:.1}" x2="{:.1}" y2="{hi:.1}" stroke="#222222"/>"##,
            cx - 8.0,
            cx + 8.0,
            cx - 8.0,
            cx + 8.0
        );
        let _ = write!(
            s,
            r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{cx:.1}" y="{:.1}" text-anchor="middle" class="small">{:.2}</text>"#,
            top + plot_h + 18.0,
            esc(label),
            top + plot_h + 34.0,
            f1[c]
        );
    }
    s.push_str("</svg>");
    s
}

/// Reliability diagram: accuracy per non-empty confidence bin (`rect.bin`) against the diagonal
/// of perfect calibration.
pub(super) fn reliability(bins: &[ReliabilityBin]) -> String {
    let (left, top, side) = (50.0, 20.0, 280.0);
    let (w, h) = (left + side + 20.0, top + side + 50.0);
    let x_of = |v: f64| left + side * v.clamp(0.0, 1.0);
    let y_of = |v: f64| top + side * (1.0 - v.clamp(0.0, 1.0));
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart reliability" width="{w:.1}" height="{h:.1}" viewBox="0 0 {w:.1} {h:.1}" role="img" aria-label="reliability diagram">"#
    );
    s.push_str(&y_axis(left, left + side, &y_of));
    for b in bins {
        let Some(acc) = b.accuracy else { continue };
        let (x0, x1, y) = (x_of(b.lower), x_of(b.upper), y_of(acc));
        let _ = write!(
            s,
            r##"<rect class="bin" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="#4a7ab7" fill-opacity="0.8" stroke="#ffffff"><title>confidence [{:.1}, {:.1}): {} items, accuracy {:.4}, mean confidence {:.4}</title></rect>"##,
            x0,
            x1 - x0,
            top + side - y,
            b.lower,
            b.upper,
            b.count,
            acc,
            b.mean_confidence.unwrap_or(0.0)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c0392b" stroke-dasharray="5 4"/>"##,
        x_of(0.0),
        y_of(0.0),
        x_of(1.0),
        y_of(1.0)
    );
    for t in [0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="small">{t:.1}</text>"#,
            x_of(t),
            top + side + 16.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">confidence of the predicted label</text>"#,
        left + side / 2.0,
        top + side + 38.0
    );
    s.push_str("</svg>");
    s
}

/// Horizontal grid lines and 0–1 tick labels shared by the bar and reliability charts.
fn y_axis(left: f64, right: f64, y_of: &dyn Fn(f64) -> f64) -> String {
    let mut s = String::new();
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = y_of(t);
        let _ = write!(
            s,
            r##"<line x1="{left:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="#dddddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="small">{t:.2}</text>"##,
            left - 6.0,
            y + 4.0
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn heatmap_has_one_cell_per_pair() {
        let cm = ConfusionMatrix {
            labels: vec!["a".into(), "b<".into()],
            counts: vec![vec![2, 1], vec![0, 0]],
        };
        let svg = confusion_heatmap(&cm);
        assert_eq!(svg.matches(r#"<rect class="cell""#).count(), 4);
        assert!(svg.contains("b&lt;") && !svg.contains("b<"));
        // Row a: 2/3 of its items on the diagonal → dark cell with white ink.
        assert!(svg.contains(&blue(2.0 / 3.0)));
        assert_eq!(blue(0.0), "#f7fbff");
        assert_eq!(blue(1.0), "#08306b");
    }
}
