"""The stored answers, read by id from worker threads and the event loop."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.models import (
    Passage,
)
from bot.store.errors import StoreError
from bot.store.rows import _CATALOG_ORDER, _PASSAGE_COLUMNS, IndexRow, _passage


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
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the database is closed")
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
