"""008: the daily post's mention and thread (bot/migrations/008_daily_options.sql)."""

from bot.store.migrate import run_sql_file

revision = "008"
down_revision = "007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("008_daily_options.sql")
