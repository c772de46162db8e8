"""The store's connections ("lanes"), opening and migrating, the meta table and checks.

SQLite (WAL, through aiosqlite) or PostgreSQL (asyncpg), both through SQLAlchemy Core:
`bot.store.dialect` knows the differences, `bot.store.migrate` the schema's revisions.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store import dialect, migrate
from bot.store.dialect import POSTGRESQL, Rows, Target, Tx
from bot.store.errors import StoreError
from bot.store.migrate import APPLICATION_ID, _migrations
from bot.store.shelf import PassageShelf

__all__ = ["APPLICATION_ID", "CORPUS_TABLES", "Lane", "StoreBase", "_migrations"]

CORPUS_TABLES = ("interviews", "passages", "topics")
MAIN = "main"
Params = Mapping[str, Any] | None


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
    """A connection of its own for one feature's transactions, and a lock serialising them.

    One connection holds one transaction at a time, so a feature that writes while a reload
    holds its transaction on the main lane would join (or, failing, end) it. Each lane has
    its own connection; the database (SQLite: WAL and busy_timeout; PostgreSQL: row locks)
    orders the lanes against each other.
    """

    def __init__(self, store: StoreBase) -> None:
        self.store = store
        self.lock = asyncio.Lock()
        self._conn: AsyncConnection | None = None
        self.driver: Any = None  # the driver's connection under `_conn` (see `dialect.Tx`)
        self._opening = asyncio.Lock()

    async def connection(self) -> AsyncConnection:
        if self._conn is not None:
            return self._conn
        async with self._opening:
            if self._conn is None:
                conn = await self.store.engine.connect()
                self.driver = (await conn.get_raw_connection()).driver_connection
                self._conn = conn
            return self._conn

    async def close(self) -> None:
        async with self.lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()


class StoreBase:
    """Owns the engine and the lanes; each concern of `Store` adds its statements in a
    subclass (see `bot.store`). Create with `await Store.open(target)`."""

    def __init__(self, engine: AsyncEngine, conn: AsyncConnection, target: Target) -> None:
        self.engine = engine
        self.conn = conn  # the main lane's: corpus loads and reads
        self.target = target
        self.kind = target.kind
        self.path = target.path
        self.passages = PassageShelf(target.path if target.kind != POSTGRESQL else None)
        main = Lane(self)
        main._conn = conn
        self._lanes: dict[str, Lane] = {MAIN: main}

    def _lane(self, name: str) -> Lane:
        if self.target.memory:  # another connection would be another database
            name = MAIN
        if name not in self._lanes:
            self._lanes[name] = Lane(self)
        return self._lanes[name]

    @classmethod
    async def open(cls, target: Path | str, *, cache_dir: Path | None = None) -> Self:
        """Open (creating or migrating) the database at `target`: a SQLite path (or
        ``sqlite:///path``) or a ``postgresql://`` URL. For PostgreSQL, `cache_dir` holds the
        local copy of the answers `PassageShelf` reads (default: ``data/``)."""
        where = dialect.parse_target(target, cache_dir)
        if where.kind != POSTGRESQL and not where.memory:
            where.path.parent.mkdir(parents=True, exist_ok=True)
        engine = dialect.make_engine(where)
        try:
            conn = await engine.connect()
        except (DBAPIError, OSError, sqlite3.Error) as exc:
            await engine.dispose()
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            if isinstance(cause, sqlite3.DatabaseError) and not isinstance(
                cause, sqlite3.OperationalError
            ):
                raise StoreError(_unusable(where, exc)) from exc
            raise StoreError(f"cannot open database {where.shown}: {_reason(exc)}") from exc
        store = cls(engine, conn, where)
        try:
            store._lanes[MAIN].driver = (await conn.get_raw_connection()).driver_connection
            if where.kind != POSTGRESQL:
                await store._configure_sqlite()
            await store.migrate()
        except (DBAPIError, sqlite3.DatabaseError, StoreError) as exc:
            await conn.close()
            await engine.dispose()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(_unusable(where, exc)) from exc
        return store

    async def _driver(self, conn: AsyncConnection | None = None) -> Any:
        """The driver's own connection under `conn` (aiosqlite's or asyncpg's)."""
        raw = await (conn or self.conn).get_raw_connection()
        return raw.driver_connection

    async def _configure_sqlite(self) -> None:
        """Refuse a file that is not ours, then WAL (outside any transaction, on the driver:
        journal_mode cannot change inside one)."""
        drv = await self._driver()

        async def scalar(statement: str) -> Any:
            async with drv.execute(statement) as cur:
                row = await cur.fetchone()
            return None if row is None else row[0]

        await drv.execute("PRAGMA busy_timeout=5000")
        app_id = await scalar("PRAGMA application_id")
        version = await scalar("PRAGMA user_version")
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{self.path} belongs to another application; not touching it.")
        if app_id == 0 and version == 0:
            tables = await scalar("SELECT count(*) FROM sqlite_master WHERE type='table'")
            if tables:
                raise StoreError(
                    f"{self.path} is a database of something else (it has tables but no quotebot "
                    "schema). Point QUOTEBOT_DB at another file or move this one aside."
                )
        # Only now that the file is ours (or new): WAL mode is written into the file's header.
        await drv.execute("PRAGMA journal_mode=WAL")

    async def close(self) -> None:
        """Close every lane (the main one last), then the engine. Again: nothing."""
        if not self._lanes:
            return
        for name, lane in list(self._lanes.items()):
            if name != MAIN:
                await lane.close()
        self.passages.close()
        await self._lanes[MAIN].close()
        self._lanes.clear()
        await self.engine.dispose()

    async def close_lanes(self) -> None:
        """Close the side connections only (a cog that used one is unloading)."""
        for name, lane in list(self._lanes.items()):
            if name != MAIN:
                await lane.close()

    # --- statements -------------------------------------------------------------

    @asynccontextmanager
    async def _tx(self, lane: str = MAIN, *, write: bool = True) -> AsyncIterator[Tx]:
        """One transaction on `lane` (a writer's, or with `write=False` one snapshot to read)."""
        held = self._lane(lane)
        async with held.lock:
            conn = await held.connection()
            async with dialect.transaction(conn, held.driver, self.kind, write=write) as tx:
                yield tx

    async def _run(self, lane: str, statement: str, params: Params = None) -> Rows:
        """One statement on `lane`, atomic by itself (SQLite: no BEGIN around it); its
        rows are fetched before the lane is released."""
        held = self._lane(lane)
        async with held.lock:
            conn = await held.connection()
            if self.kind == POSTGRESQL:
                async with conn.begin():
                    return await Tx(conn, held.driver, self.kind).execute(statement, params)
            return await Tx(conn, held.driver, self.kind).execute(statement, params)

    async def _all(self, lane: str, statement: str, params: Params = None) -> list[Any]:
        return (await self._run(lane, statement, params)).rows

    async def _first(self, lane: str, statement: str, params: Params = None) -> Any:
        return (await self._run(lane, statement, params)).first()

    async def _scalar(self, lane: str, statement: str, params: Params = None) -> Any:
        return (await self._run(lane, statement, params)).scalar()

    # --- schema -------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The schema's revision (the number of the last `bot/migrations` file it has)."""
        async with self._tx(MAIN, write=False) as tx:
            stored = await migrate.stored_revision(tx)
        return int(stored or 0)

    async def migrate(self) -> int:
        """Apply pending revisions in one transaction. Returns the schema's revision.

        A start with nothing to migrate costs one query: Alembic is imported only when the
        stored revision is behind the head."""
        async with self._tx(MAIN, write=False) as tx:
            stored = await migrate.stored_revision(tx)
        if stored == migrate.head():
            return int(stored)
        async with self._lane(MAIN).lock:
            await self.conn.execution_options(begin="IMMEDIATE")
            return int(await migrate.upgrade(self.conn, self.kind))

    async def integrity_ok(self, *, quick: bool = False) -> bool:
        """SQLite's `PRAGMA integrity_check`, or with `quick` the cheaper `quick_check`
        (every page and record, but not whether each index agrees with its table); on
        PostgreSQL, that the schema is there (the server checks its own pages)."""
        held = self._lane(MAIN)
        async with held.lock:
            await self.conn.execution_options(begin="NONE")
            try:
                async with self.conn.begin():
                    return await dialect.check(self.conn, self.kind, quick=quick)
            except DBAPIError as exc:
                if isinstance(exc.orig, sqlite3.DatabaseError):
                    raise exc.orig from exc
                raise

    async def size_bytes(self) -> int:
        """The database's size on disk (SQLite: the file and its write-ahead log)."""
        if self.kind == POSTGRESQL:
            found = await self._scalar(MAIN, "SELECT pg_database_size(current_database())")
            return int(found or 0)
        total = 0
        for candidate in (self.path, self.path.with_name(self.path.name + "-wal")):
            with contextlib.suppress(OSError):
                total += candidate.stat().st_size
        return total

    # --- meta -------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        value = await self._scalar(MAIN, "SELECT value FROM meta WHERE key = :key", {"key": key})
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(MAIN, SET_META, {"key": key, "value": value})


SET_META = (
    "INSERT INTO meta(key, value) VALUES (:key, :value) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)


def _unusable(where: Target, exc: BaseException) -> str:
    return (
        f"{where.shown} is not a usable quotebot database ({_reason(exc)}). Move it "
        "aside and run `quotebot load` to rebuild it from the transcripts."
    )


def _reason(exc: BaseException) -> str:
    """The driver's words for a failure, without SQLAlchemy's wrapping."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig)
    return str(exc)
