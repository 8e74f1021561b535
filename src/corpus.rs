//! Corpus input: documents from `.txt`/`.md` articles, JSONL files, directories of them, and
//! stdin.
//!
//! [`Corpus`] streams: it lists paths up front (sorted, for deterministic output) but reads one
//! file, or one JSONL line, at a time, so a corpus larger than memory is fine. Every bad input
//! (a file of unknown type, invalid UTF-8, empty text, duplicate id, malformed or truncated JSON
//! line, missing `id`/`text`) is an `Err` item naming the file and line; the iterator carries on
//! after it, so a caller can report and skip (`--skip-bad`) or stop at the first.
//!
//! A document read from a file found in a directory is named by its path relative to that
//! directory without the extension (`2008/a.txt` → `2008/a`), so equal file names in different
//! folders stay apart; a file given directly is named by its file stem.

use crate::error::UserError;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One article. Offsets everywhere downstream index `text` (after any header lines).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Document id: the JSONL `id`, or the file path below the input directory.
    pub id: String,
    /// Headline, from the record or a `Title:` header line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publication date (ISO), which registry roles are checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The article text, header lines removed.
    pub text: String,
    /// JSONL fields this struct does not name, kept for the caller.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The path that means standard input.
pub const STDIN: &str = "-";

/// What the inputs may be, for error hints.
const INPUT_KINDS: &str =
    "give .txt or .md articles, .jsonl files (one document per line), directories of them, or - for stdin";

/// The UTF-8 byte-order mark some editors write at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a file is read, from its extension (any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One article: `.txt`, `.text`, `.md`.
    Text,
    /// One document per line: `.jsonl`, `.ndjson`.
    Jsonl,
}

impl Format {
    fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" | "md" => Some(Format::Text),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// One listed input file and the id its text document gets.
#[derive(Debug, Clone)]
struct Input {
    path: PathBuf,
    id: String,
}

/// Where the next documents come from.
enum Source {
    /// One text article.
    Text(PathBuf, String),
    /// One article read from stdin.
    StdinText(Vec<u8>),
    /// A JSONL stream and the line number last read.
    Jsonl {
        name: String,
        reader: Box<dyn BufRead>,
        line: usize,
    },
}

/// A streaming iterator over the documents of several inputs.
pub struct Corpus {
    inputs: Vec<Input>,
    next: usize,
    current: Option<Source>,
    seen: HashSet<String>,
    total_bytes: Option<u64>,
    bytes_read: u64,
}

impl Corpus {
    /// Lists the inputs: files as given, directories walked recursively (hidden entries left
    /// out) in sorted path order, `-` for stdin. A missing input is an error here; a file of
    /// unknown type is an `Err` item when its turn comes.
    pub fn open(inputs: &[PathBuf]) -> Result<Self> {
        let mut files = Vec::new();
        for input in inputs {
            if input.as_os_str() == STDIN {
                files.push(Input {
                    path: input.clone(),
                    id: "stdin".into(),
                });
            } else if input.is_dir() {
                let mut found = Vec::new();
                walk(input, &mut found)?;
                found.sort();
                files.extend(found.into_iter().map(|path| Input {
                    id: relative_id(input, &path),
                    path,
                }));
            } else if input.is_file() {
                files.push(Input {
                    path: input.clone(),
                    id: input
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                });
            } else {
                return Err(UserError::new(
                    format!("{}: no such file or directory", input.display()),
                    INPUT_KINDS,
                ));
            }
        }
        let total_bytes = files
            .iter()
            .map(|f| {
                (f.path.as_os_str() != STDIN)
                    .then(|| std::fs::metadata(&f.path).map(|m| m.len()).ok())
                    .flatten()
            })
            .sum();
        Ok(Corpus {
            inputs: files,
            next: 0,
            current: None,
            seen: HashSet::new(),
            total_bytes,
            bytes_read: 0,
        })
    }

    /// The files the corpus reads, in reading order (`-` for stdin).
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.inputs.iter().map(|f| f.path.as_path())
    }

    /// Size of all input files, or `None` when one is stdin (whose size is not known ahead).
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// Bytes of input consumed so far (whole files and JSONL lines), for progress.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn start(&mut self, input: Input) -> Result<()> {
        let name = input.path.display().to_string();
        if input.path.as_os_str() == STDIN {
            let mut reader = BufReader::new(std::io::stdin());
            let looks_jsonl = reader
                .fill_buf()
                .map(|b| {
                    let b = b.strip_prefix(BOM).unwrap_or(b);
                    b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{')
                })
                .unwrap_or(false);
            if looks_jsonl {
                self.current = Some(Source::Jsonl {
                    name: "<stdin>".into(),
                    reader: Box::new(reader),
                    line: 0,
                });
            } else {
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("<stdin>: cannot read: {e}"))?;
                self.current = Some(Source::StdinText(bytes));
            }
            return Ok(());
        }
        match Format::of(&input.path) {
            Some(Format::Jsonl) => {
                let file = std::fs::File::open(&input.path)
                    .map_err(|e| anyhow::anyhow!("{name}: cannot open: {e}"))?;
                self.current = Some(Source::Jsonl {
                    name,
                    reader: Box::new(BufReader::new(file)),
                    line: 0,
                });
            }
            Some(Format::Text) => self.current = Some(Source::Text(input.path, input.id)),
            None => {
                self.bytes_read += std::fs::metadata(&input.path).map_or(0, |m| m.len());
                let is_json = input
                    .path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let hint = if is_json {
                    format!(
                        "stancer reads JSON documents one per line: convert it to JSONL (e.g. \
                         `jq -c '.[]' {name} > {}.jsonl`), or pass --skip-bad to go on without it",
                        input.path.with_extension("").display()
                    )
                } else {
                    format!("{INPUT_KINDS}; or pass --skip-bad to go on without it")
                };
                return Err(UserError::new(
                    format!(
                        "{name}: unknown input type (not .txt, .md, .jsonl or .ndjson){}",
                        if is_json { ": a .json file" } else { "" }
                    ),
                    hint,
                ));
            }
        }
        Ok(())
    }
}

/// Refuses an empty document or one whose id `seen` already holds, saying why; the caller
/// names the place and the remedy.
fn check(doc: Document, seen: &mut HashSet<String>) -> Result<Document, String> {
    if doc.text.trim().is_empty() {
        return Err("empty document".into());
    }
    if !seen.insert(doc.id.clone()) {
        return Err(format!("duplicate document id {:?}", doc.id));
    }
    Ok(doc)
}

/// A batch of documents given as JSONL lines (a dataframe's rows, as the Python package passes
/// them), checked as a corpus file's lines are; errors name the row (from 1). Ids are unique
/// within the batch only: across the batches of a distributed job, that is the caller's part.
pub fn parse_batch(lines: &[impl AsRef<[u8]>]) -> Result<Vec<Document>> {
    let mut seen = HashSet::new();
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            parse_jsonl_line(line.as_ref())
                .and_then(|doc| check(doc, &mut seen))
                .map_err(|why| {
                    // A batch has no --skip-bad: the row itself needs fixing.
                    UserError::new(
                        format!("batch row {}: {why}", i + 1),
                        "fix or drop that row of the batch",
                    )
                })
        })
        .collect()
}

impl Iterator for Corpus {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        loop {
            match self.current.take() {
                None => {
                    let input = self.inputs.get(self.next)?.clone();
                    self.next += 1;
                    if let Err(e) = self.start(input) {
                        return Some(Err(e));
                    }
                }
                Some(Source::Text(path, id)) => {
                    let name = path.display().to_string();
                    self.bytes_read += std::fs::metadata(&path).map_or(0, |m| m.len());
                    let doc = read_txt(&path, &name, id);
                    return Some(
                        doc.and_then(|d| check(d, &mut self.seen).map_err(|why| bad(&name, &why))),
                    );
                }
                Some(Source::StdinText(bytes)) => {
                    self.bytes_read += bytes.len() as u64;
                    let doc = decode(bytes, "<stdin>", 1).map(|t| parse_txt("stdin".into(), t));
                    return Some(doc.and_then(|d| {
                        check(d, &mut self.seen).map_err(|why| bad("<stdin>", &why))
                    }));
                }
                Some(Source::Jsonl {
                    name,
                    mut reader,
                    line,
                }) => {
                    let mut buf = Vec::new();
                    let line = line + 1;
                    match reader.read_until(b'\n', &mut buf) {
                        Ok(0) => continue,
                        Ok(n) => {
                            self.bytes_read += n as u64;
                            self.current = Some(Source::Jsonl {
                                name: name.clone(),
                                reader,
                                line,
                            });
                            let place = format!("{name}:{line}");
                            let json = if line == 1 {
                                buf.strip_prefix(BOM).unwrap_or(&buf)
                            } else {
                                &buf[..]
                            };
                            if json.iter().all(u8::is_ascii_whitespace) {
                                continue;
                            }
                            let doc = parse_jsonl_line(json)
                                .and_then(|d| check(d, &mut self.seen))
                                .map_err(|why| bad(&place, &why));
                            return Some(doc);
                        }
                        Err(e) => {
                            return Some(Err(anyhow::anyhow!("{name}:{line}: cannot read: {e}")))
                        }
                    }
                }
            }
        }
    }
}

/// The error for a corpus that held no document: a run over nothing is a mistake (a wrong
/// folder, a wrong extension), not a success with empty outputs.
pub fn no_documents(inputs: &[PathBuf], skipped: usize) -> anyhow::Error {
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    UserError::new(
        format!(
            "no documents in {}{}",
            inputs.join(", "),
            if skipped == 0 {
                String::new()
            } else {
                format!(" ({skipped} bad input(s) skipped)")
            }
        ),
        INPUT_KINDS,
    )
}

fn bad(place: &str, why: &str) -> anyhow::Error {
    UserError::new(
        format!("{place}: {why}"),
        "fix or remove that input, or pass --skip-bad to report such inputs and go on",
    )
}

/// Every file under `dir` but hidden ones (`.git`, `.DS_Store`, editor swap files); files of
/// unknown type are listed too, so that reading them reports them instead of leaving them out
/// unseen.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot list: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| anyhow::anyhow!("{}: cannot list: {e}", dir.display()))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `dir/2008/a.txt` → `2008/a`: the path below the directory given, extension dropped, with `/`
/// between folders on every platform.
fn relative_id(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path).with_extension("");
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Decodes UTF-8 without a leading byte-order mark, naming the line of the first invalid byte.
fn decode(mut bytes: Vec<u8>, name: &str, first_line: usize) -> Result<String> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = first_line
            + e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        bad(&format!("{name}:{line}"), "invalid UTF-8")
    })
}

fn read_txt(path: &Path, name: &str, id: String) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{name}: cannot read: {e}"))?;
    let text = decode(bytes, name, 1)?;
    Ok(parse_txt(id, text))
}

/// Splits optional `Title:`/`Date:`/`Source:`/`URL:` header lines (ended by a blank line) from
/// the body. Only when every line before the first blank line is such a header does the file
/// have a header; otherwise the whole file is the text.
pub fn parse_txt(id: String, text: String) -> Document {
    let mut doc = Document {
        id,
        ..Document::default()
    };
    let body_start = text
        .find("\n\n")
        .or_else(|| text.find("\r\n\r\n"))
        .filter(|&end| {
            let head = &text[..end];
            !head.trim().is_empty() && head.lines().all(|l| header(l).is_some())
        });
    let Some(end) = body_start else {
        doc.text = text;
        return doc;
    };
    for line in text[..end].lines() {
        if let Some((key, value)) = header(line) {
            let slot = match key {
                "title" => &mut doc.title,
                "date" => &mut doc.date,
                "source" => &mut doc.source,
                _ => &mut doc.url,
            };
            *slot = Some(value.to_string());
        }
    }
    doc.text = text[end..].trim_start_matches(['\r', '\n']).to_string();
    doc
}

fn header(line: &str) -> Option<(&'static str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = match key.trim().to_ascii_lowercase().as_str() {
        "title" => "title",
        "date" => "date",
        "source" => "source",
        "url" => "url",
        _ => return None,
    };
    Some((key, value.trim()))
}

/// One JSONL line as a document, or why it is not one.
fn parse_jsonl_line(buf: &[u8]) -> Result<Document, String> {
    let line = std::str::from_utf8(buf).map_err(|_| "invalid UTF-8".to_string())?;
    // Without its line break, a line cut short reads as the end of input, not as a control
    // character inside a string.
    let line = line.trim_end_matches(['\n', '\r']);
    let mut value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
        .map_err(|e| {
            if e.is_eof() {
                format!("truncated JSON line: it ends before its object closes ({e})")
            } else {
                format!("malformed JSON: {e}")
            }
        })?;
    let mut take_str = |key: &str, required: bool| -> Result<Option<String>, String> {
        match value.remove(key) {
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(serde_json::Value::Number(n)) if key == "id" => Ok(Some(n.to_string())),
            Some(serde_json::Value::Null) | None if !required => Ok(None),
            None | Some(serde_json::Value::Null) => Err(format!("missing `{key}`")),
            Some(_) => Err(format!("`{key}` is not a string")),
        }
    };
    let id = take_str("id", true)?.unwrap_or_default();
    let text = take_str("text", true)?.unwrap_or_default();
    let title = take_str("title", false)?;
    let date = take_str("date", false)?;
    let source = take_str("source", false)?;
    let url = take_str("url", false)?;
    Ok(Document {
        id,
        title,
        date,
        source,
        url,
        text,
        extra: value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn docs(inputs: &[PathBuf]) -> Vec<Result<Document>> {
        Corpus::open(inputs).unwrap().collect()
    }

    #[test]
    fn txt_header_only_when_every_line_is_a_header() {
        let d = parse_txt("a".into(), "Title: T\nDate: 2008-03-18\n\nBody.".into());
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(d.date.as_deref(), Some("2008-03-18"));
        assert_eq!(d.text, "Body.");
        let d = parse_txt("b".into(), "Note: not a header\n\nBody.".into());
        assert_eq!(d.text, "Note: not a header\n\nBody.");
        assert_eq!(d.title, None);
    }

    #[test]
    fn directories_are_sorted_and_recursive() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "B text").unwrap();
        std::fs::write(dir.path().join("a.txt"), "A text").unwrap();
        std::fs::write(dir.path().join(".skip.txt"), "hidden: not read").unwrap();
        std::fs::write(
            dir.path().join("c.jsonl"),
            "{\"id\":\"c1\",\"text\":\"C\",\"lang\":\"en\"}\n\n{\"id\":2,\"text\":\"D\"}\n",
        )
        .unwrap();
        let got: Vec<Document> = docs(&[dir.path().to_path_buf()])
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "c1", "2", "sub/b"]);
        assert_eq!(got[1].extra["lang"], "en");
    }

    #[test]
    fn bad_inputs_name_file_and_line_and_iteration_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"{\"id\":\"a\",\"text\":\"ok\"}\n{bad\n{\"id\":\"a\",\"text\":\"dup\"}\n{\"text\":\"no id\"}\n{\"id\":\"e\",\"text\":\"  \"}\n{\"id\":\"u\",\"text\":\"\xff\"}\n{\"id\":\"z\",\"text\":\"fine\"}\n").unwrap();
        let got = docs(std::slice::from_ref(&path));
        let msgs: Vec<String> = got
            .iter()
            .map(|r| match r {
                Ok(d) => format!("ok {}", d.id),
                Err(e) => e.to_string(),
            })
            .collect();
        let name = path.display().to_string();
        assert_eq!(msgs[0], "ok a");
        assert!(msgs[1].starts_with(&format!("{name}:2: malformed JSON")));
        assert_eq!(msgs[2], format!("{name}:3: duplicate document id \"a\""));
        assert_eq!(msgs[3], format!("{name}:4: missing `id`"));
        assert_eq!(msgs[4], format!("{name}:5: empty document"));
        assert_eq!(msgs[5], format!("{name}:6: invalid UTF-8"));
        assert_eq!(msgs[6], "ok z");
    }

    #[test]
    fn invalid_utf8_in_txt_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.txt");
        std::fs::write(&path, b"line one\nline \xc3 two").unwrap();
        let err = docs(std::slice::from_ref(&path)).remove(0).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:2: invalid UTF-8", path.display())
        );
    }

    #[test]
    fn missing_input_is_a_user_error() {
        let err = Corpus::open(&[PathBuf::from("/no/such/input")])
            .err()
            .unwrap();
        assert!(err.to_string().contains("/no/such/input"));
    }

    #[test]
    fn ids_keep_the_path_below_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        for year in ["2008", "2009"] {
            std::fs::create_dir(dir.path().join(year)).unwrap();
            std::fs::write(dir.path().join(year).join("a.txt"), format!("In {year}.")).unwrap();
        }
        let got: Vec<String> = docs(&[dir.path().to_path_buf()])
            .into_iter()
            .map(|d| d.unwrap().id)
            .collect();
        assert_eq!(got, ["2008/a", "2009/a"]);
        // A file given directly is named by its stem, as before.
        let direct = docs(&[dir.path().join("2008/a.txt")]);
        assert_eq!(direct[0].as_ref().unwrap().id, "a");
    }

    #[test]
    fn extensions_are_matched_in_any_case_and_unknown_types_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.TXT"), "Upper case.").unwrap();
        std::fs::write(dir.path().join("b.md"), "Markdown.").unwrap();
        std::fs::write(dir.path().join("c.json"), "[{\"id\":\"x\",\"text\":\"y\"}]").unwrap();
        std::fs::write(
            dir.path().join("d.JSONL"),
            "{\"id\":\"d\",\"text\":\"D.\"}\n",
        )
        .unwrap();
        let got: Vec<String> = docs(&[dir.path().to_path_buf()])
            .into_iter()
            .map(|r| match r {
                Ok(d) => format!("ok {}", d.id),
                Err(e) => e.to_string(),
            })
            .collect();
        let json = dir.path().join("c.json").display().to_string();
        assert_eq!(got[..2], ["ok a", "ok b"]);
        assert!(
            got[2].starts_with(&format!("{json}: unknown input type")),
            "{got:?}"
        );
        assert_eq!(got[3], "ok d");
        // Given explicitly, a .json file is refused too, not read as an article.
        let err = docs(&[dir.path().join("c.json")]).remove(0).unwrap_err();
        assert!(err.to_string().contains("unknown input type"), "{err}");
        let hint = err.downcast_ref::<UserError>().unwrap().hint.clone();
        assert!(hint.contains("jq -c"), "{hint}");
    }

    #[test]
    fn a_byte_order_mark_is_dropped_before_headers_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("a.txt");
        std::fs::write(&txt, "\u{feff}Title: T\nDate: 2008-03-18\n\nBody.").unwrap();
        let jsonl = dir.path().join("b.jsonl");
        std::fs::write(&jsonl, "\u{feff}{\"id\":\"b\",\"text\":\"B.\"}\n").unwrap();
        let got: Vec<Document> = docs(&[txt, jsonl])
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got[0].title.as_deref(), Some("T"));
        assert_eq!(got[0].date.as_deref(), Some("2008-03-18"));
        assert_eq!(got[0].text, "Body.");
        assert_eq!((got[1].id.as_str(), got[1].text.as_str()), ("b", "B."));
    }

    #[test]
    fn a_truncated_json_line_is_reported_as_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"text\":\"cut he\n{\"id\":\"b\",\"text\":\"B\"}\n{\"id\":\"c\"",
        )
        .unwrap();
        let got: Vec<String> = docs(std::slice::from_ref(&path))
            .into_iter()
            .map(|r| match r {
                Ok(d) => format!("ok {}", d.id),
                Err(e) => e.to_string(),
            })
            .collect();
        let name = path.display().to_string();
        assert!(
            got[0].starts_with(&format!("{name}:1: truncated JSON line")),
            "{got:?}"
        );
        assert!(!got[0].contains("control character"), "{got:?}");
        assert_eq!(got[1], "ok b");
        assert!(
            got[2].starts_with(&format!("{name}:3: truncated JSON line")),
            "{got:?}"
        );
    }

    #[test]
    fn bytes_are_counted_against_a_known_total() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Twelve bytes").unwrap();
        std::fs::write(
            dir.path().join("b.jsonl"),
            "{\"id\":\"b\",\"text\":\"B\"}\n{\"id\":\"c\",\"text\":\"C\"}\n",
        )
        .unwrap();
        let mut corpus = Corpus::open(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(corpus.total_bytes(), Some(12 + 2 * 22));
        assert_eq!(corpus.bytes_read(), 0);
        let mut seen = Vec::new();
        while let Some(doc) = corpus.next() {
            doc.unwrap();
            seen.push(corpus.bytes_read());
        }
        assert_eq!(seen, [12, 12 + 22, 12 + 44]);
        let stdin = Corpus::open(&[PathBuf::from(STDIN)]).unwrap();
        assert_eq!(stdin.total_bytes(), None);
    }
}
