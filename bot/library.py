"""The data service shared by the CLI and the bot: load, reload and the current catalog.

Parsing, validation and index building run in a worker thread so the event loop keeps
answering; the catalog reference is swapped in one step after the database commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.bulk import collector_paused
from bot.catalog import Catalog
from bot.catalog_sync import GENERATION_KEY, bump_generation
from bot.loader import LoadError, Problem, assemble, parse_inputs
from bot.search import SearchIndex, _release_freed_memory, remove_stale_temporaries
from bot.settings import Settings
from bot.startfiles import index_cache_path
from bot.store import LoadReport, PassageShelf, Store

log = logging.getLogger(__name__)


class ReloadBusy(RuntimeError):
    """Another reload is already running."""


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a load did: `report` is None when nothing was stored (refused), else the diff.

    A load that went ahead per file can still have `problems`: the failed files are in
    `kept` (their previous version stays) or `skipped` (new, not loaded).
    """

    report: LoadReport | None
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0
    files: int = 0
    warnings: tuple[str, ...] = field(default=())
    kept: tuple[str, ...] = ()  # interview ids
    skipped: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[LoadError, ...]:
        return tuple(p.error for p in self.problems)

    @property
    def applied(self) -> bool:
        """Something was stored (or found unchanged): the load went ahead."""
        return self.report is not None

    @property
    def ok(self) -> bool:
        """The load went ahead and every file was good."""
        return self.report is not None and not self.problems


def _cached_index(cache: Path | None, key: str, verify: bool = True) -> SearchIndex | None:
    """The index cached for the corpus with fingerprint `key`, if there is a good one
    (without `verify`, its checksum is left for `Library.check_index`)."""
    if cache is None or not cache.is_file():
        return None
    try:
        return SearchIndex.load(cache, key, verify=verify)
    except Exception:  # a damaged cache is only a cache: rebuild it
        log.warning("search index cache %s unreadable; rebuilding", cache, exc_info=True)
        return None


def _build_index(passages: PassageShelf, cache: Path | None) -> SearchIndex:
    """Build the index from the stored answers and cache it; runs in a worker thread.

    Once saved, the bot serves the saved file, memory-mapped, as a restarted bot does: the
    built arrays (~0.8 GB at 1M answers) are freed, and the file's pages live in the page
    cache, shared with other processes (a 1M reload left the bot at ~1.1 GB resident, a
    restart at ~0.3 GB).
    """
    index = SearchIndex.build(passages.index_stream())
    if cache is None:
        return index
    try:
        index.save(cache)
    except OSError:
        log.warning("could not write search index cache %s", cache, exc_info=True)
        return index
    mapped = SearchIndex.load(cache, index.fingerprint)  # checked against what was written
    if mapped is None:
        log.warning("search index cache %s unreadable just after writing it", cache)
        return index
    del index
    _release_freed_memory()
    return mapped


class Library:
    """Owns the store and the current catalog."""

    def __init__(
        self,
        store: Store,
        paths: Sequence[Path],
        index_cache: Path | None = None,
        *,
        defer_checks: bool = False,
    ) -> None:
        self.store = store
        self.paths = tuple(paths)
        self.index_cache = index_cache
        # The bot is ready before the cached index's checksum is compared (it reads the
        # whole file: seconds at 1M answers with a cold disk); `check_index` does it after.
        self.defer_checks = defer_checks
        self._catalog: Catalog | None = None
        self._reload_lock = asyncio.Lock()
        self.generation: str | None = None
        """The stored catalog generation the catalog was built from (see bot.catalog_sync)."""

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            raise RuntimeError("the catalog has not been loaded yet")
        return self._catalog

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def refresh(self) -> Catalog:
        """Read the stored corpus and (re)build the in-memory catalog from it.

        The cached index (~0.8 s to read at 1M answers, in a thread) loads while the
        catalog is read (~1.5 s, mostly in others): a restart is ready in the longer of
        the two, not their sum.
        """
        generation = await self.store.get_meta(GENERATION_KEY)  # before the corpus: if a
        # load commits in between, the catalog is newer than its label and is read once more
        key = await self.store.stored_fingerprint()
        early = None
        if key is not None:
            early = asyncio.ensure_future(
                asyncio.to_thread(_cached_index, self.index_cache, key, not self.defer_checks)
            )
        try:
            corpus = await self.store.read_corpus()
        except BaseException:
            if early is not None:
                early.cancel()
                await asyncio.gather(early, return_exceptions=True)
            raise
        index = await early if early is not None else None
        if index is not None and index.fingerprint != corpus.fingerprint:
            index = None  # a load committed between the two reads
        if index is None and key != corpus.fingerprint:
            index = await asyncio.to_thread(
                _cached_index, self.index_cache, corpus.fingerprint, not self.defer_checks
            )
        if index is None:
            index = await asyncio.to_thread(_build_index, self.store.passages, self.index_cache)
        self._catalog = await asyncio.to_thread(Catalog, corpus, self.store.passages, index)
        self.generation = generation
        return self._catalog

    async def check_index(self) -> bool:
        """Compare the checksum of a cached index loaded unchecked (`defer_checks`).

        A damaged cache is deleted and the catalog rebuilt from the database (a reload
        meanwhile has replaced it anyway). False when the cache was damaged.
        """
        catalog = self._catalog
        if catalog is None or catalog.index.verified:
            return True
        if await asyncio.to_thread(catalog.index.verify):
            return True
        log.warning("search index cache %s is damaged; rebuilding it", self.index_cache)
        async with self._reload_lock:
            if self._catalog is catalog:
                if self.index_cache is not None:
                    await asyncio.to_thread(self.index_cache.unlink, missing_ok=True)
                await self.refresh()
        return False

    async def follow(self) -> None:
        """Another process stored a new corpus: re-read it (after any reload here)."""
        async with self._reload_lock:
            await self.refresh()

    async def reload(
        self, paths: Sequence[Path] | None = None, *, wait: bool = False, strict: bool = False
    ) -> ReloadOutcome:
        """Validate every input, then store and swap it in, in one transaction.

        Per file: a transcript (or its sidecar) with a problem keeps its stored version, or
        is skipped when it has none; a bad topics or trivia file keeps the stored curated
        topics or questions; everything else loads. A missing input path or no transcript
        at all changes nothing. `strict`: any problem changes nothing.
        A second reload while one runs raises ReloadBusy unless `wait` is true.
        """
        if self._reload_lock.locked() and not wait:
            raise ReloadBusy("a reload is already running")
        async with self._reload_lock:
            with collector_paused():  # a large corpus is in memory until the swap
                return await self._reload(paths, strict)

    async def _reload(self, paths: Sequence[Path] | None, strict: bool) -> ReloadOutcome:
        started = time.perf_counter()
        parsed = await asyncio.to_thread(parse_inputs, list(paths or self.paths))
        if strict or parsed.fatal:
            corpus = await asyncio.to_thread(assemble, parsed)
        else:
            stored = await self.store.stored_interviews(list(parsed.failed))
            previous = await self.store.curated_topics()
            corpus = await asyncio.to_thread(assemble, parsed, stored, previous)
        del parsed
        files = len(corpus.files)
        if corpus.problems and (strict or corpus.fatal):
            return ReloadOutcome(None, corpus.problems, time.perf_counter() - started, files)
        report = await self.store.replace_corpus(
            corpus.interviews, corpus.topics, trivia=None if corpus.trivia_kept else corpus.trivia
        )
        problems, kept, skipped = corpus.problems, corpus.kept, corpus.skipped
        del corpus  # the parsed answers are stored: free them before the index is built
        if not (report.unchanged and self._catalog is not None):
            await self.refresh()
        if not report.unchanged:  # tell the other processes (bot.catalog_sync)
            self.generation = await bump_generation(self.store)
            try:  # PostgreSQL: they look at once; without it they find it at their next poll
                await self.store.notify_reload(self.generation)
            except Exception:
                log.warning("could not notify the other processes of the reload", exc_info=True)
        seconds = time.perf_counter() - started
        return ReloadOutcome(report, problems, seconds, files, kept=kept, skipped=skipped)


async def open_library(
    settings: Settings, db: Path | str | None = None, *, defer_checks: bool = False
) -> Library:
    """Open (creating and migrating if needed) the database named by the settings (or `db`:
    a SQLite path or a PostgreSQL URL; with PostgreSQL the index and answer caches go in the
    folder of `settings.db_path`).

    A process killed while saving the search index cache leaves its temporary file
    (``.<name>.index.<pid>.<thread>.tmp``, as big as the index) beside it; start-up deletes
    those of processes no longer running, whether or not this run saves the index again.
    """
    target = db or settings.db_target
    path = settings.db_path if isinstance(target, str) else target
    store = await Store.open(target, cache_dir=path.parent)
    index_cache = index_cache_path(path)
    try:
        remove_stale_temporaries(index_cache)
    except OSError:  # a read-only or vanished folder: the cache is only a cache
        log.warning("could not clean temporary files beside %s", index_cache, exc_info=True)
    return Library(store, settings.input_paths, index_cache=index_cache, defer_checks=defer_checks)


async def ensure_loaded(library: Library) -> ReloadOutcome | None:
    """Make the catalog ready: from the database, or from the inputs when it is empty.

    Returns the load outcome when a first load was needed (check `.ok`), else None.
    """
    counts = await library.store.counts()
    if counts["interviews"] == 0:
        outcome = await library.reload()
        if outcome.applied:
            return outcome
        await library.refresh()  # serve an empty catalog rather than nothing
        return outcome
    await library.refresh()
    return None
