"""The one place that knows SQLite from PostgreSQL.

Every statement of the store is written once, as portable SQL with named binds
(``"... WHERE guild_id = :guild_id"``). What differs between the two databases lives here:
connecting, how a transaction begins, how a statement runs (`Tx`), the checks a database
offers, the bulk load path, row locks, and the few SQL fragments with no common spelling.

SQLAlchemy is imported only for PostgreSQL and for migrations: a SQLite start with nothing
to migrate runs on aiosqlite alone (importing SQLAlchemy's asyncio engine costs ~0.3 s,
and it brings its ORM along).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


@dataclass(frozen=True, slots=True)
class Target:
    """Where the store lives: a SQLite file (or ``:memory:``), or a PostgreSQL URL."""

    kind: str  # SQLITE or POSTGRESQL
    url: str  # the SQLAlchemy URL
    path: Path  # the SQLite file; for PostgreSQL, where local caches go (see `cache_dir`)
    shown: str  # for messages: the path, or the URL without its password

    @property
    def memory(self) -> bool:
        return self.kind == SQLITE and str(self.path) == ":memory:"


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(_PG_SCHEMES)


def parse_target(target: str | Path, cache_dir: Path | None = None) -> Target:
    """`QUOTEBOT_DB`'s value as a `Target`: ``postgresql://…`` selects PostgreSQL; a path or
    ``sqlite:///path`` keeps SQLite."""
    raw = str(target)
    if is_url(raw):
        rest = raw.split("://", 1)[1]
        shown = re.sub(r":[^:@/]*@", ":***@", rest, count=1)
        return Target(
            POSTGRESQL,
            "postgresql+asyncpg://" + rest,
            cache_dir or Path("data"),
            "postgresql://" + shown,
        )
    if raw.startswith("sqlite:///"):
        raw = raw.removeprefix("sqlite:///")
    path = Path(raw)
    return Target(SQLITE, f"sqlite+aiosqlite:///{path}", path, str(path))


SQLITE_PRAGMAS = ("foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL")


async def connect_sqlite(path: Path) -> aiosqlite.Connection:
    """A lane's SQLite connection: autocommit (the store says BEGIN), foreign keys on."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        await conn.execute(f"PRAGMA {pragma}")
    return conn


def make_engine(target: Target, sqlite_conn: aiosqlite.Connection | None = None) -> AsyncEngine:
    """PostgreSQL: an engine whose connections the lanes hold for their lifetime (no pool).
    SQLite (for migrations only): an engine on `sqlite_conn`, the store's own connection."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool, StaticPool

    if target.kind == POSTGRESQL:
        return create_async_engine(target.url, poolclass=NullPool)

    async def same_connection() -> aiosqlite.Connection:
        assert sqlite_conn is not None
        return sqlite_conn

    engine = create_async_engine(
        "sqlite+aiosqlite://", async_creator=same_connection, poolclass=StaticPool
    )
    _sqlite_events(engine)
    return engine


def _sqlite_events(engine: AsyncEngine) -> None:
    """SQLite as the store uses it: the driver never begins a transaction by itself, and
    SQLAlchemy's BEGIN is IMMEDIATE (a migration is a writer)."""
    from sqlalchemy import event

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def for_update(kind: str) -> str:
    """Lock the guard rows a transaction read (PostgreSQL). SQLite's BEGIN IMMEDIATE
    already serialises writers, and it has no such clause."""
    return " FOR UPDATE" if kind == POSTGRESQL else ""


def sorted_concat(kind: str, column: str, source: str) -> str:
    """A scalar subquery: `column` of `source` (a FROM clause with its WHERE), sorted and
    joined with commas."""
    if kind == POSTGRESQL:
        return f"(SELECT string_agg({column}, ',' ORDER BY {column}) FROM {source})"
    return f"(SELECT group_concat({column}) FROM (SELECT {column} FROM {source} ORDER BY 1))"


async def check(tx: Tx, *, quick: bool) -> bool:
    """The database's own consistency check: SQLite's `integrity_check` (or the cheaper
    `quick_check`: every page and record, not whether each index agrees with its table).
    PostgreSQL checks its pages itself; reaching it and reading the schema is the check."""
    if tx.kind == POSTGRESQL:
        return (await tx.execute("SELECT count(*) FROM alembic_version")).scalar() == 1
    pragma = "quick_check" if quick else "integrity_check"
    return (await tx.execute(f"PRAGMA {pragma}")).scalar() == "ok"


_LOAD_LOCK = 0x51554F55  # pg_advisory_xact_lock key of corpus loads
GAME_IDS_LOCK = 0x51554F47  # ... of new trivia game ids (max(id) + 1 read then inserted)


async def serialise(tx: Tx, key: int) -> None:
    """One such transaction at a time, across processes, until `tx` ends.

    SQLite's BEGIN IMMEDIATE already is that. On PostgreSQL an advisory lock held to the
    end of the transaction; it also makes SQLAlchemy's asyncpg adapter (which begins
    lazily, at its first statement) open the transaction at once.
    """
    if tx.kind == POSTGRESQL:
        await tx.execute("SELECT pg_advisory_xact_lock(:key)", {"key": key})


async def serialise_loads(tx: Tx) -> None:
    """First statement of a load's transaction: one load at a time (and on PostgreSQL the
    transaction is open before COPY runs on the driver)."""
    await serialise(tx, _LOAD_LOCK)


async def bulk_insert(tx: Tx, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Insert many rows (tuples in `columns` order) inside `tx` (on PostgreSQL begun with a
    statement: see `serialise_loads`), by the driver's fastest path: PostgreSQL's COPY
    (asyncpg's `copy_records_to_table`), SQLite's executemany (one call for the batch)."""
    if not rows:
        return
    if tx.kind == POSTGRESQL:
        await tx.driver.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    marks = ", ".join("?" * len(columns))
    await tx.driver.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)


# --- migrations ----------------------------------------------------------------

_PG_TYPES = (
    # SQLite numbers an INTEGER PRIMARY KEY left out of an INSERT (AUTOINCREMENT or not)
    (
        re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b"),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),  # Discord ids are 64-bit
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    # SQLite compares text by its bytes: so does "C" (ids, days and names sort alike)
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
    (re.compile(r"\)\s*WITHOUT\s+ROWID"), ")"),
)


def portable_ddl(sql: str, kind: str) -> str:
    """A numbered migration file written for SQLite (`bot/migrations/NNN_*.sql`), as the
    database at hand runs it. PostgreSQL reads INTEGER as BIGINT, REAL as DOUBLE PRECISION,
    BLOB as BYTEA, an INTEGER PRIMARY KEY as an identity column, TEXT with the "C" collation
    (SQLite's: byte order), and ignores WITHOUT ROWID; types are written in upper case. Anything
    else must be SQL both accept (CREATE TABLE/INDEX, ALTER TABLE ADD COLUMN, UPDATE...)."""
    if kind != POSTGRESQL:
        return sql
    for pattern, spelling in _PG_TYPES:
        sql = pattern.sub(spelling, sql)
    return sql


def statements(script: str) -> list[str]:
    """Split a migration script into statements (so one transaction can hold them all;
    sqlite3's executescript commits first). Comments-only pieces are dropped."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            stmt = pending.strip()
            body = "\n".join(
                part for part in stmt.splitlines() if not part.strip().startswith("--")
            ).strip()
            if body and body != ";":
                found.append(stmt)
            pending = ""
    if pending.strip() and any(
        not part.strip().startswith("--") and part.strip() for part in pending.splitlines()
    ):
        found.append(pending.strip())
    return found


def integrity_errors(kind: str) -> tuple[type[Exception], ...]:
    """What a driver raises when a constraint says no."""
    if kind == POSTGRESQL:
        from sqlalchemy.exc import IntegrityError

        return (IntegrityError,)
    return (sqlite3.IntegrityError,)


# --- running statements ------------------------------------------------------------


@dataclass(slots=True)
class Rows:
    """A statement's rows (fetched) and how many rows it changed."""

    rows: list[Any]
    rowcount: int

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]


_IN_LIST = re.compile(r":(\w+)\b")


def expand(statement: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``x IN :ids`` with a list for ``ids``, as one bind per item (both drivers take
    named binds; a list is not a value)."""
    lists = {k: v for k, v in params.items() if isinstance(v, list | tuple)}
    if not lists:
        return statement, dict(params)
    flat = {k: v for k, v in params.items() if k not in lists}

    def spread(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lists:
            return match.group(0)
        names = [f"{name}_{n}" for n in range(len(lists[name]))]
        flat.update(zip(names, lists[name], strict=True))
        return "(" + (", ".join(f":{n}" for n in names) or "NULL") + ")"

    return _IN_LIST.sub(spread, statement), flat


def _returns_rows(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    return head.startswith(("SELECT", "WITH", "PRAGMA")) or " RETURNING " in statement.upper()


class Tx:
    """The statements of one transaction (or one statement, atomic by itself) on a lane.

    On PostgreSQL each goes through SQLAlchemy (`text()`, asyncpg's prepared statements).
    On SQLite the same text goes to aiosqlite itself (sqlite3 takes ``:name`` binds): one
    thread hop a statement, where SQLAlchemy's adapter made several (cursor, execute,
    fetch, close) and cost the daily scheduler ~5x its CPU time per post.
    """

    def __init__(self, conn: AsyncConnection | None, driver: Any, kind: str) -> None:
        self.conn = conn
        self.driver = driver
        self.kind = kind

    async def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> Rows:
        statement, binds = expand(statement, params or {})
        if self.kind == POSTGRESQL:
            from sqlalchemy import text

            assert self.conn is not None
            result = await self.conn.execute(text(statement), binds)
            if result.returns_rows:
                rows = list(result.fetchall())
                return Rows(rows, len(rows))
            return Rows([], result.rowcount)
        if _returns_rows(statement):
            found = list(await self.driver.execute_fetchall(statement, binds))
            return Rows(found, len(found))
        cursor = await self.driver.execute(statement, binds)
        return Rows([], cursor.rowcount)

    async def executemany(self, statement: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self.kind == POSTGRESQL:
            from sqlalchemy import text

            assert self.conn is not None
            await self.conn.execute(text(statement), list(rows))
        else:
            await self.driver.executemany(statement, rows)


@asynccontextmanager
async def transaction(
    conn: AsyncConnection | None, driver: Any, kind: str, *, write: bool
) -> AsyncIterator[Tx]:
    """A transaction: SQLite's BEGIN IMMEDIATE for a writer (it waits for other writers
    instead of failing later), a deferred BEGIN (one snapshot) for a reader."""
    if kind == POSTGRESQL:
        assert conn is not None
        async with conn.begin():
            yield Tx(conn, driver, kind)
        return
    await driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield Tx(conn, driver, kind)
    except BaseException:
        if driver.in_transaction:
            await driver.execute("ROLLBACK")
        raise
    await driver.execute("COMMIT")
