"""Plain data shared by the parser, store, search and renderers (no discord import)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

ParagraphKind = Literal["lede", "note", "question", "answer", "continuation"]
Role = Literal["interviewee", "interviewer"]
# How a speaker takes part: interviewees are quoted, interviewers' turns are the questions,
# "other" (panel, moderator, audience, an unnamed "Senator:") is neither unless they ask.
SpeakerRole = Literal["interviewee", "interviewer", "other"]


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

    @property
    def question(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    """One speaker of a parsed transcript, for `quotebot inspect` and the import preview."""

    name: str  # canonical display name
    role: SpeakerRole
    source: str  # where the role came from: "sidecar", "front matter", "intro", "text", ...
    turns: int  # paragraphs that opened a turn of theirs
    passages: int  # quotable passages credited to them (0 unless an interviewee)


@dataclass(frozen=True, slots=True)
class Dropped:
    """Text the parser kept out of quotes and questions (debris), with its 1-based line."""

    line: int
    kind: str  # "timestamp", "heading", "image", "caption", "stage note", "markup", ...
    text: str


_PEOPLE_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")


def split_people(value: str | None) -> tuple[str, ...]:
    """ "First Host, Second Host" or "A and B" -> the names, one each."""
    if not value:
        return ()
    return tuple(" ".join(p.split()) for p in _PEOPLE_SPLIT.split(value) if p.strip(" ."))


@dataclass(frozen=True, slots=True)
class InterviewMeta:
    """A transcript's sidecar. `interviewee`/`interviewer` stay the first name and the
    joined names (what the store writes); the tuples hold every name the sidecar gave."""

    title: str
    interviewee: str | None = None
    interviewer: str | None = None
    publication: str | None = None
    date: str | None = None
    url: str | None = None
    interviewees: tuple[str, ...] = ()
    interviewers: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # ("JD", "Jane Doe"): a label and its person

    def named_interviewees(self) -> tuple[str, ...]:
        return self.interviewees or split_people(self.interviewee)

    def named_interviewers(self) -> tuple[str, ...]:
        return self.interviewers or split_people(self.interviewer)


@dataclass(frozen=True, slots=True)
class Interview:
    id: str  # slug of the file name stem
    meta: InterviewMeta
    source: str  # path the transcript was read from
    content_hash: str  # sha256 of the transcript bytes and sidecar bytes
    speakers: tuple[str, ...]  # canonical names, interviewee(s) first
    paragraphs: tuple[Paragraph, ...]
    passages: tuple[Passage, ...]
    roles: tuple[SpeakerInfo, ...] = ()  # every speaker with their role (for inspect)
    dropped: tuple[Dropped, ...] = ()  # debris kept out of quotes (for inspect)
    layout: str = ""  # what the parser took the file for ("plain", "webvtt", "srt", ...)

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
