//! The Python package (`python/`) built with maturin into a virtualenv and tested under a local
//! Dask cluster (`python/tests/test_engines.py`): shards run as Dask tasks and merged, and the
//! corpus annotated as a partitioned dataframe, both equal a single run byte for byte.
//!
//! The virtualenv and the extension's build directory live in this target directory's
//! `tmp/`, so later runs reuse them; the extension gets a build directory of its own because
//! `cargo test` holds this one, and because its dependency graph (with PyO3) compiles some
//! crates with other features anyway. Without Python, pip or PyPI it prints `SKIPPED`, unless
//! `STANCER_REQUIRE_PYTHON=1` (set by `.ci/run`).

mod common;

use std::path::Path;
use std::process::Command;

/// Runs `program` with `args`, returning why it failed (its output) if it did.
fn step(program: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(common::root())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{} {} failed:\n{}{}",
        program.display(),
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

#[test]
fn the_python_package_under_a_dask_cluster_gives_the_single_run() {
    if common::minilm().is_none() {
        return;
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let venv = tmp.join("python-venv");
    let python = venv.join("bin/python");
    let setup = || -> Result<(), String> {
        if !python.exists() {
            step(
                Path::new("python3"),
                &["-m", "venv", venv.to_str().unwrap()],
                &[],
            )?;
        }
        step(
            &python,
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                "python/requirements-ci.txt",
            ],
            &[],
        )
    };
    if let Err(why) = setup() {
        if std::env::var("STANCER_REQUIRE_PYTHON").as_deref() == Ok("1") {
            panic!("Python with pip and PyPI is required (STANCER_REQUIRE_PYTHON=1): {why}");
        }
        common::skipped(format_args!("no Python environment for the package: {why}"));
        return;
    }
    // From here on a failure is the package's: no skipping.
    step(
        &venv.join("bin/maturin"),
        &["develop", "--locked", "--quiet", "-m", "python/Cargo.toml"],
        &[
            ("VIRTUAL_ENV", &venv),
            ("CARGO_TARGET_DIR", &tmp.join("python-build")),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    step(
        &python,
        &[
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ],
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
}
