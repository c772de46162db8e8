"""The SearchIndex: its arrays, building, saving and loading; search stages are mixins."""

from __future__ import annotations

import mmap
import os
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.bulk import collector_paused
from bot.models import Indexable
from bot.search.build import _Asked, _Builder, _drop, _length_norms, _release_freed_memory
from bot.search.indexfile import file_parts, read_saved
from bot.search.pairs import STOP_DIGEST
from bot.search.params import FORMAT_VERSION
from bot.search.storage import _Ids, _Text, remove_stale_temporaries
from bot.search.suggest import _Suggester
from bot.search.text import _IntArray
from bot.search.vocab import VocabTypos


class SearchIndex(_Suggester):
    """Immutable search index over interviewee answers; see the package docstring."""

    __slots__ = (
        "_blob",
        "_df",
        "_fingerprint",
        "_ids",
        "_lengths",
        "_lnorm",
        "_map",
        "_n",
        "_offsets",
        "_pair_off",
        "_pair_rows",
        "_plain",
        "_post_ids",
        "_post_impact",
        "_questions",
        "_sorted",
        "_sorted_terms",
        "_term_id",
        "_term_off",
        "_typos",
        "_unverified",
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
        typo_table: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]] | None = None,
        vocab_order: _IntArray | None = None,
        pairs: tuple[_IntArray, npt.NDArray[np.uint32]] | None = None,
    ) -> None:
        self._ids = _Ids.of(ids)
        # The questions the answers replied to, as an index of their own whose "answers"
        # are the questions and whose ids are the answers' ids (None when there are none).
        self._questions = questions
        self._plain: list[str] | None = None  # whole answers normalised, for naive fusion
        self._n = len(self._ids)
        self._vocab = vocab  # a term id is its position here
        self._term_id = {w: i for i, w in enumerate(vocab)}
        if vocab_order is None:
            vocab_order = np.asarray(sorted(range(len(vocab)), key=vocab.__getitem__), np.int64)
        self._sorted = [vocab[i] for i in vocab_order.tolist()]  # prefix look-ups, bisect
        self._sorted_terms = vocab_order
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
        # Answers holding two stop words side by side, per pair id (see pairs.py); an
        # index without them (the questions') has a one-element offsets array.
        if pairs is None:
            pairs = (np.zeros(1, np.int64), np.zeros(0, np.uint32))
        self._pair_off, self._pair_rows = pairs
        self._typos = VocabTypos(vocab, self._df, typo_table)
        # A loaded index whose checksum is not yet checked: (payload, crc32) (see load).
        self._unverified: tuple[memoryview, int] | None = None
        self._map: mmap.mmap | None = None  # the loaded file's mapping (see verify)
        for arr in (
            term_off,
            post_ids,
            post_impact,
            lengths,
            offsets,
            self._df,
            self._lnorm,
            self._pair_off,
            self._pair_rows,
        ):
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
        The cyclic collector is paused meanwhile (`bot.bulk`): a build makes no cycles, but
        with a million answers' objects alive (a question each, the caller's rows) each
        full collection held the GIL for ~1-2 s, stalling the event loop that long.
        """
        with collector_paused():
            return cls._build(passages)

    @classmethod
    def _build(cls, passages: Iterable[Indexable]) -> SearchIndex:
        # The questions as two lists of strings, made into rows a chunk at a time: a
        # million question objects, freed in one go, held the GIL for ~0.4 s.
        asked_ids: list[str] = []
        asked: list[str] = []

        def noting_questions(rows: Iterable[Indexable]) -> Iterator[Indexable]:
            for row in rows:
                question = getattr(row, "question", None)
                if question and row.role == "interviewee":
                    asked_ids.append(row.id)
                    asked.append(question)
                yield row

        builder = _Builder(pairs=True)
        builder.ingest(noting_questions(passages))
        index = builder.finish()
        _drop(builder.ids)
        del builder
        if asked:
            # Every answer asked (asked_ids then lists index.ids in the same order): the
            # sub-index shares the parent's ids instead of a copy (~21 MB at 1M answers).
            same_ids = len(asked_ids) == index._n
            questions = _Builder()
            questions.ingest(
                _Asked(pid, "interviewee", (q,), q) for pid, q in zip(asked_ids, asked, strict=True)
            )
            _drop(asked_ids)
            _drop(asked)
            index._questions = questions.finish()
            index._questions._fingerprint = index._fingerprint
            if same_ids:
                index._questions._ids = index._ids
            _drop(questions.ids)
        _release_freed_memory()
        return index

    def __len__(self) -> int:
        return self._n

    def _nbytes(self) -> int:
        """Approximate memory held by the index (arrays, text blob, ids and vocabulary)."""
        arrays = (
            self._term_off,
            self._post_ids,
            self._post_impact,
            self._lengths,
            self._offsets,
            self._pair_off,
            self._pair_rows,
        )
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
            "typo_keys": self._typos.table[0].tobytes(),
            "typo_terms": self._typos.table[1].tobytes(),
            "vocab_order": self._sorted_terms.tobytes(),
            "pair_off": self._pair_off.tobytes(),
            "pair_rows": self._pair_rows.tobytes(),
            "blob": self._blob,
            "questions": self._questions._serialised() if self._questions else b"",
        }
        return file_parts(
            parts,
            {
                "version": FORMAT_VERSION,
                "fingerprint": self._fingerprint,
                "passages": self._n,
                "terms": len(self._vocab),
                "stop_words": STOP_DIGEST,
            },
        )

    def _serialised(self) -> bytes:
        """The whole saved form in memory (the questions' sub-index inside its parent)."""
        return b"".join(self._file_parts())

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically (a temporary file, then a rename)."""
        pieces = self._file_parts()
        remove_stale_temporaries(path)
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
    def load(cls, path: Path, fingerprint: str, *, verify: bool = True) -> SearchIndex | None:
        """The index saved at `path`, or None when it is missing, stale or damaged.

        The file is memory-mapped, not read: pages come in from disk as searches touch
        them and stay shared in the page cache (a restart at 1M answers no longer reads
        ~600 MB before it is ready, and processes mapping the same file share it). With
        `verify` the whole file's checksum is compared now; without, only its header and
        the small arrays are checked, and :meth:`verify` must be called later (the bot does
        it in the background once it is ready).
        """
        try:
            with path.open("rb") as f:
                if os.fstat(f.fileno()).st_size == 0:
                    return None
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        try:
            index = cls._from_bytes(memoryview(mapped), fingerprint)
        except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
            return None
        if index is not None:
            index._map = mapped
        if index is not None and verify and not index.verify():
            return None
        return index

    @property
    def verified(self) -> bool:
        """False for a loaded index whose checksum :meth:`verify` has not compared yet."""
        return self._unverified is None

    def verify(self) -> bool:
        """Compare a loaded index's checksum and bounds (reads the whole file: ~0.5 s at
        1M answers from the page cache); True when they hold or it was built here."""
        if self._unverified is not None:
            payload, crc = self._unverified
            if zlib.crc32(payload) != crc:
                return False
            if len(self._post_ids) and int(self._post_ids.max()) >= self._n:
                return False
            if len(self._pair_rows) and int(self._pair_rows.max()) >= self._n:
                return False
            self._unverified = None
            if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
                # Reading it all mapped every page into this process: let them go (they
                # stay in the page cache; searches map back the ones they touch).
                self._map.madvise(mmap.MADV_DONTNEED)
        return self._questions is None or self._questions.verify()

    @classmethod
    def _from_bytes(cls, raw: memoryview, fingerprint: str) -> SearchIndex | None:
        """The index saved in `raw` (see :func:`read_saved`), with its questions'."""
        saved = read_saved(raw, fingerprint)
        if saved is None:
            return None
        questions = None
        if saved.questions is not None:
            questions = cls._from_bytes(saved.questions, fingerprint)
            if questions is None:
                return None
        index = cls(
            ids=saved.ids,
            vocab=saved.vocab,
            term_off=saved.term_off,
            post_ids=saved.post_ids,
            post_impact=saved.post_impact,
            lengths=saved.lengths,
            offsets=saved.offsets,
            blob=saved.blob,
            fingerprint=fingerprint,
            questions=questions,
            typo_table=saved.typo_table,
            vocab_order=saved.vocab_order,
            pairs=saved.pairs,
        )
        index._unverified = (saved.payload, saved.crc)
        return index
