//! `--extractor rules|learned|both` and the tagger it loads, shared by every command that finds
//! quotes.

use super::model_args::ModelArgs;
use crate::quotes::{Extractor, Rules};
use crate::tagger::{Learned, SpanTagger};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which extractor finds the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractorKind {
    /// The rules alone.
    Rules,
    /// The learned span tagger alone.
    Learned,
    /// The rules, plus the tagger's attributions where the rules found none.
    Both,
}

impl ExtractorKind {
    /// The extractor's name in report folders.
    pub fn report_name(self) -> &'static str {
        match self {
            ExtractorKind::Rules => crate::eval::report::quotes::EXTRACTOR,
            ExtractorKind::Learned => "stancer-quotes-learned",
            ExtractorKind::Both => "stancer-quotes-both",
        }
    }
}

/// Extraction flags.
#[derive(Args, Debug)]
pub struct ExtractorArgs {
    /// Quote extractor: rules, learned (the span tagger of --tagger) or both (the rules, plus
    /// the tagger's attributions that overlap none of theirs).
    #[arg(long, value_enum, default_value_t = ExtractorKind::Rules)]
    pub extractor: ExtractorKind,
    /// The span tagger folder (`stancer train-tagger`), read by --extractor learned or both.
    #[arg(long, default_value = "models/polnear-tagger")]
    pub tagger: PathBuf,
}

impl ExtractorArgs {
    /// The extractor asked for; a tagger loads over `model`'s encoder, on its device.
    pub fn build(&self, model: &ModelArgs) -> Result<Box<dyn Extractor>> {
        if self.extractor == ExtractorKind::Rules {
            return Ok(Box::new(Rules));
        }
        let (manifest, dir) = model.resolve()?;
        let base_sha = manifest.weights_sha256();
        let tagger = SpanTagger::load(&self.tagger, &dir, &base_sha, &model.device.open()?)?;
        Ok(Box::new(Learned {
            tagger,
            with_rules: self.extractor == ExtractorKind::Both,
        }))
    }
}
