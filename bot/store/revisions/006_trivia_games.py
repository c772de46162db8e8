"""006: trivia games, hints, options and seasons (bot/migrations/006_trivia_games.sql)."""

from bot.store.migrate import run_sql_file

revision = "006"
down_revision = "005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("006_trivia_games.sql")
