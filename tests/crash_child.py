"""Helper process for tests/test_crash.py: a fork server for the code paths being killed.

It imports the bot once, then for every JSON request on stdin forks a child that runs one
real code path and exits; it prints the child's pid, then its exit status (negative: the
signal that killed it). Forking from a warm process makes each run start in milliseconds,
so the test can afford dozens of SIGKILLs; the child is an ordinary separate process.

Requests: ``["load", LOG, DB, PATH...]`` runs ``quotebot load --db DB PATH...`` through
``bot.cli.main``; ``["load-traced", LOG, TRACE, DB, PATH...]`` is the same (for calibration,
never killed) and writes when the corpus transaction began and ended to TRACE. ``["import", LOG, DB, SEEDS, DATA, FILENAME, UPLOAD]`` runs what
``/admin import`` does on Confirm (``cogs.admin.Admin._confirm``): validate the upload
against the loaded data, write it into DATA/interviews, reload, and remove the files again
if the reload fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bot import cli
from bot.admin import existing_from, prepare_import, remove_files, save_import
from bot.library import ensure_loaded, open_library
from bot.settings import Settings
from bot.store import Store


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


def run(request: list[str], started: float) -> int:
    kind, log = request[0], request[1]
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    if kind == "load-traced":
        trace_transactions(request[2], started)
        kind, request = "load", request[:2] + request[3:]
    if kind == "load":
        db, *paths = request[2:]
        return cli.main(["load", "--db", db, *paths])
    if kind == "import":
        db, seeds, data, filename, upload = request[2:]
        return asyncio.run(
            confirm_import(Path(db), Path(seeds), Path(data), filename, Path(upload).read_bytes())
        )
    raise SystemExit(f"unknown request {kind!r}")


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                code = run(request, started)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    main()
