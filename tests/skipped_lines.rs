//! `SKIPPED:` lines reach the default `cargo test` output: the test harness captures what a
//! passing test prints with `println!`/`eprintln!`, which hid every skip.

mod common;

use std::process::Command;

#[test]
fn skipped_lines_show_in_the_default_test_output() {
    const CHILD: &str = "STANCER_SKIPPED_LINES_CHILD";
    if std::env::var_os(CHILD).is_some() {
        // Run by the test below, under the harness's capture: a test without its shared data.
        assert!(common::shared_dataset("no-such-dataset").is_none());
        return;
    }
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "skipped_lines_show_in_the_default_test_output",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(child.status.success());
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(
        stderr.contains("SKIPPED: no ") && stderr.contains("no-such-dataset (set STANCER_DATA)"),
        "stderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&child.stdout)
    );
}
