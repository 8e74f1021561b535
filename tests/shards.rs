//! `stancer run --shard K/N` and `stancer merge`: the merged outputs of the shards are the
//! outputs of one run, byte for byte, also when a shard was killed and resumed.

mod common;

use common::{root, stancer};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn ok(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The seed article's quoted paragraphs three times over under distinct ids: 30 documents in
/// one JSONL file and a folder of `.txt` files, mixed inputs as a real corpus has.
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let article = std::fs::read_to_string(
        root().join("datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt"),
    )
    .unwrap();
    let paragraphs: Vec<&str> = article.split("\n\n").filter(|p| p.contains('“')).collect();
    let folder = dir.join("articles");
    std::fs::create_dir(&folder).unwrap();
    let mut lines = Vec::new();
    for copy in 0..3 {
        for (i, p) in paragraphs.iter().enumerate() {
            if copy == 1 {
                std::fs::write(folder.join(format!("c{copy}-p{i:02}.txt")), p).unwrap();
            } else {
                lines.push(
                    serde_json::json!({"id": format!("c{copy}-p{i:02}"), "text": p}).to_string(),
                );
            }
        }
    }
    let jsonl = dir.join("corpus.jsonl");
    std::fs::write(&jsonl, lines.join("\n")).unwrap();
    vec![jsonl, folder]
}

const OUTPUTS: &[&str] = &[
    "quotes.jsonl",
    "actors.jsonl",
    "actors.csv",
    "summary.md",
    "quotes.parquet",
    "actors.parquet",
];

fn run_args<'a>(inputs: &'a [String], out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--quiet", "--chunk-documents", "2", "--out", out];
    args.extend(extra);
    args.extend(inputs.iter().map(String::as_str));
    args
}

#[test]
fn merged_shards_equal_a_single_run_even_after_a_killed_shard_resumes() {
    if common::minilm().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<String> = corpus(dir.path())
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let parquet = ["--format", "parquet"];
    ok(stancer(&run_args(&inputs, &path("single"), &parquet)));
    let shard_out: Vec<String> = (1..=4).map(|k| path(&format!("shard{k}"))).collect();
    for k in [1, 2, 4] {
        let spec = format!("{k}/4");
        ok(stancer(&run_args(
            &inputs,
            &shard_out[k - 1],
            &["--shard", &spec],
        )));
    }

    // A merge needs every shard once.
    let partial = stancer(&[
        "merge",
        &shard_out[0],
        &shard_out[1],
        &shard_out[3],
        "--out",
        &path("partial"),
    ]);
    assert!(!partial.status.success());
    let err = String::from_utf8_lossy(&partial.stderr);
    assert!(err.contains("missing: 3/4"), "{err}");

    // Shard 3 is killed (SIGKILL) once it has checkpointed a chunk, then resumed.
    let checkpoint = Path::new(&shard_out[2]).join(".stancer-checkpoint.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(run_args(&inputs, &shard_out[2], &["--shard", "3/4"]))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let chunk_lines = |p: &Path| {
        std::fs::read(p)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0)
    };
    while chunk_lines(&checkpoint) < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "shard 3 ended before it was killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !Path::new(&shard_out[2]).join("quotes.jsonl").exists(),
        "killed before its outputs"
    );
    ok(stancer(&run_args(
        &inputs,
        &shard_out[2],
        &["--shard", "3/4", "--resume"],
    )));

    // In any order.
    ok(stancer(&[
        "merge",
        &shard_out[2],
        &shard_out[0],
        &shard_out[3],
        &shard_out[1],
        "--out",
        &path("merged"),
        "--format",
        "parquet",
    ]));
    for file in OUTPUTS {
        let single = std::fs::read(dir.path().join("single").join(file)).unwrap();
        let merged = std::fs::read(dir.path().join("merged").join(file)).unwrap();
        assert!(!single.is_empty());
        assert!(
            single == merged,
            "merged {file} differs from the single run's"
        );
    }
    // Each shard did only its share.
    let shard_quotes: usize = shard_out
        .iter()
        .map(|d| {
            std::fs::read_to_string(Path::new(d).join("quotes.jsonl"))
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    let single_quotes = std::fs::read_to_string(dir.path().join("single/quotes.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(shard_quotes, single_quotes);

    // Shards of another run (other flags) are refused.
    let other = path("other");
    ok(stancer(&run_args(
        &inputs,
        &other,
        &["--shard", "3/4", "--no-sentiment"],
    )));
    let mixed = stancer(&[
        "merge",
        &shard_out[0],
        &shard_out[1],
        &other,
        &shard_out[3],
        "--out",
        &path("mixed"),
    ]);
    assert!(!mixed.status.success());
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(err.contains("shards of different runs"), "{err}");
    assert!(!dir.path().join("mixed").exists());
}
