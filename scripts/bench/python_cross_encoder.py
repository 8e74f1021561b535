"""The Python baseline for `stancer bench cross-encoder`: the same (tweet, hypothesis) pairs,
models, batch sizes and thread counts through transformers on torch CPU (fp32), batched in input
order and padded to each batch's longest pair as transformers' zero-shot pipeline does; written as
comparable JSON.

Dev-only (CI never runs it). It reads the settings and the pairs of a Rust run:

    stancer bench cross-encoder --json --write-pairs target/bench > target/bench/rust-ce.json
    python scripts/bench/python_cross_encoder.py target/bench/rust-ce.json target/bench/pairs.jsonl \\
        > target/bench/python-ce.json

Models named `random:CONFIG` are built from that config.json with random weights (seeded; speed
does not depend on the weights) and the Rust run's `random_tokenizer`. compare.sh runs both.
"""

import json
import sys
import time
from pathlib import Path

from bench_common import run_workers, time_passes, worker_report


def load(name, settings):
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoTokenizer,
        PreTrainedTokenizerFast,
    )
    import torch

    if name.startswith("random:"):
        config = AutoConfig.from_pretrained(name[len("random:"):])
        torch.manual_seed(0)
        model = AutoModelForSequenceClassification.from_config(config)
        tokenizer = PreTrainedTokenizerFast(
            tokenizer_file=settings["random_tokenizer"],
            pad_token="[PAD]",
            model_max_length=config.max_position_embeddings,
        )
    else:
        model = AutoModelForSequenceClassification.from_pretrained(name)
        tokenizer = AutoTokenizer.from_pretrained(name)
    return model.eval(), tokenizer


def worker(settings_path, pairs_path, threads):
    """Measures every model and batch size with `threads` threads; prints one JSON object."""
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    settings = json.loads(Path(settings_path).read_text())
    pairs = [json.loads(line) for line in Path(pairs_path).read_text().splitlines() if line]
    premises = [p["premise"] for p in pairs]
    hypotheses = [p["hypothesis"] for p in pairs]
    names = [str(d) for d in settings["model_dirs"]] + [
        f"random:{c}" for c in settings["random_configs"]
    ]
    loads, rows = [], []
    with torch.inference_mode():
        for name in names:
            start = time.perf_counter()
            model, tokenizer = load(name, settings)
            loads.append({"model": name, "load_seconds": time.perf_counter() - start})
            tokens = sum(
                len(ids)
                for ids in tokenizer(premises, hypotheses, truncation="only_first")["input_ids"]
            )
            for batch_size in settings["batch_sizes"]:

                def run():
                    for i in range(0, len(pairs), batch_size):
                        inputs = tokenizer(
                            premises[i : i + batch_size],
                            hypotheses[i : i + batch_size],
                            padding=True,
                            truncation="only_first",
                            return_tensors="pt",
                        )
                        model(**inputs).logits.softmax(-1)

                passes, seconds = time_passes(run, settings["min_seconds"])
                rows.append(
                    {
                        "model": name,
                        "pairs": len(pairs),
                        "mean_tokens": tokens / max(len(pairs), 1),
                        "batch_size": batch_size,
                        "passes": passes,
                        "seconds": seconds,
                        "pairs_per_second": passes * len(pairs) / seconds,
                    }
                )
    worker_report(torch.get_num_threads(), rows, loads=loads)


def main():
    if sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    settings_path, pairs_path = sys.argv[1], sys.argv[2]
    settings = json.loads(Path(settings_path).read_text())
    import torch
    import transformers

    runs = run_workers(
        __file__,
        settings_path,
        pairs_path,
        settings["threads"],
        env={"TOKENIZERS_PARALLELISM": "false"},
    )
    print(
        json.dumps(
            {
                "implementation": f"transformers {transformers.__version__}"
                f" on torch {torch.__version__} (CPU, fp32)",
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
