//! stancer: quotes, speakers and stance in political news.
//!
//! Data flows one way: corpus → quotes → actors → classify → aggregate → outputs / eval.
//! `ARCHITECTURE.md` at the repository root describes the modules; `main.rs` is a thin CLI
//! over the [`cli`] module, which only parses flags and calls the library.

// Every public item says what it is for; CI's clippy -D warnings makes this an error.
#![warn(missing_docs)]

pub mod actors;
pub mod aggregate;
pub mod bench;
pub mod bundled;
pub mod classify;
pub mod cli;
pub mod columnar;
pub mod corpus;
pub mod datasets;
pub mod device;
pub mod embed;
pub mod encoders;
pub mod error;
pub mod eval;
pub mod finetune;
pub mod metrics;
pub mod models;
pub mod output;
pub mod pipeline;
pub mod prediction;
pub mod progress;
pub mod quotes;
pub mod run_outputs;
pub mod settings;
pub mod shard;
pub mod tagger;
pub mod task;
pub mod text;
