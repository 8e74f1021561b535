#!/usr/bin/env bash
# Runs a stancer benchmark and its Python baseline on the same inputs, batch sizes and thread
# counts, back to back, and prints them side by side with the ratio stancer/torch:
#
#     scripts/bench/compare.sh embed [FLAGS]          # vs sentence-transformers (texts/s)
#     scripts/bench/compare.sh cross-encoder [FLAGS]  # vs transformers (pairs/s)
#
# FLAGS go to `stancer bench embed|cross-encoder`, e.g.
#
#     HF_HUB_CACHE=/tmp/hfcache HF_HUB_OFFLINE=1 scripts/bench/compare.sh embed --min-seconds 5
#
# Dev-only (needs a Python with torch, transformers and sentence-transformers, e.g. the venv in
# scripts/fixtures/README.md). Environment: STANCER (binary, default target/release/stancer),
# PYTHON (default /tmp/pyref/bin/python), BENCH_OUT (where the JSON lands, default target/bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
stancer=${STANCER:-target/release/stancer}
python=${PYTHON:-/tmp/pyref/bin/python}
out=${BENCH_OUT:-target/bench}
kind=${1:?usage: compare.sh embed|cross-encoder [FLAGS]}
shift
mkdir -p "$out"
case "$kind" in
embed)
    "$stancer" bench embed --json --write-corpora "$out/corpora" "$@" > "$out/rust.json"
    "$python" scripts/bench/python_baseline.py "$out/rust.json" "$out/corpora" > "$out/python.json"
    "$python" scripts/bench/side_by_side.py "$out/rust.json" "$out/python.json"
    ;;
cross-encoder)
    "$stancer" bench cross-encoder --json --write-pairs "$out" "$@" > "$out/rust-ce.json"
    "$python" scripts/bench/python_cross_encoder.py "$out/rust-ce.json" "$out/pairs.jsonl" \
        > "$out/python-ce.json"
    "$python" scripts/bench/side_by_side.py "$out/rust-ce.json" "$out/python-ce.json"
    ;;
*)
    echo "unknown benchmark '$kind': embed or cross-encoder" >&2
    exit 2
    ;;
esac
