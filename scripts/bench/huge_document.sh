#!/usr/bin/env bash
# Peak memory (RSS) of `stancer quotes` and `stancer run` on one huge document: the PolNeAR dev
# articles joined by blank lines, repeated up to SIZE bytes (default 50,000,000) and cut at a
# character boundary. Run from anywhere; needs $STANCER_DATA (default ../shared/datasets),
# python3 and GNU time (/usr/bin/time). The run classifies ~220,000 quotes: about 15-30 minutes
# on 2 cores. Usage: scripts/bench/huge_document.sh [SIZE]
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${STANCER_DATA:-../shared/datasets}"
size="${1:-50000000}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 - "$data/polnear/dev/text" "$tmp/huge.txt" "$size" <<'PY'
import pathlib, sys
src, out, size = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
texts = [p.read_text(encoding="utf-8").strip() for p in sorted(src.glob("*.txt"))]
parts, n = [], 0
while n < size:
    for t in texts:
        parts.append(t)
        n += len(t.encode()) + 2
        if n >= size:
            break
data = "\n\n".join(parts).encode()[:size].decode("utf-8", "ignore").encode()
pathlib.Path(out).write_bytes(data)
print(f"{len(data)} bytes in one document from {len(texts)} PolNeAR dev articles")
PY

cargo build --release --locked --quiet
stancer="$PWD/target/release/stancer"
/usr/bin/time -f "stancer quotes: peak RSS %M KiB, %e s" "$stancer" quotes "$tmp/huge.txt" -o "$tmp/quotes.jsonl"
/usr/bin/time -f "stancer run: peak RSS %M KiB, %e s" "$stancer" run "$tmp/huge.txt" --quiet --out "$tmp/run"
echo "quotes: $(wc -l < "$tmp/run/quotes.jsonl")"
