#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and the CUDA toolkit (run from the repo root).
# Builds with `--features cuda`, runs the parity tests on CPU for reference, then embeds and
# benchmarks on the GPU. The model must already be in the hub cache (HF_HUB_CACHE) or in
# --model-dir, since GPU machines here have no network: copy it there with the working tree.
set -euo pipefail
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
cargo build --release --features cuda
cargo test --release --features cuda --test cross_encoder_parity --test embedding_parity
# CUDA in f32 and in its default bf16 (--dtype auto), each against the CPU's f32.
./target/release/stancer embed --device cpu --offline -o "${OUT:-/tmp}/seed-cpu.jsonl"
for dtype in f32 bf16; do
    ./target/release/stancer embed --device cuda --dtype "$dtype" --offline -o "${OUT:-/tmp}/seed-cuda-$dtype.jsonl"
done
python3 - "${OUT:-/tmp}" <<'PY'
import json, sys
cpu = [json.loads(l)["embedding"] for l in open(f"{sys.argv[1]}/seed-cpu.jsonl")]
for dtype in ("f32", "bf16"):
    gpu = [json.loads(l)["embedding"] for l in open(f"{sys.argv[1]}/seed-cuda-{dtype}.jsonl")]
    worst = max(abs(a - b) for g, c in zip(gpu, cpu) for a, b in zip(g, c))
    cos = min(sum(a * b for a, b in zip(g, c)) for g, c in zip(gpu, cpu))
    print(f"cuda {dtype} vs cpu f32: {len(gpu)} embeddings, max abs diff {worst:.2e}, min cosine {cos:.6f}")
PY
for dtype in f32 bf16; do
    ./target/release/stancer bench embed --device cuda --dtype "$dtype" --offline --batch-sizes 1,8,32,64
done

# Fine-tuning on the GPU: the same LoRA training steps (SemEval tweet/target pairs) on CUDA and
# on the CPU, and a shipped cross-encoder's predictions on both (needs $STANCER_DATA).
./target/release/stancer bench fine-tune --device cuda --offline --threads 1
./target/release/stancer bench fine-tune --device cpu --offline --threads 2
trial="semeval:${STANCER_DATA:-../shared/datasets}/semeval2016-task6/trialdata-all-annotations.txt"
for run in cuda:f32 cuda:bf16 cpu:f32; do
    ./target/release/stancer eval data --task datasets/semeval2016-stance/task.toml --data "$trial" \
        --classifier models/semeval-stance-ft --device "${run%:*}" --dtype "${run#*:}" --offline \
        --reports "${OUT:-/tmp}/gpu-${run/:/-}" > /dev/null
done
python3 - "${OUT:-/tmp}" <<'PY'
import glob, json, sys
rows = {}
for run in ("cuda-f32", "cuda-bf16", "cpu-f32"):
    path = glob.glob(f"{sys.argv[1]}/gpu-{run}/*/semeval-stance-ft/report.json")[0]
    rows[run] = {i["id"]: (i["predicted"], i["confidence"]) for i in json.load(open(path))["items"]}
cpu = rows["cpu-f32"]
for run in ("cuda-f32", "cuda-bf16"):
    same = sum(rows[run][k][0] == cpu[k][0] for k in cpu)
    worst = max(abs(rows[run][k][1] - cpu[k][1]) for k in cpu)
    print(f"fine-tuned classifier {run} vs cpu f32: {same}/{len(cpu)} labels equal, max |Δ confidence| {worst:.2e}")
PY
