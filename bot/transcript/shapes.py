"""Shapes pasted text takes around the words said: bracketed asides (one line or wrapped
over a few), a capitals heading's wrapped tail, an email's quoted lines, a forum comment's
header, and turns printed in one paragraph after dashes. Each check is bounded, so a line
costs time linear in its length.
"""

from __future__ import annotations

import re

from bot.transcript.names import Label, split_label

__all__ = [
    "FORUM_HEADER",
    "capitals_only",
    "email_quoted",
    "inline_turns",
    "questions_as_markers",
    "whole_aside",
    "wrapped_aside",
]


def whole_aside(line: str) -> bool:
    """A line that is all one bracketed aside: "(END OF SIDE A)", "[Whereupon ...]"."""
    if len(line) > 300 or line[0] not in "([" or line[-1] not in ")]":
        return False
    closer = ")" if line[0] == "(" else "]"
    return line.find(closer) == len(line) - 1 and line[-1] == closer


# A forum comment's header as copied from a thread (Reddit's "u/name OP · 5h"): who
# wrote the comment below it, "OP" when it is the one who started the thread.
FORUM_HEADER = re.compile(
    r"^(?P<user>u/[\w-]{2,30})(?:\s+(?P<op>OP))?(?:\s+[·•|-]\s+\d{1,3}\s*"
    r"(?:[smhdwy]|mo|min|hr|mins|hrs|days?|weeks?|months?|years?)(?:\s+ago)?)?$"
)
_EMAIL_QUOTE = re.compile(r"^>\s*\S")
_EMAIL_QUOTES_MIN = 2


def email_quoted(lines: list[str], start: int) -> bool:
    """Paragraphs quoted "> " as an email reply quotes what it answers (two or more)."""
    opened = 0
    previous = ""
    for raw in lines[start : start + _SCAN_QUOTES]:
        line = raw.strip()
        if _EMAIL_QUOTE.match(line) and not line.startswith(">>") and not previous:
            opened += 1
            if opened >= _EMAIL_QUOTES_MIN:
                return True
        previous = line
    return False


_SCAN_QUOTES = 2000
_ASIDE_LINES = 4  # a bracketed aside wraps over at most this many lines


def wrapped_aside(lines: list[str], index: int) -> int:
    """The 1-based number of the last line of a bracketed aside that opens line `index`
    and closes, at a line's end, within the next few lines of the same paragraph
    ("[The prepared statement of Dr. Lindqvist can be found on page" / "42 of the
    appendix.]"); 0 when the line opens none."""
    first = lines[index].strip()
    if not first or first[0] not in "([" or (")" if first[0] == "(" else "]") in first:
        return 0
    parts = [first]
    for j in range(index + 1, min(len(lines), index + _ASIDE_LINES)):
        line = lines[j].strip()
        if not line:
            return 0
        parts.append(line)
        if line[-1] in ")]":
            return j + 1 if whole_aside(" ".join(parts)) else 0
    return 0


def capitals_only(text: str) -> bool:
    """ "FUND" under "STATEMENT OF …, GULF COAST RESILIENCE": letters, none lower-case."""
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


# "— Whitlock: How long? — Marchetti: Three months.": turns printed in one paragraph, each
# after a dash that follows the end of a sentence.
_INLINE_TURN = re.compile(r"(?<=[.?!…\"”’])\s+[—–―]\s+(?=[^\s:—–―][^:—–―\n]{0,60}:\s)")


def inline_turns(text: str) -> tuple[str, list[Label]]:
    """A labelled paragraph's own words and the further dashed turns it holds (each must
    open with a speaker's label); (text, []) when it holds none."""
    if " >>" in text:
        return _chevron_turns(text)
    if not any(dash in text for dash in "—–―"):
        return text, []
    pieces = _INLINE_TURN.split(text)
    labels = [split_label(piece) for piece in pieces[1:]]
    found = [label for label in labels if label is not None and label.rest]
    if len(pieces) < 2 or len(found) != len(labels):
        return text, []
    return pieces[0], found


_INLINE_CHEVRON = re.compile(r"\s+>>\s*(?=\S)")
_CHEVRON_VOICE = "Unidentified speaker"  # as `bot.transcript.layout` names a bare ">>"


def _chevron_turns(text: str) -> tuple[str, list[Label]]:
    """ ">> Alice Trevino: Welcome. >> Rowan Esterly: Thanks.": captions run together in
    one paragraph (a webcast's caption file); every ">>" is a change of speaker, named
    when a label follows it. Split only when two or more of them name someone, or every
    one does."""
    pieces = _INLINE_CHEVRON.split(text)
    labels = [split_label(piece) for piece in pieces[1:]]
    named = sum(label is not None and bool(label.rest) for label in labels)
    if named < 2 and not (named and named == len(labels)):
        return text, []  # one ">> Name:" mid-paragraph splits it: a caption's line wrapped
    turns = [
        label if label is not None and label.rest else Label(_CHEVRON_VOICE, None, piece)
        for label, piece in zip(labels, pieces[1:], strict=True)
    ]
    return pieces[0], turns


_PLAIN_QUESTION_MAX = 300  # characters: a longer line ending "?" is an answer's own
_PLAIN_QUESTIONS_MIN = 3


def questions_as_markers(text: str) -> str | None:
    """A Q&A copied from a web page loses its bold: each question is a plain line ending
    "?" with its answer on the lines below (or in the next paragraph). With three or more
    such pairs and no labels, "Q: "/"A: " are written in; None when the text is no such."""
    paragraphs = text.split("\n\n")
    out: list[str] = []
    pairs = 0
    asked = False
    for paragraph in paragraphs:
        lines = paragraph.strip("\n").split("\n")
        first = lines[0].strip()
        question = first.endswith("?") and len(first) <= _PLAIN_QUESTION_MAX
        if question and len(lines) > 1 and lines[1].strip():
            answer = "\n".join(lines[1:])
            out.append(f"Q: {first}\n\nA: {answer.strip()}")
            pairs += 1
            asked = False
        elif question and len(lines) == 1:
            out.append(f"Q: {first}")
            asked = True
        elif asked and first and not first.endswith("?"):
            out.append(f"A: {paragraph.strip()}")
            pairs += 1
            asked = False
        else:
            out.append(paragraph)
            asked = False
    return "\n\n".join(out) if pairs >= _PLAIN_QUESTIONS_MIN else None
