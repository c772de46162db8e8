"""A question nobody could hear: "Q: (Off-mike.)", "QUESTION: (Inaudible.)", or
"(Inaudible question from the audience.)" alone between two answers. It is a turn with
no words: it ends the answer before it, and the answer after it shows no question (never
the stage note, never the question before it, which was answered already)."""

from __future__ import annotations

import re

__all__ = ["unheard_note", "unheard_question"]

# what a transcriber writes for words not caught: "(Off-mike.)", "[inaudible]",
# "(Question off microphone)", "(Unintelligible.)", "(No microphone.)"
_UNHEARD = re.compile(
    r"(?i)\b(?:inaudible|unintelligible|indistinct|not\s+audible|off[- ]?mi(?:ke|c|crophone)s?"
    r"|no\s+mi(?:ke|c|crophone)|without\s+(?:a\s+)?mi(?:ke|c|crophone))\b"
)
# alone on its line, the note must say it was a question (an inaudible word mid-answer is
# no turn): "(Inaudible question.)", "[Question off-microphone]", "(Audience member, off mic.)"
_ASKED = re.compile(r"(?i)\b(?:question|questions|asks?|asked|audience|reporter|journalist)\b")
_MAX = 120


def _aside(text: str) -> str | None:
    """The words of `text` when it is one bracketed aside and nothing else."""
    text = text.strip()
    if not 2 < len(text) <= _MAX or text[0] not in "([" or text[-1] not in ")]":
        return None
    inner = text[1:-1]
    return None if any(ch in inner for ch in "()[]") else inner


def unheard_note(text: str) -> bool:
    """ "(Off-mike.)", "(Inaudible.)": the whole of a turn said where no one could hear it."""
    inner = _aside(text)
    return inner is not None and bool(_UNHEARD.search(inner))


def unheard_question(text: str) -> bool:
    """ "(Inaudible question from the audience.)" alone on its line: someone asked, unheard."""
    inner = _aside(text)
    return inner is not None and bool(_UNHEARD.search(inner)) and bool(_ASKED.search(inner))
