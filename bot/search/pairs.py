"""Stop-word pairs: which answers hold two given stop words next to each other.

Stop words are not indexed as words (each is in most answers), so a phrase typed of them
("of the to do with it", "i was was") or of them and very common words could only be
found by reading the text of thousands of candidates.  A pair of neighbouring stop words,
though, is often rare ("was was", "the to"), and every answer holding the phrase holds
each of its pairs.  The index keeps, per pair of stop words (an id: the first's number
times PAIR_BASE plus the second's), the sorted answers where they stand next to each other
(punctuation and sentence ends between them allowed, as the phrase scan allows), as CSR
arrays.  On the benchmark's synthetic answers (100k) that is ~11 postings an answer,
about one in six of what a full word-pair index would hold, and there are at most
PAIR_BASE**2 pairs, so a pair's id is its slot: no hashing, no vocabulary.

The stop words' numbers are their places in ``text._STOP_HASHES`` (sorted hashes), so the
build reads them from the table it already uses to drop stop words.
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import numpy.typing as npt

from bot.search.params import STOP_WORDS
from bot.search.text import _STOP_SLOTS, _hash_words, _IntArray

PAIR_BASE = 256  # more than the number of stop words
PAIRS = PAIR_BASE * PAIR_BASE
if len(STOP_WORDS) >= PAIR_BASE:  # pragma: no cover - a fixed word list
    raise RuntimeError("too many stop words for a pair id")

_STOP_NUMBER: dict[str, int] = {
    word: int(_STOP_SLOTS[key & 0xFFFF]) for key, word in _hash_words(sorted(STOP_WORDS)).items()
}
# Saved with an index: pair ids depend on the stop words, so another list means a rebuild.
STOP_DIGEST = zlib.crc32(" ".join(sorted(STOP_WORDS)).encode())

_U32 = npt.NDArray[np.uint32]
_LOW = np.uint64(0xFFFFFFFF)


def chunk_pairs(
    slots: npt.NDArray[np.int16], stop: npt.NDArray[np.bool_], rows: npt.NDArray[np.uint32]
) -> tuple[npt.NDArray[np.uint16], _U32]:
    """A build chunk's stop-word pairs: (pair id, answer) for every two neighbouring
    tokens of one answer that are both stop words, once each, sorted by id then answer.

    `slots` is each token's place in the stop-word table (see build._prepare), `stop`
    whether it is a stop word, `rows` its answer within the chunk.
    """
    both = np.flatnonzero(stop[:-1] & stop[1:] & (rows[:-1] == rows[1:]))
    ids = slots[both].astype(np.uint64) * np.uint64(PAIR_BASE) + slots[both + 1].astype(np.uint64)
    keys = np.sort((ids << np.uint64(32)) | rows[both].astype(np.uint64))
    # Repeats are dropped by comparing neighbours: np.unique took ~25x as long here.
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
    return (keys >> np.uint64(32)).astype(np.uint16), (keys & _LOW).astype(np.uint32)


def pair_postings(ids: list[npt.NDArray[np.uint16]], rows: list[_U32]) -> tuple[_IntArray, _U32]:
    """CSR postings from the chunks' pairs (each sorted by id then answer, `rows` already
    numbered across chunks, the chunks in answer order): where each pair id's answers
    start, and the answers.

    Each chunk's run of an id is copied to where that id's answers so far end, so every
    pair's answers stay ascending without sorting the whole corpus's pairs (a stable
    argsort of 11M ids, then a gather, cost ~0.55 s of CPU at 1M answers; this ~0.15 s).
    """
    runs: list[tuple[npt.NDArray[np.uint16], _IntArray, _IntArray]] = []
    counts = np.zeros(PAIRS, dtype=np.int64)
    for chunk_ids in ids:
        starts = np.flatnonzero(np.concatenate(([True], chunk_ids[1:] != chunk_ids[:-1])))
        if not len(chunk_ids):
            starts = starts[:0]
        lengths = np.diff(np.append(starts, len(chunk_ids)))
        runs.append((chunk_ids[starts], starts, lengths))
        counts[chunk_ids[starts]] += lengths  # an id once per chunk: no np.add.at needed
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    out = np.empty(int(offsets[-1]), dtype=np.uint32)
    cursor = offsets[:-1].copy()
    for (which, starts, lengths), chunk_rows in zip(runs, rows, strict=True):
        where = np.repeat(cursor[which] - starts, lengths) + np.arange(len(chunk_rows))
        out[where] = chunk_rows
        cursor[which] += lengths
    return offsets, out


def typed_pairs(tokens: list[str]) -> list[int]:
    """The pair ids of every two neighbouring stop words among the typed `tokens`."""
    numbers = [_STOP_NUMBER.get(token) for token in tokens]
    return [
        a * PAIR_BASE + b for a, b in itertools.pairwise(numbers) if a is not None and b is not None
    ]


def intersect(lists: list[_U32], n: int, enough: int) -> _U32:
    """The answers in every one of the sorted `lists`, ascending; once at most `enough`
    are left the rest are not applied (a superset: the caller reads the text anyway).

    The shortest goes first; each next list is applied by a binary search of the few
    answers left, or through a flag per answer when many are left.
    """
    lists = sorted(lists, key=len)
    held = lists[0]
    flags: npt.NDArray[np.bool_] | None = None
    for post in lists[1:]:
        if len(held) <= enough:
            break
        if len(held) * 16 < len(post):
            at = np.minimum(np.searchsorted(post, held), len(post) - 1)
            held = held[post[at] == held]
        else:
            if flags is None:
                flags = np.zeros(n, dtype=bool)
            else:
                flags[:] = False
            flags[post] = True
            held = held[flags[held]]
    return held
