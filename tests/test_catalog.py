"""The catalog over a real database file: answers are read from it by id, never all at once."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_store import make_interview  # tests/ is on sys.path (rootdir-less test modules)

from bot import store as store_module
from bot.bulk import collector_paused
from bot.library import Library, ensure_loaded, open_library
from bot.models import Topic
from bot.search import SearchIndex
from bot.settings import Settings
from bot.store import PassageShelf, Store, StoreError

ANN = make_interview("one", ["The harbour lights at dawn.", "Cold tea on the boat.", "Gulls."])
_TWO = make_interview("two", ["Harbour dues went up again.", "My nets are old."])
BOB = replace(
    _TWO,
    speakers=("Bob Ray",),
    passages=tuple(replace(p, speaker="Bob Ray") for p in _TWO.passages),
)


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    store = await Store.open(tmp_path / "q.db")
    harbour = Topic("harbour", "Harbour", passage_ids=(ANN.passages[0].id, BOB.passages[0].id))
    await store.replace_corpus([ANN, BOB], [harbour])
    lib = Library(store, [], index_cache=tmp_path / "q.index")
    await lib.refresh()
    yield lib
    await lib.store.close()


async def test_a_restart_loads_the_cached_index_and_reads_no_answer(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await library.store.close()

    def refuse(*_: object) -> None:
        raise AssertionError("a restart with an unchanged corpus read every answer")

    monkeypatch.setattr(SearchIndex, "build", refuse)
    monkeypatch.setattr(PassageShelf, "stream", refuse)
    monkeypatch.setattr(PassageShelf, "index_stream", refuse)
    store = await Store.open(tmp_path / "q.db")
    try:
        catalog = await Library(store, [], index_cache=tmp_path / "q.index").refresh()
        assert catalog.stats() == {"interviews": 2, "speakers": 2, "quotes": 5, "topics": 1}
        assert catalog.speakers() == ["Ann Lee", "Bob Ray"]
        found = catalog.quote("cold tea boat")
        assert found.results[0].passage.text == "Cold tea on the boat."
        assert found.results[0].title == "T"
    finally:
        await store.close()


async def test_start_up_removes_index_temporaries_a_killed_save_left(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill during the cache save leaves ``.q.index.<pid>.<thread>.tmp`` (as big as the
    index). The next start deletes it even when it loads the cached index and saves none;
    a temporary of a process still running is left alone."""
    await library.store.close()
    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()
    stale = tmp_path / f".q.index.{dead.pid}.140000.tmp"
    live = tmp_path / f".q.index.{os.getppid()}.140001.tmp"
    for file in (stale, live):
        file.write_bytes(b"half an index")
    saved: list[Path] = []
    monkeypatch.setattr(SearchIndex, "save", lambda _, path: saved.append(path))
    started = await open_library(Settings(db_path=tmp_path / "q.db"))
    try:
        assert await ensure_loaded(started) is None  # the stored corpus, not a load
        assert started.catalog.stats()["quotes"] == 5
    finally:
        await started.store.close()
    assert saved == []  # the cached index was used: no save cleaned up
    assert not stale.exists() and live.exists()


async def test_an_old_catalog_skips_answers_a_reload_removed(library: Library) -> None:
    old = library.catalog
    gone = BOB.passages[0].id
    shorter = replace(BOB, content_hash="shorter", passages=BOB.passages[1:])
    await library.store.replace_corpus([ANN, shorter], [])
    assert gone not in old.passages and old.passages.get(gone) is None
    assert old.view(gone) is None
    assert [v.passage.id for v in old.quote("harbour dues").results] != [gone]
    assert all(v.passage.id != gone for v in old.quote("harbour").results)
    rng = random.Random(7)
    picks = {old.random(rng, speaker="bob").passage.id for _ in range(20)}  # type: ignore[union-attr]
    assert picks == {BOB.passages[1].id}
    topic = old.topics["harbour"]
    assert [v.passage.id for v in old.topic_quotes(topic)] == [ANN.passages[0].id]


async def test_random_by_speaker_topic_and_exclude(library: Library) -> None:
    catalog = library.catalog
    rng = random.Random(1)
    bob = {p.id for p in BOB.passages}
    assert {catalog.random(rng, speaker="BOB").passage.id for _ in range(30)} == bob  # type: ignore[union-attr]
    first, second = BOB.passages
    for _ in range(20):
        pick = catalog.random(rng, speaker="ray", exclude=first.id)
        assert pick is not None and pick.passage.id == second.id
    topic = catalog.topics["harbour"]
    only = catalog.random(rng, topic=topic, speaker="Bob Ray", exclude=first.id)
    assert only is not None and only.passage.id == first.id  # the only one left
    assert "arbour" in only.excerpt
    assert catalog.random(rng, speaker="nobody") is None
    assert catalog.random(rng, topic=topic, speaker="Ann").passage.id == ANN.passages[0].id  # type: ignore[union-attr]


async def test_the_shelf_reads_by_id_and_refuses_once_closed(library: Library) -> None:
    shelf = library.store.passages
    answer = ANN.passages[1]
    assert shelf[answer.id] == answer and answer.id in shelf
    assert shelf.get("no-such-id") is None and "no-such-id" not in shelf and 3 not in shelf
    with pytest.raises(KeyError):
        shelf["no-such-id"]
    assert shelf.ids_by_speaker(["Bob Ray", "Nobody"]) == [p.id for p in BOB.passages]
    assert [p.id for p in shelf.stream()] == list(library.catalog.quotable)
    await library.store.close()
    with pytest.raises(StoreError, match="closed"):
        shelf.get(answer.id)


def test_the_collector_pause_nests_and_restores_what_it_found() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failed load")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


async def test_a_load_runs_with_the_collector_paused(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = store_module._LoadPlan.of

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module._LoadPlan, "of", spy)
    await library.store.replace_corpus([ANN], [])
    assert seen == [False] and gc.isenabled()


async def test_a_refresh_after_a_load_never_serves_the_stale_cached_index(
    library: Library, tmp_path: Path
) -> None:
    assert library.catalog.quote("harbour dues").results
    await library.store.replace_corpus([ANN], [])
    catalog = await library.refresh()
    assert catalog.index.fingerprint == (await library.store.read_corpus()).fingerprint
    assert list(catalog.quotable) == [p.id for p in ANN.passages]
    assert all(v.passage.interview_id == "one" for v in catalog.quote("harbour").results)
    assert SearchIndex.load(tmp_path / "q.index", catalog.index.fingerprint) is not None


async def test_a_built_index_is_served_from_its_saved_file(
    library: Library, tmp_path: Path
) -> None:
    """After a build the bot serves the saved cache, memory-mapped (as a restart does), not
    the built arrays; it answers exactly as a freshly built index."""
    index = library.catalog.index
    assert index._map is not None and index.verified
    built = SearchIndex.build(library.store.passages.index_stream())
    for query in ("harbour lights", "cold tea boat", "nets are old", "gulls"):
        assert index.search(query) == built.search(query)
    (tmp_path / "q.index").unlink()  # no cache to write: the built index is kept
    catalog = await Library(library.store, [], index_cache=tmp_path / "sub" / "q.index").refresh()
    assert catalog.index._map is None
    assert catalog.index.search("harbour lights") == built.search("harbour lights")


async def test_about_lists_ten_interviews_counts_them_all_and_is_made_once(
    tmp_path: Path,
) -> None:
    """/about names the first ten interviews and counts the rest, from facts the catalog
    makes once (it was the floor of the under-load benchmark, and listed every interview
    on each call)."""
    from bot.render import about_embed  # the Discord side, only to check the embed

    store = await Store.open(tmp_path / "q.db")
    try:
        interviews = [make_interview(f"iv{n:02d}", [f"Answer {n}."]) for n in range(13)]
        await store.replace_corpus(interviews, [])
        lib = Library(store, [], index_cache=tmp_path / "q.index")
        await lib.refresh()
        facts = lib.catalog.about()
        assert lib.catalog.about() is facts
        assert facts.stats["interviews"] == 13 and len(facts.titles) == 10
        listing = about_embed(facts.stats, facts.titles, facts.topics).fields[0].value or ""
        assert listing.count("•") == 10 and listing.endswith("…and 3 more")
    finally:
        await store.close()
