//! Fine-tuning an encoder in Rust: LoRA adapters and a classification head trained with AdamW
//! through candle's autograd, on CPU or GPU.
//!
//! The encoder's own weights stay frozen and memory-mapped; only the adapter factors and the
//! head are variables ([`params`]). The forward pass is the inference pass of
//! [`crate::encoders`] with an [`crate::encoders::Adaptation`] added, so what is trained is
//! what runs. [`trainer`] holds the loop, its checkpoints and early stopping; [`optim`] the
//! optimiser and schedule.

pub mod optim;
pub mod params;
pub mod trainer;

pub use optim::OptimConfig;
pub use params::{LoraSettings, TrainableParams};
pub use trainer::{
    fine_tune, Checkpointing, DevSplit, EpochRecord, FineTuneConfig, FineTuned, Start, TrainExample,
};
