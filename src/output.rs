//! Atomic output files: a reader never sees a half-written result, and an output folder never
//! holds the files of two runs.
//!
//! [`write_atomic`] writes one file; [`OutputDir`] locks a whole output folder for one run, and
//! its [`StagedSet`] writes a run's files into a staging folder and swaps them in together.

use crate::error::UserError;
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` atomically: `write` fills a temporary file in the same directory, which is
/// flushed, synced and renamed over `path` only if `write` succeeds.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    {
        let mut out = BufWriter::new(tmp.as_file());
        write(&mut out).with_context(|| format!("while writing {}", path.display()))?;
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    // Temporary files are created private (0600); a finished output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot set permissions of {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot sync {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot move the finished file to {}", path.display()))?;
    Ok(())
}

/// The safetensors encoding of `tensors` (stored as f32), ordered as safetensors orders them,
/// so the same tensors always give the same bytes.
pub fn safetensors_bytes(
    tensors: &std::collections::BTreeMap<String, candle_core::Tensor>,
) -> Result<Vec<u8>> {
    safetensors_with_metadata(tensors, None)
}

/// [`safetensors_bytes`] with a metadata header, so that one file (one atomic write) holds
/// tensors and the record of what they are.
pub fn safetensors_with_metadata(
    tensors: &std::collections::BTreeMap<String, candle_core::Tensor>,
    metadata: Option<std::collections::HashMap<String, String>>,
) -> Result<Vec<u8>> {
    let owned = tensors
        .iter()
        .map(|(name, t)| -> Result<_> {
            let bytes: Vec<u8> = t
                .to_dtype(candle_core::DType::F32)?
                .flatten_all()?
                .to_vec1::<f32>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            Ok((name, t.dims().to_vec(), bytes))
        })
        .collect::<Result<Vec<_>>>()?;
    let views = owned
        .iter()
        .map(|(name, dims, bytes)| -> Result<_> {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, dims.clone(), bytes)?;
            Ok((name.to_string(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(safetensors::serialize(views, metadata)?)
}

/// The lock file inside a locked output folder. It is left in place after the run: removing it
/// would let a run that opened it just before, and one that creates a new one, both hold "the"
/// lock.
pub const LOCK_FILE: &str = ".stancer.lock";

/// The staging folder inside an output folder, where a [`StagedSet`] is written.
const STAGING: &str = ".stancer-staging";

/// An output folder locked for one run (an exclusive lock on [`LOCK_FILE`], released when this
/// is dropped), so that two runs never write into the same folder at once.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    created: bool,
    _lock: std::fs::File,
}

impl OutputDir {
    /// Creates `dir` if needed and locks it; fails at once, naming the process that holds it,
    /// when another run has it.
    pub fn lock(dir: &Path) -> Result<Self> {
        let created = !dir.exists();
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                return Err(UserError::new(
                    format!(
                        "{} is in use by another stancer run{}",
                        dir.display(),
                        if holder.is_empty() {
                            String::new()
                        } else {
                            format!(" (process {holder})")
                        }
                    ),
                    "wait for that run to finish, or give this one another --out folder",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        // Who holds it, for the message another run prints; only a courtesy, so not fatal.
        let _ = file
            .set_len(0)
            .and_then(|()| write!(file, "{}", std::process::id()));
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            created,
            _lock: file,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A fresh staging folder for this run's outputs (one left by a killed run is cleared).
    pub fn stage(&self) -> Result<StagedSet> {
        let staging = self.dir.join(STAGING);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        std::fs::create_dir(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(StagedSet {
            dir: self.dir.clone(),
            staging,
            names: Vec::new(),
        })
    }

    /// Gives the folder up after a failed run: removes it again when this run created it and
    /// nothing but the lock file is in it, so a failed run leaves no empty output folder behind.
    pub fn abandon(self) {
        if !self.created {
            return;
        }
        let only_lock = std::fs::read_dir(&self.dir).is_ok_and(|entries| {
            entries
                .filter_map(|e| e.ok())
                .all(|e| e.file_name() == LOCK_FILE)
        });
        if only_lock {
            let _ = std::fs::remove_file(self.dir.join(LOCK_FILE));
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// A run's output files, written into a staging folder and moved into the output folder
/// together by [`StagedSet::commit`]: if any of them cannot be put in place, the ones already
/// moved are put back, so the folder holds either the whole new set or the old one.
#[must_use = "staged files reach the output folder only through commit"]
pub struct StagedSet {
    dir: PathBuf,
    staging: PathBuf,
    names: Vec<String>,
}

impl StagedSet {
    /// Reads back the file `name` staged so far, to derive another output from it.
    pub fn read_staged(&self, name: &str) -> Result<std::io::BufReader<std::fs::File>> {
        let path = self.staging.join(name);
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        Ok(std::io::BufReader::new(file))
    }

    /// Writes the output file `name` into the staging folder, atomically.
    pub fn write<F>(&mut self, name: &str, write: F) -> Result<()>
    where
        F: FnOnce(&mut (dyn Write + Send)) -> Result<()>,
    {
        write_atomic(&self.staging.join(name), write)
            .with_context(|| format!("while writing {}", self.dir.join(name).display()))?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// Moves every staged file into the output folder. The files it replaces are first linked
    /// (or copied) aside; if a move fails, the files moved so far are put back (or removed when
    /// they are new) and the error says so.
    pub fn commit(self) -> Result<()> {
        let previous = self.staging.join(".previous");
        std::fs::create_dir(&previous)
            .with_context(|| format!("cannot create {}", previous.display()))?;
        let mut saved = Vec::new();
        for name in &self.names {
            let target = self.dir.join(name);
            let is_file = std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file());
            if is_file {
                let aside = previous.join(name);
                std::fs::hard_link(&target, &aside)
                    .or_else(|_| std::fs::copy(&target, &aside).map(|_| ()))
                    .with_context(|| format!("cannot keep a copy of {}", target.display()))?;
            }
            saved.push(is_file);
        }
        for (i, name) in self.names.iter().enumerate() {
            let target = self.dir.join(name);
            if let Err(e) = std::fs::rename(self.staging.join(name), &target) {
                for (done, &was_file) in self.names[..i].iter().zip(&saved) {
                    let back = self.dir.join(done);
                    let _ = if was_file {
                        std::fs::rename(previous.join(done), &back)
                    } else {
                        std::fs::remove_file(&back)
                    };
                }
                return Err(e).with_context(|| {
                    format!(
                        "cannot move the new {} into place; the outputs already in {} are left as \
                         they were",
                        target.display(),
                        self.dir.display()
                    )
                });
            }
        }
        #[cfg(unix)]
        if let Ok(dir) = std::fs::File::open(&self.dir) {
            // Makes the renames durable; a failure here loses nothing already visible.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for StagedSet {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(out: &OutputDir, files: &[(&str, &str)]) -> StagedSet {
        let mut set = out.stage().unwrap();
        for (name, text) in files {
            set.write(name, |w| Ok(w.write_all(text.as_bytes())?))
                .unwrap();
        }
        set
    }

    #[test]
    fn a_set_replaces_the_old_one_or_leaves_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::lock(dir.path()).unwrap();
        let names = ["a.jsonl", "b.csv", "c.md"];
        stage(&out, &[("a.jsonl", "a1"), ("b.csv", "b1")])
            .commit()
            .unwrap();
        // c.md cannot be replaced (it is a folder): a.jsonl and b.csv stay as they were, and no
        // file of the failed set is left behind.
        std::fs::create_dir_all(dir.path().join("c.md/inside")).unwrap();
        let err = stage(&out, &[("a.jsonl", "a2"), ("b.csv", "b2"), ("c.md", "c2")])
            .commit()
            .unwrap_err();
        assert!(format!("{err:#}").contains("left as they were"), "{err:#}");
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).ok();
        assert_eq!(
            (read("a.jsonl"), read("b.csv")),
            (Some("a1".into()), Some("b1".into()))
        );
        assert!(!dir.path().join(STAGING).exists());
        // A file the failed set would have added is removed again.
        std::fs::remove_file(dir.path().join("b.csv")).unwrap();
        stage(&out, &[("a.jsonl", "a3"), ("b.csv", "b3"), ("c.md", "c3")])
            .commit()
            .unwrap_err();
        assert_eq!((read("a.jsonl"), read("b.csv")), (Some("a1".into()), None));
        std::fs::remove_dir_all(dir.path().join("c.md")).unwrap();
        stage(&out, &[("a.jsonl", "a4"), ("b.csv", "b4"), ("c.md", "c4")])
            .commit()
            .unwrap();
        let got: Vec<Option<String>> = names.iter().map(|n| read(n)).collect();
        assert_eq!(
            got,
            [Some("a4".into()), Some("b4".into()), Some("c4".into())]
        );
    }

    #[test]
    fn a_locked_folder_refuses_a_second_run_and_a_failed_run_removes_what_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let first = OutputDir::lock(&path).unwrap();
        let err = OutputDir::lock(&path).unwrap_err();
        assert!(
            err.to_string().contains("in use by another stancer run"),
            "{err}"
        );
        assert!(
            err.to_string().contains(&std::process::id().to_string()),
            "{err}"
        );
        first.abandon();
        assert!(!path.exists(), "the folder this run created is gone");
        // A folder that was there before is kept, and is free again.
        std::fs::create_dir(&path).unwrap();
        OutputDir::lock(&path).unwrap().abandon();
        assert!(path.exists());
        let again = OutputDir::lock(&path).unwrap();
        drop(again);
        OutputDir::lock(&path).unwrap();
    }

    #[test]
    fn failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            anyhow::bail!("boom")
        });
        assert!(err.is_err());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn successful_write_replaces_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("out.txt");
        write_atomic(&path, |w| Ok(w.write_all(b"one")?)).unwrap();
        write_atomic(&path, |w| Ok(w.write_all(b"two")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }
}
