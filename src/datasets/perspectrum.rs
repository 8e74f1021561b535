//! PERSPECTRUM v1.0 (Chen et al. 2019): debate claims with perspective sentences that support
//! or undermine them, split into train, dev and test by claim.
//!
//! Every perspective sentence of a cluster becomes one item with the cluster's 3-way label
//! (`SUPPORT`, `UNDERMINE`); the claim is the item's target.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// One (claim, perspective) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PerspectrumItem {
    /// `c<claim id>-p<perspective id>`.
    pub id: String,
    /// The claim, the stance target.
    pub claim: String,
    /// The claim's id.
    pub claim_id: u64,
    /// The perspective sentence.
    pub text: String,
    /// `SUPPORT` or `UNDERMINE`.
    pub label: String,
}

#[derive(Deserialize)]
struct Claim {
    #[serde(rename = "cId")]
    id: u64,
    text: String,
    perspectives: Vec<Cluster>,
}

#[derive(Deserialize)]
struct Cluster {
    pids: Vec<u64>,
    stance_label_3: String,
}

#[derive(Deserialize)]
struct Perspective {
    #[serde(rename = "pId")]
    id: u64,
    text: String,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not the PERSPECTRUM format", path.display()))
}

/// The items of the claims in `split` (`train`, `dev` or `test`) from the PERSPECTRUM folder
/// `dir`, in claim-file order.
pub fn load(dir: &Path, split: &str) -> Result<Vec<PerspectrumItem>> {
    let splits: HashMap<String, String> = read_json(&dir.join("dataset_split_v1.0.json"))?;
    let claims: Vec<Claim> = read_json(&dir.join("perspectrum_with_answers_v1.0.json"))?;
    let pool: Vec<Perspective> = read_json(&dir.join("perspective_pool_v1.0.json"))?;
    let pool: HashMap<u64, String> = pool.into_iter().map(|p| (p.id, p.text)).collect();
    let mut items = Vec::new();
    for claim in claims {
        if splits.get(&claim.id.to_string()).map(String::as_str) != Some(split) {
            continue;
        }
        for cluster in &claim.perspectives {
            anyhow::ensure!(
                matches!(cluster.stance_label_3.as_str(), "SUPPORT" | "UNDERMINE"),
                "{}: claim {}: unknown stance '{}'",
                dir.display(),
                claim.id,
                cluster.stance_label_3
            );
            for pid in &cluster.pids {
                let text = pool.get(pid).with_context(|| {
                    format!(
                        "{}: claim {} cites perspective {pid}, which the pool lacks",
                        dir.display(),
                        claim.id
                    )
                })?;
                items.push(PerspectrumItem {
                    id: format!("c{}-p{pid}", claim.id),
                    claim: claim.text.clone(),
                    claim_id: claim.id,
                    text: text.clone(),
                    label: cluster.stance_label_3.clone(),
                });
            }
        }
    }
    anyhow::ensure!(
        !items.is_empty(),
        "{}: no claims in split '{split}'",
        dir.display()
    );
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_each_perspective_with_its_claim_within_one_split() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("dataset_split_v1.0.json"),
            r#"{"1": "train", "2": "test"}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("perspectrum_with_answers_v1.0.json"),
            r#"[{"cId": 1, "text": "Uniforms help.", "perspectives": [{"pids": [10, 11], "stance_label_3": "SUPPORT"}, {"pids": [12], "stance_label_3": "UNDERMINE"}]},
                {"cId": 2, "text": "Taxes hurt.", "perspectives": [{"pids": [13], "stance_label_3": "SUPPORT"}]}]"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("perspective_pool_v1.0.json"),
            r#"[{"pId": 10, "text": "a"}, {"pId": 11, "text": "b"}, {"pId": 12, "text": "c"}, {"pId": 13, "text": "d"}]"#,
        )
        .unwrap();
        let train = load(dir.path(), "train").unwrap();
        let got: Vec<(&str, &str, &str)> = train
            .iter()
            .map(|i| (i.id.as_str(), i.text.as_str(), i.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("c1-p10", "a", "SUPPORT"),
                ("c1-p11", "b", "SUPPORT"),
                ("c1-p12", "c", "UNDERMINE")
            ]
        );
        assert_eq!(load(dir.path(), "test").unwrap()[0].claim, "Taxes hurt.");
        assert!(load(dir.path(), "dev").is_err());
    }
}
