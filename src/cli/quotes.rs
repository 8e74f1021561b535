//! `stancer quotes`: extract quotes from articles as JSONL.

use crate::actors::Registry;
use crate::corpus::{Corpus, Document};
use crate::quotes::window;
use anyhow::Result;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Flags of `stancer quotes`.
#[derive(Args, Debug)]
pub struct QuotesArgs {
    /// Articles: .txt or .jsonl files, directories of them, or - for stdin.
    #[arg(default_value = "-")]
    pub inputs: Vec<PathBuf>,
    /// Actor registry (TOML or JSON) linking speakers across documents.
    #[arg(long)]
    pub actors: Option<PathBuf>,
    /// Report bad inputs (file:line: why) on stderr and go on instead of stopping.
    #[arg(long)]
    pub skip_bad: bool,
    /// Write JSONL here (atomically) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Which extractor, and its tagger.
    #[command(flatten)]
    pub extraction: super::extractor_args::ExtractorArgs,
    /// The encoder a tagger runs on.
    #[command(flatten)]
    pub model: super::model_args::ModelArgs,
}

impl QuotesArgs {
    /// Runs the extraction over every input document.
    pub fn run(self) -> Result<()> {
        let registry = self.actors.as_deref().map(Registry::load).transpose()?;
        let extractor = self.extraction.build(&self.model)?;
        let corpus = Corpus::open(&self.inputs)?;
        let write = |out: &mut dyn Write| -> Result<()> {
            let bar = progress();
            let (mut skipped, mut documents) = (0usize, 0usize);
            for doc in corpus {
                let doc: Document = match doc {
                    Ok(d) => d,
                    Err(e) if self.skip_bad => {
                        bar.suspend(|| eprintln!("skipped: {e}"));
                        skipped += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                documents += 1;
                window::for_each_window(
                    &doc,
                    window::WINDOW_BYTES,
                    extractor.as_ref(),
                    registry.as_ref(),
                    |found| {
                        for q in found {
                            serde_json::to_writer(&mut *out, &q)?;
                            out.write_all(b"\n")?;
                        }
                        anyhow::Ok(())
                    },
                )?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            if documents == 0 {
                return Err(crate::corpus::no_documents(&self.inputs, skipped));
            }
            if skipped > 0 {
                eprintln!("skipped {skipped} bad input(s)");
            }
            Ok(())
        };
        match &self.output {
            Some(path) => crate::output::write_atomic(path, |w| write(w)),
            None => {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                write(&mut out)?;
                out.flush()?;
                Ok(())
            }
        }
    }
}

/// A document counter on stderr, hidden when stderr is not a terminal.
fn progress() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} documents {per_sec} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}
