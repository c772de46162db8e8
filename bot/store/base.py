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
from typing import TYPE_CHECKING, Any, Self

import aiosqlite

from bot.store import dialect, migrate
from bot.store.dialect import POSTGRESQL, Rows, Target, Tx
from bot.store.errors import StoreError
from bot.store.migrate import APPLICATION_ID, _migrations
from bot.store.shelf import PassageShelf

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
    orders the lanes against each other. `driver` is the driver's connection (aiosqlite's,
    or asyncpg's under SQLAlchemy's `conn`).
    """

    def __init__(self, store: StoreBase) -> None:
        self.store = store
        self.lock = asyncio.Lock()
        self.conn: AsyncConnection | None = None  # PostgreSQL only
        self.driver: Any = None
        self._opening = asyncio.Lock()

    async def connect(self) -> None:
        if self.driver is not None:
            return
        async with self._opening:
            if self.driver is not None:
                return
            if self.store.kind == POSTGRESQL:
                assert self.store.engine is not None
                conn = await self.store.engine.connect()
                self.driver = (await conn.get_raw_connection()).driver_connection
                self.conn = conn
            else:
                self.driver = await dialect.connect_sqlite(self.store.path)

    async def close(self) -> None:
        async with self.lock:
            conn, driver, self.conn, self.driver = self.conn, self.driver, None, None
            if conn is not None:
                await conn.close()
            elif driver is not None:
                await driver.close()


class StoreBase:
    """Owns the lanes (and on PostgreSQL the engine); each concern of `Store` adds its
    statements in a subclass (see `bot.store`). Create with `await Store.open(target)`."""

    def __init__(self, target: Target, engine: AsyncEngine | None, main: Lane) -> None:
        self.engine = engine
        self.target = target
        self.kind = target.kind
        self.path = target.path
        self.passages = PassageShelf(target.path if target.kind != POSTGRESQL else None)
        main.store = self
        self._lanes: dict[str, Lane] = {MAIN: main}

    @property
    def conn(self) -> AsyncConnection | None:
        """The main lane's SQLAlchemy connection (PostgreSQL; None on SQLite)."""
        return self._lanes[MAIN].conn

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
        main = Lane(None)  # type: ignore[arg-type]  # its store is set just below
        engine = None
        failures: tuple[type[Exception], ...] = (
            OSError,
            sqlite3.Error,
            *_driver_errors(where.kind),
        )
        try:
            if where.kind == POSTGRESQL:
                engine = dialect.make_engine(where)
                main.conn = await engine.connect()
                main.driver = (await main.conn.get_raw_connection()).driver_connection
            else:
                if not where.memory:
                    where.path.parent.mkdir(parents=True, exist_ok=True)
                main.driver = await aiosqlite.connect(where.path, isolation_level=None)
        except failures as exc:
            if engine is not None:
                await engine.dispose()
            if _unreadable(exc):
                raise StoreError(_unusable(where, exc)) from exc
            raise StoreError(f"cannot open database {where.shown}: {_reason(exc)}") from exc
        store = cls(where, engine, main)
        try:
            if where.kind != POSTGRESQL:
                await store._configure_sqlite()
            await store.migrate()
        except (StoreError, *failures) as exc:  # type: ignore[misc]  # mypy: a starred tuple
            await store.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(_unusable(where, exc)) from exc
        return store

    async def _configure_sqlite(self) -> None:
        """Refuse a file that is not ours, then WAL (outside any transaction: journal_mode
        cannot change inside one)."""
        drv = self._lanes[MAIN].driver

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
        await drv.execute("PRAGMA foreign_keys=ON")
        await drv.execute("PRAGMA synchronous=NORMAL")

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
        if self.engine is not None:
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
            await held.connect()
            async with dialect.transaction(held.conn, held.driver, self.kind, write=write) as tx:
                yield tx

    async def _run(self, lane: str, statement: str, params: Params = None) -> Rows:
        """One statement on `lane`, atomic by itself (SQLite: no BEGIN around it); its
        rows are fetched before the lane is released."""
        held = self._lane(lane)
        async with held.lock:
            await held.connect()
            if held.conn is not None:  # PostgreSQL: SQLAlchemy wants a transaction
                async with held.conn.begin():
                    return await Tx(held.conn, held.driver, self.kind).execute(statement, params)
            return await Tx(None, held.driver, self.kind).execute(statement, params)

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

        A start with nothing to migrate costs one query: SQLAlchemy's engine (on SQLite) and
        Alembic are imported only when the stored revision is behind the head."""
        async with self._tx(MAIN, write=False) as tx:
            stored = await migrate.stored_revision(tx)
        if stored == migrate.head():
            return int(stored)
        held = self._lanes[MAIN]
        async with held.lock:
            if held.conn is not None:
                return int(await migrate.upgrade(held.conn, self.kind))
            if not self.target.memory:
                return int(await asyncio.to_thread(migrate.upgrade_sqlite_file, self.path))
            engine = dialect.make_engine(self.target, held.driver)  # on this very connection
            conn = await engine.connect()
            try:
                return int(await migrate.upgrade(conn, self.kind))
            finally:
                await conn.close()  # back to the engine's pool; the driver's stays open

    async def integrity_ok(self, *, quick: bool = False) -> bool:
        """SQLite's `PRAGMA integrity_check`, or with `quick` the cheaper `quick_check`
        (every page and record, but not whether each index agrees with its table); on
        PostgreSQL, that the schema is there (the server checks its own pages)."""
        async with self._tx(MAIN, write=False) as tx:
            return await dialect.check(tx, quick=quick)

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


def _driver_errors(kind: str) -> tuple[type[Exception], ...]:
    if kind == POSTGRESQL:
        from sqlalchemy.exc import DBAPIError

        return (DBAPIError,)
    return ()


def _unreadable(exc: BaseException) -> bool:
    """The file is there but is not a database (as opposed to: cannot be opened)."""
    cause = getattr(exc, "orig", None) or exc
    return isinstance(cause, sqlite3.DatabaseError) and not isinstance(
        cause, sqlite3.OperationalError
    )


def _unusable(where: Target, exc: BaseException) -> str:
    return (
        f"{where.shown} is not a usable quotebot database ({_reason(exc)}). Move it "
        "aside and run `quotebot load` to rebuild it from the transcripts."
    )


def _reason(exc: BaseException) -> str:
    """The driver's words for a failure, without SQLAlchemy's wrapping."""
    cause = getattr(exc, "orig", None)
    return str(cause if cause is not None else exc)
