#!/usr/bin/env python3
"""Sort the errors of `stancer eval quotes --mistakes FILE` into classes, largest first.

Usage: stancer eval quotes --dataset polnear --split dev --no-report --mistakes /tmp/m.jsonl
       python3 scripts/quote_error_classes.py /tmp/m.jsonl [--examples N] [--seed S]

Classes (each error in exactly one):
  * missed, cue outside the lexicon: no word of the gold cue is a cue word, cue noun or first word
    of a cue phrase in src/quotes/lexicon.rs;
  * missed, known cue, span overlaps < 0.5: a spurious prediction with the same cue in the same
    document shares words with the gold content (a boundary error, counted once as a miss here and
    once more among the spurious);
  * missed, known cue, no prediction;
  * spurious, wrong_cue, wrong_source: as the mistakes file labels them.
Examples are drawn with a fixed seed, so the output is the same for the same mistakes file.
Standard library only.
"""

import argparse
import collections
import json
import random
import re
from pathlib import Path

LEXICON = Path(__file__).resolve().parent.parent / "src" / "quotes" / "lexicon.rs"
CUE_LISTS = ["SPEECH", "QUOTE_ONLY", "TELL", "BELIEF", "ACT", "NOUNS", "INFINITIVE"]


def cue_words():
    """Every single cue word and cue-phrase head the extractor knows."""
    src = LEXICON.read_text(encoding="utf-8")
    words = set()
    for name in CUE_LISTS:
        body = re.search(r"const " + name + r": &\[&str\] = &\[(.*?)\];", src, re.S)
        words |= set(re.findall(r'"([^"]+)"', body.group(1)))
    phrases = re.search(r"const PHRASES.*?= &\[(.*?)\n\];", src, re.S)
    words |= set(re.findall(r'\("([^"]+)"', phrases.group(1)))
    return words


def words_of(text):
    return set(re.findall(r"\w+", text.lower()))


def classify(mistakes, known):
    spurious = collections.defaultdict(list)
    for m in mistakes:
        if m["what"] == "spurious":
            spurious[m["doc_id"]].append(m)
    for m in mistakes:
        if m["what"] != "missed":
            yield m["what"], m
            continue
        if not any(w in known for w in re.findall(r"[\w’']+|:", m["cue"].lower())):
            yield "missed, cue outside the lexicon", m
            continue
        gold = words_of(m["content"])
        near = any(
            p["cue"].lower() == m["cue"].lower() and gold & words_of(p["content"])
            for p in spurious[m["doc_id"]]
        )
        yield ("missed, known cue, span overlaps < 0.5" if near else "missed, known cue, no prediction"), m


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mistakes", type=Path)
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    mistakes = [json.loads(line) for line in args.mistakes.read_text(encoding="utf-8").splitlines()]
    by_class = collections.defaultdict(list)
    for name, m in classify(mistakes, cue_words()):
        by_class[name].append(m)
    rng = random.Random(args.seed)
    for name, items in sorted(by_class.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"{len(items):6d}  {name}")
        for m in rng.sample(items, min(args.examples, len(items))):
            print(f"        {m['kind']} | cue: {m['cue']} | source: {m['source'][:50]} | {m['content'][:120]}")
    outside = collections.Counter(m["cue"].lower() for m in by_class["missed, cue outside the lexicon"])
    once = sum(1 for n in outside.values() if n == 1)
    print(f"cues outside the lexicon: {len(outside)} distinct, {once} seen once")


if __name__ == "__main__":
    main()
