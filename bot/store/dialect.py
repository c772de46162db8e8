"""The one place that knows SQLite from PostgreSQL.

Every statement of the store is written once, as portable SQL with named binds
(``text("... WHERE guild_id = :guild_id")``). What differs between the two databases lives
here: how a target (a path or a URL) becomes an engine, how a transaction begins, the
checks a database offers, the bulk load path, row locks, and the few SQL fragments that
have no common spelling.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

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


def make_engine(target: Target) -> AsyncEngine:
    """An engine whose connections the store's lanes hold for their lifetime (no pool: a
    lane keeps its connection; a closed lane closes it)."""
    if target.kind == POSTGRESQL:
        return create_async_engine(target.url, poolclass=NullPool)
    engine = create_async_engine(
        target.url,
        poolclass=StaticPool if target.memory else NullPool,
    )
    _sqlite_events(engine)
    return engine


def _sqlite_events(engine: AsyncEngine) -> None:
    """SQLite as the store has always used it: the driver never begins a transaction by
    itself, and the store's BEGIN is IMMEDIATE for writes (a deferred one that writes after
    another writer committed would fail with 'database is locked' instead of waiting)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in ("foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("begin", "IMMEDIATE")
        if mode != "NONE":  # NONE: one statement, atomic by itself (see StoreBase._run)
            conn.exec_driver_sql(f"BEGIN {mode}")


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


async def check(conn: AsyncConnection, kind: str, *, quick: bool) -> bool:
    """The database's own consistency check: SQLite's `integrity_check` (or the cheaper
    `quick_check`: every page and record, not whether each index agrees with its table).
    PostgreSQL checks its pages itself; reaching it and reading the schema is the check."""
    if kind == POSTGRESQL:
        result = await conn.exec_driver_sql("SELECT count(*) FROM alembic_version")
        return result.scalar() == 1
    pragma = "quick_check" if quick else "integrity_check"
    return (await conn.exec_driver_sql(f"PRAGMA {pragma}")).scalar() == "ok"


_LOAD_LOCK = 0x51554F55  # pg_advisory_xact_lock key of corpus loads


async def serialise_loads(conn: AsyncConnection, kind: str) -> None:
    """First statement of a load's transaction: one load at a time, across processes.

    SQLite's BEGIN IMMEDIATE already is that. On PostgreSQL an advisory lock held to the
    end of the transaction; it also makes SQLAlchemy's asyncpg adapter (which begins
    lazily, at its first statement) open the transaction before COPY runs on the driver.
    """
    if kind == POSTGRESQL:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOAD_LOCK})


async def bulk_insert(
    conn: AsyncConnection, kind: str, table: str, columns: Sequence[str], rows: list[Any]
) -> None:
    """Insert many rows inside `conn`'s transaction (begun with a statement: see
    `serialise_loads`), by the driver's fastest path:
    PostgreSQL's COPY (asyncpg's `copy_records_to_table`), SQLite's executemany (one call
    for the batch: SQLAlchemy's per-row parameter processing cost a third of a load)."""
    if not rows:
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if kind == POSTGRESQL:
        await driver.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    marks = ", ".join("?" * len(columns))
    await driver.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)


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
