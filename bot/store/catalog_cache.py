"""The catalog's rows, cached in a file beside the database, and made into objects lazily.

A restart at a million answers read ~83k interview rows and their speakers from a 1.3 GB
database file (their pages lie scattered between the answers' pages: ~1 s with a cold
page cache) and then made ~170k frozen dataclasses (~1.5 s) before it was ready. Now:

- `read_corpus` keeps those rows in a small file (~10 MB, read in one sequential go) keyed
  by the database's *catalog stamp*: a random token every corpus load writes in the same
  transaction as the rows, so a cache written from one snapshot is never taken for
  another. The key also holds this file's format, the Python's marshal version and the
  migrations the code knows (a migration rewriting rows makes old caches stale). A cache
  with another key, a bad checksum or a shape it does not expect is ignored and rewritten
  from the database: it is only a cache.
- `StoredInterviews` makes an interview's object the first time it is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import sys
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, overload

from bot.models import InterviewMeta
from bot.store.rows import StoredInterview

log = logging.getLogger(__name__)

CATALOG_FORMAT = 1  # bump when the cached rows' shape changes
CATALOG_STAMP_KEY = "catalog_stamp"
_MAGIC = b"QBCATALOG\n"
_INTERVIEW_COLUMNS = 9  # id, title, interviewee, interviewer, publication, date, url, ...


@dataclass(frozen=True, slots=True)
class CatalogRows:
    """The rows `read_corpus` turns into a `StoredCorpus`, as plain tuples.

    `speakers[i]` are the speakers of `interviews[i]` in order (grouped once, when read
    from the database).
    """

    interviews: Sequence[tuple[Any, ...]]
    speakers: Sequence[tuple[str, ...]]
    links: Sequence[tuple[Any, ...]]
    topics: Sequence[tuple[Any, ...]]
    summary: str

    @classmethod
    def of_queries(
        cls,
        iv_rows: Iterable[Any],
        speaker_rows: Iterable[Any],
        link_rows: Iterable[Any],
        t_rows: Iterable[Any],
        summary: str,
    ) -> CatalogRows:
        interviews = [tuple(r) for r in iv_rows]
        named: dict[str, tuple[str, ...]] = {
            iid: tuple(r[1] for r in group) for iid, group in groupby(speaker_rows, lambda r: r[0])
        }
        return cls(
            interviews,
            [named.get(r[0], ()) for r in interviews],
            [tuple(r) for r in link_rows],
            [tuple(r) for r in t_rows],
            summary,
        )

    def well_formed(self) -> bool:
        """The shapes a good file has (a cheap guard beside the checksum)."""
        return (
            isinstance(self.summary, str)
            and len(self.interviews) == len(self.speakers)
            and all(len(r) == _INTERVIEW_COLUMNS for r in self.interviews)
            and all(isinstance(s, tuple) for s in self.speakers)
            and all(len(r) == 2 for r in self.links)
            and all(len(r) == 5 for r in self.topics)
        )


def cache_key(stamp: str, migrations: int) -> str:
    """What a cached file must carry to be used for the database's current catalog."""
    marshal_id = f"py{sys.version_info[0]}.{sys.version_info[1]}m{marshal.version}"
    return f"{CATALOG_FORMAT}:{marshal_id}:{migrations}:{stamp}"


def read_cache(path: Path, key: str) -> CatalogRows | None:
    """The rows cached at `path` under `key`, or None (missing, stale or damaged)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        if not raw.startswith(_MAGIC):
            return None
        at = len(_MAGIC)
        size = int.from_bytes(raw[at : at + 4], "little")
        stored_key = raw[at + 4 : at + 4 + size].decode("utf-8")
        crc = int.from_bytes(raw[at + 4 + size : at + 8 + size], "little")
        payload = memoryview(raw)[at + 8 + size :]
        if stored_key != key or zlib.crc32(payload) != crc:
            return None
        rows = CatalogRows(*marshal.loads(payload))
        return rows if rows.well_formed() else None
    except (ValueError, EOFError, TypeError, UnicodeDecodeError):
        return None


def write_cache(path: Path, key: str, rows: CatalogRows) -> None:
    """Write `rows` under `key` atomically (a temporary file, then a rename); a failure
    only logs (the next start reads the database again)."""
    payload = marshal.dumps(
        (list(rows.interviews), list(rows.speakers), list(rows.links), list(rows.topics),
         rows.summary)
    )  # fmt: skip
    encoded = key.encode("utf-8")
    head = _MAGIC + len(encoded).to_bytes(4, "little") + encoded
    head += zlib.crc32(payload).to_bytes(4, "little")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            out.write(head)
            out.write(payload)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not write the catalog cache %s", path, exc_info=True)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


class StoredInterviews(Sequence[StoredInterview]):
    """The stored interviews, each made into an object the first time it is asked for.

    A sequence in id order (as `StoredCorpus.interviews` always was); `by_id` is the
    mapping the catalog looks interviews up in.
    """

    __slots__ = ("_made", "_pos", "_rows", "_speakers")

    def __init__(self, rows: Sequence[tuple[Any, ...]], speakers: Sequence[tuple[str, ...]]):
        self._rows = rows
        self._speakers = speakers
        self._made: list[StoredInterview | None] = [None] * len(rows)
        self._pos: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> StoredInterview: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[StoredInterview]: ...

    def __getitem__(self, i: int | slice) -> StoredInterview | Sequence[StoredInterview]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        made = self._made[i]
        if made is None:  # two threads may both make it: equal objects, either is kept
            r = self._rows[i]
            made = StoredInterview(
                id=r[0],
                meta=InterviewMeta(
                    title=r[1],
                    interviewee=r[2],
                    interviewer=r[3],
                    publication=r[4],
                    date=r[5],
                    url=r[6],
                ),
                source=r[7],
                content_hash=r[8],
                speakers=tuple(self._speakers[i]),
            )
            self._made[i] = made
        return made

    def __iter__(self) -> Iterator[StoredInterview]:
        return (self[i] for i in range(len(self._rows)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredInterviews | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def ids(self) -> Iterator[str]:
        return (r[0] for r in self._rows)

    def position(self, interview_id: str) -> int | None:
        if self._pos is None:
            self._pos = {r[0]: n for n, r in enumerate(self._rows)}
        return self._pos.get(interview_id)

    def by_id(self) -> InterviewsById:
        return InterviewsById(self)


class InterviewsById(Mapping[str, StoredInterview]):
    """Interviews by id, made as they are looked up (see `StoredInterviews`)."""

    __slots__ = ("_all",)

    def __init__(self, interviews: StoredInterviews) -> None:
        self._all = interviews

    def __getitem__(self, interview_id: str) -> StoredInterview:
        at = self._all.position(interview_id)
        if at is None:
            raise KeyError(interview_id)
        return self._all[at]

    def __contains__(self, interview_id: object) -> bool:
        return isinstance(interview_id, str) and self._all.position(interview_id) is not None

    def __iter__(self) -> Iterator[str]:
        return self._all.ids()

    def __len__(self) -> int:
        return len(self._all)


def by_id(interviews: Sequence[StoredInterview]) -> Mapping[str, StoredInterview]:
    """`interviews` by id: made as looked up when they are `StoredInterviews`."""
    if isinstance(interviews, StoredInterviews):
        return interviews.by_id()
    return {i.id: i for i in interviews}
