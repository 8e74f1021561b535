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

# Fine-tuning on the GPU: the same LoRA training steps (SemEval tweet/target pairs) on CUDA and
# on the CPU, and a shipped cross-encoder's predictions on both (needs $STANCER_DATA).
./target/release/stancer bench fine-tune --device cuda --offline --threads 1
./target/release/stancer bench fine-tune --device cpu --offline --threads 2
trial="semeval:${STANCER_DATA:-../shared/datasets}/semeval2016-task6/trialdata-all-annotations.txt"
for device in cuda cpu; do
    ./target/release/stancer eval data --task datasets/semeval2016-stance/task.toml --data "$trial" \
        --classifier models/semeval-stance-ft --device "$device" --offline \
        --reports "${OUT:-/tmp}/gpu-$device" > /dev/null
done
python3 - "${OUT:-/tmp}" <<'PY'
import glob, json, sys
rows = {}
for device in ("cuda", "cpu"):
    path = glob.glob(f"{sys.argv[1]}/gpu-{device}/*/semeval-stance-ft/report.json")[0]
    rows[device] = {i["id"]: (i["predicted"], i["confidence"]) for i in json.load(open(path))["items"]}
same = sum(rows["cuda"][k][0] == rows["cpu"][k][0] for k in rows["cpu"])
worst = max(abs(rows["cuda"][k][1] - rows["cpu"][k][1]) for k in rows["cpu"])
print(f"fine-tuned classifier cuda vs cpu: {same}/{len(rows['cpu'])} labels equal, max |Δ confidence| {worst:.2e}")
PY
