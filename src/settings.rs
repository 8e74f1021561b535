//! Process-wide settings read from the environment.

use std::path::PathBuf;
use std::time::Duration;

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

/// Environment variable: seconds between progress lines when stderr is not a terminal.
pub const PROGRESS_ENV: &str = "STANCER_PROGRESS_SECONDS";

/// How often a job logs a progress line where stderr is not a terminal: `STANCER_PROGRESS_SECONDS`
/// (0: at every update) when it holds a number, else every 10 seconds.
pub fn progress_interval() -> Duration {
    std::env::var(PROGRESS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(10), Duration::from_secs_f64)
}
