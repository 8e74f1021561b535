//! SemEval-2016 Task 6 stance tweets (`ID<TAB>Target<TAB>Tweet<TAB>Stance<TAB>Opinion towards<TAB>Sentiment`,
//! CRLF, optional header row). Labels stay as written (FAVOR/AGAINST/NONE, POSITIVE/NEGATIVE/NEITHER);
//! a task file's `label_map` turns them into task labels.

use anyhow::{Context, Result};
use std::path::Path;

/// One annotated tweet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemevalItem {
    /// The organisers' row id.
    pub id: String,
    /// The stance target, e.g. "Hillary Clinton".
    pub target: String,
    /// The tweet text.
    pub text: String,
    /// FAVOR, AGAINST or NONE.
    pub stance: String,
    /// TARGET, OTHER or NO ONE.
    pub opinion_towards: String,
    /// POSITIVE, NEGATIVE or NEITHER.
    pub sentiment: String,
}

const STANCES: &[&str] = &["FAVOR", "AGAINST", "NONE"];
const SENTIMENTS: &[&str] = &["POSITIVE", "NEGATIVE", "NEITHER"];

/// Reads one SemEval file; errors name the file and line.
pub fn load(path: &Path) -> Result<Vec<SemevalItem>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes, &path.display().to_string())
}

/// Parses SemEval TSV bytes; `name` appears in error messages.
pub fn parse(bytes: &[u8], name: &str) -> Result<Vec<SemevalItem>> {
    let mut items = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let lineno = index + 1;
        let line = std::str::from_utf8(raw)
            .map_err(|e| anyhow::anyhow!("{name}:{lineno}: invalid UTF-8: {e}"))?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || (index == 0 && line.starts_with("ID\t")) {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(
            fields.len() == 6,
            "{name}:{lineno}: expected 6 tab-separated fields, found {}",
            fields.len()
        );
        anyhow::ensure!(
            STANCES.contains(&fields[3]),
            "{name}:{lineno}: unknown stance '{}' (expected FAVOR, AGAINST or NONE)",
            fields[3]
        );
        anyhow::ensure!(
            SENTIMENTS.contains(&fields[5]),
            "{name}:{lineno}: unknown sentiment '{}' (expected POSITIVE, NEGATIVE or NEITHER)",
            fields[5]
        );
        items.push(SemevalItem {
            id: fields[0].to_string(),
            target: fields[1].to_string(),
            text: fields[2].to_string(),
            stance: fields[3].to_string(),
            opinion_towards: fields[4].to_string(),
            sentiment: fields[5].to_string(),
        });
    }
    anyhow::ensure!(!items.is_empty(), "{name}: no annotated tweets found");
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_skips_header() {
        let data = "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\r\n\
                    101\tAtheism\tgod is great #SemST\tAGAINST\tOTHER\tPOSITIVE\r\n";
        let items = parse(data.as_bytes(), "t.txt").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].target, "Atheism");
        assert_eq!(items[0].stance, "AGAINST");
        assert_eq!(items[0].sentiment, "POSITIVE");
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let err = parse(b"1\tA\tt\tMAYBE\tTARGET\tPOSITIVE\n", "t.txt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.txt:1: unknown stance 'MAYBE'"),
            "{err}"
        );
        let err = parse(b"1\tA\tt\tFAVOR\tTARGET\tPOSITIVE\n2\tA\tt\n", "t.txt").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:2: expected 6"), "{err}");
        let err = parse(b"1\tA\t\xff\tFAVOR\tTARGET\tPOSITIVE\n", "t.txt").unwrap_err();
        assert!(
            err.to_string().starts_with("t.txt:1: invalid UTF-8"),
            "{err}"
        );
        assert!(parse(b"", "t.txt").is_err());
    }

    #[test]
    fn reads_the_shared_training_split() {
        let path =
            crate::settings::data_root().join("semeval2016-task6/trainingdata-all-annotations.txt");
        if !path.is_file() {
            // Straight to stderr: the test harness hides eprintln! of a passing test.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {} not found (set STANCER_DATA)",
                path.display()
            );
            return;
        }
        let items = load(&path).unwrap();
        assert_eq!(items.len(), 2814);
        let targets: std::collections::BTreeSet<&str> =
            items.iter().map(|i| i.target.as_str()).collect();
        assert_eq!(targets.len(), 5);
    }
}
