//! The seed article against its hand-labelled gold (`datasets/missile-shield/gold.jsonl`):
//! every gold quote is found (token-overlap F1 ≥ 0.5) with the right actor, and nothing is
//! extracted inside a span the gold lists as a non-quote.

use stancer::actors::Registry;
use stancer::eval::native;
use stancer::eval::spans::{overlap_f1, Words};
use stancer::quotes::extract_with;
use std::path::Path;

#[test]
fn seed_article_quotes_match_gold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/missile-shield");
    let gold_path = dir.join("gold.jsonl");
    // The article prints only surnames for Gates, Rice and Putin: the task's actor registry
    // supplies the canonical full names.
    let registry = Registry::load(&dir.join("actors.toml")).unwrap();
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
