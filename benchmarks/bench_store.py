"""Store benchmark: the bot's data at scale, from loading answers to a restart being ready.

Run: ``.venv/bin/python -m benchmarks.bench_store [--sizes 10000,100000,1000000]``.  The
answers are the search benchmark's synthetic ones (12 per interview); each size loads into
a fresh database file in a temporary directory (one ``replace_corpus`` transaction), then
the same corpus is loaded again (which writes nothing); the bot's first start builds the
search index from the stored answers and caches it.  Then restarts, the way ``quotebot
run`` starts: a new interpreter, the imports of ``quotebot run`` (it asks for its
start-up files to be read ahead first, `bot.startfiles`), the database check it
makes before ready (the full ``integrity_check`` after an unclean stop; after a clean one
only opening it, see `bot.recovery.check_at_start`), the catalog and the cached index
(memory-mapped), the cogs' modules, timed from spawning the interpreter to ready with the
page cache emptied first (or as much of it as this user may drop: the output says which),
then one /quote, then what the runner does after ready in the background (the
``quick_check`` after a clean stop, the index cache's checksum), timed on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
import sysconfig
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from benchmarks.bench_search import ROOT, T, run_python, synthetic_passages, watch_loop
from bot.library import Library
from bot.models import Interview, InterviewMeta
from bot.recovery import running_marker
from bot.store import Store

RESTART_TARGET_S = 3.0
MODULES = frozenset((".py", ".pyc", ".so"))

RESTART = """
import time
spawned_to_python = time.time()
started = time.perf_counter()
import asyncio, importlib, json, sys
from pathlib import Path
import bot.cli  # what `quotebot run` imports first
from bot.startfiles import warm_start_files  # then it reads the start-up files ahead
warm_start_files(Path(sys.argv[4]) / "bench.db", postgresql=sys.argv[1].startswith("postgresql://"))
from bot.runner import run_bot  # discord.py and the client, as `quotebot run` imports them
from bot.client import EXTENSIONS
from bot.library import Library, ensure_loaded
from bot.recovery import check_after_ready, check_at_start
from bot.store import Store
imported = time.perf_counter()

async def main():
    target, cache = sys.argv[1], Path(sys.argv[4])
    postgresql = target.startswith("postgresql://")
    deferred = False
    if postgresql:  # quotebot run checks no file: the server checks its own pages
        thorough = False
    else:
        # What quotebot run does first: the full check after an unclean stop; after a
        # clean one the quick_check is left for after ready, as the runner does.
        check = await check_at_start(Path(target), defer_quick=True)
        assert check.problem is None, check.problem
        thorough, deferred = check.thorough, check.deferred
    checked = time.perf_counter()
    store = await Store.open(target if postgresql else Path(target), cache_dir=cache)
    try:  # then setup_hook: open_library, ensure_loaded, the cogs
        library = Library(store, [], index_cache=cache / "bench.index", defer_checks=True)
        await ensure_loaded(library)
        loaded = time.perf_counter()
        for extension in EXTENSIONS:
            importlib.import_module(extension)
        ready_wall = time.time()
        ready = time.perf_counter()
        found = library.catalog.quote(sys.argv[3])
        first = time.perf_counter() - ready
        assert library.catalog.stats()["quotes"] == int(sys.argv[2]) and found.results
        later = time.perf_counter()  # what the runner does once ready, in the background
        if deferred:
            assert await check_after_ready(Path(target)) is None
        assert await library.check_index()
        after_ready = time.perf_counter() - later
    finally:
        await store.close()
    rss = int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20  # after the checks
    return {
        "python_start_wall": spawned_to_python, "ready_wall": ready_wall,
        "imports": imported - started, "check": checked - imported,
        "catalog_index": loaded - checked, "cogs": ready - loaded,
        "first_quote": first, "rss_mb": rss, "thorough": thorough,
        "after_ready": after_ready, "deferred": deferred,
    }

print(json.dumps(asyncio.run(main())))
"""


def drop_page_cache(files: Sequence[Path], how: str) -> str:
    """Empty the page cache before a restart, and say how it was done.

    ``drop``: the whole machine's (``/proc/sys/vm/drop_caches``, root only; on a shared
    machine it slows everyone else's work down, so it is not the default), falling back to
    ``evict`` where not permitted.  ``evict``: `files` and every module file the bot can
    import (stdlib, site-packages, bot/, cogs/) one by one with ``posix_fadvise(DONTNEED)``;
    pages another process has mapped stay.  ``warm``: nothing.
    """
    if how == "warm":
        return "left warm (nothing evicted: a restart right after a stop)"
    reason = "evicted per file"
    if how == "drop":
        try:
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
            return "the whole page cache dropped (/proc/sys/vm/drop_caches) before each restart"
        except OSError as exc:
            reason = f"/proc/sys/vm/drop_caches not permitted ({exc.strerror})"
    paths = sysconfig.get_paths()
    roots = {Path(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {ROOT / "bot", ROOT / "cogs"}
    modules = [f for root in roots for f in root.rglob("*") if f.suffix in MODULES]
    evicted = 0
    for path in [*files, *modules]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            evicted += 1
        finally:
            os.close(fd)
    return (
        f"{reason}: the database, its index cache and {evicted - len(files):,} module files "
        "(stdlib, site-packages, bot/, cogs/) evicted with posix_fadvise(DONTNEED) before each "
        "restart (pages other processes map stay cached; the machine was shared)"
    )


def restart(
    target: str, tmp: Path, size: int, query: str, *, unclean: bool, cache: str
) -> dict[str, Any]:
    """`quotebot run`'s start-up in a new interpreter, from spawning it to ready, with the
    page cache emptied first; `unclean` leaves a killed run's marker (the full check; SQLite
    only: PostgreSQL has no file to check)."""
    files = [f for f in tmp.iterdir() if f.is_file()]  # the database, index and answer caches
    marker = running_marker(Path(target))
    if not target.startswith("postgresql://"):
        if unclean:
            marker.write_text("benchmark: a run that never stopped cleanly\n")
        else:
            marker.unlink(missing_ok=True)
    emptied = drop_page_cache(files, cache)
    spawned = time.time()
    result: dict[str, Any] = dict(run_python(RESTART, target, str(size), query, str(tmp)))
    result["ready"] = result["ready_wall"] - spawned
    result["interpreter"] = result["python_start_wall"] - spawned
    result["cache"] = emptied
    assert result["thorough"] is unclean
    marker.unlink(missing_ok=True)
    return result


@contextlib.asynccontextmanager
async def database(server: str | None, tmp: Path, size: int) -> AsyncIterator[str]:
    """Where one size is measured: a new SQLite file in `tmp`, or a new database on the
    PostgreSQL `server` (created for the run from the URL's database, dropped after)."""
    if server is None:
        yield str(tmp / "bench.db")
        return
    import asyncpg

    name = f"quotebot_bench_{size}_{os.getpid()}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.rsplit("/", 1)[0] + "/" + name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


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


async def measure(size: int, cache: str, server: str | None) -> dict[str, Any]:
    corpus = interviews(size)
    query = " ".join(corpus[len(corpus) // 2].passages[0].text.split()[:6])
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with database(server, tmp, size) as target:
            store = await Store.open(target if server else Path(target), cache_dir=tmp)
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
                on_disk = await (
                    store.size_bytes() if server else asyncio.to_thread(os.path.getsize, target)
                )
                db_mb = on_disk / 2**20
                library = Library(store, [], index_cache=tmp / "bench.index")
                _, first_start = await phase(library.refresh())
            finally:
                await store.close()
            # The median of three restarts each way: one varies by half a second here.
            restarts: dict[str, Any] = {}
            for how in ("clean",) if server else ("clean", "unclean"):
                runs = sorted(
                    (
                        restart(target, tmp, size, query, unclean=how == "unclean", cache=cache)
                        for _ in range(3)
                    ),
                    key=lambda run: run["ready"],
                )
                restarts[how] = {**runs[1], "ready_runs": [round(r["ready"], 2) for r in runs]}
    return {
        "size": size,
        "load": load,
        "unchanged": unchanged,
        "read": read,
        "db_mb": db_mb,
        "first_start": first_start,
        "stall_ms": max(stalls) * 1000,
        "restart": restarts,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--db",
        help="postgresql://user:pass@host/db: measure PostgreSQL (each size in a new database "
        "created on that server and dropped after); default: SQLite files in a temp dir",
    )
    parser.add_argument(
        "--cache",
        choices=("evict", "drop", "warm"),
        default="evict",
        help="before each restart: evict the bot's files (default), drop the whole page "
        "cache (root; slows a shared machine), or leave it warm",
    )
    args = parser.parse_args(argv)
    rows: list[str] = []
    restarts: list[str] = []
    cache = ""
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = asyncio.run(measure(size, args.cache, args.db))
        rows.append(
            f"| {size:,} | {r['load']:.2f} | {size / r['load']:,.0f} | {r['unchanged']:.2f} "
            f"| {r['read']:.2f} | {r['db_mb']:.0f} | {r['first_start']:.2f} "
            f"| {r['stall_ms']:.0f} |"
        )
        for how, run in r["restart"].items():
            cache = run["cache"]
            verdict = "PASS" if run["ready"] <= RESTART_TARGET_S else "GAP"
            if size != 1_000_000:
                verdict += " (target set at 1M)"
            check = (
                "integrity_check"
                if run["thorough"]
                else "quick_check after ready"
                if run["deferred"]
                else "quick_check"
            )
            if args.db:
                check = "no file check: the server checks its pages"
            restarts.append(
                f"| {size:,} | {how} ({check}) | {run['ready']:.2f} "
                f"| {', '.join(map(str, run['ready_runs']))} | {run['interpreter']:.2f} "
                f"| {run['imports']:.2f} | {run['check']:.2f} | {run['catalog_index']:.2f} "
                f"| {run['cogs']:.2f} | {run['first_quote'] * 1000:.1f} "
                f"| {run['after_ready']:.2f} | {run['rss_mb']:.0f} "
                f"| {verdict} |"
            )
        print(f"{size:,} answers measured", file=sys.stderr, flush=True)
    where = "PostgreSQL (a new database per size on the --db server)" if args.db else "SQLite"
    print(f"Backend: {where}.")
    print()
    print(
        "| answers | load s | answers/s | reload unchanged s | catalog read s | DB MB "
        "| first start (index built from the store) s | longest loop stall ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(
        "Restart to ready, as `quotebot run` starts (spawn → interpreter → imports → database "
        "check → catalog and cached index → cogs' modules), after a clean stop and after an "
        f"unclean one; median of 3, target ≤ {RESTART_TARGET_S:.0f} s at 1M.  Cache: {cache}."
    )
    print()
    print(
        "| answers | last stop (check) | restart to ready s | runs s | interpreter s "
        "| imports s | check s | catalog + index s | cogs s | first /quote ms "
        "| checks after ready s | RSS MB | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(restarts))


if __name__ == "__main__":
    main()
