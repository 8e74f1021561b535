//! The Hugging Face hub cache, in the layout Python `huggingface_hub` uses, so stancer and Python
//! tools share one download:
//!
//! ```text
//! <cache>/models--{org}--{name}/blobs/<etag>                    file contents
//! <cache>/models--{org}--{name}/snapshots/<commit>/<path>       relative symlink to the blob
//! <cache>/models--{org}--{name}/refs/<branch>                   commit hash of a branch
//! ```

use crate::models::manifest::{ManifestFile, ModelManifest};
use anyhow::{Context, Result};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The hub cache folder as Python `huggingface_hub` finds it: `HF_HUB_CACHE`, else
/// `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
pub fn default_cache_dir() -> PathBuf {
    env_path("HF_HUB_CACHE")
        .or_else(|| env_path("HUGGINGFACE_HUB_CACHE"))
        .unwrap_or_else(|| hf_home().join("hub"))
}

/// Python `huggingface_hub`'s home folder (cache, token): `HF_HOME`, else
/// `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
pub(crate) fn hf_home() -> PathBuf {
    env_path("HF_HOME").unwrap_or_else(|| {
        env_path("XDG_CACHE_HOME")
            .or_else(|| env_path("HOME").map(|h| h.join(".cache")))
            .unwrap_or_else(|| PathBuf::from(".cache"))
            .join("huggingface")
    })
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The cache folder that holds (or would hold) the model's files at its pinned revision.
pub fn snapshot_dir(manifest: &ModelManifest, cache_dir: &Path) -> PathBuf {
    RepoCache::new(cache_dir, &manifest.repo).snapshot_dir(&manifest.revision)
}

/// Whether every file of the model is present in the cache (contents not hashed: cheap enough
/// for listings).
pub fn is_cached(manifest: &ModelManifest, cache_dir: &Path) -> bool {
    let snapshot = snapshot_dir(manifest, cache_dir);
    manifest
        .files
        .iter()
        .all(|f| snapshot.join(&f.path).is_file())
}

/// Lowercase hex sha256 of bytes in memory.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Lowercase hex sha256 of a file, read in large chunks.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// State of one manifest file inside a folder.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FileState {
    /// Present with the expected sha256.
    Good,
    /// Absent (or a dangling symlink).
    Missing,
    /// Present with other contents.
    Mismatch {
        /// sha256 actually found.
        actual: String,
    },
}

/// Hashes `dir/<file.path>` and compares it with the manifest.
pub(crate) fn check_file(dir: &Path, file: &ManifestFile) -> Result<FileState> {
    let path = dir.join(&file.path);
    match sha256_file(&path) {
        Ok(actual) if actual == file.sha256 => Ok(FileState::Good),
        Ok(actual) => Ok(FileState::Mismatch { actual }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The hub etag a file is stored under: sha256 for files kept in Git LFS, the git blob sha1 for
/// the others.
///
/// Which files are in LFS is decided by the patterns of the hub's default `.gitattributes`, plus
/// the hub's rule that files over 10 MiB must be in LFS.
pub(crate) fn hub_etag(path: &str, size: u64, sha256: &str, git_sha1: &str) -> String {
    if is_lfs(path, size) {
        sha256.to_string()
    } else {
        git_sha1.to_string()
    }
}

fn is_lfs(path: &str, size: u64) -> bool {
    const SUFFIXES: &[&str] = &[
        ".7z",
        ".arrow",
        ".bin",
        ".bz2",
        ".ckpt",
        ".ftz",
        ".gz",
        ".h5",
        ".joblib",
        ".mlmodel",
        ".model",
        ".msgpack",
        ".npy",
        ".npz",
        ".onnx",
        ".ot",
        ".parquet",
        ".pb",
        ".pickle",
        ".pkl",
        ".pt",
        ".pth",
        ".rar",
        ".safetensors",
        ".tar",
        ".tflite",
        ".tgz",
        ".wasm",
        ".xz",
        ".zip",
        ".zst",
        ".zstandard",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    size > 10 * 1024 * 1024
        || path.starts_with("saved_model/")
        || name.contains("tfevents")
        || [".bin.", ".lfs.", ".tar."].iter().any(|p| name.contains(p))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Streams a reader into a writer while computing the sha256 and the git blob sha1 (which needs
/// the length up front, as git hashes `blob <len>\0<bytes>`). Returns (sha256, sha1, bytes).
pub(crate) fn copy_hashing(
    reader: &mut dyn Read,
    writer: &mut dyn io::Write,
    declared_len: u64,
) -> io::Result<(String, String, u64)> {
    let mut sha256 = Sha256::new();
    let mut sha1 = Sha1::new();
    sha1.update(format!("blob {declared_len}\0").as_bytes());
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sha256.update(&buf[..n]);
        sha1.update(&buf[..n]);
        writer.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok((
        hex::encode(sha256.finalize()),
        hex::encode(sha1.finalize()),
        total,
    ))
}

/// One repository's folder in the cache.
pub(crate) struct RepoCache {
    root: PathBuf,
}

impl RepoCache {
    pub(crate) fn new(cache_dir: &Path, repo: &str) -> Self {
        RepoCache {
            root: cache_dir.join(format!("models--{}", repo.replace('/', "--"))),
        }
    }

    /// The snapshot folder for a revision: through `refs/<revision>` when it names a branch
    /// already fetched, else `snapshots/<revision>` (a commit hash).
    pub(crate) fn snapshot_dir(&self, revision: &str) -> PathBuf {
        let commit = std::fs::read_to_string(self.refs_dir().join(revision))
            .map(|c| c.trim().to_string())
            .ok()
            .filter(|c| !c.is_empty() && !c.contains(['/', '\\']) && c != "..");
        self.root
            .join("snapshots")
            .join(commit.as_deref().unwrap_or(revision))
    }

    pub(crate) fn refs_dir(&self) -> PathBuf {
        self.root.join("refs")
    }

    pub(crate) fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs")
    }

    /// Moves a finished, verified temporary file into `blobs/<etag>` and points
    /// `snapshots/<commit>/<path>` at it with a relative symlink, as `huggingface_hub` does.
    pub(crate) fn store(
        &self,
        commit: &str,
        path: &str,
        etag: &str,
        contents: tempfile::NamedTempFile,
    ) -> Result<PathBuf> {
        let blob = self.blobs_dir().join(etag);
        set_new_file_mode(contents.path())?;
        contents
            .persist(&blob)
            .with_context(|| format!("cannot move a finished download to {}", blob.display()))?;
        let pointer = self.root.join("snapshots").join(commit).join(path);
        if let Some(parent) = pointer.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let ups = commit.split('/').count() + path.split('/').count();
        let target = "../".repeat(ups) + "blobs/" + etag;
        // Link under a temporary name and rename over the entry, so a reader (or another
        // process) never sees the entry missing or half made.
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let staging = pointer.with_file_name(format!(
            ".{}.{}-{}.tmp",
            pointer.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        link(Path::new(&target), &blob, &staging)
            .and_then(|()| std::fs::rename(&staging, &pointer))
            .with_context(|| format!("cannot create {}", pointer.display()))?;
        Ok(pointer)
    }

    /// Takes an exclusive lock on this repository's downloads, waiting for another stancer
    /// (process or thread) that holds it; released when the guard drops. `None` when the cache
    /// is not writable, where there is nothing to protect.
    pub(crate) fn lock(&self, cache_dir: &Path) -> Option<std::fs::File> {
        // Python huggingface_hub keeps its lock files under `.locks/` too, and skips that folder.
        let dir = cache_dir.join(".locks").join(self.root.file_name()?);
        std::fs::create_dir_all(&dir).ok()?;
        let file = std::fs::File::create(dir.join("stancer-fetch.lock")).ok()?;
        match file.lock() {
            Ok(()) => Some(file),
            Err(e) => {
                tracing::debug!("cannot lock {}: {e}", dir.display());
                None
            }
        }
    }
}

/// Gives a finished temporary file the mode a file newly created beside it gets (0666 less the
/// umask), as `huggingface_hub` does before moving a download into the cache: temporary files
/// are created 0600, which would keep a cache shared by several users from all but one.
#[cfg(unix)]
fn set_new_file_mode(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let probe = dir.join(format!(
        ".stancer-mode-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mode = std::fs::File::create(&probe)
        .and_then(|f| f.metadata())
        .map(|m| m.permissions().mode() & 0o777);
    let _ = std::fs::remove_file(&probe);
    let mode = mode.with_context(|| format!("cannot create a file in {}", dir.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the permissions of {}", path.display()))
}

/// Where files have no Unix mode, the temporary file's permissions already are the ordinary ones.
#[cfg(not(unix))]
fn set_new_file_mode(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn link(relative_target: &Path, _blob: &Path, pointer: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(relative_target, pointer)
}

/// Where symlinks are not available, `huggingface_hub` copies the blob instead.
#[cfg(not(unix))]
fn link(_relative_target: &Path, blob: &Path, pointer: &Path) -> io::Result<()> {
    std::fs::copy(blob, pointer).map(|_| ())
}

/// Removes a snapshot entry that is a dangling symlink (which `Path::exists` misses and which
/// would make `hf-hub`'s symlink creation fail).
pub(crate) fn remove_dangling(pointer: &Path) -> Result<()> {
    if pointer.exists() {
        return Ok(());
    }
    remove_pointer(pointer)
}

/// Removes a snapshot entry, dangling or not.
fn remove_pointer(pointer: &Path) -> Result<()> {
    match std::fs::symlink_metadata(pointer) {
        Ok(_) => std::fs::remove_file(pointer)
            .with_context(|| format!("cannot remove {}", pointer.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot inspect {}", pointer.display())),
    }
}

/// Removes a snapshot entry and the blob behind it, so a corrupt file cannot be served again.
pub(crate) fn remove_entry(pointer: &Path) -> Result<()> {
    if let Ok(target) = std::fs::read_link(pointer) {
        let blob = pointer.parent().unwrap_or(Path::new(".")).join(target);
        match std::fs::remove_file(&blob) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", blob.display())),
        }
    }
    remove_pointer(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_sha1_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        let mut out = Vec::new();
        let (_, sha1, n) = copy_hashing(&mut &b"hello\n"[..], &mut out, 6).unwrap();
        assert_eq!(sha1, "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(n, 6);
        assert_eq!(out, b"hello\n");
    }

    #[test]
    fn lfs_follows_hub_defaults() {
        assert!(is_lfs("model.safetensors", 10));
        assert!(is_lfs("spm.model", 10));
        assert!(is_lfs("onnx/model.onnx", 10));
        assert!(!is_lfs("tokenizer.json", 500_000));
        assert!(!is_lfs("1_Pooling/config.json", 190));
        assert!(is_lfs("tokenizer.json", 20 * 1024 * 1024));
    }

    #[test]
    fn store_links_relative_to_the_blob() {
        let dir = tempfile::tempdir().unwrap();
        let repo = RepoCache::new(dir.path(), "org/name");
        std::fs::create_dir_all(repo.blobs_dir()).unwrap();
        let mut tmp = tempfile::NamedTempFile::new_in(repo.blobs_dir()).unwrap();
        io::Write::write_all(&mut tmp, b"{}").unwrap();
        let pointer = repo
            .store("abc", "1_Pooling/config.json", "etag1", tmp)
            .unwrap();
        assert_eq!(
            std::fs::read_link(&pointer).unwrap(),
            Path::new("../../../blobs/etag1")
        );
        assert_eq!(std::fs::read(&pointer).unwrap(), b"{}");
        assert_eq!(
            repo.snapshot_dir("abc"),
            pointer.parent().unwrap().parent().unwrap()
        );
        // As readable by the group and others as any file created there (0644 under umask
        // 022), not the temporary file's 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let fresh = repo.blobs_dir().join("fresh");
            std::fs::File::create(&fresh).unwrap();
            assert_eq!(mode(&repo.blobs_dir().join("etag1")), mode(&fresh));
            assert_ne!(
                mode(&fresh),
                0o600,
                "this check needs a umask that lets others read"
            );
            std::fs::remove_file(fresh).unwrap();
        }
        remove_entry(&pointer).unwrap();
        assert!(!repo.blobs_dir().join("etag1").exists());
        assert!(std::fs::symlink_metadata(&pointer).is_err());
    }
}
