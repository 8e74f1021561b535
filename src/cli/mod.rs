//! Command-line front end: one file per subcommand, each an `Args` struct with a `run` method.
//! `main.rs` only parses and dispatches; everything here calls into the library.

// Doc comments on flags are their `--help` text, where `DIR/<dataset>/` is a placeholder that
// rustdoc would take for an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

pub mod bench;
pub mod embed;
pub mod eval;
pub mod eval_agreement;
pub mod eval_compare;
pub mod eval_data;
pub mod eval_stance;
pub mod extractor_args;
pub mod fine_tune_args;
pub mod merge;
pub mod model_args;
pub mod models;
pub mod quotes;
pub mod run;
pub mod stance_args;
pub mod train;
pub mod train_tagger;

use crate::error::UserError;
use clap::{Parser, Subcommand};

/// The whole command line; the binary and the Python package both parse it.
#[derive(Parser)]
#[command(
    name = "stancer",
    version,
    about = "Quotes, speakers and stance in political news"
)]
pub struct Cli {
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List, fetch, verify and locate the public models stancer runs.
    Models(models::ModelsArgs),
    /// Embed texts with a sentence-embedding model (JSONL out).
    Embed(embed::EmbedArgs),
    /// Find quotes, classify stance, aggregate per actor (the main job).
    Run(run::RunArgs),
    /// Merge the outputs of `run --shard K/N` into those of one run.
    Merge(merge::MergeArgs),
    /// Train a stance or sentiment head on frozen embeddings.
    Train(train::TrainArgs),
    /// Fine-tune the learned quote span tagger on PolNeAR train.
    TrainTagger(train_tagger::TrainTaggerArgs),
    /// Measure model throughput and memory.
    Bench(bench::BenchArgs),
    /// Extract quotes, speakers and actors from articles (JSONL out).
    Quotes(quotes::QuotesArgs),
    /// Evaluate against gold datasets.
    Eval(eval::EvalArgs),
}

impl Cli {
    /// Runs the parsed subcommand. `command` is the command line without the program name,
    /// recorded in manifests (the Python package passes its own, not the interpreter's).
    pub fn run(self, command: &[String]) -> anyhow::Result<()> {
        match self.command {
            Command::Models(args) => args.run(),
            Command::Embed(args) => args.run(),
            Command::Run(args) => args.run(command),
            Command::Merge(args) => args.run(command),
            Command::Train(args) => args.run(command),
            Command::TrainTagger(args) => args.run(command),
            Command::Bench(args) => args.run(),
            Command::Quotes(args) => args.run(),
            Command::Eval(args) => args.run(),
        }
    }
}

/// An error chain as `error: cause` lines plus the first hint found in it, without a backtrace.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = format!("error: {err}");
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    if let Some(user) = err.chain().find_map(|e| e.downcast_ref::<UserError>()) {
        text.push_str(&format!("\n  hint: {}", user.hint));
    }
    text
}

pub use crate::progress::{progress_bar, ProgressView};

/// Prints a finished run's corpus-level actors: as JSON on stdout with `json`, else the summary
/// table and where the outputs are, unless `quiet`.
fn print_actors(
    task: &crate::run_outputs::OutputTask,
    totals: &crate::run_outputs::RunTotals,
    out: &std::path::Path,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(&totals.corpus_actors)?);
    } else if !quiet {
        print!("{}", crate::run_outputs::summary(task, totals));
        println!("\noutputs in {}", out.display());
    }
    Ok(())
}
