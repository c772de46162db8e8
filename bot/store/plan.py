"""What a corpus load changes, worked out before its transaction, and its rows."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import (
    Passage,
    Topic,
)
from bot.store.rows import Change, LoadReport

SUMMARY_KEY = "corpus_summary"


def _summary(key: str, speakers: Counter[str]) -> str:
    """The meta row `read_corpus` takes the answers' fingerprint, speakers and count from."""
    facts = {"fingerprint": key, "speakers": sorted(speakers), "answers": speakers.total()}
    return json.dumps(facts, ensure_ascii=False)


INSERT_BATCH = 20_000  # rows per executemany when loading a corpus
_JSON_STRING = json.encoder.encode_basestring  # the C escaper json.dumps uses for str


def _json_list(items: Sequence[str]) -> str:
    """``json.dumps(list(items), ensure_ascii=False)``, ~10x faster for lists of strings.

    A million answers' paragraphs took ~15 s through json.dumps (a new encoder per call).
    """
    return "[" + ", ".join(map(_JSON_STRING, items)) + "]"


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


INTERVIEW_COLUMNS = (
    "id",
    "title",
    "interviewee",
    "interviewer",
    "publication",
    "date",
    "url",
    "source",
    "content_hash",
    "loaded_at",
)
SPEAKER_COLUMNS = ("interview_id", "name", "ord")
PASSAGE_COLUMNS = (
    "id",
    "interview_id",
    "position",
    "speaker",
    "role",
    "question",
    "paragraphs",
    "sentences",
    "line",
)
Batch = tuple[str, tuple[str, ...], list[Any]]  # table, columns, rows


def _insert_batches(interviews: Sequence[Any], loaded_at: str) -> Iterator[Batch]:
    """The rows a load inserts, by table, INSERT_BATCH rows at most a batch."""
    for at in range(0, len(interviews), INSERT_BATCH // 16):
        batch = interviews[at : at + INSERT_BATCH // 16]
        yield (
            "interviews",
            INTERVIEW_COLUMNS,
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
            "speakers",
            SPEAKER_COLUMNS,
            [(iv.id, name, n) for iv in batch for n, name in enumerate(iv.speakers)],
        )
        passages = [(iv.id, p) for iv in batch for p in iv.passages if p.role == "interviewee"]
        for start in range(0, len(passages), INSERT_BATCH):
            yield (
                "passages",
                PASSAGE_COLUMNS,
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


def fingerprint(passages: Iterable[Passage]) -> str:
    """A cheap identity of a corpus, for caches keyed on its content (ids are content hashes)."""
    return fingerprint_ids(p.id for p in passages)


def fingerprint_ids(ids: Iterable[str]) -> str:
    """`fingerprint` of the passages with these ids, in this order."""
    digest = hashlib.sha256()
    for passage_id in ids:
        digest.update(passage_id.encode())
    return digest.hexdigest()
