"""`quotebot run`'s database check: the full integrity_check only after an unclean stop
(the ``.running`` marker survived), quick_check after a clean one.  Real SQLite files."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.recovery import check_at_start, clear_running, mark_running, running_marker
from bot.store import Store
from bot.transcript import read_transcript

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"


async def _stored(tmp_path: Path) -> Path:
    db = tmp_path / "q.db"
    store = await Store.open(db)
    try:
        await store.replace_corpus([read_transcript(SEED)], [])
    finally:
        await store.close()
    return db


def _index_disagrees_with_its_table(db: Path) -> None:
    """Damage only the full check sees: an index whose entries no longer match its table
    (what a torn write can leave), every page still well formed."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX passages_by_interview "
            "ON passages(speaker, position)' WHERE name = 'passages_by_interview'"
        )
        conn.commit()


def _damaged_pages(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    raw = bytearray(db.read_bytes())
    for n in range(pages * 3 // 4, pages * 3 // 4 + 3):
        raw[n * page : (n + 1) * page] = bytes([0xA5]) * page
    db.write_bytes(bytes(raw))


async def test_after_a_clean_stop_the_quick_check_runs(tmp_path: Path) -> None:
    db = await _stored(tmp_path)
    clear_running(mark_running(db))  # a run that closed cleanly
    assert not running_marker(db).exists()
    check = await check_at_start(db)
    assert check.problem is None and not check.thorough


async def test_an_unclean_stop_marker_triggers_the_full_check(tmp_path: Path) -> None:
    db = await _stored(tmp_path)
    marker = mark_running(db)  # the run was killed: the marker stayed
    assert marker == running_marker(db) and marker.is_file()
    check = await check_at_start(db)
    assert check.problem is None and check.thorough


async def test_the_trade_off_index_damage_is_found_only_by_the_full_check(
    tmp_path: Path,
) -> None:
    db = await _stored(tmp_path)
    _index_disagrees_with_its_table(db)
    quick = await check_at_start(db)
    assert quick.problem is None and not quick.thorough  # quick_check does not compare
    mark_running(db)
    full = await check_at_start(db)
    assert full.thorough
    assert full.problem is not None and "integrity_check" in full.problem


@pytest.mark.parametrize("unclean", [False, True])
async def test_damaged_pages_are_found_by_either_check(tmp_path: Path, unclean: bool) -> None:
    db = await _stored(tmp_path)
    _damaged_pages(db)
    if unclean:
        mark_running(db)
    check = await check_at_start(db)
    assert check.thorough is unclean
    assert check.problem is not None and "damaged" in check.problem


async def test_no_database_yet_and_in_memory_need_no_check(tmp_path: Path) -> None:
    assert (await check_at_start(tmp_path / "new.db")).problem is None
    memory = await check_at_start(Path(":memory:"))
    assert memory.problem is None and not memory.thorough
    assert mark_running(Path(":memory:")) is None
