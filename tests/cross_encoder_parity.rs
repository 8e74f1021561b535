//! Cross-encoder parity: tiny random BERT and DeBERTa-v2 sequence classifiers, generated once with
//! Python transformers (scripts/fixtures/tiny_models.py), must give the reference token ids and
//! logits, including pairs whose premise is truncated.

mod common;

use candle_core::Device;
use common::max_abs_diff;
use serde::Deserialize;
use stancer::encoders::{LoadOptions, ModelInput, TextModel};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Reference {
    max_length: usize,
    pairs: Vec<Pair>,
    batched_logits: Vec<Vec<f32>>,
}

#[derive(Deserialize)]
struct Pair {
    premise: String,
    hypothesis: Option<String>,
    input_ids: Vec<u32>,
    token_type_ids: Vec<u32>,
    logits: Vec<f32>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> (TextModel, Reference) {
    let dir = fixture(name);
    let reference: Reference =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    let options = LoadOptions {
        max_length: Some(reference.max_length),
        ..LoadOptions::default()
    };
    let model = TextModel::load(&dir, options, &Device::Cpu).unwrap();
    (model, reference)
}

fn inputs(reference: &Reference) -> Vec<ModelInput<'_>> {
    reference
        .pairs
        .iter()
        .map(|p| match &p.hypothesis {
            Some(h) => ModelInput::Pair(&p.premise, h),
            None => ModelInput::Single(&p.premise),
        })
        .collect()
}

fn check_parity(name: &str, expected_entailment: usize) {
    let (model, reference) = load(name);
    assert!(reference.pairs.len() >= 10);
    assert_eq!(model.entailment_index(), Some(expected_entailment));
    let inputs = inputs(&reference);

    let tokens = model.tokenize(&inputs).unwrap();
    let mut truncated = 0;
    for (pair, (ids, types)) in reference.pairs.iter().zip(&tokens) {
        assert_eq!(ids, &pair.input_ids, "token ids for {:?}", pair.premise);
        assert_eq!(
            types, &pair.token_type_ids,
            "type ids for {:?}",
            pair.premise
        );
        truncated += usize::from(ids.len() == reference.max_length && pair.hypothesis.is_some());
    }
    assert!(truncated >= 4, "only {truncated} pairs exercise truncation");

    let one_by_one: Vec<Vec<f32>> = inputs
        .iter()
        .map(|input| model.logits(&[*input], 1).unwrap().remove(0))
        .collect();
    let batched = model.logits(&inputs, 4).unwrap();
    let mut worst: f32 = 0.0;
    for (i, pair) in reference.pairs.iter().enumerate() {
        worst = worst.max(max_abs_diff(&one_by_one[i], &pair.logits));
        assert!(
            max_abs_diff(&one_by_one[i], &pair.logits) <= 1e-4,
            "{name} pair {i}: {:?} vs reference {:?}",
            one_by_one[i],
            pair.logits
        );
        assert!(
            max_abs_diff(&batched[i], &pair.logits) <= 1e-4,
            "{name} batched pair {i}"
        );
        assert!(max_abs_diff(&batched[i], &reference.batched_logits[i]) <= 1e-4);
        assert!(max_abs_diff(&batched[i], &one_by_one[i]) <= 1e-5);
    }
    eprintln!("{name}: max |logit - reference| = {worst:e}");
}

#[test]
fn tiny_bert_classifier_matches_transformers() {
    check_parity("tiny-bert-cls", 1);
}

#[test]
fn tiny_deberta_v2_classifier_matches_transformers() {
    check_parity("tiny-deberta-v2-cls", 2);
}
