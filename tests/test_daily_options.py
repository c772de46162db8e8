"""The daily post's options without Discord: thread names, and the store keeping them."""

from __future__ import annotations

from bot.daily import THREAD_NAME_MAX, thread_name
from bot.store import Store


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
    row = await store.daily_get(1)
    assert row is not None and row.mention_role_id == role and row.thread

    assert await store.daily_claim(1, "2024-06-01", "q1", "n", 10, 100, (), 200)
    await store.daily_record(
        1, "2024-06-01", 555, 10, 101, 200, "2024-06-02", "2024-01-01",
        thread_id=555, note="@Role is not mentionable, so nobody was mentioned",
    )  # fmt: skip
    post = await store.daily_post(1, "2024-06-01")
    assert post is not None and post.status == "posted" and post.thread_id == 555
    assert post.note == "@Role is not mentionable, so nobody was mentioned"
    last = await store.daily_last_post(1)
    assert last is not None and last.thread_id == 555
    [(due_row, _)] = await store.daily_due(200, 10)
    assert due_row.mention_role_id == role and due_row.thread

    # /daily set again without options: both off (set replaces the whole schedule).
    await store.daily_put(1, 10, "09:00", "UTC", None, 300, "2024-06-02", 0, 7)
    row = await store.daily_get(1)
    assert row is not None and row.mention_role_id is None and not row.thread
