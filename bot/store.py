"""The repository: every SQL statement of the project lives in this module.

SQLite in WAL mode through aiosqlite. Schema changes are numbered files in
`bot/migrations/` applied under `PRAGMA user_version`, each in one transaction.
Loading a corpus replaces the stored one in a single transaction: all or nothing (a load
that keeps a failed file's previous version passes that version back in, unchanged).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

from bot.bulk import collector_paused
from bot.models import (
    Interview,
    InterviewMeta,
    Paragraph,
    ParagraphKind,
    Passage,
    Role,
    Topic,
)
from bot.trivia import Question, Round, RoundAnswer, Score, apply_answer

APPLICATION_ID = 0x51554F54  # "QUOT": marks the file as ours (PRAGMA application_id)
CORPUS_TABLES = ("interviews", "passages", "topics")


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Change:
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def __str__(self) -> str:
        return f"+{self.added} −{self.removed} ~{self.changed}"


@dataclass(frozen=True, slots=True)
class LoadReport:
    interviews: Change = Change()
    quotes: Change = Change()
    topics: Change = Change()
    extra: dict[str, Change] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        parts = (self.interviews, self.quotes, self.topics, *self.extra.values())
        return not any(c.any for c in parts)

    def as_dict(self) -> dict[str, dict[str, int]]:
        parts = {"interviews": self.interviews, "quotes": self.quotes, "topics": self.topics}
        parts.update(self.extra)
        return {
            k: {"added": c.added, "removed": c.removed, "changed": c.changed}
            for k, c in parts.items()
        }


@dataclass(frozen=True, slots=True)
class StoredInterview:
    id: str
    meta: InterviewMeta
    source: str
    content_hash: str
    speakers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredCorpus:
    """What the catalog keeps in memory: everything but the answers (see `PassageShelf`)."""

    interviews: tuple[StoredInterview, ...]
    topics: tuple[Topic, ...]
    speakers: tuple[str, ...]  # of the stored answers, sorted
    fingerprint: str  # of the stored answers' ids in catalog order (see `fingerprint`)
    answers: int


SUMMARY_KEY = "corpus_summary"


def _summary(key: str, speakers: Counter[str]) -> str:
    """The meta row `read_corpus` takes the answers' fingerprint, speakers and count from."""
    facts = {"fingerprint": key, "speakers": sorted(speakers), "answers": speakers.total()}
    return json.dumps(facts, ensure_ascii=False)


_PASSAGE_COLUMNS = (
    "id, interview_id, position, speaker, role, question, paragraphs, sentences, line"
)
_CATALOG_ORDER = "ORDER BY interview_id, position"


def _passage(row: Sequence[Any]) -> Passage:
    return Passage(
        id=row[0],
        interview_id=row[1],
        position=row[2],
        speaker=row[3],
        role=row[4],
        question=row[5],
        paragraphs=tuple(json.loads(row[6])),
        sentences=tuple(json.loads(row[7])),
        line=row[8],
    )


class IndexRow(NamedTuple):
    """An answer as the search index reads it (see `Indexable`)."""

    id: str
    role: Role
    sentences: tuple[str, ...]
    text: str
    question: str | None = None  # the question it answered: its words lead to it too


class PassageShelf:
    """The stored answers, read from the database file by id when they are shown.

    The catalog used to hold every answer as an object: at a million answers reading them
    back took ~40 s and more memory than the search index, so a restarted bot was far from
    ready in 3 s. The index already holds the answers' text for searching; everything else
    reads the few answers it shows from here.

    Ids are content hashes, so an id always names the same answer; one a reload removed is
    absent. Look-ups share one connection behind a lock (each is one primary-key read, tens
    of microseconds, safe on the event loop); the long reads (`stream`, `index_stream`,
    `ids_by_speaker`) open their own, as they run in worker threads.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the database is closed")
        if str(self.path) == ":memory:":
            raise StoreError("answers are read from the database file; :memory: has none")
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            return self._conn.execute(sql, params).fetchone()

    def get(self, passage_id: str) -> Passage | None:
        row = self._one(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id = ?", (passage_id,))
        return None if row is None else _passage(row)

    def __getitem__(self, passage_id: str) -> Passage:
        found = self.get(passage_id)
        if found is None:
            raise KeyError(passage_id)
        return found

    def __contains__(self, passage_id: object) -> bool:
        if not isinstance(passage_id, str):
            return False
        return self._one("SELECT 1 FROM passages WHERE id = ?", (passage_id,)) is not None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of one long read, on a connection of its own (one snapshot; opened
        when first iterated, so in the worker thread that reads it)."""
        conn = self._connect()
        try:
            cursor = conn.execute(sql, params)
            while rows := cursor.fetchmany(4096):
                yield from rows
        finally:
            conn.close()

    def stream(self) -> Iterator[Passage]:
        """Every stored answer in catalog order (for question-bank builds and import
        checks, in a worker thread)."""
        return map(
            _passage, self._rows(f"SELECT {_PASSAGE_COLUMNS} FROM passages {_CATALOG_ORDER}")
        )

    def index_stream(self) -> Iterator[IndexRow]:
        """What the search index is built from, in catalog order: each answer's id, role,
        sentences (its text only when it has none) and the question it answered. A third of `stream`'s work: at 1M
        answers decoding the paragraphs and making Passage objects took ~10 s of ~16 s."""
        loads = json.loads
        for pid, role, sentences, paragraphs, question in self._rows(
            "SELECT id, role, sentences, CASE WHEN sentences = '[]' THEN paragraphs END, "
            f"question FROM passages {_CATALOG_ORDER}"
        ):
            text = "\n\n".join(loads(paragraphs)) if paragraphs else ""
            yield IndexRow(pid, role, tuple(loads(sentences)), text, question)

    def ids_by_speaker(self, speakers: Sequence[str]) -> list[str]:
        """The ids of the answers given by any of `speakers`, in catalog order."""
        if not speakers:
            return []
        marks = ", ".join("?" * len(speakers))
        sql = f"SELECT id FROM passages WHERE speaker IN ({marks}) {_CATALOG_ORDER}"
        return [row[0] for row in self._rows(sql, tuple(speakers))]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("bot.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


INSERT_BATCH = 20_000  # rows per executemany when loading a corpus
_JSON_STRING = json.encoder.encode_basestring  # the C escaper json.dumps uses for str


def _json_list(items: Sequence[str]) -> str:
    """``json.dumps(list(items), ensure_ascii=False)``, ~10x faster for lists of strings.

    A million answers' paragraphs took ~15 s through json.dumps (a new encoder per call).
    """
    return "[" + ", ".join(map(_JSON_STRING, items)) + "]"


class _ShortStatementLog(logging.Filter):
    """Shorten aiosqlite's DEBUG lines to the call, its SQL and a row count.

    aiosqlite logs every call with its arguments: one ``executemany`` of a corpus load
    would print every row it inserts (megabytes per line, and the answers' text).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], functools.partial):
            call = args[0]
            parts = [getattr(call.func, "__name__", "call")]
            if call.args and isinstance(call.args[0], str):
                sql = " ".join(call.args[0].split())
                parts.append(sql if len(sql) <= 300 else sql[:300] + "…")
            if len(call.args) > 1 and isinstance(call.args[1], list):
                parts.append(f"[{len(call.args[1])} rows]")
            record.args = (" ".join(parts),)
        return True


logging.getLogger("aiosqlite").addFilter(_ShortStatementLog())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _diff(old: dict[str, Any], new: dict[str, Any]) -> Change:
    return Change(
        added=sum(1 for k in new if k not in old),
        removed=sum(1 for k in old if k not in new),
        changed=sum(1 for k, v in new.items() if k in old and old[k] != v),
    )


@dataclass(frozen=True, slots=True)
class _Stored:
    """The identity of the stored corpus a load is diffed against."""

    interviews: dict[str, str]  # id -> content hash
    passages: dict[str, tuple[str, int]]  # id -> (interview id, position)
    topics: dict[str, tuple[str, str, str, str]]

    @classmethod
    def of_rows(
        cls, iv_rows: Iterable[Any], p_rows: Iterable[Any], t_rows: Iterable[Any]
    ) -> _Stored:
        return cls(
            interviews={r[0]: r[1] for r in iv_rows},
            passages={r[0]: (r[1], r[2]) for r in p_rows},
            topics={r[0]: (r[1], r[2], r[3], r[4] or "") for r in t_rows},
        )


@dataclass(frozen=True, slots=True)
class _LoadPlan:
    """What a load changes, worked out (in a worker thread) before its transaction."""

    report: LoadReport
    stale: list[tuple[str]]  # interviews to delete (their rows cascade)
    fresh: list[Any]  # interviews to insert
    topic_rows: list[tuple[str, str, int, str, str]]
    link_rows: list[tuple[str, str]]
    summary: str

    @classmethod
    def of(cls, old: _Stored, interviews: Sequence[Any], topics: Sequence[Topic]) -> _LoadPlan:
        new_iv = {iv.id: iv.content_hash for iv in interviews}
        new_passages = {
            p.id: (iv.id, p.position)
            for iv in interviews
            for p in iv.passages
            if p.role == "interviewee"
        }
        new_topics = {
            t.slug: (
                t.name,
                _json_list(t.aliases),
                _json_list(t.keywords),
                ",".join(sorted(t.passage_ids)),
            )
            for t in topics
        }
        # Loops, not set operations or a global sort: one C call over a million ids holds
        # the GIL for ~0.3 s, and this runs beside the event loop.
        quotes_added = [k for k in new_passages if k not in old.passages]
        quotes_removed = [k for k in old.passages if k not in new_passages]
        removed_slots = {old.passages[k] for k in quotes_removed}
        quotes_changed = sum(1 for k in quotes_added if new_passages[k] in removed_slots)
        report = LoadReport(
            interviews=_diff(old.interviews, new_iv),
            quotes=Change(
                added=len(quotes_added) - quotes_changed,
                removed=len(quotes_removed) - quotes_changed,
                changed=quotes_changed,
            ),
            topics=_diff(old.topics, new_topics),
        )
        order = [  # catalog order: by interview id, then position
            p.id
            for iv in sorted(interviews, key=lambda iv: iv.id)
            for p in sorted(iv.passages, key=lambda p: p.position)
            if p.role == "interviewee"
        ]
        said = Counter(
            p.speaker for iv in interviews for p in iv.passages if p.role == "interviewee"
        )
        return cls(
            report=report,
            stale=[(i,) for i, h in old.interviews.items() if new_iv.get(i) != h],
            fresh=[iv for iv in interviews if old.interviews.get(iv.id) != iv.content_hash],
            topic_rows=[
                (t.slug, t.name, int(t.curated), new_topics[t.slug][1], new_topics[t.slug][2])
                for t in topics
            ],
            link_rows=[(t.slug, pid) for t in topics for pid in dict.fromkeys(t.passage_ids)],
            summary=_summary(fingerprint_ids(order), said),
        )


def _insert_batches(interviews: Sequence[Any], loaded_at: str) -> Iterator[tuple[str, list[Any]]]:
    """The INSERT statements of a load with their rows, INSERT_BATCH rows at most each."""
    for at in range(0, len(interviews), INSERT_BATCH // 16):
        batch = interviews[at : at + INSERT_BATCH // 16]
        yield (
            "INSERT INTO interviews(id, title, interviewee, interviewer, publication, date, "
            "url, source, content_hash, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    iv.id,
                    iv.meta.title,
                    iv.meta.interviewee,
                    iv.meta.interviewer,
                    iv.meta.publication,
                    iv.meta.date,
                    iv.meta.url,
                    iv.source,
                    iv.content_hash,
                    loaded_at,
                )
                for iv in batch
            ],
        )
        yield (
            "INSERT INTO speakers(interview_id, name, ord) VALUES (?, ?, ?)",
            [(iv.id, name, n) for iv in batch for n, name in enumerate(iv.speakers)],
        )
        passages = [(iv.id, p) for iv in batch for p in iv.passages if p.role == "interviewee"]
        for start in range(0, len(passages), INSERT_BATCH):
            yield (
                "INSERT INTO passages(id, interview_id, position, speaker, role, question, "
                "paragraphs, sentences, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.id,
                        iv_id,
                        p.position,
                        p.speaker,
                        p.role,
                        p.question,
                        _json_list(p.paragraphs),
                        _json_list(p.sentences),
                        p.line,
                    )
                    for iv_id, p in passages[start : start + INSERT_BATCH]
                ],
            )


class Lane:
    """A second connection to the same file for one feature's small transactions.

    One SQLite connection holds one transaction at a time, so a feature that writes while a
    reload holds its transaction on `Store.conn` would join (or, failing, end) it. Each
    lane has its own connection and a lock that serialises its transactions; SQLite (WAL,
    busy_timeout) orders the lanes against each other.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = asyncio.Lock()
        self._conn: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()

    async def connection(self) -> aiosqlite.Connection:
        if self._conn is not None:
            return self._conn
        async with self._opening:
            if self._conn is None:
                if str(self.store.path) == ":memory:":
                    self._conn = self.store.conn  # another connection: another database
                else:
                    conn = await aiosqlite.connect(self.store.path, isolation_level=None)
                    for pragma in ("foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
                        await conn.execute(f"PRAGMA {pragma}")
                    self._conn = conn
            return self._conn

    async def close(self) -> None:
        async with self.lock:
            conn, self._conn = self._conn, None
            if conn is not None and conn is not self.store.conn:
                await conn.close()


class Store:
    """Owns one aiosqlite connection. Create with `await Store.open(path)`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.passages = PassageShelf(path)
        self._lanes: dict[str, Lane] = {}

    def _lane(self, name: str) -> Lane:
        if name not in self._lanes:
            self._lanes[name] = Lane(self)
        return self._lanes[name]

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        store = cls(conn, path)
        try:
            await store._configure()
            await store.migrate()
        except (sqlite3.DatabaseError, StoreError) as exc:
            await conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(
                f"{path} is not a usable quotebot database ({exc}). Move it aside and run "
                f"`quotebot load` to rebuild it from the transcripts."
            ) from exc
        return store

    async def _configure(self) -> None:
        conn = self.conn
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        app_id = await self._scalar("PRAGMA application_id")
        version = await self._scalar("PRAGMA user_version")
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{self.path} belongs to another application; not touching it.")
        if app_id == 0 and version == 0:
            tables = await self._scalar("SELECT count(*) FROM sqlite_master WHERE type='table'")
            if tables:
                raise StoreError(
                    f"{self.path} is a database of something else (it has tables but no quotebot "
                    "schema). Point QUOTEBOT_DB at another file or move this one aside."
                )
        # Only now that the file is ours (or new): WAL mode is written into the file's header.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")

    async def close(self) -> None:
        """Close every lane, then the main connection."""
        for lane in list(self._lanes.values()):
            await lane.close()
        self._lanes.clear()
        self.passages.close()
        await self.conn.close()

    async def close_lanes(self) -> None:
        """Close the side connections only (a cog that used one is unloading)."""
        for lane in list(self._lanes.values()):
            await lane.close()

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self.conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return int(await self._scalar("PRAGMA user_version"))

    async def migrate(self) -> int:
        """Apply pending migrations, each atomically with its version bump. Returns the version."""
        current = await self.schema_version()
        for number, name, sql in _migrations():
            if number <= current:
                continue
            script = f"BEGIN;\n{sql}\nPRAGMA application_id={APPLICATION_ID};\nPRAGMA user_version={number};\nCOMMIT;"
            try:
                await self.conn.executescript(script)
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    await self.conn.rollback()
                raise StoreError(f"migration {name} failed: {exc}") from exc
            current = number
        return current

    async def integrity_ok(self, *, quick: bool = False) -> bool:
        """`PRAGMA integrity_check`, or with `quick` the cheaper `quick_check` (every page
        and record, but not whether each index agrees with its table)."""
        pragma = "quick_check" if quick else "integrity_check"
        return await self._scalar(f"PRAGMA {pragma}") == "ok"

    # --- meta -------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        value = await self._scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

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

    # --- admin ------------------------------------------------------------------
    # Admin rows go through their own lane: on `self.conn` they could join a reload's
    # transaction (or end it on an error).

    async def record_admin_action(
        self,
        *,
        user_id: int,
        action: str,
        result: str,
        user_name: str = "",
        guild_id: int | None = None,
        detail: str = "",
        message: str = "",
        at: datetime | None = None,
    ) -> int:
        """Append one row to the audit trail; returns its id."""
        when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        conn = await self._lane("admin").connection()
        cur = await conn.execute(
            "INSERT INTO admin_audit(at, user_id, user_name, guild_id, action, detail, result, "
            "message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (when, user_id, user_name, guild_id, action, detail, result, message),
        )
        await cur.close()
        return int(cur.lastrowid or 0)

    async def admin_actions(
        self, *, limit: int = 20, actions: Sequence[str] = (), results: Sequence[str] = ()
    ) -> list[AdminAction]:
        """Newest first, optionally only some actions and/or results."""
        where: list[str] = []
        params: list[Any] = []
        if actions:
            where.append(f"action IN ({','.join('?' * len(actions))})")
            params.extend(actions)
        if results:
            where.append(f"result IN ({','.join('?' * len(results))})")
            params.extend(results)
        sql = (
            "SELECT id, at, user_id, user_name, guild_id, action, detail, result, message "
            "FROM admin_audit"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        conn = await self._lane("admin").connection()
        async with conn.execute(sql, (*params, limit)) as cur:
            rows = await cur.fetchall()
        return [
            AdminAction(
                id=r[0],
                at=datetime.fromisoformat(r[1]),
                user_id=r[2],
                user_name=r[3],
                guild_id=r[4],
                action=r[5],
                detail=r[6],
                result=r[7],
                message=r[8],
            )
            for r in rows
        ]

    async def save_pending_import(
        self, *, token: str, user_id: int, filename: str, title: str, content: bytes, at: datetime
    ) -> None:
        conn = await self._lane("admin").connection()
        await conn.execute(
            "INSERT INTO pending_imports(token, user_id, created_at, filename, title, content) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (token, user_id, at.astimezone(UTC).isoformat(), filename, title, content),
        )

    async def take_pending_import(self, token: str, user_id: int) -> PendingImport | None:
        """Remove and return the upload `token` of `user_id`; None if it is gone or not theirs.

        One statement, so it is atomic: a double click confirms once.
        """
        conn = await self._lane("admin").connection()
        async with conn.execute(
            "DELETE FROM pending_imports WHERE token = ? AND user_id = ? "
            "RETURNING token, user_id, created_at, filename, title, content",
            (token, user_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return PendingImport(
            token=row[0],
            user_id=row[1],
            created_at=datetime.fromisoformat(row[2]),
            filename=row[3],
            title=row[4],
            content=bytes(row[5]),
        )

    async def pending_import_owner(self, token: str) -> int | None:
        conn = await self._lane("admin").connection()
        async with conn.execute(
            "SELECT user_id FROM pending_imports WHERE token = ?", (token,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else int(row[0])

    async def admin_trivia_count(self) -> int:
        """Stored trivia questions, for /admin status."""
        conn = await self._lane("admin").connection()
        async with conn.execute("SELECT count(*) FROM trivia_questions") as cur:
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    async def purge_pending_imports(self, before: datetime) -> int:
        """Forget uploads created before `before`; returns how many."""
        conn = await self._lane("admin").connection()
        cur = await conn.execute(
            "DELETE FROM pending_imports WHERE created_at < ?",
            (before.astimezone(UTC).isoformat(),),
        )
        await cur.close()
        return int(cur.rowcount)

    # --- daily ------------------------------------------------------------------
    # The scheduler makes many small transactions, concurrently with commands: they go
    # through the "daily" lane, never `self.conn`.

    _DAILY_SCHEDULE = (
        "SELECT guild_id, channel_id, local_time, timezone, topic, enabled, next_due, due_day, "
        "paused_reason, failures, last_error, updated_at, updated_by FROM daily_schedules"
    )
    _DAILY_POST_COLUMNS = (
        "guild_id",
        "day",
        "status",
        "quote_id",
        "nonce",
        "channel_id",
        "message_id",
        "claimed_at",
        "posted_at",
        "attempts",
        "note",
    )
    _DAILY_POST = f"SELECT {', '.join(_DAILY_POST_COLUMNS)} FROM daily_posts"

    async def _daily_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            async with conn.execute(sql, params) as cur:
                return list(await cur.fetchall())

    async def _daily_atomic(
        self, steps: Sequence[tuple[str, Sequence[Any]]], guard: tuple[str, Sequence[Any]] | None
    ) -> bool:
        """Run `steps` in one IMMEDIATE transaction; when `guard` (a SELECT) finds no row,
        nothing is written and the answer is False."""
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                if guard is not None:
                    async with conn.execute(*guard) as cur:
                        if await cur.fetchone() is None:
                            await conn.execute("ROLLBACK")
                            return False
                for sql, params in steps:
                    await conn.execute(sql, params)
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return True

    async def daily_get(self, guild_id: int) -> DailyRow | None:
        rows = await self._daily_rows(f"{self._DAILY_SCHEDULE} WHERE guild_id = ?", (guild_id,))
        return _daily_row(rows[0]) if rows else None

    async def daily_due(self, now: int, limit: int) -> list[tuple[DailyRow, DailyPostRow | None]]:
        """Rows due at `now` (epoch seconds), earliest first (the next_due index), each with
        the post record of its due day if there is one."""
        columns = ", ".join(f"p.{c}" for c in self._DAILY_POST_COLUMNS)
        rows = await self._daily_rows(
            f"SELECT s.*, {columns} FROM ({self._DAILY_SCHEDULE} WHERE next_due IS NOT NULL "
            "AND next_due <= ? ORDER BY next_due, guild_id LIMIT ?) s LEFT JOIN daily_posts p "
            "ON p.guild_id = s.guild_id AND p.day = s.due_day ORDER BY s.next_due, s.guild_id",
            (now, limit),
        )
        width = len(self._DAILY_POST_COLUMNS)
        return [
            (_daily_row(r[:-width]), None if r[-width] is None else _daily_post_row(r[-width:]))
            for r in rows
        ]

    async def daily_next_due(self) -> int | None:
        rows = await self._daily_rows(
            "SELECT min(next_due) FROM daily_schedules WHERE next_due IS NOT NULL"
        )
        return None if not rows or rows[0][0] is None else int(rows[0][0])

    async def daily_put(
        self,
        guild_id: int,
        channel_id: int,
        local_time: str,
        timezone: str,
        topic: str | None,
        next_due: int,
        due_day: str,
        now: int,
        by: int | None,
    ) -> None:
        """Create or replace a schedule, enabled and unpaused. A post still being retried is
        settled as unconfirmed: the new schedule starts clean and never re-posts that day."""
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'unconfirmed', "
                    "note = 'the schedule changed while this post was being retried' "
                    "WHERE guild_id = ? AND status = 'sending'",
                    (guild_id,),
                ),
                (
                    "INSERT INTO daily_schedules(guild_id, channel_id, local_time, timezone, "
                    "topic, enabled, next_due, due_day, paused_reason, failures, last_error, "
                    "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, 1, ?, ?, NULL, 0, NULL, ?, ?) "
                    "ON CONFLICT(guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
                    "local_time = excluded.local_time, timezone = excluded.timezone, "
                    "topic = excluded.topic, enabled = 1, next_due = excluded.next_due, "
                    "due_day = excluded.due_day, paused_reason = NULL, failures = 0, "
                    "last_error = NULL, updated_at = excluded.updated_at, "
                    "updated_by = excluded.updated_by",
                    (guild_id, channel_id, local_time, timezone, topic, next_due, due_day, now, by),
                ),
            ],
            None,
        )

    async def daily_disable(self, guild_id: int, now: int, by: int | None) -> bool:
        """Turn a schedule off (the bag and the history are kept). False if there was none."""
        return await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'unconfirmed', "
                    "note = 'the schedule was turned off while this post was being retried' "
                    "WHERE guild_id = ? AND status = 'sending'",
                    (guild_id,),
                ),
                (
                    "UPDATE daily_schedules SET enabled = 0, next_due = NULL, failures = 0, "
                    "updated_at = ?, updated_by = ? WHERE guild_id = ?",
                    (now, by, guild_id),
                ),
            ],
            ("SELECT 1 FROM daily_schedules WHERE guild_id = ? AND enabled = 1", (guild_id,)),
        )

    async def daily_post(self, guild_id: int, day: str) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND day = ?", (guild_id, day)
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_post(self, guild_id: int) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND status = 'posted' "
            "ORDER BY day DESC LIMIT 1",
            (guild_id,),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_problem(self, guild_id: int) -> DailyPostRow | None:
        """The latest day that was missed or could not be confirmed."""
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND status IN ('missed', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1",
            (guild_id,),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_latest_day(self, guild_id: int) -> str | None:
        """The latest day that has (or may have) a post: it must not get another."""
        rows = await self._daily_rows(
            "SELECT max(day) FROM daily_posts WHERE guild_id = ? "
            "AND status IN ('sending', 'posted', 'unconfirmed')",
            (guild_id,),
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    async def daily_history(self, guild_id: int, limit: int = 100) -> list[DailyPostRow]:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? ORDER BY day DESC LIMIT ?", (guild_id, limit)
        )
        return [_daily_post_row(r) for r in rows]

    async def daily_used(self, guild_id: int) -> set[str]:
        return (await self.daily_bag(guild_id))[0]

    async def daily_bag(self, guild_id: int) -> tuple[set[str], str | None]:
        """The quotes posted in this cycle, and the last quote posted (or being posted)."""
        rows = await self._daily_rows(
            "SELECT quote_id, 0 FROM daily_bag WHERE guild_id = ? UNION ALL "
            "SELECT * FROM (SELECT quote_id, 1 FROM daily_posts WHERE guild_id = ? "
            "AND quote_id IS NOT NULL AND status IN ('sending', 'posted', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1)",
            (guild_id, guild_id),
        )
        used = {str(r[0]) for r in rows if r[1] == 0}
        last = next((str(r[0]) for r in rows if r[1] == 1), None)
        return used, last

    async def daily_claim(
        self,
        guild_id: int,
        day: str,
        quote_id: str,
        nonce: str,
        channel_id: int,
        now: int,
        reset: Sequence[str],
        lease_until: int,
    ) -> bool:
        """Claim (guild, day) before sending: False when it is taken or no longer due."""
        steps: list[tuple[str, Sequence[Any]]] = [
            (
                "INSERT INTO daily_posts(guild_id, day, status, quote_id, nonce, channel_id, "
                "claimed_at, attempts) VALUES (?, ?, 'sending', ?, ?, ?, ?, 1)",
                (guild_id, day, quote_id, nonce, channel_id, now),
            ),
            *(
                ("DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = ?", (guild_id, q))
                for q in reset
            ),
            (
                "INSERT OR REPLACE INTO daily_bag(guild_id, quote_id, used_at) VALUES (?, ?, ?)",
                (guild_id, quote_id, now),
            ),
            (
                "UPDATE daily_schedules SET next_due = ? WHERE guild_id = ?",
                (lease_until, guild_id),
            ),
        ]
        guard = (
            "SELECT 1 FROM daily_schedules s WHERE s.guild_id = ? AND s.enabled = 1 "
            "AND s.due_day = ? AND s.next_due <= ? AND NOT EXISTS "
            "(SELECT 1 FROM daily_posts p WHERE p.guild_id = s.guild_id AND p.day = ?)",
            (guild_id, day, now, day),
        )
        return await self._daily_atomic(steps, guard)

    async def daily_attempt(
        self, guild_id: int, day: str, now: int, lease_until: int
    ) -> int | None:
        """Take the lease for another attempt at a claimed day. Returns the attempt number, or
        None when the row is not due (another process holds the lease)."""
        taken = await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET attempts = attempts + 1 WHERE guild_id = ? AND day = ?",
                    (guild_id, day),
                ),
                (
                    "UPDATE daily_schedules SET next_due = ? WHERE guild_id = ?",
                    (lease_until, guild_id),
                ),
            ],
            (
                "SELECT 1 FROM daily_schedules WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                "AND paused_reason IS NULL AND next_due <= ?",
                (guild_id, day, now),
            ),
        )
        if not taken:
            return None
        rows = await self._daily_rows(
            "SELECT attempts FROM daily_posts WHERE guild_id = ? AND day = ?", (guild_id, day)
        )
        return int(rows[0][0]) if rows else None

    async def daily_record(
        self,
        guild_id: int,
        day: str,
        message_id: int,
        channel_id: int,
        posted_at: int,
        next_due: int,
        next_day: str,
        keep_from: str,
    ) -> None:
        """The post went out: keep its message id and move the schedule to the next day."""
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'posted', message_id = ?, channel_id = ?, "
                    "posted_at = ?, note = NULL WHERE guild_id = ? AND day = ?",
                    (message_id, channel_id, posted_at, guild_id, day),
                ),
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0, "
                    "last_error = NULL WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                    "AND paused_reason IS NULL",
                    (next_due, next_day, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day < ?",
                    (guild_id, keep_from),
                ),
            ],
            None,
        )

    async def daily_settle(
        self,
        guild_id: int,
        day: str,
        status: str,
        note: str,
        now: int,
        next_due: int,
        next_day: str,
    ) -> None:
        """Close a day without a confirmed post ('missed' or 'unconfirmed') and move on."""
        await self._daily_atomic(
            [
                (
                    "INSERT INTO daily_posts(guild_id, day, status, claimed_at, attempts, note) "
                    "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(guild_id, day) DO UPDATE SET "
                    "status = excluded.status, note = excluded.note",
                    (guild_id, day, status, now, note),
                ),
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0, "
                    "last_error = NULL WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                    "AND paused_reason IS NULL",
                    (next_due, next_day, guild_id, day),
                ),
            ],
            None,
        )

    async def daily_advance(self, guild_id: int, day: str, next_due: int, next_day: str) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0 "
                    "WHERE guild_id = ? AND due_day = ? AND enabled = 1",
                    (next_due, next_day, guild_id, day),
                )
            ],
            None,
        )

    async def daily_pause(self, guild_id: int, day: str, reason: str, now: int) -> None:
        """Stop posting with `reason`. A claim for `day` is released (nothing went out), and
        its quote goes back in the bag."""
        await self._daily_atomic(
            [
                (
                    "DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = (SELECT quote_id "
                    "FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending')",
                    (guild_id, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending'",
                    (guild_id, day),
                ),
                (
                    "UPDATE daily_schedules SET next_due = NULL, paused_reason = ?, "
                    "last_error = ?, updated_at = ? WHERE guild_id = ? AND due_day = ?",
                    (reason, reason, now, guild_id, day),
                ),
            ],
            None,
        )

    async def daily_release(self, guild_id: int, day: str) -> None:
        """Forget a claim that is known not to have been sent; its quote goes back in the bag."""
        await self._daily_atomic(
            [
                (
                    "DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = (SELECT quote_id "
                    "FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending')",
                    (guild_id, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending'",
                    (guild_id, day),
                ),
            ],
            None,
        )

    async def daily_retry(
        self, guild_id: int, day: str, next_due: int, failures: int, error: str
    ) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = ?, failures = ?, last_error = ? "
                    "WHERE guild_id = ? AND due_day = ? AND enabled = 1 AND paused_reason IS NULL",
                    (next_due, failures, error, guild_id, day),
                )
            ],
            None,
        )

    async def daily_expire_leases(self, now: int) -> int:
        """At start-up every claim in flight belongs to a process that is gone: due now."""
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            cur = await conn.execute(
                "UPDATE daily_schedules SET next_due = ? WHERE next_due > ? AND EXISTS "
                "(SELECT 1 FROM daily_posts p WHERE p.guild_id = daily_schedules.guild_id "
                "AND p.day = daily_schedules.due_day AND p.status = 'sending')",
                (now, now),
            )
            await cur.close()
        return int(cur.rowcount)

    # --- trivia -----------------------------------------------------------------
    # Members click answers concurrently: trivia transactions go through the "trivia" lane.
    # Only the curated questions are written on `self.conn`, inside `replace_corpus`.

    async def _trivia_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock, conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _trivia_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement (atomic by itself); returns the number of rows it changed."""
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            cur = await conn.execute(sql, params)
            await cur.close()
        return int(cur.rowcount)

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

    async def read_trivia(self) -> list[Question]:
        """The stored curated questions, in file order."""
        rows = await self._trivia_rows(
            f"SELECT {_TRIVIA_COLUMNS} FROM trivia_questions ORDER BY source, line"
        )
        return [_trivia_question(r) for r in rows]

    async def trivia_round_seconds(self, guild_id: int) -> float | None:
        rows = await self._trivia_rows(
            "SELECT round_seconds FROM trivia_settings WHERE guild_id = ?", (guild_id,)
        )
        return float(rows[0][0]) if rows else None

    async def set_trivia_round_seconds(
        self, guild_id: int, seconds: float, by: int | None = None
    ) -> None:
        await self._trivia_write(
            "INSERT INTO trivia_settings(guild_id, round_seconds, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET "
            "round_seconds = excluded.round_seconds, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (guild_id, seconds, by, _now()),
        )

    async def trivia_start_round(
        self,
        *,
        guild_id: int,
        channel_id: int,
        question: Question,
        choices: Sequence[str],
        correct: int,
        started_at: datetime,
        ends_at: datetime,
        started_by: int | None,
    ) -> int | None:
        """Open a round and mark its question seen by the guild, atomically.

        None when the channel already has an active round (the partial unique index says so,
        so two /trivia at the same moment cannot both win).
        """
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                cur = await conn.execute(
                    "INSERT INTO trivia_rounds(guild_id, channel_id, question_id, question, "
                    "choices, correct, started_at, ends_at, status, started_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
                    (
                        guild_id,
                        channel_id,
                        question.id,
                        json.dumps(question.to_json(), ensure_ascii=False),
                        json.dumps(list(choices), ensure_ascii=False),
                        correct,
                        _iso(started_at),
                        _iso(ends_at),
                        started_by,
                    ),
                )
                round_id = cur.lastrowid
                await cur.close()
                await conn.execute(
                    "INSERT INTO trivia_seen(guild_id, question_id, seen_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at",
                    (guild_id, question.id, _iso(started_at)),
                )
                await conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                await conn.execute("ROLLBACK")
                return None
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return int(round_id) if round_id is not None else None

    async def trivia_set_message(self, round_id: int, message_id: int) -> None:
        await self._trivia_write(
            "UPDATE trivia_rounds SET message_id = ? WHERE id = ?", (message_id, round_id)
        )

    async def trivia_round(self, round_id: int) -> Round | None:
        rows = await self._trivia_rows(f"{_ROUND_SELECT} WHERE id = ?", (round_id,))
        return _trivia_round(rows[0]) if rows else None

    async def trivia_active_round(self, channel_id: int) -> Round | None:
        rows = await self._trivia_rows(
            f"{_ROUND_SELECT} WHERE channel_id = ? AND status = 'active'", (channel_id,)
        )
        return _trivia_round(rows[0]) if rows else None

    async def trivia_active_rounds(self) -> list[Round]:
        rows = await self._trivia_rows(f"{_ROUND_SELECT} WHERE status = 'active' ORDER BY id")
        return [_trivia_round(r) for r in rows]

    async def trivia_answer(
        self,
        round_id: int,
        user_id: int,
        choice: int,
        correct: bool,
        points: int,
        at: datetime,
    ) -> tuple[str, RoundAnswer | None]:
        """Record a member's one answer: ("recorded" | "already" | "closed", the answer kept).

        One statement, so the round's being open and the member's first answer are checked
        and written atomically, however many clicks arrive at once.
        """
        when = _iso(at)
        changed = await self._trivia_write(
            "INSERT OR IGNORE INTO trivia_answers(round_id, user_id, choice, correct, points, "
            "answered_at) SELECT ?, ?, ?, ?, ?, ? FROM trivia_rounds "
            "WHERE id = ? AND status = 'active' AND ends_at > ?",
            (round_id, user_id, choice, int(correct), points, when, round_id, when),
        )
        rows = await self._trivia_rows(
            f"{_ANSWER_SELECT} WHERE round_id = ? AND user_id = ?", (round_id, user_id)
        )
        kept = _trivia_answer(rows[0]) if rows else None
        if changed:
            return "recorded", kept
        return ("already", kept) if kept is not None else ("closed", None)

    async def trivia_answers(self, round_id: int) -> list[RoundAnswer]:
        rows = await self._trivia_rows(
            f"{_ANSWER_SELECT} WHERE round_id = ? ORDER BY answered_at, user_id", (round_id,)
        )
        return [_trivia_answer(r) for r in rows]

    async def trivia_end_round(
        self, round_id: int, *, cancel: bool = False
    ) -> list[RoundAnswer] | None:
        """Close an active round; a finished one adds its answers to the members' scores.

        All in one transaction, and only once: None when the round was not active (another
        task ended it first).
        """
        conn = await self._lane("trivia").connection()
        status = "cancelled" if cancel else "finished"
        async with self._lane("trivia").lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                cur = await conn.execute(
                    "UPDATE trivia_rounds SET status = ? WHERE id = ? AND status = 'active'",
                    (status, round_id),
                )
                await cur.close()
                if cur.rowcount == 0:
                    await conn.execute("ROLLBACK")
                    return None
                async with conn.execute(
                    f"{_ANSWER_SELECT} WHERE round_id = ? ORDER BY answered_at, user_id",
                    (round_id,),
                ) as cur:
                    answers = [_trivia_answer(r) for r in await cur.fetchall()]
                async with conn.execute(
                    "SELECT guild_id FROM trivia_rounds WHERE id = ?", (round_id,)
                ) as cur:
                    row = await cur.fetchone()
                    assert row is not None
                    guild_id = int(row[0])
                if not cancel:
                    for answer in answers:
                        async with conn.execute(
                            f"{_SCORE_SELECT} WHERE guild_id = ? AND user_id = ?",
                            (guild_id, answer.user_id),
                        ) as cur:
                            found = await cur.fetchone()
                        before = _trivia_score(found) if found else Score(guild_id, answer.user_id)
                        after = apply_answer(before, answer.correct, answer.points)
                        await conn.execute(
                            "INSERT INTO trivia_scores(guild_id, user_id, points, correct, "
                            "answered, streak, best_streak) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT(guild_id, user_id) DO UPDATE SET "
                            "points = excluded.points, correct = excluded.correct, "
                            "answered = excluded.answered, streak = excluded.streak, "
                            "best_streak = excluded.best_streak",
                            (
                                guild_id,
                                answer.user_id,
                                after.points,
                                after.correct,
                                after.answered,
                                after.streak,
                                after.best_streak,
                            ),
                        )
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return answers

    async def trivia_seen(self, guild_id: int) -> set[str]:
        rows = await self._trivia_rows(
            "SELECT question_id FROM trivia_seen WHERE guild_id = ?", (guild_id,)
        )
        return {r[0] for r in rows}

    async def trivia_forget_seen(self, guild_id: int, question_ids: Iterable[str]) -> None:
        """Start a new cycle through a pool the guild has seen all of."""
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            await conn.executemany(
                "DELETE FROM trivia_seen WHERE guild_id = ? AND question_id = ?",
                [(guild_id, qid) for qid in question_ids],
            )

    async def trivia_leaderboard(self, guild_id: int, limit: int = 10) -> list[Score]:
        rows = await self._trivia_rows(
            f"{_SCORE_SELECT} WHERE guild_id = ? AND answered > 0 "
            "ORDER BY points DESC, correct DESC, user_id LIMIT ?",
            (guild_id, limit),
        )
        return [_trivia_score(r) for r in rows]

    async def trivia_score(self, guild_id: int, user_id: int) -> Score | None:
        """A member's score with their rank (members with equal points share a rank)."""
        rows = await self._trivia_rows(
            f"{_SCORE_SELECT} WHERE guild_id = ? AND user_id = ? AND answered > 0",
            (guild_id, user_id),
        )
        return _trivia_score(rows[0]) if rows else None

    # --- export (issue 18) -------------------------------------------------------

    async def trivia_score_guilds(self) -> list[int]:
        """The servers with trivia scores: what `quotebot export` exports by default."""
        rows = await self._trivia_rows(
            "SELECT DISTINCT guild_id FROM trivia_scores WHERE answered > 0 ORDER BY guild_id"
        )
        return [int(r[0]) for r in rows]


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


def fingerprint(passages: Iterable[Passage]) -> str:
    """A cheap identity of a corpus, for caches keyed on its content (ids are content hashes)."""
    return fingerprint_ids(p.id for p in passages)


def fingerprint_ids(ids: Iterable[str]) -> str:
    """`fingerprint` of the passages with these ids, in this order."""
    digest = hashlib.sha256()
    for passage_id in ids:
        digest.update(passage_id.encode())
    return digest.hexdigest()


# --- admin ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminAction:
    """One row of the admin audit trail."""

    id: int
    at: datetime
    user_id: int
    user_name: str
    guild_id: int | None
    action: str
    detail: str
    result: str
    message: str


@dataclass(frozen=True, slots=True)
class PendingImport:
    """An uploaded interview shown as a preview, waiting for Confirm or Cancel."""

    token: str
    user_id: int
    created_at: datetime
    filename: str
    title: str
    content: bytes


# --- daily ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DailyRow:
    """A guild's daily-quote schedule. Times are UTC epoch seconds; days are local ISO dates."""

    guild_id: int
    channel_id: int
    local_time: str
    timezone: str
    topic: str | None
    enabled: bool
    next_due: int | None
    due_day: str | None
    paused_reason: str | None
    failures: int
    last_error: str | None
    updated_at: int
    updated_by: int | None


@dataclass(frozen=True, slots=True)
class DailyPostRow:
    """One (guild, local day): claimed ('sending'), 'posted', 'missed' or 'unconfirmed'."""

    guild_id: int
    day: str
    status: str
    quote_id: str | None
    nonce: str | None
    channel_id: int | None
    message_id: int | None
    claimed_at: int
    posted_at: int | None
    attempts: int
    note: str | None


def _daily_row(r: Any) -> DailyRow:
    return DailyRow(
        guild_id=int(r[0]),
        channel_id=int(r[1]),
        local_time=r[2],
        timezone=r[3],
        topic=r[4],
        enabled=bool(r[5]),
        next_due=r[6],
        due_day=r[7],
        paused_reason=r[8],
        failures=int(r[9]),
        last_error=r[10],
        updated_at=int(r[11]),
        updated_by=r[12],
    )


def _daily_post_row(r: Any) -> DailyPostRow:
    return DailyPostRow(
        guild_id=int(r[0]),
        day=r[1],
        status=r[2],
        quote_id=r[3],
        nonce=r[4],
        channel_id=r[5],
        message_id=r[6],
        claimed_at=int(r[7]),
        posted_at=r[8],
        attempts=int(r[9]),
        note=r[10],
    )


# --- trivia ---------------------------------------------------------------------

_TRIVIA_COLUMNS = (
    "id, question, answer, distractors, difficulty, evidence, interview_id, passage_id, "
    "speaker, source, line"
)
_ROUND_SELECT = (
    "SELECT id, guild_id, channel_id, message_id, question, choices, correct, started_at, "
    "ends_at, status, started_by FROM trivia_rounds"
)
_ANSWER_SELECT = "SELECT user_id, choice, correct, points, answered_at FROM trivia_answers"
_SCORE_SELECT = (
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, "
    "1 + (SELECT count(*) FROM trivia_scores o WHERE o.guild_id = trivia_scores.guild_id "
    "AND o.answered > 0 AND o.points > trivia_scores.points) FROM trivia_scores"
)


def _iso(when: datetime) -> str:
    """Fixed-width UTC text, so SQL compares instants as strings correctly."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _trivia_rows(questions: Sequence[Question]) -> dict[str, tuple[Any, ...]]:
    return {
        q.id: (
            q.text,
            q.answer,
            json.dumps(list(q.distractors), ensure_ascii=False),
            q.difficulty,
            q.evidence,
            q.interview_id,
            q.passage_id,
            q.speaker,
            q.source or "",
            q.line,
        )
        for q in questions
    }


def _trivia_content(rows: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """What a question says, without where it is written: moving an entry is no change."""
    return {qid: row[:-2] for qid, row in rows.items()}


def _trivia_question(r: Any) -> Question:
    return Question(
        id=r[0],
        kind="curated",
        text=r[1],
        answer=r[2],
        distractors=tuple(json.loads(r[3])),
        difficulty=r[4],
        evidence=r[5],
        interview_id=r[6],
        passage_id=r[7],
        speaker=r[8],
        source=r[9] or None,
        line=r[10],
    )


def _trivia_round(r: Any) -> Round:
    return Round(
        id=int(r[0]),
        guild_id=int(r[1]),
        channel_id=int(r[2]),
        message_id=None if r[3] is None else int(r[3]),
        question=Question.from_json(json.loads(r[4])),
        choices=tuple(json.loads(r[5])),
        correct=int(r[6]),
        started_at=datetime.fromisoformat(r[7]),
        ends_at=datetime.fromisoformat(r[8]),
        status=r[9],
        started_by=None if r[10] is None else int(r[10]),
    )


def _trivia_answer(r: Any) -> RoundAnswer:
    return RoundAnswer(
        user_id=int(r[0]),
        choice=int(r[1]),
        correct=bool(r[2]),
        points=int(r[3]),
        answered_at=datetime.fromisoformat(r[4]),
    )


def _trivia_score(r: Any) -> Score:
    return Score(
        guild_id=int(r[0]),
        user_id=int(r[1]),
        points=int(r[2]),
        correct=int(r[3]),
        answered=int(r[4]),
        streak=int(r[5]),
        best_streak=int(r[6]),
        rank=int(r[7]),
    )
