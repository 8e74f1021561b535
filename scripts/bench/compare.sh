#!/usr/bin/env bash
# Runs a stancer benchmark and its Python baseline on the same inputs, batch sizes and thread
# counts, back to back, and prints them side by side with the ratio stancer/torch:
#
#     scripts/bench/compare.sh embed [FLAGS]          # vs sentence-transformers (texts/s)
#     scripts/bench/compare.sh cross-encoder [FLAGS]  # vs transformers (pairs/s)
#     scripts/bench/compare.sh fine-tune [FLAGS]      # vs transformers + peft (training examples/s)
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
fine-tune)
    # The same examples, batch size, token limit, LoRA shape and dropout, 2 threads each.
    "$stancer" bench fine-tune --json --threads 2 --write-examples "$out" "$@" > "$out/rust-ft.json"
    model=$("$stancer" models path all-minilm-l6-v2)
    "$python" scripts/bench/python_finetune.py --model "$model" --examples "$out/examples.jsonl" \
        --mode lora --threads 2 > "$out/python-ft.json"
    "$python" - "$out/rust-ft.json" "$out/python-ft.json" <<'PY'
import json, sys
rust, torch = (json.load(open(p)) for p in sys.argv[1:3])
r, t = rust["runs"][0]["examples_per_second"], torch["examples_per_second"]
print(f"LoRA fine-tuning, 2 threads: stancer {r:.1f} examples/s, torch {t:.1f} examples/s, ratio {r / t:.2f}")
PY
    ;;
*)
    echo "unknown benchmark '$kind': embed, cross-encoder or fine-tune" >&2
    exit 2
    ;;
esac
