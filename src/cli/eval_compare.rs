//! `stancer eval compare A/report.json B/report.json`: two evaluations side by side with paired
//! tests, so a claimed improvement comes with its significance.

use crate::eval::bootstrap::{BootstrapConfig, MIN_RESAMPLES};
use crate::eval::report::{compare::compare, Report};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Flags of `stancer eval compare`.
#[derive(Args, Debug)]
pub struct EvalCompareArgs {
    /// Report A (`report.json` of `stancer eval stance`), usually the baseline.
    a: PathBuf,
    /// Report B, scored on the same gold.
    b: PathBuf,
    /// Seed of the paired bootstrap (default: report A's bootstrap seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Paired bootstrap resamples (at least 1000).
    #[arg(long, default_value_t = MIN_RESAMPLES)]
    resamples: usize,
    /// Print the comparison as JSON.
    #[arg(long)]
    json: bool,
}

impl EvalCompareArgs {
    /// Loads both reports, pairs their items and prints the comparison.
    pub fn run(&self) -> Result<()> {
        let a = Report::load(&self.a)?;
        let b = Report::load(&self.b)?;
        let seed = self.seed.unwrap_or(a.bootstrap.config.seed);
        let config = BootstrapConfig {
            resamples: self.resamples,
            ..BootstrapConfig::new(seed)
        };
        let comparison = compare(&a, &b, &config).map_err(|e| {
            e.context(format!(
                "cannot compare {} with {}",
                self.a.display(),
                self.b.display()
            ))
        })?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&comparison)?);
        } else {
            print!("{}", comparison.table());
        }
        Ok(())
    }
}
