//! Fine-tuning against PyTorch + peft (`scripts/fixtures/tiny_lora.py`): a LoRA adapter saved by
//! peft loads here with peft's logits; the loss and every gradient of one batch match torch's
//! autograd; five AdamW steps with warmup, decay and clipping end at torch's parameters. Then
//! stancer's own runs: the loss falls, the same seed gives the same bytes, and a run killed
//! mid-training and resumed ends where an uninterrupted run does.

use candle_core::{Device, Tensor};
use serde::Deserialize;
use stancer::encoders::lora::{self, AdapterConfig};
use stancer::encoders::{
    load_trainable, Dropout, Head, LoadOptions, ModelInput, PaddedBatch, TextModel, TextTokenizer,
};
use stancer::finetune::trainer::{grouped_cross_entropy, set_cross_entropy};
use stancer::finetune::{
    fine_tune, FineTuneConfig, LoraSettings, OptimConfig, Start, Target, TrainExample,
    TrainableParams,
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

/// Every gradient equals the reference's (named as the adapter file names them), to float32
/// rounding, which scales with the gradient: 1e-5 of the tensor's largest entry.
fn assert_gradients(grads: &BTreeMap<String, Tensor>, reference: &BTreeMap<String, Tensorish>) {
    assert_eq!(grads.len(), reference.len());
    for (name, got) in grads {
        let want = &reference[&lora::saved_name(name)];
        assert_eq!(got.dims(), want.shape.as_slice(), "{name}");
        let scale = want.values.iter().fold(1f32, |m, v| m.max(v.abs()));
        let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_close(name, &got, &want.values, 1e-5 * scale);
    }
}

fn examples(reference: &Reference) -> Vec<TrainExample> {
    reference
        .inputs
        .iter()
        .zip(&reference.labels)
        .map(|(input, &label)| TrainExample {
            text: input.text.clone(),
            pair: Some(input.text_pair.clone()),
            target: Target::Allowed(vec![label]),
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
        head: Head::Sequence,
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
    let allowed: Vec<&[usize]> = train
        .iter()
        .map(|e| match &e.target {
            Target::Allowed(set) => set.as_slice(),
            Target::Tokens(_) => unreachable!("sequence examples"),
        })
        .collect();
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
    assert_gradients(&grads, &reference.grads);
}

#[derive(Deserialize)]
struct TokenInput {
    text: String,
    input_ids: Vec<u32>,
    offsets: Vec<(usize, usize)>,
    labels: Vec<i64>,
}

#[derive(Deserialize)]
struct TokenLogits {
    per_item: Vec<Vec<Vec<f32>>>,
}

/// `scripts/fixtures/tiny_lora_tokens.py`: transformers' `BertForTokenClassification` with a
/// peft `TOKEN_CLS` adapter, per-token logits, loss and gradients.
#[derive(Deserialize)]
struct TokenReference {
    inputs: Vec<TokenInput>,
    logits: TokenLogits,
    loss: f64,
    grads: BTreeMap<String, Tensorish>,
}

/// The token head: per-token logits, the token-classification loss (one softmax group, special
/// tokens not counted) and every gradient against PyTorch + peft; the tokenizer's offsets
/// against the Python tokenizer's.
#[test]
fn a_token_head_matches_torch_logits_loss_and_gradients() {
    let dir = fixture().join("lora-tokens");
    let reference: TokenReference =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    let base = without_dropout();
    let model = load_trainable(base.path(), &Device::Cpu).unwrap();
    let tokenizer = TextTokenizer::load(base.path(), 24).unwrap();
    let config = AdapterConfig::read(&dir).unwrap();
    let params = TrainableParams {
        tensors: lora::read_tensors(&dir, &Device::Cpu).unwrap(),
        head: Head::Token,
        scale: config.scale(),
        lora_dropout: 0.0,
    };
    let texts: Vec<&str> = reference.inputs.iter().map(|i| i.text.as_str()).collect();
    let tokens = tokenizer.tokenize_with_offsets(&texts).unwrap();
    for (got, want) in tokens.iter().zip(&reference.inputs) {
        assert_eq!(got.ids, want.input_ids, "{}", want.text);
        let offsets: Vec<(usize, usize)> =
            got.offsets.iter().map(|o| o.unwrap_or((0, 0))).collect();
        assert_eq!(offsets, want.offsets, "{}", want.text);
    }
    let types: Vec<Vec<u32>> = tokens.iter().map(|t| vec![0; t.ids.len()]).collect();
    let items: Vec<(&[u32], &[u32])> = tokens
        .iter()
        .zip(&types)
        .map(|(t, y)| (t.ids.as_slice(), y.as_slice()))
        .collect();
    let batch = PaddedBatch::pad(&items, tokenizer.pad_id(), &Device::Cpu).unwrap();
    let logits = model
        .adapted_logits(&batch, &params.weights())
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    let want: Vec<Vec<f32>> = reference.logits.per_item.concat();
    assert_eq!(logits.len(), want.len());
    for (got, want) in logits.iter().zip(&want) {
        assert_close("token logits", got, want, 1e-4);
    }
    let labels: Vec<Option<Vec<usize>>> = reference
        .inputs
        .iter()
        .flat_map(|i| &i.labels)
        .map(|&l| usize::try_from(l).ok().map(|l| vec![l]))
        .collect();
    let targets: Vec<Option<&[usize]>> = labels.iter().map(Option::as_deref).collect();
    let (loss, grads) = model
        .gradients(&batch, &params.weights(), &mut Dropout::new(1), &|logits| {
            grouped_cross_entropy(logits, &targets, &[3])
        })
        .unwrap();
    assert!(
        (loss - reference.loss).abs() < 1e-5,
        "loss {loss} vs {}",
        reference.loss
    );
    assert_gradients(&grads, &reference.grads);
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
        ..FineTuneConfig::default()
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
