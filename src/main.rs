//! The `stancer` binary: parses flags and hands the subcommand to the library.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = stancer::cli::Cli::parse();
    init_logging(cli.verbose);
    let command: Vec<String> = std::env::args().skip(1).collect();
    match cli.run(&command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", stancer::cli::error_text(&err));
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
