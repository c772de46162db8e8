"""What start-up does with a database file it cannot use: it stops with the way out
(`quotebot load --rebuild`), which works, and the bot starts on the rebuilt database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from crash_helpers import ROOT, serves

from bot import cli
from bot.emulator import DiscordEmulator, World
from bot.recovery import check_database, mark_running
from bot.settings import Settings

pytestmark = pytest.mark.usefixtures("quick_trivia_bank")


# --- a database the bot cannot use ------------------------------------------------------------


def _garbage(db: Path) -> None:
    db.write_bytes(b"this is not a database, it is a text file someone put here\n" * 200)


def _other_app(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE notes(body TEXT)")
        conn.commit()


def _foreign_tables(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        conn.commit()


def _damaged_pages(db: Path) -> None:
    assert cli.main(["load", "--db", str(db)]) == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        # three b-tree pages of the answers, wherever the schema puts them (a fixed share
        # of the file lands on empty tables once migrations add some)
        numbers = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'passages'")]
    raw = bytearray(db.read_bytes())
    middle = len(numbers) // 2
    for number in sorted(numbers)[middle : middle + 3]:
        n = number - 1  # dbstat counts pages from 1
        raw[n * page : (n + 1) * page] = bytes([0xA5]) * page
    db.write_bytes(bytes(raw))


BAD_DATABASES = {
    "not sqlite": _garbage,
    "another program's": _other_app,
    "foreign tables": _foreign_tables,
    "damaged pages": _damaged_pages,
}


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith(("QUOTEBOT_", "DISCORD_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("QUOTEBOT_SEEDS_DIR", str(ROOT / "seeds"))
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(ROOT / "data"))
    monkeypatch.setenv("DISCORD_TOKEN", "MTEfake.token.value")
    # Nothing listens here: getting as far as Discord would be a different error.
    monkeypatch.setenv("DISCORD_API_URL", "http://127.0.0.1:9/api/v10")
    return tmp_path / "q.db"


@pytest.mark.parametrize("kind", BAD_DATABASES)
def test_a_bad_database_stops_start_up_with_the_way_out_which_works(
    kind: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = cli_env
    BAD_DATABASES[kind](db)
    if kind == "damaged pages":
        # After a clean stop the page check runs after ready (tests/test_shutdown.py shows
        # it stopping the bot then); after an unclean one it runs first, as here.
        mark_running(db)
    capsys.readouterr()
    original = db.read_bytes()

    assert cli.main(["run", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "quotebot load --rebuild" in err and str(db) in err
    assert "Traceback" not in err and "MTEfake" not in err
    assert db.read_bytes() == original  # not touched
    assert cli.main(["quote", "money", "--db", str(db)]) == 1  # every command says the same
    assert "--rebuild" in capsys.readouterr().err

    assert cli.main(["load", "--rebuild", "--db", str(db)]) == 0
    out = capsys.readouterr()
    (aside,) = db.parent.glob("q.db.corrupt-*Z")
    assert f"Moved it to {aside}" in out.err and "interviews +1 added" in out.out
    assert aside.read_bytes() == original  # kept, for whoever wants to look
    assert asyncio.run(check_database(db)) is None

    # A healthy database is never moved by --rebuild.
    assert cli.main(["load", "--rebuild", "--db", str(db)]) == 0
    assert list(db.parent.glob("q.db.corrupt-*Z")) == [aside]
    assert "Moved" not in capsys.readouterr().err


async def test_the_bot_starts_on_a_rebuilt_database(
    cli_env: Path, emulator: DiscordEmulator, world: World
) -> None:
    db = cli_env
    await asyncio.to_thread(_damaged_pages, db)
    assert "damaged" in (await check_database(db) or "")
    assert await asyncio.to_thread(cli.main, ["load", "--rebuild", "--db", str(db)]) == 0
    settings = replace(Settings(db_path=db), seeds_dir=ROOT / "seeds", data_dir=ROOT / "data")
    await serves(emulator, world, settings, "put all the money on the screen")
