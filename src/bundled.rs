//! The defaults shipped inside the binary (the seed task with its corpus, gold and actor
//! registry, the trained heads `stancer run` uses, and the tasks whose labels the public
//! corpora's readers need), so an installed `stancer` works from any folder, not only from the
//! repository root.
//!
//! A default path such as `datasets/missile-shield/task.toml` is used as it is where it exists
//! (in the repository, where it can be edited); elsewhere the bundled copy is written once to
//! `$XDG_CACHE_HOME/stancer/bundled-<hash>/` (else `~/.cache/stancer/…`), a folder named by the
//! hash of the bundled contents so that two versions never share one, and read from there by
//! the same code that reads any other path.

use crate::output::write_atomic;
use anyhow::{Context, Result};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Pairs every listed path (relative to the repository root) with its contents.
macro_rules! bundle {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $path)) as &[u8])),*]
    };
}

/// Every bundled file, by its path relative to the repository root.
pub const FILES: &[(&str, &[u8])] = bundle![
    "datasets/semeval2016-stance/task.toml",
    "datasets/semeval2016-sentiment/task.toml",
    "datasets/gwsd/task.toml",
    "datasets/perspectrum/task.toml",
    "datasets/newsmtsc/task.toml",
    "datasets/missile-shield/task.toml",
    "datasets/missile-shield/actors.toml",
    "datasets/missile-shield/gold.jsonl",
    "datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt",
    "models/missile-shield-exemplars/head.json",
    "models/missile-shield-exemplars/head.safetensors",
    "models/semeval-sentiment/head.json",
    "models/semeval-sentiment/head.safetensors",
];

/// `path` itself when it exists or is nothing bundled; else the bundled copy of that file or
/// folder, written out first if needed.
pub fn locate(path: &Path) -> Result<PathBuf> {
    if path.exists() || !is_bundled(path) {
        return Ok(path.to_path_buf());
    }
    Ok(root()?.join(path))
}

/// Whether `path` (relative, as the defaults are written) names a bundled file or a folder
/// holding some.
fn is_bundled(path: &Path) -> bool {
    let parts: Option<Vec<&str>> = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| match c {
            Component::Normal(p) => p.to_str(),
            _ => None,
        })
        .collect();
    let Some(parts) = parts.filter(|p| !p.is_empty()) else {
        return false;
    };
    FILES.iter().any(|(file, _)| {
        let file: Vec<&str> = file.split('/').collect();
        file.starts_with(&parts)
    })
}

/// The folder holding the bundled files, written out on first use in this process.
fn root() -> Result<PathBuf> {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    if let Some(root) = ROOT.get() {
        return Ok(root.clone());
    }
    let root = write_out(&cache_dir()?)?;
    Ok(ROOT.get_or_init(|| root).clone())
}

/// `$XDG_CACHE_HOME/stancer`, else `$HOME/.cache/stancer`.
fn cache_dir() -> Result<PathBuf> {
    let env = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("stancer"))
        .context("neither XDG_CACHE_HOME nor HOME is set, so the bundled defaults have no folder to go to")
}

/// Writes every bundled file under `cache/bundled-<hash>/` (atomically, skipping files already
/// there with the same contents) and returns that folder.
fn write_out(cache: &Path) -> Result<PathBuf> {
    let mut all = Vec::new();
    for (path, bytes) in FILES {
        all.extend_from_slice(path.as_bytes());
        all.push(0);
        all.extend_from_slice(crate::models::cache::sha256_bytes(bytes).as_bytes());
    }
    let hash = crate::models::cache::sha256_bytes(&all);
    let root = cache.join(format!("bundled-{}", &hash[..16]));
    for (path, bytes) in FILES {
        let target = root.join(path);
        if std::fs::read(&target).is_ok_and(|b| b == *bytes) {
            continue;
        }
        write_atomic(&target, |w| Ok(w.write_all(bytes)?))
            .with_context(|| format!("cannot write the bundled default {path}"))?;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_match_the_repository() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, bytes) in FILES {
            assert_eq!(std::fs::read(repo.join(path)).unwrap(), *bytes, "{path}");
        }
        // Every file of a bundled folder is bundled: a new article or head file cannot be left
        // out of the installed binary unnoticed.
        for dir in [
            "datasets/missile-shield/articles",
            "models/missile-shield-exemplars",
            "models/semeval-sentiment",
        ] {
            for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
                let name = entry.unwrap().file_name();
                let path = format!("{dir}/{}", name.to_string_lossy());
                assert!(
                    FILES.iter().any(|(p, _)| *p == path),
                    "{path} is not bundled"
                );
            }
        }
    }

    #[test]
    fn defaults_are_written_out_where_they_do_not_exist() {
        let cache = tempfile::tempdir().unwrap();
        let root = write_out(cache.path()).unwrap();
        assert!(root.starts_with(cache.path()));
        for (path, bytes) in FILES {
            assert_eq!(std::fs::read(root.join(path)).unwrap(), *bytes, "{path}");
        }
        // A second time finds them there.
        assert_eq!(write_out(cache.path()).unwrap(), root);
        assert!(is_bundled(Path::new("datasets/missile-shield/task.toml")));
        assert!(is_bundled(Path::new("./models/semeval-sentiment")));
        assert!(is_bundled(Path::new("datasets/missile-shield/articles")));
        assert!(!is_bundled(Path::new("datasets/missile-shield/other.toml")));
        assert!(!is_bundled(Path::new("/datasets/missile-shield/task.toml")));
        assert!(!is_bundled(Path::new("")));
        // A path that exists is used as given; an unknown one is left for its reader to report.
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        assert_eq!(locate(&here).unwrap(), here);
        assert_eq!(
            locate(Path::new("no/such/file")).unwrap(),
            Path::new("no/such/file")
        );
    }
}
