//! The quote-extraction report of `stancer eval quotes`: `report.json` (schema
//! [`QUOTE_SCHEMA`]), `report.md` and `report.html`, with the same layout and guarantees as the
//! classification reports (no timestamps, no absolute paths, atomic writes).

use super::page::{Align, Page, Table};
use super::{fmt4, path_safe, write_files};
use crate::eval::quotes::{QuoteReport, Scores};
use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

use Align::{Left, Right};

/// Schema id of quote-extraction reports; bump it when a field changes meaning or disappears.
pub const QUOTE_SCHEMA: &str = "stancer-quote-report/1";

/// Name of the rule-based extractor of `src/quotes` in report folders; a learned or combined
/// extractor's report is named `stancer-quotes-learned` or `stancer-quotes-both`.
pub const EXTRACTOR: &str = "stancer-quotes";

/// `report.json`: the schema id, then the report's own fields.
#[derive(Serialize)]
struct QuoteReportFile<'a> {
    schema: &'static str,
    extractor: &'a str,
    #[serde(flatten)]
    report: &'a QuoteReport,
}

/// The report's folder under `root`: `<root>/<dataset>/<extractor>/`.
pub fn folder(report: &QuoteReport, root: &Path, extractor: &str) -> PathBuf {
    root.join(path_safe(&crate::actors::slug(&report.dataset)))
        .join(extractor)
}

/// Writes the three report files of `extractor`'s scores into `dir`.
pub fn write(report: &QuoteReport, dir: &Path, extractor: &str) -> Result<()> {
    let file = QuoteReportFile {
        schema: QUOTE_SCHEMA,
        extractor,
        report,
    };
    let json = serde_json::to_string_pretty(&file)? + "\n";
    write_files(dir, &json, &page(report, extractor))
}

/// Percent with one decimal, the precision span-extraction papers report.
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{:.1}", 100.0 * v))
}

fn scores_table(first: &str, rows: &[(String, &Scores)]) -> Table {
    let mut t = Table::new(&[
        (first, Left),
        ("gold", Right),
        ("predicted", Right),
        ("exact P", Right),
        ("exact R", Right),
        ("exact F1", Right),
        ("overlap P", Right),
        ("overlap R", Right),
        ("overlap F1", Right),
        ("matched", Right),
        ("cue acc.", Right),
        ("source acc.", Right),
    ]);
    for (name, s) in rows {
        t.row(vec![
            name.clone(),
            s.gold.to_string(),
            s.predicted.to_string(),
            pct(s.exact.precision),
            pct(s.exact.recall),
            pct(s.exact.f1),
            pct(s.overlap.precision),
            pct(s.overlap.recall),
            pct(s.overlap.f1),
            s.matched.to_string(),
            pct(s.cue_accuracy),
            pct(s.source_accuracy),
        ]);
    }
    t
}

fn page(r: &QuoteReport, extractor: &str) -> Page {
    let mut p = Page::new(format!("Quote extraction: {extractor} on {}", r.dataset));
    p.fields(vec![
        ("schema", QUOTE_SCHEMA.to_string()),
        ("dataset", r.dataset.clone()),
        ("documents", r.documents.to_string()),
        ("overall overlap F1", fmt4(r.overall.overlap.f1)),
    ]);
    p.paragraph(
        "Figures in percent. Exact: identical word-token sets of the content; overlap: token-overlap F1 ≥ 0.5, \
         one-to-one greedy matching by best overlap. Cue and source accuracy are over overlap-matched pairs \
         (source: the predicted speaker span overlaps the gold source, or names the same actor). \
         Recall counts gold attributions by gold kind; precision counts predictions by predicted kind. \
         Definitions: src/eval/quotes.rs and eval/README.md.",
    );
    p.heading("By kind");
    let mut rows = vec![("all".to_string(), &r.overall)];
    rows.extend(r.by_kind.iter().map(|(k, s)| (k.clone(), s)));
    p.table(scores_table("kind", &rows));
    p.heading("By publisher");
    let rows: Vec<(String, &Scores)> = r.by_publisher.iter().map(|(k, s)| (k.clone(), s)).collect();
    p.table(scores_table("publisher", &rows));
    p
}
