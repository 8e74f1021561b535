#!/usr/bin/env bash
# One stancer shard per Slurm array task, then one merge: the merged outputs are those of a single
# `stancer run` over the whole corpus, byte for byte.
#
#   sbatch --array=1-16 scripts/scale/slurm_array.sh CORPUS_DIR OUT_DIR   # the shards
#   stancer merge OUT_DIR/shard-*/ --out OUT_DIR/merged                   # after they finish
#
# A preempted or killed task is resubmitted as is: --resume continues it from its checkpoint.
# Every task reads the whole corpus (to know each document's position) and classifies only its
# share (documents whose id hashes to it). Flags after OUT_DIR are passed to every shard; give all
# shards the same ones, or the merge refuses them as shards of different runs.
#SBATCH --job-name=stancer
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
set -euo pipefail
corpus="${1:?corpus directory or file}"
out="${2:?output directory}"
shift 2
count="${SLURM_ARRAY_TASK_COUNT:?run as a Slurm array job: sbatch --array=1-N}"
task="${SLURM_ARRAY_TASK_ID:?run as a Slurm array job}"
dir="$out/shard-$task-of-$count"
resume=()
[[ -f "$dir/.stancer-checkpoint.jsonl" ]] && resume=(--resume)
exec stancer run "$corpus" --shard "$task/$count" --out "$dir" --quiet "${resume[@]}" "$@"
