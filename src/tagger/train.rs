//! Training the tagger: PolNeAR gold attributions as tags over each window's tokens, fine-tuned
//! with [`crate::finetune`] under a token objective, written as a PEFT adapter (`TOKEN_CLS`)
//! plus `tagger.json`.

use super::scheme::{self, SpanKind, Tagged};
use super::windows::{self, Window};
use super::{TaggerManifest, MANIFEST};
use crate::encoders::{lora, Head, TextTokenizer, Trainable};
use crate::eval::quotes::GoldDoc;
use crate::finetune::{
    fine_tune, Checkpointing, FineTuneConfig, Objective, Start, Target, TrainExample,
};
use crate::models::cache::sha256_bytes;
use anyhow::{Context, Result};
use candle_core::Device;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A training corpus by name and the sha256 of what was read from it (document ids, texts and
/// the tagged gold spans, in order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataRecord {
    /// `polnear:DIR/SPLIT`.
    pub path: String,
    /// sha256 of the documents and spans trained on.
    pub sha256: String,
    /// Ids of the split's documents left out of training (for choices made before the dev
    /// split is scored).
    pub held_out: Vec<String>,
}

/// The gold spans of `doc` as byte ranges: every piece of every content, cue and source.
pub fn gold_spans(doc: &GoldDoc) -> Vec<Tagged> {
    let text = &doc.doc.text;
    let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bytes.push(text.len());
    let byte = |c: usize| bytes[c.min(bytes.len() - 1)];
    let mut out = Vec::new();
    for a in &doc.attributions {
        let pieces = [
            (SpanKind::Content, a.content.as_slice()),
            (SpanKind::Cue, a.cue.as_slice()),
            (SpanKind::Source, a.source.as_deref().unwrap_or_default()),
        ];
        for (kind, ranges) in pieces {
            out.extend(ranges.iter().map(|&(s, e)| (kind, (byte(s), byte(e)))));
        }
    }
    out
}

/// One training example per window of each document that holds a token: the window's text and
/// its tags.
pub fn examples(docs: &[GoldDoc], tokenizer: &TextTokenizer) -> Result<Vec<TrainExample>> {
    let mut out = Vec::new();
    for doc in docs {
        let spans = gold_spans(doc);
        for Window { start, end, tokens } in windows::windows(&doc.doc.text, tokenizer)? {
            if tokens.offsets.iter().all(Option::is_none) {
                continue;
            }
            out.push(TrainExample {
                text: doc.doc.text[start..end].to_string(),
                pair: None,
                target: Target::Tokens(scheme::encode(&tokens.offsets, &spans)),
            });
        }
    }
    Ok(out)
}

/// sha256 of what training reads of `docs`.
fn digest(docs: &[GoldDoc]) -> String {
    let record: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| {
            let spans: Vec<(String, usize, usize)> = gold_spans(d)
                .into_iter()
                .map(|(k, (s, e))| (format!("{k:?}"), s, e))
                .collect();
            serde_json::json!([d.doc.id, d.doc.text, spans])
        })
        .collect();
    sha256_bytes(serde_json::Value::Array(record).to_string().as_bytes())
}

/// What a tagger training run needs besides its documents.
pub struct TaggerSpec<'a> {
    /// The base encoder's folder, manifest id and weights' sha256.
    pub base: (&'a Path, String, String),
    /// Where the documents came from (`polnear:DIR/SPLIT`).
    pub data_path: String,
    /// Documents of the split left out of training.
    pub held_out: Vec<String>,
    /// Fine-tuning settings (the objective is set here).
    pub config: FineTuneConfig,
    /// Device to train on.
    pub device: Device,
    /// Continue from the checkpoint in the output folder.
    pub resume: bool,
    /// No progress output.
    pub quiet: bool,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
}

/// Checkpoint file in the output folder while training.
const CHECKPOINT: &str = "checkpoint.safetensors";

/// Trains a tagger on `docs` and writes it to `out`: adapter, then `tagger.json` (atomically,
/// last, so a folder with a manifest is complete).
pub fn train(docs: &[GoldDoc], spec: &TaggerSpec, out: &Path) -> Result<TaggerManifest> {
    let mut config = spec.config.clone();
    config.objective = Objective::Tokens {
        groups: scheme::GROUPS.to_vec(),
    };
    let model: Box<dyn Trainable> = crate::encoders::load_trainable(spec.base.0, &spec.device)?;
    let tokenizer = TextTokenizer::load(spec.base.0, config.max_length)?;
    let examples = examples(docs, &tokenizer)?;
    anyhow::ensure!(!examples.is_empty(), "no training windows");
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let checkpoint = Checkpointing {
        path: out.join(CHECKPOINT),
        every: 50,
        resume: spec.resume,
    };
    let start = Start::Fresh {
        model_dir: spec.base.0,
        labels: scheme::LABELS.len(),
    };
    let fitted = fine_tune(
        model.as_ref(),
        &tokenizer,
        &spec.device,
        start,
        &examples,
        None,
        &config,
        Some(&checkpoint),
        spec.quiet,
    )?;
    let adapter =
        crate::finetune::params::adapter_config(&*model, &config.lora, &spec.base.1, Head::Token);
    lora::write(out, &adapter, &fitted.tensors)?;
    let manifest = TaggerManifest {
        format: 1,
        base_model: spec.base.1.clone(),
        base_sha256: spec.base.2.clone(),
        adapter_sha256: crate::models::cache::sha256_file(&out.join(lora::WEIGHTS_FILE))?,
        labels: scheme::LABELS.iter().map(|l| l.to_string()).collect(),
        groups: scheme::GROUPS.to_vec(),
        data: vec![DataRecord {
            path: spec.data_path.clone(),
            sha256: digest(docs),
            held_out: spec.held_out.clone(),
        }],
        documents: docs.len(),
        windows: examples.len(),
        config,
        history: fitted.history,
        platform: crate::device::cpu_float_platform(),
        command: spec.command.clone(),
    };
    let text = serde_json::to_string_pretty(&manifest)? + "\n";
    crate::output::write_atomic(&out.join(MANIFEST), |w| Ok(w.write_all(text.as_bytes())?))?;
    let _ = std::fs::remove_file(out.join(CHECKPOINT));
    Ok(manifest)
}
