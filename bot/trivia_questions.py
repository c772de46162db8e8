"""Which trivia question to ask (no discord import): the bank of curated questions plus ones
generated from the current catalog, rebuilt off the event loop only when a reload has swapped
the catalog (`BankKeeper`), and a question a guild has not seen yet, made on demand for a
topic the bank's sample has too few about (`QuestionPicker`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING

from bot.trivia import BankBuildStopped, Question, TriviaBank, choose
from bot.trivia.bank import TOPIC_MIN, topic_questions, topic_sample
from bot.trivia.games import TriviaOptions
from bot.trivia.sample import sampled_from_shelf

if TYPE_CHECKING:
    from bot.catalog import Catalog
    from bot.store import Store

log = logging.getLogger(__name__)

TOPICS_REMEMBERED = 64  # topics whose on-demand questions are kept


class BankKeeper:
    """The question bank of the current catalog, built once per catalog."""

    def __init__(self, catalog: Callable[[], Catalog], store: Callable[[], Store]) -> None:
        self._catalog, self._store = catalog, store
        self._bank: TriviaBank | None = None
        self._source: object | None = None
        self._lock = asyncio.Lock()
        self._warm: asyncio.Task[None] | None = None
        self._stop_building = threading.Event()  # set on stop: a build in a thread ends

    async def bank(self) -> TriviaBank:
        """Curated questions from the store plus ones generated from the current catalog,
        rebuilt (off the event loop) only when a reload has swapped the catalog."""
        catalog = self._catalog()
        if self._bank is not None and self._source is catalog:
            return self._bank
        async with self._lock:
            catalog = self._catalog()
            if self._bank is None or self._source is not catalog:
                curated = await self._store().read_trivia()
                titles = {iid: iv.meta.title for iid, iv in catalog.interviews.items()}
                self._bank = await asyncio.to_thread(
                    TriviaBank.build,
                    curated,
                    sampled_from_shelf(catalog.passages, stop=self._stop_building),
                    titles,
                    self._stop_building,
                )
                self._source = catalog
                log.info("trivia bank built: %s", self._bank.counts())
            return self._bank

    def warm_up(self) -> None:
        """Build the bank in the background, so the first /trivia play is quick."""
        self._warm = asyncio.create_task(self._warm_up(), name="trivia-bank")

    async def _warm_up(self) -> None:
        try:
            await self.bank()
        except BankBuildStopped:
            log.info("trivia bank build stopped: shutting down")
        except Exception:
            log.exception("could not build the trivia bank; it is retried on /trivia play")

    async def stop(self) -> None:
        self._stop_building.set()
        if self._warm:
            self._warm.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._warm


class QuestionPicker:
    """Picks each guild's next question; remembers the last one asked in each guild."""

    def __init__(
        self,
        store: Callable[[], Store],
        catalog: Callable[[], Catalog],
        bank: Callable[[], Awaitable[TriviaBank]],
    ) -> None:
        self._store, self._catalog, self._bank = store, catalog, bank
        self.last: dict[int, str] = {}  # guild -> the question asked last
        self._topics_of: TriviaBank | None = None
        self._topics: dict[frozenset[str], tuple[Question, ...]] = {}

    async def pick(
        self,
        guild_id: int,
        passage_ids: Collection[str] | None,
        difficulty: str | None,
        options: TriviaOptions,
        rng: random.Random,
    ) -> Question | None:
        """A question the guild has not seen (a new cycle once it has seen them all)."""
        bank = await self._bank()
        pool = bank.pool(passage_ids=passage_ids, difficulty=difficulty)
        if not options.use_generated:
            pool = [q for q in pool if q.kind == "curated"]
        elif passage_ids is not None:
            about = bank.pool(passage_ids=passage_ids)
            made = sum(q.kind != "curated" for q in about)
            if made < TOPIC_MIN and not bank.covers(passage_ids):
                known = {q.id for q in pool}
                pool += [
                    q
                    for q in await self._topic_questions(bank, passage_ids)
                    if q.id not in known and (difficulty is None or q.difficulty == difficulty)
                ]
        if not pool:
            return None
        store = self._store()
        seen = await store.trivia_seen(guild_id)
        question, reset = choose(pool, seen, rng, last=self.last.get(guild_id))
        if reset:
            await store.trivia_forget_seen(guild_id, [q.id for q in pool])
        self.last[guild_id] = question.id
        return question

    async def _topic_questions(
        self, bank: TriviaBank, passage_ids: Collection[str]
    ) -> tuple[Question, ...]:
        """Questions made on demand for a topic the bank's sample has too few about
        (remembered until the bank is rebuilt)."""
        key = frozenset(passage_ids)
        if self._topics_of is not bank:
            self._topics_of, self._topics = bank, {}
        if key not in self._topics:
            catalog = self._catalog()
            titles = {iid: iv.meta.title for iid, iv in catalog.interviews.items()}

            def make() -> list[Question]:
                found = [catalog.passages.get(pid) for pid in topic_sample(key)]
                return topic_questions([p for p in found if p is not None], titles)

            if len(self._topics) >= TOPICS_REMEMBERED:
                self._topics.clear()
            self._topics[key] = tuple(await asyncio.to_thread(make))
        return self._topics[key]
