"""Prints a `stancer bench embed|cross-encoder --json` report and its Python baseline's report
(python_baseline.py or python_cross_encoder.py) side by side, with the ratio stancer/torch per
corpus or model, thread count and batch size (dev-only; see compare.sh)."""

import json
import sys
from pathlib import Path


def rates(report):
    """(what, threads, batch) -> (mean tokens, items per second) for either kind of report."""
    table = {}
    for run in report["runs"]:
        for row in run["rows"]:
            what = row.get("corpus") or row["model"]
            rate = row.get("texts_per_second") or row["pairs_per_second"]
            table[(what, run["threads"], row["batch_size"])] = (row["mean_tokens"], rate)
    return table


def main():
    rust = json.loads(Path(sys.argv[1]).read_text())
    python = json.loads(Path(sys.argv[2]).read_text())
    ours, theirs = rates(rust), rates(python)
    unit = "pairs/s" if "random_configs" in rust else "texts/s"
    print(f"stancer: {rust['implementation']}; baseline: {python['implementation']}; {unit}")
    width = max(len(key[0]) for key in ours)
    print(f"{'':<{width}} {'tok':>5} {'thr':>3} {'batch':>5} {'stancer':>9} {'torch':>9} {'ratio':>6}")
    for key in sorted(ours):
        what, threads, batch = key
        tokens, mine = ours[key]
        other = theirs.get(key, (None, None))[1]
        ratio = f"{mine / other:6.2f}" if other else "     -"
        other_text = f"{other:9.1f}" if other else "        -"
        print(f"{what:<{width}} {tokens:5.1f} {threads:>3} {batch:>5} {mine:9.1f} {other_text} {ratio}")
    for name, report in (("stancer", rust), ("torch", python)):
        for run in report["runs"]:
            loads = run.get("loads") or [{"model": "model", "load_seconds": run["load_seconds"]}]
            load_text = ", ".join(f"{l['model']} {l['load_seconds']:.2f} s" for l in loads)
            print(
                f"{name} {run['threads']} threads: load {load_text};"
                f" peak RSS {run['peak_rss_bytes'] / 2**20:.0f} MiB"
            )
    for row in rust.get("streaming_rss", []):
        print(
            f"stancer streaming {row['texts']} texts: peak RSS {row['peak_rss_bytes'] / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
