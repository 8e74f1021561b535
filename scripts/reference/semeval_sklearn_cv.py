"""Reference figures for `stancer train` on SemEval-2016 Task 6 (dev-only; run once by hand).

The same protocol as `stancer train --per-target` (all-MiniLM-L6-v2 mean-pooled, L2-normalised
embeddings; one multinomial logistic regression per target; 5-fold stratified cross-validation;
pooled F_avg = mean of F1(FAVOR) and F1(AGAINST) over all out-of-fold predictions), computed with
sentence-transformers and scikit-learn, so the Rust head can be compared with the usual Python
stack on the same data. Folds differ from stancer's (different shuffling), so expect differences
of about ±0.01 from fold assignment alone; the script prints the spread over five fold seeds.

Usage: python scripts/reference/semeval_sklearn_cv.py [TRAIN_TSV] [MODEL_DIR]
"""

import sys

import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/semeval2016-task6/trainingdata-all-annotations.txt"
model_dir = sys.argv[2] if len(sys.argv) > 2 else "sentence-transformers/all-MiniLM-L6-v2"

rows = []
with open(path, encoding="utf-8", errors="replace") as f:
    next(f)
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 4:
            rows.append((parts[1], parts[2], parts[3]))
targets = np.array([r[0] for r in rows])
texts = [r[1] for r in rows]
labels = np.array([r[2] for r in rows])

model = SentenceTransformer(model_dir, device="cpu")
x = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


def f_avg(gold, pred):
    f = f1_score(gold, pred, labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    return f.mean()


for balanced in (True, False):
    for c in (0.25, 0.5, 1.0, 2.0, 4.0):
        scores = []
        for seed in range(5):
            pred = np.empty(len(rows), dtype=object)
            for t in sorted(set(targets)):
                idx = np.where(targets == t)[0]
                skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
                for tr, te in skf.split(idx, labels[idx]):
                    clf = LogisticRegression(
                        C=c,
                        max_iter=2000,
                        class_weight="balanced" if balanced else None,
                    )
                    clf.fit(x[idx[tr]], labels[idx[tr]])
                    pred[idx[te]] = clf.predict(x[idx[te]])
            scores.append(f_avg(labels, pred))
        print(
            f"balanced={balanced!s:<5} C={c:<5} pooled F_avg mean {np.mean(scores):.4f} "
            f"(min {np.min(scores):.4f}, max {np.max(scores):.4f}, 5 fold seeds)",
            flush=True,
        )
