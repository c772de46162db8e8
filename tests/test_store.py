"""The store on both backends (SQLite files and a real PostgreSQL, see tests/storefixtures.py):
migrations, all-or-nothing loads, diffs; SQLite's own: bad files, WAL, in-place upgrades."""

import asyncio
import hashlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy.exc

from bot import store as store_module
from bot.models import Interview, InterviewMeta, Passage, Topic
from bot.store import Change, Store, StoreError, _migrations, fingerprint
from bot.store import migrate as store_migrate
from bot.store import plan as store_plan
from bot.store.shelf import STALE_COPY_SECONDS, prune_copies

# A duplicate key in a load, as each driver reports it (the load is rolled back either way).
DUPLICATE = (sqlite3.IntegrityError, asyncpg.UniqueViolationError, sqlalchemy.exc.IntegrityError)


def make_interview(iid: str, answers: list[str], title: str = "T") -> Interview:
    passages = tuple(
        Passage(
            id=hashlib.sha1(f"{iid}\0{text}".encode()).hexdigest()[:12],
            interview_id=iid,
            position=n,
            speaker="Ann Lee",
            role="interviewee",
            question=f"Question {n}?",
            paragraphs=(text,),
            sentences=tuple(s.strip() + "." for s in text.split(".") if s.strip()),
            line=2 * n + 2,
        )
        for n, text in enumerate(answers)
    )
    return Interview(
        id=iid,
        meta=InterviewMeta(title=title, interviewee="Ann Lee"),
        source=f"{iid}.txt",
        content_hash=hashlib.sha1(repr((iid, answers, title)).encode()).hexdigest(),
        speakers=("Ann Lee",),
        paragraphs=(),
        passages=passages,
    )


@pytest.fixture
async def sqlite_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = await Store.open(tmp_path / "q.db")
    yield s
    await s.close()


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_migrations_are_numbered_one_to_n_without_gaps() -> None:
    """The runner applies the numbers above the database's user_version, so a gap or a
    reused number would be skipped on databases already past it: forbid both."""
    numbers = [n for n, _, _ in _migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_migrations_from_empty_set_version(store: Store) -> None:
    latest = max(n for n, _, _ in _migrations())
    assert await store.schema_version() == latest
    assert await store.migrate() == latest  # idempotent
    assert await store.integrity_ok()


async def test_a_new_sqlite_file_is_wal_and_marked_ours(sqlite_store: Store) -> None:
    latest = max(n for n, _, _ in _migrations())
    assert sqlite_rows(sqlite_store.path, "PRAGMA journal_mode") == [("wal",)]
    assert sqlite_rows(sqlite_store.path, "PRAGMA user_version") == [(latest,)]
    assert sqlite_rows(sqlite_store.path, "PRAGMA application_id") == [
        (store_module.APPLICATION_ID,)
    ]


async def test_load_then_same_again_reports_nothing(store: Store) -> None:
    iv = make_interview("one", ["First answer. Two.", "Second answer."])
    topic = Topic("first", "First", passage_ids=(iv.passages[0].id,))
    report = await store.replace_corpus([iv], [topic])
    assert (report.interviews.added, report.quotes.added, report.topics.added) == (1, 2, 1)
    again = await store.replace_corpus([iv], [topic])
    assert again.unchanged
    assert again.as_dict()["quotes"] == {"added": 0, "removed": 0, "changed": 0}


async def test_changed_files_report_counts_and_roundtrip(store: Store) -> None:
    a = make_interview("one", ["First answer.", "Second answer."])
    b = make_interview("two", ["Other answer."])
    await store.replace_corpus([a, b], [])
    a2 = make_interview("one", ["First answer.", "Second answer, rewritten.", "Third."])
    report = await store.replace_corpus([a2], [])
    assert report.interviews.removed == 1 and report.interviews.changed == 1
    assert report.quotes.changed == 1  # same slot, new text
    assert report.quotes.added == 1 and report.quotes.removed == 1  # "Third." and b's answer
    stored = await store.read_corpus()
    passages = list(store.passages.stream())
    assert [p.text for p in passages] == [
        "First answer.",
        "Second answer, rewritten.",
        "Third.",
    ]
    assert passages[0].sentences == ("First answer.",)
    assert store.passages[passages[2].id] == passages[2]
    assert (stored.answers, stored.speakers) == (3, ("Ann Lee",))
    assert stored.fingerprint == fingerprint(passages) == fingerprint(a2.passages)
    assert stored.interviews[0].meta.interviewee == "Ann Lee"


async def test_failed_load_leaves_old_data(store: Store) -> None:
    a = make_interview("one", ["First answer."])
    await store.replace_corpus([a], [])
    bad = make_interview("two", ["Dup."])
    dup = replace(
        bad, id="three", passages=tuple(replace(p, interview_id="three") for p in bad.passages)
    )
    with pytest.raises(DUPLICATE):  # same passage id twice: the insert fails midway
        await store.replace_corpus([a, bad, dup], [])
    stored = await store.read_corpus()
    assert [i.id for i in stored.interviews] == ["one"]
    assert [p.text for p in store.passages.stream()] == ["First answer."]
    assert stored.fingerprint == fingerprint(a.passages)


async def test_stored_interviews_come_back_unchanged_for_a_load_that_keeps_them(
    store: Store,
) -> None:
    a = make_interview("one", ["Alpha answer.", "Beta answer."])
    b = make_interview("two", ["Gamma."])
    curated = Topic("alpha", "Alpha", aliases=("al",), keywords=("alpha",), curated=True)
    auto = Topic("gamma", "Gamma", passage_ids=(b.passages[0].id,))
    await store.replace_corpus([a, b], [replace(curated, passage_ids=(a.passages[0].id,)), auto])
    (kept,) = await store.stored_interviews(["one", "missing"])
    assert (kept.id, kept.meta, kept.content_hash, kept.speakers, kept.source) == (
        a.id,
        a.meta,
        a.content_hash,
        a.speakers,
        a.source,
    )
    assert kept.passages == a.passages
    assert [(p.kind, p.text) for p in kept.paragraphs] == [
        ("question", "Question 0?"),
        ("answer", "Alpha answer."),
        ("question", "Question 1?"),
        ("answer", "Beta answer."),
    ]
    assert await store.curated_topics() == [curated]
    # Passed back in, the kept interview is not rewritten: only the dropped one goes.
    report = await store.replace_corpus([kept], [])
    assert report.interviews == Change(removed=1) and report.quotes == Change(removed=1)
    assert [p.id for p in store.passages.stream()] == [p.id for p in a.passages]


async def test_topics_link_and_change(store: Store) -> None:
    a = make_interview("one", ["Alpha.", "Beta."])
    t = Topic("alpha", "Alpha", aliases=("a",), passage_ids=(a.passages[0].id,), curated=True)
    await store.replace_corpus([a], [t])
    t2 = replace(t, passage_ids=(a.passages[0].id, a.passages[1].id))
    report = await store.replace_corpus([a], [t2])
    assert report.topics.changed == 1
    stored = await store.read_corpus()
    assert stored.topics[0].passage_ids == (a.passages[0].id, a.passages[1].id)
    assert stored.topics[0].aliases == ("a",) and stored.topics[0].curated


async def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers(id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="something else"):
        await Store.open(path)


async def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="quotebot load"):
        await Store.open(path)


async def test_a_load_in_many_batches_stores_every_row(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of many interviews go in batches; every one of them, text exactly as given."""
    monkeypatch.setattr(store_plan, "INSERT_BATCH", 32)  # 2 interviews, 32 answers a batch
    odd = 'He said "no" \\ then \x01 left. Naïve – “quoted” 😀.'
    interviews = [
        make_interview(f"iv{n:02d}", [f"Answer {n}.{k} here. {odd}" for k in range(7)])
        for n in range(11)
    ]
    report = await store.replace_corpus(interviews, [])
    assert (report.interviews.added, report.quotes.added) == (11, 77)
    corpus = await store.read_corpus()
    passages = list(store.passages.stream())
    assert [p.id for p in passages] == [p.id for iv in interviews for p in iv.passages]
    stored = {p.id: p for p in passages}
    for iv in interviews:
        for p in iv.passages:
            assert stored[p.id].paragraphs == p.paragraphs
            assert stored[p.id].sentences == p.sentences
    assert [iv.speakers for iv in corpus.interviews] == [("Ann Lee",)] * 11
    assert await store.integrity_ok()


async def test_debug_log_of_a_load_names_statements_not_rows(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """aiosqlite logs each call at DEBUG; a load's rows (and their text) stay out of it."""
    secret = "a sentence nobody should find in the log"
    interviews = [make_interview(f"iv{n}", [f"{secret} {k}." for k in range(40)]) for n in range(3)]
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        await sqlite_store.replace_corpus(interviews, [])
    lines = [r.getMessage() for r in caplog.records if r.name == "aiosqlite"]
    assert any("INSERT INTO passages" in line and "[120 rows]" in line for line in lines)
    assert all(secret not in line and len(line) < 500 for line in lines)


async def test_migration_5_moves_sentences_into_their_answers_row(tmp_path: Path) -> None:
    """A database from before migration 5 keeps every answer, sentences in order."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, _, sql in _migrations():
        if number <= 4:
            conn.executescript(f"BEGIN; {sql}; PRAGMA user_version={number}; COMMIT;")
    conn.execute(f"PRAGMA application_id={store_module.APPLICATION_ID}")
    conn.execute(
        "INSERT INTO interviews(id, title, source, content_hash, loaded_at) "
        "VALUES ('one', 'T', 'one.txt', 'h', '2026-01-01')"
    )
    rows = [("b", 1, '["Two."]'), ("a", 0, '["One.", "Uno."]'), ("c", 2, '["Three."]')]
    conn.executemany(
        "INSERT INTO passages(id, interview_id, position, speaker, role, question, paragraphs, "
        "line) VALUES (?, 'one', ?, 'Ann Lee', 'interviewee', NULL, ?, 1)",
        rows,
    )
    sentences = [("a", 1, "Uno."), ("b", 0, "Two."), ("a", 0, "One.")]  # "c" has none
    conn.executemany("INSERT INTO sentences(passage_id, idx, text) VALUES (?, ?, ?)", sentences)
    conn.commit()
    conn.close()

    store = await Store.open(path)
    try:
        assert await store.schema_version() == max(n for n, _, _ in _migrations())
        passages = list(store.passages.stream())
        assert [(p.id, p.sentences) for p in passages] == [
            ("a", ("One.", "Uno.")),
            ("b", ("Two.",)),
            ("c", ()),
        ]
        assert passages[0].text == "One.\n\nUno."
        assert await store.get_meta(store_module.SUMMARY_KEY) is None
        corpus = await store.read_corpus()  # computes the summary the old load did not store
        assert (corpus.fingerprint, corpus.speakers, corpus.answers) == (
            fingerprint(passages),
            ("Ann Lee",),
            3,
        )
        assert await store.get_meta(store_module.SUMMARY_KEY) is not None
        assert await store.read_corpus() == corpus
        assert await store.integrity_ok()
    finally:
        await store.close()
    assert sqlite_rows(path, "SELECT name FROM sqlite_master WHERE name = 'sentences'") == []


def test_every_numbered_file_has_a_revision() -> None:
    """A new `bot/migrations/NNN_*.sql` needs its revision `bot/store/revisions/NNN_*.py`
    (one line: `run_sql_file("NNN_*.sql")`); the head is the last file."""
    files = [n for n, _, _ in _migrations() if n > store_migrate.LEGACY_LAST]
    revisions = store_migrate.revision_numbers()
    assert revisions == [store_migrate.LEGACY_LAST, *files]
    assert store_migrate.head() == f"{max(n for n, _, _ in _migrations()):03d}"


async def test_a_database_made_by_the_numbered_runner_upgrades_in_place(tmp_path: Path) -> None:
    """tests/fixtures/store/v5.db was made by the store before Alembic (commit bfbaddf,
    schema version 5; see make_v5.py there): it opens, keeps every row, and is stamped."""
    path = tmp_path / "v5.db"
    shutil.copyfile(FIXTURES / "v5.db", path)
    columns = {
        t: ", ".join(r[1] for r in sqlite_rows(path, f"PRAGMA table_info({t})")) for t in V5_TABLES
    }
    before = {t: sqlite_rows(path, f"SELECT {columns[t]} FROM {t} ORDER BY 1") for t in V5_TABLES}
    assert sqlite_rows(path, "SELECT name FROM sqlite_master WHERE name = 'alembic_version'") == []
    store = await Store.open(path)
    try:
        assert await store.schema_version() == max(n for n, _, _ in _migrations())
        corpus = await store.read_corpus()
        assert [iv.id for iv in corpus.interviews] == ["one", "two"]
        assert next(store.passages.stream()).text == "The river was cold that winter."
        big = 2**62 + 12345
        daily = await store.daily_get(big, big + 1)  # 009 keyed it by its channel
        assert daily is not None and daily.channel_id == big + 1
        assert [r.channel_id for r in await store.daily_schedules(big)] == [big + 1]
        passage = next(store.passages.stream()).id
        assert await store.daily_bag(big, big + 1) == ({passage}, passage)
        assert not await store.daily_claim(
            big, "2027-01-15", "x", "n2", big + 1, 1_800_000_000, [], 1_800_000_300
        )  # the claim made before the upgrade still holds its day
        score = await store.trivia_score(big, big + 3)
        assert score is not None and (score.points, score.correct) == (10, 1)
        assert [q.id for q in await store.read_trivia()] == ["q1"]
        assert [a.action for a in await store.admin_actions()] == ["reload"]
        assert await store.pending_import_owner("tok") == big + 2
        assert await store.integrity_ok()
    finally:
        await store.close()
    after = {t: sqlite_rows(path, f"SELECT {columns[t]} FROM {t} ORDER BY 1") for t in V5_TABLES}
    # The first read of the catalog adds its cache's stamp (bot.store.catalog_cache).
    stamps = [row for row in after.get("meta", []) if row[0] == "catalog_stamp"]
    assert len(stamps) == 1
    after = {t: [row for row in rows if row not in stamps] for t, rows in after.items()}
    assert after == before  # every row and column kept (later migrations only add)
    seasons = sqlite_rows(path, "SELECT guild_id, season FROM trivia_season_scores")
    assert seasons == [(2**62 + 12345, 1)]  # 006 carried the scores into season 1
    assert sqlite_rows(path, "SELECT version_num FROM alembic_version") == [(store_migrate.head(),)]
    again = await Store.open(path)  # stamped: nothing left to do
    try:
        assert await again.schema_version() == max(n for n, _, _ in _migrations())
    finally:
        await again.close()


FIXTURES = Path(__file__).parent / "fixtures" / "store"
V5_TABLES = (
    "interviews",
    "speakers",
    "passages",
    "topics",
    "passage_topics",
    "meta",
    "trivia_questions",
    "trivia_rounds",
    "trivia_answers",
    "trivia_scores",
    "trivia_seen",
    "daily_schedules",
    "daily_posts",
    "daily_bag",
    "admin_audit",
    "pending_imports",
)


async def test_a_daily_claim_is_won_once_across_two_stores(
    store: Store, open_store: Callable[[], Awaitable[Store]]
) -> None:
    """Two processes' stores on one database claim the same (guild, day) at once, many
    times: each day is won by exactly one (the row insert is the claim)."""
    other = await open_store()
    try:
        days = [f"2027-01-{d:02d}" for d in range(1, 21)]
        for n, _day in enumerate(days):
            guild = 2**62 + n  # Discord ids are 64-bit
            await store.daily_put(guild, 7, "09:00", "UTC", None, 100, days[n], 0, None)

        async def claim(s: Store, n: int) -> bool:
            return await s.daily_claim(2**62 + n, days[n], f"q{n}", "nonce", 7, 100, [], 400)

        for n in range(len(days)):
            won = await asyncio.gather(claim(store, n), claim(other, n))
            assert sorted(won) == [False, True]
            post = await other.daily_post(2**62 + n, 7, days[n])
            assert post is not None and post.status == "sending" and post.quote_id == f"q{n}"
    finally:
        await other.close()


async def test_start_up_expires_only_the_claims_of_guilds_this_process_serves(
    store: Store,
) -> None:
    """A starting process makes its own guilds' in-flight claims due at once; another
    process's claims (it may be sending them right now) keep their lease."""
    mine, theirs = 2**62 + 1, 2**62 + 2
    for guild in (mine, theirs):
        await store.daily_put(guild, 7, "09:00", "UTC", None, 100, "2027-01-01", 0, None)
        assert await store.daily_claim(guild, "2027-01-01", "q", "nonce", 7, 100, [], 400)
    assert await store.daily_expire_leases(200, lambda guild: guild == mine) == 1
    due = {guild: (await store.daily_get(guild, 7)) for guild in (mine, theirs)}
    assert due[mine] is not None and due[mine].next_due == 200
    assert due[theirs] is not None and due[theirs].next_due == 400
    assert await store.daily_expire_leases(200) == 1  # no predicate: every claim is ours


async def test_a_reload_notice_reaches_another_store(
    store: Store, open_store: Callable[[], Awaitable[Store]]
) -> None:
    """PostgreSQL: NOTIFY from one store reaches a listening one. SQLite: one process's
    file, so both calls say there is nobody to tell."""
    other = await open_store()
    try:
        heard: asyncio.Queue[str] = asyncio.Queue()
        listening = await other.listen_reloads(heard.put_nowait)
        sent = await store.notify_reload("abc123")
        assert listening == sent == (store.kind == "postgresql")
        if sent:
            async with asyncio.timeout(30):  # delivery is immediate; the bound is a safety net
                assert await heard.get() == "abc123"
    finally:
        await other.close()


async def test_postgresql_answer_copies_of_old_corpora_are_pruned(
    pg_url: str, tmp_path: Path
) -> None:
    """Each reload on PostgreSQL makes a new local copy; copies nobody wrote for an hour
    (and half-written ones a killed process left) go, recent ones stay for processes that
    have not switched yet, and the current one is never touched."""
    cache = tmp_path / "cache"
    cache.mkdir()
    hour_ago = time.time() - STALE_COPY_SECONDS - 5
    stale = [cache / "answers-oldcorpus.db", cache / "answers-older.db.4242.partial"]
    recent = cache / "answers-recentcorpus.db"
    for path in [*stale, recent]:
        path.write_bytes(b"x")
    for path in stale:
        os.utime(path, (hour_ago, hour_ago))
    store = await Store.open(pg_url, cache_dir=cache)
    try:
        await store.replace_corpus([make_interview("one", ["An answer."])], [])
        await store.read_corpus()
        assert store.passages.path is not None and store.passages.path.exists()
        assert not any(path.exists() for path in stale)
        assert recent.exists()
        for path in (store.passages.path, recent):  # both an hour old now
            os.utime(path, (hour_ago, hour_ago))
        assert prune_copies(cache, store.passages.path, time.time()) == 1
        assert store.passages.path.exists() and not recent.exists()
    finally:
        await store.close()


async def test_postgresql_answers_are_read_from_a_local_copy_per_corpus(
    pg_url: str, tmp_path: Path
) -> None:
    """The search threads read answers synchronously: on PostgreSQL from a SQLite copy made
    once per corpus fingerprint, which a second process reuses and a reload replaces."""
    cache = tmp_path / "cache"
    first = await Store.open(pg_url, cache_dir=cache)
    try:
        a = make_interview("one", ["First answer.", "Second answer."])
        await first.replace_corpus([a], [])
        corpus = await first.read_corpus()
        copies = sorted(cache.glob("answers-*.db"))
        assert len(copies) == 1 and first.passages.path == copies[0]
        assert [p.id for p in first.passages.stream()] == [p.id for p in a.passages]
        second = await Store.open(pg_url, cache_dir=cache)
        try:
            assert (await second.read_corpus()).fingerprint == corpus.fingerprint
            assert second.passages.path == copies[0]  # reused, not made again
            assert second.passages[a.passages[1].id] == a.passages[1]
        finally:
            await second.close()
        b = make_interview("one", ["First answer.", "Changed answer."])
        await first.replace_corpus([b], [])
        await first.read_corpus()
        assert first.passages.path != copies[0]
        assert [p.text for p in first.passages.stream()] == ["First answer.", "Changed answer."]
    finally:
        await first.close()
