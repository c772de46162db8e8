"""005 baseline: the schema of bot/migrations/001–005.

SQLite: the files a database made by the old numbered runner does not have yet (none for a
database at version 5: it upgrades in place). PostgreSQL: files 001–004, then 005's change
without its data step (a new database has no sentences to move; json_group_array is
SQLite's).
"""

from alembic import op

from bot.store.dialect import POSTGRESQL, portable_ddl
from bot.store.migrate import LEGACY_LAST, _migrations, legacy_sqlite, run_script

revision = "005"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != POSTGRESQL:
        legacy_sqlite(bind)
        return
    for number, _name, sql in _migrations():
        if number < LEGACY_LAST:
            run_script(bind, portable_ddl(sql, POSTGRESQL))
    after = "ALTER TABLE passages ADD COLUMN sentences TEXT NOT NULL DEFAULT '[]';\n"
    run_script(bind, portable_ddl(after + "DROP TABLE sentences;\n", POSTGRESQL))
