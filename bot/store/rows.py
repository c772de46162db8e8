"""The rows the store hands out, and the converters from database rows to them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from bot.models import (
    InterviewMeta,
    Passage,
    Role,
    Topic,
)
from bot.trivia import Question, Round, RoundAnswer, Score


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

    interviews: Sequence[StoredInterview]  # in id order (see bot.store.catalog_cache)
    topics: tuple[Topic, ...]
    speakers: tuple[str, ...]  # of the stored answers, sorted
    fingerprint: str  # of the stored answers' ids in catalog order (see `fingerprint`)
    answers: int


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
    """A daily-quote schedule, one per (guild, channel). Times are UTC epoch seconds; days
    are local ISO dates."""

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
    mention_role_id: int | None = None  # the opted-in role each post mentions
    thread: bool = False  # open a discussion thread on each post


@dataclass(frozen=True, slots=True)
class DailyPostRow:
    """One (guild, channel, local day): claimed ('sending'), 'posted', 'missed' or
    'unconfirmed'."""

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
    note: str | None  # missed/unconfirmed: why; posted: what of the mention or thread failed
    thread_id: int | None = None


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
        mention_role_id=None if r[13] is None else int(r[13]),
        thread=bool(r[14]),
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
        thread_id=None if r[11] is None else int(r[11]),
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
        game_id=None if r[11] is None else int(r[11]),
        game_round=None if r[12] is None else int(r[12]),
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
