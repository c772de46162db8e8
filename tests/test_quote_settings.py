"""Per-server quote settings in the store, on SQLite and PostgreSQL, reopened."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy.exc

from bot.store import Store


async def test_card_theme_defaults_sets_updates_and_persists(
    open_store: Callable[[], Awaitable[Store]], store_target: str | Path
) -> None:
    store = await open_store()
    try:
        assert await store.card_theme(1234) is None
        await store.set_card_theme(1234, "dark", by=42)
        await store.set_card_theme(2**62, "light")  # Discord ids need 64 bits
        await store.set_card_theme(1234, "light", by=43)
        assert await store.card_theme(1234) == "light"
        assert await store.card_theme(2**62) == "light"
        assert await store.card_theme(999) is None
    finally:
        await store.close()
    reopened = await open_store()
    try:
        assert await reopened.card_theme(1234) == "light"
        assert await reopened.schema_version() >= 7
    finally:
        await reopened.close()
    if isinstance(store_target, Path):
        with sqlite3.connect(store_target) as raw:
            rows = raw.execute(
                "SELECT guild_id, card_theme, updated_by FROM quote_settings"
            ).fetchall()
        assert sorted(rows) == [(1234, "light", 43), (2**62, "light", None)]


async def test_unknown_theme_is_refused_by_the_schema(
    open_store: Callable[[], Awaitable[Store]],
) -> None:
    store = await open_store()
    try:
        with pytest.raises((sqlite3.IntegrityError, sqlalchemy.exc.IntegrityError)):
            await store.set_card_theme(1, "neon")
        assert await store.card_theme(1) is None
    finally:
        await store.close()


def test_facets_rows_follow_the_index_even_when_orders_differ() -> None:
    from bot.facets import Facets

    answers = [("a", "Ann", "i1"), ("b", "Bo", "i1"), ("c", "Ann", "i2"), ("x", "Ann", "i2")]
    same = Facets.build(answers[:3], ["a", "b", "c"])
    assert same.speakers["Ann"].tolist() == [0, 2] and same.interviews["i1"].tolist() == [0, 1]
    moved = Facets.build(answers, ["c", "a", "b"])  # a reload in between: looked up by id
    assert moved.speakers["Ann"].tolist() == [1, 0] and moved.speaker_counts()["Ann"] == 2
    flags = moved.within(["Ann"], "i2")
    assert flags is not None and flags.tolist() == [True, False, False]
    assert moved.within() is None
    assert moved.speaker_counts()["Ann"] == 2 and moved.interview_counts()["i1"] == 2
