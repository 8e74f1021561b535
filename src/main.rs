//! The `stancer` binary: parses flags and hands each subcommand to the library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "stancer",
    version,
    about = "Quotes, speakers and stance in political news"
)]
struct Cli {
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List, fetch, verify and locate the public models stancer runs.
    Models(stancer::cli::models::ModelsArgs),
    /// Embed texts with a sentence-embedding model (JSONL out).
    Embed(stancer::cli::embed::EmbedArgs),
    /// Find quotes, classify stance, aggregate per actor (the main job).
    Run(stancer::cli::run::RunArgs),
    /// Merge the outputs of `run --shard K/N` into those of one run.
    Merge(stancer::cli::merge::MergeArgs),
    /// Train a stance or sentiment head on frozen embeddings.
    Train(stancer::cli::train::TrainArgs),
    /// Measure model throughput and memory.
    Bench(stancer::cli::bench::BenchArgs),
    /// Extract quotes, speakers and actors from articles (JSONL out).
    Quotes(stancer::cli::quotes::QuotesArgs),
    /// Evaluate against gold datasets.
    Eval(stancer::cli::eval::EvalArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Models(args) => args.run(),
        Command::Embed(args) => args.run(),
        Command::Run(args) => args.run(),
        Command::Merge(args) => args.run(),
        Command::Train(args) => args.run(),
        Command::Bench(args) => args.run(),
        Command::Quotes(args) => args.run(),
        Command::Eval(args) => args.run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            stancer::cli::report_error(&err);
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
