//! Evaluation: gold adapters, span matching, metrics and reports.

pub mod agreement;
pub mod bootstrap;
pub mod calibration;
pub mod native;
pub mod polnear;
pub mod quotes;
pub mod report;
pub mod spans;
pub mod stance;
