//! `stancer merge`: the output folders of the shards of one run (`stancer run --shard K/N`)
//! combined into the outputs of a single run.

use crate::output::OutputDir;
use crate::run_outputs::{self, RunRecords, TableFormat};
use crate::shard::MergedShards;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Merge the outputs of `stancer run --shard K/N` into those of one run.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' output folders, each once, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Output folder for the merged outputs (locked while they are written).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Table formats, as for `stancer run`: `parquet` also writes the Parquet tables.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: TableFormat,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print the corpus-level actor rows as JSON on stdout instead of a table.
    #[arg(long)]
    json: bool,
}

impl MergeArgs {
    /// Runs the subcommand: checks that the folders hold every shard of one run, then writes
    /// the merged outputs as one set. `command` (the command line) goes into the manifest.
    pub fn run(&self, command: &[String]) -> Result<()> {
        let start = Instant::now();
        let merged = MergedShards::open(&self.shards)?;
        let out = OutputDir::lock(&self.out)?;
        let totals = merged.totals();
        let manifest = serde_json::json!({
            "tool_version": env!("CARGO_PKG_VERSION"),
            "command": command,
            "run_id": merged.run_id,
            "shards": merged
                .sources()
                .iter()
                .map(|(dir, shard)| serde_json::json!({"shard": shard.to_string(), "dir": dir}))
                .collect::<Vec<_>>(),
            "counts": totals.counts(),
            "timings": {"open": start.elapsed().as_secs_f64()},
        });
        if let Err(e) =
            run_outputs::write_outputs(&out, merged.task(), &merged, None, self.format, manifest)
        {
            out.abandon();
            return Err(e);
        }
        super::print_actors(merged.task(), totals, &self.out, self.json, self.quiet)
    }
}
