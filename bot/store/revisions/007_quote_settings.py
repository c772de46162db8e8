"""007: the quote commands' per-server settings (bot/migrations/007_quote_settings.sql)."""

from bot.store.migrate import run_sql_file

revision = "007"
down_revision = "006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("007_quote_settings.sql")
