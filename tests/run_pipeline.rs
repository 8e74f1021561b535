//! `stancer run` end to end: byte-identical reruns, --skip-bad, and resuming an interrupted run.

mod common;

use common::{root, stancer};

use stancer::classify::trained_model::TrainedModel;
use stancer::device::Precision;
use stancer::pipeline::{self, RunConfig};
use stancer::task::Task;
use std::path::{Path, PathBuf};
use std::process::Command;

const OUTPUTS: &[&str] = &["quotes.jsonl", "actors.jsonl", "actors.csv", "summary.md"];

#[test]
fn reruns_are_byte_identical_and_bad_documents_are_skipped_or_reported() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let run = stancer(&["run", "--quiet", "--out", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    for file in OUTPUTS {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(!x.is_empty(), "{file} is empty");
        assert_eq!(x, y, "{file} differs between two identical runs");
    }
    assert!(!a.join(".stancer-checkpoint.jsonl").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["documents"], 1);
    // The device and float type actually used (`auto` resolves to the CPU and f32 here).
    assert_eq!(
        (manifest["device"].as_str(), manifest["dtype"].as_str()),
        (Some("cpu"), Some("f32"))
    );
    // Every stage is timed, so the share of time outside the model can be read off a run.
    for stage in ["load", "extract", "classify", "aggregate", "write"] {
        let seconds = manifest["timings"][stage].as_f64();
        assert!(
            seconds.is_some_and(|s| s >= 0.0),
            "timings.{stage}: {seconds:?}"
        );
    }
    assert!(manifest["timings"]["classify"].as_f64().unwrap() > 0.0);

    let corpus = dir.path().join("corpus.jsonl");
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let good = serde_json::json!({"id": "nysun-2008-03-missile-shield-divide", "text": article})
        .to_string();
    std::fs::write(
        &corpus,
        format!("{good}\n{{\"id\": \"broken\", \"text\": \n"),
    )
    .unwrap();
    let out = dir.path().join("c");
    let corpus_arg = corpus.to_str().unwrap();
    let failed = stancer(&["run", "--quiet", corpus_arg, "--out", out.to_str().unwrap()]);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("corpus.jsonl:2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !out.join("quotes.jsonl").exists(),
        "no outputs after a failed run"
    );

    // The task's registry holds for its own corpus only; this copy of its article needs it named.
    let skipped = stancer(&[
        "run",
        "--quiet",
        "--skip-bad",
        "--actors",
        "datasets/missile-shield/actors.toml",
        corpus_arg,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        skipped.status.success(),
        "{}",
        String::from_utf8_lossy(&skipped.stderr)
    );
    assert!(String::from_utf8_lossy(&skipped.stderr).contains("corpus.jsonl:2"));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("Skipped 1 bad input"), "{summary}");
    assert_eq!(
        std::fs::read(out.join("quotes.jsonl")).unwrap(),
        std::fs::read(a.join("quotes.jsonl")).unwrap(),
        "the good document gives the same quotes"
    );
}

/// A run's classified quotes, read back from its checkpoint.
fn quotes(result: &pipeline::RunResult) -> Vec<stancer::quotes::Quote> {
    let mut all = Vec::new();
    result
        .for_each_quote(|q| {
            all.push(q);
            Ok(())
        })
        .unwrap();
    all
}

fn config(model: stancer::encoders::TextModel, inputs: Vec<PathBuf>) -> RunConfig {
    let task = Task::load(&root().join("datasets/missile-shield/task.toml")).unwrap();
    let no_base = |id: &str| -> anyhow::Result<(PathBuf, String)> {
        anyhow::bail!("a head has no base encoder, asked for {id}")
    };
    let head = TrainedModel::load(
        &root().join("models/missile-shield-exemplars"),
        "all-minilm-l6-v2",
        &no_base,
        (&candle_core::Device::Cpu, Precision::F32),
        Some(task.clone()),
        "stance",
    )
    .unwrap();
    RunConfig {
        inputs,
        task,
        embedder: model,
        stance: Box::new(head),
        sentiment: None,
        registry: None,
        extractor: Box::new(stancer::quotes::Rules),
        skip_bad: false,
        batch_size: 8,
        chunk_documents: 1,
        window_bytes: stancer::quotes::window::WINDOW_BYTES,
        shard: None,
    }
}

#[test]
fn an_interrupted_run_resumes_without_losing_or_duplicating_quotes() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let paragraphs: Vec<&str> = article.split("\n\n").filter(|p| p.contains('“')).collect();
    let corpus = dir.path().join("corpus.jsonl");
    let lines: Vec<String> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| serde_json::json!({"id": format!("p{i}"), "text": p}).to_string())
        .collect();
    assert!(lines.len() >= 4);
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let config = config(model, vec![corpus]);

    let f = plan(&config, None);
    let clean = pipeline::run(&config, &dir.path().join("clean.ckpt"), &f, false, &|_| {}).unwrap();

    let checkpoint = dir.path().join("resume.ckpt");
    let seen = std::cell::Cell::new(0);
    let interrupted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipeline::run(&config, &checkpoint, &f, false, &|event| {
            if let pipeline::Progress::Finished { .. } = event {
                seen.set(seen.get() + 1);
                if seen.get() == 3 {
                    panic!("simulated crash");
                }
            }
        })
    }));
    assert!(interrupted.is_err());
    // A torn write at the moment of the crash.
    let mut bytes = std::fs::read(&checkpoint).unwrap();
    bytes.extend_from_slice(b"{\"doc_id\": \"p9\", \"quo");
    std::fs::write(&checkpoint, bytes).unwrap();

    let other = plan(&config, Some(64));
    let err = pipeline::run(&config, &checkpoint, &other, true, &|_| {})
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("other inputs, task, models or flags"),
        "{err}"
    );

    let resumed = pipeline::run(&config, &checkpoint, &f, true, &|_| {}).unwrap();
    let ids = |r: &pipeline::RunResult| {
        quotes(r)
            .iter()
            .map(|q| q.quote_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&resumed), ids(&clean));
    assert_eq!(quotes(&resumed), quotes(&clean));
    assert_eq!(resumed.totals.corpus_actors, clean.totals.corpus_actors);
    assert_eq!(resumed.totals.documents, clean.totals.documents);
}

#[test]
fn the_nli_path_runs_end_to_end_on_the_tiny_deberta_fixture() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join("tests/fixtures/tiny-deberta-v2-cls");
    let run = stancer(&[
        "run",
        "--quiet",
        "--method",
        "nli",
        "--nli-model-dir",
        fixture.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let quotes = std::fs::read_to_string(dir.path().join("quotes.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(quotes.lines().next().unwrap()).unwrap();
    let scores = first["stance"]["scores"].as_object().unwrap();
    assert_eq!(scores.len(), 4, "one score per task label");
    let total: f64 = scores.values().map(|v| v.as_f64().unwrap()).sum();
    assert!(
        (total - 1.0).abs() < 1e-5,
        "single-label scores sum to 1, got {total}"
    );
    assert_eq!(first["stance"]["model"], fixture.display().to_string());
}

/// The seed article's quoted paragraphs, one document each, as `.txt` files in `dir/corpus`
/// (returned).
fn paragraph_corpus(dir: &Path) -> PathBuf {
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let paragraphs: Vec<&str> = article.split("\n\n").filter(|p| p.contains('“')).collect();
    assert!(paragraphs.len() >= 6);
    for (i, p) in paragraphs.iter().enumerate() {
        std::fs::write(corpus.join(format!("p{i:02}.txt")), p).unwrap();
    }
    corpus
}

/// A plan for `config`'s classifier; another `max_length` makes another run.
fn plan(config: &RunConfig, max_length: Option<usize>) -> pipeline::RunPlan {
    pipeline::RunPlan {
        extractor: None,
        task_sha256: "t".into(),
        models: vec![config.stance.provenance().clone()],
        registry_sha256: None,
        max_length,
        device: "cpu".into(),
        dtype: "f32".into(),
    }
}

/// Runs until the `n`th chunk is checkpointed, then "crashes"; returns the checkpoint's size
/// after each chunk.
fn crash_after(config: &RunConfig, checkpoint: &Path, n: usize) -> Vec<u64> {
    let sizes = std::cell::RefCell::new(Vec::new());
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipeline::run(config, checkpoint, &plan(config, None), false, &|event| {
            if let pipeline::Progress::Finished { .. } = event {
                let mut sizes = sizes.borrow_mut();
                sizes.push(std::fs::metadata(checkpoint).unwrap().len());
                if sizes.len() == n {
                    panic!("simulated crash");
                }
            }
        })
    }));
    assert!(crashed.is_err());
    sizes.into_inner()
}

#[test]
fn a_torn_chunk_is_done_again_whole_so_the_resumed_run_is_byte_identical() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = paragraph_corpus(dir.path());
    let mut config = config(model, vec![corpus]);
    // Two documents per checkpoint line, so a torn line loses a chunk of two that the resumed
    // run must redo whole.
    config.chunk_documents = 2;
    let f = plan(&config, None);
    let clean = pipeline::run(&config, &dir.path().join("clean.ckpt"), &f, false, &|_| {}).unwrap();
    let checkpoint = dir.path().join("resume.ckpt");
    let sizes = crash_after(&config, &checkpoint, 3);
    // The crash tore the write of the third chunk: its last bytes never reached the disk.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&checkpoint)
        .unwrap();
    file.set_len(sizes[2] - 10).unwrap();
    let resumed = pipeline::run(&config, &checkpoint, &f, true, &|_| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&quotes(&resumed)).unwrap(),
        serde_json::to_string(&quotes(&clean)).unwrap()
    );
    assert_eq!(resumed.totals.corpus_actors, clean.totals.corpus_actors);
}

#[test]
fn an_edited_input_or_another_batch_size_is_not_resumed() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = paragraph_corpus(dir.path());
    let mut config = config(model, vec![corpus.clone()]);
    let f = plan(&config, None);
    let clean = pipeline::run(&config, &dir.path().join("clean.ckpt"), &f, false, &|_| {}).unwrap();
    let checkpoint = dir.path().join("resume.ckpt");
    crash_after(&config, &checkpoint, 1);
    let refused = |config: &RunConfig| {
        let err = pipeline::run(config, &checkpoint, &f, true, &|_| {})
            .err()
            .expect("resume refused");
        assert!(err.to_string().contains("other inputs"), "{err}");
    };
    // An edited document (same path, other words), even one already finished.
    let first = corpus.join("p00.txt");
    let original = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, format!("{original} “Edited,” Ms. Rice said.")).unwrap();
    refused(&config);
    std::fs::write(&first, &original).unwrap();
    // Another batch size changes probabilities, so it is another run too.
    config.batch_size = 4;
    refused(&config);
    config.batch_size = 8;
    let resumed = pipeline::run(&config, &checkpoint, &f, true, &|_| {}).unwrap();
    assert_eq!(quotes(&resumed), quotes(&clean));
}

#[test]
fn a_huge_document_is_read_window_by_window_and_resumes_between_windows() {
    let Some(model) = common::minilm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let article = article.trim();
    let copies = 3;
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, vec![article; copies].join("\n\n")).unwrap();
    let mut config = config(model, vec![huge.clone()]);
    // Each window holds one copy of the article.
    config.window_bytes = article.len() + 2;
    let f = plan(&config, None);
    let classified = std::cell::Cell::new(0);
    let clean = pipeline::run(&config, &dir.path().join("clean.ckpt"), &f, false, &|e| {
        if let pipeline::Progress::Classifying { .. } = e {
            classified.set(classified.get() + 1);
        }
    })
    .unwrap();
    assert_eq!(classified.get(), copies, "one classification per window");
    let text = std::fs::read_to_string(&huge).unwrap();
    let all = quotes(&clean);
    let per_copy = all.len() / copies;
    assert!(per_copy > 10 && all.len() == per_copy * copies);
    assert_eq!(clean.totals.quotes, all.len());
    let chars = article.chars().count() + 2;
    for (i, q) in all.iter().enumerate() {
        assert_eq!(
            &text[q.byte_start..q.byte_end],
            q.text,
            "offsets into the whole text"
        );
        assert_eq!(q.quote_id, format!("huge:q{:04}", i + 1));
        let same = &all[i % per_copy];
        assert_eq!(
            (q.start, &q.text),
            (same.start + (i / per_copy) * chars, &same.text)
        );
        assert_eq!(q.stance, same.stance);
    }
    // The batch path (the Python package's) gives the run's records.
    let doc = stancer::corpus::parse_txt("huge".into(), text.clone());
    assert_eq!(
        serde_json::to_string(&pipeline::annotate(&config, &doc).unwrap()).unwrap(),
        serde_json::to_string(&all).unwrap()
    );
    let checkpoint = dir.path().join("resume.ckpt");
    crash_after(&config, &checkpoint, 2);
    let resumed = pipeline::run(&config, &checkpoint, &f, true, &|_| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&quotes(&resumed)).unwrap(),
        serde_json::to_string(&all).unwrap()
    );
}

/// `stancer` run in `dir` with extra environment variables.
fn stancer_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_second_run_into_a_locked_out_folder_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let held = stancer::output::OutputDir::lock(&out).unwrap();
    let run = stancer(&["run", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(!run.status.success());
    let err = stderr(&run);
    assert!(err.contains("in use by another stancer run"), "{err}");
    assert!(
        err.contains(&format!("process {}", std::process::id())),
        "{err}"
    );
    assert!(!out.join("quotes.jsonl").exists());
    drop(held);
}

#[test]
fn a_failed_run_leaves_no_folder_or_checkpoint_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new-out");
    let run = stancer(&[
        "run",
        "--quiet",
        "/no/such/input",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("/no/such/input"), "{}", stderr(&run));
    assert!(
        !out.exists(),
        "the failed run removed the folder it created"
    );
    // A folder that was there before stays, with what it held.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let run = stancer(&[
        "run",
        "--quiet",
        "/no/such/input",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != stancer::output::LOCK_FILE)
        .collect();
    assert_eq!(left, ["notes.txt"]);
}

#[test]
fn an_empty_corpus_is_an_error_with_no_outputs() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("out");
    let run = stancer(&[
        "run",
        "--quiet",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("no documents in"), "{}", stderr(&run));
    assert!(!out.exists(), "no outputs, no checkpoint, no folder");
}

#[test]
fn outputs_are_replaced_as_a_set_or_not_at_all() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = stancer(&["run", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let quotes = std::fs::read(out.join("quotes.jsonl")).unwrap();
    let actors = std::fs::read(out.join("actors.jsonl")).unwrap();
    // summary.md cannot be replaced (a folder stands in its way), so the second run, on other
    // input, must leave the first run's files as they were rather than a mix of both.
    std::fs::remove_file(out.join("summary.md")).unwrap();
    std::fs::create_dir_all(out.join("summary.md/in-the-way")).unwrap();
    let corpus = dir.path().join("other.jsonl");
    let line = serde_json::json!({"id": "other", "text": "“We can talk,” Ms. Rice said."});
    std::fs::write(&corpus, format!("{line}\n")).unwrap();
    let second = stancer(&[
        "run",
        "--quiet",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!second.status.success());
    assert!(
        stderr(&second).contains("left as they were"),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read(out.join("quotes.jsonl")).unwrap(), quotes);
    assert_eq!(std::fs::read(out.join("actors.jsonl")).unwrap(), actors);
    assert!(!out.join(".stancer-staging").exists());
}

#[test]
fn the_task_registry_holds_for_its_own_corpus_only() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("articles");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
        copy.join("nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let run = |name: &str, args: &[&str]| {
        let out = dir.path().join(name);
        let mut all = vec![
            "run",
            "--quiet",
            "--no-sentiment",
            "--out",
            out.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let run = stancer(&all);
        assert!(run.status.success(), "{}", stderr(&run));
        std::fs::read_to_string(out.join("quotes.jsonl")).unwrap()
    };
    let own = run("own", &[]);
    let mine = run("mine", &[copy.to_str().unwrap()]);
    let registry = "datasets/missile-shield/actors.toml";
    let mine_with = run("mine-with", &["--actors", registry, copy.to_str().unwrap()]);
    let own_without = run("own-without", &["--no-actors"]);
    // The registry turns "Mr. Gates" into Robert Gates in the task's own corpus...
    assert!(own.contains("\"actor_id\":\"robert-gates\""));
    // ...but not in another corpus, even holding the same article, unless it is asked for.
    assert!(!mine.contains("robert-gates") && mine.contains("\"actor_id\":\"gates\""));
    assert_eq!(mine_with, own);
    assert_eq!(own_without, mine);
}

#[test]
fn progress_is_logged_as_lines_when_stderr_is_not_a_terminal() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = stancer_in(
        root(),
        &["run", "--out", out.to_str().unwrap()],
        &[("STANCER_PROGRESS_SECONDS", "0")],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("of the input done"))
        .collect();
    // The total (the seed article, 5139 bytes) is known from the start, the bar is empty until
    // the document is classified, and the last line says it is all done.
    assert!(lines.len() >= 2, "{err}");
    assert!(lines[0].contains("0 B/5.02 KiB (0%)"), "{err}");
    assert!(!err.contains("0 B/0 B"), "{err}");
    assert!(lines.iter().any(|l| l.starts_with("classifying")), "{err}");
    assert!(
        lines.last().unwrap().contains("5.02 KiB/5.02 KiB (100%)"),
        "{err}"
    );
}

#[test]
fn the_defaults_work_from_any_folder() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let cache = dir.path().join("cache");
    // The bundled defaults go to a fresh cache; the model stays where it is.
    let hub = stancer::models::cache::default_cache_dir();
    let env = [
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
        ("HF_HUB_CACHE", hub.to_str().unwrap()),
    ];
    let run = stancer_in(&elsewhere, &["run", "--quiet", "--out", "out"], &env);
    assert!(run.status.success(), "{}", stderr(&run));
    let here = dir.path().join("here");
    let repo_run = stancer(&["run", "--quiet", "--out", here.to_str().unwrap()]);
    assert!(repo_run.status.success(), "{}", stderr(&repo_run));
    for file in OUTPUTS {
        assert_eq!(
            std::fs::read(elsewhere.join("out").join(file)).unwrap(),
            std::fs::read(here.join(file)).unwrap(),
            "{file}: the bundled defaults are the repository's"
        );
    }
    let eval = stancer_in(
        &elsewhere,
        &["eval", "stance", "--predictions", "out"],
        &env,
    );
    assert!(eval.status.success(), "{}", stderr(&eval));
    // Reports go with the predictions, not into an eval/reports/ of the current folder.
    assert!(elsewhere
        .join("out/reports/missile-shield/missile-shield-exemplars/report.json")
        .is_file());
    assert!(!elsewhere.join("eval").exists());
}
