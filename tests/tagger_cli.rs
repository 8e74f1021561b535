//! The learned span tagger end to end on the tiny BERT fixture and a small hand-written corpus in
//! PolNeAR's layout: `stancer train-tagger` lowers the loss and writes the same bytes for the same
//! seed, `eval quotes --extractor learned|both` and `stancer quotes --extractor learned` read what
//! it wrote, a missing or corrupt tagger is a clear error, the windows keep the tokenizer's offsets
//! on non-ASCII text, and the shipped tagger reproduces its committed PolNeAR dev report.

mod common;

use stancer::encoders::TextTokenizer;
use stancer::tagger::windows::windows;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    common::tiny_bert()
}

/// Sentences and their attributions: (text, content, cue, source).
const ARTICLES: [&[(&str, &str, &str, &str)]; 3] = [
    &[
        (
            "\"We will respond,\" the minister said.",
            "\"We will respond,\"",
            "said",
            "the minister",
        ),
        (
            "Officials said the radar would be built.",
            "the radar would be built",
            "said",
            "Officials",
        ),
    ],
    &[
        (
            "The president said the talks were useful.",
            "the talks were useful",
            "said",
            "The president",
        ),
        (
            "\"It is no threat,\" NATO said.",
            "\"It is no threat,\"",
            "said",
            "NATO",
        ),
    ],
    &[(
        "Moscow warned that the plan was a threat.",
        "the plan was a threat",
        "warned",
        "Moscow",
    )],
];

/// A corpus in PolNeAR's layout under `dir`: one paragraph per sentence.
fn corpus(dir: &Path) -> PathBuf {
    let root = dir.join("polnear");
    let split = root.join("train");
    std::fs::create_dir_all(split.join("text")).unwrap();
    std::fs::create_dir_all(split.join("attributions")).unwrap();
    let mut meta = String::from("filename\tpublisher\tpublication_date\n");
    for (i, sentences) in ARTICLES.iter().enumerate() {
        let id = format!("wire_2016-01-0{}_article", i + 1);
        let mut text = String::new();
        let mut ann = String::new();
        for (j, (sentence, content, cue, source)) in sentences.iter().enumerate() {
            let at = text.chars().count();
            let find = |part: &str| {
                let b = sentence.find(part).unwrap();
                let start = at + sentence[..b].chars().count();
                (start, start + part.chars().count())
            };
            for (k, (kind, part)) in [("Content", content), ("Cue", cue), ("Source", source)]
                .iter()
                .enumerate()
            {
                let (s, e) = find(part);
                ann.push_str(&format!("T{}\t{kind} {s} {e}\t{part}\n", j * 3 + k + 1));
            }
            ann.push_str(&format!(
                "E{}\tAttribution:T{} Content:T{} Cue:T{} Source:T{}\n",
                j + 1,
                j * 3 + 2,
                j * 3 + 1,
                j * 3 + 2,
                j * 3 + 3
            ));
            text.push_str(sentence);
            text.push_str("\n\n");
        }
        std::fs::write(split.join("text").join(format!("{id}.txt")), text).unwrap();
        std::fs::write(split.join("attributions").join(format!("{id}_a1.ann")), ann).unwrap();
        meta.push_str(&format!("{id}\twire\t2016-01-0{}\n", i + 1));
    }
    std::fs::write(root.join("metadata.tsv"), meta).unwrap();
    root
}

fn stancer(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn train(polnear: &Path, manifest: &Path, out: &Path, seed: &str) {
    ok(stancer(&[
        "train-tagger",
        "--polnear",
        polnear.to_str().unwrap(),
        "--hold-out",
        "0",
        "--epochs",
        "40",
        "--batch-size",
        "4",
        "--lr",
        "0.01",
        "--seed",
        seed,
        "--quiet",
        "--model",
        manifest.to_str().unwrap(),
        "--model-dir",
        fixture().to_str().unwrap(),
        "--device",
        "cpu",
        "--out",
        out.to_str().unwrap(),
    ]));
}

fn losses(out: &Path) -> Vec<f64> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tagger.json")).unwrap()).unwrap();
    manifest["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["train_loss"].as_f64().unwrap())
        .collect()
}

#[test]
fn a_trained_tagger_repeats_its_bytes_and_every_extractor_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let polnear = corpus(dir.path());
    let manifest = common::tiny_bert_manifest(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    train(&polnear, &manifest, &a, "7");
    train(&polnear, &manifest, &b, "7");
    let adapter = |d: &Path| std::fs::read(d.join("adapter_model.safetensors")).unwrap();
    assert!(
        adapter(&a) == adapter(&b),
        "two runs wrote different adapters"
    );
    // The manifests differ only in the command line (its --out).
    let without_command = |d: &Path| {
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("tagger.json")).unwrap()).unwrap();
        m.as_object_mut().unwrap().remove("command");
        m
    };
    assert_eq!(without_command(&a), without_command(&b));
    let history = losses(&a);
    assert_eq!(history.len(), 40);
    // The tiny model (32 wide, letters for words) cannot learn the tags, only their rates: the
    // loss falls from ln 3 + ln 5 ≈ 2.7 toward the label entropy, not to zero.
    let last: f64 = history[35..].iter().sum::<f64>() / 5.0;
    assert!(last < 0.75 * history[0], "losses {history:?}");
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("adapter_config.json")).unwrap())
            .unwrap();
    assert_eq!(config["task_type"], "TOKEN_CLS");

    let fixture = fixture();
    let model_flags = [
        "--model",
        manifest.to_str().unwrap(),
        "--model-dir",
        fixture.to_str().unwrap(),
        "--device",
        "cpu",
    ];
    let dataset = format!("polnear:{}", polnear.display());
    for extractor in ["learned", "both"] {
        let mut args = vec![
            "eval",
            "quotes",
            "--dataset",
            &dataset,
            "--split",
            "train",
            "--no-report",
            "--json",
            "--extractor",
            extractor,
            "--tagger",
            a.to_str().unwrap(),
        ];
        args.extend(model_flags);
        let report: serde_json::Value = serde_json::from_str(&ok(stancer(&args))).unwrap();
        assert_eq!(report["documents"], 3, "{extractor}");
        assert!(report["overall"].is_object(), "{report}");
    }

    let article = polnear.join("train/text/wire_2016-01-01_article.txt");
    // `stancer quotes` on the article with an extractor and a tagger folder.
    let quotes = |extractor: &str, tagger: &Path| {
        let mut args = vec![
            "quotes",
            article.to_str().unwrap(),
            "--extractor",
            extractor,
        ];
        args.extend(["--tagger", tagger.to_str().unwrap()]);
        args.extend(model_flags);
        stancer(&args)
    };
    for line in ok(quotes("learned", &a)).lines() {
        let q: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(q["quote_id"]
            .as_str()
            .unwrap()
            .starts_with("wire_2016-01-01_article:q"));
    }

    let missing = quotes("learned", Path::new("/nonexistent/tagger"));
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("/nonexistent/tagger/tagger.json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // An adapter changed after training is refused, naming the file and the manifest.
    let corrupt = dir.path().join("corrupt");
    std::fs::create_dir(&corrupt).unwrap();
    for file in [
        "adapter_config.json",
        "adapter_model.safetensors",
        "tagger.json",
    ] {
        std::fs::copy(a.join(file), corrupt.join(file)).unwrap();
    }
    let weights = corrupt.join("adapter_model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&weights, bytes).unwrap();
    let refused = quotes("both", &corrupt);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("adapter_model.safetensors") && err.contains("does not match tagger.json"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn windows_keep_paragraphs_cut_long_ones_and_map_tokens_to_the_text() {
    let tokenizer = TextTokenizer::load(&fixture(), 24).unwrap();
    let long = "Der Minister sagte, dass die Gespräche nützlich waren. ".repeat(6);
    let text = format!(
        "Ça va, dit-il.\n\n{}\n“Non,” répondit Lavrov.\n",
        long.trim()
    );
    let found = windows(&text, &tokenizer).unwrap();
    assert!(
        found.len() > 3,
        "the long paragraph is cut: {}",
        found.len()
    );
    let mut end = 0;
    for w in &found {
        assert!(w.start >= end && w.end <= text.len(), "{w:?}");
        assert!(w.tokens.ids.len() <= 24);
        assert!(!text[w.start..w.end].contains('\n'));
        for &(a, z) in w.tokens.offsets.iter().flatten() {
            assert!(w.start <= a && z <= w.end, "{a}..{z} outside {w:?}");
            assert!(text.is_char_boundary(a) && text.is_char_boundary(z));
        }
        end = w.end;
    }
    // Every non-space character lies in some window.
    let covered = |i: usize| found.iter().any(|w| w.start <= i && i < w.end);
    for (i, c) in text.char_indices() {
        assert!(
            c.is_whitespace() || covered(i),
            "{c:?} at {i} is in no window"
        );
    }
}

/// Numbers of `fresh` within `tolerance` (relative) of `committed`, everything else equal: on
/// the platform that wrote the report the two are identical; elsewhere a rounding difference
/// may flip a tag and move a count by a little.
fn assert_close_json(fresh: &serde_json::Value, committed: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (fresh, committed) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 0.01 * b.abs().max(1.0),
                "{at}: {a} vs committed {b}"
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (key, value) in a {
                assert_close_json(value, &b[key], &format!("{at}.{key}"));
            }
        }
        _ => assert_eq!(fresh, committed, "{at}"),
    }
}

/// The committed PolNeAR dev report of the shipped tagger (`models/polnear-tagger`) is what the
/// code and the model give now (a change to either cannot land without regenerating it), and
/// `stancer run --extractor learned` names the tagger in its manifest.
#[test]
fn the_shipped_tagger_reproduces_its_dev_report_and_runs_record_it() {
    if common::shared_dataset("polnear").is_none() || common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(["eval", "quotes", "--dataset", "polnear", "--split", "dev"])
        .args([
            "--extractor",
            "learned",
            "--device",
            "cpu",
            "--reports",
            reports,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    ok(out);
    let name = "polnear-dev/stancer-quotes-learned/report.json";
    let read = |p: PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let fresh = read(dir.path().join(name));
    let committed = read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("eval/reports")
            .join(name),
    );
    assert_close_json(&fresh, &committed, "report");

    // `stancer run` with the tagger records it in the manifest.
    let run = dir.path().join("run");
    ok(Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args([
            "run",
            "--extractor",
            "learned",
            "--device",
            "cpu",
            "--quiet",
            "--out",
        ])
        .arg(&run)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap());
    let manifest = read(run.join("manifest.json"));
    let tagger =
        read(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/polnear-tagger/tagger.json"));
    assert_eq!(
        manifest["extractor"].as_str(),
        Some(format!("learned:{}", tagger["adapter_sha256"].as_str().unwrap()).as_str())
    );
    assert!(
        std::fs::read_to_string(run.join("quotes.jsonl"))
            .unwrap()
            .lines()
            .count()
            > 0
    );
}
