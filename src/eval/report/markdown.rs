//! `report.md`: a report page as Markdown, for a repository, a paper draft or a diff. Charts
//! exist only in `report.html`; their numbers are in the tables.

use super::page::{Align, Block, Page};
use std::fmt::Write;

/// Escapes what would break a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The whole Markdown document.
pub(super) fn render(page: &Page) -> String {
    let mut s = format!("# {}\n", page.title);
    for block in &page.blocks {
        match block {
            Block::Heading(h) => {
                let _ = write!(s, "\n## {h}\n");
            }
            Block::Paragraph(p) => {
                let _ = write!(s, "\n{p}\n");
            }
            Block::Table(t) => {
                let header: Vec<String> = t.columns.iter().map(|(c, _)| cell(c)).collect();
                let rule: Vec<&str> = t
                    .columns
                    .iter()
                    .map(|(_, a)| match a {
                        Align::Left => "---",
                        Align::Right => "---:",
                    })
                    .collect();
                let _ = write!(
                    s,
                    "\n| {} |\n| {} |\n",
                    header.join(" | "),
                    rule.join(" | ")
                );
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
            }
            Block::Figures(figures) => {
                let _ = write!(
                    s,
                    "\n{} charts in report.html; their numbers are in the tables below.\n",
                    figures.len()
                );
            }
        }
    }
    s
}
