"""Interviews held or copied from chat apps and threads: one message per speaker turn.

Chat logs carry their speaker in a shape no transcript uses: a date and time before the
name on every line (a WhatsApp export, "3/14/25, 10:02 AM - Dana Whitfield: Hi"), a
WhisperX segment's time range ("[00:00:01.0 --> 00:00:06.4] SPEAKER_00: So"), an IRC
log's "<nick>", or a header line above the words (Discord's "name — Today at 9:02 PM",
Slack's "Name  10:42 AM", a Hacker News comment's "user 6 hours ago | parent | next [–]",
an X post's name line over its "@handle"). `from_chat` rewrites such a file as "Name:
words" lines at the lines the words were on, so the later stages read it as any labelled
transcript; the app's furniture (system messages, joins and quits, reactions and their
counts, "(edited)", times alone, view counts, "Replying to @x", a site's footer links)
becomes blank lines. Any other text is left alone (None).
"""

from __future__ import annotations

import re

__all__ = ["from_chat"]

_MIN_MESSAGES = 3
_SCAN = 400  # lines looked at to tell a chat log

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
# what opens every message of a line-per-message log: a date and a time (WhatsApp, in
# brackets or before " - "), a segment's time range (WhisperX), or a time before "<nick>"
_STAMP = re.compile(
    rf"^(?:\[(?:{_DATE},?\s+{_CLOCK}|{_CLOCK}\s*-->\s*{_CLOCK})\]\s*"
    rf"|{_DATE},?\s+{_CLOCK}\s+[-–]\s+"
    rf"|\[?{_CLOCK}\]?\s+(?=<[^<>\s]{{1,30}}>|\*\s|-!-))"
)
_NICK = re.compile(r"^<[@+%~&]?(?P<name>[^<>\s]{1,30})>\s*(?P<words>.*)$")
_SAID = re.compile(r"^(?P<name>[^:\n]{1,40}?):\s+(?P<words>\S.*)$")
_LOG_LINE = re.compile(r"^(?:-{2,3}\s+(?:Log|Day)\b|-!-|\*{1,3}\s)")
# a message that only stands for something not written: media, a deletion
_PLACEHOLDER = re.compile(
    r"(?i)^\W*(?:<?media omitted>?|<attached:[^>]*>|(?:image|video|audio|sticker|gif|"
    r"document) omitted|this message was deleted|you deleted this message|null)\W*$"
)

# a header line over a message's words
_DISCORD = re.compile(
    rf"^(?P<name>\S[^\n]{{0,40}}?)\s+[—–]\s+(?:(?:Today|Yesterday)\s+at\s+|{_DATE},?\s+)"
    rf"{_CLOCK}$"
)
_SLACK = re.compile(r"^(?P<name>[^\W\d][\w.'’ -]{1,40}?)\s{2,}\d{1,2}:\d{2}\s?[AaPp][Mm]$")
_HN = re.compile(
    r"^\s*(?P<name>[\w-]{2,30})\s+\d{1,3}\s+(?:minute|hour|day|month|year)s?\s+ago\s*\|"
    r"[^\n]*\[[–-]\]\s*$"
)
_HN_POINTS = re.compile(r"^\d+\s+points?\s+by\s+(?P<name>[\w-]{2,30})\s+\d{1,3}\s+\w+\s+ago\b")
_HN_TITLE = re.compile(r"^(?:Ask|Show|Tell)\s+HN:\s+")
_HANDLE = re.compile(r"^@\w{1,15}$")

# furniture under a header
_TIME_ALONE = re.compile(rf"^\[?{_CLOCK}\]?$")
_REACTION = re.compile(r"^(?::[\w+-]{1,30}:|[^\w\s]{1,4})$")  # ":joy:", "👍"
_COUNT = re.compile(r"^[\d.,]+[KkMm]?$")
_EDITED = re.compile(r"\s*\(edited\)$")
_POST_DATE = re.compile(
    rf"^(?:·|(?:{_CLOCK}\s+·\s+)?[A-Z][a-z]{{2}}\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}[smhd])$"
)
_VIEWS = re.compile(r"^[\d.,]+[KkMm]?\s+Views$")
_REPLYING = re.compile(r"^Replying to\s+@\w")
_LINK_ROW = re.compile(r"^[^|\n]{1,25}(?:\s+\|\s+[^|\n]{1,25}){3,}$")  # "Guidelines | FAQ | …"


_MARKS = "\u200e\u200f"  # direction marks: iOS exports open notices with one
# a chat app's notice where a message would be: "joined #interviews."
_NOTICE = re.compile(
    r"(?i)^(?:has\s+)?(?:joined|left)\s+(?:#[\w-]+|the\s+(?:channel|server|call))\.?$"
    r"|^was added to #[\w-]+"
)


def from_chat(text: str) -> str | None:
    """Labelled lines for a chat log or a copied thread, else None."""
    lines = text.split("\n")
    sample = [line.strip().lstrip(_MARKS) for line in lines[:_SCAN] if line.strip()]
    stamped = sum(bool(_STAMP.match(line)) for line in sample)
    if stamped >= _MIN_MESSAGES and stamped * 2 >= len(sample):
        return _stamped(lines)
    return _headed(lines)


def _stamped(lines: list[str]) -> str:
    """One message a line after its stamp; a line without one goes on the message above."""
    out = ["" for _ in lines]
    at: int | None = None  # the line of the message being continued
    for number, line in enumerate(lines):
        stripped = line.strip().lstrip(_MARKS)
        stamp = _STAMP.match(stripped)
        if stamp is None:
            if at is not None and stripped:
                out[at] = f"{out[at]} {stripped}"
            continue
        rest = stripped[stamp.end() :].strip()
        said = _NICK.match(rest) or (None if _LOG_LINE.match(rest) else _SAID.match(rest))
        if said is None and "-->" in stamp.group() and rest:
            # a segment the diarizer gave no speaker: the voice before it goes on
            if at is not None:
                out[at] = f"{out[at]} {rest}"
            else:
                out[number] = rest
            continue
        at = None
        if said is None or _PLACEHOLDER.match(said.group("words")):
            continue  # a system message, a join or quit, an action, a media placeholder
        if said.group("words")[:1] in _MARKS:
            continue  # WhatsApp on iOS marks its notices and attachments so
        out[number] = f"{said.group('name').strip()}: {said.group('words').strip()}"
        at = number
    return "\n".join(out)


def _header(lines: list[str], number: int) -> str | None:
    line = lines[number]
    for shape in (_DISCORD, _SLACK, _HN):
        match = shape.match(line.rstrip())
        if match:
            return match.group("name").strip()
    nxt = lines[number + 1].strip() if number + 1 < len(lines) else ""
    name = line.strip()
    if _HANDLE.match(nxt) and name and not name.startswith("@") and len(name) <= 50:
        return name  # an X post: the display name over the @handle
    return None


def _headed(lines: list[str]) -> str | None:
    """Messages under header lines; None when fewer than three headers are found."""
    heads = {i: name for i in range(len(lines)) if (name := _header(lines, i)) is not None}
    if len(heads) < _MIN_MESSAGES:
        return None
    out = ["" for _ in lines]
    first = min(heads)
    starter = None
    for number in range(first):
        points = _HN_POINTS.match(lines[number].strip())
        if points:
            starter = points.group("name")
            break
    who = None
    for number, line in enumerate(lines):
        stripped = _EDITED.sub("", line.strip())
        if starter is not None:
            # a thread (Hacker News): each comment's header becomes the forum header the
            # layout reads ("u/name OP"), the words stay as written below it
            if number in heads:
                out[number] = f"u/{heads[number]}" + (" OP" if heads[number] == starter else "")
            elif _HN_POINTS.match(stripped):
                out[number] = f"u/{starter} OP"  # the starter's own post below
            elif number < first:
                out[number] = _HN_TITLE.sub("", stripped)  # the title: who started it
            elif not _furniture(lines, number, stripped):
                out[number] = stripped
            continue
        if number in heads:
            who = heads[number]
            continue
        if who is None:
            out[number] = line  # the page above the first message
            continue
        if not stripped or _furniture(lines, number, stripped):
            continue
        out[number] = f"{who}: {stripped}"
    return "\n".join(out)


def _furniture(lines: list[str], number: int, stripped: str) -> bool:
    if _TIME_ALONE.match(stripped) or _HANDLE.match(stripped) or _POST_DATE.match(stripped):
        return True
    if _VIEWS.match(stripped) or _REPLYING.match(stripped) or _LINK_ROW.match(stripped):
        return True
    if _REACTION.match(stripped) or _PLACEHOLDER.match(stripped) or not stripped.strip("()"):
        return True
    if _NOTICE.match(stripped):
        return True
    if _COUNT.match(stripped):
        return True  # a reaction's or a post's count
    return stripped == "(edited)"
