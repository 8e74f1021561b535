#!/usr/bin/env bash
# Regenerates the committed baseline reports under eval/reports/ (see eval/README.md).
# Run from the repository root after a model, a rule or a metric changes, then review the diff.
# Needs $STANCER_DATA (default ../shared/datasets) for the SemEval and PolNeAR reports; fetches
# all-MiniLM-L6-v2 if it is not cached. Takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${STANCER_DATA:-../shared/datasets}"
semeval="$data/semeval2016-task6/trainingdata-all-annotations.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cargo build --release --locked --quiet
stancer=target/release/stancer
# Float results repeat byte for byte on the same CPU platform (matmul kernel, cache sizes);
# tests compare the reports exactly there and to rounding elsewhere.
"$stancer" models platform > eval/reports/PLATFORM

# Seed article: stance and sentiment of the default run.
"$stancer" run --quiet --out "$tmp/seed-run"
"$stancer" eval stance --predictions "$tmp/seed-run" --reports eval/reports

# SemEval-2016 Task 6, training split only: out-of-fold predictions of 5-fold cross-validation.
"$stancer" train --task datasets/semeval2016-stance/task.toml --data "semeval:$semeval" \
    --per-target --text-norm tweet --c 0.25,0.5,1,2 --out "$tmp/semeval-stance-per-target-train" --reports eval/reports --no-report-text
"$stancer" train --task datasets/semeval2016-stance/task.toml --data "semeval:$semeval" \
    --features text-and-target --text-norm tweet --c 0.25,0.5,1,2 --out "$tmp/semeval-stance-conditioned-train" --reports eval/reports --no-report-text
"$stancer" train --task datasets/semeval2016-sentiment/task.toml --data "semeval:$semeval" \
    --field sentiment --text-norm tweet --c 0.25,1,4 --out "$tmp/semeval-sentiment-train" --reports eval/reports --no-report-text

# The bi-encoder similarity baseline on the same split (no training involved).
"$stancer" eval data --task datasets/semeval2016-stance/task.toml --data "semeval:$semeval" --method similarity --no-report-text

# Quote extraction on PolNeAR dev.
"$stancer" eval quotes --dataset polnear --split dev
# The learned span tagger (models/polnear-tagger), alone and with the rules, on dev; and all three
# extractors on the train documents the tagger was not trained on (where its choices were made).
for extractor in learned both; do
    "$stancer" eval quotes --dataset polnear --split dev --extractor "$extractor"
done
for extractor in rules learned both; do
    "$stancer" eval quotes --dataset polnear --split train --held-out models/polnear-tagger --extractor "$extractor"
done
