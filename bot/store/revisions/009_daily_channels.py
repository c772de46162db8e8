"""009: several daily schedules per server, keyed by (guild, channel) (bot/migrations/009_daily_channels.sql)."""

from bot.store.migrate import run_sql_file

revision = "009"
down_revision = "008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("009_daily_channels.sql")
