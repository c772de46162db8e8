"""Building an index: chunks of answers tokenised in threads, postings sorted once."""

from __future__ import annotations

import ctypes
import hashlib
import os
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.models import Indexable, Role
from bot.search.pairs import chunk_pairs, pair_postings
from bot.search.params import BM25_B, BM25_K1, BM25_TF, BUILD_CHUNK
from bot.search.storage import _Text
from bot.search.text import (
    _SENTENCE_TABLE,
    _STOP_HASHES,
    _STOP_SLOTS,
    _blank_common_punct,
    _fold,
    _hash_words,
    _tokenise,
    normalise,
)

if TYPE_CHECKING:
    from bot.search.index import SearchIndex

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


def _drop(items: list[Any], step: int = 1 << 16) -> None:
    """Empty `items` a slice at a time.  Freeing a million objects is one C call that holds
    the GIL throughout (~0.1-0.4 s at 1M answers); between slices the event loop's thread
    can take it."""
    while items:
        del items[-step:]


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
    # Neighbouring stop words (pair id, answer in this chunk), see bot/search/pairs.py.
    pairs: tuple[npt.NDArray[np.uint16], npt.NDArray[np.uint32]] | None


def _fold_sentences(
    raw: npt.NDArray[np.uint8], plain: npt.NDArray[np.uint8], seps: _IntArray
) -> bytes:
    """The chunk's text folded and byte-translated (`_fold`, then _SENTENCE_TABLE), with
    only the sentences that still hold a non-ASCII byte folded as text.

    `raw` is the chunk's UTF-8 (sentences each ended by 0x1F at `seps`), `plain` the same
    with _COMMON_PUNCT blanked.  Folding is character by character and never crosses the
    0x1F between sentences, and on ASCII it is the byte table's lower-casing, so this
    gives the words that folding the whole chunk as one string gives.  That cost ~70 ms
    a chunk (NFKD, casefold and a scan of ~1 MB of text), and in real transcripts one
    accented name or emoji among a chunk's 4,096 answers sent the whole chunk that way.
    """
    high = np.flatnonzero(plain >= 0x80)
    which = np.unique(np.searchsorted(seps, high)).tolist()  # sentence j ends at seps[j]
    data, text = plain.tobytes(), raw.tobytes()
    pieces: list[bytes] = []
    done = 0
    for j in which:
        lo, hi = (int(seps[j - 1]) + 1 if j else 0), int(seps[j])
        pieces.append(data[done:lo].translate(_SENTENCE_TABLE))
        sentence = _fold(str(text[lo:hi], "utf-8", "replace"))
        pieces.append(sentence.encode("utf-8", "replace").translate(_SENTENCE_TABLE))
        done = hi
    pieces.append(data[done:].translate(_SENTENCE_TABLE))
    return b"".join(pieces)


def _prepare(
    quotable: Sequence[Indexable], seen: npt.NDArray[np.bool_], pairs: bool = False
) -> _Chunk:
    """Tokenise one chunk of answers (the part of a build that runs in worker threads).

    `seen` is the builder's bitmap of word hashes already named; it is only read here,
    so a word first met by two chunks at once is decoded twice and kept once.  With
    `pairs`, the chunk's neighbouring stop words are listed too.
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
        folded = _fold_sentences(raw, plain, seps)
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
    stop = _STOP_HASHES[slot] == hashes_all  # slot -1 reads the final 0
    stop_pairs = chunk_pairs(slot, stop, local) if pairs else None
    keep = np.flatnonzero(~stop)
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
    return _Chunk(raw, ends, per_answer, buckets, words, stop_pairs)


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

    def __init__(self, pairs: bool = False) -> None:
        self.pairs = pairs  # index neighbouring stop words (the answers', not the questions')
        self.pair_ids: list[npt.NDArray[np.uint16]] = []
        self.pair_rows: list[npt.NDArray[np.uint32]] = []
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
                    self._commit(_prepare(quotable, self.seen, self.pairs))
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="search-build") as pool:
            window: deque[Future[_Chunk]] = deque()
            try:
                while chunk := list(islice(it, BUILD_CHUNK)):
                    quotable = self._reserve(chunk)
                    if quotable:
                        window.append(pool.submit(_prepare, quotable, self.seen, self.pairs))
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
        if done.pairs is not None:
            self.pair_ids.append(done.pairs[0])
            self.pair_rows.append(done.pairs[1] + np.uint32(base))
        for key, word in done.words.items():
            self.words.setdefault(key, word)
        named = np.fromiter(done.words, np.uint64, len(done.words))
        self.seen[(named & _SEEN_MASK).astype(np.intp)] = True

    def finish(self, threads: int = BUILD_THREADS) -> SearchIndex:
        """Sort the postings (each bucket in a worker thread) and make the index."""
        from bot.search.index import SearchIndex  # the index module imports this one

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
        pairs = pair_postings(self.pair_ids, self.pair_rows) if self.pairs else None
        self.pair_ids, self.pair_rows = [], []
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
            pairs=pairs,
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


class _Asked(NamedTuple):
    """A question as the questions' sub-index reads it, under its answer's id.

    A named tuple, not a frozen dataclass: a build makes one per answer asked, and a
    frozen dataclass's __init__ (an object.__setattr__ a field) cost 0.4-1.4 s more CPU
    per million (measured here under load), all on the thread feeding the tokenisers.
    """

    id: str
    role: Role
    sentences: tuple[str, ...]
    text: str
    question: str | None = None
