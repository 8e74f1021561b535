#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and the CUDA toolkit (run from the repo root).
# Builds with `--features cuda`, runs the parity tests on CPU for reference, then embeds and
# benchmarks on the GPU. The model must already be in the hub cache (HF_HUB_CACHE) or in
# --model-dir, since GPU machines here have no network: copy it there with the working tree.
set -euo pipefail
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
cargo build --release --features cuda
cargo test --release --features cuda --test cross_encoder_parity --test embedding_parity
./target/release/stancer embed --device cuda --offline -o "${OUT:-/tmp}/seed-cuda.jsonl"
./target/release/stancer embed --device cpu --offline -o "${OUT:-/tmp}/seed-cpu.jsonl"
python3 - "${OUT:-/tmp}/seed-cuda.jsonl" "${OUT:-/tmp}/seed-cpu.jsonl" <<'PY'
import json, sys
gpu = [json.loads(l)["embedding"] for l in open(sys.argv[1])]
cpu = [json.loads(l)["embedding"] for l in open(sys.argv[2])]
worst = max(abs(a - b) for g, c in zip(gpu, cpu) for a, b in zip(g, c))
print(f"cuda vs cpu: {len(gpu)} embeddings, max abs diff {worst:.2e}")
PY
./target/release/stancer bench embed --device cuda --offline --batch-sizes 1,8,32,64
