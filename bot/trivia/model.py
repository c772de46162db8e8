"""A trivia question and its proof; the limits every question keeps (button labels)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from bot.topics import fold

Difficulty = Literal["easy", "medium", "hard"]
Kind = Literal["curated", "complete", "who"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
MIN_DISTRACTORS = 3
MAX_DISTRACTORS = 4  # answer + 4 = 5 buttons: one row
LABEL_MAX = 80  # a button label
QUESTION_MAX = 300
EVIDENCE_MAX = 600
BLANK = "_____"


@dataclass(frozen=True, slots=True)
class Question:
    """One trivia question with its proof."""

    id: str
    kind: Kind
    text: str  # the question as asked
    answer: str
    distractors: tuple[str, ...]
    difficulty: Difficulty
    evidence: str  # the exact transcript phrase that proves the answer
    interview_id: str
    passage_id: str
    speaker: str | None = None  # who said the evidence; None for the interviewer
    source: str | None = None  # where a curated question is written
    line: int | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        return (self.answer, *self.distractors)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "answer": self.answer,
            "distractors": list(self.distractors),
            "difficulty": self.difficulty,
            "evidence": self.evidence,
            "interview_id": self.interview_id,
            "passage_id": self.passage_id,
            "speaker": self.speaker,
            "source": self.source,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            id=str(data["id"]),
            kind=cast(Kind, data["kind"]),
            text=str(data["text"]),
            answer=str(data["answer"]),
            distractors=tuple(str(d) for d in data["distractors"]),
            difficulty=cast(Difficulty, data["difficulty"]),
            evidence=str(data["evidence"]),
            interview_id=str(data["interview_id"]),
            passage_id=str(data["passage_id"]),
            speaker=data.get("speaker"),
            source=data.get("source"),
            line=data.get("line"),
        )


def question_id(kind: str, *parts: str) -> str:
    """Stable 10-hex id; a curated question is identified by its (folded) wording."""
    key = "\0".join((kind, *parts))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


_NOT_WORD = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=1 << 16)
def folded(text: str) -> str:
    """`bot.topics.fold`, remembered: a build folds the same words and sentences many
    times. ASCII text skips the Unicode decomposition, which cannot change it."""
    if text.isascii():
        return " ".join(_NOT_WORD.sub(" ", text.lower()).replace("_", " ").split())
    return fold(text)


def contains_words(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` as whole words, ignoring case, accents, punctuation."""
    key = folded(needle)
    return bool(key) and f" {key} " in f" {folded(haystack)} "


def squash(text: str) -> str:
    return " ".join(text.split())
