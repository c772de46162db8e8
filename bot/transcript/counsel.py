"""Counsel in a deposition or a hearing, labelled by name: their lines are procedure
("Objection to form.", "Let the record reflect…", "Nothing further."), never testimony,
so they are no interviewee even where they ask little and talk at length."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.models import SpeakerRole
from bot.transcript.blocks import Block
from bot.transcript.names import name_key

__all__ = ["counsel_roles"]

_PROCEDURE = re.compile(
    r"(?i)\bobject(?:ion|ions)?\b|\bfor\s+the\s+record\b|\bthe\s+record\s+(?:will\s+)?reflects?\b"
    r"|\b(?:off|on)\s+the\s+record\b|\bnothing\s+further\b|\bno\s+(?:further\s+)?questions\b"
    r"|\byou\s+(?:can|may)\s+answer\b|\binstruct(?:ing)?\s+(?:the|my)\s+(?:witness|client)\b"
    r"|\bmove\s+to\s+strike\b|\bwe\s+reserve\b|\bstipulat\w*|\bso\s+noted\b|\bsustained\b"
    r"|\boverruled\b|\btake\s+a\s+(?:short\s+|quick\s+|brief\s+|[\w-]+\s+minute\s+)?break\b"
    r"|\bread\s+and\s+sign\b|\bpass\s+the\s+witness\b|\bwithdrawn\b|\basked\s+and\s+answered\b"
    r"|\bmark(?:ed)?\s+(?:this|it)?\s*as\s+exhibit\b"
)
_SHARE = 2  # one turn in this many, or more, is procedure: counsel
_OPENING = 300  # characters of a turn looked at
_STATED = ("sidecar", "front matter")
_WITNESS_WORDS = frozenset({"witness", "deponent"})


def _procedural(texts: list[str]) -> bool:
    """At least one turn in `_SHARE` is procedure (looked for in each turn's opening
    words, where counsel say it; stops once too few are left to reach the share)."""
    hits = misses = 0
    allowed = len(texts) - (len(texts) + _SHARE - 1) // _SHARE  # misses the share allows
    for text in texts:
        if _PROCEDURE.search(text, 0, _OPENING):
            hits += 1
        else:
            misses += 1
            if misses > allowed:
                return False
    return hits >= 1


def counsel_roles(
    roles: dict[str, tuple[SpeakerRole, str]],
    blocks: Sequence[Block],
    speakers: Sequence[str | None],
) -> None:
    """Interviewees (not stated by a sidecar or front matter) whose turns are mostly
    procedure become others: the witness is quoted, counsel never. When no interviewee
    is left, an unnamed "THE WITNESS:" answers; with none, nobody does (the file is then
    refused with what to do, rather than quoting counsel)."""
    answering = {n for n, (role, _) in roles.items() if role == "interviewee"}
    turns: dict[str, list[str]] = {}
    for block, who in zip(blocks, speakers, strict=True):
        if block.label is not None and who in answering:
            turns.setdefault(who, []).append(block.text)
    counsel = {n for n, texts in turns.items() if roles[n][1] not in _STATED and _procedural(texts)}
    if not counsel:
        return
    if not answering - counsel:
        witness = next(
            (n for n, (role, _) in roles.items() if role != "interviewee" and _witness(n)), None
        )
        if witness is not None:
            roles[witness] = ("interviewee", "witness label")
    for name in counsel:
        roles[name] = ("other", "procedure (counsel)")


def _witness(name: str) -> bool:
    """ "The Witness", "Deponent": who testifies, as the label names them."""
    return name_key(name).removeprefix("the ") in _WITNESS_WORDS
