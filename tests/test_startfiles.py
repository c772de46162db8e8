"""Start-up files read ahead: the right paths, the index parts a load reads, no crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot import startfiles
from bot.models import Passage
from bot.search import SearchIndex
from bot.search.params import _MAGIC


def passage(n: int, text: str, question: str | None = None) -> Passage:
    return Passage(
        id=f"p{n}", interview_id="i", position=n, speaker="Ann", role="interviewee",
        question=question, paragraphs=(text,), sentences=(text,), line=n,
    )  # fmt: skip


def test_the_index_magic_is_the_search_package_s() -> None:
    assert startfiles.INDEX_MAGIC == _MAGIC


def test_the_spans_are_the_parts_a_load_reads_and_lie_inside_the_file(tmp_path: Path) -> None:
    index = SearchIndex.build(
        [passage(n, f"harbour lights number {n} at dawn", f"Question {n}?") for n in range(50)]
    )
    path = tmp_path / "q.index"
    index.save(path)
    size = path.stat().st_size
    with path.open("rb") as f:
        spans = startfiles._index_spans(f.fileno(), 0)
    # header + parts, for the answers and the questions' sub-index
    assert len(spans) == 2 * (1 + len(startfiles.START_PARTS))
    assert all(offset >= 0 and offset + length <= size for offset, length in spans)
    assert spans[0][0] == 0
    raw = path.read_bytes()
    assert raw[spans[1 + len(startfiles.START_PARTS)][0] :].startswith(_MAGIC)  # nested header
    ids = spans[1 + startfiles.START_PARTS.index("ids")]
    assert raw[ids[0] : ids[0] + ids[1]].split(b"\n")[:2] == [b"p0", b"p1"]


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise is Linux-only")
@pytest.mark.parametrize("content", [None, b"", b"QBSIDX01\xff\xff\xff\x7f", b"not an index"])
def test_missing_or_damaged_files_are_skipped(tmp_path: Path, content: bytes | None) -> None:
    db = tmp_path / "q.db"
    if content is not None:
        startfiles.index_cache_path(db).write_bytes(content)
        startfiles.catalog_cache_path(db, postgresql=False).write_bytes(content)
    startfiles.warm_start_files(db)
    startfiles.warm_start_files(db, postgresql=True)


def test_cache_paths() -> None:
    db = Path("/data/quotes.db")
    assert startfiles.index_cache_path(db) == Path("/data/quotes.index")
    assert startfiles.catalog_cache_path(db, postgresql=False) == Path("/data/quotes.db.catalog")
    assert startfiles.catalog_cache_path(db.parent, postgresql=True) == Path("/data/catalog.cache")
