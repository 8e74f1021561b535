//! Evaluation: gold adapters, span matching, metrics and reports.

pub mod agreement;
pub mod bootstrap;
pub mod calibration;
pub mod gwsd;
pub mod metrics;
pub mod native;
pub mod newsmtsc;
pub mod perspectrum;
pub mod polnear;
pub mod quotes;
pub mod report;
pub mod semeval;
pub mod spans;
pub mod stance;
