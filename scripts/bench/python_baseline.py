"""The Python baseline for `stancer bench embed`: the same texts, batch sizes and thread counts
through sentence-transformers on torch CPU (fp32), written as comparable JSON.

Dev-only (CI never runs it). It reads the settings and the corpora of a Rust run, so both sides
measure exactly the same thing:

    stancer bench embed --json --write-corpora target/bench/corpora > target/bench/rust.json
    python scripts/bench/python_baseline.py target/bench/rust.json target/bench/corpora \\
        > target/bench/python.json

scripts/bench/compare.sh runs both and prints the table.
"""

import json
import os
import sys
import time
from pathlib import Path

from bench_common import run_workers, time_passes, worker_report


def read_corpora(directory):
    corpora = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
        corpora.append((path.stem, texts))
    return corpora


def worker(settings_path, corpora_dir, threads):
    """Measures every corpus and batch size with `threads` threads; prints one JSON object."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    settings = json.loads(Path(settings_path).read_text())
    start = time.perf_counter()
    model = SentenceTransformer(settings["repo"], revision=settings["revision"], device="cpu")
    model.max_seq_length = 256
    load_seconds = time.perf_counter() - start
    rows = []
    with torch.inference_mode():
        for name, texts in read_corpora(corpora_dir):
            tokens = sum(len(ids) for ids in model.tokenize(texts)["input_ids"])
            for batch_size in settings["batch_sizes"]:
                encode = lambda: model.encode(  # noqa: E731
                    texts, batch_size=batch_size, normalize_embeddings=True
                )
                passes, seconds = time_passes(encode, settings["min_seconds"])
                rows.append(
                    {
                        "corpus": name,
                        "texts": len(texts),
                        "mean_tokens": tokens / max(len(texts), 1),
                        "batch_size": batch_size,
                        "passes": passes,
                        "seconds": seconds,
                        "texts_per_second": passes * len(texts) / seconds,
                    }
                )
    worker_report(torch.get_num_threads(), rows, load_seconds=load_seconds)


def main():
    if sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    settings_path, corpora_dir = sys.argv[1], sys.argv[2]
    settings = json.loads(Path(settings_path).read_text())
    import sentence_transformers
    import torch

    runs = run_workers(__file__, settings_path, corpora_dir, settings["threads"])
    print(
        json.dumps(
            {
                "implementation": f"sentence-transformers {sentence_transformers.__version__}"
                f" on torch {torch.__version__} (CPU, fp32)",
                "model": f"{settings['repo']}@{settings['revision']}",
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
