//! `report.html`: a report page as one self-contained file (inline CSS, inline SVG, no scripts,
//! no external resources) that opens offline in any browser and can be attached to a paper or
//! a review.

use super::page::{Align, Block, Page};
use super::svg::esc;
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;max-width:520px}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f6f8}\
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0}figcaption{font-size:.9em;color:#555;max-width:520px}\
svg text{font-size:12px;fill:#222}svg text.small{font-size:10px;fill:#555}svg text.axis{font-size:12px;font-weight:600}\
.muted{color:#666}";

/// The whole HTML page.
pub(super) fn render(page: &Page) -> String {
    let title = esc(&page.title);
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>stancer: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for block in &page.blocks {
        match block {
            Block::Heading(h) => {
                let _ = writeln!(s, "<h2>{}</h2>", esc(h));
            }
            Block::Paragraph(p) => {
                let _ = writeln!(s, "<p>{}</p>", esc(p));
            }
            Block::Table(t) => {
                let class = |a: Align| {
                    if a == Align::Right {
                        " class=\"n\""
                    } else {
                        ""
                    }
                };
                s.push_str("<table>\n<tr>");
                for (c, a) in &t.columns {
                    let _ = write!(s, "<th{}>{}</th>", class(*a), esc(c));
                }
                s.push_str("</tr>\n");
                for row in &t.rows {
                    s.push_str("<tr>");
                    for (c, (_, a)) in row.iter().zip(&t.columns) {
                        let _ = write!(s, "<td{}>{}</td>", class(*a), esc(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Figures(figures) => {
                s.push_str("<div class=\"charts\">\n");
                for f in figures {
                    let _ = writeln!(
                        s,
                        "<figure>{}<figcaption>{}</figcaption></figure>",
                        f.svg,
                        esc(&f.caption)
                    );
                }
                s.push_str("</div>\n");
            }
        }
    }
    s.push_str("<p class=\"muted\">Written by stancer eval; figures are defined in eval/README.md.</p>\n</body>\n</html>\n");
    s
}
