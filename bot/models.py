"""Plain data shared by the parser, store, search and renderers (no discord import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

ParagraphKind = Literal["lede", "note", "question", "answer", "continuation"]
Role = Literal["interviewee", "interviewer"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One non-blank paragraph of a transcript as the parser classified it."""

    index: int  # 0-based order among non-blank paragraphs
    line: int  # 1-based line number in the file
    kind: ParagraphKind
    speaker: str | None  # canonical speaker name (answers, continuations, named questions)
    text: str  # the paragraph as written, without its speaker prefix


@dataclass(frozen=True, slots=True)
class Passage:
    """One answer: a speaker paragraph plus the paragraphs that continue it."""

    id: str  # stable: derived from interview id + answer content, never row order
    interview_id: str
    position: int  # 0-based order of the answer in its interview
    speaker: str
    role: Role
    question: str | None
    paragraphs: tuple[str, ...]
    sentences: tuple[str, ...]
    line: int  # line of the speaker paragraph

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class Indexable(Protocol):
    """What the search index reads of an answer: a `Passage`, or a lighter row of one."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def sentences(self) -> tuple[str, ...]: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class InterviewMeta:
    title: str
    interviewee: str | None = None
    interviewer: str | None = None
    publication: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Interview:
    id: str  # slug of the file name stem
    meta: InterviewMeta
    source: str  # path the transcript was read from
    content_hash: str  # sha256 of the transcript bytes and sidecar bytes
    speakers: tuple[str, ...]  # canonical names, interviewee(s) first
    paragraphs: tuple[Paragraph, ...]
    passages: tuple[Passage, ...]

    @property
    def title(self) -> str:
        return self.meta.title


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    curated: bool = False
    passage_ids: tuple[str, ...] = field(default=())
