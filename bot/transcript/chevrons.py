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
)

__all__ = ["nameless_turns", "sidecar_voices", "titled_chevron_labels"]

# ">> host:", ">> dr. ingstrom:", ">> senator voss:" at a line's start or inside a line
_CHEVRON_LOWER = re.compile(
    r"(?:^|(?<=\s))>>\s*(?P<name>[a-z][\w.'’-]{0,24}(?: [a-z][\w'’-]{0,24})?)(?=:\s+\S)"
)
_MIN_LINES = 3  # a dump: this many lines open with ">>"
_ROLE_WORDS = INTERVIEWER_WORDS | INTERVIEWEE_WORDS


def _lower_label(text: str) -> str | None:
    """The lower-case name of a "name: words" label opening `text`, if shaped like one."""
    label = shaped_label(text, "lowercase")
    if label is None or not label.rest or label.name != label.name.lower():
        return None
    return label.name


def titled_chevron_labels(lines: list[str], start: int) -> list[str]:
    """`lines` with each lower-case label after ">>" written with capitals (">> host:" ->
    ">> Host:", ">> dr. ingstrom:" -> ">> Dr. Ingstrom:"), so it reads as any label does,
    in a file where three or more lines open with ">>"; a name counts when it labels two
    or more turns, a role word ("host", "guest", "caller") or a titled name ("senator
    marsh", "dr. vance") once."""
    if sum(line.lstrip().startswith(">>") for line in lines[start:]) < _MIN_LINES:
        return lines
    counts: dict[str, int] = {}
    for line in lines[start:]:
        if ">>" not in line:
            continue
        for match in _CHEVRON_LOWER.finditer(line):
            name = _lower_label(line[match.start("name") :])
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
    taken = {
        name
        for name, n in counts.items()
        if n >= 2
        or name_key(name) in _ROLE_WORDS
        or is_unnamed(name)
        or (" " in name and (name.split()[0] in HONORIFICS or asking_title(name)))
    }
    if not taken:
        return lines
    out = list(lines)
    for i in range(start, len(lines)):
        if ">>" in lines[i]:
            out[i] = _CHEVRON_LOWER.sub(lambda m: _titled(m, taken), lines[i])
    return out


def _titled(match: re.Match[str], taken: set[str]) -> str:
    name = match.group("name")
    if name not in taken:
        return match.group()
    return ">> " + " ".join(w[:1].upper() + w[1:] for w in name.split())


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
