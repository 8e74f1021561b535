//! Fine-tuning an encoder in Rust: LoRA adapters and a classification head trained with AdamW,
//! on CPU or GPU.
//!
//! The encoder's own weights stay frozen and memory-mapped; only the adapter factors and the
//! head are trained ([`params`]). An architecture that can be fine-tuned implements
//! [`crate::encoders::Trainable`]: its training forward pass applies the adapters, keeps its
//! activations and returns one step's gradients (BERT's backward pass is written by hand and
//! checked against PyTorch + peft). [`trainer`] holds the loop, its checkpoints and early
//! stopping; [`optim`] the optimiser and schedule.

pub mod optim;
pub mod params;
pub mod trainer;

pub use optim::OptimConfig;
pub use params::{LoraSettings, TrainableParams};
pub use trainer::{
    fine_tune, Checkpointing, DevSplit, EpochRecord, FineTuneConfig, FineTuned, Objective, Start,
    Target, TrainExample,
};
