//! RoBERTa (and XLM-RoBERTa, the same network): the BERT forward pass with positions counted
//! from the padding id + 1, a single token type and RoBERTa's own head names.

use super::bert::{Bert, Family};
use super::config::BertConfig;
use anyhow::Result;
use candle_nn::VarBuilder;

/// What RoBERTa changes in BERT, for a checkpoint whose config is `config`.
fn family(config: &BertConfig) -> Family {
    Family {
        root: "roberta",
        // transformers' `create_position_ids_from_input_ids`: padding_idx + 1 + index.
        position_offset: config.base.pad_token_id + 1,
        token_types: false,
        head: ["classifier.dense", "classifier.out_proj"],
    }
}

/// The longest input the checkpoint's position table covers, special tokens included.
pub fn max_tokens(config: &BertConfig) -> usize {
    config
        .base
        .max_position_embeddings
        .saturating_sub(family(config).position_offset)
}

/// Builds a RoBERTa model, with a classification head over `head_labels` when the checkpoint
/// has one.
pub fn load(vb: VarBuilder, config: &BertConfig, head_labels: Option<&[String]>) -> Result<Bert> {
    Bert::load(vb, config, head_labels, family(config))
}
