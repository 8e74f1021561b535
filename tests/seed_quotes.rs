//! The seed article against its hand-labelled gold (`datasets/missile-shield/gold.jsonl`):
//! every gold quote is found (token-overlap F1 ≥ 0.5) with the right actor, and nothing is
//! extracted inside a span the gold lists as a non-quote.

use stancer::actors::Registry;
use stancer::eval::native;
use stancer::eval::spans::{overlap_f1, Words};
use stancer::quotes::extract_with;
use std::path::Path;

/// What a newsroom's actor registry would say about the four named speakers: the article
/// itself only prints their surnames (and Lavrov's full name).
const REGISTRY: &str = r#"
[[actors]]
name = "Sergey Lavrov"
roles = [{ title = "Russian foreign minister", from = "2004-03-09" }]

[[actors]]
name = "Robert Gates"
aliases = ["Robert M. Gates"]
roles = [{ title = "defense secretary", from = "2006-12-18", to = "2011-07-01" }]

[[actors]]
name = "Condoleezza Rice"
roles = [{ title = "secretary of state", from = "2005-01-26", to = "2009-01-20" }]

[[actors]]
name = "Vladimir Putin"
roles = [{ title = "Russian president", from = "2000-05-07", to = "2008-05-07" }]
"#;

#[test]
fn seed_article_quotes_match_gold() {
    let gold_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/missile-shield/gold.jsonl");
    let registry: Registry = toml::from_str(REGISTRY).unwrap();
    let docs = native::load(&gold_path).unwrap();
    assert!(!docs.is_empty());
    for gold in &docs {
        let quotes = extract_with(&gold.doc, Some(&registry));
        let words = Words::new(&gold.doc.text);
        let pred: Vec<Vec<usize>> = quotes
            .iter()
            .map(|q| words.tokens(&[(q.start, q.end)]))
            .collect();
        let mut failures = Vec::new();
        for g in &gold.attributions {
            let gt = words.tokens(&g.content);
            let found = quotes.iter().zip(&pred).any(|(q, pt)| {
                overlap_f1(pt, &gt) >= 0.5 && q.actor.as_deref() == g.actor.as_deref()
            });
            if !found {
                let text: String = gold
                    .doc
                    .text
                    .chars()
                    .skip(g.content[0].0)
                    .take(60)
                    .collect();
                failures.push(format!("missing {:?} by {:?}", text, g.actor));
            }
        }
        for nq in &gold.non_quotes {
            for q in &quotes {
                let overlaps = q.start < nq.end && nq.start < q.end;
                let encloses = q.start <= nq.start && nq.end <= q.end;
                if overlaps && !(nq.within.is_some() && encloses) {
                    failures.push(format!(
                        "extracted {:?} inside non-quote {:?} ({})",
                        q.text, nq.text, nq.why
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            gold.doc.id,
            failures.join("\n")
        );
    }
}
