"""Start-up safety for the database file: check it, explain a bad one, set it aside.

The database is rebuilt from the transcripts by `quotebot load`, so a file that cannot be
used (not SQLite, another program's, damaged pages) is never repaired in place: it is
renamed to ``<name>.corrupt-<UTC timestamp>`` (its ``-wal``/``-shm`` files with it, so the
pair still opens together for forensics) and a new one is built. No discord import.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.startfiles import running_marker
from bot.store import Store, StoreError

REBUILD_HINT = (
    "Way out: `quotebot load --rebuild` moves the file aside (it is kept, renamed "
    "<name>.corrupt-<time>) and builds a new database from the transcripts."
)
_SIDE_FILES = ("-wal", "-shm", "-journal")


def explain(error: BaseException) -> str:
    """The message for an unusable database, always ending with the way out."""
    text = str(error)
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, StoreError):
        text = f"the database cannot be read ({error})"
    return text if "--rebuild" in text else f"{text}\n{REBUILD_HINT}"


async def check_database(path: Path, *, thorough: bool = True) -> str | None:
    """Why the database at `path` cannot be used, or None (it is fine, or not there yet).

    Opening runs the same checks and migrations as the bot; then `PRAGMA integrity_check`
    (or, not `thorough`, `PRAGMA quick_check`) looks at every page, so damage is found at
    start-up rather than mid-command.
    """
    if str(path) == ":memory:" or not await asyncio.to_thread(path.exists):
        return None
    try:
        store = await Store.open(path)
    except StoreError as exc:
        return str(exc)
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        ok = await store.integrity_ok(quick=not thorough)
    except sqlite3.DatabaseError as exc:
        return f"{path} is damaged ({exc})."
    finally:
        await store.close()
    return None if ok else f"{path} is damaged (PRAGMA {pragma} failed)."


# --- the unclean-shutdown marker ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartCheck:
    problem: str | None  # why the database cannot be used, or None
    thorough: bool  # the full integrity_check ran (after an unclean stop), else quick_check
    deferred: bool = False  # the quick_check is left for after ready (`check_after_ready`)


async def check_at_start(path: Path, *, defer_quick: bool = False) -> StartCheck:
    """The check `quotebot run` makes: the full `integrity_check` after an unclean stop (the
    marker is still there), the far cheaper `quick_check` after a clean one.

    With `defer_quick`, after a clean stop the database is only opened (its header, schema
    and migrations checked) and the `quick_check`, which reads every page, is left for
    :func:`check_after_ready`: at a million answers it reads 1.2 GB, tens of seconds from a
    cold disk. After an unclean stop the full check always runs first.
    """
    thorough = str(path) != ":memory:" and await asyncio.to_thread(running_marker(path).exists)
    if thorough or not defer_quick or str(path) == ":memory:":
        return StartCheck(await check_database(path, thorough=thorough), thorough)
    if not await asyncio.to_thread(path.exists):
        return StartCheck(None, False)
    try:
        store = await Store.open(path)
    except StoreError as exc:
        return StartCheck(str(exc), False)
    await store.close()
    return StartCheck(None, False, deferred=True)


async def check_after_ready(path: Path) -> str | None:
    """The `quick_check` a deferred start left: why the database cannot be used, or None."""
    return await check_database(path, thorough=False)


def mark_running(path: Path) -> Path | None:
    """Write the marker (pid and UTC start time); None for an in-memory database."""
    if str(path) == ":memory:":
        return None
    marker = running_marker(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{os.getpid()} {datetime.now(UTC).isoformat()}\n", encoding="utf-8")
    return marker


def clear_running(marker: Path | None) -> None:
    """Remove the marker: call only once every database connection has closed."""
    if marker is not None:
        marker.unlink(missing_ok=True)


def set_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename the database (and its side files) to ``<name>.corrupt-<time>``; returns the
    new path. Nothing is deleted."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


async def rebuild_if_unusable(path: Path) -> tuple[str, Path] | None:
    """For `quotebot load --rebuild`: set an unusable database aside.

    Returns (why it was unusable, where it went), or None when the database is fine (a
    healthy file is never moved: it holds schedules, scores and the audit trail).
    """
    problem = await check_database(path)
    if problem is None:
        return None
    return problem, set_aside(path)
