"""Quote search: an in-memory inverted index with a fuzzy rerank (pure Python, no discord).

Design, and why.  Numbers: ``benchmarks/bench_search.py`` on this shared 2-core machine,
see ``benchmarks/results.md`` for the latest run against the targets.

* **Candidates from an inverted index.**  Each interviewee answer is tokenised once; each
  word maps to a CSR slice of answer numbers (``uint32``, sorted) and a one-byte BM25
  impact (saturated, length-normalised term frequency, precomputed).  A query scores only
  the answers holding its words: idf * (COORDINATION + impact), so answers holding more
  of the rarer words come first and length only orders answers that hold the same words
  (a short query is not swamped by long answers, a long answer with every word is not
  buried under short ones with two).  The naive baseline (rapidfuzz ``partial_ratio`` over
  every answer) measured ~10 s per query at 1M answers, >1000x slower, with a worse top-1;
  SQLite FTS5 ranking was measured too slow past ~10k answers by an earlier prototype.
* **Very common words** never pick candidates: function words are not indexed, and once
  the cheapest query words have used a budget of postings the rest are looked up (binary
  search of their sorted postings, with the probes sorted so each list is walked once)
  for the best LATE_POOL candidates only.  When many rows are scored but few are
  wanted, a threshold from a sample of the scores picks them (checked to keep at least
  as many as wanted) instead of listing and partitioning every scored row.
* **Word order**: BM25 cannot see it, so the best PHRASE_POOL candidates are scanned as raw
  bytes with one regular expression (the query's words in order, punctuation between,
  a wildcard for a word the corpus lacks) and answers holding the phrase are reranked
  first.  Without this an exact quote made of common words was lost among thousands of
  answers holding the same words.
* **Typos** (``bot/search_vocab.py``): a query word maps to vocabulary neighbours one
  edit away (two for words of 7+ letters) at any position, the first letter included,
  through a symmetric-delete table (each vocabulary word and its one-letter deletions,
  hashed and sorted); the words found are checked with the OSA distance (transpositions
  count one).  Two edits the table cannot see (two substitutions) fall back to the old
  scan of words with the same first letter and a similar length.  Neighbours count less
  than the word, and less still when the word itself is in the corpus; run-together
  words ("ripoffs", "walkin") and misspelt stop words ("becuase") are handled too.
* **Word forms** (``bot/search_fold.py``): inflections and irregular forms ("runs" /
  "ran", "bruised" / "bruises"), British/American spelling ("colour", "theatre",
  "organise", "catalogue", "travelled"; rules plus a short list) and numbers ("twelve" /
  "12", "third" / "3rd", "forty five" / "45", "11000" / "eleven thousand") are generated
  from the query word and kept when they are corpus words sharing its Snowball stem, so
  nothing is folded at build time.  Two neighbouring query words that make a corpus word
  ("air plane" -> "airplane") count for both.
* **Questions**: the question each answer replied to is indexed as a small index of its
  own under the answer's id; a match there scores QUESTION_WEIGHT (0.85) of the same
  match in an answer, so an answer that says the words ranks above one that was asked
  them.
* **Partial words**: the last word of an autocomplete prefix (or an unknown last word of
  a query) is expanded to the most frequent vocabulary words it begins (sorted vocabulary
  plus ``bisect``).
* **Rerank** of the shortlist on normalised text: exact phrase (word-bounded substring),
  idf-weighted coverage of the query words and ``fuzz.partial_ratio`` alignment, which
  also picks the sentence to show.  ``WRatio`` was slower and scored short-against-long
  badly in the prototype.  Scores fall in tiers: exact phrase 100 > every word present
  75..99 > most words, with typos, < 75.  The words may span two neighbouring sentences
  (a window of two counts 0.9 of one sentence holding as much).
* **No match**: under ``MATCH_FLOOR`` nothing is a hit, unless two adjacent sentences of
  the best candidate hold at least two of the query's rare words carrying half its
  weight and the runner-up holds fewer (the right quote used to sit under "Closest I
  have" with "No quote matches" above it).  A query that matches nothing well returns no
  hits and the nearest sentences as suggestions.  Off-topic, gibberish, stop-word and
  emoji queries are tested to answer no match with 20k answers loaded.
* **Never confidently wrong**: answers tied within NEAR_TIE (3 points) of the top are
  reordered with rapidfuzz ``token_set_ratio`` over the whole answer added; and up to
  NAIVE_FUSION_MAX (1,000) answers, when no exact phrase was found, a naive
  ``token_set_ratio`` scan over every answer adds its best 5 to the shortlist, so the
  index does not miss what the naive scan finds.  Measured with synthetic queries (100
  a kind) on this loaded 2-core machine: at 1,000 answers it costs ~15 ms p50 and fixed
  3 of 600 top-1 misses; at 5,000 it cost ~190 ms, hence the cut-off.
* **Build** works a chunk of answers at a time in whole-chunk passes: one join, encode
  and byte translation (common curly punctuation blanked on the bytes, accents only
  when a chunk has any), words hashed by numpy (packed bytes, mixed), stop words dropped
  by a table, no per-word Python.  Chunks are tokenised by two worker threads (most of
  the work is numpy, which releases the GIL) and committed in order; keys are split by
  the hash's top bit so the final sort runs as two sorts, one per thread.  The text
  blob stays in the chunks it was read in (no 400 MB copy at 1M).  Scratch memory is
  handed back to the OS afterwards (``malloc_trim``), or glibc keeps ~800 MB at 1M.
* **Memory**: sentences are kept once, UTF-8 with separators, and normalised again only
  for the answers a query reranks; normalised copies would double the text.
* **Persistence**: :meth:`SearchIndex.save` writes the arrays behind a JSON header
  (format version, corpus fingerprint, CRC32); :meth:`SearchIndex.load` returns ``None``
  for a stale fingerprint or a damaged file, so the caller rebuilds.

An index is immutable once built: a reload builds a new one and the owner swaps the
reference, so concurrent readers see the old index or the new one, never a mix.  Building
and searching use no asyncio and are meant to run in an executor thread; the build keeps
each GIL-holding step short (a chunk at a time), so the event loop keeps running.
"""

from __future__ import annotations

import bisect
import ctypes
import glob
import hashlib
import json
import math
import os
import re
import threading
import unicodedata
import zlib
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import overload

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.models import Indexable, Role
from bot.search_fold import is_number, number_runs, number_variants, spelled_words, word_forms
from bot.search_vocab import VocabTypos
from bot.textutil import truncate

__all__ = [
    "MATCH_FLOOR",
    "Hit",
    "SearchIndex",
    "SearchResult",
    "Suggestion",
    "normalise",
]

FORMAT_VERSION = 3  # 3: the questions' sub-index
_MAGIC = b"QBSIDX01"

MATCH_FLOOR = 50.0  # lowest score that is a hit; calibrated on the negatives in the tests
SUGGEST_FLOOR = 25.0  # lowest score offered as a "did you mean" when nothing matched
LABEL_MAX = 100  # Discord's limit for an autocomplete choice
MAX_QUERY_CHARS = 300  # longer queries are cut (at a word) before they are searched
MAX_SLOTS = 12  # distinct content words a query may use
BUILD_CHUNK = 4096  # answers per build step
RERANK = 32  # candidates reranked per search
# Up to this many answers (a handful of interviews, the usual server) a naive
# token_set_ratio scan over every whole answer adds its best NAIVE_TAKE to the shortlist,
# so the index never misses what the naive scan finds; see the module docstring for cost.
NAIVE_FUSION_MAX = 1000
NAIVE_TAKE = 5
# When the runner-up scores within NEAR_TIE of the top answer (neither an exact phrase),
# the close ones are reordered with token_set_ratio over the whole answer added, scaled
# to TIE_WEIGHT points: the top answer must be clearly better, or the stronger scorer
# decides.
NEAR_TIE = 3.0
PAIR_DISCOUNT = 0.9  # a query's words over two adjacent sentences, against one sentence
TIE_WEIGHT = 6.0
PHRASE_POOL = 1500  # BM25 candidates scanned for the query as a phrase
PHRASE_EXTRA = 4000  # answers holding every query word scanned when the pool has no phrase
LATE_POOL = 5000  # candidates that very common words are looked up for
SUGGEST_RERANK = 24  # candidates reranked per autocomplete
CANDIDATE_BUDGET = 400_000  # postings scored per query before common words go late
BM25_K1 = 1.2
BM25_B = 0.75
BM25_TF = BM25_K1 + 1.0
# Candidate score per query word: idf * (COORDINATION + BM25 tf part, at most 2.2), so
# answers holding more of the (rarer) query words come first and BM25's length and
# frequency terms only order answers that hold the same words; pure BM25 buried a long
# answer holding all three words of a query under short ones holding two.
COORDINATION = 4.0
TYPO_WEIGHT = (1.0, 0.85, 0.6)  # by edit distance
INFLECTION_WEIGHT = 0.9
KNOWN_WORD_TYPO_DAMPING = 0.6
SPLIT_WEIGHT = 0.8  # "ripoffs" for "rip offs", "airplane" for "air plane"
NUMBER_WEIGHT = 0.95  # "12" for "twelve"
# A match in the question an answer replied to scores this share of the same match in the
# answer itself, so it ranks below it.
QUESTION_WEIGHT = 0.85
PREFIX_WEIGHT = 0.8
PREFIX_EXPANSIONS = 12

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves s t d ll m re ve o y isn aren wasn weren doesn didn hasn
    haven hadn won wouldn shouldn couldn mustn shan let
    """.split()
)

_STOP_LIST = sorted(STOP_WORDS)

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


def _cut_query(text: str) -> str:
    """The normalised query, at most MAX_QUERY_CHARS long, cut at a word."""
    norm = normalise(text[: MAX_QUERY_CHARS * 4])
    if len(norm) > MAX_QUERY_CHARS:
        norm = norm[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    return norm


# --- public data ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage that matched: `score` 0..100, the best sentence and whether exactly."""

    passage_id: str
    score: float
    sentence_index: int | None
    exact: bool


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits, best first (one per passage); suggestions only when there is no hit."""

    hits: list[Hit]
    suggestions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An autocomplete choice: a sentence (≤100 chars, cut at a word) and its passage."""

    label: str
    passage_id: str


# --- query planning -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slot:
    """One content word of a query and the vocabulary words that may stand for it."""

    word: str
    idf: float  # weight of this word in the coverage measure
    variants: dict[str, float]  # vocabulary word -> how much its presence counts (0..1]
    alike: frozenset[str]  # forms that count as the word: plurals, completions of a prefix


class _Query:
    """A planned query: its normalised text, slots and the look-ups the rerank uses."""

    __slots__ = ("alike", "idf", "lookup", "norm", "prefix", "slots", "weight")

    def __init__(self, norm: str, slots: tuple[_Slot, ...], prefix: bool) -> None:
        self.norm = norm  # normalised query, cut to MAX_QUERY_CHARS
        self.slots = slots
        self.prefix = prefix  # the last word may be unfinished
        self.idf = [s.idf for s in slots]
        self.weight = sum(self.idf) or 1.0
        # word -> (slot, credit) for the word, its typos and forms; word -> slots it fills
        self.lookup: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.alike: dict[str, list[int]] = defaultdict(list)
        for i, slot in enumerate(slots):
            self.lookup[slot.word].append((i, 1.0))
            for word, credit in slot.variants.items():
                if word != slot.word:
                    self.lookup[word].append((i, credit))
            for word in {slot.word, *slot.alike}:
                self.alike[word].append(i)
        self.lookup = dict(self.lookup)
        self.alike = dict(self.alike)

    def coverage(self, words: set[str]) -> tuple[float, bool]:
        """Idf-weighted share of the query answered by `words`, and whether all is there."""
        best = [0.0] * len(self.slots)
        filled = [False] * len(self.slots)
        for word in words.intersection(self.lookup):
            for i, credit in self.lookup[word]:
                if credit > best[i]:
                    best[i] = credit
            for i in self.alike.get(word, ()):
                filled[i] = True
        got = sum(w * b for w, b in zip(self.idf, best, strict=True))
        return got / self.weight, all(filled)

    def phrase_in(self, text: str) -> int:
        """Where the whole query occurs in normalised `text` as words, else -1."""
        padded = f" {text} "
        return padded.find(f" {self.norm}" if self.prefix else f" {self.norm} ")


@dataclass(frozen=True, slots=True)
class _Scored:
    """A reranked candidate passage."""

    row: int
    score: float
    exact: bool
    sentence: int
    density: float  # tie-break: how concentrated the query words are in the best sentence


def _tier_score(
    exact: bool, every_word: bool, coverage: float, phrase: float, focus: float
) -> float:
    """Scores in tiers: exact phrase 100, every word present 75..99, otherwise below 75.

    `phrase` is the fuzzy phrase similarity (0..100), `focus` the share of the query found
    in the single best sentence (0..1), which rewards words that occur together.
    """
    if exact:
        return 100.0
    if every_word:
        return 75.0 + 24.0 * (0.5 * phrase / 100.0 + 0.5 * focus)
    return 74.0 * (0.6 * coverage + 0.4 * phrase / 100.0)


def _phrase(query: str, text: str) -> tuple[float, int]:
    """Fuzzy similarity of `query` to its best window of `text`, and where that starts."""
    if not query or not text:
        return 0.0, 0
    if len(query) <= len(text):
        found = fuzz.partial_ratio_alignment(query, text)
        if found is None:
            return 0.0, 0
        return float(found.score), int(found.dest_start)
    return float(fuzz.ratio(query, text)), 0


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
# BM25's tf part for each stored impact byte (0..255 stands for 0..1, see _impacts).
_IMPACT_TF = np.arange(256, dtype=np.float64) * (BM25_TF / 255.0)


def _length_norms(
    lengths: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]]:
    """Per answer: BM25's length norm k1 * (1 - b + b * len / avg_len), and the impact
    byte of a word that occurs once there (see :func:`_impacts`)."""
    avg = max(float(lengths.mean()), 1.0) if len(lengths) else 1.0
    lnorm = (BM25_K1 * (1 - BM25_B + BM25_B * lengths / avg)).astype(np.float32)
    return lnorm, np.rint(255.0 / (1.0 + lnorm)).astype(np.uint8)


def _impacts(
    rows: npt.NDArray[np.uint32],
    more: _IntArray,
    tf_more: _IntArray,
    norms: tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]],
) -> npt.NDArray[np.uint8]:
    """BM25's saturated, length-normalised term frequency per posting, as 0..255.

    tf / (tf + k1 * (1 - b + b * len / avg_len)) lies in (0, 1); precomputing it at build
    time saves every query a gather of answer lengths and four passes over the postings,
    and one byte costs no more memory than the raw term count it replaces.  Most postings
    have tf == 1: one value per answer (`norms`, from :func:`_length_norms`), gathered;
    `more` are the postings whose term frequency `tf_more` is higher.
    """
    lnorm, once = norms
    impact = once[rows]
    tf = tf_more.astype(np.float32)
    impact[more] = np.rint(255.0 * tf / (tf + lnorm[rows[more]])).astype(np.uint8)
    return impact


@dataclass(frozen=True, slots=True)
class _Postings:
    """One bucket of postings after the final sort (see :func:`_postings`)."""

    term_keys: npt.NDArray[np.uint64]  # hash prefix of each term, ascending
    term_starts: _IntArray  # where each term's postings begin in `rows`
    rows: npt.NDArray[np.uint32]  # answer of each posting, ascending within a term
    impacts: npt.NDArray[np.uint8]  # BM25 tf part of each posting (see _impacts)


def _postings(
    parts: list[npt.NDArray[np.uint64]],
    rows: list[npt.NDArray[np.uint32]],
    row_bits: int,
    norms: tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]],
) -> _Postings:
    """Sort one bucket's (hash, row) keys and cut them into per-term postings.

    Keys are written a chunk at a time while the chunk is in cache (at 1M answers a
    bucket is ~150 MB: whole-array passes are memory-bound), each chunk freed once
    copied.  Most keys are unique (a word once in an answer), so duplicates are found as
    the rare equal neighbours rather than by marking every run start.
    """
    shift = np.uint64(row_bits)
    keys = np.empty(sum(map(len, parts)), dtype=np.uint64)
    high = np.uint64(((1 << 64) - 1) ^ ((1 << row_bits) - 1))
    at = 0
    parts.reverse()
    rows.reverse()
    while parts:
        part, chunk_rows = parts.pop(), rows.pop()
        into = keys[at : at + len(part)]
        np.bitwise_and(part, high, out=into)
        np.bitwise_or(into, chunk_rows, out=into)
        at += len(part)
        del part, chunk_rows
    keys.sort()
    dup = np.flatnonzero(keys[1:] == keys[:-1])  # keys[dup + 1] repeats the key before it
    if len(dup):
        keep = np.ones(len(keys), dtype=bool)
        keep[dup + 1] = False
        unique = keys[keep]
        del keep
        # The j-th repeat belongs to unique key dup[j] - j; those indices are sorted.
        owner = dup - np.arange(len(dup))
        more, count = np.unique(owner, return_counts=True)
        tf_more = np.minimum(count + 1, 255)
    else:
        unique = keys
        more = tf_more = np.zeros(0, dtype=np.int64)
    del keys, dup
    term_key = unique >> shift
    post_rows = (unique & np.uint64((1 << row_bits) - 1)).astype(np.uint32)
    del unique
    if len(term_key):
        term_starts = np.flatnonzero(term_key[1:] != term_key[:-1])
        term_starts += 1
        term_starts = np.concatenate(([0], term_starts))
    else:
        term_starts = np.zeros(0, dtype=np.int64)
    impacts = _impacts(post_rows, more, tf_more, norms)
    return _Postings(term_key[term_starts], term_starts, post_rows, impacts)


def _release_freed_memory() -> None:
    """Hand the build's freed scratch memory back to the OS (glibc keeps it otherwise).

    A 1M-answer build frees about a gigabyte of temporary arrays; glibc's heap keeps much
    of it mapped, which shows as resident memory the index does not use.  No-op where
    malloc_trim does not exist.
    """
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


# Byte-regex pieces for phrase scans over raw UTF-8 text (lower-cased ASCII).  A "word
# byte" is an ASCII letter or digit or any byte of a multi-byte character; between words
# anything else may stand, including curly quotes, dashes, ellipses and no-break spaces.
_WORD_BYTE = rb"[a-z0-9\x80-\xfe]"
_WORD_END = rb"(?![a-z0-9\x80-\xfe])"
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


_SEEN_BITS = 24
_SEEN_MASK = np.uint64((1 << _SEEN_BITS) - 1)
_HALF = np.uint64(1 << 63)
BUILD_THREADS = max(1, min(2, os.cpu_count() or 1))  # chunks tokenised at once
BUILD_AHEAD = 2 * BUILD_THREADS  # chunks in flight: bounds the build's extra memory


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One chunk of answers, tokenised: what :meth:`_Builder.commit` appends in order."""

    raw: npt.NDArray[np.uint8]  # the answers' sentences, 0x1F / 0x1E marks (text blob)
    ends: _IntArray  # offset of each answer's 0x1E mark in `raw`
    lengths: _IntArray  # words per answer, stop words included (BM25's length)
    # Per bucket (hash < 2**63, hash >= 2**63): hash of each indexed (non-stop) word and
    # its answer (0-based in this chunk).
    buckets: tuple[tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32]], ...]
    words: dict[int, str]  # text of the words whose hash the bitmap had not seen


def _prepare(quotable: Sequence[Indexable], seen: npt.NDArray[np.bool_]) -> _Chunk:
    """Tokenise one chunk of answers (the part of a build that runs in worker threads).

    `seen` is the builder's bitmap of word hashes already named; it is only read here,
    so a word first met by two chunks at once is decoded twice and kept once.
    """
    groups = [p.sentences or (p.text,) for p in quotable]
    counts = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    text = "\x1f".join(chain.from_iterable(groups)) + "\x1f"
    raw = np.frombuffer(bytearray(text.encode("utf-8", "replace")), dtype=np.uint8)
    seps = np.flatnonzero(raw == 0x1F)
    if len(seps) != int(counts.sum()) or bool((raw == 0x1E).any()):  # a mark in a sentence
        clean = [[s.replace("\x1f", " ").replace("\x1e", " ") for s in g] for g in groups]
        text = "\x1f".join(chain.from_iterable(clean)) + "\x1f"
        raw = np.frombuffer(bytearray(text.encode("utf-8", "replace")), dtype=np.uint8)
        seps = np.flatnonzero(raw == 0x1F)
    last = np.cumsum(counts) - 1  # each answer's last sentence
    ends = seps[last]
    plain = raw.copy()
    if _blank_common_punct(plain):  # ASCII now: fold the bytes, offsets stay the same
        folded = plain.tobytes().translate(_SENTENCE_TABLE)
        marks = ends
    else:
        folded = _fold(text).encode("utf-8", "replace").translate(_SENTENCE_TABLE)
        marks = np.flatnonzero(np.frombuffer(folded, dtype=np.uint8) == 0x1F)[last]
    del plain
    # Every sentence ends with 0x1F in the blob; an answer's last one with 0x1E instead.
    raw[ends] = 0x1E
    # A word belongs to the answer whose end mark is the first one after it (the marks
    # are not word bytes, so _tokenise splits there too).
    starts, stops, hashes_all = _tokenise(folded)
    per_answer = np.diff(np.searchsorted(starts, marks), prepend=0)
    local = np.repeat(np.arange(len(groups), dtype=np.uint32), per_answer)
    slot = _STOP_SLOTS[(hashes_all & np.uint64(0xFFFF)).astype(np.intp)]
    keep = np.flatnonzero(_STOP_HASHES[slot] != hashes_all)  # slot -1 reads the final 0
    hashes, local = hashes_all[keep], local[keep]
    upper = hashes >= _HALF  # bucket by the top bit: the final sort runs per bucket
    low_half, high_half = np.flatnonzero(~upper), np.flatnonzero(upper)
    buckets = ((hashes[low_half], local[low_half]), (hashes[high_half], local[high_half]))
    words: dict[int, str] = {}
    fresh = np.flatnonzero(~seen[(hashes & _SEEN_MASK).astype(np.intp)])
    if len(fresh):
        _, first = np.unique(hashes[fresh], return_index=True)
        for i in keep[fresh[first]].tolist():
            words[int(hashes_all[i])] = folded[starts[i] : stops[i]].decode("utf-8", "replace")
    return _Chunk(raw, ends, per_answer, buckets, words)


class _Builder:
    """Accumulates chunks of answers into the arrays a SearchIndex is made of.

    Per chunk (:func:`_prepare`, in worker threads: most of it is numpy and string work
    that releases the GIL or is short): sentences are joined once (0x1F after a
    sentence, 0x1E after an answer's last one) and encoded into the text blob, whose
    separators give every offset in one vectorised scan; the same text is folded and
    byte-translated once and tokenised by :func:`_tokenise` into word hashes and answer
    rows.  Stop words are dropped by a table look-up, and a word's text is only decoded
    the first time its hash is seen (a bitmap filters the rest).  Chunks are committed in
    order, so rows, blob and fingerprint do not depend on thread timing.  At the end the
    (hash, row) keys of all chunks are sorted once; runs give the postings, their lengths
    the term counts.
    """

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.ids: list[str] = []
        self.hashes: tuple[list[npt.NDArray[np.uint64]], ...] = ([], [])  # per bucket
        self.rows: tuple[list[npt.NDArray[np.uint32]], ...] = ([], [])
        self.lengths: list[npt.NDArray[np.int64]] = []
        self.answer_ends: list[_IntArray] = []
        self.blob: list[npt.NDArray[np.uint8]] = []
        self.blob_size = 0
        self.words: dict[int, str] = {}
        self.seen = np.zeros(1 << _SEEN_BITS, dtype=bool)
        self.answers = 0  # answers committed so far

    def ingest(self, passages: Iterable[Indexable], threads: int = BUILD_THREADS) -> None:
        """Add every passage, a chunk at a time, tokenising up to `threads` chunks at once."""
        it = iter(passages)
        if threads <= 1:
            while chunk := list(islice(it, BUILD_CHUNK)):
                quotable = self._reserve(chunk)
                if quotable:
                    self._commit(_prepare(quotable, self.seen))
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="search-build") as pool:
            window: deque[Future[_Chunk]] = deque()
            try:
                while chunk := list(islice(it, BUILD_CHUNK)):
                    quotable = self._reserve(chunk)
                    if quotable:
                        window.append(pool.submit(_prepare, quotable, self.seen))
                    while len(window) >= BUILD_AHEAD:
                        self._commit(window.popleft().result())
                while window:
                    self._commit(window.popleft().result())
            finally:
                for pending in window:
                    pending.cancel()

    def _reserve(self, chunk: Sequence[Indexable]) -> list[Indexable]:
        """Record the chunk's passages (fingerprint, ids); its answers, to be tokenised."""
        self.digest.update("".join([p.id for p in chunk]).encode())
        quotable = [p for p in chunk if p.role == "interviewee"]
        self.ids.extend([p.id for p in quotable])
        return quotable

    def _commit(self, done: _Chunk) -> None:
        """Append a tokenised chunk; chunks must come in the order they were reserved."""
        base = self.answers
        self.answers += len(done.lengths)
        self.answer_ends.append(done.ends.astype(np.int64) + (self.blob_size + 1))
        self.blob.append(done.raw)
        self.blob_size += len(done.raw)
        self.lengths.append(done.lengths)
        for (hashes, rows), into_hashes, into_rows in zip(
            done.buckets, self.hashes, self.rows, strict=True
        ):
            into_hashes.append(hashes)
            into_rows.append(rows + np.uint32(base))
        for key, word in done.words.items():
            self.words.setdefault(key, word)
        named = np.fromiter(done.words, np.uint64, len(done.words))
        self.seen[(named & _SEEN_MASK).astype(np.intp)] = True

    def finish(self, threads: int = BUILD_THREADS) -> SearchIndex:
        """Sort the postings (each bucket in a worker thread) and make the index."""
        n = len(self.ids)
        row_bits = max(1, n.bit_length())
        lengths = (
            np.concatenate(self.lengths).astype(np.uint32)
            if self.lengths
            else np.zeros(0, dtype=np.uint32)
        )
        norms = _length_norms(lengths)
        with ThreadPoolExecutor(max(1, threads), thread_name_prefix="search-build") as pool:
            jobs = [
                pool.submit(_postings, hashes, rows, row_bits, norms)
                for hashes, rows in zip(self.hashes, self.rows, strict=True)
            ]
            parts = [job.result() for job in jobs]
        blob = _Text([chunk.data.toreadonly() for chunk in self.blob])
        self.blob = []
        sizes = np.cumsum([0, *(len(p.rows) for p in parts)]).tolist()
        post_ids = np.concatenate([p.rows for p in parts])
        post_impact = np.concatenate([p.impacts for p in parts])
        term_starts = np.concatenate(
            [p.term_starts + at for p, at in zip(parts, sizes, strict=False)]
        )
        term_keys = np.concatenate([p.term_keys for p in parts])
        del parts
        term_off = np.append(term_starts, len(post_ids)).astype(np.int64)
        names = {key >> row_bits: word for key, word in self.words.items()}
        vocab: list[str] = []
        ends = np.concatenate(self.answer_ends) if self.answer_ends else np.zeros(0, np.int64)
        offsets = np.concatenate(([0], ends)).astype(np.int64)
        for key, first in zip(term_keys.tolist(), term_starts.tolist(), strict=True):
            word = names.get(key)
            if word is None:  # its bitmap slot was taken by another word: find it again
                word = self._recover(key, row_bits, int(post_ids[first]), blob, offsets)
            vocab.append(word)
        return SearchIndex(
            ids=self.ids,
            vocab=vocab,
            term_off=term_off,
            post_ids=post_ids,
            post_impact=post_impact,
            lengths=lengths,
            offsets=offsets,
            blob=blob,
            fingerprint=self.digest.hexdigest(),
        )

    @staticmethod
    def _recover(key: int, row_bits: int, row: int, blob: _Text, offsets: _IntArray) -> str:
        """The word whose hash begins with `key`, read again from an answer that has it."""
        lo, hi = int(offsets[row]), int(offsets[row + 1])
        text = str(blob[lo:hi], "utf-8", "replace").replace("\x1e", " ")
        for full, word in _hash_words(normalise(text).split()).items():
            if full >> row_bits == key:
                return word
        return ""


def _remove_stale_temporaries(path: Path) -> None:
    """Delete the temporary files that saves killed mid-write left beside `path`.

    A save writes ``.<name>.<pid>.<thread>.tmp`` and renames it; a kill before the rename
    leaves it behind.  Files of a process that is still running are left alone.
    """
    prefix = f".{path.name}."
    for tmp in path.parent.glob(glob.escape(prefix) + "*.tmp"):
        pid = tmp.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process
        return True
    except OSError:
        return True
    return True


class _Ids(Sequence[str]):
    """The answers' ids as one newline-joined UTF-8 buffer and the offsets into it.

    A list of a million id strings held ~70 MB; this holds the buffer (a view of the
    loaded file, or ~13 MB) and 8 bytes an id, and makes a str only for an id asked for.
    """

    __slots__ = ("_data", "_starts")

    def __init__(self, data: bytes | memoryview) -> None:
        self._data = memoryview(data)
        raw = np.frombuffer(self._data, dtype=np.uint8)
        ends = np.flatnonzero(raw == ord("\n")) if len(raw) else np.zeros(0, np.int64)
        bounds = ([0], ends + 1, [len(raw) + 1]) if len(raw) else ([0],)
        self._starts: _IntArray = np.concatenate(bounds).astype(np.int64)

    @classmethod
    def of(cls, ids: Sequence[str]) -> _Ids:
        return ids if isinstance(ids, _Ids) else cls("\n".join(ids).encode("utf-8"))

    @property
    def data(self) -> memoryview:
        return self._data

    @property
    def nbytes(self) -> int:
        return self._data.nbytes + self._starts.nbytes

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __iter__(self) -> Iterator[str]:
        """All ids at once (one decode and split: ~0.1 s for a million, not ~2 s)."""
        return iter(str(self._data, "utf-8").split("\n") if len(self) else ())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in iter(self)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        n = len(self)
        if not -n <= at < n:
            raise IndexError(at)
        at %= n
        lo, hi = int(self._starts[at]), int(self._starts[at + 1]) - 1
        return str(self._data[lo:hi], "utf-8")


class _Text:
    """The answers' UTF-8 text, addressed by offset: one buffer, or the build's chunks.

    A built index keeps the chunks it tokenised (no answer spans two) instead of
    copying ~400 MB into one buffer at 1M answers; a loaded one has a single buffer.
    """

    __slots__ = ("_bounds", "_parts", "_starts")

    def __init__(self, parts: Sequence[memoryview]) -> None:
        self._parts = list(parts) or [memoryview(b"")]
        sizes = [part.nbytes for part in self._parts]
        self._starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._bounds = self._starts.tolist()

    @property
    def parts(self) -> list[memoryview]:
        return self._parts

    def __len__(self) -> int:
        return self._bounds[-1]

    def __getitem__(self, span: slice) -> memoryview:
        lo, hi = span.start, span.stop
        at = bisect.bisect_right(self._bounds, lo) - 1 if len(self._parts) > 1 else 0
        base = self._bounds[at]
        return self._parts[at][lo - base : hi - base]

    def spans(self, lows: _IntArray, highs: _IntArray) -> list[memoryview]:
        """``[self[lo:hi] for lo, hi in zip(lows, highs)]``, with the part look-ups in numpy."""
        if len(self._parts) == 1:
            whole = self._parts[0]
            return [whole[a:b] for a, b in zip(lows.tolist(), highs.tolist(), strict=True)]
        at = np.searchsorted(self._starts, lows, side="right") - 1
        base = self._starts[at]
        parts = self._parts
        return [
            parts[i][a:b]
            for i, a, b in zip(
                at.tolist(), (lows - base).tolist(), (highs - base).tolist(), strict=True
            )
        ]


@dataclass(frozen=True, slots=True)
class _Asked:
    """A question as the questions' sub-index reads it, under its answer's id."""

    id: str
    role: Role
    sentences: tuple[str, ...]
    text: str
    question: str | None = None


class SearchIndex:
    """Immutable search index over interviewee answers; see the module docstring."""

    __slots__ = (
        "_blob",
        "_df",
        "_fingerprint",
        "_ids",
        "_lengths",
        "_lnorm",
        "_n",
        "_offsets",
        "_plain",
        "_post_ids",
        "_post_impact",
        "_questions",
        "_sorted",
        "_sorted_terms",
        "_term_id",
        "_term_off",
        "_typos",
        "_vocab",
    )

    def __init__(
        self,
        *,
        ids: Sequence[str],
        vocab: list[str],
        term_off: _IntArray,
        post_ids: npt.NDArray[np.uint32],
        post_impact: npt.NDArray[np.uint8],
        lengths: npt.NDArray[np.uint32],
        offsets: _IntArray,
        blob: bytes | memoryview | _Text,
        fingerprint: str,
        questions: SearchIndex | None = None,
    ) -> None:
        self._ids = _Ids.of(ids)
        # The questions the answers replied to, as an index of their own whose "answers"
        # are the questions and whose ids are the answers' ids (None when there are none).
        self._questions = questions
        self._plain: list[str] | None = None  # whole answers normalised, for naive fusion
        self._n = len(self._ids)
        self._vocab = vocab  # a term id is its position here
        self._term_id = {w: i for i, w in enumerate(vocab)}
        order = sorted(range(len(vocab)), key=vocab.__getitem__)
        self._sorted = [vocab[i] for i in order]  # for prefix look-ups with bisect
        self._sorted_terms = np.asarray(order, dtype=np.int64)
        self._term_off = term_off
        self._df: _IntArray = np.diff(term_off)
        self._post_ids = post_ids
        self._post_impact = post_impact  # BM25 tf part, 0..255 for 0..1 (see _impacts)
        self._lengths = lengths
        self._lnorm = _length_norms(lengths)[0]
        # Answer r is blob[offsets[r] : offsets[r + 1] - 1]: its sentences joined by 0x1F;
        # the byte before the next answer is its 0x1E end mark.
        self._offsets = offsets
        self._blob = blob if isinstance(blob, _Text) else _Text([memoryview(blob)])
        self._fingerprint = fingerprint
        self._typos = VocabTypos(vocab, self._df)
        for arr in (term_off, post_ids, post_impact, lengths, offsets, self._df, self._lnorm):
            if arr.flags.writeable:
                arr.flags.writeable = False

    # --- building -------------------------------------------------------------------

    @classmethod
    def build(cls, passages: Iterable[Indexable]) -> SearchIndex:
        """Index the interviewee answers among `passages`; other passages are skipped.

        The fingerprint saved with the index is computed over every passage given, in
        order, exactly as ``bot.store.fingerprint`` does, so ``load`` can tell staleness.
        Work is done a chunk of answers at a time in whole-chunk string and numpy passes
        (about 1M answers in a few seconds), and no single step holds the GIL for long.
        """
        asked: list[_Asked] = []

        def noting_questions(rows: Iterable[Indexable]) -> Iterator[Indexable]:
            for row in rows:
                question = getattr(row, "question", None)
                if question and row.role == "interviewee":
                    asked.append(_Asked(row.id, "interviewee", (question,), question))
                yield row

        builder = _Builder()
        builder.ingest(noting_questions(passages))
        index = builder.finish()
        del builder
        if asked:
            questions = _Builder()
            questions.ingest(asked)
            index._questions = questions.finish()
            index._questions._fingerprint = index._fingerprint
        _release_freed_memory()
        return index

    def __len__(self) -> int:
        return self._n

    def _nbytes(self) -> int:
        """Approximate memory held by the index (arrays, text blob, ids and vocabulary)."""
        arrays = (self._term_off, self._post_ids, self._post_impact, self._lengths, self._offsets)
        blob = len(self._blob)
        strings = sum(49 + len(w) for w in self._vocab) * 3 + self._ids.nbytes
        return sum(a.nbytes for a in arrays) + self._lnorm.nbytes + self._df.nbytes + blob + strings

    @property
    def ids(self) -> Sequence[str]:
        """The indexed answers' ids, in the order they were given to the build."""
        return self._ids

    @property
    def fingerprint(self) -> str:
        """The corpus identity this index was built from (see :meth:`build`)."""
        return self._fingerprint

    # --- persistence ----------------------------------------------------------------

    def _file_parts(self) -> list[bytes | memoryview]:
        """The saved file's pieces in order: magic, header size, header, the arrays."""
        parts: dict[str, bytes | _Text] = {
            "ids": bytes(self._ids.data),
            "vocab": "\n".join(self._vocab).encode("utf-8"),
            "term_off": self._term_off.tobytes(),
            "post_ids": self._post_ids.tobytes(),
            "post_impact": self._post_impact.tobytes(),
            "lengths": self._lengths.tobytes(),
            "offsets": self._offsets.tobytes(),
            "blob": self._blob,
            "questions": self._questions._serialised() if self._questions else b"",
        }
        layout: dict[str, list[int]] = {}
        offset = 0
        crc = 0
        for name, data in parts.items():
            layout[name] = [offset, len(data)]
            offset += len(data)
            for piece in data.parts if isinstance(data, _Text) else [data]:
                crc = zlib.crc32(piece, crc)
        header = json.dumps(
            {
                "version": FORMAT_VERSION,
                "fingerprint": self._fingerprint,
                "passages": self._n,
                "terms": len(self._vocab),
                "layout": layout,
                "crc32": crc,
            }
        ).encode("utf-8")
        pieces: list[bytes | memoryview] = [_MAGIC, len(header).to_bytes(4, "little"), header]
        for data in parts.values():
            pieces.extend(data.parts if isinstance(data, _Text) else [data])
        return pieces

    def _serialised(self) -> bytes:
        """The whole saved form in memory (the questions' sub-index inside its parent)."""
        return b"".join(self._file_parts())

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically (a temporary file, then a rename)."""
        pieces = self._file_parts()
        _remove_stale_temporaries(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with tmp.open("wb") as out:
                for piece in pieces:
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> SearchIndex | None:
        """The index saved at `path`, or None when it is missing, stale or damaged."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            return cls._from_bytes(raw, fingerprint)
        except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
            return None

    @classmethod
    def _from_bytes(cls, raw: bytes, fingerprint: str) -> SearchIndex | None:
        if raw[: len(_MAGIC)] != _MAGIC:
            return None
        start = len(_MAGIC) + 4
        size = int.from_bytes(raw[len(_MAGIC) : start], "little")
        header = json.loads(raw[start : start + size])
        if header.get("version") != FORMAT_VERSION or header.get("fingerprint") != fingerprint:
            return None
        payload = memoryview(raw)[start + size :]
        layout = header["layout"]
        total = sum(length for _, length in layout.values())
        if len(payload) != total or zlib.crc32(payload) != header["crc32"]:
            return None

        def part(name: str) -> memoryview:
            offset, length = layout[name]
            return payload[offset : offset + length]

        n, v = int(header["passages"]), int(header["terms"])
        ids = _Ids(part("ids") if n else b"")
        vocab = str(part("vocab"), "utf-8").split("\n") if v else []
        term_off = np.frombuffer(part("term_off"), dtype=np.int64)
        post_ids = np.frombuffer(part("post_ids"), dtype=np.uint32)
        post_impact = np.frombuffer(part("post_impact"), dtype=np.uint8)
        lengths = np.frombuffer(part("lengths"), dtype=np.uint32)
        offsets = np.frombuffer(part("offsets"), dtype=np.int64)
        blob = part("blob")
        consistent = (
            len(ids) == n
            and len(vocab) == v
            and len(term_off) == v + 1
            and len(lengths) == n
            and len(offsets) == n + 1
            and len(post_ids) == len(post_impact)
            and int(term_off[-1]) == len(post_ids)
            and int(offsets[-1]) == len(blob)
            and len(set(vocab)) == v
            and (not len(post_ids) or int(post_ids.max()) < n)
            and all(
                int(a[0]) == 0 and not bool(np.any(np.diff(a) < 0)) for a in (term_off, offsets)
            )
        )
        if not consistent:
            return None
        questions = None
        if layout.get("questions", [0, 0])[1]:
            questions = cls._from_bytes(bytes(part("questions")), fingerprint)
            if questions is None:
                return None
        return cls(
            ids=ids,
            vocab=vocab,
            term_off=term_off,
            post_ids=post_ids,
            post_impact=post_impact,
            lengths=lengths,
            offsets=offsets,
            blob=blob,
            fingerprint=fingerprint,
            questions=questions,
        )

    # --- text -----------------------------------------------------------------------

    def _sentences(self, row: int) -> list[str]:
        lo, hi = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
        return str(self._blob[lo:hi], "utf-8", "replace").split("\x1f")

    # --- query planning -------------------------------------------------------------

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def _neighbours(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary words one edit away (two for long words), at any position."""
        return [(self._vocab[tid], dist) for tid, dist in self._typos.typos(word)]

    def _misspelt_stop_word(self, word: str) -> bool:
        """ "becuase", "ther": one edit from a stop word and not a word of the corpus."""
        if word in self._term_id or len(word) < 3 or word.isdigit():
            return False
        return process.extractOne(word, _STOP_LIST, scorer=OSA.distance, score_cutoff=1) is not None

    def _halves(self, word: str) -> tuple[str, ...]:
        """Two words of the corpus that `word` runs together ("ripoffs" -> "rip", "offs")."""
        if len(word) < 5 or word.isdigit():
            return ()
        known = self._term_id
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if (head in known or head in STOP_WORDS) and tail in known:
                return (head, tail) if head in known else (tail,)
            if head in known and tail in STOP_WORDS and len(head) >= 3:  # "walkin"
                return (head,)
        return ()

    def _df_of(self, word: str) -> int:
        tid = self._term_id.get(word)
        return 0 if tid is None else int(self._df[tid])

    def _completions(self, stem: str) -> list[str]:
        """The most frequent vocabulary words that begin with `stem` (not `stem` itself)."""
        lo = bisect.bisect_right(self._sorted, stem)
        hi = bisect.bisect_left(self._sorted, stem + "\U0010ffff", lo)
        if hi <= lo:
            return []
        terms = self._sorted_terms[lo:hi]
        df = self._df[terms]
        if hi - lo > PREFIX_EXPANSIONS:
            best = np.argpartition(-df, PREFIX_EXPANSIONS - 1)[:PREFIX_EXPANSIONS]
        else:
            best = np.arange(hi - lo)
        picks = sorted(best.tolist(), key=lambda i: (-int(df[i]), int(terms[i])))
        return [self._vocab[int(terms[i])] for i in picks]

    def _forms(self, word: str, numbers: bool) -> list[tuple[str, float]]:
        """Corpus words that are another form of `word`, and how much each counts.

        Inflections and British/American spellings (:func:`bot.search_fold.word_forms`),
        the same number in digits or in words ("twelve" / "12", "third" / "3rd", "11000" /
        "eleven thousand") when `numbers` (a query of numbers alone gets no such help:
        "1 1" would match every answer with "one" in it).
        """
        known = self._term_id
        found = [(w, INFLECTION_WEIGHT) for w in sorted(word_forms(word, known))]
        if numbers:
            found += [(w, NUMBER_WEIGHT) for w in number_variants(word) if w in known]
            if word.isdigit() and word not in known:
                found += [(w, NUMBER_WEIGHT) for w in spelled_words(word) if w in known]
        return found

    def _pair_variants(self, tokens: list[str]) -> dict[str, list[str]]:
        """Corpus words two neighbouring query words make, for each of the two words.

        "air plane" -> "airplane", "star light" -> "starlight", and a number spelt in
        words -> its digits ("forty five" -> "45", "twenty nineteen" -> "2019").
        """
        known = self._term_id
        out: dict[str, list[str]] = defaultdict(list)
        for a, b in pairwise(tokens):
            joined = a + b
            if joined in known and joined not in STOP_WORDS and len(joined) >= 5:
                out[a].append(joined)
                out[b].append(joined)
        for start, end, digits in number_runs(tokens):
            if digits in known:
                for token in tokens[start:end]:
                    out[token].append(digits)
        return dict(out)

    def _plan(self, text: str, *, suggest: bool) -> _Query | None:
        """Normalise the query and work out which vocabulary words may answer each word."""
        norm = _cut_query(text)
        if not norm:
            return None
        words = [
            w
            for w in _content_words(norm.split())
            if (len(w) > 1 or w.isdigit()) and not self._misspelt_stop_word(w)
        ]
        last_open = suggest and not text[-1:].isspace()
        prefix = last_open and norm.split()[-1] == (words[-1] if words else None)
        words = words[:MAX_SLOTS]
        if not words:
            return None
        max_idf = self._idf(0)
        extra = self._pair_variants(norm.split())
        numbers = any(not is_number(w) for w in words)
        slots: list[_Slot] = []
        for i, word in enumerate(words):
            is_last = i == len(words) - 1
            known = word in self._term_id
            variants: dict[str, float] = {word: 1.0} if known else {}
            alike: list[str] = []
            for other, credit in self._forms(word, numbers):
                variants.setdefault(other, credit)
                alike.append(other)
            for other in extra.get(word, ()):
                variants.setdefault(other, SPLIT_WEIGHT)
                alike.append(other)
            if not known:
                for part in self._halves(word):
                    variants.setdefault(part, SPLIT_WEIGHT)
            # A word the corpus has is probably meant as typed: its neighbours count less.
            damp = KNOWN_WORD_TYPO_DAMPING if known else 1.0
            for other, dist in self._neighbours(word):
                variants.setdefault(other, TYPO_WEIGHT[dist] * damp)
            if is_last and (prefix or (len(word) >= 3 and not known)):
                completions = self._completions(word)
                alike.extend(completions)
                for other in completions:
                    variants.setdefault(other, PREFIX_WEIGHT)
            if known:
                idf = self._idf(self._df_of(word))
            elif variants:
                best = max(variants.values())
                idf = min(self._idf(self._df_of(v)) for v, w in variants.items() if w == best)
            else:
                idf = max_idf
            slots.append(_Slot(word, idf, variants, frozenset(alike)))
        return _Query(norm, tuple(slots), prefix)

    # --- candidates -----------------------------------------------------------------

    def _candidates(self, query: _Query, k: int) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        """Rows of the `k` passages with the best BM25 score over the query's variants.

        Slots pick candidates rarest first while their postings fit CANDIDATE_BUDGET (the
        rarest always does); the commoner rest would touch much of a large corpus, so they
        are added afterwards, by a binary search of their sorted postings, for the best
        LATE_POOL candidates only.
        """
        plans: list[list[tuple[int, float]]] = []
        for slot in query.slots:
            terms = [(self._term_id[v], w) for v, w in slot.variants.items() if v in self._term_id]
            if terms:
                plans.append(terms)
        if not plans:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        df = self._df

        def cost(terms: list[tuple[int, float]]) -> int:
            """Postings a slot would score: all its words (typos, completions) together."""
            return sum(int(df[t]) for t, _ in terms)

        by_df = sorted(plans, key=cost)
        picking: list[list[tuple[int, float]]] = []
        spent = 0
        for terms in by_df:
            if picking and spent + cost(terms) > CANDIDATE_BUDGET:
                break
            picking.append(terms)
            spent += cost(terms)
        late = by_df[len(picking) :]
        found, scores = self._accumulate(picking, LATE_POOL if late else k)
        if late and len(found):
            if len(found) > LATE_POOL:
                top = np.argpartition(-scores, LATE_POOL - 1)[:LATE_POOL]
                top.sort()  # rows in order: searchsorted then walks each postings list once
                found, scores = found[top], scores[top]
            norm = COORDINATION + BM25_TF / (1.0 + self._lnorm[found].astype(np.float64))
            probe = found.astype(np.uint32)  # same dtype as the postings: no copy of them
            for terms in late:
                best = np.zeros(len(found))
                for tid, factor in terms:
                    lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
                    post = self._post_ids[lo:hi]
                    at = np.minimum(np.searchsorted(post, probe), len(post) - 1)
                    present = post[at] == probe
                    best = np.maximum(best, present * (factor * self._idf(hi - lo)))
                scores = scores + best * norm
        if len(found) > k:
            top = np.argpartition(-scores, k - 1)[:k]
            found, scores = found[top], scores[top]
        order = np.lexsort((found, -scores))
        return found[order], scores[order]

    def _accumulate(
        self, plans: list[list[tuple[int, float]]], keep: int
    ) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        """Candidate score per row over the slots' postings (see COORDINATION).

        Every row among the best `keep` is returned, perhaps with others.  A posting's
        weight is an affine function of its one-byte impact, so each term's weights are
        one look-up in a 256-entry table rather than a cast and two passes.  A row holding
        two variants of one slot (a word and its plural) counts both; that only reorders
        candidates slightly, and the rerank scores each slot once.
        """
        id_parts: list[npt.NDArray[np.uint32]] = []
        weight_parts: list[npt.NDArray[np.float64]] = []
        for terms in plans:
            for tid, factor in sorted(terms, key=lambda tw: -tw[1]):
                lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
                scale = factor * self._idf(hi - lo)
                table = _IMPACT_TF * scale + scale * COORDINATION
                id_parts.append(self._post_ids[lo:hi])
                weight_parts.append(table[self._post_impact[lo:hi]])
        if len(id_parts) == 1:  # one word: its postings are already unique and sorted
            return id_parts[0].astype(np.int64), weight_parts[0]
        all_ids = np.concatenate(id_parts, dtype=np.intp)  # bincount would cast it anyway
        all_w = np.concatenate(weight_parts)
        if len(all_ids) * 64 < self._n:  # few postings: sorting them beats an N-sized pass
            uniq_ids, inverse = np.unique(all_ids, return_inverse=True)
            return uniq_ids.astype(np.int64), np.bincount(inverse, weights=all_w).astype(
                np.float64, copy=False
            )
        dense = np.bincount(all_ids, weights=all_w, minlength=self._n).astype(
            np.float64, copy=False
        )
        if len(all_ids) > 8 * keep:
            # Many rows, few wanted: a threshold from a sample of the scored rows keeps a
            # few times `keep` of them (exact whenever at least `keep` pass it), which
            # is much cheaper than listing every scored row and partitioning them.
            # A row in several postings is sampled as often, so the sample leans high:
            # a second, lower threshold catches the usual miss.
            step = max(1, len(all_ids) // 16384)
            sample = dense[all_ids[::step]]
            last = len(sample) - 1
            ranks = [int(max(0.0, 1.0 - f * keep / len(all_ids)) * last) for f in (3, 12)]
            sample.partition(ranks)
            for rank in ranks:
                found = np.flatnonzero(dense >= sample[rank])
                if len(found) >= keep:
                    return found, dense[found]
        mark = np.zeros(self._n, dtype=bool)  # scanning 1 byte a row beats 8 (float64)
        mark[all_ids] = True
        found = np.flatnonzero(mark)
        return found, dense[found]

    # --- searching ------------------------------------------------------------------

    def _shortlist(self, query: _Query, k: int) -> list[tuple[int, float]]:
        """The rows to rerank: answers that contain the query as a phrase, then BM25's best.

        BM25 cannot see word order, so when every query word is common the answer that
        holds the phrase can rank anywhere among thousands that merely hold the words.  The
        best PHRASE_POOL candidates are therefore scanned, as raw lower-cased bytes joined
        into one buffer, with one regular expression: the query's words in order, any
        punctuation between them, and a wildcard for a word the corpus lacks (a typo).
        """
        rows, bm25 = self._candidates(query, max(k, PHRASE_POOL))
        pattern = self._phrase_pattern(query) if len(rows) > k else None
        if pattern is None:
            return list(zip(rows[:k].tolist(), bm25[:k].tolist(), strict=True))
        found = self._phrase_rows(pattern, rows, k)
        if not found:
            # The phrase may be in an answer BM25 ranked below the pool (every word of the
            # query common): look in the answers that hold all its corpus words.
            extra = self._rows_with_all(query)
            extra = extra[~np.isin(extra, rows)]
            if 0 < len(extra) <= PHRASE_EXTRA:
                hits = [int(extra[i]) for i in self._phrase_rows(pattern, extra, k)]
                if hits:
                    rest = list(zip(rows.tolist(), bm25.tolist(), strict=True))
                    return ([(r, 0.0) for r in hits] + rest)[:k]
            return list(zip(rows[:k].tolist(), bm25[:k].tolist(), strict=True))
        first = sorted(found)
        order = first + [i for i in range(min(len(rows), k + len(first))) if i not in found]
        picked = np.asarray(order[:k], dtype=np.int64)
        return list(zip(rows[picked].tolist(), bm25[picked].tolist(), strict=True))

    def _phrase_rows(self, pattern: re.Pattern[bytes], rows: _IntArray, k: int) -> list[int]:
        """Positions in `rows` of the answers `pattern` matches (at most `k`), in order."""
        lows = self._offsets[rows]
        highs = self._offsets[rows + 1] - 1
        joined = b" \xff ".join(self._blob.spans(lows, highs)).lower()
        starts = np.concatenate(([0], np.cumsum(highs - lows + 3)[:-1])).tolist()
        found: dict[int, None] = {}
        for match in pattern.finditer(joined):
            found[bisect.bisect_right(starts, match.start()) - 1] = None
            if len(found) >= k:
                break
        return sorted(found)

    def _rows_with_all(self, query: _Query) -> _IntArray:
        """The answers holding every query word the corpus has (rarest postings first)."""
        terms = sorted(
            (self._term_id[s.word] for s in query.slots if s.word in self._term_id),
            key=lambda t: int(self._df[t]),
        )
        if not terms:
            return np.zeros(0, np.int64)
        lo, hi = int(self._term_off[terms[0]]), int(self._term_off[terms[0] + 1])
        rows = self._post_ids[lo:hi]
        for tid in terms[1:]:
            if not len(rows):
                break
            lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
            post = self._post_ids[lo:hi]
            at = np.minimum(np.searchsorted(post, rows), len(post) - 1)
            rows = rows[post[at] == rows]
        return rows.astype(np.int64)

    def _phrase_pattern(self, query: _Query) -> re.Pattern[bytes] | None:
        """A byte regex for the query as a phrase; None when it would not narrow.

        It starts with the first word the corpus has (words before it are dropped), so the
        regex engine can skip ahead by that literal; the word boundary before it is a
        fixed-width look-behind placed after it, which keeps the literal first.
        """
        tokens = query.norm.split()
        parts: list[bytes] = []
        literal = 0
        for i, token in enumerate(tokens):
            last = i == len(tokens) - 1
            if token in self._term_id or token in STOP_WORDS or (last and query.prefix):
                word = token.encode("utf-8")
                if not parts:
                    parts.append(re.escape(word) + rb"(?<!" + _WORD_BYTE + b".{%d})" % len(word))
                else:
                    parts.append(re.escape(word))
                literal += token not in STOP_WORDS
            elif parts:
                parts.append(_WILDCARD)
        while parts and parts[-1] == _WILDCARD:
            parts.pop()
        if literal < 1 or len(parts) < 2:
            return None
        tail = b"" if query.prefix else _WORD_END
        return re.compile(_GAP.join(parts) + tail, re.DOTALL)

    def _rank(self, query: _Query, k: int) -> list[_Scored]:
        shortlist = self._shortlist(query, k)
        ranked = [self._score(query, row, base) for row, base in shortlist]
        if self._n <= NAIVE_FUSION_MAX and not any(s.exact for s in ranked):
            have = {row for row, _ in shortlist}
            ranked += [
                self._score(query, row, 0.0) for row in self._naive_rows(query) if row not in have
            ]
        ranked.sort(key=lambda s: (-s.score, -s.density, s.row))
        return self._break_near_tie(query, ranked)

    def _plain_text(self, row: int) -> str:
        return " ".join(self._normalised_sentences(row))

    def _naive_rows(self, query: _Query) -> list[int]:
        """The rows a naive token_set_ratio scan over every whole answer puts first."""
        if self._plain is None:
            self._plain = [self._plain_text(row) for row in range(self._n)]
        found = process.extract(
            query.norm,
            self._plain,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=NAIVE_TAKE,
            score_cutoff=SUGGEST_FLOOR,
        )
        return [int(at) for _, _, at in found]

    def _break_near_tie(self, query: _Query, ranked: list[_Scored]) -> list[_Scored]:
        """`ranked` with the answers tied near the top reordered by a stronger scorer."""
        if len(ranked) < 2 or ranked[0].exact or ranked[0].score - ranked[1].score > NEAR_TIE:
            return ranked
        top = ranked[0].score
        close = [s for s in ranked if top - s.score <= NEAR_TIE and not s.exact]
        strength = {s.row: fuzz.token_set_ratio(query.norm, self._plain_text(s.row)) for s in close}
        close.sort(
            key=lambda s: (-(s.score + TIE_WEIGHT * strength[s.row] / 100.0), -s.density, s.row)
        )
        return close + ranked[len(close) :]

    def _normalised_sentences(self, row: int) -> list[str]:
        """The answer's sentences normalised, in one fold of the whole answer."""
        lo, hi = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
        raw = str(self._blob[lo:hi], "utf-8", "replace")
        folded = _fold(raw).encode("utf-8", "replace").translate(_SENTENCE_TABLE)
        return [" ".join(part.split()) for part in folded.decode("utf-8", "replace").split("\x1f")]

    def _score(self, query: _Query, row: int, base: float) -> _Scored:
        sentences = self._normalised_sentences(row)
        text = " ".join(sentences)
        starts: list[int] = []
        at = 0
        for sentence in sentences:
            starts.append(at)
            at += len(sentence) + 1
        token_sets = [set(sentence.split()) for sentence in sentences]
        coverage, every_word = query.coverage(set().union(*token_sets))
        pos = query.phrase_in(text)
        exact = pos >= 0
        phrase, aligned = (100.0, pos) if exact else _phrase(query.norm, text)
        hit_sentence = max(0, bisect.bisect_right(starts, aligned) - 1) if sentences else 0
        best, focus, density = hit_sentence, -1.0, 0.0
        alone = [query.coverage(present)[0] if present else 0.0 for present in token_sets]
        for i, got in enumerate(alone):
            bonus = 0.01 if i == hit_sentence else 0.0
            if got + bonus > focus:
                best, focus = i, got + bonus
                density = got / math.sqrt(len(sentences[i]) / 6.0 + 1.0)
        # A query may span two neighbouring sentences: a window of two counts, a little
        # less than one sentence holding as much, and shows its fuller sentence.
        for i in range(len(sentences) - 1 if max(alone, default=1.0) < 1.0 else 0):
            if not alone[i] or not alone[i + 1]:
                continue
            got = query.coverage(token_sets[i] | token_sets[i + 1])[0] * PAIR_DISCOUNT
            if got > focus + 1e-9:
                best = i if alone[i] >= alone[i + 1] else i + 1
                focus = got
                size = len(sentences[i]) + len(sentences[i + 1])
                density = got / math.sqrt(size / 6.0 + 1.0)
        if exact:
            best = hit_sentence
        focus = min(1.0, max(0.0, focus))
        score = _tier_score(exact, every_word, coverage, phrase, focus)
        return _Scored(row, score, exact, best, density + base * 1e-6)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """The passages that answer `query`, best first, one hit per passage.

        Nothing that scores under MATCH_FLOOR is returned; with no hit, the nearest
        sentences (if any come close) are offered as suggestions.
        """
        if limit <= 0 or not self._n or not isinstance(query, str):
            return SearchResult([], [])
        plan = self._plan(query, suggest=False)
        if plan is None:
            return SearchResult([], [])
        ranked = self._rank(plan, max(RERANK, limit))
        hits = [
            Hit(self._ids[s.row], round(s.score, 1), s.sentence, s.exact)
            for s in ranked
            if s.score >= MATCH_FLOOR
        ]
        if not hits and ranked and self._rare_lead(plan, ranked):
            top = ranked[0]
            hits = [Hit(self._ids[top.row], MATCH_FLOOR, top.sentence, False)]
        # A question's match scores at most 100 * QUESTION_WEIGHT: none can pass a
        # better answer hit, so the questions are only searched when one might.
        if self._questions is not None and not (hits and hits[0].score >= 100.0 * QUESTION_WEIGHT):
            hits = self._with_questions(query, hits, limit)
        hits = hits[:limit]
        if hits:
            return SearchResult(hits, [])
        suggestions: list[str] = []
        anchor = plan.slots[0].word
        for s in ranked:
            if s.score < SUGGEST_FLOOR or len(suggestions) >= 5:
                break
            label = _label(self._sentences(s.row)[s.sentence], anchor)
            if label not in suggestions:
                suggestions.append(label)
        return SearchResult([], suggestions)

    def _rare_lead(self, plan: _Query, ranked: list[_Scored]) -> bool:
        """Whether the best candidate, under MATCH_FLOOR, still is the answer to show.

        It is when two adjacent sentences of it hold (as typed, or another form) at least
        two of the query's rare words (idf at least half the largest possible), those
        carry at least half the query's weight, and the runner-up holds fewer: "deficit meant the
        library got delayed" for "we balanced the budget by delaying the new library".
        Off-topic queries, gibberish and stop words share no rare word with any answer.
        """
        rare = 0.5 * self._idf(0)

        def held(row: int) -> list[int]:
            """The rare slots found together in one window of two adjacent sentences."""
            sentences = [set(s.split()) for s in self._normalised_sentences(row)]
            best: list[int] = []
            for at in range(max(1, len(sentences) - 1)):
                words = set().union(*sentences[at : at + 2])
                found = [
                    i
                    for i, slot in enumerate(plan.slots)
                    if slot.idf >= rare
                    and any(
                        credit >= INFLECTION_WEIGHT and v in words
                        for v, credit in slot.variants.items()
                    )
                ]
                if len(found) > len(best):
                    best = found
            return best

        mine = held(ranked[0].row)
        if len(mine) < 2 or sum(plan.idf[i] for i in mine) < 0.5 * plan.weight:
            return False
        return len(ranked) < 2 or len(held(ranked[1].row)) < len(mine)

    def _with_questions(self, query: str, hits: list[Hit], limit: int) -> list[Hit]:
        """`hits` merged with the answers whose question matches `query`.

        A question's match scores QUESTION_WEIGHT of what the same match in an answer
        would, so an answer that says the words ranks above one that was asked them.
        """
        sub = self._questions
        plan = None if sub is None else sub._plan(query, suggest=False)
        if sub is None or plan is None:
            return hits
        best = {h.passage_id: h for h in hits}
        for s in sub._rank(plan, max(RERANK, limit)):
            score = round(s.score * QUESTION_WEIGHT, 1)
            if score < MATCH_FLOOR:
                break
            pid = sub._ids[s.row]
            if pid not in best or best[pid].score < score:
                best[pid] = Hit(pid, score, None, False)
        return sorted(best.values(), key=lambda h: -h.score)

    def suggest(self, prefix: str, limit: int = 25) -> list[Suggestion]:
        """Autocomplete: up to `limit` (≤25) sentences that continue or match `prefix`."""
        limit = min(limit, 25)
        if limit <= 0 or not self._n or not isinstance(prefix, str):
            return []
        plan = self._plan(prefix, suggest=True)
        if plan is None:
            return []
        scored: list[tuple[float, int, int, int, str]] = []
        for row, _ in self._shortlist(plan, SUGGEST_RERANK):
            originals = self._sentences(row)
            for i, sentence in enumerate(self._normalised_sentences(row)):
                original = originals[i]
                words = set(sentence.split())
                if words.isdisjoint(plan.lookup):
                    continue
                coverage, every_word = plan.coverage(words)
                if coverage <= 0.0:
                    continue
                exact = plan.phrase_in(sentence) >= 0
                if not exact and not every_word and coverage < 0.45:
                    continue  # cannot reach MATCH_FLOOR: 74 * (0.6 * 0.45 + 0.4) < 50
                phrase = 100.0 if exact else _phrase(plan.norm, sentence)[0]
                score = _tier_score(exact, every_word, coverage, phrase, coverage)
                if score >= MATCH_FLOOR:
                    scored.append((score, len(original), row, i, original))
        scored.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
        anchor = plan.slots[0].word
        out: list[Suggestion] = []
        seen: set[str] = set()
        per_passage: Counter[int] = Counter()
        for _, _, row, _, original in scored:
            if per_passage[row] >= 3:
                continue
            label = _label(original, anchor)
            if not label or label in seen:
                continue
            seen.add(label)
            per_passage[row] += 1
            out.append(Suggestion(label, self._ids[row]))
            if len(out) >= limit:
                break
        return out
