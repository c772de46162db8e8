"""Turns labelled "Name (00:00:03) words" on one line, with no colon after the name or the
time (some podcast and meeting-tool exports): read as "Name (00:00:03): words"."""

from __future__ import annotations

import re

from bot.transcript.names import name_key, split_label

__all__ = ["with_timed_colons"]

_TS = r"\d{1,2}:\d{2}(?::\d{2})?"
# a name of one to five words, then its time in brackets, parentheses or bare, then words
_TIMED = re.compile(
    r"^(?P<name>[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,4}?)\s+"
    r"(?P<stamp>\(\s?" + _TS + r"\s?\)|\[\s?" + _TS + r"\s?\]|" + _TS + r")"
    r"\s+(?P<rest>[^\s:].*)$"
)
_CLOCKISH = re.compile(r"\d:\d\d")
_MIN_LINES = 2  # each of two or more names opens this many lines: a conversation, not prose


def _timed(line: str) -> tuple[str, str] | None:
    """(the name's key, the line with a colon after the time) for a timed label."""
    match = _TIMED.match(line.strip())
    if match is None:
        return None
    stamp = match.group("stamp").strip("[]() ")
    rewritten = f"{match.group('name')} ({stamp}): {match.group('rest')}"
    label = split_label(rewritten)  # the name must be shaped like a speaker's
    if label is None or name_key(label.name) != name_key(match.group("name")):
        return None
    return name_key(label.name), rewritten


def with_timed_colons(lines: list[str], start: int) -> list[str]:
    """`lines` with every timed label given its colon, when two or more names each open
    two or more lines that way; `lines` itself otherwise (a time after a capitalised word
    once is speech: "Meet me at 10:30 tomorrow")."""
    found: dict[int, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    for i in range(start, len(lines)):
        line = lines[i]
        if ":" not in line[:90] or not _CLOCKISH.search(line, 0, 90):
            continue  # cheap checks first: every timed label holds a time
        if split_label(line.strip()) is not None:
            continue
        timed = _timed(line)
        if timed is not None:
            found[i] = timed
            counts[timed[0]] = counts.get(timed[0], 0) + 1
    speakers = {key for key, n in counts.items() if n >= _MIN_LINES}
    if len(speakers) < 2:
        return lines
    out = list(lines)
    for i, (key, rewritten) in found.items():
        if key in speakers:
            out[i] = rewritten
    return out
