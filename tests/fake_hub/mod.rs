//! A tiny stand-in for the Hugging Face hub on 127.0.0.1, speaking just enough of its protocol
//! for `hf-hub`: `GET /{org}/{name}/resolve/{revision}/{file}` with `Range`, `etag` /
//! `x-linked-etag`, `x-repo-commit` and `content-range`. It counts requests and answers 404 for
//! files it does not hold. Shared by the hub protocol and CLI tests.

#![allow(dead_code)] // each test crate uses a different part of it

use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Response, Server};

pub const REPO: &str = "tiny-org/tiny-model";
pub const REVISION: &str = "0123456789abcdef0123456789abcdef01234567";

/// The fake model's files: small, but shaped like a real one (nested path, binary weights).
pub fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "config.json",
            br#"{"model_type": "bert", "hidden_size": 8}"#.to_vec(),
        ),
        (
            "tokenizer.json",
            br#"{"version": "1.0", "truncation": null, "padding": null}"#.to_vec(),
        ),
        (
            "1_Pooling/config.json",
            br#"{"pooling_mode_mean_tokens": true}"#.to_vec(),
        ),
        (
            "model.safetensors",
            (0..=255u8).cycle().take(70_000).collect(),
        ),
    ]
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn git_sha1_hex(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

/// Manifest TOML for the fake model; `tweak` may rewrite entries (path, sha256) and `extra`
/// is appended verbatim (e.g. a `[pip]` section).
pub fn manifest_toml(
    tweak: impl Fn(&str, String) -> Option<(String, String)>,
    extra: &str,
) -> String {
    let mut out = format!(
        "id = \"tiny\"\nrepo = \"{REPO}\"\nrevision = \"{REVISION}\"\narchitecture = \"bert\"\n\
         task = \"embedding\"\npooling = \"mean\"\nnormalize = true\nlicence = \"MIT\"\n"
    );
    for (path, bytes) in files() {
        if let Some((path, sha)) = tweak(path, sha256_hex(&bytes)) {
            out.push_str(&format!(
                "\n[[files]]\npath = \"{path}\"\nsha256 = \"{sha}\"\n"
            ));
        }
    }
    out.push_str(extra);
    out
}

/// The manifest unchanged.
pub fn plain_manifest() -> String {
    manifest_toml(|p, s| Some((p.to_string(), s)), "")
}

pub struct FakeHub {
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHub {
    pub fn start() -> FakeHub {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let files: HashMap<String, Vec<u8>> = files()
            .into_iter()
            .map(|(p, b)| (p.to_string(), b))
            .collect();
        let thread = {
            let server = Arc::clone(&server);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let response = answer(&files, request.url(), request.headers());
                    let _ = request.respond(response);
                }
            })
        };
        FakeHub {
            endpoint: format!("http://127.0.0.1:{port}"),
            requests,
            server,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn answer(
    files: &HashMap<String, Vec<u8>>,
    url: &str,
    headers: &[Header],
) -> Response<std::io::Cursor<Vec<u8>>> {
    let prefix = format!("/{REPO}/resolve/{REVISION}/");
    let Some(bytes) = url.strip_prefix(&prefix).and_then(|f| files.get(f)) else {
        return Response::from_string("Entry not found").with_status_code(404);
    };
    let etag = if url.ends_with(".safetensors") {
        header("x-linked-etag", &format!("\"{}\"", sha256_hex(bytes)))
    } else {
        header("etag", &format!("\"{}\"", git_sha1_hex(bytes)))
    };
    let size = bytes.len();
    let range = headers
        .iter()
        .find(|h| h.field.equiv("Range"))
        .and_then(|h| h.value.as_str().strip_prefix("bytes="))
        .map(|r| {
            let (start, end) = r.split_once('-').unwrap_or((r, ""));
            let start: usize = start.parse().unwrap_or(0).min(size);
            let end: usize = end.parse().map(|e: usize| e + 1).unwrap_or(size).min(size);
            (start, end.max(start))
        });
    let (status, body, content_range) = match range {
        Some((start, end)) => (
            206,
            bytes[start..end].to_vec(),
            Some(format!("bytes {start}-{}/{size}", end.saturating_sub(1))),
        ),
        None => (200, bytes.clone(), None),
    };
    let mut response = Response::from_data(body)
        .with_status_code(status)
        .with_header(etag)
        .with_header(header("x-repo-commit", REVISION));
    if let Some(cr) = content_range {
        response = response.with_header(header("content-range", &cr));
    }
    response
}

/// An endpoint on which nothing listens: a port bound and released again.
pub fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A wheel-shaped zip holding the fake model's files under `pkg/model/`, plus its sha256.
pub fn write_wheel(path: &Path) -> String {
    use std::io::Write;
    let file = std::fs::File::create(path).expect("create wheel");
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("pkg/__init__.py", opts).expect("zip entry");
    zip.write_all(b"").expect("zip write");
    for (name, bytes) in files() {
        zip.start_file(format!("pkg/model/{name}"), opts)
            .expect("zip entry");
        zip.write_all(&bytes).expect("zip write");
    }
    zip.finish().expect("finish zip");
    sha256_hex(&std::fs::read(path).expect("read wheel"))
}

/// The `[pip]` section for a wheel written by [`write_wheel`].
pub fn pip_section(wheel_name: &str, wheel_sha256: &str) -> String {
    format!(
        "\n[pip]\nrequirement = \"tiny-model==1.0\"\nwheel = \"{wheel_name}\"\n\
         wheel_sha256 = \"{wheel_sha256}\"\nsubdir = \"pkg/model\"\n"
    )
}
