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
        // Bytes repeat on the platform that fitted the heads; elsewhere gemm's cache blocking
        // sums in another order, so the weights agree to rounding and the CV scores exactly.
        let here = stancer::device::cpu_float_platform();
        let same_platform = manifest["platform"].as_str() == Some(here.as_str());
        if !same_platform {
            common::skipped(format_args!(
                "{}: byte comparison (fitted on platform {}, this is {here}); weights compared to 1e-5",
                dir.display(),
                manifest["platform"]
            ));
        }
        for (target, head) in manifest["heads"].as_object().unwrap() {
            let file = head["file"].as_str().unwrap();
            let shipped = std::fs::read(dir.join(file)).unwrap();
            let rebuilt = std::fs::read(out.path().join(file)).unwrap();
            if same_platform {
                assert!(
                    shipped == rebuilt,
                    "{}: head {target} ({file}) differs when retrained",
                    dir.display()
                );
            } else {
                let values = |bytes: &[u8]| -> Vec<f32> {
                    let tensors =
                        candle_core::safetensors::load_buffer(bytes, &candle_core::Device::Cpu)
                            .unwrap();
                    let mut names: Vec<&String> = tensors.keys().collect();
                    names.sort();
                    names
                        .into_iter()
                        .flat_map(|n| tensors[n].flatten_all().unwrap().to_vec1::<f32>().unwrap())
                        .collect()
                };
                let (a, b) = (values(&shipped), values(&rebuilt));
                assert_eq!(a.len(), b.len());
                let worst = common::max_abs_diff(&a, &b);
                assert!(
                    worst < 1e-5,
                    "{}: head {target} ({file}) differs by {worst}",
                    dir.display()
                );
            }
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
