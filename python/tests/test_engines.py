"""stancer under a real distributed engine: a local Dask cluster of 2 worker processes runs
4 shards of one corpus and merges them, and annotates the corpus as a partitioned dataframe;
both must give a single run's outputs byte for byte. Run from the repository root by .ci/run
(the run's default task and sentiment head are the repository's)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import stancer

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = ["quotes.jsonl", "actors.jsonl", "actors.csv", "summary.md"]
SHARDS = 4


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    """The seed article's quoted paragraphs three times over under distinct ids: 30 documents."""
    article = (ROOT / "datasets/missile-shield/articles/nysun-2008-03-missile-shield-divide.txt")
    paragraphs = [p for p in article.read_text().split("\n\n") if "“" in p]
    rows = [
        {"id": f"c{copy}-p{i:02}", "text": p}
        for copy in range(3)
        for i, p in enumerate(paragraphs)
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def corpus(documents, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in documents.to_dict("records"))
    )
    return path


@pytest.fixture(scope="module")
def single(corpus, tmp_path_factory) -> Path:
    """One in-process run over the whole corpus: what every other path must reproduce."""
    out = tmp_path_factory.mktemp("single") / "out"
    stancer.run(corpus, out=out, format="parquet")
    return out


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def run_shard(corpus: str, out: str, shard: str) -> str:
    stancer.run(corpus, out=out, shard=shard)
    return out


def test_dask_shards_merge_to_the_single_run(client, corpus, single, tmp_path):
    outs = [str(tmp_path / f"shard{k}") for k in range(1, SHARDS + 1)]
    # Two shards per worker process, pinned so that both really run.
    workers = sorted(client.scheduler_info()["workers"])
    assert len(workers) == 2
    futures = [
        client.submit(
            run_shard,
            str(corpus),
            out,
            f"{k}/{SHARDS}",
            pure=False,
            workers=[workers[k % 2]],
            allow_other_workers=False,
        )
        for k, out in enumerate(outs, start=1)
    ]
    done = client.gather(futures)
    assert {w for ws in client.who_has(futures).values() for w in ws} == set(workers)
    merged = tmp_path / "merged"
    stancer.merge(*reversed(done), out=merged)
    for name in OUTPUTS:
        assert (merged / name).read_bytes() == (single / name).read_bytes(), name

    with pytest.raises(stancer.StancerError, match="missing: 3/4"):
        stancer.merge(*[o for o in done if not o.endswith("shard3")], out=tmp_path / "partial")


def test_dask_dataframe_annotation_equals_the_single_run(client, documents, single):
    import dask.dataframe as dd

    frame = dd.from_pandas(documents, npartitions=SHARDS)
    annotator = stancer.Annotator()
    quotes = frame.map_partitions(annotator, meta=stancer.quotes_frame([])).compute()
    lines = (single / "quotes.jsonl").read_text().splitlines()
    assert quotes["record"].tolist() == lines
    assert quotes["quote_id"].is_unique
    assert set(quotes["stance"]) <= {"oppose", "support", "conciliatory", "none"}

    # The run's Parquet table, read by pyarrow, holds the same quotes and predictions.
    table = pd.read_parquet(single / "quotes.parquet")
    assert table["quote_id"].tolist() == quotes["quote_id"].tolist()
    assert [s["label"] for s in table["stance"]] == quotes["stance"].tolist()
    assert [dict(s["scores"])[s["label"]] for s in table["sentiment"]] == pytest.approx(
        quotes["sentiment_confidence"].tolist(), abs=0, rel=1e-7
    )
    actors = pd.read_parquet(single / "actors.parquet")
    lines = (single / "actors.jsonl").read_text().splitlines()
    assert actors["actor_id"].tolist() == [json.loads(line)["actor_id"] for line in lines]


def test_arrow_batches_and_extraction(documents, single, tmp_path):
    table = pa.Table.from_pandas(documents)
    lines = (single / "quotes.jsonl").read_text().splitlines()
    assert stancer.Annotator().lines(table.to_batches(max_chunksize=7)[0]) == [
        line for line in lines if json.loads(line)["doc_id"] in set(documents["id"][:7])
    ]
    extracted = stancer.extract(table)
    cli_out = tmp_path / "quotes.jsonl"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in table.to_pylist()))
    stancer.cli("quotes", corpus, "--output", cli_out)
    assert extracted["record"].tolist() == cli_out.read_text().splitlines()
    assert extracted["stance"].isna().all()


def test_bad_rows_name_the_row():
    with pytest.raises(stancer.StancerError, match=r"batch row 2: missing `text`") as bad:
        stancer.extract(pd.DataFrame({"id": ["a", "b"], "text": ["“Yes,” he said.", None]}))
    assert "hint: fix or drop that row of the batch" in str(bad.value)
    with pytest.raises(stancer.StancerError, match=r'batch row 2: duplicate document id "a"'):
        stancer.extract({"id": ["a", "a"], "text": ["“Yes,” he said.", "“No,” she said."]})
    with pytest.raises(TypeError, match="a batch is"):
        stancer.extract(["not", "a", "batch"])
    with pytest.raises(stancer.StancerError, match="input paths"):
        stancer._native.Annotator(["some-file.jsonl"])
