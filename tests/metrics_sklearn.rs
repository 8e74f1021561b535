//! The metrics library against scikit-learn 1.9.1 and krippendorff 0.9.0 on every case of
//! `tests/fixtures/metrics/sklearn_reference.json` (made by `scripts/fixtures/metrics_reference.py`):
//! random label vectors plus empty-class, single-class, length-1 and total-disagreement cases.

use serde::Deserialize;
use stancer::metrics::{
    agreement, classification_report, cohen_kappa, confusion_matrix, krippendorff_alpha_nominal,
};

const TOLERANCE: f64 = 1e-9;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: u64,
    kind: String,
    labels: Vec<String>,
    y_true: Vec<String>,
    y_pred: Vec<String>,
    per_class: PerClass,
    accuracy: f64,
    #[serde(rename = "macro")]
    macro_avg: Averages,
    weighted: Averages,
    confusion_matrix: Vec<Vec<u64>>,
    cohen_kappa: Option<f64>,
    krippendorff_alpha: Option<f64>,
    f_avg_labels: Option<[String; 2]>,
    f_avg: Option<f64>,
}

#[derive(Deserialize)]
struct PerClass {
    precision: Vec<f64>,
    recall: Vec<f64>,
    f1: Vec<f64>,
    support: Vec<u64>,
}

#[derive(Deserialize)]
struct Averages {
    precision: f64,
    recall: f64,
    f1: f64,
}

/// Compares floats to [`TOLERANCE`], remembering the largest deviation seen.
struct Checker {
    max_deviation: f64,
    compared: usize,
}

impl Checker {
    fn float(&mut self, case: &Case, what: &str, ours: f64, theirs: f64) {
        let deviation = (ours - theirs).abs();
        self.max_deviation = self.max_deviation.max(deviation);
        self.compared += 1;
        assert!(
            deviation <= TOLERANCE,
            "case {} ({}): {what} is {ours}, scikit-learn says {theirs}",
            case.id,
            case.kind
        );
    }

    fn optional(&mut self, case: &Case, what: &str, ours: Option<f64>, theirs: Option<f64>) {
        match (ours, theirs) {
            (Some(o), Some(t)) => self.float(case, what, o, t),
            (None, None) => self.compared += 1,
            _ => panic!(
                "case {} ({}): {what} is {ours:?}, reference says {theirs:?}",
                case.id, case.kind
            ),
        }
    }
}

#[test]
fn matches_scikit_learn_and_krippendorff() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics/sklearn_reference.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let fixture: Fixture = serde_json::from_str(&text).expect("malformed reference fixture");
    assert!(
        fixture.cases.len() >= 220,
        "only {} cases",
        fixture.cases.len()
    );

    let mut check = Checker {
        max_deviation: 0.0,
        compared: 0,
    };
    let mut f_avg_cases = 0;
    for case in &fixture.cases {
        let (labels, gold, pred) = (&case.labels, &case.y_true, &case.y_pred);
        let report = classification_report(gold, pred, labels).unwrap();

        assert_eq!(
            report.confusion_matrix.counts, case.confusion_matrix,
            "case {}: confusion matrix",
            case.id
        );
        assert_eq!(&report.confusion_matrix.labels, labels);
        assert_eq!(
            confusion_matrix(gold, pred, labels).unwrap(),
            report.confusion_matrix
        );
        for (i, class) in report.per_class.iter().enumerate() {
            assert_eq!(class.label, labels[i]);
            assert_eq!(
                class.support, case.per_class.support[i],
                "case {}: support of {}",
                case.id, class.label
            );
            let what = |m: &str| format!("{m} of {}", class.label);
            check.float(
                case,
                &what("precision"),
                class.precision,
                case.per_class.precision[i],
            );
            check.float(
                case,
                &what("recall"),
                class.recall,
                case.per_class.recall[i],
            );
            check.float(case, &what("F1"), class.f1, case.per_class.f1[i]);
        }
        assert_eq!(report.support, gold.len() as u64);
        check.float(case, "accuracy", report.accuracy, case.accuracy);
        for (name, ours, theirs) in [
            ("macro", &report.macro_avg, &case.macro_avg),
            ("weighted", &report.weighted_avg, &case.weighted),
        ] {
            check.float(
                case,
                &format!("{name} precision"),
                ours.precision,
                theirs.precision,
            );
            check.float(case, &format!("{name} recall"), ours.recall, theirs.recall);
            check.float(case, &format!("{name} F1"), ours.f1, theirs.f1);
        }

        let kappa = cohen_kappa(gold, pred, labels).unwrap();
        check.optional(case, "Cohen's kappa", kappa, case.cohen_kappa);
        let alpha = krippendorff_alpha_nominal(gold, pred, labels).unwrap();
        check.optional(case, "Krippendorff's alpha", alpha, case.krippendorff_alpha);
        let both = agreement(gold, pred, labels).unwrap();
        assert_eq!((both.cohen_kappa, both.krippendorff_alpha), (kappa, alpha));

        match (&case.f_avg_labels, case.f_avg) {
            (Some([favor, against]), Some(f_avg)) => {
                f_avg_cases += 1;
                check.float(case, "F_avg", report.f_avg(favor, against).unwrap(), f_avg);
            }
            (None, None) => {}
            _ => panic!(
                "case {}: f_avg and f_avg_labels must come together",
                case.id
            ),
        }
    }
    assert!(f_avg_cases > 0, "no F_avg case in the fixture");
    println!(
        "compared {} cases ({} values, {f_avg_cases} with F_avg) to scikit-learn/krippendorff; \
         max deviation {:e}",
        fixture.cases.len(),
        check.compared,
        check.max_deviation
    );
}
