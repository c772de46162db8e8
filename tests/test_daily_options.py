"""The daily post's options without Discord: thread names, the store keeping them, and a
schedule per channel (at most five on)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.daily import THREAD_NAME_MAX, thread_name
from bot.store import Store, _migrations
from bot.store.daily import MAX_SCHEDULES, TooManySchedules
from bot.store.dialect import POSTGRESQL, portable_ddl, statements


def test_thread_names_fit_discord_and_keep_the_day() -> None:
    assert thread_name("Harbour", "2024-06-01") == "Harbour · 2024-06-01"
    assert thread_name("  Sean   Baker\non “Anora” ", "2024-06-01") == (
        "Sean Baker on “Anora” · 2024-06-01"
    )
    long = thread_name("Ж" * 300, "2024-06-01")
    assert len(long) == THREAD_NAME_MAX and long.endswith("… · 2024-06-01")
    assert thread_name("", "2024-06-01") == "Quote of the day · 2024-06-01"


# `store`: tests/storefixtures.py, on SQLite and on PostgreSQL


async def test_options_are_stored_replaced_and_the_post_keeps_its_thread(store: Store) -> None:
    role = 2**62 + 5  # snowflakes need 64 bits (BIGINT)
    await store.daily_put(
        1, 10, "09:00", "UTC", None, 100, "2024-06-01", 0, 7, mention_role_id=role, thread=True
    )
    row = await store.daily_get(1, 10)
    assert row is not None and row.mention_role_id == role and row.thread

    assert await store.daily_claim(1, "2024-06-01", "q1", "n", 10, 100, (), 200)
    await store.daily_record(
        1, 10, "2024-06-01", 555, 101, 200, "2024-06-02", "2024-01-01",
        thread_id=555, note="@Role is not mentionable, so nobody was mentioned",
    )  # fmt: skip
    post = await store.daily_post(1, 10, "2024-06-01")
    assert post is not None and post.status == "posted" and post.thread_id == 555
    assert post.note == "@Role is not mentionable, so nobody was mentioned"
    last = await store.daily_last_post(1, 10)
    assert last is not None and last.thread_id == 555
    [(due_row, _)] = await store.daily_due(200, 10)
    assert due_row.mention_role_id == role and due_row.thread

    # /daily set again without options: both off (set replaces the whole schedule).
    await store.daily_put(1, 10, "09:00", "UTC", None, 300, "2024-06-02", 0, 7)
    row = await store.daily_get(1, 10)
    assert row is not None and row.mention_role_id is None and not row.thread


async def test_a_server_has_a_schedule_per_channel_each_with_its_own_day_and_bag(
    store: Store,
) -> None:
    guild, first, second = 2**62 + 1, 2**62 + 10, 2**62 + 20
    for channel in (first, second):
        await store.daily_put(guild, channel, "09:00", "UTC", None, 100, "2024-06-01", 0, 7)
    assert [r.channel_id for r in await store.daily_schedules(guild)] == [first, second]
    # The same local day is claimed once per channel, not once per server.
    assert await store.daily_claim(guild, "2024-06-01", "q1", "n1", first, 100, (), 200)
    assert await store.daily_claim(guild, "2024-06-01", "q1", "n2", second, 100, (), 200)
    assert not await store.daily_claim(guild, "2024-06-01", "q2", "n3", first, 100, (), 200)
    assert await store.daily_bag(guild, first) == ({"q1"}, "q1")
    await store.daily_release(guild, second, "2024-06-01")  # only the second channel's claim
    assert await store.daily_bag(guild, second) == (set(), None)
    assert await store.daily_bag(guild, first) == ({"q1"}, "q1")
    await store.daily_pause(guild, first, "2024-06-01", "the channel was deleted", 150)
    paused = {r.channel_id: r.paused_reason for r in await store.daily_schedules(guild)}
    assert paused == {first: "the channel was deleted", second: None}


async def test_at_most_five_schedules_are_on_and_a_sixth_names_the_others(store: Store) -> None:
    guild = 2**62 + 2
    channels = [2**62 + 100 + n for n in range(MAX_SCHEDULES + 1)]
    for channel in channels[:MAX_SCHEDULES]:
        await store.daily_put(guild, channel, "09:00", "UTC", None, 100, "2024-06-01", 0, 7)
    with pytest.raises(TooManySchedules) as refused:
        await store.daily_put(guild, channels[-1], "09:00", "UTC", None, 100, "2024-06-01", 0, 7)
    assert refused.value.channels == channels[:MAX_SCHEDULES]
    assert await store.daily_get(guild, channels[-1]) is None  # nothing written
    # Changing one of the five is not a sixth; an off schedule does not count.
    await store.daily_put(guild, channels[0], "10:00", "UTC", None, 100, "2024-06-01", 0, 7)
    assert (await store.daily_get(guild, channels[0])).local_time == "10:00"  # type: ignore[union-attr]
    assert await store.daily_disable(guild, channels[1], 120, 7)
    await store.daily_put(guild, channels[-1], "09:00", "UTC", None, 100, "2024-06-01", 0, 7)
    on = [r.channel_id for r in await store.daily_schedules(guild) if r.enabled]
    assert on == [c for c in channels if c != channels[1]]


async def test_migration_009_gives_old_daily_rows_their_servers_channel(
    open_store: Callable[[], Awaitable[Store]],
) -> None:
    """A database at 008 (one schedule per server) upgrades: its schedule, its posts (also
    one sent to a channel it has since moved from) and its bag go to its channel."""
    moved, kept = 2**62 + 1, 2**62 + 2  # kept: posts but no schedule (made by hand)
    channel = moved + 100
    store = await open_store()
    try:
        back = ["DROP TABLE daily_bag", "DROP TABLE daily_posts", "DROP TABLE daily_schedules"]
        for number, _name, sql in _migrations():
            if number in (3, 8):
                back += statements(portable_ddl(sql, store.kind))
        # what later migrations added goes too, as they run again after 009
        back += [f"ALTER TABLE trivia_games DROP COLUMN {c}" for c in ("final_due", "final_note")]
        back.append("UPDATE alembic_version SET version_num = '008'")
        if store.kind != POSTGRESQL:
            back.append("PRAGMA user_version = 8")
        rows = [
            "INSERT INTO daily_schedules(guild_id, channel_id, local_time, timezone, enabled, "
            f"next_due, due_day, updated_at) VALUES ({moved}, {channel}, '09:00', 'UTC', 1, "
            "100, '2024-06-03', 0)",
            "INSERT INTO daily_posts(guild_id, day, status, quote_id, channel_id, message_id, "
            f"claimed_at) VALUES ({moved}, '2024-06-01', 'posted', 'q1', {moved + 50}, 7, 0)",
            "INSERT INTO daily_posts(guild_id, day, status, claimed_at) "
            f"VALUES ({moved}, '2024-06-02', 'missed', 0)",
            "INSERT INTO daily_posts(guild_id, day, status, quote_id, channel_id, claimed_at) "
            f"VALUES ({kept}, '2024-06-01', 'posted', 'q9', {kept + 60}, 0)",
            "INSERT INTO daily_posts(guild_id, day, status, claimed_at) "
            f"VALUES ({kept}, '2024-06-02', 'missed', 0)",
            f"INSERT INTO daily_bag(guild_id, quote_id, used_at) VALUES ({moved}, 'q1', 0)",
            f"INSERT INTO daily_bag(guild_id, quote_id, used_at) VALUES ({moved}, 'q2', 0)",
        ]
        async with store._tx() as tx:
            for statement in back + rows:
                await tx.execute(statement)
    finally:
        await store.close()
    store = await open_store()  # 009 runs
    try:
        assert [r.channel_id for r in await store.daily_schedules(moved)] == [channel]
        history = await store.daily_history(moved, channel)
        assert [(p.day, p.status, p.channel_id) for p in history] == [
            ("2024-06-02", "missed", channel),
            ("2024-06-01", "posted", channel),
        ]
        assert await store.daily_bag(moved, channel) == ({"q1", "q2"}, "q1")
        assert await store.daily_latest_day(moved, channel) == "2024-06-01"
        assert [p.day for p in await store.daily_history(kept, kept + 60)] == ["2024-06-01"]
        assert await store.daily_schedules(kept) == []
        # The rekeyed claim still holds its day.
        assert not await store.daily_claim(moved, "2024-06-01", "q3", "n", channel, 100, (), 200)
    finally:
        await store.close()
