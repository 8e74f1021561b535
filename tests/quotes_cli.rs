//! `stancer quotes` on corpora a new user might give it: folders with equal file names, files
//! of types it does not read, an empty folder.

use std::process::{Command, Output};

fn quotes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .arg("quotes")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn equal_file_names_in_different_folders_are_different_documents() {
    let dir = tempfile::tempdir().unwrap();
    for year in ["2008", "2009"] {
        std::fs::create_dir(dir.path().join(year)).unwrap();
        let text = format!("“It is {year},” Ms. Rice said.");
        std::fs::write(dir.path().join(year).join("a.txt"), text).unwrap();
    }
    let out = quotes(&[dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["quote_id"].to_string())
        .collect();
    assert_eq!(ids, ["\"2008/a:q0001\"", "\"2009/a:q0001\""]);
}

#[test]
fn unknown_types_and_empty_corpora_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("docs.json");
    std::fs::write(&json, r#"[{"id": "x", "text": "“Hi,” Ms. Rice said."}]"#).unwrap();
    let out = quotes(&[json.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("docs.json: unknown input type"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "a .json file is not read as an article"
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = quotes(&[empty.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no documents in"), "{stderr}");
}
