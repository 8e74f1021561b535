//! The one interface of every stance and sentiment classifier (trained head, fine-tuned
//! cross-encoder, zero-shot NLI, bi-encoder similarity), so a run, an evaluation or a benchmark
//! holds any of them the same way, and their provenance as one type.

use super::features;
use super::text_norm::TextNorm;
use super::trained::HeadFile;
use super::{Item, Prediction};
use crate::encoders::TextModel;
use crate::models::manifest::ManifestFile;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A classifier bound to the labels it predicts in (a task's, or its own).
pub trait Classifier: Send + Sync {
    /// The name its predictions record.
    fn name(&self) -> &str;
    /// The labels of its predictions, in order.
    fn labels(&self) -> &[String];
    /// One prediction per item of `batch`.
    fn predict(&self, batch: &mut Batch) -> Result<Vec<Prediction>>;
    /// Where it comes from, as a run's manifest and fingerprint record it.
    fn provenance(&self) -> &Provenance;
}

/// Items to classify with their text embeddings from the embedding model, computed once per
/// text normalisation and shared by every classifier given the batch: a run's stance and
/// sentiment heads embed each text once.
pub struct Batch<'a> {
    /// The items.
    pub items: &'a [Item<'a>],
    embedder: &'a TextModel,
    batch_size: usize,
    /// The first normalisation asked for with its vectors, then any derived from it.
    vectors: Vec<(TextNorm, Vec<Vec<f32>>)>,
}

impl<'a> Batch<'a> {
    /// `items`, embedded (when a classifier asks) by `embedder`, `batch_size` texts per pass.
    pub fn new(items: &'a [Item<'a>], embedder: &'a TextModel, batch_size: usize) -> Self {
        Batch {
            items,
            embedder,
            batch_size,
            vectors: Vec::new(),
        }
    }

    /// The embedding model.
    pub fn embedder(&self) -> &'a TextModel {
        self.embedder
    }

    /// Texts per forward pass.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The items' text embeddings under `norm`. After the first normalisation only the texts
    /// another one writes differently are embedded again ([`features::renormalise`]).
    pub fn text_vectors(&mut self, norm: TextNorm) -> Result<Vec<Vec<f32>>> {
        if let Some((_, v)) = self.vectors.iter().find(|(n, _)| *n == norm) {
            return Ok(v.clone());
        }
        let (model, items, size) = (self.embedder, self.items, self.batch_size);
        let v = match self.vectors.first() {
            Some((from, first)) => {
                features::renormalise(model, items, first.clone(), *from, norm, size)?
            }
            None => features::embed_texts(model, items, norm, size)?,
        };
        self.vectors.push((norm, v.clone()));
        Ok(v)
    }
}

/// Where a model or classifier comes from, with the hashes that pin it down.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Provenance {
    /// The embedding model.
    Embedding {
        /// Always `embedding`.
        role: String,
        /// Model id.
        id: String,
        /// Hub revision.
        revision: String,
        /// Its files with their hashes.
        files: Vec<ManifestFile>,
    },
    /// Linear heads on frozen embeddings.
    Head {
        /// `stance` or `sentiment`.
        role: String,
        /// The classifier's name.
        head: String,
        /// Its folder.
        dir: PathBuf,
        /// sha256 of `head.json`.
        manifest_sha256: String,
        /// Each head's file and hash, by target.
        heads: BTreeMap<String, HeadFile>,
    },
    /// A LoRA cross-encoder over a base encoder.
    FineTuned {
        /// `stance` or `sentiment`.
        role: String,
        /// The classifier's name.
        classifier: String,
        /// Its folder.
        dir: PathBuf,
        /// sha256 of `classifier.json`.
        manifest_sha256: String,
        /// sha256 of the adapter weights.
        adapter_sha256: String,
        /// The base encoder's id.
        base_model: String,
        /// sha256 of the base encoder's weights.
        base_sha256: String,
    },
    /// A zero-shot NLI cross-encoder.
    Nli {
        /// Always `stance-nli`.
        role: String,
        /// Its folder.
        dir: PathBuf,
        /// sha256 of its weights.
        weights_sha256: String,
        /// Labels scored independently rather than as one softmax.
        multi_label: bool,
    },
    /// The bi-encoder similarity baseline.
    Similarity {
        /// Always `stance-similarity`.
        role: String,
        /// The embedding model it compares with.
        embedding: String,
    },
}
