//! `stancer eval …`: evaluation subcommands. `eval quotes` scores quote extraction against a
//! gold dataset.

use crate::actors::Registry;
use crate::error::UserError;
use crate::eval::quotes::{Evaluator, GoldDoc};
use crate::eval::report::quotes as quote_report;
use crate::eval::{native, polnear};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Flags of `stancer eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// What to evaluate.
    #[command(subcommand)]
    pub command: EvalCommand,
}

/// The evaluation subcommands.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Score quote extraction: content P/R/F1 (exact, overlap), cue and source accuracy.
    Quotes(EvalQuotesArgs),
    /// Score a run's stance and sentiment (quote and actor level) against native gold.
    Stance(super::eval_stance::EvalStanceArgs),
    /// Score a stance classifier (trained head, NLI, similarity baseline) on labelled data.
    #[command(alias = "zero-shot")]
    Data(super::eval_data::EvalDataArgs),
    /// Compare two report.json files: per-metric deltas, McNemar and paired bootstrap tests.
    Compare(super::eval_compare::EvalCompareArgs),
    /// Agreement of two label files: Cohen's kappa, Krippendorff's alpha, confusion matrix.
    Agreement(super::eval_agreement::EvalAgreementArgs),
}

impl EvalArgs {
    /// Runs the chosen evaluation.
    pub fn run(self) -> Result<()> {
        match self.command {
            EvalCommand::Quotes(args) => args.run(),
            EvalCommand::Stance(args) => args.run(),
            EvalCommand::Data(args) => args.run(),
            EvalCommand::Compare(args) => args.run(),
            EvalCommand::Agreement(args) => args.run(),
        }
    }
}

/// Flags of `stancer eval quotes`.
#[derive(Args, Debug)]
pub struct EvalQuotesArgs {
    /// Gold data: `polnear[:DIR]` (default DIR: $STANCER_DATA/polnear) or `native:gold.jsonl`.
    #[arg(long)]
    pub dataset: String,
    /// PolNeAR split to score (train or dev; the test split is kept back).
    #[arg(long, default_value = "dev")]
    pub split: String,
    /// Actor registry (TOML or JSON) used while extracting.
    #[arg(long)]
    pub actors: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write every miss, spurious prediction and wrong cue/source here (JSONL).
    #[arg(long)]
    pub mistakes: Option<PathBuf>,
    /// Root of the report tree: report.json, report.md and report.html go to
    /// DIR/<dataset>/stancer-quotes/.
    #[arg(long, default_value = crate::eval::report::DEFAULT_ROOT)]
    pub reports: PathBuf,
    /// Print the scores only; write no report files.
    #[arg(long)]
    pub no_report: bool,
    /// Score only the documents this tagger folder's tagger.json lists as held out of its
    /// training (PolNeAR train documents, for choices made before dev is scored).
    #[arg(long)]
    pub held_out: Option<PathBuf>,
    /// Which extractor, and its tagger.
    #[command(flatten)]
    pub extraction: super::extractor_args::ExtractorArgs,
    /// The encoder a tagger runs on.
    #[command(flatten)]
    pub model: super::model_args::ModelArgs,
}

impl EvalQuotesArgs {
    /// Extracts quotes from every gold document and prints the scores.
    pub fn run(self) -> Result<()> {
        let (mut name, mut docs) = self.load()?;
        if let Some(dir) = &self.held_out {
            let kept = held_out_ids(dir)?;
            docs.retain(|d| kept.contains(&d.doc.id));
            name.push_str(" held out");
            if docs.is_empty() {
                return Err(UserError::new(
                    format!(
                        "none of {}'s held-out documents are in {name}",
                        dir.display()
                    ),
                    "score the split the tagger was trained on (--split train)",
                ));
            }
        }
        let registry = self.actors.as_deref().map(Registry::load).transpose()?;
        let extractor = self.extraction.build(&self.model)?;
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(docs.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        let mut ev = Evaluator::new(self.mistakes.is_some(), name.starts_with("PolNeAR"));
        for gold in &docs {
            let predicted = extractor
                .extract(&gold.doc, registry.as_ref())
                .with_context(|| format!("cannot extract quotes from {}", gold.doc.id))?;
            ev.add(gold, &predicted);
            bar.inc(1);
        }
        bar.finish_and_clear();
        let report = ev.report(&name);
        if let (Some(path), Some(mistakes)) = (&self.mistakes, &ev.mistakes) {
            crate::output::write_atomic(path, |w| {
                for m in mistakes {
                    serde_json::to_writer(&mut *w, m)?;
                    w.write_all(b"\n")?;
                }
                Ok(())
            })?;
        }
        let extractor_name = self.extraction.extractor.report_name();
        let dir =
            (!self.no_report).then(|| quote_report::folder(&report, &self.reports, extractor_name));
        if let Some(dir) = &dir {
            quote_report::write(&report, dir, extractor_name)?;
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", report.table());
            if let Some(dir) = dir {
                println!("report: {}", dir.display());
            }
        }
        Ok(())
    }

    fn load(&self) -> Result<(String, Vec<GoldDoc>)> {
        let (kind, path) = self
            .dataset
            .split_once(':')
            .map_or((self.dataset.as_str(), None), |(k, p)| {
                (k, Some(Path::new(p)))
            });
        match kind {
            "polnear" => {
                let root = path.map_or_else(
                    || crate::settings::data_root().join("polnear"),
                    Path::to_path_buf,
                );
                let docs = polnear::load(&root, &self.split)?;
                Ok((format!("PolNeAR {}", self.split), docs))
            }
            "native" => {
                let path = path.ok_or_else(|| {
                    UserError::new(
                        "native needs a path",
                        "use --dataset native:datasets/missile-shield/gold.jsonl",
                    )
                })?;
                Ok((path.display().to_string(), native::load(path)?))
            }
            other => Err(UserError::new(
                format!("unknown dataset kind {other:?}"),
                "use --dataset polnear[:DIR] or --dataset native:FILE",
            )),
        }
    }
}

/// The documents a tagger folder's `tagger.json` lists as held out of its training.
fn held_out_ids(dir: &Path) -> Result<std::collections::BTreeSet<String>> {
    let path = dir.join(crate::tagger::MANIFEST);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: crate::tagger::TaggerManifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a tagger manifest", path.display()))?;
    Ok(manifest.data.into_iter().flat_map(|d| d.held_out).collect())
}
