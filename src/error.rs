//! User-facing errors: one line of cause plus a hint for what to do next.

use std::fmt;

/// An error meant for the person running the tool, carrying a hint on how to fix it.
///
/// Attach it anywhere in an `anyhow` chain; [`crate::cli::error_text`] finds it and shows
/// the hint under the cause.
#[derive(Debug)]
pub struct UserError {
    /// What went wrong, naming the file, model or flag involved.
    pub message: String,
    /// What the user can do about it.
    pub hint: String,
}

impl UserError {
    /// Builds an `anyhow::Error` carrying a cause and a hint.
    // Returns the boxed error directly: every caller propagates it with `?` or `Err(…)`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(UserError {
            message: message.into(),
            hint: hint.into(),
        })
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}
