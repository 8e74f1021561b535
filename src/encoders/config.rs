//! A checkpoint's `config.json`, parsed once: the architecture with its own settings (tagged by
//! `model_type`), and the classification head every architecture may carry.

use crate::device::Precision;
use crate::error::UserError;
use crate::models::Architecture;
use anyhow::{Context, Result};
use candle_core::{DType, Device};
use candle_transformers::models::{bert, debertav2};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What the architecture files build from.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The architecture and its settings.
    pub arch: ArchConfig,
    /// Class names in logit order, when the checkpoint has a sequence-classification head.
    pub head_labels: Option<Vec<String>>,
}

/// The architectures this build runs, each with its own settings.
#[derive(Debug, Clone)]
// Parsed once per model load, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum ArchConfig {
    /// BERT and its distillations (`model_type` `bert`).
    Bert(BertConfig),
    /// RoBERTa and XLM-RoBERTa (`roberta`, `xlm-roberta`): BERT's settings, read differently.
    Roberta(BertConfig),
    /// DeBERTa-v2/v3 (`deberta-v2`).
    DebertaV2(debertav2::Config),
    /// ModernBERT (`modernbert`).
    ModernBert(super::modernbert::ModernBertConfig),
}

/// candle's BERT config and the training setting it omits.
#[derive(Debug, Clone)]
pub struct BertConfig {
    /// candle's config.
    pub base: bert::Config,
    /// Dropout rate of the attention probabilities in training.
    pub attention_probs_dropout_prob: f64,
}

/// The fields every architecture's config shares.
#[derive(Deserialize)]
struct Common {
    #[serde(default)]
    model_type: String,
    #[serde(default)]
    architectures: Vec<String>,
    #[serde(default)]
    id2label: BTreeMap<String, String>,
    #[serde(default)]
    attention_probs_dropout_prob: f64,
}

impl ModelConfig {
    /// Parses `text`, the `config.json` at `origin`.
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let common: Common = serde_json::from_str(text).map_err(|e| {
            UserError::new(
                format!("{} is not a model config: {e}", origin.display()),
                "the model folder is corrupt: run `stancer models verify` or fetch it again",
            )
        })?;
        let not_a = |e: serde_json::Error| {
            anyhow::Error::new(e).context(format!(
                "{} is not a {} config",
                origin.display(),
                common.model_type
            ))
        };
        // The one place a model type maps to an architecture.
        let bert = || -> Result<BertConfig> {
            Ok(BertConfig {
                base: serde_json::from_str(text).map_err(not_a)?,
                attention_probs_dropout_prob: common.attention_probs_dropout_prob,
            })
        };
        let arch = match common.model_type.as_str() {
            "bert" => ArchConfig::Bert(bert()?),
            "roberta" | "xlm-roberta" => ArchConfig::Roberta(bert()?),
            "deberta-v2" => ArchConfig::DebertaV2(serde_json::from_str(text).map_err(not_a)?),
            "modernbert" => ArchConfig::ModernBert(
                super::modernbert::ModernBertConfig::parse(text)
                    .with_context(|| format!("{} is not a modernbert config", origin.display()))?,
            ),
            other => {
                return Err(UserError::new(
                    format!(
                        "{}: model_type '{other}' is not supported",
                        origin.display()
                    ),
                    "supported model types: bert, roberta, xlm-roberta, deberta-v2, modernbert",
                ))
            }
        };
        let head = common
            .architectures
            .iter()
            .any(|a| a.ends_with("ForSequenceClassification"));
        let head_labels = head
            .then(|| labels_by_id(common.id2label))
            .transpose()
            .with_context(|| format!("{}: reading id2label", origin.display()))?;
        Ok(ModelConfig { arch, head_labels })
    }

    /// The architecture, as model manifests name it.
    pub fn architecture(&self) -> Architecture {
        match self.arch {
            ArchConfig::Bert(_) => Architecture::Bert,
            ArchConfig::Roberta(_) => Architecture::Roberta,
            ArchConfig::DebertaV2(_) => Architecture::DebertaV2,
            ArchConfig::ModernBert(_) => Architecture::ModernBert,
        }
    }

    /// The longest input the model's position table covers, special tokens included.
    pub fn max_tokens(&self) -> usize {
        match &self.arch {
            ArchConfig::Bert(c) => c.base.max_position_embeddings,
            ArchConfig::Roberta(c) => super::roberta::max_tokens(c),
            ArchConfig::DebertaV2(c) => c.max_position_embeddings,
            ArchConfig::ModernBert(c) => c.base.max_position_embeddings,
        }
    }

    /// The float type the model runs in for `precision` on `device`.
    pub fn dtype(&self, precision: Precision, device: &Device) -> Result<DType> {
        self.runnable(precision, precision.dtype(device))
    }

    /// `wanted` where the architecture runs in it. candle-transformers' DeBERTa-v2 and
    /// ModernBERT build their attention masks (and DeBERTa its relative positions) in f32 only,
    /// so there `auto` means f32 and a half type asked for by name is refused.
    fn runnable(&self, precision: Precision, wanted: DType) -> Result<DType> {
        match self.arch {
            ArchConfig::DebertaV2(_) | ArchConfig::ModernBert(_) if wanted != DType::F32 => {
                match precision {
                    Precision::Auto => Ok(DType::F32),
                    _ => Err(UserError::new(
                        format!(
                            "--dtype {precision}: {} models run in f32 only",
                            self.architecture()
                        ),
                        "drop --dtype, or pass --dtype f32",
                    )),
                }
            }
            _ => Ok(wanted),
        }
    }

    /// This config with a sequence-classification head of `labels` classes named as
    /// transformers names them by default (`LABEL_0`…), as a LoRA adapter's head needs.
    pub fn with_head(mut self, labels: usize) -> Self {
        self.head_labels = Some((0..labels).map(|i| format!("LABEL_{i}")).collect());
        self
    }
}

/// Class names ordered by id from an `id2label` map.
fn labels_by_id(id2label: BTreeMap<String, String>) -> Result<Vec<String>> {
    let mut labels: Vec<(usize, String)> = id2label
        .into_iter()
        .map(|(id, name)| {
            id.parse::<usize>()
                .map(|id| (id, name))
                .with_context(|| format!("id2label key '{id}' is not an integer"))
        })
        .collect::<Result<_>>()?;
    labels.sort();
    if labels.iter().enumerate().any(|(i, (id, _))| i != *id) {
        anyhow::bail!("id2label ids are not 0..n-1");
    }
    Ok(labels.into_iter().map(|(_, name)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ModelConfig> {
        ModelConfig::parse(text, Path::new("config.json"))
    }

    const BERT: &str = r#""vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
        "num_attention_heads": 1, "intermediate_size": 8, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.25,
        "max_position_embeddings": 16, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0"#;

    #[test]
    fn a_bert_config_with_a_head_reads_its_labels_by_id() {
        let c = parse(&format!(
            r#"{{"model_type": "bert", {BERT}, "architectures": ["BertForSequenceClassification"],
                "id2label": {{"2": "neutral", "0": "contradiction", "1": "entailment"}}}}"#
        ))
        .unwrap();
        assert_eq!(c.architecture(), Architecture::Bert);
        let ArchConfig::Bert(bert) = &c.arch else {
            panic!("{c:?}")
        };
        assert_eq!(
            (bert.base.hidden_size, bert.attention_probs_dropout_prob),
            (4, 0.25)
        );
        assert_eq!(
            c.head_labels.as_deref(),
            Some(&["contradiction", "entailment", "neutral"].map(String::from)[..])
        );
    }

    #[test]
    fn a_bare_encoder_has_no_head_until_an_adapter_gives_it_one() {
        let c = parse(&format!(
            r#"{{"model_type": "bert", {BERT}, "architectures": ["BertModel"]}}"#
        ))
        .unwrap();
        assert!(c.head_labels.is_none());
        assert_eq!(c.with_head(2).head_labels.unwrap(), ["LABEL_0", "LABEL_1"]);
    }

    #[test]
    fn deberta_runs_in_f32_only_and_auto_falls_back_to_it() {
        let deberta = ModelConfig::parse(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/tiny-deberta-v2-cls/config.json"
            ))
            .unwrap(),
            Path::new("config.json"),
        )
        .unwrap();
        // What `auto` asks for on CUDA.
        assert_eq!(
            deberta.runnable(Precision::Auto, DType::BF16).unwrap(),
            DType::F32
        );
        let e = deberta
            .runnable(Precision::Bf16, DType::BF16)
            .unwrap_err()
            .to_string();
        assert!(e.contains("deberta-v2 models run in f32 only"), "{e}");
        let bert = parse(&format!(r#"{{"model_type": "bert", {BERT}}}"#)).unwrap();
        assert_eq!(
            bert.runnable(Precision::Auto, DType::BF16).unwrap(),
            DType::BF16
        );
    }

    #[test]
    fn unknown_types_bad_ids_and_missing_fields_are_refused() {
        let e = parse(r#"{"model_type": "gpt2"}"#).unwrap_err().to_string();
        assert!(e.contains("model_type 'gpt2' is not supported"), "{e}");
        let e = parse(r#"{"model_type": "bert"}"#).unwrap_err();
        assert!(format!("{e:#}").contains("is not a bert config"), "{e:#}");
        let gaps = format!(
            r#"{{"model_type": "bert", {BERT}, "architectures": ["BertForSequenceClassification"],
                "id2label": {{"0": "a", "2": "b"}}}}"#
        );
        assert!(format!("{:#}", parse(&gaps).unwrap_err()).contains("not 0..n-1"));
    }
}
