"""The search lane: where the bot's CPU-bound searches run, off the event loop.

Searches (``/quote``, autocomplete) are pure Python and numpy. Run on the event loop they
stall every other member's interaction; run in threads they still hold the interpreter
lock the loop needs: under load every socket call the loop made waited for a searching
thread to hand the lock back. So once the bot is ready, the lane starts search worker
*processes* (``bot.search_pool``) that map the same saved index file, and ``quote`` and
``suggest`` go to them; the bot's loop only turns their hits into replies. Until the
workers are ready, when none is alive, or when the index has no saved file that matches
the catalog, the lane runs the same search in at most ``width`` worker threads, as before.

Autocomplete is special: Discord sends a request per pause in typing and the member's
client shows only the answer to the newest one. :meth:`SearchLane.latest` and
:meth:`SearchLane.suggest` skip (return None) a request that a newer one from the same
member overtook while it waited, so a busy bot spends its time on what members will
actually see. Recent suggestions and quote searches are remembered per catalog (members
type the same beginnings), so a repeated one costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from bot.errors import UserError
from bot.search import Hit, SearchResult, Suggestion
from bot.search_pool import SearchPool, WorkerFailed, index_file
from bot.search_worker import IndexFile

if TYPE_CHECKING:
    from bot.catalog import Catalog, QuoteSearch

__all__ = ["SearchLane", "default_width"]

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

WORKER_FAILED = (
    "The search stopped unexpectedly while looking for that (it has been restarted); "
    "please try again."
)
CACHE_SIZE = 512  # recent searches and suggestions remembered per catalog


def default_width() -> int:
    """One search per core, between 1 and 4."""
    return max(1, min(4, os.cpu_count() or 1))


class _Overtaken(Exception):
    """A newer autocomplete request of the same member came while this one waited."""


class _Recent(OrderedDict[K, V]):
    """A small LRU map."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_recent(self, key: K) -> V | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def remember(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class SearchLane:
    """At most `width` searches at once in threads, or one per worker process; newest-only
    autocomplete."""

    def __init__(self, width: int | None = None) -> None:
        self.width = width or default_width()
        self._slots = asyncio.Semaphore(self.width)
        self._newest: dict[Hashable, int] = {}
        self._tickets = 0
        self.skipped = 0  # requests overtaken while they waited (for logs and tests)
        self.in_worker = 0  # quote searches and suggestions a worker process answered
        self.in_thread = 0  # ... and those searched in a thread here
        self.pool: SearchPool | None = None
        self.index_path: Path | None = None
        self._catalog: Catalog | None = None  # the catalog the caches and `_file` are for
        self._file: IndexFile | None = None
        self._quotes: _Recent[tuple[Any, ...], QuoteSearch] = _Recent(CACHE_SIZE)
        self._suggestions: _Recent[tuple[Any, ...], list[Suggestion]] = _Recent(CACHE_SIZE)

    # --- threads ---------------------------------------------------------------------

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """`func(*args)` in a worker thread once a slot is free."""
        async with self._slots:
            return await asyncio.to_thread(func, *args)

    async def latest(self, key: Hashable, func: Callable[..., T], *args: Any) -> T | None:
        """Like :meth:`run`, but None if a newer call with the same `key` came meanwhile."""
        async with self._newest_only(key) as current:
            if not current():
                return None
            async with self._slots:
                if not current():
                    return None
                return await asyncio.to_thread(func, *args)

    @contextlib.asynccontextmanager
    async def _newest_only(self, key: Hashable) -> AsyncIterator[Callable[[], bool]]:
        """Yields a check: is this still `key`'s newest request (else it counts as skipped)?"""
        self._tickets += 1
        ticket = self._newest[key] = self._tickets

        def current() -> bool:
            if self._newest.get(key) == ticket:
                return True
            self.skipped += 1
            return False

        try:
            yield current
        finally:
            if self._newest.get(key) == ticket:
                del self._newest[key]  # nothing newer is waiting: forget the member

    @property
    def waiting(self) -> int:
        """Members with an autocomplete request queued or running."""
        return len(self._newest)

    # --- worker processes ------------------------------------------------------------

    async def start_workers(self, count: int, index_path: Path | None, *, nice: int = 0) -> None:
        """Start `count` search worker processes for the index saved at `index_path`."""
        if count < 1 or self.pool is not None:
            return
        self.index_path = index_path
        self.pool = pool = SearchPool(count, nice=nice)
        await pool.start()
        if not pool.closed:  # else the lane was closed while they started
            log.info("%d search worker process(es) ready", pool.available)

    async def close(self) -> None:
        """Stop the worker processes (searches fall back to threads meanwhile)."""
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()

    def _for(self, catalog: Catalog) -> IndexFile | None:
        """The index file workers map for `catalog` (None: search in threads); a new
        catalog (a reload) empties the caches."""
        if catalog is not self._catalog:
            self._catalog = catalog
            self._quotes.clear()
            self._suggestions.clear()
            self._file = index_file(self.index_path, catalog.index.fingerprint)
        if self.pool is None or not self.pool.available:
            return None
        return self._file

    async def _ask(
        self, catalog: Catalog, op: str, *args: Any, current: Callable[[], bool] | None = None
    ) -> Any | None:
        """A worker's answer, or None when it cannot map the catalog's file (then this
        catalog is searched in threads). Raises UserError when the worker died or hung,
        and _Overtaken when `current` says a newer request came while this one waited."""
        pool, file = self.pool, self._file
        if pool is None or file is None:  # closed meanwhile (shutting down)
            return None
        try:
            async with pool.worker() as worker:
                if current is not None and not current():
                    raise _Overtaken
                self.in_worker += 1
                status, value = await pool.call(worker, op, file, *args)
        except WorkerFailed as exc:
            log.warning("%s", exc)
            raise UserError(WORKER_FAILED) from exc
        if status == "stale":
            # The file at the path is not the one named: look again (a process that
            # rebuilt the same corpus wrote another file, which the worker checks against
            # the catalog's fingerprint); the same answer twice means threads from now on.
            if catalog is self._catalog and self._file == file:
                fresh = index_file(self.index_path, catalog.index.fingerprint)
                self._file = fresh if fresh != file else None
                if self._file is None:
                    log.info("no saved index matches the catalog: searching in threads")
            return None
        return value

    async def quote(
        self,
        catalog: Catalog,
        query: str,
        limit: int = 5,
        *,
        speakers: Sequence[str] | None = None,
        interview: str | None = None,
        shown: int | None = None,
    ) -> QuoteSearch:
        """``catalog.quote(...)``, in a worker process when there is one; with `shown`,
        only the first `shown` results are read from the database and returned (the search
        itself still ranks `limit`, so the first ones are the same)."""
        file = self._for(catalog)
        key = (query, limit, tuple(speakers) if speakers is not None else None, interview, shown)
        found = self._quotes.get_recent(key)
        if found is not None:
            return found
        reply = None
        if file is not None and self.pool is not None:
            within = await self._within(catalog, speakers, interview)
            reply = await self._ask(catalog, "search", query, limit, within)
        if reply is None:  # no worker, or it cannot map the catalog's file: a thread
            self.in_thread += 1
            found = await self.run(
                lambda: catalog.quote(query, limit, speakers=speakers, interview=interview)
            )
            if shown is not None:
                found = replace(found, results=found.results[:shown])
        else:
            hits, suggestions = reply
            found = catalog.present(SearchResult([Hit(*h) for h in hits], suggestions), shown)
        if catalog is self._catalog:
            self._quotes.remember(key, found)
        return found

    async def _within(
        self, catalog: Catalog, speakers: Sequence[str] | None, interview: str | None
    ) -> tuple[bytes, int] | None:
        """The filter flags for a worker, packed (the facets are read once, in a thread)."""
        if speakers is None and interview is None:
            return None
        flags = await self.run(lambda: catalog.facets.within(speakers, interview))
        return None if flags is None else (np.packbits(flags).tobytes(), len(flags))

    async def suggest(
        self,
        key: Hashable,
        catalog: Catalog,
        prefix: str,
        limit: int = 25,
        *,
        speakers: Sequence[str] | None = None,
        interview: str | None = None,
    ) -> list[Suggestion] | None:
        """``catalog.autocomplete(...)``, newest-only per `key` (see `latest`); [] when the
        worker searching died (autocomplete has no place for an error)."""
        file = self._for(catalog)
        cached = (prefix, limit, tuple(speakers) if speakers is not None else None, interview)
        found = self._suggestions.get_recent(cached)
        if found is not None:
            return found
        reply = None
        if file is not None and self.pool is not None:
            async with self._newest_only(key) as current:
                if not current():
                    return None
                within = await self._within(catalog, speakers, interview)
                try:
                    reply = await self._ask(
                        catalog, "suggest", prefix, limit, within, current=current
                    )
                except _Overtaken:
                    return None
                except UserError:
                    return []
        if reply is None:  # no worker, or it cannot map the catalog's file: a thread
            self.in_thread += 1
            found = await self.latest(
                key,
                lambda: catalog.autocomplete(prefix, limit, speakers=speakers, interview=interview),
            )
        else:
            found = [Suggestion(label, pid) for label, pid in reply]
        if found is not None and catalog is self._catalog:
            self._suggestions.remember(cached, found)
        return found
