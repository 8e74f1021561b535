//! Property-based fuzzing (proptest) of the corpus readers and quote extraction, run briefly by
//! every `cargo test` (`PROPTEST_CASES=N` runs more cases): whatever the bytes, reading never
//! panics, every bad input is an error naming its file (and line), and every quote's offsets
//! (in bytes and in Unicode scalars, whole or windowed) point at its text.

use proptest::prelude::*;
use stancer::corpus::{Corpus, Document};
use stancer::quotes::{self, window, Quote};
use std::path::PathBuf;

/// Pieces that reach the readers' and the extractor's interesting paths: quotation marks,
/// invisible characters, byte-order marks, line breaks, cues, names, JSON syntax.
const PIECES: &[&str] = &[
    "“",
    "”",
    "\"",
    "''",
    "«",
    "»",
    "„",
    " ",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    ",",
    ".",
    ":",
    "—",
    "(",
    ")",
    "said",
    "told",
    "according to",
    "he",
    "she",
    "Mr.",
    "Ms.",
    "Rice",
    "Lavrov",
    "Title: T\n",
    "Date: 2008-03-18\n",
    "\u{FEFF}",
    "\u{200B}",
    "\u{AD}",
    "\u{200D}",
    "\u{2060}",
    "é",
    "中国",
    "🙂",
    "{",
    "}",
    "[",
    "]",
    "\"id\":",
    "\"text\":",
    "\\",
    "\\u12",
    "null",
    "7",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.concat())
}

/// Raw file contents: mostly structured pieces, sometimes bytes that are not UTF-8.
fn contents() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        text().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..200),
        // JSONL lines built from fields, some whole, some cut short (maybe inside a character).
        prop::collection::vec((text(), text(), any::<bool>()), 0..6).prop_map(|lines| {
            let mut out = Vec::new();
            for (id, text, cut) in lines {
                let line = serde_json::json!({"id": id, "text": text})
                    .to_string()
                    .into_bytes();
                out.extend_from_slice(if cut { &line[..line.len() / 2] } else { &line });
                out.push(b'\n');
            }
            out
        }),
    ]
}

/// Every offset of `q` points at its text within `d`.
fn check_offsets(d: &Document, q: &Quote) {
    let chars: Vec<usize> = d.text.char_indices().map(|(b, _)| b).collect();
    let byte_of = |c: usize| chars.get(c).copied().unwrap_or(d.text.len());
    assert_eq!(&d.text[q.byte_start..q.byte_end], q.text);
    assert_eq!(
        (byte_of(q.start), byte_of(q.end)),
        (q.byte_start, q.byte_end)
    );
    assert_eq!(
        &d.text[byte_of(q.cue.start)..byte_of(q.cue.end)],
        q.cue.text
    );
    if let Some(s) = &q.speaker {
        assert_eq!(&d.text[byte_of(s.start)..byte_of(s.end)], s.text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn corpus_readers_never_panic_and_name_the_file(
        jsonl in contents(),
        txt in contents(),
        upper in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let jsonl_path = dir.path().join(if upper { "a.JSONL" } else { "a.jsonl" });
        let txt_path = dir.path().join(if upper { "b.TXT" } else { "b.md" });
        std::fs::write(&jsonl_path, &jsonl).unwrap();
        std::fs::write(&txt_path, &txt).unwrap();
        let inputs: Vec<PathBuf> = vec![dir.path().to_path_buf()];
        let mut corpus = Corpus::open(&inputs).unwrap();
        prop_assert_eq!(corpus.total_bytes(), Some((jsonl.len() + txt.len()) as u64));
        let mut ids = std::collections::HashSet::new();
        for doc in corpus.by_ref() {
            match doc {
                Ok(d) => {
                    prop_assert!(!d.text.trim().is_empty());
                    prop_assert!(ids.insert(d.id.clone()), "duplicate id {}", d.id);
                    for q in quotes::extract(&d) {
                        check_offsets(&d, &q);
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    let jsonl_name = jsonl_path.display().to_string();
                    let named = message.starts_with(&format!("{jsonl_name}:"))
                        || message.starts_with(&txt_path.display().to_string());
                    prop_assert!(named, "{}", message);
                    prop_assert!(!message.contains('\n'), "{}", message);
                }
            }
        }
        prop_assert!(corpus.bytes_read() <= corpus.total_bytes().unwrap());
    }

    #[test]
    fn windowed_extraction_keeps_offsets_and_ids(text in text(), max in 1usize..64) {
        let doc = Document { id: "d".into(), text, ..Document::default() };
        let mut all: Vec<Quote> = Vec::new();
        let windows = window::windows(&doc.text, max);
        let mut end = 0;
        for w in windows {
            prop_assert!(w.start >= end && w.start <= w.end && w.end <= doc.text.len());
            prop_assert!(doc.text[end..w.start].trim().is_empty(), "only whitespace between windows");
            prop_assert_eq!(doc.text[..w.start].chars().count(), w.char_start);
            end = w.end;
            let found = window::extract_window(&doc, w, &quotes::Rules, None, all.len()).unwrap();
            all.extend(found);
        }
        prop_assert!(doc.text[end..].trim().is_empty());
        for (i, q) in all.iter().enumerate() {
            check_offsets(&doc, q);
            prop_assert_eq!(&q.quote_id, &format!("d:q{:04}", i + 1));
        }
        // One window holding the whole text gives what whole-document extraction gives.
        let whole = window::windows(&doc.text, doc.text.len().max(1));
        prop_assert_eq!(whole.len(), 1);
        prop_assert_eq!(
            window::extract_window(&doc, whole[0], &quotes::Rules, None, 0).unwrap(),
            quotes::extract(&doc)
        );
    }
}
