//! GWSD, the Global Warming Stance Dataset (Luo, Card & Jurafsky 2020): news sentences rated by
//! eight crowd workers for their stance toward "climate change is a serious concern".
//!
//! A sentence's label is the authors' Bayesian label (the most probable of their `agree`,
//! `neutral`, `disagree` estimates) where they give one, which they do for every held-out test
//! row, else the workers' majority; rows whose workers tie and have no estimate are left out.
//! Labels are `agree`, `neutral`, `disagree`.

use anyhow::{Context, Result};
use std::path::Path;

/// One rated sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct GwsdItem {
    /// The authors' `guid`.
    pub id: String,
    /// The sentence.
    pub text: String,
    /// `agree`, `neutral` or `disagree`.
    pub label: String,
    /// Whether the row is in the authors' held-out test split.
    pub held_out_test: bool,
}

/// Which rows to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Rows outside the held-out test split (the only ones to train or tune on).
    Train,
    /// The held-out test rows (evaluation only).
    Test,
}

/// Rows with a label from `GWSD.tsv`, and how many were left out for tied workers.
pub fn load(path: &Path, split: Split) -> Result<(Vec<GwsdItem>, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column '{name}'", path.display()))
    };
    let (sentence, guid, test) = (
        column("sentence")?,
        column("guid")?,
        column("in_held_out_test")?,
    );
    let workers: Vec<usize> = (0..8)
        .map(|i| column(&format!("worker_{i}")))
        .collect::<Result<_>>()?;
    let estimates: Vec<(usize, &str)> = [
        ("agree", "agree"),
        ("neutral", "neutral"),
        ("disagree", "disagree"),
    ]
    .iter()
    .map(|&(col, label)| Ok((column(col)?, label)))
    .collect::<Result<_>>()?;
    let (mut items, mut tied) = (Vec::new(), 0);
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("{}:{line}: malformed row", path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let held_out_test = match field(test) {
            "True" => true,
            "False" => false,
            other => anyhow::bail!(
                "{}:{line}: in_held_out_test is '{other}', not True or False",
                path.display()
            ),
        };
        if held_out_test != (split == Split::Test) {
            continue;
        }
        let label = match bayesian_label(&estimates, &field, path, line)? {
            Some(label) => label.to_string(),
            None => {
                let votes: Vec<&str> = workers.iter().map(|&w| field(w)).collect();
                match majority(&votes, path, line)? {
                    Some(label) => label,
                    None => {
                        tied += 1;
                        continue;
                    }
                }
            }
        };
        items.push(GwsdItem {
            id: field(guid).to_string(),
            text: field(sentence).to_string(),
            label,
            held_out_test,
        });
    }
    anyhow::ensure!(!items.is_empty(), "{}: no labelled rows", path.display());
    Ok((items, tied))
}

/// The most probable label of the authors' estimates, if the row has them.
fn bayesian_label<'a>(
    estimates: &[(usize, &'a str)],
    field: &dyn Fn(usize) -> &'a str,
    path: &Path,
    line: usize,
) -> Result<Option<&'a str>> {
    let mut best: Option<(f64, &str)> = None;
    for &(column, label) in estimates {
        let raw = field(column);
        if raw.is_empty() {
            return Ok(None);
        }
        let p: f64 = raw
            .parse()
            .with_context(|| format!("{}:{line}: '{raw}' is not a probability", path.display()))?;
        if best.is_none_or(|(b, _)| p > b) {
            best = Some((p, label));
        }
    }
    Ok(best.map(|(_, label)| label))
}

/// The workers' majority label (`agrees` → `agree` …), or `None` on a tie.
fn majority(votes: &[&str], path: &Path, line: usize) -> Result<Option<String>> {
    let mut counts = std::collections::BTreeMap::new();
    for vote in votes {
        let label = match *vote {
            "agrees" => "agree",
            "neutral" => "neutral",
            "disagrees" => "disagree",
            other => anyhow::bail!("{}:{line}: unknown worker rating '{other}'", path.display()),
        };
        *counts.entry(label).or_insert(0) += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    let leaders: Vec<&str> = counts
        .iter()
        .filter(|(_, &c)| c == top)
        .map(|(l, _)| *l)
        .collect();
    Ok((leaders.len() == 1).then(|| leaders[0].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\tround\tbatch\tsent_id\tsentence\tworker_0\tworker_1\tworker_2\tworker_3\tworker_4\tworker_5\tworker_6\tworker_7\tdisagree\tagree\tneutral\tguid\tin_held_out_test\n";

    #[test]
    fn labels_come_from_estimates_else_the_majority_and_splits_never_mix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("GWSD.tsv");
        let rows = [
            "0\t1\t0\ts0\tIt is a hoax.\tdisagrees\tdisagrees\tdisagrees\tdisagrees\tneutral\tneutral\tneutral\tagrees\t\t\t\t1_0_s0\tFalse",
            "1\t1\t0\ts1\tSeas rise.\tagrees\tagrees\tneutral\tneutral\tneutral\tneutral\tagrees\tagrees\t\t\t\t1_0_s1\tFalse",
            "2\t1\t0\ts2\tIce melts.\tneutral\tneutral\tneutral\tneutral\tneutral\tneutral\tneutral\tneutral\t0.1\t0.7\t0.2\t1_0_s2\tFalse",
            "3\t1\t0\ts3\tHeld out.\tagrees\tagrees\tagrees\tagrees\tagrees\tagrees\tagrees\tagrees\t0.6\t0.3\t0.1\t1_0_s3\tTrue",
        ];
        std::fs::write(&path, format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
        let (train, tied) = load(&path, Split::Train).unwrap();
        let labels: Vec<(&str, &str)> = train
            .iter()
            .map(|i| (i.id.as_str(), i.label.as_str()))
            .collect();
        // s1 ties 4–4 with no estimate; s2's estimate overrules its unanimous workers.
        assert_eq!(labels, [("1_0_s0", "disagree"), ("1_0_s2", "agree")]);
        assert_eq!(tied, 1);
        let (test, _) = load(&path, Split::Test).unwrap();
        assert_eq!(test.len(), 1);
        assert_eq!(
            (test[0].label.as_str(), test[0].held_out_test),
            ("disagree", true)
        );
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("GWSD.tsv");
        let row = "0\t1\t0\ts0\tX.\tyes\tagrees\tagrees\tagrees\tagrees\tagrees\tagrees\tagrees\t\t\t\tg\tFalse";
        std::fs::write(&path, format!("{HEADER}{row}\n")).unwrap();
        let err = format!("{:#}", load(&path, Split::Train).unwrap_err());
        assert!(err.contains("GWSD.tsv:2") && err.contains("'yes'"), "{err}");
    }
}
