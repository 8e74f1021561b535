//! all-MiniLM-L6-v2 parity with Python sentence-transformers on the same weights
//! (reference produced once by scripts/fixtures/minilm_reference.py).

mod common;

use common::max_abs_diff;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Reference {
    max_seq_length: usize,
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
    token_counts: Vec<usize>,
}

fn reference() -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/minilm/reference_embeddings.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn minilm_embeddings_match_sentence_transformers() {
    let Some(model) = common::minilm() else {
        return;
    };
    let reference = reference();
    assert!(reference.sentences.len() >= 30);
    assert_eq!(model.max_length(), reference.max_seq_length);
    let texts: Vec<&str> = reference.sentences.iter().map(String::as_str).collect();

    let inputs: Vec<_> = texts
        .iter()
        .map(|t| stancer::encoders::ModelInput::Single(t))
        .collect();
    let counts: Vec<usize> = model
        .tokenize(&inputs)
        .unwrap()
        .iter()
        .map(|(ids, _)| ids.len())
        .collect();
    assert_eq!(
        counts, reference.token_counts,
        "token counts after truncation"
    );
    assert!(counts.contains(&256), "no text exercises truncation at 256");

    let batched = model.embed(&texts, 32).unwrap();
    let (mut worst_cos, mut worst_abs) = (1.0f64, 0.0f32);
    for (i, expected) in reference.embeddings.iter().enumerate() {
        let cos = cosine(&batched[i], expected);
        let abs = max_abs_diff(&batched[i], expected);
        worst_cos = worst_cos.min(cos);
        worst_abs = worst_abs.max(abs);
        assert!(cos >= 0.99999, "sentence {i} {:?}: cosine {cos}", texts[i]);
        assert!(
            abs <= 1e-4,
            "sentence {i} {:?}: max abs diff {abs}",
            texts[i]
        );
    }
    eprintln!("minilm parity: min cosine {worst_cos:.9}, max abs diff {worst_abs:e}");

    let mut worst_batch = 0.0f32;
    for (i, text) in texts.iter().enumerate() {
        let single = model.embed(&[text], 1).unwrap().remove(0);
        worst_batch = worst_batch.max(max_abs_diff(&single, &batched[i]));
        assert!(
            max_abs_diff(&single, &batched[i]) <= 1e-5,
            "sentence {i}: batched and one-by-one differ"
        );
    }
    eprintln!("minilm batched vs one-by-one: max abs diff {worst_batch:e}");
}
