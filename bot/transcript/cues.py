"""Subtitle files (SRT, WebVTT): cue timings and ids are debris, one speaker's cues one block."""

from __future__ import annotations

import re
from collections import Counter

from bot.models import Dropped
from bot.transcript.blocks import UNKNOWN_SPEAKER, Block, Layout, record
from bot.transcript.clean import clean_inline, is_music, strip_lead_stamp
from bot.transcript.names import clean_name, shaped_label, split_label
from bot.transcript.shapes import whole_aside

__all__ = ["looks_like_srt", "read_cues"]

_CUE_TIMING = re.compile(
    r"^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}"
    # YouTube's .sbv captions: "0:00:04.900,0:00:08.300" (no cue numbers, no arrow)
    r"|^\s*\d{1,2}:\d{2}:\d{2}\.\d{3},\d{1,2}:\d{2}:\d{2}\.\d{3}\s*$"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]{1,40})?\s+([^>\n]{1,80})>")


def looks_like_srt(lines: list[str], first: int) -> bool:
    window = [line for line in lines[first : first + 12] if line.strip()][:3]
    return len(window) >= 2 and any(_CUE_TIMING.match(line) for line in window[:2])


def read_cues(lines: list[str], first: int, kind: str) -> Layout:
    """Subtitle cues: timing lines and cue ids are debris; one speaker's cues make one block."""
    layout = Layout(kind)
    current: Block | None = None
    voices: list[str] = []  # speakers in the order they took turns
    i = first
    n = len(lines)
    if kind == "webvtt":
        while i < n and lines[i].strip():  # the WEBVTT header block
            layout.dropped.append(Dropped(i + 1, "cue header", lines[i].strip()))
            i += 1
    askers = _cue_publications(lines, i)
    while i < n:
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        # One cue (or NOTE/STYLE/REGION block) runs to the next blank line.
        j = i
        while j < n and lines[j].strip():
            j += 1
        cue = [(k + 1, lines[k].strip()) for k in range(i, j)]
        i = j
        if kind == "webvtt" and cue[0][1].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            layout.dropped.extend(Dropped(k, "cue header", t) for k, t in cue)
            continue
        timing = next((pos for pos, (_, t) in enumerate(cue) if _CUE_TIMING.match(t)), None)
        if timing is None:
            body = cue
        else:
            layout.dropped.extend(Dropped(k, "cue timing", t) for k, t in cue[: timing + 1])
            body = cue[timing + 1 :]
        stamp = re.split(r"-->|,(?=\d)", cue[timing][1])[0].strip() if timing is not None else None
        dashed = [line.startswith("-") and not line.startswith("-->") for _, line in body]
        # "- Even for a second?" / "- Even for a second.": two speakers in one cue, the
        # dashed line a change of speaker (to the voice before the one speaking)
        turn_taking = sum(dashed) >= 2 or (any(dashed) and not dashed[0])
        for (number, line), dash in zip(body, dashed, strict=True):
            other = None
            if turn_taking and dash and current is not None:
                other = next((v for v in reversed(voices) if v != current.label), None)
            current = _cue_line(layout, current, number, line, stamp, other, askers)
            stamp = None
            if (
                current is not None
                and current.label
                and (not voices or voices[-1] != current.label)
            ):
                voices.append(current.label)
    if current is not None:
        layout.blocks.append(current)
    return layout


def _cue_publications(lines: list[str], first: int) -> frozenset[str]:
    """ "The Press:" opening two or more cue lines: captions of a briefing name the
    reporters' side so (in mixed case, a label only where it recurs)."""
    counts = Counter(
        label.name
        for line in lines[first:]
        if (label := shaped_label(line.strip(), "publication")) is not None
    )
    return frozenset(name for name, n in counts.items() if n >= 2)


def _cue_line(
    layout: Layout,
    current: Block | None,
    number: int,
    line: str,
    stamp: str | None,
    turn_to: str | None = None,
    askers: frozenset[str] = frozenset(),
) -> Block | None:
    """One line of a cue: a new block when its speaker (a <v> tag, a "Name:" label, a bare
    ">>", or `turn_to` for a dashed line) differs from the current block's."""
    voice = _VOICE.search(line)
    speaker = _voice_name(voice.group(1)) if voice else turn_to
    cleaned = clean_inline(line, markdown=False)
    record(layout, number, cleaned.removed)
    text = cleaned.text.lstrip("-– ")
    bracketed = _SDH_SPEAKER.match(text)
    if bracketed:  # "[DOLORES] My father…": subtitles for the deaf name who speaks
        speaker, text = clean_name(bracketed.group(1)), text[bracketed.end() :]
    if text.startswith(">>"):  # a caption's speaker change: whoever it is, not the last one
        text = text[2:].strip()
        speaker = speaker or UNKNOWN_SPEAKER
    if not text or is_music(text) or whole_aside(text):  # "(furnace roaring)": a sound
        if text:
            layout.dropped.append(Dropped(number, "stage note", line))
        return current
    label = split_label(text)
    if label is None and askers:
        label = shaped_label(text, "publication")  # "The Press: Thanks, Dana."
        label = label if label is not None and label.name in askers else None
    if label is not None and label.rest:
        speaker, text = clean_name(label.name), label.rest
        text = strip_lead_stamp(text)[0]
    if current is not None and (speaker is None or speaker == current.label):
        current.text = f"{current.text} {text}"
        return current
    if current is not None:
        layout.blocks.append(current)
    return Block(number, line, text, label=speaker, stamp=stamp)


# Subtitles for the deaf and hard of hearing name an off-screen speaker in capitals in
# brackets before the words; sounds are in lower case ("[wind howling]") and stand alone.
_SDH_SPEAKER = re.compile(r"^\[([A-ZÀ-Þ][A-ZÀ-Þ'’. -]{1,40})\]\s*(?=\S)")
# Microsoft Teams: "<v Mensah, Kwame (Ext)>": surname first, a tag for outside guests.
_VOICE_TAG = re.compile(r"\s*\([^()]{1,30}\)$")
_SURNAME_FIRST = re.compile(r"^([^\W\d_][\w'’-]*(?:\s[^\W\d_][\w'’-]*)?),\s*([^\W\d_][\w'’.-]*)$")


def _voice_name(voice: str) -> str:
    """A <v> tag's name as people write it: "Mensah, Kwame (Ext)" -> "Kwame Mensah"."""
    name = _VOICE_TAG.sub("", voice.strip()) or voice
    surname_first = _SURNAME_FIRST.match(name.strip())
    if surname_first:
        name = f"{surname_first.group(2)} {surname_first.group(1)}"
    return clean_name(name)


# --------------------------------------------------------------------------- plain and markdown
