"""Sentence splitting for quotable passages (pure, linear in the text)."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]


_TERMINALS = ".!?…"
_CLOSERS = "”’\"'»)]}*_"
_OPENERS = "“‘\"'«([{*_¿¡"
_DASHES = frozenset("-–—―")
# A period after these never ends a sentence: they precede a name or a continuation.
_ALWAYS_ABBREV = frozenset(
    """mr mrs ms mx dr prof st mt ft gen sen rep gov rev capt lt col sgt cmdr adm hon pres
    e.g i.e vs v cf viz approx ca""".split()
)
# A period after these does not end a sentence when a number follows ("No. 5", "Jan. 3").
_NUMBER_ABBREV = frozenset(
    """no nos p pp vol fig ch sec art ep op jan feb mar apr jun jul aug sep sept oct nov
    dec""".split()
)


def _starts_lower(token: str) -> bool | None:
    """True/False if the token's first letter is lower/upper case, None if it has none."""
    for ch in token:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
        if ch not in _OPENERS:
            return None
    return None


def _ends_sentence(token: str, following: str) -> bool:
    """Whether the whitespace after `token` (followed by `following`) is a sentence break."""
    core = token.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINALS:
        return False
    word = core.rstrip(_TERMINALS)
    punct = core[len(word) :]
    if following[0] in _DASHES:
        return False  # "we all deserve! – but you know" continues the sentence
    lower = _starts_lower(following)
    if "?" in punct or "!" in punct:
        return lower is not True
    if "…" in punct or ".." in punct:
        return lower is False and not following.lstrip(_OPENERS)[:1].isdigit()
    bare = word.lstrip(_OPENERS)
    key = bare.casefold()
    if key in _ALWAYS_ABBREV:
        return False
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return False  # an initial: "J. R. R. Tolkien"
    if key in _NUMBER_ABBREV and following.lstrip(_OPENERS)[:1].isdigit():
        return False
    return lower is False


_TOKEN = re.compile(r"\S+")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping every non-space character.

    Breaks only at whitespace after terminal punctuation (plus any closing quotes or
    brackets); abbreviations, initials, decimals and ellipses inside a sentence don't
    break, nor does "?"/"!" followed by a lower-case word or a dash.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    sentences: list[str] = []
    start: int | None = None
    for i, (tok_start, tok_end, tok) in enumerate(tokens):
        if start is None:
            start = tok_start
        if i + 1 == len(tokens) or _ends_sentence(tok, tokens[i + 1][2]):
            sentences.append(text[start:tok_end])
            start = None
    return sentences
