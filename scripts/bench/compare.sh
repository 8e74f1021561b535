#!/usr/bin/env bash
# Runs `stancer bench embed` and the sentence-transformers baseline on the same texts, batch sizes
# and thread counts, back to back, and prints them side by side with the ratio stancer/torch.
# Dev-only (needs a Python with torch and sentence-transformers, e.g. the venv in
# scripts/fixtures/README.md). Extra arguments go to `stancer bench embed`, e.g.
#
#     HF_HUB_CACHE=/tmp/hfcache HF_HUB_OFFLINE=1 scripts/bench/compare.sh --min-seconds 5
#
# Environment: STANCER (binary, default target/release/stancer), PYTHON (default
# /tmp/pyref/bin/python), BENCH_OUT (where the JSON lands, default target/bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
stancer=${STANCER:-target/release/stancer}
python=${PYTHON:-/tmp/pyref/bin/python}
out=${BENCH_OUT:-target/bench}
mkdir -p "$out"
"$stancer" bench embed --json --write-corpora "$out/corpora" "$@" > "$out/rust.json"
"$python" scripts/bench/python_baseline.py "$out/rust.json" "$out/corpora" > "$out/python.json"
"$python" scripts/bench/side_by_side.py "$out/rust.json" "$out/python.json"
