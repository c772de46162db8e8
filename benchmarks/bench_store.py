"""Store benchmark: how fast answers load into SQLite (one ``replace_corpus`` transaction).

Run: ``.venv/bin/python -m benchmarks.bench_store [--sizes 10000,100000]``.  The answers
are the search benchmark's synthetic ones (12 per interview); each size loads into a
fresh database file in a temporary directory, then the same corpus is loaded again (which
writes nothing) and the database is read back as the bot does at start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from benchmarks.bench_search import synthetic_passages
from bot.models import Interview, InterviewMeta
from bot.store import Store


def interviews(size: int) -> list[Interview]:
    """`size` synthetic answers grouped into interviews as a transcript loader makes them."""
    out: list[Interview] = []
    for iid, group in groupby(synthetic_passages(size, with_seed=False), lambda p: p.interview_id):
        passages = tuple(group)
        out.append(
            Interview(
                id=iid,
                meta=InterviewMeta(title=f"Interview {iid}"),
                source=f"{iid}.txt",
                content_hash=iid,
                speakers=(passages[0].speaker,),
                paragraphs=(),
                passages=passages,
            )
        )
    return out


async def measure(size: int) -> dict[str, float]:
    corpus = interviews(size)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        try:
            started = time.perf_counter()
            report = await store.replace_corpus(corpus, [])
            load = time.perf_counter() - started
            assert report.quotes.added == size
            started = time.perf_counter()
            again = await store.replace_corpus(corpus, [])
            unchanged = time.perf_counter() - started
            assert again.unchanged
            started = time.perf_counter()
            stored = await store.read_corpus()
            read = time.perf_counter() - started
            assert len(stored.passages) == size
            db_mb = (Path(tmp) / "bench.db").stat().st_size / 2**20
        finally:
            await store.close()
    return {"size": size, "load": load, "unchanged": unchanged, "read": read, "db_mb": db_mb}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    print("| answers | load s | answers/s | reload unchanged s | read back s | DB MB |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = asyncio.run(measure(size))
        print(
            f"| {size:,} | {r['load']:.2f} | {size / r['load']:,.0f} | {r['unchanged']:.2f} "
            f"| {r['read']:.2f} | {r['db_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
