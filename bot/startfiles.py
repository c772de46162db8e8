"""The files a restart reads before it is ready, and reading them ahead.

`quotebot run` asks the kernel to read these files ahead (``posix_fadvise(WILLNEED)``:
no thread, no interpreter lock) before it imports discord.py and the bot's modules, so
that with a cold page cache their disk reads overlap the ~1-2 s of imports instead of
following them. Only what start-up reads is asked for: the catalog cache whole, and of
the search index its header and small arrays, not the answers' text and postings that
searches map in as they need them. This module imports nothing of the bot's, so calling
it costs nothing before the heavy imports.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

INDEX_MAGIC = b"QBSIDX01"  # bot.search.params._MAGIC (a test checks they agree)
# Index parts a start-up reads (see SearchIndex._from_bytes); the rest is mapped lazily.
START_PARTS = ("ids", "vocab", "term_off", "lengths", "offsets", "typo_terms", "vocab_order")


def catalog_cache_path(database: Path, *, postgresql: bool) -> Path:
    """The catalog cache beside a SQLite file, or in the cache folder for PostgreSQL."""
    if postgresql:
        return database / "catalog.cache"
    return database.with_name(database.name + ".catalog")


def running_marker(database: Path) -> Path:
    """``<database>.running``: written when `quotebot run` starts, removed once it has closed
    every connection; still there at the next start means the last run did not stop cleanly."""
    return database.with_name(database.name + ".running")


def index_cache_path(database: Path) -> Path:
    """The search index cache beside the database file (see `bot.library.open_library`)."""
    return database.with_suffix(".index")


def warm_start_files(db: Path, *, postgresql: bool = False) -> None:
    """Ask for the start-up files of the database `db` (with PostgreSQL: the path whose
    folder holds the caches, `Settings.db_path`) to be read ahead (Linux; a missing file
    or an unreadable index header is simply skipped)."""
    if not hasattr(os, "posix_fadvise"):
        return
    _advise(catalog_cache_path(db.parent if postgresql else db, postgresql=postgresql))
    index = index_cache_path(db)
    try:
        with index.open("rb") as f:
            spans = _index_spans(f.fileno(), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return
    _advise(index, spans)


def _advise(path: Path, spans: list[tuple[int, int]] | None = None) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        for offset, length in spans or [(0, 0)]:
            os.posix_fadvise(fd, offset, length, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


def _index_spans(fd: int, at: int, depth: int = 0) -> list[tuple[int, int]]:
    """(offset, length) of the start-up parts of the index saved at `at` in the file,
    the questions' sub-index inside it included."""
    head = os.pread(fd, len(INDEX_MAGIC) + 4, at)
    if head[: len(INDEX_MAGIC)] != INDEX_MAGIC:
        raise ValueError("not an index")
    size = int.from_bytes(head[len(INDEX_MAGIC) :], "little")
    if size > 1 << 20:  # a header is a few hundred bytes of JSON: this file is damaged
        raise ValueError("index header too large")
    header = json.loads(os.pread(fd, size, at + len(head)))
    base = at + len(head) + size
    layout = header["layout"]
    spans = [(at, len(head) + size)]
    spans += [(base + int(layout[name][0]), int(layout[name][1])) for name in START_PARTS]
    offset, length = layout.get("questions", [0, 0])
    if length and depth == 0:
        spans += _index_spans(fd, base + int(offset), depth + 1)
    return spans
