//! Readers of the public labelled corpora (SemEval-2016 Task 6, GWSD, PERSPECTRUM, NewsMTSC)
//! as their authors ship them: training (`classify::data`) and evaluation (`eval`) both read
//! them, so they sit below both.

pub mod gwsd;
pub mod newsmtsc;
pub mod perspectrum;
pub mod semeval;

use std::path::Path;

/// The last path component: how reports, example ids and the held-out checks name a data file,
/// so nothing carries its directories.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
