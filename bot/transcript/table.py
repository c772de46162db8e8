"""Transcripts exported as a table: one row per turn, its time, speaker and words in columns.

Transcription tools and spreadsheets export "00:00:14<TAB>Henrik Dahl<TAB>Because it's
long…" (tab-separated, often under a "Timecode / Speaker / Text" header row) or CSV with a
"Speaker,Start,Text" header, or a markdown table with those columns. `from_table` turns such a file into "Name: 00:00:14 words"
lines, which the layout stage reads as any labelled transcript (the time is debris
there); any other text is left alone.
"""

from __future__ import annotations

import csv
import re

from bot.transcript.names import QA_MARKERS, is_unnamed, looks_like_name

__all__ = ["from_cards", "from_table"]

_SCAN = 200  # lines looked at to tell a table
_TIME = re.compile(r"^[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?$")
_SPEAKER_HEADS = frozenset({"speaker", "name", "speaker name", "who"})
_TEXT_HEADS = frozenset({"text", "transcript", "content", "utterance", "words", "dialogue"})
_MIN_ROWS = 3


def from_table(text: str) -> str | None:
    """Labelled lines for a tab-separated or headed CSV transcript, each row on its own
    line as numbered in the file (a header row becomes a blank line), else None."""
    all_lines = text.split("\n")
    numbers = [i for i, line in enumerate(all_lines) if line.strip()]
    lines = [all_lines[i] for i in numbers]
    if len(lines) < _MIN_ROWS:
        return None
    sample = lines[:_SCAN]
    tabbed = sum(line.strip().count("\t") >= 2 for line in sample)  # not an indent
    piped = sum(bool(_PIPE_ROW.match(line.strip())) for line in sample)
    if tabbed >= _MIN_ROWS and tabbed * 10 >= len(sample) * 9:
        rows = [[cell.strip() for cell in line.split("\t")] for line in lines]
    elif piped >= _MIN_ROWS and piped * 10 >= len(sample) * 9:
        # a markdown table: "| 00:01 | Maya Torres | Welcome. |", its "|---|" rule a blank
        rows = [
            [] if _PIPE_RULE.match(line.strip()) else _pipe_cells(line.strip()) for line in lines
        ]
        keep = [i for i, row in enumerate(rows) if row]
        numbers = [numbers[i] for i in keep]
        rows = [rows[i] for i in keep]
    else:
        head = next(csv.reader([lines[0]]))
        heads = {cell.strip().casefold() for cell in head}
        if not (heads & _SPEAKER_HEADS and heads & _TEXT_HEADS):
            return None
        rows = [[cell.strip() for cell in next(csv.reader([line]), [])] for line in lines]
    columns = _columns(rows)
    if columns is None:
        return None
    header, time, speaker, words = columns
    out = ["" for _ in all_lines]
    for number, row in zip(numbers, rows, strict=True):
        if header and number == numbers[0]:
            continue
        if len(row) <= max(speaker, words):
            out[number] = " ".join(cell for cell in row if cell)  # a stray line: its text
            continue
        stamp = row[time] if time is not None and time < len(row) else ""
        stamp = stamp if _TIME.match(stamp) else ""
        said = " ".join(part for part in (stamp, row[words]) if part)
        out[number] = f"{row[speaker]}: {said}" if row[speaker] else said
    return "\n".join(out)


_PIPE_ROW = re.compile(r"^\|.*\|.*\|$")
_PIPE_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")


def _pipe_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line[1:-1].split("|")]


def _columns(rows: list[list[str]]) -> tuple[bool, int | None, int, int] | None:
    """(a header row first, the time column, the speaker column, the words column)."""
    first = [cell.casefold() for cell in rows[0]]
    speaker = next((i for i, cell in enumerate(first) if cell in _SPEAKER_HEADS), None)
    words = next((i for i, cell in enumerate(first) if cell in _TEXT_HEADS), None)
    body = rows[1:] if speaker is not None and words is not None else rows
    width = min(len(row) for row in body[:_SCAN])
    if width < 2:
        return None
    sample = body[:_SCAN]

    def share(column: int, test: object) -> float:
        return sum(bool(test(row[column])) for row in sample) / len(sample)  # type: ignore[operator]

    time = next((c for c in range(width) if share(c, _TIME.match) >= 0.8), None)
    if speaker is None or words is None:
        named = [
            c
            for c in range(width)
            if c != time and share(c, lambda cell: looks_like_name(cell) or is_unnamed(cell)) >= 0.8
        ]
        if not named:
            return None
        speaker = named[0]
        if all(row[speaker].rstrip(".") in QA_MARKERS for row in sample):
            return None  # "12<TAB>Q.<TAB>Where were you?": a deposition's own layout
        rest = [c for c in range(width) if c not in (time, speaker)]
        if not rest:
            return None
        words = max(rest, key=lambda c: sum(len(row[c]) for row in sample))
    return body is not rows, time, speaker, words


# Factba.se's cards: the speaker, a sentiment, "00:00:25-00:00:41 (16 sec)", then the
# words in quotes with the card's number after them
_CARD_TIME = re.compile(r"^\d{1,2}:\d{2}:\d{2}\s*-\s*\d{1,2}:\d{2}:\d{2}\s*\(\s*\d*\s*sec\)$")
_CARD_WORDS = re.compile(r"^[\"“](?P<words>.*)[\"”]\s*\d{0,6}$")
_CARD_NOTE = frozenset({"note"})  # a card for the transcriber's note ("[Crosstalk]")


def from_cards(text: str) -> str | None:
    """Labelled lines for a transcript printed as cards (a name line, a sentiment line, a
    time range, the words in quotes and a counter), each card's words on its quote's
    line; the card lines blank, and the page's lines after the last card blank too.
    None when the text has fewer than three such cards."""
    lines = text.split("\n")
    times = [i for i, line in enumerate(lines[:100_000]) if _CARD_TIME.match(line.strip())]
    if len(times) < _MIN_ROWS:
        return None
    out = list(lines)
    last = 0
    for t in times:
        above = [i for i in range(max(0, t - 4), t) if lines[i].strip()]
        words_at = next((i for i in range(t + 1, min(len(lines), t + 4)) if lines[i].strip()), None)
        if len(above) < 2 or words_at is None:
            continue
        words = _CARD_WORDS.match(lines[words_at].strip())
        if words is None:
            continue
        name = lines[above[-2]].strip()
        for i in (above[-2], above[-1], t):
            out[i] = ""
        keep = name.casefold() not in _CARD_NOTE and words.group("words").strip()
        out[words_at] = f"{name}: {words.group('words').strip()}" if keep else ""
        last = words_at
    for i in range(last + 1, len(out)):
        out[i] = ""
    return "\n".join(out)
