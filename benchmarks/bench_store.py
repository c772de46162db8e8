"""Store benchmark: the bot's data at scale, from loading answers to a restart being ready.

Run: ``.venv/bin/python -m benchmarks.bench_store [--sizes 10000,100000,1000000]``.  The
answers are the search benchmark's synthetic ones (12 per interview); each size loads into
a fresh database file in a temporary directory (one ``replace_corpus`` transaction), then
the same corpus is loaded again (which writes nothing); the bot's first start builds the
search index from the stored answers and caches it; then a restart — a new interpreter
doing what the bot's ``setup_hook`` does (open and migrate the database, read the catalog,
load the cached index) and answering one /quote — is timed with its resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections.abc import Awaitable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from benchmarks.bench_search import T, run_python, synthetic_passages, watch_loop
from bot.library import Library
from bot.models import Interview, InterviewMeta
from bot.store import Store

RESTART = """
import asyncio, json, sys, time
started = time.perf_counter()
from pathlib import Path
from bot.library import Library
from bot.store import Store

async def main() -> dict[str, float]:
    db = Path(sys.argv[1])
    store = await Store.open(db)
    try:
        catalog = await Library(store, [], index_cache=db.with_suffix(".index")).refresh()
        ready = time.perf_counter() - started
        found = catalog.quote(sys.argv[3])
        first = time.perf_counter() - started - ready
        assert catalog.stats()["quotes"] == int(sys.argv[2]) and found.results
    finally:
        await store.close()
    rss = int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
    return {"ready": ready, "first_quote": first, "rss_mb": rss}

print(json.dumps(asyncio.run(main())))
"""


def restart(db: Path, size: int, query: str) -> dict[str, float]:
    """The bot's start-up path in a new interpreter, from its first import to ready."""
    return run_python(RESTART, str(db), str(size), query)


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


async def measure(size: int) -> dict[str, Any]:
    corpus = interviews(size)
    query = " ".join(corpus[len(corpus) // 2].passages[0].text.split()[:6])
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        stalls: list[float] = []

        async def phase(work: Awaitable[T]) -> tuple[T, float]:
            """`work`'s result and seconds; its longest loop stall goes to `stalls`."""
            started = time.perf_counter()
            result, stall = await watch_loop(work)
            stalls.append(stall)
            return result, time.perf_counter() - started

        try:
            report, load = await phase(store.replace_corpus(corpus, []))
            assert report.quotes.added == size
            again, unchanged = await phase(store.replace_corpus(corpus, []))
            assert again.unchanged
            del corpus, report, again  # as a reload frees the parsed answers once stored
            gc.collect()
            stored, read = await phase(store.read_corpus())
            assert stored.answers == size
            db_mb = (Path(tmp) / "bench.db").stat().st_size / 2**20
            library = Library(store, [], index_cache=Path(tmp) / "bench.index")
            _, first_start = await phase(library.refresh())
        finally:
            await store.close()
        # The median of three restarts: one varies by half a second on this shared machine.
        runs = sorted(
            (restart(Path(tmp) / "bench.db", size, query) for _ in range(3)),
            key=lambda run: run["ready"],
        )
        again_started = {**runs[1], "ready_runs": [round(run["ready"], 2) for run in runs]}
    return {
        "size": size,
        "load": load,
        "unchanged": unchanged,
        "read": read,
        "db_mb": db_mb,
        "first_start": first_start,
        "stall_ms": max(stalls) * 1000,
        **again_started,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    print(
        "| answers | load s | answers/s | reload unchanged s | catalog read s | DB MB "
        "| first start (index built from the store) s | restart to ready s (median of 3) | first /quote ms "
        "| restart runs s | restart RSS MB | longest loop stall ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = asyncio.run(measure(size))
        print(
            f"| {size:,} | {r['load']:.2f} | {size / r['load']:,.0f} | {r['unchanged']:.2f} "
            f"| {r['read']:.2f} | {r['db_mb']:.0f} | {r['first_start']:.2f} | {r['ready']:.2f} "
            f"| {r['first_quote'] * 1000:.1f} | {', '.join(map(str, r['ready_runs']))} "
            f"| {r['rss_mb']:.0f} | {r['stall_ms']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
