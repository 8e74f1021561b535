//! The learned span tagger: content, cue and source tags ([`scheme`]) over the tokens of an
//! encoder fine-tuned with the same engine as the stance classifier ([`crate::finetune`], a
//! token head and LoRA adapters), trained on PolNeAR train ([`train`]).
//!
//! A document is read window by window ([`windows`]), in batches, on CPU or GPU; tagged spans are
//! linked into attributions (each content to its nearest cue, each cue to its nearest source)
//! and become the rules' own records through [`crate::quotes::frames`], so `--extractor rules |
//! learned | both` changes nothing downstream.

pub mod scheme;
pub mod train;
pub mod windows;

use crate::actors::Registry;
use crate::corpus::Document;
use crate::encoders::{lora, TextTokenizer, Trainable};
use crate::error::UserError;
use crate::finetune::trainer::for_each_batch;
use crate::finetune::{FineTuneConfig, TrainableParams};
use crate::quotes::frames::{self, Frame};
use crate::quotes::{Extractor, Quote, Rules};
use anyhow::{Context, Result};
use candle_core::Device;
use scheme::{SpanKind, Tagged};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The manifest a tagger folder holds beside its PEFT adapter.
pub const MANIFEST: &str = "tagger.json";

/// `tagger.json`: what the tagger is, what it was trained on and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaggerManifest {
    /// Layout version.
    pub format: u32,
    /// The base encoder's manifest id.
    pub base_model: String,
    /// sha256 of the base encoder's weights.
    pub base_sha256: String,
    /// sha256 of `adapter_model.safetensors`.
    pub adapter_sha256: String,
    /// Logit columns, in order ([`scheme::LABELS`]).
    pub labels: Vec<String>,
    /// Softmax group sizes ([`scheme::GROUPS`]).
    pub groups: Vec<usize>,
    /// Training data: each file set with its sha256.
    pub data: Vec<train::DataRecord>,
    /// Documents and windows trained on.
    pub documents: usize,
    /// Windows trained on.
    pub windows: usize,
    /// Fine-tuning settings.
    pub config: FineTuneConfig,
    /// Per-epoch training loss.
    pub history: Vec<crate::finetune::EpochRecord>,
    /// The CPU float platform it was trained on ([`crate::device::cpu_float_platform`]).
    pub platform: String,
    /// The command line that trained it.
    pub command: Vec<String>,
}

/// A loaded tagger.
pub struct SpanTagger {
    model: Box<dyn Trainable>,
    params: TrainableParams,
    tokenizer: TextTokenizer,
    device: Device,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Its manifest.
    pub manifest: TaggerManifest,
}

impl SpanTagger {
    /// Loads the tagger in `dir` over the base encoder in `base_dir` onto `device`, refusing a
    /// base or adapter other than the ones it was trained with.
    pub fn load(dir: &Path, base_dir: &Path, base_sha256: &str, device: &Device) -> Result<Self> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            UserError::new(
                format!("cannot read {}: {e}", path.display()),
                "point --tagger at a folder written by `stancer train-tagger`",
            )
        })?;
        let manifest: TaggerManifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a tagger manifest", path.display()))?;
        let recorded = lora::Recorded {
            manifest: MANIFEST,
            base_model: &manifest.base_model,
            base_sha256: &manifest.base_sha256,
            adapter_sha256: &manifest.adapter_sha256,
        };
        lora::verify(dir, &recorded, base_sha256)?;
        if manifest.groups != scheme::GROUPS {
            return Err(UserError::new(
                format!("{}: tag groups {:?}", path.display(), manifest.groups),
                format!("this stancer reads taggers of groups {:?}", scheme::GROUPS),
            ));
        }
        let adapter = lora::AdapterConfig::read(dir)?;
        let params = TrainableParams {
            tensors: lora::read_tensors(dir, device)?,
            head: crate::encoders::Head::Token,
            scale: adapter.scale(),
            lora_dropout: 0.0,
        };
        let model = crate::encoders::load_trainable(base_dir, device)?;
        let tokenizer = TextTokenizer::load(base_dir, manifest.config.max_length)?;
        Ok(Self {
            model,
            params,
            tokenizer,
            device: device.clone(),
            batch_size: 32,
            manifest,
        })
    }

    /// The spans tagged in `text`, byte ranges, window by window.
    pub fn spans(&self, text: &str) -> Result<Vec<Vec<Tagged>>> {
        let windows = windows::windows(text, &self.tokenizer)?;
        let tags = tag_windows(
            self.model.as_ref(),
            &self.params,
            &self.tokenizer,
            &windows,
            self.batch_size,
            &self.device,
        )?;
        Ok(windows
            .iter()
            .zip(&tags)
            .map(|(w, t)| scheme::decode(&w.tokens.offsets, t))
            .collect())
    }

    /// The attributions tagged in `text`.
    pub fn frames(&self, text: &str) -> Result<Vec<Frame>> {
        Ok(link(&self.spans(text)?))
    }
}

/// Per window, per token, the most probable label of each group.
pub fn tag_windows(
    model: &dyn Trainable,
    params: &TrainableParams,
    tokenizer: &TextTokenizer,
    windows: &[windows::Window],
    batch_size: usize,
    device: &Device,
) -> Result<Vec<Vec<Vec<usize>>>> {
    let tokens: Vec<(Vec<u32>, Vec<u32>)> = windows
        .iter()
        .map(|w| (w.tokens.ids.clone(), vec![0; w.tokens.ids.len()]))
        .collect();
    let mut out = vec![Vec::new(); windows.len()];
    for_each_batch(
        model,
        params,
        &tokens,
        tokenizer.pad_id(),
        batch_size,
        device,
        |indices, logits| {
            // A token head's rows are the batch's tokens, input by input.
            let mut rows = logits
                .to_dtype(candle_core::DType::F32)?
                .to_vec2::<f32>()?
                .into_iter();
            for &i in indices {
                out[i] = rows
                    .by_ref()
                    .take(tokens[i].0.len())
                    .map(|r| argmax_groups(&r))
                    .collect();
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// The best label of each softmax group of one token's logits.
fn argmax_groups(logits: &[f32]) -> Vec<usize> {
    let mut offset = 0;
    scheme::GROUPS
        .iter()
        .map(|&size| {
            let best = crate::prediction::argmax(&logits[offset..offset + size]);
            offset += size;
            best
        })
        .collect()
}

/// A byte range of a document's text.
type Range = (usize, usize);

/// Bytes between two byte ranges (0 when they touch or overlap).
fn gap(x: (usize, usize), y: (usize, usize)) -> usize {
    if x.1 <= y.0 {
        y.0 - x.1
    } else {
        x.0.saturating_sub(y.1)
    }
}

/// Attributions from per-window spans: each content goes to the nearest cue of its window, or,
/// when its window has none (a quote continued in a new paragraph), to the nearest cue of the
/// document; each cue to the nearest source of its own window. Contents sharing a cue are one
/// attribution (a split quote). A content with no cue anywhere is dropped.
pub fn link(windows: &[Vec<Tagged>]) -> Vec<Frame> {
    let of = |spans: &[Tagged], kind: SpanKind| -> Vec<(usize, usize)> {
        spans.iter().filter(|s| s.0 == kind).map(|s| s.1).collect()
    };
    // In text order: windows are, and so are the spans within each.
    let all_cues: Vec<(usize, Range)> = windows
        .iter()
        .enumerate()
        .flat_map(|(w, spans)| of(spans, SpanKind::Cue).into_iter().map(move |c| (w, c)))
        .collect();
    let nearest = |to: (usize, usize), among: &mut dyn Iterator<Item = (usize, usize)>| {
        among.min_by_key(|&c| (gap(to, c), c))
    };
    // cue → (its window, contents)
    let mut frames: BTreeMap<Range, (usize, Vec<Range>)> = BTreeMap::new();
    for (w, spans) in windows.iter().enumerate() {
        let cues = of(spans, SpanKind::Cue);
        for content in of(spans, SpanKind::Content) {
            let cue = nearest(content, &mut cues.iter().copied())
                .map(|c| (w, c))
                .or_else(|| {
                    // The nearest cue of the document is one of the two around the content.
                    let at = all_cues.partition_point(|&(_, c)| c.0 < content.0);
                    all_cues[at.saturating_sub(1)..(at + 1).min(all_cues.len())]
                        .iter()
                        .copied()
                        .min_by_key(|&(_, c)| (gap(content, c), c))
                });
            if let Some((cw, cue)) = cue {
                frames
                    .entry(cue)
                    .or_insert((cw, Vec::new()))
                    .1
                    .push(content);
            }
        }
    }
    let mut out: Vec<Frame> = frames
        .into_iter()
        .map(|(cue, (w, mut content))| {
            content.sort_unstable();
            let source = nearest(cue, &mut of(&windows[w], SpanKind::Source).into_iter());
            Frame {
                content,
                cue,
                source,
            }
        })
        .collect();
    out.sort_by_key(|f| f.content[0]);
    out
}

/// `--extractor learned` (the tagger alone) or `both` (the rules, plus the tagger's
/// attributions where the rules found nothing: [`frames::merge`]).
pub struct Learned {
    /// The tagger.
    pub tagger: SpanTagger,
    /// Whether the rules run too.
    pub with_rules: bool,
}

impl Extractor for Learned {
    fn extract(&self, doc: &Document, registry: Option<&Registry>) -> Result<Vec<Quote>> {
        let found = self.tagger.frames(&doc.text)?;
        let learned = frames::from_frames(doc, &found, registry);
        if !self.with_rules {
            return Ok(learned);
        }
        let rules = Rules.extract(doc, registry)?;
        Ok(frames::merge(&doc.id, rules, learned))
    }

    fn model_id(&self) -> Option<String> {
        let kind = if self.with_rules { "both" } else { "learned" };
        Some(format!("{kind}:{}", self.tagger.manifest.adapter_sha256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_link_to_the_nearest_cue_and_cues_to_their_windows_source() {
        use SpanKind::*;
        // Window 0: “A,” X said, “B.”  Window 1: “C.” (continued, no cue of its own).
        let windows = vec![
            vec![
                (Content, (0, 4)),
                (Source, (6, 7)),
                (Cue, (8, 12)),
                (Content, (14, 18)),
            ],
            vec![(Content, (20, 24))],
            vec![(Source, (30, 31))],
        ];
        let frames = link(&windows);
        assert_eq!(
            frames,
            vec![Frame {
                content: vec![(0, 4), (14, 18), (20, 24)],
                cue: (8, 12),
                source: Some((6, 7)),
            }]
        );
        assert!(link(&[vec![(Content, (0, 4))]]).is_empty());
    }
}
