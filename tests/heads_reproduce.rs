//! Every head shipped in `models/` is reproduced byte for byte by the command its head.json
//! records (heads whose training data is absent here are skipped, saying so).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn shipped_heads_are_reproduced_by_their_recorded_command() {
    if common::minilm().is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("models")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("head.json")) else {
            continue;
        };
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        let data_missing = manifest["data"].as_array().unwrap().iter().any(|d| {
            let spec = d["path"].as_str().unwrap();
            let path = spec.split_once(':').map_or(spec, |(_, p)| p);
            !root.join(path).exists()
        });
        if data_missing {
            common::skipped(format_args!(
                "{}: its training data is not here (set STANCER_DATA)",
                dir.display()
            ));
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = manifest["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let at = args
            .iter()
            .position(|a| a == "--out")
            .expect("--out in the recorded command");
        args[at + 1] = out.path().display().to_string();
        let run = Command::new(env!("CARGO_BIN_EXE_stancer"))
            .args(&args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}: {}",
            dir.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        for (target, head) in manifest["heads"].as_object().unwrap() {
            let file = head["file"].as_str().unwrap();
            let shipped = std::fs::read(dir.join(file)).unwrap();
            let rebuilt = std::fs::read(out.path().join(file)).unwrap();
            assert!(
                shipped == rebuilt,
                "{}: head {target} ({file}) differs when retrained",
                dir.display()
            );
        }
        let rebuilt: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("head.json")).unwrap()).unwrap();
        assert_eq!(
            rebuilt["cv"],
            manifest["cv"],
            "{}: CV scores differ",
            dir.display()
        );
        checked += 1;
    }
    assert!(checked >= 1, "no shipped head could be checked");
}
