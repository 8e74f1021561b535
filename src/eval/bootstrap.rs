//! Seeded bootstrap confidence intervals and a paired bootstrap test between two systems.
//!
//! Method (write this in a paper's methods section as is):
//! * **Resampling**: each of `resamples` (at least [`MIN_RESAMPLES`]) bootstrap samples draws
//!   `n` item indices uniformly with replacement from the `n` scored items (the nonparametric
//!   bootstrap over items). The metric closure receives the index set and computes the metric on
//!   the (gold, prediction) pairs at those indices; the point estimate is the metric on all items.
//! * **Interval**: the percentile method: the (1 − c)/2 and (1 + c)/2 quantiles of the bootstrap
//!   distribution, c the confidence level (default 0.95), using linear interpolation between
//!   order statistics (Hyndman & Fan type 7, NumPy's default `percentile`).
//! * **Undefined resamples**: a resample on which the metric is undefined (the closure returns
//!   `None` or a non-finite value, e.g. kappa when a resample holds one label only) is dropped
//!   and counted in `undefined_resamples`; quantiles use the remaining ones.
//! * **Randomness**: ChaCha20 from `rand_chacha`, keyed with the seed's 8 little-endian bytes
//!   followed by 24 zero bytes (stream 0); indices come from 64-bit outputs by Lemire's unbiased
//!   multiply-and-reject method. The same seed, `n` and resample count give the same index sets
//!   on every platform and for every metric, so intervals of different metrics (and both systems
//!   of a paired test) are computed on identical resamples.

use crate::metrics::MetricsError;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

/// Fewest resamples accepted: fewer make the 2.5% and 97.5% quantiles too noisy to publish.
pub const MIN_RESAMPLES: usize = 1000;

/// Method name written into results, so a report says how its intervals were made.
const METHOD: &str = "bootstrap-percentile";

/// How to resample; the seed has no default so every published interval names its seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapConfig {
    /// Number of bootstrap samples (at least [`MIN_RESAMPLES`]).
    pub resamples: usize,
    /// Confidence level of the interval, strictly between 0 and 1.
    pub confidence: f64,
    /// Seed of the ChaCha20 generator.
    pub seed: u64,
}

impl BootstrapConfig {
    /// 1,000 resamples and a 95% interval, the defaults the evaluation reports use.
    pub fn new(seed: u64) -> Self {
        BootstrapConfig {
            resamples: MIN_RESAMPLES,
            confidence: 0.95,
            seed,
        }
    }

    fn validate(&self) -> Result<(), MetricsError> {
        if self.resamples < MIN_RESAMPLES {
            return Err(MetricsError::InvalidArgument(format!(
                "{} bootstrap resamples requested; use at least {MIN_RESAMPLES}",
                self.resamples
            )));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(MetricsError::InvalidArgument(format!(
                "confidence level {} must lie strictly between 0 and 1 (e.g. 0.95)",
                self.confidence
            )));
        }
        Ok(())
    }
}

/// A metric's value on all items with its bootstrap percentile interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceInterval {
    /// The metric on all items.
    pub estimate: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Resamples drawn (including undefined ones).
    pub resamples: usize,
    /// Resamples dropped because the metric was undefined on them.
    pub undefined_resamples: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// How the interval was made ("bootstrap-percentile").
    pub method: String,
}

/// Paired bootstrap comparison of systems A and B scored on the same items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedBootstrapTest {
    /// Metric of system A on all items.
    pub estimate_a: f64,
    /// Metric of system B on all items.
    pub estimate_b: f64,
    /// `estimate_a − estimate_b`.
    pub delta: f64,
    /// Lower bound of the percentile interval of the difference.
    pub delta_lower: f64,
    /// Upper bound of the percentile interval of the difference.
    pub delta_upper: f64,
    /// Two-sided p-value for "no difference": min(1, 2·(1 + k)/(B + 1)), k the number of
    /// defined resamples whose difference lies on the far side of 0 (k = min(#δ* ≤ 0, #δ* ≥ 0)),
    /// B the number of defined resamples. This inverts the percentile interval (the interval at
    /// level 1 − p just reaches 0), with the usual +1 correction so a Monte Carlo p is never 0.
    pub p_value: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Resamples drawn (including undefined ones).
    pub resamples: usize,
    /// Resamples dropped because either system's metric was undefined on them.
    pub undefined_resamples: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// How the test was made ("bootstrap-percentile").
    pub method: String,
}

/// Bootstrap percentile interval for `metric`, a closure from an index set into the `n_items`
/// aligned (gold, prediction) pairs to the metric's value (`None` where undefined).
///
/// Errors when `n_items` is 0, the configuration is out of range, the metric is undefined on
/// all items, or on every resample.
pub fn bootstrap_ci<F>(
    n_items: usize,
    config: &BootstrapConfig,
    mut metric: F,
) -> Result<ConfidenceInterval, MetricsError>
where
    F: FnMut(&[usize]) -> Option<f64>,
{
    let dist = distribution(n_items, config, &mut metric)?;
    let (lower, upper) = interval(&dist.values, config.confidence);
    Ok(ConfidenceInterval {
        estimate: dist.estimate,
        lower,
        upper,
        confidence: config.confidence,
        resamples: config.resamples,
        undefined_resamples: dist.undefined,
        seed: config.seed,
        method: METHOD.to_string(),
    })
}

/// Paired bootstrap test of `metric_a − metric_b`: both closures see the same index set on
/// each resample, so item difficulty cancels out (Koehn 2004; Berg-Kirkpatrick et al. 2012).
pub fn paired_bootstrap<FA, FB>(
    n_items: usize,
    config: &BootstrapConfig,
    mut metric_a: FA,
    mut metric_b: FB,
) -> Result<PairedBootstrapTest, MetricsError>
where
    FA: FnMut(&[usize]) -> Option<f64>,
    FB: FnMut(&[usize]) -> Option<f64>,
{
    let everything: Vec<usize> = (0..n_items).collect();
    let estimate_a = full_sample(&mut metric_a, &everything, "system A's metric")?;
    let estimate_b = full_sample(&mut metric_b, &everything, "system B's metric")?;
    let dist = distribution(n_items, config, &mut |idx: &[usize]| {
        Some(defined(metric_a(idx))? - defined(metric_b(idx))?)
    })?;
    let (delta_lower, delta_upper) = interval(&dist.values, config.confidence);
    let at_most_zero = dist.values.iter().filter(|&&d| d <= 0.0).count();
    let at_least_zero = dist.values.iter().filter(|&&d| d >= 0.0).count();
    let far_side = at_most_zero.min(at_least_zero);
    let p_value = (2.0 * (1 + far_side) as f64 / (dist.values.len() + 1) as f64).min(1.0);
    Ok(PairedBootstrapTest {
        estimate_a,
        estimate_b,
        delta: dist.estimate,
        delta_lower,
        delta_upper,
        p_value,
        confidence: config.confidence,
        resamples: config.resamples,
        undefined_resamples: dist.undefined,
        seed: config.seed,
        method: METHOD.to_string(),
    })
}

/// A metric's value on all items and its defined bootstrap values, sorted ascending.
struct Distribution {
    estimate: f64,
    values: Vec<f64>,
    undefined: usize,
}

fn distribution(
    n_items: usize,
    config: &BootstrapConfig,
    metric: &mut dyn FnMut(&[usize]) -> Option<f64>,
) -> Result<Distribution, MetricsError> {
    config.validate()?;
    if n_items == 0 {
        return Err(MetricsError::Empty("a bootstrap interval"));
    }
    let everything: Vec<usize> = (0..n_items).collect();
    let estimate = full_sample(metric, &everything, "the metric")?;
    let mut rng = ChaCha20Rng::from_seed(key(config.seed));
    let mut indices = vec![0usize; n_items];
    let mut values = Vec::with_capacity(config.resamples);
    for _ in 0..config.resamples {
        for slot in indices.iter_mut() {
            *slot = below(&mut rng, n_items as u64) as usize;
        }
        if let Some(v) = defined(metric(&indices)) {
            values.push(v);
        }
    }
    if values.is_empty() {
        return Err(MetricsError::Undefined(format!(
            "the metric is undefined on all {} bootstrap resamples",
            config.resamples
        )));
    }
    values.sort_by(f64::total_cmp);
    Ok(Distribution {
        estimate,
        undefined: config.resamples - values.len(),
        values,
    })
}

fn full_sample(
    metric: &mut dyn FnMut(&[usize]) -> Option<f64>,
    everything: &[usize],
    what: &str,
) -> Result<f64, MetricsError> {
    defined(metric(everything)).ok_or_else(|| {
        MetricsError::Undefined(format!(
            "{what} is undefined on the full set of {} items, so it has no interval",
            everything.len()
        ))
    })
}

fn defined(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// The 32-byte ChaCha20 key: the seed's little-endian bytes, then zeros.
fn key(seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key
}

/// A uniform integer in `0..n` (n > 0) by Lemire's multiply-and-reject: exact, and independent
/// of any `rand` version's sampling code, so resamples never change with a dependency update.
fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    let threshold = n.wrapping_neg() % n; // 2^64 mod n
    loop {
        let product = rng.next_u64() as u128 * n as u128;
        if product as u64 >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// Percentile interval at `confidence` over ascending `sorted` values.
fn interval(sorted: &[f64], confidence: f64) -> (f64, f64) {
    let tail = (1.0 - confidence) / 2.0;
    (quantile(sorted, tail), quantile(sorted, 1.0 - tail))
}

/// Hyndman–Fan type 7 quantile (NumPy's default) of non-empty ascending `sorted`.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accuracy over a fixed correctness vector, the simplest metric to resample.
    fn accuracy(correct: &[bool]) -> impl FnMut(&[usize]) -> Option<f64> + '_ {
        |idx| Some(idx.iter().filter(|&&i| correct[i]).count() as f64 / idx.len() as f64)
    }

    #[test]
    fn type_7_quantiles() {
        // h = (5 − 1)·q: q = .25 → h = 1 → 2; q = .1 → h = .4 → 1 + .4·(2 − 1) = 1.4.
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.25), 2.0);
        assert!((quantile(&xs, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(quantile(&xs, 1.0), 5.0);
        assert_eq!(quantile(&[7.0], 0.975), 7.0);
    }

    #[test]
    fn same_seed_same_interval_and_seed_matters() {
        let correct: Vec<bool> = (0..50).map(|i| i % 3 != 0).collect();
        let cfg = BootstrapConfig::new(7);
        let a = bootstrap_ci(50, &cfg, accuracy(&correct)).unwrap();
        let b = bootstrap_ci(50, &cfg, accuracy(&correct)).unwrap();
        assert_eq!(a, b);
        let c = bootstrap_ci(50, &BootstrapConfig::new(8), accuracy(&correct)).unwrap();
        assert_ne!((a.lower, a.upper), (c.lower, c.upper));
        assert_eq!(a.estimate, 33.0 / 50.0); // 17 of 0..50 are multiples of 3
        assert!(a.lower < a.estimate && a.estimate < a.upper);
        assert_eq!((a.resamples, a.undefined_resamples, a.seed), (1000, 0, 7));
        // Pinned: a change here means published intervals would no longer reproduce.
        assert_eq!((a.lower, a.upper), (0.52, 0.7804999999999995));
    }

    #[test]
    fn interval_matches_normal_approximation() {
        // 400 items, 300 correct: standard error sqrt(.75·.25/400) ≈ 0.02165, so the 95%
        // interval should be close to .75 ± 1.96·0.02165 = [0.7076, 0.7924].
        let correct: Vec<bool> = (0..400).map(|i| i % 4 != 0).collect();
        let cfg = BootstrapConfig {
            resamples: 4000,
            ..BootstrapConfig::new(2016)
        };
        let ci = bootstrap_ci(400, &cfg, accuracy(&correct)).unwrap();
        assert!((ci.lower - 0.7076).abs() < 0.01, "{ci:?}");
        assert!((ci.upper - 0.7924).abs() < 0.01, "{ci:?}");
    }

    #[test]
    fn undefined_resamples_are_dropped_and_counted() {
        // Undefined when every drawn index is the same: probability 2·(1/2)² = 1/2 for n = 2.
        let cfg = BootstrapConfig::new(1);
        let ci = bootstrap_ci(2, &cfg, |idx| (idx[0] != idx[1]).then_some(1.0)).unwrap();
        assert!(
            ci.undefined_resamples > 400 && ci.undefined_resamples < 600,
            "{ci:?}"
        );
        assert_eq!((ci.lower, ci.upper), (1.0, 1.0));
        // Undefined on all items: no interval.
        assert!(bootstrap_ci(3, &cfg, |_| None).is_err());
        assert!(bootstrap_ci(3, &cfg, |_| Some(f64::NAN)).is_err());
    }

    #[test]
    fn bad_configuration_is_an_error() {
        let few = BootstrapConfig {
            resamples: 999,
            ..BootstrapConfig::new(0)
        };
        assert!(bootstrap_ci(10, &few, |_| Some(0.0)).is_err());
        for confidence in [0.0, 1.0, f64::NAN, 95.0] {
            let cfg = BootstrapConfig {
                confidence,
                ..BootstrapConfig::new(0)
            };
            assert!(bootstrap_ci(10, &cfg, |_| Some(0.0)).is_err());
        }
        assert_eq!(
            bootstrap_ci(0, &BootstrapConfig::new(0), |_| Some(0.0)).unwrap_err(),
            MetricsError::Empty("a bootstrap interval")
        );
    }

    #[test]
    fn indices_are_uniform_and_in_range() {
        let mut rng = ChaCha20Rng::from_seed(key(3));
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[below(&mut rng, 3) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
        assert_eq!(below(&mut rng, 1), 0);
        // Pinned start of the index stream for seed 2016 (ChaCha20 key = seed LE bytes + zeros).
        let mut rng = ChaCha20Rng::from_seed(key(2016));
        let first: Vec<u64> = (0..6).map(|_| below(&mut rng, 1000)).collect();
        assert_eq!(first, vec![965, 929, 73, 782, 847, 120]);
    }

    #[test]
    fn paired_test_separates_clear_differences_only() {
        // A right on 90 of 100 items, B on 60: a 0.3 gap is far outside resampling noise.
        let a: Vec<bool> = (0..100).map(|i| i % 10 != 0).collect();
        let b: Vec<bool> = (0..100).map(|i| i % 10 < 6).collect();
        let cfg = BootstrapConfig::new(5);
        let t = paired_bootstrap(100, &cfg, accuracy(&a), accuracy(&b)).unwrap();
        assert!((t.delta - 0.3).abs() < 1e-12);
        assert_eq!(t.p_value, 2.0 / 1001.0);
        assert!(t.delta_lower > 0.0 && t.delta_upper > t.delta_lower);
        // Identical systems: every difference is 0, so p = 1.
        let same = paired_bootstrap(100, &cfg, accuracy(&a), accuracy(&a)).unwrap();
        assert_eq!((same.delta, same.p_value), (0.0, 1.0));
    }
}
