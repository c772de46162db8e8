"""Helper process for the SIGKILL tests (tests/test_crash.py, test_crash_daily_trivia.py): a fork server for the code paths being killed.

It imports the bot once, then for every JSON request on stdin forks a child that runs one
real code path and exits; it prints the child's pid, then its exit status (negative: the
signal that killed it). Forking from a warm process makes each run start in milliseconds,
so the test can afford dozens of SIGKILLs; the child is an ordinary separate process.

Checkpoints: the child announces every point of interest it reaches as a line ``at NAME``
on the server's stdout (between the pid and the exit status), and at the points the request
names it stops itself (SIGSTOP) right after announcing. The test then kills it there (a kill
that lands where it was aimed, however busy the machine) or lets it go on (SIGCONT) and
kills it a moment later. The points: ``start`` (forked), ``begin`` / ``committed`` (the
corpus transaction is entered / has committed), ``inserting`` and ``committing`` (inside
that transaction: rows being written / about to COMMIT), ``fsync`` (a file written but not
yet renamed into place: the search index cache or an imported transcript), ``claimed`` /
``recording`` (a daily post claimed / sent and about to be recorded), ``ending`` / ``ended``
(a trivia round about to be scored / scored, its message not yet revealed).

Requests (every one is ``[KIND, LOG, STOPS, ...]``; STOPS lists the checkpoints to stop
at): ``load DB PATH...`` runs ``quotebot load --db DB PATH...`` through ``bot.cli.main``;
``load-traced TRACE DB PATH...`` is the same and writes when the corpus transaction began
and ended to TRACE (calibration, never killed); ``import DB SEEDS DATA FILENAME UPLOAD``
runs what ``/admin import`` does on Confirm (``bot.admin_imports.ImportFlow.confirm``):
validate the upload against the loaded data, write it into DATA/interviews, reload, and
remove the files again if the reload fails; ``bot DB SEEDS DATA API GATEWAY TOKEN WHEN UNTIL`` runs the real
bot against the test's emulator with its clock at WHEN, until checkpoint UNTIL has been
passed (a daily post recorded, a trivia round revealed), then stops it cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord

from bot import cli
from bot.admin import existing_from, prepare_import, remove_files, save_import
from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator.launch import start_bot, stop_bot
from bot.library import ensure_loaded, open_library
from bot.settings import Settings
from bot.store import Store

ANNOUNCE = -1  # the server's stdout, kept open in the child for announcements
STOPS: frozenset[str] = frozenset()
REACHED: dict[str, asyncio.Event] = {}


def checkpoint(name: str) -> None:
    """Tell the test this point was reached; stop here (until killed or continued) if asked."""
    os.write(ANNOUNCE, f"at {name}\n".encode())
    if name in STOPS:
        os.kill(os.getpid(), signal.SIGSTOP)
    event = REACHED.get(name)
    if event is not None:
        event.set()


def around(owner: Any, method: str, before: str | None, after: str | None) -> None:
    """Announce `before` when `owner.method` (a coroutine method) is entered, `after` when
    it has returned."""
    original = getattr(owner, method)

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            checkpoint(before)
        result = await original(*args, **kwargs)
        if after:
            checkpoint(after)
        return result

    setattr(owner, method, wrapped)


def install_checkpoints() -> None:
    in_transaction = False
    replace_corpus = Store.replace_corpus
    set_meta = Store.set_meta

    async def traced_replace(self: Store, *args: Any, **kwargs: Any) -> Any:
        nonlocal in_transaction
        checkpoint("begin")
        in_transaction = True
        try:
            return await replace_corpus(self, *args, **kwargs)
        finally:
            in_transaction = False
            checkpoint("committed")

    async def traced_meta(self: Store, *args: Any, **kwargs: Any) -> Any:
        if in_transaction:
            checkpoint("committing")
        return await set_meta(self, *args, **kwargs)

    Store.replace_corpus = traced_replace  # type: ignore[method-assign]
    Store.set_meta = traced_meta  # type: ignore[method-assign]
    around(Store, "_insert_interviews", "inserting", None)
    around(Store, "daily_claim", None, "claimed")
    around(Store, "daily_record", "recording", "recorded")
    around(Store, "trivia_end_round", "ending", "ended")
    # The cogs are loaded as fresh modules (discord.py's load_extension): hook the edit.
    around(discord.PartialMessage, "edit", None, "revealed")
    fsync: Callable[[int], None] = os.fsync

    def traced_fsync(fd: int) -> None:
        fsync(fd)
        checkpoint("fsync")

    os.fsync = traced_fsync


async def confirm_import(db: Path, seeds: Path, data: Path, filename: str, upload: bytes) -> int:
    library = await open_library(Settings(db_path=db, seeds_dir=seeds, data_dir=data))
    try:
        await ensure_loaded(library)
        catalog = library.catalog
        answers: dict[str, list[str]] = {}
        for passage in catalog.passages.stream():
            answers.setdefault(passage.interview_id, []).append(passage.text)
        titles = {iid: iv.meta.title for iid, iv in catalog.interviews.items()}
        prepared = prepare_import(
            upload, filename, existing=existing_from(titles, answers, library.paths)
        )
        paths = save_import(prepared, data)
        outcome = await library.reload(wait=True)
        if not outcome.ok:
            remove_files(paths)
            return 1
        return 0
    finally:
        await library.store.close()


async def run_bot(
    settings: Settings, api: str, gateway: str, token: str, when: str, until: str
) -> int:
    """The real bot against the test's emulator until `until` was reached, then a clean stop."""
    done = REACHED.setdefault(until, asyncio.Event())
    bot = QuoteBot(settings, clock=ManualClock(datetime.fromisoformat(when)), sync_on_start=False)
    await start_bot(SimpleNamespace(api_url=api, gateway_url=gateway, token=token), bot)  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(60):
            await done.wait()
    finally:
        await stop_bot(bot)
    return 0


def trace_transactions(path: str, started: float) -> None:
    """Calibration runs only: note when the corpus transaction runs, relative to the fork."""
    original = Store.replace_corpus

    async def traced(self: Store, *args: Any, **kwargs: Any) -> Any:
        begin = time.monotonic() - started
        try:
            return await original(self, *args, **kwargs)
        finally:
            with open(path, "w", encoding="utf-8") as out:  # noqa: ASYNC230 (tiny, on purpose)
                json.dump([begin, time.monotonic() - started], out)

    Store.replace_corpus = traced  # type: ignore[method-assign]


def run(request: list[Any], started: float) -> int:
    global ANNOUNCE, STOPS
    kind, log, stops, args = request[0], request[1], request[2], request[3:]
    ANNOUNCE = os.dup(1)
    STOPS = frozenset(stops)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    if kind == "load-traced":
        trace_transactions(args[0], started)
        kind, args = "load", args[1:]
    install_checkpoints()
    checkpoint("start")
    if kind == "load":
        db, *paths = args
        return cli.main(["load", "--db", db, *paths])
    if kind == "import":
        db, seeds, data, filename, upload = args
        return asyncio.run(
            confirm_import(Path(db), Path(seeds), Path(data), filename, Path(upload).read_bytes())
        )
    if kind == "bot":
        db, seeds, data, api, gateway, token, when, until = args
        settings = Settings(db_path=Path(db), seeds_dir=Path(seeds), data_dir=Path(data))
        return asyncio.run(run_bot(settings, api, gateway, token, when, until))
    raise SystemExit(f"unknown request {kind!r}")


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        go, ready = os.pipe()  # the child announces nothing before its pid is out
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                os.close(ready)
                os.read(go, 1)
                os.close(go)
                code = run(request, started)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(go)
        print(pid, flush=True)
        os.write(ready, b"!")
        os.close(ready)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    main()
