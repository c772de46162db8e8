"""Normalising and tokenising: the folding a query and the index share, word hashes, labels."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container, Iterable

import numpy as np
import numpy.typing as npt

from bot.search.params import LABEL_MAX, MAX_QUERY_CHARS, STOP_WORDS
from bot.textutil import truncate

# --- normalisation ------------------------------------------------------------------

# Punctuation that shows up in almost every transcript (curly quotes, dashes, ellipsis,
# no-break space); replaced first so typical text stays on the ASCII fast path.
_COMMON_PUNCT = ("\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026", "\xa0")
# Byte table for UTF-8 text: ASCII letters lower-cased, ASCII digits kept, every other
# ASCII byte a space, bytes of multi-byte characters (>= 0x80) left alone.
_BYTE_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c >= 128) else 32
    for c in range(256)
)
_SENTENCE_TABLE = _BYTE_TABLE[:0x1F] + b"\x1f" + _BYTE_TABLE[0x20:]
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _fold(text: str) -> str:
    """Case-fold `text`, strip accents and turn non-ASCII punctuation into spaces.

    ASCII punctuation is left for the byte table; a large chunk of text is handled in a
    few passes over the whole string, which is what makes building fast.
    """
    for mark in _COMMON_PUNCT:
        if mark in text:
            text = text.replace(mark, " ")
    if text.isascii():
        return text
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    if not text.isascii():
        for char in set(_NON_ASCII.findall(text)):
            if not char.isalnum():
                text = text.replace(char, " ")
    return text


# The last bytes of the _COMMON_PUNCT marks encoded as E2 80 xx (all but the no-break space).
_PUNCT_THIRD = np.array(
    [m.encode()[2] for m in _COMMON_PUNCT if m.encode()[:2] == b"\xe2\x80"], dtype=np.uint8
)


def _blank_common_punct(data: npt.NDArray[np.uint8]) -> bool:
    """Blank _COMMON_PUNCT in UTF-8 `data` in place; whether only ASCII is left.

    The byte-level twin of the first step of :func:`_fold`, for building: a few array
    passes instead of a search and a copy of the whole text per mark, and each mark
    becomes as many spaces as it had bytes, so offsets into `data` stay valid.
    """
    lead = np.flatnonzero(data[:-2] == 0xE2)  # U+2013..U+2026: E2 80 xx
    if len(lead):
        hit = lead[(data[lead + 1] == 0x80) & np.isin(data[lead + 2], _PUNCT_THIRD)]
        for step in range(3):
            data[hit + step] = 0x20
    lead = np.flatnonzero(data[:-1] == 0xC2)  # U+00A0: C2 A0
    if len(lead):
        hit = lead[data[lead + 1] == 0xA0]
        data[hit] = data[hit + 1] = 0x20
    return not len(data) or int(data.max()) < 0x80


def normalise(text: str) -> str:
    """The comparable form of `text`: case folded, accents stripped, words split by spaces.

    Curly quotes, dashes, ellipses and all other punctuation become spaces, whitespace is
    collapsed: "Mäki’s — ‘It’ factor…" becomes "maki s it factor".  The index is built
    with the same folding, so a query and the text it quotes always agree.
    """
    folded = _fold(text).encode("utf-8", "replace").translate(_BYTE_TABLE)
    return " ".join(folded.decode("utf-8", "replace").split())


def _content_words(tokens: Iterable[str]) -> list[str]:
    """Distinct tokens that are not stop words, in query order."""
    seen: dict[str, None] = {}
    for tok in tokens:
        if tok not in STOP_WORDS and tok not in seen:
            seen[tok] = None
    return list(seen)


# Chat typed to a bot: contractions without their apostrophe become the two words the
# index holds for the written form ("dont" -> "don t", as "don't" normalises), shorthand
# the words it stands for, and chat fillers carry nothing to look for ("lol", "tbh").
# Only forms that are not also words ("its", "ill", "well", "shed", "were", "lets", "id"
# stay as typed).  Query side only: the index keeps every answer as it was said.
_CONTRACTED = {
    "t": "don isn aren wasn weren doesn didn can couldn wouldn shouldn won hasn haven hadn "
    "ain mustn needn",
    "m": "i",
    "ve": "i you we they could would should might must",
    "re": "you they",
    "ll": "you they she he",
    "d": "you they",
    "s": "that what there here he she who where how",
}
_CONTRACTIONS: dict[str, str] = {
    head + tail: f"{head} {tail}" for tail, heads in _CONTRACTED.items() for head in heads.split()
}
# Chat shorthand for the word a transcript spells out ("33 yrs" for "33 years").
_CONTRACTIONS.update(
    pair.partition(" ")[::2]
    for pair in (
        "u you;ur your;thru through;tho though;abt about;bc because;cuz because;"
        "coz because;ppl people;yr year;yrs years;hr hour;hrs hours;mins minutes;"
        "secs seconds;km kilometres;kms kilometres;bday birthday;convo conversation;"
        "convos conversations;pic picture;pics pictures;govt government;b4 before;"
        "gonna going to;wanna want to;gotta got to;dunno don t know;kinda kind of;"
        "sorta sort of;probs probably;esp especially;nite night;tonite tonight"
    ).split(";")
)
CHAT_FILLERS = frozenset(
    "lol lols lmao lmfao rofl ngl tbh tbf imo imho omg omfg haha hahaha hehe smh idk btw "
    "fr rn bruh fwiw iirc afaik pls plz xd".split()
)


# How members point at a quote rather than quote it: "that quote where she says ...",
# "the bit where he talks about ...", "remember when frank said ...", "the one about ...",
# "what did maya say about ...".  The pointing is cut off (on the normalised query) when
# words remain after it; a speaker named in it is dropped with it, since the answers
# never hold their speaker's name.
_SAYING = (
    r"(?:says|said|say|saying|talks|talked|talking|mentions|mentioned|goes\s+on|went\s+on"
    r"|describes|described|explains|explained)(?:\s+(?:about|that|how|of))?"
)
_POINTING = re.compile(
    r"^(?:(?:remember|you\s+know)\s+)?"
    r"(?:(?:(?:that|the|this)\s+)?(?:quote|bit|part|line|one|story|moment|answer|clip)\s+"
    r"(?:where|when|about|in\s+which)|remember\s+when)\s+"
    rf"(?:(?:\w+\s+){{1,2}}?{_SAYING}\s+)?"
    rf"|^(?:what|how)\s+(?:did|does|do|was|is)\s+(?:\w+\s+){{1,2}}?{_SAYING}\s+"
)


def _cut_query(text: str, open_last: bool = False, known: Container[str] = ()) -> str:
    """The normalised query, at most MAX_QUERY_CHARS long, cut at a word, with chat
    contractions and shorthand spelt as transcripts write them unless the corpus has the
    word as typed (`known`: "dont" in a transcript without apostrophes, "hr" for HR), and
    chat fillers dropped (always); never its last word while that is being typed
    (`open_last`: "im" may become "imagine")."""
    norm = normalise(text[: MAX_QUERY_CHARS * 4])
    if len(norm) > MAX_QUERY_CHARS:
        norm = norm[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    pointed = _POINTING.sub("", norm, count=1)
    words = (pointed if pointed.strip() else norm).split()
    last = len(words) - 1 if open_last else len(words)
    chat = [word if at >= last else _chat_word(word, known) for at, word in enumerate(words)]
    return " ".join(word for word in chat if word)


def _chat_word(word: str, known: Container[str]) -> str:
    """`word` as a transcript would write it ("" for a filler), see `_cut_query`."""
    if word in CHAT_FILLERS:
        return ""
    return word if word in known else _CONTRACTIONS.get(word, word)


def _label(sentence: str, anchor: str) -> str:
    """`sentence` as a ≤100-char label, showing the part around `anchor` when it is long."""
    text = " ".join(sentence.split())
    if len(text) <= LABEL_MAX:
        return text
    pos = text.casefold().find(anchor) if anchor else -1
    if pos > 40:
        start = text.find(" ", pos - 30)
        if 0 < start < pos:
            text = "…" + text[start + 1 :]
    return truncate(text, LABEL_MAX)


_IntArray = npt.NDArray[np.int64]


# Byte-regex pieces for phrase scans over raw UTF-8 text (lower-cased ASCII).  A "word
# byte" is an ASCII letter or digit or any byte of a multi-byte character; between words
# anything else may stand, including curly quotes, dashes, ellipses and no-break spaces.
_WORD_BYTE = rb"[a-z0-9\x80-\xfe]"
# A word ends where no word byte follows: a non-ASCII letter's bytes are word bytes, but
# the separators _GAP allows (dashes, curly quotes, "…", a no-break space) are not.
_WORD_END = rb"(?![a-z0-9]|(?!\xe2\x80[\x90-\x9f\xa6]|\xc2\xa0)[\x80-\xfe])"
_GAP = rb"(?:[^a-z0-9\x80-\xff]|\xe2\x80[\x90-\x9f\xa6]|\xc2\xa0)+"
_WILDCARD = _WORD_BYTE + rb"{1,40}"


_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_K1 = np.uint64(0xBF58476D1CE4E5B9)
_K2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)
_LONG_TOKEN = 16  # longer tokens are hashed one by one in Python (rare)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser, element-wise and in place (uint64 arithmetic wraps)."""
    tmp = np.empty_like(x)
    for shift, factor in ((_S30, _K1), (_S27, _K2)):
        np.right_shift(x, shift, out=tmp)
        x ^= tmp
        x *= factor
    np.right_shift(x, _S31, out=tmp)
    x ^= tmp
    return x


_LENGTH_MIX = _mix(np.arange(9, dtype=np.uint64) * _GOLDEN)  # inner mix of a word of 0..8 bytes


def _tokenise(folded: bytes) -> tuple[_IntArray, _IntArray, npt.NDArray[np.uint64]]:
    """Start, end and 64-bit hash of every word in `folded` (text after _SENTENCE_TABLE).

    Words are runs of bytes above 0x20.  A word of up to 16 bytes is identified by its
    bytes packed into two integers (read through an overlapping 8-byte view of the
    buffer) and its length, mixed into one hash, so hashing costs a few array passes per
    word rather than Python work per word; longer words are hashed with blake2b.
    """
    data = np.frombuffer(folded, dtype=np.uint8)
    word = data > 32
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    if len(word) and word[0]:
        edges = np.concatenate(([0], edges))
    if len(word) and word[-1]:
        edges = np.append(edges, len(word))
    starts, ends = edges[0::2], edges[1::2]  # a word starts, ends, the next starts...
    padded = folded + bytes(16)
    wide = np.ndarray((len(folded) + 9,), dtype="<u8", buffer=padded, offset=0, strides=(1,))
    lengths = ends - starts
    short = np.minimum(lengths, 8)
    low = wide[starts] & _MASKS.take(short)
    # Most words fit in 8 bytes: their inner mix depends on the length alone (a table).
    inner = _LENGTH_MIX.take(short)
    longer = np.flatnonzero(lengths > 8)
    if len(longer):
        size = lengths[longer]
        high = wide[starts[longer] + 8] & _MASKS.take(np.minimum(size - 8, 8))
        inner[longer] = _mix(high ^ (size.astype(np.uint64) * _GOLDEN))
    low ^= inner
    hashes = _mix(low)
    for i in np.flatnonzero(lengths > _LONG_TOKEN).tolist():
        token = folded[starts[i] : ends[i]]
        hashes[i] = int.from_bytes(hashlib.blake2b(token, digest_size=8).digest(), "little")
    return starts, ends, hashes


def _hash_words(words: Iterable[str]) -> dict[int, str]:
    """The build hash of each word (which must already be normalised)."""
    listed = list(words)
    folded = " ".join(listed).encode("utf-8")
    _, _, hashes = _tokenise(folded)
    return dict(zip(hashes.tolist(), listed, strict=True))


def _stop_table() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int16]]:
    """Stop-word hashes, and a 16-bit-slot table pointing into them (-1: none there)."""
    hashes = np.array(sorted(_hash_words(sorted(STOP_WORDS))), dtype=np.uint64)
    slots = (hashes & np.uint64(0xFFFF)).astype(np.intp)
    if len(set(slots.tolist())) != len(slots):
        raise RuntimeError("stop-word hash slots collide")  # fixed word list: never
    table = np.full(1 << 16, -1, dtype=np.int16)
    table[slots] = np.arange(len(hashes), dtype=np.int16)
    return np.append(hashes, np.uint64(0)), table


_STOP_HASHES, _STOP_SLOTS = _stop_table()
