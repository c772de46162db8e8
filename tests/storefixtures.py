"""The store on both backends: one parametrised fixture, so a store test runs on SQLite and
on a real PostgreSQL (the throwaway cluster of `pgcluster`) without a second copy.

``store_target`` is where a test's database lives (a SQLite file, or a fresh PostgreSQL
database's URL); ``open_store`` opens a `Store` there (PostgreSQL's local answer cache
goes in the test's temp dir); ``store`` is one, opened and closed around the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.store import Store

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "sqlite":
        return tmp_path / "q.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def open_store(store_target: str | Path, tmp_path: Path) -> Callable[[], Awaitable[Store]]:
    async def opener() -> Store:
        return await Store.open(store_target, cache_dir=tmp_path / "cache")

    return opener


@pytest.fixture
async def store(open_store: Callable[[], Awaitable[Store]]) -> AsyncIterator[Store]:
    opened = await open_store()
    yield opened
    await opened.close()
