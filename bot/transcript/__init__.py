"""Parse an interview transcript into paragraphs and quotable passages (no discord import).

Stages, each its own module: `layout` turns lines into blocks of speech with their labels
(after `survey` has read what label shapes the whole file uses) and lists the debris it
took out (`clean`); `names` resolves labels to people (`mentions` finds the full name a
short label stands for in the header); `roles`
decides who is interviewee, interviewer or other (`speakers` ties those together for
every block); `passages` groups answers and finds the
question each replied to; `sentences` splits them. Every stage is one linear pass, so
multi-megabyte files stay fast.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import replace
from pathlib import Path

from bot.models import (
    Interview,
    InterviewMeta,
    Paragraph,
    SpeakerInfo,
)
from bot.transcript.base import TranscriptError, check_text, line_count, passage_id, slugify
from bot.transcript.chat import from_chat
from bot.transcript.chevrons import nameless_turns
from bot.transcript.html import html_to_markdown
from bot.transcript.layout import front_matter, read_layout
from bot.transcript.opening import opening_statement
from bot.transcript.passages import build_passages, classify
from bot.transcript.sentences import split_sentences
from bot.transcript.shapes import questions_as_markers
from bot.transcript.speakers import read_cast
from bot.transcript.table import from_cards, from_table

__all__ = [
    "TranscriptError",
    "parse_transcript",
    "passage_id",
    "read_transcript",
    "slugify",
    "split_sentences",
    "title_from_stem",
]

_DROPPED_TEXT = 200  # characters of each dropped thing kept for `quotebot inspect`


_MARKDOWN = re.compile(r"\\[\[\]_*#]|\*\*\S|!\[|\]\(https?:|^#{1,6} \S|^\*\S[^*\n]*\*$", re.M)
_MARKDOWN_SCAN = 20_000  # characters: enough to see a file's style, cheap on huge files


def _looks_markdown(text: str) -> bool:
    """Markdown saved as .txt (an upload is always stored as .txt): escapes, bold, links."""
    return len(_MARKDOWN.findall(text[:_MARKDOWN_SCAN])) >= 2


def parse_transcript(
    text: str, *, interview_id: str, source: str, meta: InterviewMeta, content_hash: str = ""
) -> Interview:
    """Parse transcript `text`; errors name `source` and the offending line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    check_text(text, source)
    return _parse(
        text, interview_id=interview_id, source=source, meta=meta, content_hash=content_hash
    )


def _parse(
    text: str,
    *,
    interview_id: str,
    source: str,
    meta: InterviewMeta,
    content_hash: str,
    retried: bool = False,
) -> Interview:
    from_html = html_to_markdown(text)
    text = (
        from_html
        if from_html is not None
        else (from_table(text) or from_cards(text) or from_chat(text) or text)
    )
    markdown = (
        from_html is not None
        or source.lower().endswith((".md", ".markdown"))
        or _looks_markdown(text)
    )
    layout = read_layout(text, markdown=markdown)
    blocks = layout.blocks
    dropped = layout.dropped
    if not blocks:
        raise TranscriptError(source, 1, "nothing but debris (headings, timestamps, markup)")

    cast = read_cast(layout, meta)
    if nameless_turns(blocks):
        raise TranscriptError(
            source,
            blocks[0].line,
            "speaker changes are marked only by '>>' and nothing says whose turns are the "
            'guest\'s: name who is interviewed in the sidecar (interviewees = ["Full Name"]), '
            "as the transcript writes the name",
        )
    stats, roles = cast.stats, cast.roles
    turned = opening_statement(cast.turned, roles)  # a talk before its Q&A, unlabelled
    if not stats and not cast.qa_markers:
        marked = None if retried else questions_as_markers(text)
        if marked is not None:  # a web Q&A whose bold was lost in the copy
            return _parse(
                marked,
                interview_id=interview_id,
                source=source,
                meta=meta,
                content_hash=content_hash,
                retried=True,
            )
        raise TranscriptError(
            source,
            blocks[0].line,
            "no speaker lines found (expected 'Name: answer', a 'Name:' label above the "
            "words, or 'Q:'/'A:' lines)",
        )
    kinds, labelled, interjections = classify(turned, dropped)
    if not any(kind == "answer" for kind, _ in kinds):
        raise TranscriptError(
            source,
            blocks[0].line,
            "no interviewee answers found: name who is interviewed in the sidecar "
            '(interviewees = ["Full Name"])',
        )
    paragraphs = tuple(
        Paragraph(index=i, line=b.line, kind=kind, speaker=speaker, text=b.text)
        for i, (b, (kind, speaker)) in enumerate(zip(turned, kinds, strict=True))
    )
    passages = build_passages(paragraphs, turned, labelled, interjections, interview_id)
    interviewees = list(dict.fromkeys(p.speaker for p in passages))
    asking = [s for s in stats if roles[s][0] == "interviewer"]
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.speaker] = counts.get(p.speaker, 0) + 1
    infos = tuple(
        SpeakerInfo(
            name=s,
            role=roles[s][0],
            source=roles[s][1],
            turns=stats[s].turns,
            passages=counts.get(s, 0),
        )
        for s in sorted(
            stats, key=lambda n: ("interviewee", "interviewer", "other").index(roles[n][0])
        )
    )
    meta = _with_front_matter(meta, layout.front)
    return Interview(
        id=interview_id,
        meta=meta,
        source=source,
        content_hash=content_hash,
        speakers=tuple(dict.fromkeys([*interviewees, *asking])),
        paragraphs=paragraphs,
        passages=passages,
        roles=infos,
        dropped=tuple(
            replace(d, text=d.text[:_DROPPED_TEXT]) for d in sorted(dropped, key=lambda d: d.line)
        ),
        layout=layout.kind + (" q&a" if cast.qa_markers else ""),
    )


def _with_front_matter(meta: InterviewMeta, front: dict[str, list[str]]) -> InterviewMeta:
    """Front matter fills what the sidecar left empty (never overrides it)."""

    def first(key: str, current: str | None) -> str | None:
        return current if current is not None else next(iter(front.get(key, [])), None)

    return replace(
        meta,
        date=first("date", meta.date),
        url=first("url", meta.url),
        publication=first("publication", meta.publication),
    )


def read_transcript(path: Path, meta: InterviewMeta | None = None) -> Interview:
    """Read and parse a transcript file (strict UTF-8, BOM allowed)."""
    raw = path.read_bytes()
    source = str(path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TranscriptError(source, 1, "not UTF-8 (the file is UTF-16; save it as UTF-8)")
    body = raw.removeprefix(codecs.BOM_UTF8)
    nul = body.find(b"\0")
    if nul >= 0:
        before = body[:nul].decode("utf-8", errors="replace")
        line = line_count(before.replace("\r\n", "\n").replace("\r", "\n"))
        raise TranscriptError(source, line, "binary file (NUL byte)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start].decode("utf-8")
        line = line_count(before.replace("\r\n", "\n").replace("\r", "\n"))
        raise TranscriptError(
            source, line, f"not UTF-8 (bad byte 0x{body[exc.start]:02x}): save it as UTF-8"
        ) from None
    stem_title = title_from_stem(path.stem)
    if meta is None:
        meta = InterviewMeta(title=stem_title)
    interview = parse_transcript(
        text,
        interview_id=slugify(path.stem),
        source=source,
        meta=meta,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
    if interview.meta.title == stem_title:
        titles = _front_title(text)
        if titles:
            interview = replace(interview, meta=replace(interview.meta, title=titles))
    return interview


def _front_title(text: str) -> str | None:
    layout_head = text.lstrip("\ufeff").lstrip()
    if not layout_head.startswith("---"):
        return None
    lines = layout_head.replace("\r\n", "\n").split("\n")
    _, front = front_matter(lines, 0)
    return front.get("title", [None])[0]


def title_from_stem(stem: str) -> str:
    """The title a transcript without one gets: "sean_baker-interview" -> "Sean Baker Interview"."""
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or stem
