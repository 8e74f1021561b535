//! Stance and sentiment classification of quote texts.
//!
//! Every classifier implements [`classifier::Classifier`] and gives one output, [`Prediction`]:
//! a trained linear head on frozen embeddings ([`head`], the default) or a fine-tuned
//! cross-encoder ([`finetuned`]), both behind [`trained_model`]; zero-shot NLI with a
//! cross-encoder ([`nli`]); and a bi-encoder similarity baseline ([`similarity`]). None of them
//! sees candle types beyond [`crate::encoders::TextModel`].

pub mod classifier;
pub mod cv;
pub mod data;
pub mod features;
pub mod finetuned;
pub mod head;
pub mod nli;
pub mod similarity;
pub mod text_norm;
pub mod trained;
pub mod trained_model;

pub use crate::prediction::{argmax, softmax, Prediction};

/// One text to classify, with what hypotheses and target-conditioned features need.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// The quote or tweet.
    pub text: &'a str,
    /// Who said it (for NLI hypotheses); "The speaker" when unknown.
    pub speaker: Option<&'a str>,
    /// The stance target when it varies per item (SemEval); else the task's target.
    pub target: Option<&'a str>,
}

impl<'a> Item<'a> {
    /// An item with only its text.
    pub fn text(text: &'a str) -> Self {
        Self {
            text,
            speaker: None,
            target: None,
        }
    }
}
