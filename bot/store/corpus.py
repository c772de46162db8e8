"""The corpus: loading (all or nothing), reading it back, and the stored interviews.

Loading a corpus replaces the stored one in a single transaction: all or nothing (a load
that keeps a failed file's previous version passes that version back in, unchanged).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from bot.bulk import collector_paused
from bot.models import (
    Interview,
    InterviewMeta,
    Paragraph,
    ParagraphKind,
    Passage,
    Topic,
)
from bot.store.base import CORPUS_TABLES, StoreBase, _now
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
    StoredInterview,
    _passage,
    _trivia_content,
    _trivia_rows,
)
from bot.store.trivia import _TRIVIA_COLUMNS
from bot.trivia import Question


class CorpusStore(StoreBase):
    """Loading and reading the corpus; loads run on the main connection (`self.conn`)."""

    # --- corpus -----------------------------------------------------------------

    async def _snapshot(self) -> _Stored:
        """The stored corpus's identity, to diff a load against (rows fetched by aiosqlite's
        thread, turned into dicts in another: ~1M answers would stall the loop otherwise)."""
        async with self.conn.execute("SELECT id, content_hash FROM interviews") as cur:
            iv_rows = await cur.fetchall()
        async with self.conn.execute("SELECT id, interview_id, position FROM passages") as cur:
            p_rows = await cur.fetchall()
        async with self.conn.execute(
            "SELECT t.slug, t.name, t.aliases, t.keywords, "
            "(SELECT group_concat(passage_id) FROM "
            " (SELECT passage_id FROM passage_topics pt WHERE pt.topic_slug = t.slug ORDER BY 1)) "
            "FROM topics t"
        ) as cur:
            t_rows = await cur.fetchall()
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
        conn = self.conn
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.executemany("DELETE FROM interviews WHERE id = ?", plan.stale)
            loaded_at = _now()
            await self._insert_interviews(plan.fresh, loaded_at)
            await conn.execute("DELETE FROM topics")
            await conn.executemany(
                "INSERT INTO topics(slug, name, curated, aliases, keywords) VALUES (?, ?, ?, ?, ?)",
                plan.topic_rows,
            )
            await conn.executemany(
                "INSERT INTO passage_topics(topic_slug, passage_id) VALUES (?, ?)",
                plan.link_rows,
            )
            if trivia is not None and extra["trivia"].any:
                await self._replace_trivia(trivia)
            await self.set_meta("corpus_loaded_at", loaded_at)
            await self.set_meta(SUMMARY_KEY, plan.summary)
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        return report

    async def _insert_interviews(self, interviews: Sequence[Any], loaded_at: str) -> None:
        """Insert `interviews` with their speakers and answers.

        Rows of many interviews go in one ``executemany`` per table, INSERT_BATCH rows at
        a time: a call per interview and table cost a thread hop each (aiosqlite), which
        held a 1M-answer load to ~10k answers a second. Each batch's rows are made in a
        worker thread (~0.25 s of JSON encoding per batch, off the event loop); making the
        next while SQLite inserts one was no faster here (the two threads share the GIL)
        and stalled the loop more.
        """
        batches = _insert_batches(interviews, loaded_at)
        while (batch := await asyncio.to_thread(next, batches, None)) is not None:
            await self.conn.executemany(*batch)

    async def stored_fingerprint(self) -> str | None:
        """The stored answers' fingerprint from the last load's summary (None before one)."""
        summary = await self.get_meta(SUMMARY_KEY)
        return None if summary is None else str(json.loads(summary)["fingerprint"])

    async def read_corpus(self) -> StoredCorpus:
        """What the in-memory catalog holds, read in one consistent snapshot.

        Not the answers themselves: the catalog reads those from `passages` when it shows
        them. Their fingerprint, speakers and count come from a summary in the meta table
        written with every load (scanning a million answers for them took ~1 s); a database
        from before that has it computed and stored once here. Rows become objects in a
        worker thread (~1 s for the 83k interviews of a million answers).
        """
        conn = self.conn
        await conn.execute("BEGIN")
        try:
            async with conn.execute(
                "SELECT id, title, interviewee, interviewer, publication, date, url, source, "
                "content_hash FROM interviews ORDER BY id"
            ) as cur:
                iv_rows = await cur.fetchall()
            async with conn.execute(
                "SELECT interview_id, name FROM speakers ORDER BY interview_id, ord"
            ) as cur:
                speaker_rows = await cur.fetchall()
            async with conn.execute(
                "SELECT pt.topic_slug, pt.passage_id FROM passage_topics pt "
                "JOIN passages p ON p.id = pt.passage_id ORDER BY pt.topic_slug, p.interview_id, p.position"
            ) as cur:
                link_rows = await cur.fetchall()
            async with conn.execute(
                "SELECT slug, name, curated, aliases, keywords FROM topics ORDER BY curated DESC, name"
            ) as cur:
                t_rows = await cur.fetchall()
            summary = await self.get_meta(SUMMARY_KEY)
            missing = summary is None
            if summary is None:
                async with conn.execute(f"SELECT id FROM passages {_CATALOG_ORDER}") as cur:
                    key = fingerprint_ids([r[0] for r in await cur.fetchall()])
                async with conn.execute(
                    "SELECT speaker, count(*) FROM passages GROUP BY speaker"
                ) as cur:
                    summary = _summary(key, Counter({r[0]: r[1] for r in await cur.fetchall()}))
        finally:
            await conn.execute("COMMIT")
        if missing:
            await self.set_meta(SUMMARY_KEY, summary)
        return await asyncio.to_thread(
            _stored_corpus, iv_rows, speaker_rows, link_rows, t_rows, summary
        )

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
        marks = ", ".join("?" * len(wanted))
        async with self.conn.execute(
            "SELECT id, title, interviewee, interviewer, publication, date, url, source, "
            f"content_hash FROM interviews WHERE id IN ({marks}) ORDER BY id",
            wanted,
        ) as cur:
            iv_rows = await cur.fetchall()
        async with self.conn.execute(
            f"SELECT interview_id, name FROM speakers WHERE interview_id IN ({marks}) "
            "ORDER BY interview_id, ord",
            wanted,
        ) as cur:
            speaker_rows = await cur.fetchall()
        async with self.conn.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE interview_id IN ({marks}) "
            f"{_CATALOG_ORDER}",
            wanted,
        ) as cur:
            p_rows = await cur.fetchall()
        return await asyncio.to_thread(_stored_interviews, iv_rows, speaker_rows, p_rows)

    async def curated_topics(self) -> list[Topic]:
        """The stored curated topics (name, aliases, keywords), without their links."""
        async with self.conn.execute(
            "SELECT slug, name, aliases, keywords FROM topics WHERE curated = 1 ORDER BY name"
        ) as cur:
            rows = await cur.fetchall()
        return [
            Topic(r[0], r[1], tuple(json.loads(r[2])), tuple(json.loads(r[3])), curated=True)
            for r in rows
        ]

    async def counts(self) -> dict[str, int]:
        result = {}
        for table in CORPUS_TABLES:
            result[table] = int(await self._scalar(f"SELECT count(*) FROM {table}"))
        return result

    async def _trivia_snapshot(self) -> dict[str, tuple[Any, ...]]:
        async with self.conn.execute(f"SELECT {_TRIVIA_COLUMNS} FROM trivia_questions") as cur:
            return {r[0]: tuple(r[1:]) for r in await cur.fetchall()}

    async def _replace_trivia(self, questions: Sequence[Question]) -> None:
        """Inside `replace_corpus`'s transaction: the curated questions become `questions`."""
        await self.conn.execute("DELETE FROM trivia_questions")
        await self.conn.executemany(
            f"INSERT INTO trivia_questions({_TRIVIA_COLUMNS}) VALUES ({', '.join('?' * 11)})",
            [(qid, *row) for qid, row in _trivia_rows(questions).items()],
        )


def _stored_corpus(
    iv_rows: Iterable[Any],
    speaker_rows: Iterable[Any],
    link_rows: Iterable[Any],
    t_rows: Iterable[Any],
    summary: str,
) -> StoredCorpus:
    """`Store.read_corpus`'s rows as objects."""
    speakers: dict[str, list[str]] = {}
    for row in speaker_rows:
        speakers.setdefault(row[0], []).append(row[1])
    links: dict[str, list[str]] = {}
    for row in link_rows:
        links.setdefault(row[0], []).append(row[1])
    interviews = tuple(
        StoredInterview(
            id=r[0],
            meta=InterviewMeta(
                title=r[1],
                interviewee=r[2],
                interviewer=r[3],
                publication=r[4],
                date=r[5],
                url=r[6],
            ),
            source=r[7],
            content_hash=r[8],
            speakers=tuple(speakers.get(r[0], ())),
        )
        for r in iv_rows
    )
    topics = tuple(
        Topic(
            slug=r[0],
            name=r[1],
            aliases=tuple(json.loads(r[3])),
            keywords=tuple(json.loads(r[4])),
            curated=bool(r[2]),
            passage_ids=tuple(links.get(r[0], ())),
        )
        for r in t_rows
    )
    facts = json.loads(summary)
    return StoredCorpus(
        interviews=interviews,
        topics=topics,
        speakers=tuple(facts["speakers"]),
        fingerprint=facts["fingerprint"],
        answers=facts["answers"],
    )


def _stored_interviews(
    iv_rows: Iterable[Any], speaker_rows: Iterable[Any], p_rows: Iterable[Any]
) -> list[Interview]:
    """`Store.stored_interviews`' rows as interviews (paragraphs rebuilt from the answers)."""
    corpus = _stored_corpus(iv_rows, speaker_rows, (), (), _summary("", Counter()))
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
