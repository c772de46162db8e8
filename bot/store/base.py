"""The store's connection, lanes, migrations, meta table and integrity checks.

SQLite in WAL mode through aiosqlite. Schema changes are numbered files in
`bot/migrations/` applied under `PRAGMA user_version`, each in one transaction.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.store.errors import StoreError
from bot.store.shelf import PassageShelf

APPLICATION_ID = 0x51554F54  # "QUOT": marks the file as ours (PRAGMA application_id)
CORPUS_TABLES = ("interviews", "passages", "topics")


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("bot.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class _ShortStatementLog(logging.Filter):
    """Shorten aiosqlite's DEBUG lines to the call, its SQL and a row count.

    aiosqlite logs every call with its arguments: one ``executemany`` of a corpus load
    would print every row it inserts (megabytes per line, and the answers' text).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], functools.partial):
            call = args[0]
            parts = [getattr(call.func, "__name__", "call")]
            if call.args and isinstance(call.args[0], str):
                sql = " ".join(call.args[0].split())
                parts.append(sql if len(sql) <= 300 else sql[:300] + "…")
            if len(call.args) > 1 and isinstance(call.args[1], list):
                parts.append(f"[{len(call.args[1])} rows]")
            record.args = (" ".join(parts),)
        return True


logging.getLogger("aiosqlite").addFilter(_ShortStatementLog())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Lane:
    """A second connection to the same file for one feature's small transactions.

    One SQLite connection holds one transaction at a time, so a feature that writes while a
    reload holds its transaction on `Store.conn` would join (or, failing, end) it. Each
    lane has its own connection and a lock that serialises its transactions; SQLite (WAL,
    busy_timeout) orders the lanes against each other.
    """

    def __init__(self, store: StoreBase) -> None:
        self.store = store
        self.lock = asyncio.Lock()
        self._conn: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()

    async def connection(self) -> aiosqlite.Connection:
        if self._conn is not None:
            return self._conn
        async with self._opening:
            if self._conn is None:
                if str(self.store.path) == ":memory:":
                    self._conn = self.store.conn  # another connection: another database
                else:
                    conn = await aiosqlite.connect(self.store.path, isolation_level=None)
                    for pragma in ("foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
                        await conn.execute(f"PRAGMA {pragma}")
                    self._conn = conn
            return self._conn

    async def close(self) -> None:
        async with self.lock:
            conn, self._conn = self._conn, None
            if conn is not None and conn is not self.store.conn:
                await conn.close()


class StoreBase:
    """Owns one aiosqlite connection and the lanes; each concern of `Store` adds its
    statements in a subclass (see `bot.store`). Create with `await Store.open(path)`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.passages = PassageShelf(path)
        self._lanes: dict[str, Lane] = {}

    def _lane(self, name: str) -> Lane:
        if name not in self._lanes:
            self._lanes[name] = Lane(self)
        return self._lanes[name]

    @classmethod
    async def open(cls, path: Path | str) -> Self:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        store = cls(conn, path)
        try:
            await store._configure()
            await store.migrate()
        except (sqlite3.DatabaseError, StoreError) as exc:
            await conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(
                f"{path} is not a usable quotebot database ({exc}). Move it aside and run "
                f"`quotebot load` to rebuild it from the transcripts."
            ) from exc
        return store

    async def _configure(self) -> None:
        conn = self.conn
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        app_id = await self._scalar("PRAGMA application_id")
        version = await self._scalar("PRAGMA user_version")
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{self.path} belongs to another application; not touching it.")
        if app_id == 0 and version == 0:
            tables = await self._scalar("SELECT count(*) FROM sqlite_master WHERE type='table'")
            if tables:
                raise StoreError(
                    f"{self.path} is a database of something else (it has tables but no quotebot "
                    "schema). Point QUOTEBOT_DB at another file or move this one aside."
                )
        # Only now that the file is ours (or new): WAL mode is written into the file's header.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")

    async def close(self) -> None:
        """Close every lane, then the main connection."""
        for lane in list(self._lanes.values()):
            await lane.close()
        self._lanes.clear()
        self.passages.close()
        await self.conn.close()

    async def close_lanes(self) -> None:
        """Close the side connections only (a cog that used one is unloading)."""
        for lane in list(self._lanes.values()):
            await lane.close()

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self.conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return int(await self._scalar("PRAGMA user_version"))

    async def migrate(self) -> int:
        """Apply pending migrations, each atomically with its version bump. Returns the version."""
        current = await self.schema_version()
        for number, name, sql in _migrations():
            if number <= current:
                continue
            script = f"BEGIN;\n{sql}\nPRAGMA application_id={APPLICATION_ID};\nPRAGMA user_version={number};\nCOMMIT;"
            try:
                await self.conn.executescript(script)
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    await self.conn.rollback()
                raise StoreError(f"migration {name} failed: {exc}") from exc
            current = number
        return current

    async def integrity_ok(self, *, quick: bool = False) -> bool:
        """`PRAGMA integrity_check`, or with `quick` the cheaper `quick_check` (every page
        and record, but not whether each index agrees with its table)."""
        pragma = "quick_check" if quick else "integrity_check"
        return await self._scalar(f"PRAGMA {pragma}") == "ok"

    # --- meta -------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        value = await self._scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
