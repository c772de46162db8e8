"""The full name a short label stands for, found where the file introduces its people.

"Dr. OYELARAN." is Karen Oyelaran when the witness list reads "Karen Oyelaran, M.D.";
"MAYOR ALCOTT:" is Denise Alcott when the header says "Mayor Denise Alcott"; "INÉS:" is
Inés Castillo when the host opens with "Inés Castillo, welcome". The label's core (its one
name word once titles are taken off) is looked for in the header, the headings and the
first turns beside another capitalised name word; only one person found counts. A label
led by an asking office ("Senator Park", "Commissioner Ortega") takes a full name only
where the text writes that office right before it ("Fire Commissioner Raúl Ortega"):
"Senator Calloway" stays the senator even when the header names "Hon. Ruth Calloway".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.transcript.names import (
    ASKING_TITLES,
    HONORIFICS,
    OFFICES,
    PARTICLES,
    clean_name,
    initials,
    looks_like_name,
    name_key,
)

__all__ = [
    "initials_named",
    "label_core",
    "lowercase_full_name",
    "mentioned_full_name",
    "office_holder",
    "office_words",
    "self_introduced",
]

_PUNCT = ",.;:!?()[]\"'“”‘’"
# Capitalised words that sit before a name without being one ("STATEMENT OF OYELARAN").
_NOT_GIVEN = frozenset(
    """of by with and for to from at in on as is was statement testimony prepared opening
    dear welcome thanks thank hi hello meet ask asked says said hon honorable honourable
    mister madam member ranking witness panel panelist moderator host guest""".split()
)
_CONTRACTIONS = ("'m", "'s", "'d", "'ll", "'re", "'ve", "n't")
_MAX_LINES = 400  # lines looked at: a header and a few turns, never a whole book


def label_core(label: str) -> tuple[str, str | None]:
    """(the label's name words without "the", honorifics and offices, the asking office
    it led with or None): "Mayor Alcott" -> ("Alcott", None), "Commissioner Ortega" ->
    ("Ortega", "commissioner"), "Dr. OYELARAN" -> ("OYELARAN", None)."""
    words = label.split()
    asking: str | None = None
    while words:
        key = words[0].casefold()
        if key == "the" or key in HONORIFICS or key.rstrip(".") in HONORIFICS:
            words = words[1:]
        elif key in OFFICES:
            if key in ASKING_TITLES:
                asking = key
            words = words[1:]
        else:
            break
    return " ".join(words), asking


def _given(token: str) -> str | None:
    """A capitalised name word as written ("Karen", "RAÚL"), or None."""
    if token[-1:] in _PUNCT or not token[:1].isupper():
        return None
    key = token.casefold()
    if key in _NOT_GIVEN or key in HONORIFICS or key in OFFICES or key in PARTICLES:
        return None
    if not all(ch.isalpha() or ch in "'’-" for ch in token) or len(token) < 2:
        return None
    if key.replace("’", "'").endswith(_CONTRACTIONS):  # "And I'm Omar", "it's Nina"
        return None
    return token


def mentioned_full_name(
    core: str, lines: Sequence[str], office: str | None, folded: Sequence[str] = ()
) -> str | None:
    """The one full name `core` (a single name word) belongs to in `lines`, or None.

    A surname is read with the name word before it ("Karen Oyelaran"), a first name with
    the one after it ("Inés Castillo") when no surname reading exists. With an asking
    `office`, only "<office> First Surname" counts. `folded`: the lines case-folded, when
    the caller looks up many labels in the same lines."""
    key = core.casefold()
    surname: dict[str, str] = {}
    given_first: dict[str, str] = {}
    folded = folded or [line.casefold() for line in lines[:_MAX_LINES]]
    for line, low in zip(lines[:_MAX_LINES], folded, strict=False):
        if key not in low:
            continue
        tokens = line.split()
        for i, token in enumerate(tokens):
            # "Chair Ada Holloway's Press Conference": the possessive is still the name
            bare = _POSSESSIVE.sub("", token.strip(_PUNCT))
            if bare.casefold() != key:
                continue
            before = _given(tokens[i - 1]) if i > 0 else None
            if before and (
                office is None or (i > 1 and tokens[i - 2].strip(_PUNCT).casefold() == office)
            ):
                name = clean_name(f"{before} {bare}")
                if looks_like_name(name):
                    surname[name_key(name)] = name
            if office is None and token == bare and i + 1 < len(tokens):
                after = _given(tokens[i + 1].rstrip(_PUNCT))
                if after:
                    name = clean_name(f"{bare} {after}")
                    if looks_like_name(name):
                        given_first[name_key(name)] = name
    found = surname or given_first
    if not found and office is None and len(key) >= _SHORT_MIN:
        found = _shortened(key, lines, folded)
    return next(iter(found.values())) if len(found) == 1 else None


_POSSESSIVE = re.compile(r"['’]s$")
_SHORT_MIN = 3  # letters: "Bart" for Bartholomew, "Chris" for Christabel; not "Al"


def _shortened(key: str, lines: Sequence[str], folded: Sequence[str]) -> dict[str, str]:
    """ "BART:" when the header names "Dr. Bartholomew Osei-Mensah": a first name the label
    shortens, read with the surname after it (only when no full reading exists)."""
    found: dict[str, str] = {}
    for line, low in zip(lines[:_MAX_LINES], folded, strict=False):
        if key not in low:
            continue
        tokens = line.split()
        for i, token in enumerate(tokens[:-1]):
            bare = token.strip(_PUNCT)
            if len(bare) <= len(key) or not bare.casefold().startswith(key) or bare != token:
                continue
            if _given(bare) is None:
                continue
            after = _given(tokens[i + 1].rstrip(_PUNCT))
            if after:
                name = clean_name(f"{bare} {after}")
                if looks_like_name(name):
                    found[name_key(name)] = name
    return found


def lowercase_full_name(core: str, lines: Sequence[str]) -> str | None:
    """ "kai:" in a chat typed in lower case is "kai moreno" when the header writes the
    label's word and one more word before a comma, a bracket or the line's end
    ("interview w/ kai moreno (sound designer)"): the one such reading, else None."""
    found: set[str] = set()
    said = re.compile(rf"(?<![\w'’-]){re.escape(core)}\s+([a-z][a-z'’-]{{1,30}})(?=\s*(?:[,(;]|$))")
    for line in lines[:_MAX_LINES]:
        for match in said.finditer(line):
            word = match.group(1)
            if word not in _NOT_GIVEN and looks_like_name(f"{core} {word}".title()):
                found.add(f"{core} {word}")
    return next(iter(found)) if len(found) == 1 else None


def self_introduced(core: str, folded: Sequence[str]) -> bool:
    """ "And I'm Omar", "it's Nina here": a one-word label the file says as a name, so a
    speaker even when their label is written once (case-folded `folded` lines)."""
    said = re.compile(
        rf"\b(?:i['’]m|i am|it['’]s|this is|my name is)\s+{re.escape(core.casefold())}\b"
    )
    return any(said.search(line) for line in folded)


_TWO_NAMES = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2}")


def initials_named(labels: Sequence[str], lines: Sequence[str]) -> list[str]:
    """For initials labels ("KG") the file knows no full name for, the one name with those
    initials the headline or lede writes ("Kofi Gyan on building violins…")."""
    found: list[str] = []
    for label in labels:
        letters = label.replace(".", "")
        names = {
            clean_name(m.group())
            for line in lines
            for m in _TWO_NAMES.finditer(line)
            if initials(m.group()) == letters and looks_like_name(m.group())
        }
        if len(names) == 1:
            found.extend(names)
    return found


# Offices and roles one person holds in a briefing or a press conference: "THE PRESIDENT:",
# "PRIME MINISTER ADEYEMI:", "Spokesperson:" name that person all through the file.
_HELD = (OFFICES - ASKING_TITLES) | frozenset(
    "prime vice spokesperson spokesman spokeswoman press deputy".split()
)
_NAME_WORDS = 3


def office_words(label: str) -> list[str] | None:
    """ "THE PRESIDENT" -> ["president"], "Spokesperson" -> ["spokesperson"]: a label that
    is nothing but an office one person holds; None for anything else."""
    words = [w.casefold().rstrip(".") for w in label.split()]
    if words and words[0] == "the":
        words = words[1:]
    return words if words and all(w in _HELD for w in words) else None


def office_holder(office: Sequence[str], lines: Sequence[str]) -> str | None:
    """The one full name `lines` write right after the office ("REMARKS BY PRESIDENT ERIK
    HALVORSEN AND …") or right before it after a comma ("by Farida Haddad, Spokesperson
    for …"); None when there is none or more than one."""
    found: dict[str, str] = {}
    k = len(office)
    for line in lines[:_MAX_LINES]:
        if office[-1] not in line.casefold():
            continue
        tokens = line.split()
        folded = [tok.strip(_PUNCT).casefold() for tok in tokens]
        for i in range(len(tokens) - k + 1):
            if folded[i : i + k] != list(office):
                continue
            names: list[list[str]] = []
            if tokens[i + k - 1][-1:] not in _PUNCT:  # "Mr. President." ends there
                after: list[str] = []
                for tok in tokens[i + k : i + k + _NAME_WORDS]:
                    word = _given(tok.rstrip(_PUNCT))
                    if word is None:
                        break
                    after.append(word)
                    if tok[-1:] in _PUNCT:
                        break
                names.append(after)
            start = i - 1 if i > 0 and folded[i - 1] == "the" else i
            if start > 0 and tokens[start - 1].endswith(","):
                before: list[str] = []
                for tok in reversed(tokens[max(0, start - _NAME_WORDS) : start]):
                    word = _given(tok.rstrip(","))
                    if word is None or (before and tok[-1:] in _PUNCT):
                        break
                    before.insert(0, word)
                names.append(before)
            for words in names:
                name = clean_name(" ".join(words))
                if len(words) >= 2 and looks_like_name(name):
                    found[name_key(name)] = name
    return next(iter(found.values())) if len(found) == 1 else None
