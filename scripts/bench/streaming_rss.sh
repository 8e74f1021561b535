#!/usr/bin/env bash
# Peak memory (RSS) of `stancer run` as the corpus grows: synthetic one-quote news documents
# (8 speakers, 6 statements), default task and models, counts given as arguments (default
# 1000 10000). Flat figures mean memory is bounded by actors, not by documents or quotes.
#   scripts/bench/streaming_rss.sh [N…]      (e.g. 1000 10000 100000; about 27 docs/s on 2 cores)
# Uses target/debug/stancer (build it first: cargo build) or $STANCER.
set -euo pipefail
cd "$(dirname "$0")/../.."
stancer="${STANCER:-target/debug/stancer}"
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 10000)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for n in "${counts[@]}"; do
    python3 - "$n" "$tmp/docs$n.jsonl" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
actors = ["Sergey Lavrov", "Robert Gates", "Condoleezza Rice", "Vladimir Putin",
          "Dmitry Medvedev", "Donald Tusk", "Mirek Topolanek", "Javier Solana"]
said = ["We will not accept a shield that threatens our security",
        "The system is not aimed at Russia", "We are ready to discuss transparency measures",
        "This deployment is a mistake", "Our views on this matter are close",
        "The radar poses no threat to anyone"]
with open(path, "w") as f:
    for i in range(n):
        a, s = actors[i % len(actors)], said[(i * 7) % len(said)]
        text = (f"MOSCOW — Talks went on for hours in document {i}. “{s},” {a} said on Tuesday. "
                f"Officials declined to comment further on the {i % 97}th round.")
        f.write(json.dumps({"id": f"d{i:06d}", "text": text}) + "\n")
PY
    /usr/bin/time -f "$n documents: peak RSS %M KiB, %e s" \
        "$stancer" run "$tmp/docs$n.jsonl" --quiet --out "$tmp/out$n" 2>&1 | grep -v '^note:'
done
