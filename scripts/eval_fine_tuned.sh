#!/usr/bin/env bash
# Scores the shipped fine-tuned cross-encoders on held-out data only (GWSD held-out test,
# PERSPECTRUM test claims, NewsMTSC devtest_rw and devtest_mt) and writes the reports under
# eval/reports/. Needs $STANCER_DATA (default ../shared/datasets). A few minutes on 2 cores.
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
