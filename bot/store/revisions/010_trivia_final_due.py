"""010: a closed trivia game's final table is due until posted (bot/migrations/010_trivia_final_due.sql)."""

from bot.store.migrate import run_sql_file

revision = "010"
down_revision = "009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("010_trivia_final_due.sql")
