//! The NLI zero-shot path against transformers' zero-shot-classification pipeline, run once on
//! the tiny random DeBERTa-v2 fixture (scripts/fixtures/tiny_models.py).

use candle_core::Device;
use serde::Deserialize;
use stancer::classify::nli::{zero_shot_scores, Mode, NliClasses};
use stancer::encoders::{LoadOptions, TextModel};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
struct Reference {
    hypothesis_template: String,
    candidate_labels: Vec<String>,
    sequences: Vec<String>,
    results: BTreeMap<String, Vec<PipelineOutput>>,
}

#[derive(Deserialize)]
struct PipelineOutput {
    sequence: String,
    labels: Vec<String>,
    scores: Vec<f32>,
}

#[test]
fn zero_shot_matches_transformers_pipeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-deberta-v2-cls");
    let reference: Reference =
        serde_json::from_str(&std::fs::read_to_string(dir.join("zero_shot.json")).unwrap())
            .unwrap();
    let model = TextModel::load(&dir, LoadOptions::default(), &Device::Cpu).unwrap();
    assert_eq!(
        model.max_length(),
        128,
        "the pipeline truncates at model_max_length"
    );
    let classes = NliClasses::from_labels(model.labels(), "tiny").unwrap();
    let premises: Vec<&str> = reference.sequences.iter().map(String::as_str).collect();
    let hypotheses: Vec<Vec<String>> = premises
        .iter()
        .map(|_| {
            reference
                .candidate_labels
                .iter()
                .map(|l| reference.hypothesis_template.replace("{}", l))
                .collect()
        })
        .collect();
    let mut compared = 0;
    for (key, mode) in [
        ("single_label", Mode::SingleLabel),
        ("multi_label", Mode::MultiLabel),
    ] {
        let scores = zero_shot_scores(&model, classes, &premises, &hypotheses, mode, 5).unwrap();
        for (i, expected) in reference.results[key].iter().enumerate() {
            assert_eq!(expected.sequence, reference.sequences[i]);
            for (label, want) in expected.labels.iter().zip(&expected.scores) {
                let k = reference
                    .candidate_labels
                    .iter()
                    .position(|l| l == label)
                    .unwrap();
                let got = scores[i][k];
                assert!(
                    (got - want).abs() <= 1e-4,
                    "{key} seq {i} {label}: {got} vs {want}"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 24);
}
