"""Caption dumps where ">>" marks each change of speaker (C-SPAN's archive, TV captions
copied as text), typed all in lower case: ">> host: we are back…", ">> senator voss: the
committee will…", or no name at all after the chevrons."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.transcript.blocks import UNKNOWN_SPEAKER, Block
from bot.transcript.names import (
    HONORIFICS,
    INTERVIEWEE_WORDS,
    INTERVIEWER_WORDS,
    asking_title,
    clean_name,
    is_unnamed,
    name_key,
    shaped_label,
    title_case,
)

__all__ = ["nameless_turns", "sidecar_voices", "titled_chevron_labels"]

# ">> host:", ">> dr. ingstrom:" after a chevron; "… good morning. guest: good morning"
# after a sentence's end, with no chevron (archive.org's TV captions); or at a line's start
_NAME = r"(?P<name>[a-z][\w.'’-]{0,24}(?: [a-z][\w'’-]{0,24})?)(?=:\s+\S)"
_CHEVRON_LOWER = re.compile(r"(?:^|(?<=\s))>>\s*" + _NAME)
_INLINE_LOWER = re.compile(r"(?<=[.?!,] )" + _NAME)
_LINE_LOWER = re.compile(r"^" + _NAME)
_MIN_LINES = 3  # a dump: this many lines open with ">>"
_SCAN = 20_000  # characters looked at to tell a file typed all in lower case
_LOWER_START = re.compile(r"[.?!] +[a-z]")
_UPPER_START = re.compile(r"[.?!] +[A-Z]")
_MIN_STARTS = 5
_ROLE_WORDS = INTERVIEWER_WORDS | INTERVIEWEE_WORDS


def _lower_label(text: str) -> str | None:
    """The lower-case name of a "name: words" label opening `text`, if shaped like one."""
    label = shaped_label(text, "lowercase")
    if label is None or not label.rest or label.name != label.name.lower():
        return None
    return label.name


def _lower_case(lines: list[str], start: int) -> bool:
    """Captions typed all in lower case: sentences open in lower case ("good morning.
    guest: good morning"), three times as often as with a capital, five times or more."""
    lower = upper = size = 0
    for line in lines[start:]:
        lower += len(_LOWER_START.findall(line))
        upper += len(_UPPER_START.findall(line))
        size += len(line)
        if size >= _SCAN:
            break
    return lower >= _MIN_STARTS and lower >= 3 * upper


def _found(pattern: re.Pattern[str], lines: list[str], start: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines[start:]:
        for match in pattern.finditer(line.strip()):
            name = _lower_label(line.strip()[match.start("name") :])
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
    return counts


def _taken(counts: dict[str, int], single: bool = False) -> set[str]:
    """The names that label turns; `single`: of two words, only a titled name or a role
    (mid-line, "short version: …" twice is prose; "tollefsen: …" twice is a turn)."""
    return {
        name
        for name, n in counts.items()
        if (n >= 2 and not (single and " " in name))
        or name_key(name) in _ROLE_WORDS
        or is_unnamed(name)
        or (" " in name and (name.split()[0] in HONORIFICS or asking_title(name)))
    }


def titled_chevron_labels(lines: list[str], start: int) -> list[str]:
    """`lines` with each lower-case label in a caption dump written as a chevron and a
    label with capitals (">> host:" -> ">> Host:", "good morning. guest: hi" -> "good
    morning. >> Guest: hi"), so it reads as any label does. A dump: three or more lines
    open with ">>", or the file is in lower case and labels fall mid-line after a
    sentence. A name counts when it labels two or more turns, a role word ("host",
    "guest", "caller") or a titled name ("senator marsh", "dr. vance") once. A chat typed
    in lower case ("kai: hi" at each line's start, no label mid-line) is left as it is."""
    chevrons = sum(line.lstrip().startswith(">>") for line in lines[start:]) >= _MIN_LINES
    lower = _lower_case(lines, start)
    if not chevrons and not lower:
        return lines
    inline = _taken(_found(_INLINE_LOWER, lines, start), single=True) if lower else set()
    counts = _found(_CHEVRON_LOWER, lines, start)
    if inline:  # the same names mid-line and at lines' starts: one shape, wrapped
        for pattern in (_INLINE_LOWER, _LINE_LOWER):
            for name, n in _found(pattern, lines, start).items():
                counts[name] = counts.get(name, 0) + n
    taken = _taken(counts)
    if not taken:
        return lines
    patterns = [_CHEVRON_LOWER, _INLINE_LOWER, _LINE_LOWER] if inline else [_CHEVRON_LOWER]
    out = list(lines)
    for i in range(start, len(lines)):
        line = lines[i]
        for pattern in patterns:
            line = pattern.sub(lambda m: _titled(m, taken), line)
        out[i] = line
    return out


def _titled(match: re.Match[str], taken: set[str]) -> str:
    name = match.group("name")
    if name not in taken:
        return match.group()
    return ">> " + title_case(name)


def nameless_turns(blocks: Sequence[Block]) -> bool:
    """Every turn is a bare ">>" (a change of speaker, nobody named): no one can be quoted
    safely, since nothing says which voice is the guest's."""
    turns = [b.label for b in blocks if b.label is not None]
    return bool(turns) and all(label == UNKNOWN_SPEAKER for label in turns)


def sidecar_voices(blocks: list[Block], interviewees: Sequence[str]) -> None:
    """Bare ">>" turns in lower case, the guest named by the sidecar: the turn that says
    the guest's name (in any case: "her name is anneliese thorvaldsen-cobb") is the
    host's, and the turns alternate between host and guest from there."""
    turns = [b for b in blocks if b.label is not None]
    if len(interviewees) != 1 or not nameless_turns(blocks) or len(turns) < 4:
        return
    guest = clean_name(interviewees[0])
    said = name_key(guest)
    host = next((k for k, b in enumerate(turns) if said in name_key(b.text)), None)
    if host is None:
        return
    for k, b in enumerate(turns):
        b.label = "Host" if k % 2 == host % 2 else guest
