//! Process-wide settings read from the environment.

use std::path::PathBuf;

/// Environment variable naming the directory that holds the shared research datasets.
pub const DATA_ENV: &str = "STANCER_DATA";

/// Directory holding the shared datasets (SemEval-2016 Task 6, PolNeAR).
///
/// `STANCER_DATA` when set, else `../shared/datasets` relative to the working directory (where
/// CI lays them beside the checkout).
pub fn data_root() -> PathBuf {
    std::env::var_os(DATA_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets"))
}
