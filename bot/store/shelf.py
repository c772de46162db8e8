"""The stored answers, read by id from worker threads and the event loop."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.models import Passage
from bot.store.errors import StoreError
from bot.store.rows import _CATALOG_ORDER, _PASSAGE_COLUMNS, IndexRow, _passage

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class PassageShelf:
    """The stored answers, read from the database file by id when they are shown.

    The catalog used to hold every answer as an object: at a million answers reading them
    back took ~40 s and more memory than the search index, so a restarted bot was far from
    ready in 3 s. The index already holds the answers' text for searching; everything else
    reads the few answers it shows from here.

    Ids are content hashes, so an id always names the same answer; one a reload removed is
    absent. Look-ups share one connection behind a lock (each is one primary-key read, tens
    of microseconds, safe on the event loop); the long reads (`stream`, `index_stream`,
    `ids_by_speaker`) open their own, as they run in worker threads.

    On PostgreSQL the shelf reads a local SQLite copy of the answers, one file per corpus
    (see `materialise`): search threads keep their fast synchronous reads, and each process
    its own copy, made once per corpus fingerprint.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the database is closed")
        if self.path is None:
            raise StoreError("no corpus has been read yet: the answers have no local copy")
        if str(self.path) == ":memory:":
            raise StoreError("answers are read from the database file; :memory: has none")
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            return self._conn.execute(sql, params).fetchone()

    def get(self, passage_id: str) -> Passage | None:
        row = self._one(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id = ?", (passage_id,))
        return None if row is None else _passage(row)

    def __getitem__(self, passage_id: str) -> Passage:
        found = self.get(passage_id)
        if found is None:
            raise KeyError(passage_id)
        return found

    def __contains__(self, passage_id: object) -> bool:
        if not isinstance(passage_id, str):
            return False
        return self._one("SELECT 1 FROM passages WHERE id = ?", (passage_id,)) is not None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of one long read, on a connection of its own (one snapshot; opened
        when first iterated, so in the worker thread that reads it)."""
        conn = self._connect()
        try:
            cursor = conn.execute(sql, params)
            while rows := cursor.fetchmany(4096):
                yield from rows
        finally:
            conn.close()

    def stream(self) -> Iterator[Passage]:
        """Every stored answer in catalog order (for question-bank builds and import
        checks, in a worker thread)."""
        return map(
            _passage, self._rows(f"SELECT {_PASSAGE_COLUMNS} FROM passages {_CATALOG_ORDER}")
        )

    def index_stream(self) -> Iterator[IndexRow]:
        """What the search index is built from, in catalog order: each answer's id, role,
        sentences (its text only when it has none) and the question it answered. A third of `stream`'s work: at 1M
        answers decoding the paragraphs and making Passage objects took ~10 s of ~16 s."""
        loads = json.loads
        for pid, role, sentences, paragraphs, question in self._rows(
            "SELECT id, role, sentences, CASE WHEN sentences = '[]' THEN paragraphs END, "
            f"question FROM passages {_CATALOG_ORDER}"
        ):
            text = "\n\n".join(loads(paragraphs)) if paragraphs else ""
            yield IndexRow(pid, role, tuple(loads(sentences)), text, question)

    def ids_by_speaker(self, speakers: Sequence[str]) -> list[str]:
        """The ids of the answers given by any of `speakers`, in catalog order."""
        if not speakers:
            return []
        marks = ", ".join("?" * len(speakers))
        sql = f"SELECT id FROM passages WHERE speaker IN ({marks}) {_CATALOG_ORDER}"
        return [row[0] for row in self._rows(sql, tuple(speakers))]

    def point_at(self, path: Path) -> None:
        """Read from `path` from now on (a new corpus's copy); reads under way finish on
        the file they opened."""
        with self._lock:
            if path == self.path:
                return
            self.path = path
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def facets(self) -> Iterator[tuple[str, str, str]]:
        """(id, speaker, interview id) of every answer, in catalog order (the search
        index's row order), for the /quote filters (in a worker thread)."""
        return self._rows(f"SELECT id, speaker, interview_id FROM passages {_CATALOG_ORDER}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def shelf_path(cache_dir: Path, key: str) -> Path:
    """Where the local copy of the answers of the corpus with fingerprint `key` lives."""
    return cache_dir / f"answers-{key[:24]}.db"


STALE_COPY_SECONDS = 3600.0
"""How long a copy other than the current one is kept after it was last written.

Another process on this machine may still serve the corpus before a reload until it hears
of the reload (NOTIFY, or at worst its next catalog poll: seconds) and makes or opens the
new copy; an hour is far past that, and keeps the directory from growing a 1M-answer
copy (hundreds of MB) per reload forever."""


def prune_copies(cache_dir: Path, keep: Path, now: float, grace: float = STALE_COPY_SECONDS) -> int:
    """Delete the answer copies (and copies a killed process left half-written) in
    `cache_dir` other than `keep` that nobody has written for `grace` seconds; returns how
    many went. A reader that still has one open keeps reading it (POSIX unlink)."""
    removed = 0
    for path in [*cache_dir.glob("answers-*.db"), *cache_dir.glob("answers-*.db.*.partial")]:
        if path == keep:
            continue
        try:
            if now - path.stat().st_mtime >= grace:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process pruned it first
            continue
    return removed


_SHELF_SCHEMA = (
    "CREATE TABLE passages (id TEXT PRIMARY KEY, interview_id TEXT NOT NULL, "
    "position INTEGER NOT NULL, speaker TEXT NOT NULL, role TEXT NOT NULL, question TEXT, "
    "paragraphs TEXT NOT NULL, sentences TEXT NOT NULL, line INTEGER NOT NULL)",
    "CREATE INDEX passages_by_interview ON passages(interview_id, position)",
)


async def materialise(conn: AsyncConnection, path: Path, batch: int = 20_000) -> None:
    """Copy the answers `conn` sees (in its transaction) into a new SQLite file at `path`.

    Written beside it and renamed into place, so a reader never sees half a copy; a second
    process making the same copy at the same time renames an identical file over it.
    """
    from sqlalchemy import text

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    local = await asyncio.to_thread(_new_shelf, partial)
    try:
        marks = ", ".join("?" * len(_PASSAGE_COLUMNS.split(",")))
        insert = f"INSERT INTO passages({_PASSAGE_COLUMNS}) VALUES ({marks})"
        result = await conn.stream(text(f"SELECT {_PASSAGE_COLUMNS} FROM passages"))
        async for rows in result.partitions(batch):
            await asyncio.to_thread(local.executemany, insert, [tuple(r) for r in rows])
        await asyncio.to_thread(local.execute, "COMMIT")
    finally:
        await asyncio.to_thread(local.close)
    await asyncio.to_thread(os.replace, partial, path)


def _new_shelf(path: Path) -> sqlite3.Connection:
    local = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    local.execute("PRAGMA journal_mode=OFF")
    local.execute("PRAGMA synchronous=OFF")
    for statement in _SHELF_SCHEMA:
        local.execute(statement)
    local.execute("BEGIN")
    return local
