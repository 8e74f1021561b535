#!/usr/bin/env bash
# Scores the shipped fine-tuned cross-encoders on held-out data only (GWSD held-out test,
# PERSPECTRUM test claims, NewsMTSC devtest_rw and devtest_mt) and on the seed article, writing
# the reports under eval/reports/. Needs $STANCER_DATA (default ../shared/datasets). About a
# minute on 2 cores.
# The training commands of the models are in each models/*/classifier.json (`command`).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${STANCER_DATA:-../shared/datasets}"
cargo build --release --locked --quiet
eval_data() { target/release/stancer eval data "$@" --reports eval/reports; }

eval_data --task datasets/gwsd/task.toml --data "gwsd-test:$data/gwsd/GWSD.tsv" \
    --classifier models/stance-news
eval_data --task datasets/perspectrum/task.toml --data "perspectrum-test:$data/perspectrum" \
    --classifier models/stance-news
for split in devtest_rw devtest_mt; do
    eval_data --task datasets/newsmtsc/task.toml --data "newsmtsc:$data/newsmtsc/$split.jsonl" \
        --field sentiment --classifier models/sentiment-news
done

# The seed article (untuned): the default run with the fine-tuned stance and sentiment models.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
target/release/stancer run --quiet --classifier models/stance-news --sentiment models/sentiment-news \
    --out "$tmp/seed-run"
target/release/stancer eval stance --predictions "$tmp/seed-run" --reports eval/reports
