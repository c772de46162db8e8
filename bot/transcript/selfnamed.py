"""Voices a transcription tool could not name ("Speaker 2", "SPEAKER_01", "Unknown
Speaker"), named by what is said in the file: the voice gives its own full name in its
first turns ("Hi, I'm Dana Ruiz and ...", "My name is Dana Ruiz.", "This is Dana Ruiz,
...") or the turn right before its first one welcomes it by full name ("Welcome, Dana
Ruiz."). Only when that gives one name for one voice, a name no other label speaks under.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.transcript.blocks import UNKNOWN_SPEAKER, Block
from bot.transcript.names import looks_like_name, name_key, strip_honorific
from bot.transcript.roles import WELCOMED

__all__ = ["self_named"]

# A tool's numbered voice ("Speaker 2", "SPEAKER_01", "Speaker B"), or its one unnamed voice
# ("Unknown Speaker"): never a bare "Speaker" (a parliament's chair) or a caller, reporter…
_VOICE = re.compile(
    r"(?i)^(?:(?P<unknown>unknown|unidentified)\s+)?speaker(?P<n>[\s_]+(?:\d{1,3}|[A-Z])|\d{1,3})?$"
)
_TURNS = 2  # a voice's first turns read for its own name
_SENTENCES = 3  # sentences read in each of those turns
_TEXT = 600  # characters read in each turn
_NAME = (
    r"(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?"
    r"(?P<name>[A-Z][\w'’-]+(?:\s+(?:(?:de|van|von|del|la|da|di|le|bin|al)\s+)?[A-Z][\w'’-]+){1,2})"
)
# What may follow a name said of oneself: a pause, the end, or "and I…", "from…", "here"
_AFTER = r"(?=\s*(?:[,.;:!?—–]|$|\s(?:and|from|with|here|speaking|at|in|of)\b))"
_FILLER = re.compile(
    r"(?i)^(?:(?:and|so|well|yes|yeah|sure|right|okay|ok|oh|hi|hello|hey|thanks|thank you|"
    r"actually|um|uh|of course|good morning|good evening|good afternoon)\b[,.!]?\s+)+"
)
_SELF = re.compile(rf"^(?:I['’]m|I am|[Mm]y name is|[Mm]y name['’]s)\s+{_NAME}{_AFTER}")
_THIS_IS = re.compile(rf"^[Tt]his is\s+{_NAME}{_AFTER}")  # only opening the voice's first turn
# Any "I'm Dana Ruiz…" in a turn, however it goes on ("I'm Dana Ruiz too"): a name two
# voices claim is neither's
_CLAIM = re.compile(rf"\b(?:I['’]m|I am|[Mm]y name is|[Mm]y name['’]s|This is)\s+{_NAME}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _voice(label: str, labels: int) -> bool:
    written = " ".join(label.split())
    match = _VOICE.match(written)
    if match is None or written == UNKNOWN_SPEAKER:  # a caption's ">>": any number of voices
        return False
    # an unnumbered "Unknown Speaker" is one person only when the file has one other voice
    return bool(match.group("n")) or (bool(match.group("unknown")) and labels == 2)


def _full(name: str) -> str | None:
    name = strip_honorific(name)
    if name.endswith(("'s", "’s")) or len(name.split()) < 2 or not looks_like_name(name):
        return None
    return name


def _turns(blocks: Sequence[Block]) -> list[tuple[str, str]]:
    """(label, text) per turn: one voice's consecutive blocks, unlabelled ones included."""
    turns: list[tuple[str, str]] = []
    for b in blocks:
        if b.label is None or (turns and turns[-1][0] == b.label):
            if turns and len(turns[-1][1]) < _TEXT:
                turns[-1] = (turns[-1][0], f"{turns[-1][1]} {b.text}")
        elif not b.note:
            turns.append((b.label, b.text))
    return turns


def _said_of_self(texts: list[str]) -> set[str]:
    found: set[str] = set()
    for k, text in enumerate(texts):
        for s, sentence in enumerate(_SENTENCE.split(text[:_TEXT].strip())[:_SENTENCES]):
            sentence = _FILLER.sub("", sentence)
            match = _SELF.match(sentence) or (
                _THIS_IS.match(sentence) if k == 0 and s == 0 else None
            )
            if match is not None:
                found.add(match.group("name"))
    return found


def _welcomed(text: str) -> set[str]:
    """Full names the turn welcomes ("Welcome, Dana Ruiz.": the pattern find_cues reads
    too); a first name alone ("Dana, welcome") names no voice and vetoes none."""
    names = (m.group("before") or m.group("after") for m in WELCOMED.finditer(text[-_TEXT:]))
    return {name for name in names if len(strip_honorific(name).split()) >= 2}


def self_named(blocks: Sequence[Block]) -> dict[str, str]:
    """Each unnamed voice's label -> the one full name it is introduced by (see above)."""
    labels = {b.label for b in blocks if b.label}
    turns = _turns(blocks)
    found: dict[str, str] = {}
    claims: dict[str, set[str]] = {}
    for label in sorted(labels):
        if not _voice(label, len(labels)):
            continue
        own = [k for k, (who, _) in enumerate(turns) if who == label]
        names = _said_of_self([turns[k][1] for k in own[:_TURNS]])
        if own and own[0] > 0 and turns[own[0] - 1][0] != label:
            names |= _welcomed(turns[own[0] - 1][1])
        for k in own[:_TURNS]:
            said = claims.setdefault(label, set())
            said |= {name_key(m.group("name")) for m in _CLAIM.finditer(turns[k][1][:_TEXT])}
        full = {_full(n) for n in names}
        keys = {name_key(n) for n in full if n}
        if len(keys) == 1 and None not in full:
            found[label] = next(n for n in full if n)
    # one name for one voice, and not a name another label already speaks under
    spoken = {
        name_key(w)
        for label in labels
        if not _voice(label, len(labels))
        for w in [label, *label.split()]
    }
    counts: dict[str, int] = {}
    for name in found.values():
        counts[name_key(name)] = counts.get(name_key(name), 0) + 1
    return {
        label: name
        for label, name in found.items()
        if counts[name_key(name)] == 1
        and not any(name_key(name) in said for who, said in claims.items() if who != label)
        and name_key(name) not in spoken
        and not any(name_key(w) in spoken for w in name.split())
    }
