//! Corpus input: documents from `.txt` articles, JSONL files, directories of both, and stdin.
//!
//! [`Corpus`] streams: it lists paths up front (sorted, for deterministic output) but reads one
//! file, or one JSONL line, at a time, so a corpus larger than memory is fine. Every bad input
//! (invalid UTF-8, empty text, duplicate id, malformed JSON line, missing `id`/`text`) is an
//! `Err` item naming the file and line; the iterator carries on after it, so a caller can
//! report and skip (`--skip-bad`) or stop at the first.

use crate::error::UserError;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One article. Offsets everywhere downstream index `text` (after any header lines).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub text: String,
    /// JSONL fields this struct does not name, kept for the caller.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The path that means standard input.
pub const STDIN: &str = "-";

/// Where the next documents come from.
enum Source {
    /// One `.txt` file.
    Text(PathBuf),
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
    pending: std::vec::IntoIter<PathBuf>,
    current: Option<Source>,
    seen: HashSet<String>,
}

impl Corpus {
    /// Lists the inputs: files as given, directories walked recursively for `.txt` and
    /// `.jsonl` files in sorted path order, `-` for stdin.
    pub fn open(inputs: &[PathBuf]) -> Result<Self> {
        let mut files = Vec::new();
        for input in inputs {
            if input.as_os_str() == STDIN {
                files.push(input.clone());
            } else if input.is_dir() {
                let mut found = Vec::new();
                walk(input, &mut found)?;
                found.sort();
                files.extend(found);
            } else if input.is_file() {
                files.push(input.clone());
            } else {
                return Err(UserError::new(
                    format!("{}: no such file or directory", input.display()),
                    "give .txt or .jsonl files, directories of them, or - for stdin",
                ));
            }
        }
        Ok(Corpus {
            pending: files.into_iter(),
            current: None,
            seen: HashSet::new(),
        })
    }

    fn start(&mut self, path: PathBuf) -> Result<()> {
        let name = path.display().to_string();
        let is_stdin = path.as_os_str() == STDIN;
        let jsonl = path.extension().is_some_and(|e| e == "jsonl");
        if is_stdin {
            let mut reader = BufReader::new(std::io::stdin());
            let looks_jsonl = reader
                .fill_buf()
                .map(|b| b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{'))
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
        } else if jsonl {
            let file = std::fs::File::open(&path)
                .map_err(|e| anyhow::anyhow!("{name}: cannot open: {e}"))?;
            self.current = Some(Source::Jsonl {
                name,
                reader: Box::new(BufReader::new(file)),
                line: 0,
            });
        } else {
            self.current = Some(Source::Text(path));
        }
        Ok(())
    }

    fn check_id(&mut self, doc: Document, place: &str) -> Result<Document> {
        if doc.text.trim().is_empty() {
            return Err(bad(place, "empty document"));
        }
        if !self.seen.insert(doc.id.clone()) {
            return Err(bad(place, &format!("duplicate document id {:?}", doc.id)));
        }
        Ok(doc)
    }
}

impl Iterator for Corpus {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        loop {
            match self.current.take() {
                None => {
                    let path = self.pending.next()?;
                    if let Err(e) = self.start(path) {
                        return Some(Err(e));
                    }
                }
                Some(Source::Text(path)) => {
                    let name = path.display().to_string();
                    let doc = read_txt(&path, &name);
                    return Some(doc.and_then(|d| self.check_id(d, &name)));
                }
                Some(Source::StdinText(bytes)) => {
                    let doc = decode(bytes, "<stdin>", 1).map(|t| parse_txt("stdin".into(), t));
                    return Some(doc.and_then(|d| self.check_id(d, "<stdin>")));
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
                        Ok(_) => {
                            self.current = Some(Source::Jsonl {
                                name: name.clone(),
                                reader,
                                line,
                            });
                            let place = format!("{name}:{line}");
                            if buf.iter().all(u8::is_ascii_whitespace) {
                                continue;
                            }
                            let doc = parse_jsonl_line(&buf, &place);
                            return Some(doc.and_then(|d| self.check_id(d, &place)));
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

fn bad(place: &str, why: &str) -> anyhow::Error {
    UserError::new(
        format!("{place}: {why}"),
        "fix or remove that input, or pass --skip-bad to report such inputs and go on",
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot list: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| anyhow::anyhow!("{}: cannot list: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt" || e == "jsonl") {
            out.push(path);
        }
    }
    Ok(())
}

/// Decodes UTF-8, naming the line of the first invalid byte.
fn decode(bytes: Vec<u8>, name: &str, first_line: usize) -> Result<String> {
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

fn read_txt(path: &Path, name: &str) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{name}: cannot read: {e}"))?;
    let text = decode(bytes, name, 1)?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
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

fn parse_jsonl_line(buf: &[u8], place: &str) -> Result<Document> {
    let line = std::str::from_utf8(buf).map_err(|_| bad(place, "invalid UTF-8"))?;
    let mut value: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).map_err(|e| bad(place, &format!("malformed JSON: {e}")))?;
    let mut take_str = |key: &str, required: bool| -> Result<Option<String>> {
        match value.remove(key) {
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(serde_json::Value::Number(n)) if key == "id" => Ok(Some(n.to_string())),
            Some(serde_json::Value::Null) | None if !required => Ok(None),
            None | Some(serde_json::Value::Null) => Err(bad(place, &format!("missing `{key}`"))),
            Some(_) => Err(bad(place, &format!("`{key}` is not a string"))),
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
        std::fs::write(dir.path().join("skip.md"), "not read").unwrap();
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
        assert_eq!(ids, ["a", "c1", "2", "b"]);
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
}
