//! Downloads from the Hugging Face hub (or any endpoint speaking its protocol) through `hf-hub`,
//! which writes the shared cache layout; every file is verified before it is trusted.

use crate::error::UserError;
use crate::models::cache::{self, FileState};
use crate::models::fetch::FetchOptions;
use crate::models::manifest::{ManifestFile, ModelManifest};
use anyhow::Result;
use hf_hub::api::sync::{ApiBuilder, ApiError};
use hf_hub::{Cache, Repo, RepoType};
use indicatif::ProgressBar;
use std::path::PathBuf;

/// Downloads `files` of the model into the cache and returns the snapshot folder they landed in.
///
/// `hint` is what to suggest when the hub cannot serve them (it depends on which fallbacks the
/// caller has left).
pub(crate) fn download(
    manifest: &ModelManifest,
    files: &[&ManifestFile],
    opts: &FetchOptions,
    hint: &str,
) -> Result<PathBuf> {
    let endpoint = opts.endpoint.trim_end_matches('/').to_string();
    let api = ApiBuilder::from_cache(Cache::new(opts.cache_dir.clone()))
        .with_endpoint(endpoint.clone())
        .with_token(opts.token.clone())
        .with_progress(opts.progress)
        .build()
        .map_err(|e| UserError::new(format!("cannot set up the hub client: {e}"), hint))?;
    let repo = api.repo(Repo::with_revision(
        manifest.repo.clone(),
        RepoType::Model,
        manifest.revision.clone(),
    ));
    if let Some(first) = files.first() {
        check_reachable(&repo.url(&first.path), &endpoint, opts, hint)?;
    }
    let mut snapshot =
        cache::RepoCache::new(&opts.cache_dir, &manifest.repo).snapshot_dir(&manifest.revision);
    for file in files {
        let bar = if opts.progress {
            ProgressBar::new(0)
        } else {
            ProgressBar::hidden()
        };
        let url = repo.url(&file.path);
        let pointer = repo
            .download_with_progress(&file.path, bar)
            .map_err(|e| describe(e, &url, &endpoint, manifest, file, opts, hint))?;
        snapshot = pointer.clone();
        for _ in file.path.split('/') {
            snapshot.pop();
        }
        if let FileState::Mismatch { actual } = cache::check_file(&snapshot, file)? {
            cache::remove_entry(&pointer)?;
            return Err(UserError::new(
                format!(
                    "{} downloaded from {url} failed its checksum: expected sha256 {}, got {actual}",
                    file.path, file.sha256
                ),
                "the manifest's sha256 may be wrong, or the download was corrupted: retry, and \
                 check the manifest if it fails again",
            ));
        }
    }
    drop_commit_ref(&opts.cache_dir, manifest);
    Ok(snapshot)
}

/// Fails fast when the hub does not accept a connection and answer a HEAD request for `url`
/// within `opts.connect_timeout`. `hf-hub`'s client has no connect timeout: where packets are
/// dropped it waits for the operating system to give up (minutes) before the pip mirror can be
/// tried. Any HTTP answer, even an error status, shows the hub is there; `hf-hub` then reports
/// what it says.
fn check_reachable(url: &str, endpoint: &str, opts: &FetchOptions, hint: &str) -> Result<()> {
    let agent = ureq::AgentBuilder::new()
        .try_proxy_from_env(true)
        .timeout_connect(opts.connect_timeout)
        .timeout_read(opts.connect_timeout)
        .redirects(0)
        .build();
    match agent.head(url).call() {
        Ok(_) | Err(ureq::Error::Status(..)) => Ok(()),
        Err(ureq::Error::Transport(t)) => {
            let timed_out = std::error::Error::source(&t)
                .and_then(|e| e.downcast_ref::<std::io::Error>())
                .is_some_and(|e| {
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    )
                });
            Err(if timed_out {
                UserError::new(
                    format!(
                        "cannot reach the model hub at {endpoint}: no answer within {} s ({t})",
                        opts.connect_timeout.as_secs_f64()
                    ),
                    format!("set HF_HUB_ETAG_TIMEOUT (seconds) to wait longer; {hint}"),
                )
            } else {
                UserError::new(
                    format!("cannot reach the model hub at {endpoint}: {t}"),
                    hint,
                )
            })
        }
    }
}

/// `hf-hub` records a ref even for a commit hash (`refs/<commit>` holding itself); Python
/// `huggingface_hub` writes refs for branches and tags only, and lists such a file as a ref named
/// like a commit, so it is removed.
fn drop_commit_ref(cache_dir: &std::path::Path, manifest: &ModelManifest) {
    if !manifest.revision_is_commit() {
        return;
    }
    let refs = cache::RepoCache::new(cache_dir, &manifest.repo).refs_dir();
    let path = refs.join(&manifest.revision);
    if std::fs::read_to_string(&path).is_ok_and(|c| c.trim() == manifest.revision) {
        // Harmless if it stays: the snapshot is found by its commit either way.
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&refs); // only if now empty
    }
}

/// Turns an `hf-hub` error into one line naming the URL or file, plus a hint.
fn describe(
    err: ApiError,
    url: &str,
    endpoint: &str,
    manifest: &ModelManifest,
    file: &ManifestFile,
    opts: &FetchOptions,
    hint: &str,
) -> anyhow::Error {
    match err {
        ApiError::RequestError(e) => match *e {
            ureq::Error::Status(404, _) => UserError::new(
                format!(
                    "{url} not found (HTTP 404): {} has no `{}` at revision {}",
                    manifest.repo, file.path, manifest.revision
                ),
                format!("check the manifest's repo, revision and file list; {hint}"),
            ),
            ureq::Error::Status(code @ (401 | 403), _) => UserError::new(
                format!("{url}: access refused (HTTP {code})"),
                format!(
                    "set HF_TOKEN to a token that can read {} (gated models need their terms \
                     accepted on the hub); {hint}",
                    manifest.repo
                ),
            ),
            ureq::Error::Status(code, _) => {
                UserError::new(format!("{url}: the hub answered HTTP {code}"), hint)
            }
            ureq::Error::Transport(t) => UserError::new(
                format!("cannot reach the model hub at {endpoint}: {t}"),
                hint,
            ),
        },
        ApiError::MissingHeader(h) | ApiError::InvalidHeader(h) => UserError::new(
            format!(
                "{url}: {endpoint} does not answer like a Hugging Face hub (header `{h}` missing \
                 or invalid)"
            ),
            format!("check HF_ENDPOINT; {hint}"),
        ),
        ApiError::IoError(e) => UserError::new(
            format!(
                "downloading {url} into {} failed: {e}",
                opts.cache_dir.display()
            ),
            format!(
                "check the connection, free disk space and write access to the cache (HF_HUB_CACHE), \
                 then retry: the download resumes; {hint}"
            ),
        ),
        other => UserError::new(format!("cannot download {url}: {other}"), hint),
    }
}
