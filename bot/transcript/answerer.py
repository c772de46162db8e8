"""Who answers when no label names them: a study's participant code in the header, the
writer of an email reply, the one an "ask me anything" thread's title introduces, and the
sentences after the last turn (an "as told to" piece's footer)."""

from __future__ import annotations

import re

from bot.transcript.layout import Layout
from bot.transcript.names import clean_name, looks_like_name, strip_honorific
from bot.transcript.roles import Cue, find_names_after

__all__ = ["email_writer", "footer_lines", "participant_code", "thread_starter"]

_INTRO_BLOCKS = 40


# "I'm Dr. Naledi Khumalo, I rescue pangolins. AMA!": who a thread's title introduces
_SELF_TITLE = re.compile(r"^\W*(?:hi[^.!?]{0,40}[.!,]\s*)?I(?:'m|’m|\s+am)\s+(?P<rest>.+)", re.I)


def thread_starter(layout: Layout, cues: list[Cue]) -> dict[str, str]:
    """The thread starter's label ("OP") as the person the title introduces: an "ask me
    anything" thread is answered by whoever started it (also a cue that they answer)."""
    starters = {b.label for b in layout.blocks if b.label and b.label_note == "OP"}
    if not starters:
        return {}
    for title in [*layout.headings[:2], *layout.front.get("title", []), *layout.intro[:2]]:
        match = _SELF_TITLE.match(title)
        names = find_names_after(match.group("rest")) if match else []
        if names and len(names[0].split()) >= 2:
            cues.append(Cue("interviewee", names[0]))
            return dict.fromkeys(starters, names[0])
    return {}


# "Participant: R14 (warehouse picker)": a study's pseudonymous code for who answers
_PARTICIPANT = re.compile(
    r"(?i)^(?:participant|respondent|interviewee|narrator)(?:\s+(?:id|code|number|no\.?))?"
    r"\s*:\s*(?-i:([A-Z]{1,3}[-_]?\d{1,4}))\b"
)


def participant_code(intro: list[str]) -> str | None:
    codes = {m.group(1) for line in intro[:_INTRO_BLOCKS] if (m := _PARTICIPANT.match(line))}
    return next(iter(codes)) if len(codes) == 1 else None


_EMAIL_FROM = re.compile(r"^From:\s+(?P<name>[^<>@\n]{3,60}?)\s*(?:<[^<>\s]*>)?$")


def email_writer(intro: list[str]) -> str | None:
    """Who wrote an email reply under its header ("From: Ines Varga <…>" beside "To:" or
    "Subject:"): in a reply that quotes the questions, the one who answers them."""
    header = [line for line in intro[:_INTRO_BLOCKS] if line.startswith(("To:", "Subject:"))]
    for line in intro[:_INTRO_BLOCKS]:
        match = _EMAIL_FROM.match(line)
        if match and header:
            name = strip_honorific(clean_name(match.group("name").strip(" \"'")))
            if len(name.split()) >= 2 and looks_like_name(name):
                return name
    return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_FOOTER_LINES = 4


def footer_lines(layout: Layout) -> list[str]:
    """The sentences after the last turn and in the credit lines, where a short "as told
    to" piece names who answers ("… Walter Penhallow, 81, has lit Ashby's lamps since
    1967.")."""
    tail: list[str] = []
    for b in reversed(layout.blocks):
        if b.label is not None:
            break
        tail.insert(0, b.text)
    tail += [d.text for d in layout.dropped if d.kind == "credit"]
    sentences = [s for text in tail[-_FOOTER_LINES:] for s in _SENTENCE.split(text)]
    return sentences[: _FOOTER_LINES * 2]
