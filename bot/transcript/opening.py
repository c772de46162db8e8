"""A talk, a speech or a briefing's opening statement printed before the questions, with
no label: the words of the one person who then answers them ("Good afternoon. I'll start
with an update…", then "Question: …" / "Spokesperson: …")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.models import SpeakerRole
from bot.transcript.clean import title_line
from bot.transcript.passages import Turned
from bot.transcript.roles import find_cues

__all__ = ["opening_statement"]

# how a speaker opens: a greeting to the room, or thanks to it
_GREETING = re.compile(
    r"^(?:good\s+(?:morning|afternoon|evening)|thank\s+you|thanks|hello|hi\s+everyone)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'(?:m|ll|ve|d)|I’(?:m|ll|ve|d)|my|me)\b")
# a lede about the person ("She has mapped…", "I met her in…"), not their own words
_THIRD_PERSON = re.compile(r"\b(?:she|he|her|him|his|hers)\b", re.I)
_WELCOME = re.compile(r"(?i)\bwelcome\b|\byou'?re listening to\b|\bjoin(?:ed|ing)\s+(?:us|me)\b")
_LINK = re.compile(r"(?i)https?://|\bwww\.")  # a post's proof link: written, not said
_MIN_WORDS = 8  # a paragraph of speech, not a title or a dateline


def _speech(text: str) -> bool:
    """A paragraph its speaker says to the room: a greeting or thanks, or "I"/"my" in
    it, and nobody else spoken of in the third person."""
    return (
        len(text.split()) >= _MIN_WORDS
        and bool(_GREETING.match(text) or _FIRST_PERSON.search(text))
        and not _THIRD_PERSON.search(text)
        and not _LINK.search(text)
    )


def _names_someone(text: str, handles: set[str]) -> bool:
    """A host's or a reporter's words: they welcome, introduce or name the one who answers."""
    words = {w.strip(".,;:!?'’\"“”()").casefold() for w in text.split()}
    return bool(handles & words) or bool(_WELCOME.search(text)) or bool(find_cues(text))


def opening_statement(
    turned: list[Turned], roles: Mapping[str, tuple[SpeakerRole, str]]
) -> list[Turned]:
    """`turned` with the unlabelled statement before the first turn made the answerer's
    opening turn, when one person answers everything, the first turn asks, and the
    statement is speech (see `_speech`) that names no one it welcomes or introduces."""
    answering = [name for name, (role, _) in roles.items() if role == "interviewee"]
    first = next((i for i, b in enumerate(turned) if b.turn), None)
    if len(answering) != 1 or first is None or turned[first].role == "interviewee":
        return turned
    answerer = answering[0]
    start = next((i for i, b in enumerate(turned[:first]) if not b.note and _speech(b.text)), None)
    if start is None:
        return turned
    handles = {w.casefold() for w in answerer.split() if len(w) >= 3}
    said = [b for b in turned[start:first] if not b.note]
    if any(_names_someone(b.text, handles) for b in said):
        return turned
    opener = turned[start]
    opener.turn, opener.speaker, opener.role = True, answerer, "interviewee"
    for b in said[1:]:
        if title_line(b.text):  # "Questions and Answers" under the statement: no words of it
            b.section_start = True
            break
    return turned
