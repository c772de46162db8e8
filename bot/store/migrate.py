"""Schema migrations: Alembic revisions in `bot/store/revisions/`, run at start.

Each revision runs one numbered file of `bot/migrations/` (``NNN_*.sql``) on either
database (`dialect.portable_ddl` reads it for PostgreSQL). Revision ``005`` is the
baseline: on SQLite it applies today's files 001–005 that a database does not have yet
(the old runner's ``PRAGMA user_version`` says which), so a database made before Alembic
upgrades in place; on PostgreSQL it creates the schema of version 5.

Adding a migration: write ``bot/migrations/006_x.sql`` in SQL both databases accept and a
revision ``bot/store/revisions/006_x.py`` (copy ``005``'s header: ``revision = "006"``,
``down_revision = "005"``) whose ``upgrade()`` is ``run_sql_file("006_x.sql")``.

Alembic is imported only when the stored revision is behind: a start that has nothing to
migrate costs one query.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.store.dialect import POSTGRESQL, SQLITE, Tx, portable_ddl, statements

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection

APPLICATION_ID = 0x51554F54  # "QUOT": marks a SQLite file as ours (PRAGMA application_id)
LEGACY_LAST = 5  # the last file the old user_version runner applied
REVISIONS = Path(__file__).with_name("revisions")
_MIGRATION_LOCK = 0x51554F54  # pg_advisory_xact_lock key: one process migrates at a time


def _migrations() -> list[tuple[int, str, str]]:
    """The numbered files of `bot/migrations/`: (number, file name, SQL), in order."""
    found = []
    for entry in resources.files("bot.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def revision_numbers() -> list[int]:
    """The revisions' numbers, from their file names (without importing Alembic)."""
    return sorted(
        int(m.group(1)) for f in REVISIONS.glob("*.py") if (m := re.match(r"(\d{3})_", f.name))
    )


def head() -> str:
    return f"{max(revision_numbers()):03d}"


async def stored_revision(tx: Tx) -> str | None:
    """The database's Alembic revision; None before its first (a new database, or one made
    by the numbered-file runner)."""
    if tx.kind == POSTGRESQL:
        found = "SELECT to_regclass('alembic_version') IS NOT NULL"
    else:
        found = "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
    if not (await tx.execute(found)).scalar():
        return None
    value = (await tx.execute("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


async def upgrade(conn: AsyncConnection, kind: str) -> str:
    """Bring the schema to the head revision in one transaction; returns the revision."""
    target = head()
    driver = (await conn.get_raw_connection()).driver_connection
    async with conn.begin():  # SQLite: BEGIN IMMEDIATE (see dialect's begin event)
        tx = Tx(conn, driver, kind)
        if kind == POSTGRESQL:  # another process may be starting against the same database
            await tx.execute("SELECT pg_advisory_xact_lock(:key)", {"key": _MIGRATION_LOCK})
        if await stored_revision(tx) == target:
            return target
        await conn.run_sync(_run_alembic, target)
    return target


def upgrade_sqlite_file(path: Path) -> str:
    """SQLite: the same, on a connection of its own, synchronously (call it in a worker
    thread): SQLAlchemy's asyncio extension, and the ORM it imports (~0.5 s here), stay
    unloaded, which a new database's first start feels."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    target = head()
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the BEGIN below is the only one
        for pragma in ("foreign_keys=ON", "busy_timeout=10000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.connect() as conn, conn.begin():
            found = "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            if conn.exec_driver_sql(found).scalar():
                stored = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                if stored == target:
                    return target
            _run_alembic(conn, target)
    finally:
        engine.dispose()
    return target


def _run_alembic(conn: Connection, target: str) -> None:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(REVISIONS.parent))
    config.set_main_option("version_locations", str(REVISIONS))
    config.set_main_option("path_separator", "os")
    script = ScriptDirectory.from_config(config)

    def steps(rev: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(config, script, fn=steps, destination_rev=target) as env:
        env.configure(connection=conn, transactional_ddl=True)
        with env.begin_transaction():  # joins the caller's transaction
            env.run_migrations()


def run_sql_file(name: str) -> None:
    """For a revision's `upgrade()`: run ``bot/migrations/<name>`` on the database at hand.

    A SQLite database whose ``user_version`` is already at this number got the file from the
    old runner (a branch made before Alembic): it is not run twice.
    """
    from alembic import op

    bind = op.get_bind()
    number = int(name[:3])
    kind = POSTGRESQL if bind.dialect.name == POSTGRESQL else SQLITE
    if kind == SQLITE and _user_version(bind) >= number:
        return
    script = resources.files("bot.migrations").joinpath(name).read_text(encoding="utf-8")
    run_script(bind, portable_ddl(script, kind))
    if kind == SQLITE:
        _mark_sqlite(bind, number)


def run_script(bind: Connection, script: str) -> None:
    for statement in statements(script):
        bind.exec_driver_sql(statement)


def legacy_sqlite(bind: Connection) -> None:
    """The baseline on SQLite: the old runner's files up to `LEGACY_LAST` that the database
    lacks, in this transaction."""
    current = _user_version(bind)
    for number, _name, sql in _migrations():
        if current < number <= LEGACY_LAST:
            run_script(bind, sql)
            _mark_sqlite(bind, number)


def _user_version(bind: Connection) -> int:
    return int(bind.exec_driver_sql("PRAGMA user_version").scalar() or 0)


def _mark_sqlite(bind: Connection, number: int) -> None:
    """Keep SQLite's header saying whose file this is and which file it has."""
    bind.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    bind.exec_driver_sql(f"PRAGMA user_version={number}")
