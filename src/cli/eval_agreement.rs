//! `stancer eval agreement A.jsonl B.jsonl`: inter-annotator (or annotator–model) agreement,
//! the figure a labelled dataset needs before its gold can be trusted.

use crate::eval::agreement::{compare, load_labels, Agreement};
use crate::eval::report::{Align, Table};
use crate::metrics::ConfusionMatrix;
use crate::task::Task;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Flags of `stancer eval agreement`.
#[derive(Args, Debug)]
pub struct EvalAgreementArgs {
    /// First annotator: JSONL of {"id", "label"}, or a gold.jsonl (quotes matched by quote_id).
    first: PathBuf,
    /// Second annotator, same shapes.
    second: PathBuf,
    /// Which gold quote label to compare when a file is a gold.jsonl.
    #[arg(long, default_value = "stance")]
    field: String,
    /// Task file whose labels fix the label set and its order (default: labels found, sorted).
    #[arg(long)]
    task: Option<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

impl EvalAgreementArgs {
    /// Reads both files and prints kappa, alpha and the confusion matrix.
    pub fn run(&self) -> Result<()> {
        let first = load_labels(&self.first, &self.field)?;
        let second = load_labels(&self.second, &self.field)?;
        let labels: Option<Vec<String>> = self
            .task
            .as_deref()
            .map(Task::load)
            .transpose()?
            .map(|t| t.labels.iter().map(|l| l.name.clone()).collect());
        let agreement = compare(&first, &second, labels.as_deref()).with_context(|| {
            format!(
                "cannot compare {} with {}",
                self.first.display(),
                self.second.display()
            )
        })?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&agreement)?);
        } else {
            print!("{}", table(&agreement));
        }
        Ok(())
    }
}

fn table(ag: &Agreement) -> String {
    let r = &ag.report;
    let opt = |x: Option<f64>| x.map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"));
    let mut s = format!(
        "items {} (first only {}, second only {})\nobserved agreement {:.4}\nCohen's kappa      {}\nKrippendorff alpha {} (nominal)\n",
        r.n_items,
        ag.only_first,
        ag.only_second,
        r.observed_agreement,
        opt(r.cohen_kappa),
        opt(r.krippendorff_alpha)
    );
    s.push_str(&confusion(&r.confusion_matrix));
    s
}

/// The confusion matrix with the first coder on rows.
fn confusion(cm: &ConfusionMatrix) -> String {
    let mut columns = vec![("1st \\ 2nd", Align::Left)];
    columns.extend(cm.labels.iter().map(|l| (l.as_str(), Align::Right)));
    let mut t = Table::new(&columns);
    for (l, row) in cm.labels.iter().zip(&cm.counts) {
        t.row(
            std::iter::once(l.clone())
                .chain(row.iter().map(|c| c.to_string()))
                .collect(),
        );
    }
    format!("\n{}", t.to_text())
}
