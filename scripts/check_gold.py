#!/usr/bin/env python3
"""Validate stancer's hand-labelled gold files (datasets/*/gold.jsonl).

Usage: python3 scripts/check_gold.py [GOLD.jsonl ...]
       (default: every datasets/*/gold.jsonl under the repository root)

Checks, per document line (schema: datasets/README.md):
  * required fields and types; no unknown fields (catches typos);
  * the article exists and decodes as UTF-8;
  * every span (quote content, cue, speaker, non_quote): `text` equals the slice of the article by
    Unicode-scalar offsets [start, end) AND by UTF-8 byte offsets [byte_start, byte_end), and the two
    pairs denote the same span; spans are non-empty and carry no surrounding whitespace;
  * labels come from the allowed sets; quote_ids are unique and start with "<doc_id>:";
  * direct quotes sit exactly between quotation marks; mixed quotes contain a quoted fragment;
  * cue and speaker mentions lie outside every quote's content span;
  * quotes are sorted by start; quote content spans do not overlap, except the documented case of
    one content with several speakers: identical spans linked both ways by `shared_content_with`;
  * every quote's actor has an entry in `actors` and every entry has at least one quote;
  * non_quotes overlap no quote, or (with `within`) lie inside the named quote and overlap no other.
Exit status 0 when everything passes, 1 otherwise. Standard library only.
"""
import json
import re
import sys
from pathlib import Path

KINDS = {"direct", "mixed", "indirect"}
STANCES = {"oppose", "support", "conciliatory", "none"}
SENTIMENTS = {"positive", "negative", "neutral"}
OPEN_Q = {"\u201c", '"'}
CLOSE_Q = {"\u201d", '"'}

DOC_REQUIRED = {"doc_id", "path", "quotes", "actors"}
DOC_OPTIONAL = {"date", "date_note", "target", "non_quotes"}
QUOTE_REQUIRED = {"quote_id", "kind", "start", "end", "byte_start", "byte_end", "text",
                  "cue", "speaker", "actor", "stance", "sentiment"}
QUOTE_OPTIONAL = {"note", "shared_content_with"}
SPAN_KEYS = {"text", "start", "end", "byte_start", "byte_end"}
ACTOR_REQUIRED = {"actor", "stance"}
ACTOR_OPTIONAL = {"note"}
NONQ_REQUIRED = {"start", "end", "byte_start", "byte_end", "text", "why"}
NONQ_OPTIONAL = {"within"}


class Checker:
    def __init__(self, gold_path):
        self.gold_path = Path(gold_path)
        self.errors = []

    def err(self, lineno, where, msg):
        self.errors.append(f"{self.gold_path}:{lineno}: {where}: {msg}")

    def keys(self, lineno, where, obj, required, optional):
        if not isinstance(obj, dict):
            self.err(lineno, where, "expected an object")
            return False
        missing = required - obj.keys()
        unknown = obj.keys() - required - optional
        if missing:
            self.err(lineno, where, f"missing field(s) {sorted(missing)}")
        if unknown:
            self.err(lineno, where, f"unknown field(s) {sorted(unknown)}")
        return not missing

    def span(self, lineno, where, obj, text, data):
        """Check one span object against the article; return (start, end) or None."""
        ok = True
        for k in ("start", "end", "byte_start", "byte_end"):
            if not isinstance(obj.get(k), int) or isinstance(obj.get(k), bool):
                self.err(lineno, where, f"`{k}` must be an integer")
                ok = False
        if not isinstance(obj.get("text"), str):
            self.err(lineno, where, "`text` must be a string")
            ok = False
        if not ok:
            return None
        s, e, bs, be, t = obj["start"], obj["end"], obj["byte_start"], obj["byte_end"], obj["text"]
        if not (0 <= s < e <= len(text)):
            self.err(lineno, where, f"char span [{s}, {e}) is empty or outside the article ({len(text)} chars)")
            return None
        if text[s:e] != t:
            self.err(lineno, where, f"char slice [{s}, {e}) is {text[s:e]!r}, not {t!r}")
            ok = False
        if not (0 <= bs < be <= len(data)):
            self.err(lineno, where, f"byte span [{bs}, {be}) is empty or outside the article ({len(data)} bytes)")
            return None
        try:
            bslice = data[bs:be].decode("utf-8")
        except UnicodeDecodeError:
            self.err(lineno, where, f"byte span [{bs}, {be}) cuts a UTF-8 character")
            return None
        if bslice != t:
            self.err(lineno, where, f"byte slice [{bs}, {be}) is {bslice!r}, not {t!r}")
            ok = False
        if len(text[:s].encode("utf-8")) != bs or len(text[:e].encode("utf-8")) != be:
            self.err(lineno, where, "char and byte offsets denote different spans")
            ok = False
        if t != t.strip():
            self.err(lineno, where, f"span has leading/trailing whitespace: {t!r}")
            ok = False
        return (s, e) if ok else None

    def check_line(self, lineno, line, seen_ids):
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as ex:
            self.err(lineno, "line", f"invalid JSON: {ex}")
            return
        if not self.keys(lineno, "document", doc, DOC_REQUIRED, DOC_OPTIONAL):
            return
        doc_id = doc["doc_id"]
        where_doc = f"doc {doc_id}"
        if "date" in doc and not (isinstance(doc["date"], str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["date"])):
            self.err(lineno, where_doc, f"`date` must be YYYY-MM-DD, got {doc['date']!r}")
        art = (self.gold_path.parent / doc["path"])
        try:
            data = art.read_bytes()
            text = data.decode("utf-8")
        except OSError as ex:
            self.err(lineno, where_doc, f"cannot read article {art}: {ex}")
            return
        except UnicodeDecodeError as ex:
            self.err(lineno, where_doc, f"article {art} is not UTF-8: {ex}")
            return

        quotes = doc["quotes"]
        if not isinstance(quotes, list):
            self.err(lineno, where_doc, "`quotes` must be a list")
            return
        spans = {}          # quote_id -> (start, end)
        by_id = {}
        prev = None
        mention_spans = []  # (where, (s, e)) of cues and speakers
        for i, q in enumerate(quotes):
            where = f"{where_doc} quote #{i + 1}"
            if not self.keys(lineno, where, q, QUOTE_REQUIRED, QUOTE_OPTIONAL):
                continue
            qid = q["quote_id"]
            where = str(qid)
            if not (isinstance(qid, str) and qid.startswith(f"{doc_id}:")):
                self.err(lineno, where, f"quote_id must start with '{doc_id}:'")
            if qid in seen_ids:
                self.err(lineno, where, "duplicate quote_id")
            seen_ids.add(qid)
            by_id[qid] = q
            if q["kind"] not in KINDS:
                self.err(lineno, where, f"kind {q['kind']!r} not in {sorted(KINDS)}")
            if q["stance"] not in STANCES:
                self.err(lineno, where, f"stance {q['stance']!r} not in {sorted(STANCES)}")
            if q["sentiment"] not in SENTIMENTS:
                self.err(lineno, where, f"sentiment {q['sentiment']!r} not in {sorted(SENTIMENTS)}")
            if not (isinstance(q["actor"], str) and q["actor"].strip()):
                self.err(lineno, where, "`actor` must be a non-empty string")
            sp = self.span(lineno, where, q, text, data)
            for part in ("cue", "speaker"):
                if self.keys(lineno, f"{where} {part}", q[part], SPAN_KEYS, set()):
                    ms = self.span(lineno, f"{where} {part}", q[part], text, data)
                    if ms:
                        mention_spans.append((f"{where} {part}", ms))
            if sp is None:
                continue
            spans[qid] = sp
            s, e = sp
            if q["kind"] == "direct":
                if not (s > 0 and text[s - 1] in OPEN_Q and e < len(text) and text[e] in CLOSE_Q):
                    self.err(lineno, where, "direct quote must lie exactly between quotation marks")
                if any(c in q["text"] for c in OPEN_Q | CLOSE_Q):
                    self.err(lineno, where, "direct quote content contains a quotation mark")
            elif q["kind"] == "mixed":
                if not (any(c in q["text"] for c in OPEN_Q) and any(c in q["text"] for c in CLOSE_Q)):
                    self.err(lineno, where, "mixed quote must contain a quoted fragment")
            if prev is not None and s < prev:
                self.err(lineno, where, f"quotes not sorted by start ({s} after {prev})")
            prev = s

        # Overlaps between quote content spans.
        ids = list(spans)
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                (s1, e1), (s2, e2) = spans[ids[a]], spans[ids[b]]
                if s1 < e2 and s2 < e1:
                    qa, qb = by_id[ids[a]], by_id[ids[b]]
                    shared = (qa.get("shared_content_with") == ids[b] and qb.get("shared_content_with") == ids[a])
                    if not shared:
                        self.err(lineno, f"{ids[a]}/{ids[b]}",
                                 "content spans overlap (allowed only for identical spans linked both ways by shared_content_with)")
                    elif (s1, e1) != (s2, e2) or qa["cue"] != qb["cue"]:
                        self.err(lineno, f"{ids[a]}/{ids[b]}", "shared_content_with quotes must have identical content and cue spans")
                    elif qa["speaker"] == qb["speaker"] or qa["actor"] == qb["actor"]:
                        self.err(lineno, f"{ids[a]}/{ids[b]}", "shared_content_with quotes must have different speakers and actors")
        for qid, q in by_id.items():
            other = q.get("shared_content_with")
            if other is not None and other not in by_id:
                self.err(lineno, str(qid), f"shared_content_with names unknown quote {other!r}")
            elif other is not None and by_id[other].get("shared_content_with") != qid:
                self.err(lineno, str(qid), f"shared_content_with link to {other} is not mutual")

        # Cue and speaker mentions lie outside every content span.
        for where, (ms, me) in mention_spans:
            for qid, (s, e) in spans.items():
                if ms < e and s < me:
                    self.err(lineno, where, f"mention [{ms}, {me}) overlaps the content of {qid}")

        # Actors: every quote's actor listed, every listed actor quoted.
        actors = doc["actors"]
        listed = set()
        if not isinstance(actors, list):
            self.err(lineno, where_doc, "`actors` must be a list")
            actors = []
        for i, a in enumerate(actors):
            where = f"{where_doc} actors[{i}]"
            if not self.keys(lineno, where, a, ACTOR_REQUIRED, ACTOR_OPTIONAL):
                continue
            if a["actor"] in listed:
                self.err(lineno, where, f"actor {a['actor']!r} listed twice")
            listed.add(a["actor"])
            if a["stance"] not in STANCES:
                self.err(lineno, where, f"stance {a['stance']!r} not in {sorted(STANCES)}")
        quoted = {q["actor"] for q in by_id.values()}
        for name in sorted(quoted - listed):
            self.err(lineno, where_doc, f"actor {name!r} has quotes but no entry in `actors`")
        for name in sorted(listed - quoted):
            self.err(lineno, where_doc, f"actor {name!r} is listed in `actors` but has no quote")

        # Explicit negatives.
        nq = doc.get("non_quotes", [])
        if not isinstance(nq, list):
            self.err(lineno, where_doc, "`non_quotes` must be a list")
            nq = []
        for i, n in enumerate(nq):
            where = f"{where_doc} non_quotes[{i}]"
            if not self.keys(lineno, where, n, NONQ_REQUIRED, NONQ_OPTIONAL):
                continue
            if not (isinstance(n["why"], str) and n["why"].strip()):
                self.err(lineno, where, "`why` must be a non-empty string")
            sp = self.span(lineno, where, n, text, data)
            if sp is None:
                continue
            s, e = sp
            within = n.get("within")
            if within is not None:
                if within not in spans:
                    self.err(lineno, where, f"`within` names unknown quote {within!r}")
                    continue
                ws, we = spans[within]
                if not (ws <= s and e <= we):
                    self.err(lineno, where, f"not inside the content of {within}")
            for qid, (qs, qe) in spans.items():
                if qid != within and s < qe and qs < e:
                    self.err(lineno, where, f"overlaps the content of {qid}")

    def run(self):
        try:
            lines = self.gold_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as ex:
            self.errors.append(f"{self.gold_path}: cannot read: {ex}")
            return 0, 0
        seen_ids, ndocs = set(), 0
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            ndocs += 1
            self.check_line(lineno, line, seen_ids)
        return ndocs, len(seen_ids)


def main(argv):
    root = Path(__file__).resolve().parent.parent
    paths = [Path(p) for p in argv[1:]] or sorted((root / "datasets").glob("*/gold.jsonl"))
    if not paths:
        print("check_gold: no gold.jsonl found", file=sys.stderr)
        return 1
    failed = False
    for p in paths:
        c = Checker(p)
        ndocs, nquotes = c.run()
        for e in c.errors:
            print(e, file=sys.stderr)
        if c.errors:
            failed = True
            print(f"FAIL {p}: {len(c.errors)} error(s)")
        else:
            print(f"ok   {p}: {ndocs} document(s), {nquotes} quote(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
