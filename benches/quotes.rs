//! Quote extraction throughput on one core: MB/s over the PolNeAR train and dev articles, and
//! one synthetic document of 1 MB and of 10 MB to show that time grows linearly with size.
//!
//! Run: `cargo bench --bench quotes`. Prints plain lines; no timing is asserted.

use stancer::corpus::Document;
use stancer::quotes::extract;
use std::time::{Duration, Instant};

/// Best of `runs` wall-clock times of `f`.
fn best<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn polnear_docs() -> Option<Vec<Document>> {
    let root = stancer::settings::data_root().join("polnear");
    let mut docs = Vec::new();
    for split in ["train", "dev"] {
        let dir = root.join(split).join("text");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).ok()?;
            let id = p.file_stem()?.to_string_lossy().into_owned();
            docs.push(Document {
                id,
                text,
                ..Document::default()
            });
        }
    }
    (!docs.is_empty()).then_some(docs)
}

/// One document of at least `size` bytes built from news-like paragraphs with direct, split,
/// mixed and reported quotes.
fn synthetic(size: usize) -> Document {
    let paragraphs = [
        "MOSCOW — The Russian Foreign Minister, Sergey Lavrov, said today that Russia and America still disagree over a missile shield, while Defense Secretary Gates said the system “would not constitute a threat” to Moscow.",
        "“I would say they listened very carefully,” Mr. Gates said. “President Putin took extensive notes last night and there was a lot done during the day today.”",
        "A senior American official traveling with the Cabinet secretaries confirmed that America presented a document to the Russians yesterday. The official was not specific but indicated that the issues include the missile shield.",
        "Ms. Rice said she was glad the Russian side had agreed to look at the proposal “more closely.” “We have work to do,” she acknowledged.",
        "Mr. Putin did not mention American plans for the missile shield system in Poland and the Czech Republic, according to reporters at the meeting.",
    ];
    let mut text = String::with_capacity(size + 1024);
    let mut i = 0;
    while text.len() < size {
        text.push_str(paragraphs[i % paragraphs.len()]);
        text.push_str("\n\n");
        i += 1;
    }
    Document {
        id: format!("synthetic-{size}"),
        text,
        ..Document::default()
    }
}

fn main() {
    match polnear_docs() {
        None => println!(
            "SKIPPED: PolNeAR texts not found under {}",
            stancer::settings::data_root().display()
        ),
        Some(docs) => {
            let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
            let mut n = 0;
            let t = best(3, || {
                n = docs.iter().map(|d| extract(d).len()).sum::<usize>();
            });
            println!(
                "polnear train+dev: {} documents, {:.2} MB, {} quotes, best of 3 {:.3} s = {:.1} MB/s",
                docs.len(),
                mb(bytes),
                n,
                t.as_secs_f64(),
                mb(bytes) / t.as_secs_f64()
            );
        }
    }
    let mut times = Vec::new();
    for size in [1_000_000, 10_000_000] {
        let d = synthetic(size);
        let mut n = 0;
        let t = best(3, || n = extract(&d).len());
        println!(
            "synthetic {:.0} MB document: {} quotes, best of 3 {:.3} s = {:.1} MB/s",
            mb(d.text.len()),
            n,
            t.as_secs_f64(),
            mb(d.text.len()) / t.as_secs_f64()
        );
        times.push(t.as_secs_f64());
    }
    println!(
        "10 MB / 1 MB time ratio: {:.2} (linear: 10)",
        times[1] / times[0]
    );
}
