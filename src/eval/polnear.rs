//! PolNeAR adapter: articles and their BRAT attribution annotations as gold attributions.
//!
//! Layout (see `SOURCE.txt` in the dataset directory): `<split>/text/<article>.txt`,
//! `<split>/attributions/<article>_<annotator>.ann`, `metadata.tsv`. Where an article has
//! several annotators the first `.ann` in sorted order is used. Events without a `Content`
//! argument (incomplete annotations) are skipped; `Source` may be missing. Offsets are Unicode
//! scalar offsets and may be discontinuous (`s e;s e`).

use super::quotes::{gold_kind, GoldAttribution, GoldDoc};
use crate::corpus::Document;
use crate::error::UserError;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Reads every annotated article of `split` ("train" or "dev") under `root`.
pub fn load(root: &Path, split: &str) -> Result<Vec<GoldDoc>> {
    if split == "test" {
        return Err(UserError::new(
            "the PolNeAR test split is kept back for blind evaluation",
            "evaluate on --split dev; tune on train",
        ));
    }
    let dir = root.join(split);
    let ann_dir = dir.join("attributions");
    if !ann_dir.is_dir() {
        return Err(UserError::new(
            format!("{} is not a directory", ann_dir.display()),
            format!(
                "point --dataset polnear:PATH at the PolNeAR directory (default {}/polnear)",
                crate::settings::data_root().display()
            ),
        ));
    }
    let meta = read_metadata(&root.join("metadata.tsv"))?;
    let mut first: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    let mut names: Vec<_> = std::fs::read_dir(&ann_dir)
        .with_context(|| format!("cannot list {}", ann_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .collect();
    names.sort();
    for path in names {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let article = stem.rsplit_once('_').map_or(&*stem, |(a, _)| a).to_string();
        first.entry(article).or_insert(path);
    }
    let mut out = Vec::with_capacity(first.len());
    for (id, ann) in first {
        let text_path = dir.join("text").join(format!("{id}.txt"));
        let text = std::fs::read_to_string(&text_path)
            .with_context(|| format!("cannot read {}", text_path.display()))?;
        let ann_text = std::fs::read_to_string(&ann)
            .with_context(|| format!("cannot read {}", ann.display()))?;
        let attributions =
            parse_ann(&ann_text, &text).with_context(|| format!("in {}", ann.display()))?;
        let (publisher, date) = meta
            .get(&id)
            .cloned()
            .unwrap_or_else(|| (id.split('_').next().unwrap_or("").to_string(), None));
        out.push(GoldDoc {
            doc: Document {
                id,
                text,
                date,
                source: Some(publisher.clone()),
                ..Document::default()
            },
            publisher,
            attributions,
            non_quotes: Vec::new(),
        });
    }
    Ok(out)
}

/// `filename → (publisher, publication_date)` from `metadata.tsv`.
fn read_metadata(path: &Path) -> Result<HashMap<String, (String, Option<String>)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{}: no `{name}` column", path.display()))
    };
    let (file, publisher, date) = (
        col("filename")?,
        col("publisher")?,
        col("publication_date")?,
    );
    Ok(lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((
                f.get(file)?.to_string(),
                (
                    f.get(publisher)?.to_string(),
                    f.get(date).map(|d| d.to_string()),
                ),
            ))
        })
        .collect())
}

/// Parses BRAT standoff: `T` lines (`Kind s e[;s e…]\ttext`) and `E` lines
/// (`Attribution:T.. Content:T.. Cue:T.. Source:T..`, with further content pieces as
/// `Content2:T..`). Other lines (notes) are ignored, and so
/// are malformed ones.
pub fn parse_ann(ann: &str, text: &str) -> Result<Vec<GoldAttribution>> {
    let n_chars = text.chars().count();
    let mut spans: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut events = Vec::new();
    for line in ann.lines() {
        let mut fields = line.split('\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let Some((_, offsets)) = body.split_once(' ') else {
                continue;
            };
            let ranges: Option<Vec<(usize, usize)>> = offsets
                .split(';')
                .map(|p| {
                    let (s, e) = p.trim().split_once(' ')?;
                    let (s, e) = (s.parse().ok()?, e.parse().ok()?);
                    (s <= e && e <= n_chars).then_some((s, e))
                })
                .collect();
            if let Some(r) = ranges {
                spans.insert(id, r);
            }
        } else if id.starts_with('E') {
            let args: HashMap<&str, &str> = body
                .split_whitespace()
                .filter_map(|a| a.split_once(':'))
                .collect();
            events.push(args);
        }
    }
    let mut out = Vec::new();
    for args in events {
        let get = |role: &str| args.get(role).and_then(|t| spans.get(t)).cloned();
        let Some(mut content) = get("Content") else {
            continue;
        };
        // Further pieces of one content are extra arguments "Content2", "Content3", ….
        let more = args.iter().filter(|(role, _)| {
            role.strip_prefix("Content")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        content.extend(more.filter_map(|(_, t)| spans.get(t)).flatten());
        content.sort_unstable();
        out.push(GoldAttribution {
            kind: gold_kind(text, &content),
            content,
            cue: get("Cue").unwrap_or_default(),
            source: get("Source"),
            actor: None,
        });
    }
    out.sort_by_key(|a| a.content.first().copied());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::Kind;

    #[test]
    fn parses_discontinuous_spans_missing_sources_and_notes() {
        let text = "“Yes,” he said. “No.” Polls show gains. Said nothing.";
        let ann = "T1\tSource 7 9\the\n\
                   T2\tCue 10 14\tsaid\n\
                   T3\tContent 0 6;16 21\t“Yes,” “No.”\n\
                   T4\tAttribution 10 14\tsaid\n\
                   E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
                   T5\tCue 28 32\tshow\n\
                   T6\tContent 33 38\tgains\n\
                   E2\tAttribution-no-source:T5 Content:T6 Cue:T5\n\
                   T7\tContent 22 24\tPo\n\
                   E4\tAttribution:T4 Content:T6 Cue:T2 Content2:T7\n\
                   E3\tAttribution:T9\n\
                   #1\tAnnotatorNotes T1\tnote\n\
                   garbage line\n";
        let got = parse_ann(ann, text).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].content, vec![(0, 6), (16, 21)]);
        // A second content piece given as "Content2" joins the first, in text order.
        assert_eq!(got[1].content, vec![(22, 24), (33, 38)]);
        assert_eq!(got[0].source, Some(vec![(7, 9)]));
        assert_eq!(got[0].kind, Kind::Direct);
        assert_eq!(got[2].source, None);
        assert_eq!(got[2].kind, Kind::Indirect);
    }
}
