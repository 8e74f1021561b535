//! Command-line front end: one file per subcommand, each an `Args` struct with a `run` method.
//! `main.rs` only parses and dispatches; everything here calls into the library.

pub mod bench;
pub mod embed;
pub mod eval;
pub mod eval_agreement;
pub mod eval_compare;
pub mod eval_data;
pub mod eval_stance;
pub mod fine_tune_args;
pub mod merge;
pub mod model_args;
pub mod models;
pub mod quotes;
pub mod run;
pub mod stance_args;
pub mod train;

use crate::error::UserError;

/// Prints an error chain as `error: cause` plus the first hint found in it, without a backtrace.
pub fn report_error(err: &anyhow::Error) {
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if let Some(user) = err.chain().find_map(|e| e.downcast_ref::<UserError>()) {
        eprintln!("  hint: {}", user.hint);
    }
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
