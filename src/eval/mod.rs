//! Evaluation: gold adapters, span matching, metrics and reports.

pub mod native;
pub mod polnear;
pub mod quotes;
pub mod spans;
