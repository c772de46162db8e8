"""The catalog's rows cached beside the database: used when the stamp matches, rewritten
when a load changed it, never trusted when damaged or written by another format."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from storefixtures import open_store, store_target  # noqa: F401  (fixtures)
from test_store import make_interview  # tests/ is on sys.path (rootdir-less test modules)

from bot.models import Topic
from bot.store import Store
from bot.store import catalog_cache as cc
from bot.store import corpus as corpus_module

ONE = make_interview("one", ["The harbour lights at dawn.", "Cold tea on the boat."])
TWO = make_interview("two", ["Harbour dues went up again."], title="Nets")
HARBOUR = Topic("harbour", "Harbour", passage_ids=(ONE.passages[0].id, TWO.passages[0].id))

Opener = Callable[[], Awaitable[Store]]


def cache_file(store: Store) -> Path:
    path = store._catalog_cache_path()
    assert path is not None
    return path


def summary(corpus: object) -> object:
    """What a catalog reads, as plain values (interviews made into objects)."""
    return (
        [(iv.id, iv.meta, iv.source, iv.content_hash, iv.speakers) for iv in corpus.interviews],  # type: ignore[attr-defined]
        corpus.topics,  # type: ignore[attr-defined]
        corpus.speakers,  # type: ignore[attr-defined]
        corpus.fingerprint,  # type: ignore[attr-defined]
    )


def count_row_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    real = Store._catalog_rows

    async def counted(self: Store, tx: object) -> object:
        reads.append(1)
        return await real(self, tx)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_catalog_rows", counted)
    return reads


async def test_a_restart_reads_the_catalog_from_its_cache(
    open_store: Opener,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = await open_store()
    try:
        await store.replace_corpus([ONE, TWO], [HARBOUR])
        first = await store.read_corpus()  # from the database; writes the cache
    finally:
        await store.close()
    assert cache_file(store).is_file()
    reads = count_row_reads(monkeypatch)
    store = await open_store()
    try:
        again = await store.read_corpus()
    finally:
        await store.close()
    assert reads == []
    assert summary(again) == summary(first)
    assert [iv.speakers for iv in again.interviews] == [("Ann Lee",), ("Ann Lee",)]
    assert again.topics[0].passage_ids == HARBOUR.passage_ids


async def test_a_load_that_changes_only_a_title_is_not_served_from_the_old_cache(
    open_store: Opener,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = await open_store()
    try:
        await store.replace_corpus([ONE, TWO], [HARBOUR])
        before = await store.read_corpus()
        renamed = make_interview("two", ["Harbour dues went up again."], title="Old nets")
        await store.replace_corpus([ONE, renamed], [HARBOUR])  # same answers, same fingerprint
        reads = count_row_reads(monkeypatch)
        after = await store.read_corpus()
        assert reads == [1]
        assert after.fingerprint == before.fingerprint
        assert [iv.meta.title for iv in after.interviews] == ["T", "Old nets"]
        assert (await store.read_corpus()).interviews[1].meta.title == "Old nets"
        assert reads == [1]  # the rewritten cache serves the next read
    finally:
        await store.close()


@pytest.mark.parametrize(
    "damage",
    ["flip a byte", "cut short", "empty", "other format", "garbage"],
)
async def test_a_damaged_or_foreign_cache_is_read_again_from_the_database(
    open_store: Opener,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    store = await open_store()
    try:
        await store.replace_corpus([ONE, TWO], [HARBOUR])
        good = await store.read_corpus()
        path = cache_file(store)
        raw = path.read_bytes()
        if damage == "flip a byte":
            at = len(raw) - 40
            path.write_bytes(raw[:at] + bytes([raw[at] ^ 0x55]) + raw[at + 1 :])
        elif damage == "cut short":
            path.write_bytes(raw[: len(raw) // 2])
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "other format":  # an older version's file: same stamp, old number
            stamp = await store.get_meta(cc.CATALOG_STAMP_KEY)
            assert stamp is not None
            migrations = len(corpus_module._migrations())
            rows = cc.read_cache(path, cc.cache_key(stamp, migrations))
            assert rows is not None
            monkeypatch.setattr(cc, "CATALOG_FORMAT", cc.CATALOG_FORMAT - 1)
            cc.write_cache(path, cc.cache_key(stamp, migrations), rows)
            monkeypatch.undo()
        else:
            path.write_bytes(b"\x00\xff not a catalog cache" * 100)
        reads = count_row_reads(monkeypatch)
        again = await store.read_corpus()
        assert reads == [1]
        assert summary(again) == summary(good)
        assert cc.read_cache(path, "no such key") is None
        reads.clear()
        await store.read_corpus()
        assert reads == []  # rewritten, good again
    finally:
        await store.close()


def test_interviews_are_made_when_asked_for_and_looked_up_by_id() -> None:
    rows = cc.CatalogRows.of_queries(
        [("a", "A", None, None, None, None, None, "a.txt", "h1"),
         ("b", "B", "Bo", None, None, None, None, "b.txt", "h2")],
        [("a", "Ann"), ("a", "Al"), ("b", "Bo")],
        [],
        [],
        "{}",
    )  # fmt: skip
    interviews = cc.StoredInterviews(rows.interviews, rows.speakers)
    by_id = interviews.by_id()
    assert len(interviews) == 2 and "b" in by_id and "c" not in by_id
    assert by_id["b"].meta.interviewee == "Bo" and by_id["a"].speakers == ("Ann", "Al")
    assert by_id["b"] is interviews[1]  # made once
    assert list(by_id) == ["a", "b"] and [iv.id for iv in interviews[::-1]] == ["b", "a"]
    with pytest.raises(KeyError):
        by_id["c"]


async def test_an_untrusted_cache_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI after an unclean stop reads the catalog from the database (damage shows)."""
    store = await Store.open(tmp_path / "q.db")
    try:
        await store.replace_corpus([ONE, TWO], [HARBOUR])
        await store.read_corpus()  # writes the cache
        reads = count_row_reads(monkeypatch)
        store.trust_catalog_cache = False
        await store.read_corpus()
        assert reads == [1]
        store.trust_catalog_cache = True
        await store.read_corpus()
        assert reads == [1]
    finally:
        await store.close()
