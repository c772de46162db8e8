"""Typo neighbours over an index's vocabulary, at any position in the word.

The old look-up compared a word with the vocabulary words of the same first letter, so
"vinematographer" found nothing.  Here every vocabulary word is stored with each of its
one-letter deletions (a symmetric-delete, "SymSpell", neighbourhood) as sorted 64-bit
hashes pointing at the word.  A query word looks up itself and its own deletions, and the
words found are checked with the OSA distance (a transposition counts one): one edit
anywhere, the first letter included, in a few dozen hash probes instead of a scan.  A
long word may be two edits off: its two-letter deletions are probed too (an insertion or
deletion with any other edit).  When that finds nothing, the words of the same first
letter and a similar length are scanned with rapidfuzz, as the old look-up did (two
substitutions, or an edit on each side of a deletion).

Words are packed into fixed-width byte rows and each deletion is one numpy pass over all
rows, so the table for the ~50k words of 1M synthetic answers took 0.23 s to build here
(and ~6 MB).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

TYPO_MIN_LENGTH = 4  # shorter words get no typo neighbours (too many false friends)
TWO_EDITS_FROM = 7  # words this long may be two edits away
MAX_NEIGHBOURS = 6
TYPO_CACHE = 4096  # words whose neighbours an index remembers
_WIDTH = 24  # bytes per packed word; longer words get no typo neighbours
_K1 = np.uint64(0xBF58476D1CE4E5B9)
_K2 = np.uint64(0x94D049BB133111EB)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser (uint64 arithmetic wraps)."""
    x = (x ^ (x >> np.uint64(30))) * _K1
    x = (x ^ (x >> np.uint64(27))) * _K2
    return x ^ (x >> np.uint64(31))


def _pack(words: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Words as zero-padded UTF-8 rows of _WIDTH bytes, and their byte lengths."""
    encoded = [w.encode("utf-8") for w in words]
    rows = np.frombuffer(b"".join(e[:_WIDTH].ljust(_WIDTH, b"\0") for e in encoded), np.uint8)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return rows.reshape(len(encoded), _WIDTH), lengths


def _row_hashes(rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    lanes = np.ascontiguousarray(rows).view("<u8")
    h = _mix(lanes[:, 0].copy())
    for k in range(1, lanes.shape[1]):
        h = _mix(h ^ lanes[:, k])
    return h


def _deletion_hashes(
    rows: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64], *, keep_whole: bool = True
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes of every row and of its one-byte deletions, with the row each came from."""
    hashes = [_row_hashes(rows)] if keep_whole else []
    owners = [np.arange(len(rows))] if keep_whole else []
    pad = np.zeros((len(rows), 1), dtype=np.uint8)
    for i in range(int(lengths.max(initial=0))):
        live = np.flatnonzero(lengths > i)
        cut = np.concatenate((rows[live, :i], rows[live, i + 1 :], pad[live]), axis=1)
        hashes.append(_row_hashes(cut))
        owners.append(live)
    if not hashes:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(hashes), np.concatenate(owners)


def _usable(vocab: Sequence[str]) -> list[int]:
    """Term ids of the words that get typo neighbours."""
    return [
        tid
        for tid, word in enumerate(vocab)
        if len(word) >= TYPO_MIN_LENGTH - 1
        and len(word.encode("utf-8")) <= _WIDTH
        and not word.isdigit()
    ]


class VocabTypos:
    """Typo neighbours of an index's vocabulary (a term id is a position in `vocab`).

    The deletion table (`table`: sorted hashes and the term each points at) is saved in
    the index file, so a loaded index passes it in instead of rebuilding it (~0.23 s at
    1M answers, paid at every restart before it was saved).
    """

    __slots__ = ("_buckets", "_cached", "_df", "_keys", "_terms", "_vocab")

    def __init__(
        self,
        vocab: Sequence[str],
        df: npt.NDArray[np.int64],
        table: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]] | None = None,
    ) -> None:
        self._vocab = vocab
        self._df = df
        if table is None:
            table = self.build_table(vocab)
        self._keys, self._terms = table
        self._buckets: dict[tuple[str, int], tuple[list[str], list[int]]] | None = None
        self._cached = lru_cache(maxsize=TYPO_CACHE)(self._typos)

    @staticmethod
    def build_table(
        vocab: Sequence[str],
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
        """The symmetric-delete table: each usable word's and deletion's hash, sorted, and
        the term id each points at."""
        usable = _usable(vocab)
        rows, lengths = _pack([vocab[t] for t in usable])
        hashes, owners = _deletion_hashes(rows, lengths)
        order = np.argsort(hashes, kind="stable")
        terms = np.asarray(usable, dtype=np.int64)[owners[order]].astype(np.int32)
        return hashes[order], terms

    @property
    def table(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
        return self._keys, self._terms

    def _long_words(self) -> dict[tuple[str, int], tuple[list[str], list[int]]]:
        """Long words by (first letter, length), for the two-edit fallback scan; built at
        its first use (rare: only when the deletion probes found nothing)."""
        if self._buckets is None:
            buckets: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
            vocab = self._vocab
            for tid in _usable(vocab):
                word = vocab[tid]
                if len(word) >= TWO_EDITS_FROM - 2:
                    words, tids = buckets.setdefault((word[0], len(word)), ([], []))
                    words.append(word)
                    tids.append(tid)
            self._buckets = buckets
        return self._buckets

    def typos(self, word: str) -> list[tuple[int, int]]:
        """(term id, edits) of vocabulary words one edit (two for long words) from `word`.

        Cached per index: autocomplete asks again for the same words at every keystroke.
        """
        return list(self._cached(word))

    def _typos(self, word: str) -> tuple[tuple[int, int], ...]:
        if len(word) < TYPO_MIN_LENGTH or word.isdigit() or len(word.encode()) > _WIDTH:
            return ()
        limit = 2 if len(word) >= TWO_EDITS_FROM else 1
        once = {word[:i] + word[i + 1 :] for i in range(len(word))}
        probe_words = {word} | once
        if limit == 2:
            for short in once:
                probe_words.update(short[:i] + short[i + 1 :] for i in range(len(short)))
        probes = _row_hashes(_pack(sorted(probe_words))[0])
        lo = np.searchsorted(self._keys, probes, side="left")
        hi = np.searchsorted(self._keys, probes, side="right")
        terms: set[int] = set()
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            if b > a:
                terms.update(self._terms[a:b].tolist())
        found: list[tuple[int, int]] = []
        for tid in terms:
            other = self._vocab[tid]
            if abs(len(other) - len(word)) > limit:
                continue
            dist = OSA.distance(word, other, score_cutoff=limit)
            if 0 < dist <= limit:
                found.append((tid, int(dist)))
        if limit == 2 and not found:
            buckets = self._long_words()
            for size in range(len(word) - 2, len(word) + 3):
                words, tids = buckets.get((word[0], size), ([], []))
                for _, dist, at in process.extract(
                    word, words, scorer=OSA.distance, score_cutoff=limit, limit=MAX_NEIGHBOURS
                ):
                    if 0 < dist <= limit:
                        found.append((tids[at], int(dist)))
        # Fewer edits first; then, as people rarely mistype a first letter, words that
        # keep it (a short word has many neighbours once the first letter may change).
        found.sort(
            key=lambda item: (
                item[1],
                self._vocab[item[0]][:1] != word[:1],
                -int(self._df[item[0]]),
                item[0],
            )
        )
        return tuple(found[:MAX_NEIGHBOURS])

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._terms.nbytes
