//! Cross-encoder parity: tiny random BERT, RoBERTa, ModernBERT and DeBERTa-v2 sequence
//! classifiers, generated once with Python transformers (scripts/fixtures/tiny_models.py,
//! tiny_roberta.py, tiny_modernbert.py), must give the
//! reference token ids and logits, including pairs whose premise is truncated; in f16 and bf16
//! they must stay as close to the f32 reference as transformers itself does.

mod common;

use candle_core::Device;
use common::max_abs_diff;
use serde::Deserialize;
use stancer::device::Precision;
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
    load_in(name, Precision::Auto)
}

fn load_in(name: &str, precision: Precision) -> (TextModel, Reference) {
    let dir = fixture(name);
    let reference: Reference =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    let options = LoadOptions {
        max_length: Some(reference.max_length),
        precision,
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

#[test]
fn tiny_modernbert_classifier_matches_transformers() {
    // Layers 1 and 2 attend within 8 tokens: a window off by one shows in the longer pairs.
    check_parity("tiny-modernbert-cls", 1);
}

#[test]
fn tiny_roberta_classifier_matches_transformers() {
    // Random position embeddings: positions counted from 0 instead of pad id + 1 would show
    // at every token.
    check_parity("tiny-roberta-cls", 1);
    let model = TextModel::load(
        &fixture("tiny-roberta-cls"),
        LoadOptions::default(),
        &Device::Cpu,
    )
    .unwrap();
    // tokenizer_config's 128, within the 130 - 2 positions the table covers.
    assert_eq!(model.max_length(), 128);
}

/// How far transformers itself moves from the f32 reference in a half type, by `measure`
/// (scripts/fixtures/half_precision.py).
fn transformers_half(measure: &str, name: &str, precision: Precision) -> f64 {
    let path = fixture("half_precision.json");
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    table[measure][name][precision.to_string()]
        .as_f64()
        .unwrap()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0.0), |(s, n), v| (s + v, n + 1.0));
    sum / n
}

// Rounding in another order lands either side of transformers' own error in a half type; a
// kernel that lost precision, or positions off by two, land far beyond (25 times).
const WITHIN: f64 = 2.0;

#[test]
fn bert_and_roberta_logits_in_f16_and_bf16_move_from_f32_as_transformers_do() {
    let argmax = |v: &[f32]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
    for name in ["tiny-bert-cls", "tiny-roberta-cls"] {
        for precision in [Precision::Bf16, Precision::F16] {
            let (model, reference) = load_in(name, precision);
            let logits = model.logits(&inputs(&reference), 4).unwrap();
            let pairs = || logits.iter().zip(&reference.pairs);
            let ours = mean(pairs().flat_map(|(got, pair)| {
                got.iter()
                    .zip(&pair.logits)
                    .map(|(a, b)| f64::from((a - b).abs()))
            }));
            let theirs = transformers_half("logit_error", name, precision);
            eprintln!("{name} {precision}: mean |logit - f32| {ours:e}, transformers {theirs:e}");
            assert!(ours > 0.0, "{name} {precision} ran in f32");
            assert!(
                ours <= WITHIN * theirs,
                "{name} {precision}: {ours} vs {theirs}"
            );
            // A top class may change only where the f32 logits are nearly tied.
            for (got, pair) in pairs() {
                let mut sorted = pair.logits.clone();
                sorted.sort_by(|a, b| b.total_cmp(a));
                assert!(
                    argmax(got) == argmax(&pair.logits) || sorted[0] - sorted[1] < 0.5,
                    "{name} {precision}: {got:?} vs {:?}",
                    pair.logits
                );
            }
        }
    }
}

#[test]
fn mean_pooled_embeddings_in_f16_and_bf16_move_from_f32_as_transformers_do() {
    let cosine = |a: &[f32], b: &[f32]| {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum();
        let norm = |v: &[f32]| v.iter().map(|x| f64::from(x * x)).sum::<f64>().sqrt();
        dot / norm(a) / norm(b)
    };
    for name in ["tiny-bert-cls", "tiny-roberta-cls"] {
        let embed = |precision| {
            let (_, reference) = load_in(name, precision);
            let options = LoadOptions {
                max_length: Some(reference.max_length),
                pooling: stancer::encoders::Pooling::Mean,
                precision,
                ..LoadOptions::default()
            };
            let model = TextModel::load(&fixture(name), options, &Device::Cpu).unwrap();
            let texts: Vec<&str> = reference.pairs.iter().map(|p| p.premise.as_str()).collect();
            model.embed(&texts, 4).unwrap()
        };
        let full = embed(Precision::F32);
        for precision in [Precision::Bf16, Precision::F16] {
            let half = embed(precision);
            let ours = mean(full.iter().zip(&half).map(|(a, b)| 1.0 - cosine(a, b)));
            let theirs = transformers_half("pooled_cosine_gap", name, precision);
            eprintln!(
                "{name} {precision}: mean 1 - cosine to f32 {ours:e}, transformers {theirs:e}"
            );
            assert!(
                ours <= WITHIN * theirs,
                "{name} {precision}: {ours} vs {theirs}"
            );
        }
    }
}

#[test]
fn deberta_and_modernbert_refuse_a_half_type_by_name_and_run_auto_in_f32() {
    let options = |precision| LoadOptions {
        precision,
        ..LoadOptions::default()
    };
    for (name, architecture) in [
        ("tiny-deberta-v2-cls", "deberta-v2"),
        ("tiny-modernbert-cls", "modernbert"),
    ] {
        let dir = fixture(name);
        let err = TextModel::load(&dir, options(Precision::Bf16), &Device::Cpu)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains(&format!("{architecture} models run in f32 only")),
            "{err}"
        );
        let model = TextModel::load(&dir, options(Precision::Auto), &Device::Cpu).unwrap();
        assert_eq!(model.dtype(), candle_core::DType::F32);
    }
}
