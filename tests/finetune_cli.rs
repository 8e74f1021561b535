//! `stancer train --fine-tune` end to end on the tiny BERT fixture: the training loss falls, the
//! same seed and data write the same adapter bytes, a run killed with SIGKILL mid-training and
//! resumed writes what an uninterrupted run writes, and the classifier it writes scores data.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixture() -> PathBuf {
    common::tiny_bert()
}

/// A task with three labels, a manifest for the tiny model and labelled pairs, in `dir`.
fn setup(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let task = dir.join("task.toml");
    std::fs::write(
        &task,
        r#"name = "tiny"
description = "d"
none_label = "none"
[target]
name = "the missile shield"
description = "A plan."
[[labels]]
name = "support"
description = "for"
hypothesis = "{speaker} supports {target}."
[[labels]]
name = "oppose"
description = "against"
hypothesis = "{speaker} opposes {target}."
[[labels]]
name = "none"
description = "silent"
hypothesis = "{speaker} says nothing about {target}."
"#,
    )
    .unwrap();
    let manifest_path = common::tiny_bert_manifest(dir);
    let texts = [
        ("We support the missile shield and the radar.", "support"),
        (
            "The government supports the deployment in Poland.",
            "support",
        ),
        (
            "Washington will deploy the interceptors as agreed.",
            "support",
        ),
        ("The alliance backs the base.", "support"),
        ("We oppose the missile shield.", "oppose"),
        ("Moscow is against the radar and the base.", "oppose"),
        ("The minister opposes the deployment.", "oppose"),
        (
            "Russia sees the shield as a threat to its security.",
            "oppose",
        ),
        ("The weather in Warsaw was mild.", "none"),
        ("Parliament debated the budget.", "none"),
        ("The vote on the treaty is next week.", "none"),
        ("Europe discussed trade.", "none"),
    ];
    let data = dir.join("train.jsonl");
    let lines: Vec<String> = texts
        .iter()
        .map(|(text, label)| serde_json::json!({"text": text, "label": label}).to_string())
        .collect();
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    (task, manifest_path, data)
}

/// The fine-tuning command (seed 7 unless `extra` names one).
fn command(dir: &Path, out: &Path, epochs: usize, extra: &[&str]) -> Command {
    let (task, manifest, data) = setup(dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stancer"));
    cmd.args([
        "train",
        "--fine-tune",
        "--folds",
        "1",
        "--dev-fraction",
        "0",
    ])
    .args(["--batch-size", "4", "--lr", "0.01"]);
    if !extra.contains(&"--seed") {
        cmd.args(["--seed", "7"]);
    }
    cmd.args(["--epochs", &epochs.to_string()])
        .arg("--task")
        .arg(&task)
        .arg("--data")
        .arg(format!("jsonl:{}", data.display()))
        .arg("--model")
        .arg(&manifest)
        .arg("--model-dir")
        .arg(fixture())
        .args(["--device", "cpu", "--out"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn train(dir: &Path, out: &Path, epochs: usize, extra: &[&str]) {
    let run = command(dir, out, epochs, extra).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn history(out: &Path) -> Vec<f64> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("classifier.json")).unwrap())
            .unwrap();
    manifest["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["train_loss"].as_f64().unwrap())
        .collect()
}

fn adapter(out: &Path) -> Vec<u8> {
    std::fs::read(out.join("adapter_model.safetensors")).unwrap()
}

#[test]
fn loss_falls_and_the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    train(dir.path(), &a, 60, &[]);
    train(dir.path(), &b, 60, &[]);
    let losses = history(&a);
    assert_eq!(losses.len(), 60);
    let last: f64 = losses[55..].iter().sum::<f64>() / 5.0;
    assert!(last < 0.5 * losses[0], "losses {losses:?}");
    assert!(
        adapter(&a) == adapter(&b),
        "two runs wrote different adapters"
    );
    assert_eq!(history(&a), history(&b));
    let c = dir.path().join("c");
    train(dir.path(), &c, 60, &["--seed", "8"]);
    assert!(adapter(&a) != adapter(&c), "the seed changed nothing");
}

#[test]
fn a_run_killed_mid_training_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let epochs = 200;
    let whole = dir.path().join("whole");
    train(dir.path(), &whole, epochs, &[]);

    let cut = dir.path().join("cut");
    let checkpoint = cut.join(".stancer-finetune-checkpoint.safetensors");
    let mut child = command(dir.path(), &cut, epochs, &[]).spawn().unwrap();
    let start = Instant::now();
    while !checkpoint.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint written"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first checkpoint"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Let it run past the checkpoint, so the kill loses steps that resuming must redo.
    std::thread::sleep(Duration::from_millis(20));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !cut.join("adapter_model.safetensors").exists(),
        "the run finished before it was killed; make it longer"
    );
    let changed = command(
        dir.path(),
        &cut,
        epochs,
        &["--resume", "--weight-decay", "0.02"],
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&changed.stderr);
    assert!(
        !changed.status.success() && err.contains("other data or settings"),
        "{err}"
    );
    let resumed = command(dir.path(), &cut, epochs, &["--resume"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{err}");
    let step: usize = err
        .split("resuming from step ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the run did not resume: {err}"));
    assert!(step > 0 && step < 3 * epochs, "resumed at step {step}");
    assert!(
        adapter(&cut) == adapter(&whole),
        "the resumed run wrote a different adapter"
    );
    assert_eq!(history(&cut), history(&whole));
    assert!(
        !checkpoint.exists(),
        "the checkpoint outlived the finished run"
    );
}

#[test]
fn fine_tuning_in_a_half_precision_is_refused_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = command(dir.path(), &out, 1, &["--dtype", "bf16"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("--dtype bf16: fine-tuning runs in f32"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());
}
