"""Search worker processes: same answers as searching in-process, a clear answer when a
worker dies or hangs mid-query, replacements, and no process left behind."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from test_shutdown import (  # tests/ is on sys.path; the fixtures run `python -m bot`
    Spawn,
    assert_clean_exit,
    discord_env,  # noqa: F401 - a fixture
    ready,
    spawn,  # noqa: F401 - a fixture
)

from benchmarks.bench_load import keystrokes, remembered
from benchmarks.bench_store import interviews
from bot.catalog import QuoteSearch
from bot.emulator import DiscordEmulator, World
from bot.errors import UserError
from bot.lane import WORKER_FAILED, SearchLane
from bot.library import Library
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]


def gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaped counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Poll until `predicate` holds (a minute at most: then fail, naming `what`)."""
    for _ in range(3000):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited a minute for {what}")


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    """1,200 synthetic answers (past the naive-fusion cut-off) in a real SQLite file."""
    corpus = [
        replace(iv, passages=tuple(replace(p, id=f"{int(p.id[1:], 16):012x}") for p in iv.passages))
        for iv in interviews(1200)
    ]
    store = await Store.open(tmp_path / "q.db")
    await store.replace_corpus(corpus, [])
    lib = Library(store, [], index_cache=tmp_path / "q.index")
    await lib.refresh()
    assert (tmp_path / "q.index").is_file()
    yield lib
    await lib.store.close()


@pytest.fixture
async def lane(library: Library) -> AsyncIterator[SearchLane]:
    lane = SearchLane()
    await lane.start_workers(1, library.index_cache)
    assert lane.pool is not None and lane.pool.available == 1
    yield lane
    await lane.close()


def shown(found: QuoteSearch) -> list[tuple[object, ...]]:
    return [(v.passage.id, v.score, v.sentence_index, v.excerpt) for v in found.results] + [
        ("suggestion", s) for s in found.suggestions
    ]


def queries(library: Library, count: int, seed: int) -> list[str]:
    """Half-remembered phrases of stored answers, with typos and dropped words, and a few
    that match nothing."""
    rng = random.Random(seed)
    catalog = library.catalog
    out = []
    for pid in rng.sample(list(catalog.quotable), count):
        passage = catalog.passages[pid]
        sentence = rng.choice(passage.sentences)
        if len(sentence.split()) < 4:
            continue
        phrase = remembered(sentence, rng)
        if rng.random() < 0.4:
            at = rng.randrange(len(phrase))
            phrase = phrase[:at] + phrase[at + 1 :]
        out.append(phrase)
    return [*out, "zzqx blorft", "the and of", "🙂🙂"]


async def test_worker_answers_are_the_in_process_answers(
    library: Library, lane: SearchLane
) -> None:
    catalog = library.catalog
    speaker = catalog.speakers()[0]
    interview = next(iter(catalog.interviews))
    compared = 0
    for query in queries(library, 40, seed=5):
        alone = catalog.quote(query, 5)
        assert shown(await lane.quote(catalog, query, 5)) == shown(alone)
        first = await lane.quote(catalog, query, 5, shown=1)  # what /quote reads and shows
        assert shown(first) == shown(replace(alone, results=alone.results[:1]))
        filtered = await lane.quote(catalog, query, 5, speakers=[speaker], interview=interview)
        alone = catalog.quote(query, 5, speakers=[speaker], interview=interview)
        assert shown(filtered) == shown(alone)
        for typed in keystrokes(query):
            assert await lane.suggest(1, catalog, typed, 25) == catalog.autocomplete(typed, 25)
            theirs = await lane.suggest(2, catalog, typed, 25, speakers=[speaker])
            assert theirs == catalog.autocomplete(typed, 25, speakers=[speaker])
            compared += 1
    assert compared > 100
    assert lane.pool is not None and lane.pool.deaths == 0
    assert lane.in_worker > 0 and lane.in_thread == 0  # all of it was answered by the worker


async def test_a_worker_killed_mid_query_gives_a_clear_answer_and_is_replaced(
    library: Library, lane: SearchLane
) -> None:
    assert lane.pool is not None
    (pid,) = lane.pool.pids
    os.kill(pid, signal.SIGSTOP)  # frozen: the query below is sent and never answered
    query = asyncio.ensure_future(lane.quote(library.catalog, "words nobody typed yet", 5))
    await until(lambda: lane.pool is not None and lane.pool.busy == 1, "the query to be sent")
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(UserError) as caught:
        await query
    assert str(caught.value) == WORKER_FAILED
    await until(lambda: lane.pool is not None and lane.pool.available == 1, "a replacement")
    assert lane.pool.pids != [pid] and lane.pool.deaths == 1
    await until(lambda: gone(pid), "the dead worker to be reaped")
    before = lane.in_worker
    found = await lane.quote(library.catalog, "a different query this time", 5)
    assert shown(found) == shown(library.catalog.quote("a different query this time", 5))
    assert lane.in_worker == before + 1  # the replacement answered it


async def test_a_hung_worker_is_killed_after_the_timeout_not_waited_for(
    library: Library, lane: SearchLane
) -> None:
    assert lane.pool is not None
    lane.pool.timeout = 0.5
    (pid,) = lane.pool.pids
    os.kill(pid, signal.SIGSTOP)
    with pytest.raises(UserError, match="stopped unexpectedly"):
        await lane.quote(library.catalog, "a query that hangs", 5)
    # Autocomplete has no place for an error message: it shows nothing, and goes on.
    await until(lambda: lane.pool is not None and lane.pool.available == 1, "a replacement")
    os.kill(lane.pool.pids[0], signal.SIGSTOP)
    assert await lane.suggest(1, library.catalog, "some prefix", 25) == []
    await until(lambda: gone(pid), "the hung worker to be killed")
    await until(lambda: lane.pool is not None and lane.pool.available == 1, "a replacement")
    assert lane.pool.deaths == 2


async def test_close_leaves_no_worker_process(library: Library) -> None:
    lane = SearchLane()
    await lane.start_workers(2, library.index_cache)
    assert lane.pool is not None
    pids = lane.pool.pids
    assert len(pids) == 2 and not any(gone(p) for p in pids)
    await lane.quote(library.catalog, "warm them up", 5)
    await lane.close()
    assert all(gone(p) for p in pids)
    # With no workers the lane searches in threads, with the same answers.
    found = await lane.quote(library.catalog, "after the workers stopped", 5)
    assert shown(found) == shown(library.catalog.quote("after the workers stopped", 5))
    assert lane.in_thread == 1


async def test_close_while_workers_start_stops_them_too(library: Library) -> None:
    """A bot closed seconds after ready (`quotebot try` with one line): the workers still
    starting are killed and waited for by close, not left to the loop's end."""
    lane = SearchLane()
    starting = asyncio.ensure_future(lane.start_workers(2, library.index_cache))
    await until(lambda: lane.pool is not None and len(lane.pool.starting) == 2, "two spawns")
    assert lane.pool is not None
    pool, pids = lane.pool, sorted(lane.pool.starting)
    await lane.close()
    assert all(gone(p) for p in pids)
    await starting  # start-up ends, with no worker
    assert pool.available == 0 and not pool.starting


async def test_workers_end_when_the_bot_dies_without_closing(library: Library) -> None:
    """SIGKILL of the bot: its workers see their pipe close and exit by themselves."""
    script = (
        "import asyncio, os, sys\n"
        "from pathlib import Path\n"
        "from bot.lane import SearchLane\n"
        "async def main():\n"
        "    lane = SearchLane()\n"
        "    await lane.start_workers(2, Path(sys.argv[1]))\n"
        "    print(*lane.pool.pids, flush=True)\n"
        "    os._exit(0)\n"
        "asyncio.run(main())\n"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(library.index_cache), cwd=ROOT, stdout=subprocess.PIPE
    )
    out, _ = await child.communicate()
    assert child.returncode == 0
    pids = [int(p) for p in out.split()]
    assert len(pids) == 2
    await until(lambda: all(gone(p) for p in pids), "the orphaned workers to exit")


async def test_a_replaced_index_file_is_mapped_anew_and_a_missing_one_searched_in_threads(
    library: Library, lane: SearchLane
) -> None:
    """The saved index was replaced after the catalog was read (a process that rebuilt the
    same corpus): a worker that has not mapped it yet refuses the old name, the lane looks
    again and the worker maps the new file (checked against the catalog's fingerprint).
    With no file, the catalog is searched in threads; never from another file."""
    assert library.index_cache is not None and lane.pool is not None
    catalog = library.catalog
    await lane.quote(catalog, "map the file first", 5)
    (pid,) = lane.pool.pids
    os.kill(pid, signal.SIGKILL)  # dies while idle: replaced without failing anyone's query
    await until(lambda: lane.pool is not None and lane.pool.pids not in ([], [pid]), "a new one")
    library.index_cache.unlink()
    catalog.index.save(library.index_cache)  # the same index, another file
    found = await lane.quote(catalog, "a phrase to look for", 5)  # refused: in a thread
    assert shown(found) == shown(catalog.quote("a phrase to look for", 5))
    assert (lane.in_worker, lane.in_thread) == (2, 1)
    found = await lane.quote(catalog, "another phrase to look for", 5)
    assert shown(found) == shown(catalog.quote("another phrase to look for", 5))
    assert (lane.in_worker, lane.in_thread) == (3, 1)  # the new file, mapped by the worker

    (pid,) = lane.pool.pids
    os.kill(pid, signal.SIGKILL)
    await until(lambda: lane.pool is not None and lane.pool.pids not in ([], [pid]), "a new one")
    library.index_cache.unlink()  # no file at all now
    for query in ["a third phrase", "a fourth phrase"]:
        assert shown(await lane.quote(catalog, query, 5)) == shown(catalog.quote(query, 5))
    assert (lane.in_worker, lane.in_thread) == (4, 3)  # asked once, then threads only


async def test_the_deployed_bot_searches_in_workers_replaces_them_and_stops_them(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]],  # noqa: F811 - the fixture
    spawn: Spawn,  # noqa: F811 - the fixture
) -> None:
    """`python -m bot` as deployed: workers start after ready, answer /quote, a killed one
    is replaced, and SIGTERM leaves no worker process behind."""
    emu, world, env = discord_env
    bot = await spawn({**env, "QUOTEBOT_SEARCH_WORKERS": "2"})
    await ready(emu, world, bot)
    await bot.wait_log("2 search worker process(es) ready", timeout=60)
    pids = [int(p) for p in re.findall(r"search worker (\d+) ready", bot.log)]
    assert len(pids) == 2 and not any(gone(p) for p in pids)

    handle = await emu.slash("quote", {"query": "put the money on screen"}, user=world.member)
    answer = await handle.wait_original(timeout=10)
    assert answer.embed is not None and "money on the screen" in answer.embed["description"]

    os.kill(pids[0], signal.SIGKILL)
    await bot.wait_log(f"search worker {pids[0]} exited", timeout=30)
    await bot.wait_log("ready (2 of 2)", timeout=60, after=len(bot.lines) - 1)
    pids = [int(p) for p in re.findall(r"search worker (\d+) ready", bot.log)]
    assert len(pids) == 3
    handle = await emu.slash("quote", {"query": "put the money on screen"}, user=world.moderator)
    again = await handle.wait_original(timeout=10)
    assert again.embed is not None and again.embed["description"] == answer.embed["description"]

    bot.proc.send_signal(signal.SIGTERM)
    code = await bot.finish()
    assert_clean_exit(bot, code, emu.token, Path(env["QUOTEBOT_DB"]))
    assert all(gone(p) for p in pids)
