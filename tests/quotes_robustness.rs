//! Extraction never panics and keeps its offsets consistent on arbitrary UTF-8: random mixes of
//! quotation marks, words in several scripts, line breaks and punctuation from a seeded
//! generator (reproducible), plus pathological inputs (1 MB of quotation marks, unbalanced
//! marks, a quote never closed across many paragraphs).

use stancer::corpus::Document;
use stancer::quotes::{extract, Quote};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "“",
    "”",
    "\"",
    "''",
    "‘",
    "’",
    "'",
    "«",
    "»",
    "„",
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    ",",
    ".",
    ":",
    ";",
    "—",
    "(",
    ")",
    "?",
    "!",
    "…",
    "said",
    "says",
    "told",
    "according to",
    "he",
    "she",
    "they",
    "Mr.",
    "Ms.",
    "Lavrov",
    "Rice",
    "President",
    "the official",
    "that",
    "and",
    "while",
    "Россия",
    "заявил",
    "中国",
    "说",
    "مرحبا",
    "🙂",
    "é",
    "\u{200B}",
    "\u{0301}",
    "a",
    "x",
    "1",
    "U.S.",
    "Dr.",
    "who",
    "asked",
    "whether",
    "called",
    "—“",
    "”—",
];

fn doc(text: String) -> Document {
    Document {
        id: "fuzz".into(),
        text,
        ..Document::default()
    }
}

/// Every record's offsets point at its text, in bytes and in scalar values.
fn check(d: &Document, quotes: &[Quote]) {
    let chars: Vec<usize> = d.text.char_indices().map(|(b, _)| b).collect();
    let byte_of = |c: usize| chars.get(c).copied().unwrap_or(d.text.len());
    for q in quotes {
        assert!(q.start <= q.end && q.byte_start <= q.byte_end, "{q:?}");
        assert_eq!(&d.text[q.byte_start..q.byte_end], q.text);
        assert_eq!(byte_of(q.start), q.byte_start);
        assert_eq!(byte_of(q.end), q.byte_end);
        assert_eq!(
            &d.text[byte_of(q.cue.start)..byte_of(q.cue.end)],
            q.cue.text
        );
        if let Some(s) = &q.speaker {
            assert_eq!(&d.text[byte_of(s.start)..byte_of(s.end)], s.text);
        }
    }
}

#[test]
fn random_mixes_never_panic_and_keep_offsets() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..3000 {
        let n = (rng.next() % 120) as usize;
        let text: String = (0..n)
            .map(|_| {
                let p = rng.pick(PIECES);
                if rng.next().is_multiple_of(3) {
                    format!("{p} ")
                } else {
                    p.to_string()
                }
            })
            .collect();
        let d = doc(text);
        check(&d, &extract(&d));
    }
}

#[test]
fn arbitrary_scalars_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..500 {
        let n = (rng.next() % 200) as usize;
        let text: String = (0..n)
            .filter_map(|_| char::from_u32((rng.next() % 0x11_0000) as u32))
            .collect();
        let d = doc(text);
        check(&d, &extract(&d));
    }
}

#[test]
fn pathological_inputs() {
    let inputs = [
        "“".repeat(350_000),
        "”“".repeat(175_000),
        "\"".repeat(1_000_000),
        "'".repeat(1_000_000),
        "“unclosed and long\n\n“".repeat(20_000),
        "he said, “".repeat(50_000),
        "Mr. ".repeat(100_000),
        String::new(),
        "\n\n\n".into(),
    ];
    for text in inputs {
        let d = doc(text);
        check(&d, &extract(&d));
    }
}

#[test]
fn invisible_characters_beside_marks_and_names_keep_the_quote() {
    // What a reader sees: invisible characters and zero-width spaces dropped.
    let visible = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '\u{AD}' | '\u{200B}' | '\u{200D}' | '\u{2060}'))
            .collect()
    };
    // (content, cue, speaker, actor) as read without the invisible characters.
    let want = (
        "We can talk,".to_string(),
        "said".to_string(),
        "Ms. Rice".to_string(),
        "Rice".to_string(),
    );
    let variants = [
        "“We can talk,” Ms. Rice said.",
        "“We can talk,”\u{200B} Ms. Rice said.",
        "“We can talk,” Ms.\u{200B} Rice said.",
        "“We can talk,” Ms. Ri\u{AD}ce said.",
        "“We can talk,”\u{AD} Ms. Rice said.",
        "“We can talk,” Ms. Rice sa\u{AD}id.",
        "“We can talk,” Ms. Rice\u{200B} said.",
        "\u{2060}“We can talk,” Ms.\u{200D} Rice said.",
        "\"We can talk,\"\u{200B} Ms. Rice said.",
    ];
    for text in variants {
        let d = doc(text.to_string());
        let quotes = extract(&d);
        check(&d, &quotes);
        let got: Vec<_> = quotes
            .iter()
            .map(|q| {
                (
                    visible(&q.text),
                    visible(&q.cue.text),
                    q.speaker
                        .as_ref()
                        .map(|s| visible(&s.text))
                        .unwrap_or_default(),
                    q.actor.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got, std::slice::from_ref(&want), "{text:?}");
    }
    let q = extract(&doc("Ms. Rice said: \u{200B}“We can talk.”".into()));
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].text, "We can talk.");
}
