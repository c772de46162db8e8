"""What a file's blocks mark without naming anyone: header lines that are no turns
("Interviewer: Maria Kowalski (MK)"), one-letter question and answer pairs ("P:"/"R:"),
and questions marked only by their look (bold, italic, numbered, quoted, "Q:" alone),
each answered by the next plain paragraph."""

from __future__ import annotations

import re
from collections import Counter

from bot.transcript.layout import HEADER_FIELD, Block
from bot.transcript.names import (
    LETTER_PAIRS,
    META_LABELS,
    QA_MARKERS,
    looks_like_name,
    name_key,
    split_names,
    strip_honorific,
)

__all__ = ["mark_blocks"]

_INTRO_BLOCKS = 40
_FIELD_WORDS = 12  # a header field's value, not a turn's words
_NUMBERED_QUESTION = re.compile(r"^(?:Q(?:uestion)?\s?)?\d{1,2}[.):]\s+(?=[^?\n]{3,300}\?\s*$)")


def mark_blocks(blocks: list[Block]) -> None:
    """Relabel `blocks` in place: header lines lose their label, marker pairs and implied
    questions become "Q"/"A"."""
    _unlabel_meta_lines(blocks)
    _dash_dialogue(blocks)
    _letter_markers(blocks)
    _implied_answers(blocks)


def _name_list(text: str) -> bool:
    """ "Maria Kowalski (MK)", "Aiko Tanaka and Rafael Souza": only names."""
    bare = re.sub(r"\([^()]{0,40}\)", " ", text).strip().rstrip(".")
    parts = split_names(bare)
    return (
        bool(parts)
        and len(bare.split()) <= 12
        and all(looks_like_name(strip_honorific(p)) for p in parts)
    )


def _unlabel_meta_lines(blocks: list[Block]) -> None:
    """ "Interviewer: Maria Kowalski (MK)" in the header is a line about the file, not a turn."""
    counts: dict[str, int] = {}
    for b in blocks:
        if b.label:
            counts[name_key(b.label)] = counts.get(name_key(b.label), 0) + 1
    header_line = -1  # the line of the last header line taken out
    passed = False  # a field of another kind was passed over
    for b in blocks[:_INTRO_BLOCKS]:
        if b.label is None:
            if b.line == header_line + 1 and HEADER_FIELD.match(b.text):
                header_line = b.line  # "Date of recording: 19 October 1998" in the run
            continue
        key = name_key(b.label)
        once = counts[key] == 1 and b.text[:1].isupper() and len(b.text.split()) <= 25
        # 'Panel: "Who Gets to Live Downtown?"': a quoted title asks nothing
        asks = "?" in b.text and not b.text.startswith(('"', "“"))
        # "Guest: Jane Doe, beekeeper" on the line under "Host: John Roe": a header run
        described = b.line == header_line + 1 and _name_list(b.text.split(",", 1)[0])
        single = counts[key] == 1 and not asks
        if key not in META_LABELS and single and _other_field(blocks, b, header_line):
            header_line = b.line  # "Collection: …" or "I: Dr Jane Doe, …" above "Narrator:"
            passed = True
            continue
        # past such a field, only a run of header lines or a name is more of the header
        # ("MODERATOR: Thank you, Gustavo." under "Keynote: Gustavo Ibarra, …" is a turn)
        once = once and (not passed or b.line == header_line + 1)
        if key not in META_LABELS or asks or not (once or described or _name_list(b.text)):
            break  # the conversation has begun
        b.text = f"{b.label}: {b.text}"
        b.label = None
        b.header = True
        header_line = b.line


def _other_field(blocks: list[Block], b: Block, header_line: int) -> bool:
    """A header field no reader quotes, written once: a short line in a run of header
    lines ("Collection: Voices of the Mills" over "Narrator: …"), or one that lists a
    person and their post (a committee's "I: Dr Jane Doe, Chief Engineer, …")."""
    if len(b.text.split()) > _FIELD_WORDS:
        return False
    after = next((n.line for n in blocks if n.line > b.line), None)
    in_run = b.line == header_line + 1 or after == b.line + 1
    listed = "," in b.text and _name_list(b.text.split(",", 1)[0])
    return in_run or listed


def _letter_markers(blocks: list[Block]) -> None:
    """ "P:"/"R:" (pregunta, respuesta), "D:"/"R:", "F:"/"A:": one-letter labels that mark
    question and answer when a file uses the pair and no other label."""
    counts = Counter(b.label for b in blocks if b.label)
    markers = LETTER_PAIRS.get(frozenset(label for label in counts if len(label) == 1))
    if markers is None:
        return
    first = min(i for i, b in enumerate(blocks) if b.label in markers)
    # a header field written once above the turns ("Key: I = interviewer") is no label
    header = {
        b.label for b in blocks[:first] if b.label and counts[b.label] == 1 and len(b.label) > 1
    }
    if not set(counts) - header <= set(markers):
        return
    for b in blocks:
        if b.label in markers:
            b.label = markers[b.label]


def _implied_answers(blocks: list[Block]) -> None:
    """Only the questions are marked: bold paragraphs and no labels at all, italic or
    numbered ones that ask, or "Q:" and no other label. Each question's next plain paragraph opens its answer (magazine Q&As)."""
    labels = {b.label for b in blocks if b.label}
    asked_in_italics = [b.emphasis and b.text.rstrip("*_ ").endswith("?") for b in blocks]
    numbered = [bool(_NUMBERED_QUESTION.match(b.text)) for b in blocks]
    if labels == {"Q"}:
        questions = [b.label == "Q" for b in blocks]
    elif not labels and sum(b.strong for b in blocks) >= 2:
        questions = [b.strong and not b.note for b in blocks]
    elif not labels and _quoted_questions(blocks):
        # an email reply: each quoted question ("> 1. When did you…?") is answered below it
        questions = [b.quoted and b.text.rstrip().endswith("?") for b in blocks]
        for b, question in zip(blocks, questions, strict=True):
            if question:
                b.text = _NUMBERED_QUESTION.sub("", b.text, count=1)
    elif not labels and sum(b.quoted for b in blocks) >= 2 and not any(b.strong for b in blocks):
        # answers in blockquotes: the plain paragraph before each quote is its question
        questions = [
            not b.quoted and not b.note and i + 1 < len(blocks) and blocks[i + 1].quoted
            for i, b in enumerate(blocks)
        ]
    elif not labels and sum(asked_in_italics) >= 2:  # blogs: "*What got you started?*"
        questions = asked_in_italics
    elif not labels and sum(numbered) >= 2:  # "1. Who still brings you typewriters?"
        questions = numbered
        for b, question in zip(blocks, numbered, strict=True):
            if question:
                b.text = _NUMBERED_QUESTION.sub("", b.text, count=1)
    else:
        return
    asked = False
    for b, question in zip(blocks, questions, strict=True):
        if question:
            b.label, asked = "Q", True
        elif asked and not b.note and not b.emphasis and not b.section_start:
            b.label, asked = "A", False


def _quoted_questions(blocks: list[Block]) -> bool:
    """Two or more quoted paragraphs, most of them asking, each followed by a plain one."""
    quoted = [i for i, b in enumerate(blocks) if b.quoted and b.text.rstrip().endswith("?")]
    answered = [i for i in quoted if i + 1 < len(blocks) and not blocks[i + 1].quoted]
    return len(answered) >= 2 and len(quoted) * 2 > sum(b.quoted for b in blocks)


_DIALOGUE_MIN = 4  # dashed paragraphs: two questions and their answers


def _dash_dialogue(blocks: list[Block]) -> None:
    """An interview printed as dialogue (Russian, Spanish or French press): every turn
    opens with a dash and no name, the first one asks, and the dashes take turns from
    there. A label only above the dialogue (the headline 'Vera Lazareva: "…"') names
    who answers; it is the headline's, not a turn."""
    dashed = [i for i, b in enumerate(blocks) if b.dashed]
    if len(dashed) < _DIALOGUE_MIN or not blocks[dashed[0]].text.rstrip().endswith("?"):
        return
    first = dashed[0]
    if any(b.label for b in blocks[first:]):
        return
    header = [b for b in blocks[:first] if b.label]
    named = {b.label for b in header if b.label not in QA_MARKERS}
    if len(named) > 1:
        return
    answerer = next(iter(named), "A")
    for b in header:
        b.text = f"{b.label}: {b.text}"
        b.label = None
    for n, i in enumerate(dashed):
        blocks[i].label = "Q" if n % 2 == 0 else answerer
