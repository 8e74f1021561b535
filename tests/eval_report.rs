//! `stancer eval stance` reports and `eval compare` / `eval agreement`, run as a user would: the
//! binary on hand-written gold, task and prediction files in a temporary folder.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

const LABELS: [&str; 3] = ["support", "oppose", "none"];
/// Gold stance of the six toy quotes.
const GOLD: [&str; 6] = ["support", "support", "oppose", "oppose", "none", "none"];

fn stancer(args: &[&str], cwd: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the stancer binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn jsonl(rows: &[Value]) -> String {
    rows.iter().map(|r| format!("{r}\n")).collect()
}

/// A task with the toy labels and F_avg over support and oppose.
fn task_toml(labels: &[&str]) -> String {
    let mut s = String::from(
        "name = \"toy\"\ndescription = \"toy task\"\nnone_label = \"none\"\nf_avg_labels = [\"support\", \"oppose\"]\n\n[target]\nname = \"the plan\"\ndescription = \"the plan\"\n",
    );
    for l in labels {
        s.push_str(&format!(
            "\n[[labels]]\nname = \"{l}\"\ndescription = \"{l}\"\nhypothesis = \"{{speaker}} {l} {{target}}.\"\n"
        ));
    }
    s
}

/// Gold: one document with six quotes of ten characters, 20 apart.
fn gold_line(doc: &str, stances: &[&str]) -> Value {
    let quotes: Vec<Value> = stances
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"quote_id": format!("{doc}:q{:02}", i + 1), "start": 20 * i, "end": 20 * i + 10,
                   "text": format!("quote <{i}> | text"), "actor": if i.is_multiple_of(2) { "Ann" } else { "Bob" },
                   "stance": s, "sentiment": "neutral"})
        })
        .collect();
    json!({"doc_id": doc, "path": "a.txt", "quotes": quotes,
           "actors": [{"actor": "Ann", "stance": "support"}, {"actor": "Bob", "stance": "oppose"}]})
}

/// A predicted quote at gold position `i` with a stance over `LABELS` (probability `p` on `label`).
fn quote(doc: &str, i: usize, label: &str, p: f32) -> Value {
    let rest = (1.0 - p) / 2.0;
    let scores: serde_json::Map<String, Value> = LABELS
        .iter()
        .map(|l| (l.to_string(), json!(if *l == label { p } else { rest })))
        .collect();
    json!({"doc_id": doc, "quote_id": format!("{doc}:q{:04}", i + 1), "kind": "direct",
           "text": "0123456789", "start": 20 * i, "end": 20 * i + 10,
           "byte_start": 20 * i, "byte_end": 20 * i + 10,
           "cue": {"text": "said", "start": 20 * i + 12, "end": 20 * i + 16},
           "actor": if i.is_multiple_of(2) { "Ann" } else { "Bob" },
           "stance": {"label": label, "scores": Value::Object(scores), "model": "toy-head"},
           "sentiment": {"label": if i.is_multiple_of(2) { "neutral" } else { "negative" },
                         "scores": if i.is_multiple_of(2) { json!({"positive": 0.1, "negative": 0.2, "neutral": 0.7}) }
                                   else { json!({"positive": 0.1, "negative": 0.6, "neutral": 0.3}) },
                         "model": "toy-sentiment"}})
}

fn actors_jsonl() -> String {
    jsonl(&[
        json!({"actor_id": "ann", "actor": "Ann", "label": "support", "scores": {"support": 0.7, "oppose": 0.3},
               "confidence": 0.7, "n_quotes": 3, "n_on_target": 2, "evidence": []}),
        json!({"actor_id": "bob", "actor": "Bob", "label": "support", "scores": {"support": 0.6, "oppose": 0.4},
               "confidence": 0.6, "n_quotes": 3, "n_on_target": 2, "evidence": []}),
    ])
}

/// A temporary workspace: `task.toml`, `gold.jsonl` and a predictions folder `run/`.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(predicted: &[(&str, f32)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture { dir };
        write(&f.path("task.toml"), &task_toml(&LABELS));
        write(&f.path("gold.jsonl"), &jsonl(&[gold_line("d1", &GOLD)]));
        f.predictions("run", "d1", predicted);
        f
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn predictions(&self, folder: &str, doc: &str, predicted: &[(&str, f32)]) {
        let rows: Vec<Value> = predicted
            .iter()
            .enumerate()
            .map(|(i, (l, p))| quote(doc, i, l, *p))
            .collect();
        write(&self.path(&format!("{folder}/quotes.jsonl")), &jsonl(&rows));
        write(
            &self.path(&format!("{folder}/actors.jsonl")),
            &actors_jsonl(),
        );
    }

    fn eval(&self, run: &str, report: &str) -> Output {
        stancer(
            &[
                "eval",
                "stance",
                "--task",
                "task.toml",
                "--gold",
                "gold.jsonl",
                "--predictions",
                run,
                "--reports",
                report,
            ],
            self.dir.path(),
        )
    }
}

/// Five of six right; the last quote is missed (no prediction overlaps it).
const PREDICTED: [(&str, f32); 5] = [
    ("support", 0.95),
    ("oppose", 0.65),
    ("oppose", 0.85),
    ("oppose", 0.75),
    ("none", 0.55),
];

/// Checks that every element opened is closed in order (void elements and `/>` aside): enough
/// to catch a malformed chart or an unescaped `<` in quoted text.
fn assert_balanced(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("unterminated tag") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if ["meta", "br"].contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "stray </{name}>"
            );
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
}

#[test]
fn writes_three_reproducible_reports_with_charts() {
    let f = Fixture::new(&PREDICTED);
    let out = f.eval("run", "rep");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("accuracy"));

    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(f.path("rep/toy/toy-head/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["schema"], "stancer-eval-report/2");
    assert_eq!(report["task"]["field"], "stance");
    assert_eq!(report["n_gold_items"], 6);
    assert_eq!(report["n_items"], 5);
    assert_eq!(report["n_missed"], 1);
    // Scored: gold s s o o n, predicted s o o o n → 4/5 right.
    assert_eq!(report["scores"]["accuracy"], 0.8);
    // F1 support = 2/(2+1) = 2/3, oppose = 4/(2+3) = 0.8 → F_avg = 11/15.
    let f_avg = report["f_avg"].as_f64().unwrap();
    assert!((f_avg - 11.0 / 15.0).abs() < 1e-12, "{f_avg}");
    assert_eq!(report["bootstrap"]["config"]["seed"], 2016);
    assert_eq!(report["bootstrap"]["config"]["resamples"], 1000);
    assert_eq!(
        report["bootstrap"]["per_class_f1"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(report["bootstrap"]["f_avg"]["lower"].is_number());
    assert_eq!(report["items"].as_array().unwrap().len(), 6);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "one wrong, one missed");
    assert_eq!(errors[0]["id"], "d1:q02");
    assert_eq!(errors[0]["predicted"], "oppose");
    assert!(errors[1]["predicted"].is_null());
    assert_eq!(report["models"], json!(["toy-head"]));
    assert_eq!(report["actor_level"]["accuracy"], 0.5);
    // By gold actor: Ann holds q01, q03, q05 (all scored, all right), Bob q02, q04, q06 (q06
    // missed, q02 wrong).
    let groups = &report["groups"]["rows"];
    assert_eq!(report["groups"]["by"], "actor");
    assert_eq!(
        (
            groups[0]["group"].clone(),
            groups[0]["n_items"].clone(),
            groups[0]["correct"].clone()
        ),
        (json!("Ann"), json!(3), json!(3))
    );
    assert_eq!(
        (
            groups[1]["n_gold"].clone(),
            groups[1]["n_items"].clone(),
            groups[1]["correct"].clone()
        ),
        (json!(3), json!(2), json!(1))
    );

    // Sentiment gets its own report, beside the stance report, named by its classifier.
    let sentiment: Value = serde_json::from_str(
        &std::fs::read_to_string(f.path("rep/toy/toy-sentiment/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sentiment["task"]["field"], "sentiment");
    assert_eq!(sentiment["n_items"], 5);
    // Gold is neutral throughout; predictions alternate neutral / negative → 3 of 5 right.
    assert_eq!(sentiment["scores"]["accuracy"], 0.6);
    assert!(sentiment["actor_level"].is_null());

    let html = std::fs::read_to_string(f.path("rep/toy/toy-head/report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(
        html.matches(r#"<rect class="cell""#).count(),
        LABELS.len().pow(2)
    );
    assert_eq!(html.matches(r#"<rect class="bar""#).count(), LABELS.len());
    assert_eq!(
        html.matches(r#"<line class="whisker""#).count(),
        LABELS.len()
    );
    // Confidences .95, .65, .85, .75, .55: one reliability bar in each of five bins.
    assert_eq!(html.matches(r#"<rect class="bin""#).count(), 5);
    for external in ["<script", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "self-contained: found {external}");
    }
    assert!(
        html.contains("quote &lt;1&gt; | text"),
        "error text escaped"
    );
    assert_balanced(&html);
    let md = std::fs::read_to_string(f.path("rep/toy/toy-head/report.md")).unwrap();
    assert!(md.contains("quote <1> \\| text"), "pipe escaped in tables");

    let root = f.dir.path().to_string_lossy().into_owned();
    for name in ["report.json", "report.md", "report.html"] {
        let body = std::fs::read_to_string(f.path(&format!("rep/toy/toy-head/{name}"))).unwrap();
        assert!(!body.contains(&root), "{name} holds an absolute path");
    }
    let again = f.eval("run", "rep2");
    assert!(again.status.success(), "{}", stderr(&again));
    for name in ["report.json", "report.md", "report.html"] {
        assert_eq!(
            std::fs::read(f.path(&format!("rep/toy/toy-head/{name}"))).unwrap(),
            std::fs::read(f.path(&format!("rep2/toy/toy-head/{name}"))).unwrap(),
            "{name} differs between reruns"
        );
    }
}

/// Runs a failing command and returns its stderr after checking it failed cleanly.
fn fails(out: Output) -> String {
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

#[test]
fn gold_and_predictions_for_different_documents() {
    let f = Fixture::new(&PREDICTED);
    f.predictions("other", "d9", &PREDICTED);
    let err = fails(f.eval("other", "rep"));
    assert!(
        err.contains("other/quotes.jsonl covers documents [d9] but gold.jsonl is about [d1]"),
        "{err}"
    );
    assert!(!f.path("rep").exists(), "no report on failure");
}

#[test]
fn unknown_predicted_label() {
    let f = Fixture::new(&PREDICTED);
    let mut rows = vec![quote("d1", 0, "support", 0.9)];
    let mut bad = quote("d1", 1, "support", 0.9);
    bad["stance"]["label"] = json!("favour");
    rows.push(bad);
    write(&f.path("run/quotes.jsonl"), &jsonl(&rows));
    let err = fails(f.eval("run", "rep"));
    assert!(
        err.contains("run/quotes.jsonl:2: predicted stance \"favour\" is not a label of task toy [support, oppose, none]"),
        "{err}"
    );
}

#[test]
fn predictions_from_another_task() {
    let f = Fixture::new(&PREDICTED);
    let mut q = quote("d1", 0, "support", 0.9);
    q["stance"]["scores"]["conciliatory"] = json!(0.0);
    write(&f.path("run/quotes.jsonl"), &jsonl(&[q]));
    let err = fails(f.eval("run", "rep"));
    assert!(
        err.contains("run/quotes.jsonl:1: stance scores name \"conciliatory\""),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn empty_gold() {
    let f = Fixture::new(&PREDICTED);
    write(&f.path("gold.jsonl"), &jsonl(&[gold_line("d1", &[])]));
    let err = fails(f.eval("run", "rep"));
    assert!(err.contains("gold.jsonl: no gold quotes"), "{err}");
    write(&f.path("gold.jsonl"), "\n");
    let err = fails(f.eval("run", "rep"));
    assert!(err.contains("gold.jsonl: no gold documents"), "{err}");
}

#[test]
fn gold_of_another_task() {
    let f = Fixture::new(&PREDICTED);
    write(
        &f.path("gold.jsonl"),
        &jsonl(&[gold_line("d1", &["conciliatory", "support"])]),
    );
    let err = fails(f.eval("run", "rep"));
    assert!(
        err.contains("gold.jsonl: quote d1:q01 has stance \"conciliatory\", which is not a label of task toy"),
        "{err}"
    );
}

#[test]
fn no_overlapping_quotes() {
    let f = Fixture::new(&PREDICTED);
    let mut q = quote("d1", 0, "support", 0.9);
    q["start"] = json!(500);
    q["end"] = json!(510);
    write(&f.path("run/quotes.jsonl"), &jsonl(&[q]));
    let err = fails(f.eval("run", "rep"));
    assert!(
        err.contains("cannot score run/quotes.jsonl against gold.jsonl"),
        "{err}"
    );
    assert!(
        err.contains("no predicted quote overlaps a gold quote"),
        "{err}"
    );
}

#[test]
fn compare_two_reports_item_by_item() {
    let f = Fixture::new(&PREDICTED);
    let all_right: Vec<(&str, f32)> = GOLD.iter().map(|g| (*g, 0.9)).collect();
    f.predictions("better", "d1", &all_right);
    assert!(f.eval("run", "a").status.success());
    assert!(f.eval("better", "b").status.success());
    let out = stancer(
        &[
            "eval",
            "compare",
            "a/toy/toy-head/report.json",
            "b/toy/toy-head/report.json",
            "--json",
        ],
        f.dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Paired on the five items A scored; B also scores the sixth, which A missed.
    assert_eq!(c["n_paired"], 5);
    assert_eq!(
        (c["only_a"].clone(), c["only_b"].clone()),
        (json!(0), json!(1))
    );
    // A is wrong on d1:q02 only: McNemar b = 0, c = 1 → p = min(1, 2·½) = 1.
    assert_eq!(c["mcnemar"]["only_b_correct"], 1);
    assert_eq!(c["mcnemar"]["p_value"], 1.0);
    let acc = &c["metrics"][0];
    assert_eq!(acc["metric"], "accuracy");
    assert!((acc["delta"].as_f64().unwrap() - 0.2).abs() < 1e-12);
    assert_eq!(c["paired_bootstrap"][0]["seed"], 2016);
    let table = stancer(
        &[
            "eval",
            "compare",
            "a/toy/toy-head/report.json",
            "b/toy/toy-head/report.json",
        ],
        f.dir.path(),
    );
    assert!(String::from_utf8_lossy(&table.stdout).contains("McNemar exact"));

    // A report of another task cannot be paired.
    write(
        &f.path("task.toml"),
        &task_toml(&["support", "oppose", "none", "other"]),
    );
    assert!(f.eval("better", "c").status.success());
    let err = fails(stancer(
        &[
            "eval",
            "compare",
            "a/toy/toy-head/report.json",
            "c/toy/toy-head/report.json",
        ],
        f.dir.path(),
    ));
    assert!(
        err.contains("cannot compare a/toy/toy-head/report.json with c/toy/toy-head/report.json"),
        "{err}"
    );
    assert!(err.contains("different label sets"), "{err}");
    let err = fails(stancer(
        &[
            "eval",
            "compare",
            "a/toy/toy-head/report.json",
            "a/toy/toy-sentiment/report.json",
        ],
        f.dir.path(),
    ));
    assert!(
        err.contains("different fields (stance vs sentiment)"),
        "{err}"
    );
    let err = fails(stancer(
        &[
            "eval",
            "compare",
            "a/toy/toy-head/report.md",
            "b/toy/toy-head/report.json",
        ],
        f.dir.path(),
    ));
    assert!(
        err.contains("a/toy/toy-head/report.md: not a JSON report"),
        "{err}"
    );
}

#[test]
fn agreement_of_two_annotators() {
    let f = Fixture::new(&PREDICTED);
    // Second annotator: gold with q02 relabelled oppose and q06 relabelled support.
    let mut other = GOLD;
    other[1] = "oppose";
    other[5] = "support";
    write(&f.path("other.jsonl"), &jsonl(&[gold_line("d1", &other)]));
    let out = stancer(
        &[
            "eval",
            "agreement",
            "gold.jsonl",
            "other.jsonl",
            "--task",
            "task.toml",
            "--json",
        ],
        f.dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ag: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &ag["report"];
    assert_eq!(r["n_items"], 6);
    assert!((r["observed_agreement"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-12);
    // Rows s o n = 2 2 2, columns 2 3 1; Σ row·col = 4 + 6 + 2 = 12, n = 6, trace 4:
    // kappa = 1 − 6·2/(36 − 12) = 1/2.
    assert!((r["cohen_kappa"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!(r["krippendorff_alpha"].is_number());
    assert_eq!(r["confusion_matrix"]["labels"], json!(LABELS));

    // Plain {id, label} files, matched by id.
    write(
        &f.path("x.jsonl"),
        "{\"id\":\"d1:q01\",\"label\":\"support\"}\n{\"id\":\"d1:q02\",\"label\":\"none\"}\n",
    );
    let out = stancer(
        &["eval", "agreement", "x.jsonl", "gold.jsonl"],
        f.dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("items 2 (first only 0, second only 4)"),
        "{text}"
    );

    write(&f.path("y.jsonl"), "{\"id\":\"zz\",\"label\":\"none\"}\n");
    let err = fails(stancer(
        &["eval", "agreement", "x.jsonl", "y.jsonl"],
        f.dir.path(),
    ));
    assert!(err.contains("share no item id"), "{err}");
    write(
        &f.path("y.jsonl"),
        "{\"id\":\"d1:q01\",\"label\":\"favour\"}\n",
    );
    let err = fails(stancer(
        &[
            "eval",
            "agreement",
            "x.jsonl",
            "y.jsonl",
            "--task",
            "task.toml",
        ],
        f.dir.path(),
    ));
    assert!(err.contains("\"favour\""), "{err}");
}
