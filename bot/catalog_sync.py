"""Keep every process's in-memory catalog in step with the shared database.

Each process holds its own catalog and search index, built from the database. When one
process (or `quotebot load`) stores a changed corpus, `Library.reload` writes a new catalog
*generation* (a random token in the store's meta table). `CatalogSync` in every bot process
watches that token and re-reads the catalog from the database when it differs from the one
it last saw: at once when the store delivers notifications (PostgreSQL LISTEN/NOTIFY:
`Library.reload` notifies after writing the token), and by polling (a one-row read every 2 s
without notifications, e.g. two processes on one SQLite file; every 30 s with them, in case
the listening connection dropped). No discord import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.library import Library

log = logging.getLogger(__name__)

GENERATION_KEY = "catalog_generation"
POLL_SECONDS = 2.0
LISTENING_POLL_SECONDS = 30.0  # with notifications the poll only covers a dropped listener


class MetaStore(Protocol):
    async def set_meta(self, key: str, value: str) -> None: ...


async def bump_generation(store: MetaStore) -> str:
    """Record that the stored corpus changed; returns the new generation."""
    generation = uuid.uuid4().hex
    await store.set_meta(GENERATION_KEY, generation)
    return generation


class CatalogSync:
    """Re-read the catalog when another process changed the stored corpus."""

    def __init__(self, library: Library, *, poll: float = POLL_SECONDS) -> None:
        self.library = library
        self.poll = poll
        self.listening = False  # the store delivers notifications (PostgreSQL)
        self.refreshes = 0  # how often another process's change was picked up
        self._task: asyncio.Task[None] | None = None
        self._nudge = asyncio.Event()

    async def start(self) -> None:
        """Listen for notifications where the store has them, and start watching."""
        try:
            self.listening = await self.library.store.listen_reloads(lambda _: self.nudge())
        except Exception:
            log.warning("cannot listen for other processes' reloads; polling", exc_info=True)
        if self.listening:
            self.poll = max(self.poll, LISTENING_POLL_SECONDS)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="catalog-sync")

    def nudge(self) -> None:
        """A notification says the generation changed: look now instead of at the next poll."""
        self._nudge.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudge.wait(), self.poll)
            self._nudge.clear()
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not check the catalog generation; trying again shortly")

    async def check(self) -> bool:
        """Refresh the catalog if the stored generation moved on; True when it did."""
        current = await self.library.store.get_meta(GENERATION_KEY)
        if current is None or current == self.library.generation or self.library.reloading:
            return False  # unchanged, or this process is reloading and refreshes itself
        await self.library.follow()
        self.refreshes += 1
        log.info("catalog refreshed: another process stored a new corpus (%s)", current[:8])
        return True
