"""The corpus: loading (all or nothing), reading it back, and the stored interviews.

Loading a corpus replaces the stored one in a single transaction: all or nothing (a load
that keeps a failed file's previous version passes that version back in, unchanged).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.bulk import collector_paused
from bot.models import (
    Interview,
    Paragraph,
    ParagraphKind,
    Passage,
    Topic,
)
from bot.startfiles import catalog_cache_path
from bot.store import dialect
from bot.store.base import CORPUS_TABLES, MAIN, SET_META, StoreBase, _now
from bot.store.catalog_cache import (
    CATALOG_STAMP_KEY,
    CatalogRows,
    StoredInterviews,
    cache_key,
    read_cache,
    write_cache,
)
from bot.store.dialect import Tx
from bot.store.migrate import _migrations
from bot.store.plan import (
    SUMMARY_KEY,
    _diff,
    _insert_batches,
    _LoadPlan,
    _Stored,
    _summary,
    fingerprint_ids,
)
from bot.store.rows import (
    _CATALOG_ORDER,
    _PASSAGE_COLUMNS,
    Change,
    LoadReport,
    StoredCorpus,
    _passage,
    _trivia_content,
    _trivia_rows,
)
from bot.store.shelf import materialise, prune_copies, shelf_path
from bot.store.trivia import TRIVIA_COLUMNS
from bot.trivia import Question


class CorpusStore(StoreBase):
    """Loading and reading the corpus, on the main lane."""

    # False: `read_corpus` reads the catalog from the database, not its cache (the CLI
    # after an unclean stop, so damage the stop left shows as it did before the cache;
    # `quotebot run` checks the whole file first then, so it keeps the cache).
    trust_catalog_cache = True

    async def _snapshot(self) -> _Stored:
        """The stored corpus's identity, to diff a load against (rows fetched by the driver,
        turned into dicts in a worker thread: ~1M answers would stall the loop otherwise)."""
        links = dialect.sorted_concat(
            self.kind, "passage_id", "passage_topics pt WHERE pt.topic_slug = t.slug"
        )
        async with self._tx(MAIN, write=False) as tx:
            iv_rows = await _fetch(tx, "SELECT id, content_hash FROM interviews")
            p_rows = await _fetch(tx, "SELECT id, interview_id, position FROM passages")
            t_rows = await _fetch(
                tx, f"SELECT t.slug, t.name, t.aliases, t.keywords, {links} FROM topics t"
            )
        return await asyncio.to_thread(_Stored.of_rows, iv_rows, p_rows, t_rows)

    async def replace_corpus(
        self,
        interviews: Sequence[Any],
        topics: Sequence[Topic],
        trivia: Sequence[Question] | None = None,
    ) -> LoadReport:
        """Make the stored corpus exactly `interviews` + `topics`, in one transaction.

        Unchanged interviews (same content hash) are left alone, so reloading the same
        files writes nothing and reports no change. `trivia` (curated questions) replaces
        the stored ones too when given, reported as `extra["trivia"]`. The diff and the
        rows are computed in worker threads, so a large load leaves the event loop free.
        """
        with collector_paused():
            return await self._replace_corpus(interviews, topics, trivia)

    async def _replace_corpus(
        self,
        interviews: Sequence[Any],
        topics: Sequence[Topic],
        trivia: Sequence[Question] | None,
    ) -> LoadReport:
        old = await self._snapshot()
        extra: dict[str, Change] = {}
        if trivia is not None:
            extra["trivia"] = _diff(
                _trivia_content(await self._trivia_snapshot()),
                _trivia_content(_trivia_rows(trivia)),
            )
        plan = await asyncio.to_thread(_LoadPlan.of, old, interviews, topics)
        report = replace(plan.report, extra=extra)
        if report.unchanged:
            return report
        async with self._tx(MAIN) as tx:
            await dialect.serialise_loads(tx)
            if plan.stale:
                await tx.executemany(
                    "DELETE FROM interviews WHERE id = :id", [{"id": i} for (i,) in plan.stale]
                )
            loaded_at = _now()
            await self._insert_interviews(plan.fresh, loaded_at)
            await tx.execute("DELETE FROM topics")
            await dialect.bulk_insert(tx, "topics", TOPIC_COLUMNS, plan.topic_rows)
            await dialect.bulk_insert(
                tx, "passage_topics", ("topic_slug", "passage_id"), plan.link_rows
            )
            if trivia is not None and extra["trivia"].any:
                await tx.execute("DELETE FROM trivia_questions")
                rows = [(qid, *row) for qid, row in _trivia_rows(trivia).items()]
                await dialect.bulk_insert(tx, "trivia_questions", TRIVIA_COLUMNS, rows)
            metas = [
                {"key": "corpus_loaded_at", "value": loaded_at},
                {"key": CATALOG_STAMP_KEY, "value": _stamp()},  # the catalog cache's key
            ]
            await tx.executemany(SET_META, [*metas, {"key": SUMMARY_KEY, "value": plan.summary}])
        await self._shelve(json.loads(plan.summary)["fingerprint"])
        return report

    async def _insert_interviews(self, interviews: Sequence[Any], loaded_at: str) -> None:
        """Insert `interviews` with their speakers and answers, in the main lane's open
        transaction (see `_replace_corpus`).

        Rows of many interviews go in one bulk insert per table (SQLite: executemany;
        PostgreSQL: COPY), INSERT_BATCH rows at a time: a call per interview and table cost
        a thread hop each (aiosqlite), which held a 1M-answer load to ~10k answers a second.
        Each batch's rows are made in a worker thread (~0.25 s of JSON encoding per batch,
        off the event loop); making the next while the database inserts one was no faster
        here (the two threads share the GIL) and stalled the loop more.
        """
        main = Tx(self.conn, self._lanes[MAIN].driver, self.kind)  # its transaction is open
        batches = _insert_batches(interviews, loaded_at)
        while (batch := await asyncio.to_thread(next, batches, None)) is not None:
            await dialect.bulk_insert(main, *batch)

    async def stored_fingerprint(self) -> str | None:
        """The stored answers' fingerprint from the last load's summary (None before one)."""
        summary = await self.get_meta(SUMMARY_KEY)
        return None if summary is None else str(json.loads(summary)["fingerprint"])

    async def read_corpus(self) -> StoredCorpus:
        """What the in-memory catalog holds, read in one consistent snapshot.

        Not the answers themselves: the catalog reads those from `passages` when it shows
        them. Their fingerprint, speakers and count come from a summary in the meta table
        written with every load (scanning a million answers for them took ~1 s); a database
        from before that has it computed and stored once here. The interviews, speakers
        and topics come from the catalog cache when its key matches the stored catalog
        stamp (see `bot.store.catalog_cache`; ~1 s of reads saved at 1M answers with a cold
        disk), else from the database, which then rewrites the cache.
        """
        cache = self._catalog_cache_path()
        async with self._tx(MAIN, write=False) as tx:
            stamp = await _meta(tx, CATALOG_STAMP_KEY)
            key = None if stamp is None else cache_key(stamp, len(_migrations()))
            rows = None
            if cache is not None and key is not None and self.trust_catalog_cache:
                rows = await asyncio.to_thread(read_cache, cache, key)
            fresh = rows is None
            missing = False
            if rows is None:
                rows, missing = await self._catalog_rows(tx)
        if missing:  # a database from before the summary: computed once, kept
            await self.set_meta(SUMMARY_KEY, rows.summary)
        if stamp is None:  # a database from before the stamp: the next start caches
            stamp_row = {"key": CATALOG_STAMP_KEY, "value": _stamp()}
            await self._run(MAIN, INSERT_META_IF_ABSENT, stamp_row)
        elif fresh and cache is not None and key is not None:
            await asyncio.to_thread(write_cache, cache, key, rows)
        corpus = await asyncio.to_thread(_stored_corpus, rows)
        await self._shelve(corpus.fingerprint)
        return corpus

    async def _catalog_rows(self, tx: Tx) -> tuple[CatalogRows, bool]:
        """The catalog's rows from the database, inside `tx` (see `read_corpus`), and
        whether the summary was missing (computed here)."""
        iv_rows = await _fetch(
            tx,
            "SELECT id, title, interviewee, interviewer, publication, date, url, source, "
            "content_hash FROM interviews ORDER BY id",
        )
        speaker_rows = await _fetch(
            tx, "SELECT interview_id, name FROM speakers ORDER BY interview_id, ord"
        )
        link_rows = await _fetch(
            tx,
            "SELECT pt.topic_slug, pt.passage_id FROM passage_topics pt JOIN passages p "
            "ON p.id = pt.passage_id ORDER BY pt.topic_slug, p.interview_id, p.position",
        )
        t_rows = await _fetch(
            tx,
            "SELECT slug, name, curated, aliases, keywords FROM topics ORDER BY curated DESC, name",
        )
        summary = await _meta(tx, SUMMARY_KEY)
        missing = summary is None
        if summary is None:
            ids = await _fetch(tx, f"SELECT id FROM passages {_CATALOG_ORDER}")
            counts = await _fetch(tx, "SELECT speaker, count(*) FROM passages GROUP BY speaker")
            key = fingerprint_ids([r[0] for r in ids])
            summary = _summary(key, Counter({r[0]: r[1] for r in counts}))
        rows = await asyncio.to_thread(
            CatalogRows.of_queries, iv_rows, speaker_rows, link_rows, t_rows, summary
        )
        return rows, missing

    def _catalog_cache_path(self) -> Path | None:
        """Where the catalog cache lives: beside a SQLite file, in PostgreSQL's cache folder."""
        if self.target.memory:
            return None
        postgresql = self.kind == dialect.POSTGRESQL
        return catalog_cache_path(self.target.path, postgresql=postgresql)

    async def _shelve(self, key: str) -> None:
        """Point `self.passages` at the answers of the corpus with fingerprint `key`.

        SQLite: the database file itself. PostgreSQL: a local SQLite copy of the answers,
        made once per corpus (see `bot.store.shelf.materialise`).
        """
        if self.kind != dialect.POSTGRESQL:
            return
        path = shelf_path(self.target.path, key)
        if not await asyncio.to_thread(path.exists):
            async with self._tx(MAIN, write=False) as tx:
                assert tx.conn is not None
                await materialise(tx.conn, path)
        self.passages.point_at(path)
        await asyncio.to_thread(prune_copies, path.parent, path, time.time())

    async def stored_interviews(self, ids: Sequence[str]) -> list[Interview]:
        """The stored versions of these interviews (those that exist), answers included.

        For a load that keeps a file that now fails at what was stored: stored again, they
        are unchanged (same content hash) and their answers still link to topics and
        trivia. Their paragraphs are rebuilt from the answers and questions (the intro and
        notes are not stored).
        """
        wanted = sorted(set(ids))
        if not wanted:
            return []
        params = {"ids": wanted}
        async with self._tx(MAIN, write=False) as tx:
            iv_rows = await _fetch(
                tx,
                "SELECT id, title, interviewee, interviewer, publication, date, url, source, "
                "content_hash FROM interviews WHERE id IN :ids ORDER BY id",
                params,
            )
            speaker_rows = await _fetch(
                tx,
                "SELECT interview_id, name FROM speakers WHERE interview_id IN :ids "
                "ORDER BY interview_id, ord",
                params,
            )
            p_rows = await _fetch(
                tx,
                f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE interview_id IN :ids "
                f"{_CATALOG_ORDER}",
                params,
            )
        return await asyncio.to_thread(_stored_interviews, iv_rows, speaker_rows, p_rows)

    async def curated_topics(self) -> list[Topic]:
        """The stored curated topics (name, aliases, keywords), without their links."""
        rows = await self._all(
            MAIN, "SELECT slug, name, aliases, keywords FROM topics WHERE curated = 1 ORDER BY name"
        )
        return [
            Topic(r[0], r[1], tuple(json.loads(r[2])), tuple(json.loads(r[3])), curated=True)
            for r in rows
        ]

    async def counts(self) -> dict[str, int]:
        result = {}
        for table in CORPUS_TABLES:
            result[table] = int(await self._scalar(MAIN, f"SELECT count(*) FROM {table}"))
        return result

    async def _trivia_snapshot(self) -> dict[str, tuple[Any, ...]]:
        rows = await self._all(MAIN, f"SELECT {', '.join(TRIVIA_COLUMNS)} FROM trivia_questions")
        return {r[0]: tuple(r[1:]) for r in rows}


TOPIC_COLUMNS = ("slug", "name", "curated", "aliases", "keywords")


async def _fetch(tx: Tx, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Every row of a read inside `tx` (on SQLite one driver call, as before SQLAlchemy)."""
    return (await tx.execute(statement, params)).rows


def _stored_corpus(rows: CatalogRows) -> StoredCorpus:
    """`Store.read_corpus`'s rows as objects (the interviews made as they are asked for)."""
    links: dict[str, list[str]] = {}
    for row in rows.links:
        links.setdefault(row[0], []).append(row[1])
    topics = tuple(
        Topic(
            slug=r[0],
            name=r[1],
            aliases=tuple(json.loads(r[3])),
            keywords=tuple(json.loads(r[4])),
            curated=bool(r[2]),
            passage_ids=tuple(links.get(r[0], ())),
        )
        for r in rows.topics
    )
    facts = json.loads(rows.summary)
    return StoredCorpus(
        interviews=StoredInterviews(rows.interviews, rows.speakers),
        topics=topics,
        speakers=tuple(facts["speakers"]),
        fingerprint=facts["fingerprint"],
        answers=facts["answers"],
    )


async def _meta(tx: Tx, key: str) -> str | None:
    value = (await tx.execute("SELECT value FROM meta WHERE key = :key", {"key": key})).scalar()
    return None if value is None else str(value)


def _stamp() -> str:
    return secrets.token_hex(16)


INSERT_META_IF_ABSENT = (
    "INSERT INTO meta(key, value) VALUES (:key, :value) ON CONFLICT(key) DO NOTHING"
)


def _stored_interviews(
    iv_rows: Iterable[Any], speaker_rows: Iterable[Any], p_rows: Iterable[Any]
) -> list[Interview]:
    """`Store.stored_interviews`' rows as interviews (paragraphs rebuilt from the answers)."""
    rows = CatalogRows.of_queries(iv_rows, speaker_rows, (), (), _summary("", Counter()))
    corpus = _stored_corpus(rows)
    passages: dict[str, list[Passage]] = {}
    for row in p_rows:
        passages.setdefault(row[1], []).append(_passage(row))
    result = []
    for iv in corpus.interviews:
        own = tuple(passages.get(iv.id, ()))
        paragraphs: list[Paragraph] = []
        for p in own:
            if p.question:
                paragraphs.append(Paragraph(len(paragraphs), p.line, "question", None, p.question))
            for n, text in enumerate(p.paragraphs):
                kind: ParagraphKind = "answer" if n == 0 else "continuation"
                paragraphs.append(Paragraph(len(paragraphs), p.line, kind, p.speaker, text))
        result.append(
            Interview(
                id=iv.id,
                meta=iv.meta,
                source=iv.source,
                content_hash=iv.content_hash,
                speakers=iv.speakers,
                paragraphs=tuple(paragraphs),
                passages=own,
            )
        )
    return result
