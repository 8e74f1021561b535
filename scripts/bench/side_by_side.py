"""Prints `stancer bench embed --json` output and python_baseline.py output side by side, with
the ratio stancer/torch per corpus, thread count and batch size (dev-only; see compare.sh)."""

import json
import sys
from pathlib import Path


def rates(report):
    return {
        (row["corpus"], run["threads"], row["batch_size"]): row
        for run in report["runs"]
        for row in run["rows"]
    }


def main():
    rust = json.loads(Path(sys.argv[1]).read_text())
    python = json.loads(Path(sys.argv[2]).read_text())
    ours, theirs = rates(rust), rates(python)
    print(f"stancer: {rust['implementation']}; baseline: {python['implementation']}")
    print(f"{'corpus':<22} {'tok':>5} {'thr':>3} {'batch':>5} {'stancer/s':>10} {'torch/s':>9} {'ratio':>6}")
    for key in sorted(ours, key=lambda k: (k[0], k[1], k[2])):
        corpus, threads, batch = key
        mine = ours[key]["texts_per_second"]
        other = theirs.get(key, {}).get("texts_per_second")
        ratio = f"{mine / other:6.2f}" if other else "     -"
        other_text = f"{other:9.1f}" if other else "        -"
        print(
            f"{corpus:<22} {ours[key]['mean_tokens']:5.1f} {threads:>3} {batch:>5}"
            f" {mine:10.1f} {other_text} {ratio}"
        )
    for name, report in (("stancer", rust), ("torch", python)):
        for run in report["runs"]:
            print(
                f"{name} {run['threads']} threads: load {run['load_seconds']:.2f} s,"
                f" peak RSS {run['peak_rss_bytes'] / 2**20:.0f} MiB"
            )
    for row in rust.get("streaming_rss", []):
        print(
            f"stancer streaming {row['texts']} texts: peak RSS {row['peak_rss_bytes'] / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
