//! Command-line front end: one file per subcommand, each an `Args` struct with a `run` method.
//! `main.rs` only parses and dispatches; everything here calls into the library.

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
