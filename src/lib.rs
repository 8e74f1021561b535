//! stancer: quotes, speakers and stance in political news.
//!
//! Data flows one way: corpus → quotes → actors → classify → aggregate → outputs / eval.
//! `ARCHITECTURE.md` at the repository root describes the modules; `main.rs` is a thin CLI
//! over the [`cli`] module, which only parses flags and calls the library.

pub mod cli;
pub mod error;
pub mod output;
pub mod settings;
