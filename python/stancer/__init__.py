"""stancer from Python: the same pipeline as the ``stancer`` command, in-process.

Two ways in:

* Whole corpora, as the command runs them: :func:`run` (also one shard, ``shard="2/4"``) and
  :func:`merge`. A Ray, Dask or Spark job runs one shard per task and merges the output folders;
  the merged outputs equal a single run's byte for byte.
* Batches of documents (pandas DataFrame, pyarrow Table or RecordBatch, or a dict of columns as
  Ray's numpy batches are) with ``id`` and ``text`` columns (``title``, ``date``, ``source``,
  ``url`` and any other columns as in a JSONL corpus): :func:`extract` finds quotes, speakers and
  actors; :class:`Annotator` also classifies stance and sentiment, for Ray Data ``map_batches``,
  Dask ``map_partitions`` or Spark ``mapInPandas``. Each quote's ``record`` column is its line of
  ``quotes.jsonl``, byte for byte.

Errors (bad rows, missing models, refused merges) raise :class:`StancerError` naming the row or
file, with the command line's hint.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from . import _native
from ._native import StancerError

__all__ = ["Annotator", "StancerError", "cli", "extract", "merge", "quotes_frame", "run"]
__version__ = _native.__version__

#: Columns of the quote frames, in order; ``record`` is the whole JSON line.
QUOTE_COLUMNS = [
    "doc_id",
    "quote_id",
    "kind",
    "text",
    "start",
    "end",
    "speaker",
    "actor_id",
    "actor",
    "stance",
    "stance_confidence",
    "sentiment",
    "sentiment_confidence",
    "record",
]


def cli(*args: Any) -> None:
    """Runs one ``stancer`` command line in this process: ``cli("run", "corpus.jsonl", "--out",
    "out")``. The GIL is released while it runs."""
    _native.cli([str(a) for a in args])


def _flags(flags: dict[str, Any]) -> list[str]:
    """Keyword arguments as command-line flags: ``no_sentiment=True`` is ``--no-sentiment``,
    ``batch_size=16`` is ``--batch-size 16``; False and None leave a flag out."""
    args: list[str] = []
    for key, value in flags.items():
        name = "--" + key.replace("_", "-")
        if value is True:
            args.append(name)
        elif value is not False and value is not None:
            args += [name, str(value)]
    return args


def run(*inputs: Any, out: Any, shard: str | None = None, **flags: Any) -> None:
    """``stancer run INPUTS… --out OUT`` (``shard="K/N"`` for one shard); other keyword arguments
    are its flags (``task=…``, ``no_sentiment=True``, ``resume=True``)."""
    cli("run", *inputs, "--out", out, *_flags({"shard": shard, "quiet": True, **flags}))


def merge(*shards: Any, out: Any, **flags: Any) -> None:
    """``stancer merge SHARD_DIRS… --out OUT``: every shard of one run, each once, in any order."""
    cli("merge", *shards, "--out", out, *_flags({"quiet": True, **flags}))


def _document_lines(batch: Any) -> list[str]:
    """The batch's rows as JSONL corpus lines."""
    if hasattr(batch, "to_json") and hasattr(batch, "columns"):  # pandas
        if len(batch) == 0:
            return []
        return batch.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    if hasattr(batch, "to_pylist"):  # pyarrow Table or RecordBatch
        rows: Iterable[dict] = batch.to_pylist()
    elif isinstance(batch, dict):  # columns: lists or numpy arrays
        columns = {k: v.tolist() if hasattr(v, "tolist") else list(v) for k, v in batch.items()}
        rows = (dict(zip(columns, values)) for values in zip(*columns.values()))
    else:
        raise TypeError(
            f"a batch is a pandas DataFrame, a pyarrow Table or RecordBatch, or a dict of "
            f"columns, not {type(batch).__name__}"
        )
    return [json.dumps(row, ensure_ascii=False) for row in rows]


def quotes_frame(lines: list[str]):
    """A pandas DataFrame of quote records (JSON lines), one row per quote, in
    :data:`QUOTE_COLUMNS`; stance and sentiment columns are empty for unclassified quotes."""
    import pandas as pd

    rows = []
    for line in lines:
        q = json.loads(line)
        speaker = q.get("speaker")
        row = {
            "doc_id": q["doc_id"],
            "quote_id": q["quote_id"],
            "kind": q["kind"],
            "text": q["text"],
            "start": q["start"],
            "end": q["end"],
            "speaker": speaker["text"] if speaker else None,
            "actor_id": q.get("actor_id"),
            "actor": q.get("actor"),
            "record": line,
        }
        for field in ("stance", "sentiment"):
            prediction = q.get(field)
            row[field] = prediction["label"] if prediction else None
            row[field + "_confidence"] = (
                prediction["scores"][prediction["label"]] if prediction else None
            )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"})


def extract(batch: Any, actors: Any = None):
    """Quotes, speakers and actors of a batch of documents (no models), as a quote frame:
    ``stancer quotes`` on the batch. ``actors`` is an actor registry file."""
    lines = _document_lines(batch)
    return quotes_frame(_native.extract(lines, None if actors is None else str(actors)))


class Annotator:
    """Extraction and classification of document batches with ``stancer run``'s models and
    flags (keyword arguments, e.g. ``Annotator(task="datasets/…/task.toml",
    no_sentiment=True)``).

    The models load on first use in each process and are not pickled, so one instance can be
    shipped to Dask or Spark workers; Ray Data builds one per actor
    (``ds.map_batches(Annotator, fn_constructor_kwargs={...}, batch_format="pandas",
    concurrency=2)``). Calling it on a batch returns the quote frame.
    """

    def __init__(self, **flags: Any) -> None:
        self.flags = _flags(flags)
        self._native = None

    def __getstate__(self) -> dict:
        return {"flags": self.flags}

    def __setstate__(self, state: dict) -> None:
        self.flags = state["flags"]
        self._native = None

    def lines(self, batch: Any) -> list[str]:
        """The batch's quote records as JSON lines, those of ``quotes.jsonl``."""
        if self._native is None:
            self._native = _native.Annotator(self.flags)
        return self._native.annotate(_document_lines(batch))

    def __call__(self, batch: Any):
        return quotes_frame(self.lines(batch))
