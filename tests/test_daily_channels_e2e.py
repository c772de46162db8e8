# ruff: noqa: F811  (the fixture clock comes from test_daily_e2e)
"""Several daily schedules per server, one per channel (at most five), end to end: the real
bot and discord.py against the emulator, a manual clock, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from storefixtures import store_target

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.daily_claims import nonce_for
from bot.emulator import Channel, DiscordEmulator, World
from bot.settings import Settings
from bot.store.daily import MAX_SCHEDULES
from tests.test_daily_e2e import (  # the fixture clock too
    SLOT,
    advance_to,
    clock,  # noqa: F401
    daily,
    daily_posts,
    eventually,
    set_daily,
    text_of,
)

__all__ = ["store_target"]  # every test here runs on SQLite and on PostgreSQL


@pytest.fixture
async def dbot(
    launch_quotebot: Callable[..., Awaitable[QuoteBot]],
    clock: ManualClock,
    bot_settings: Settings,
    store_target: str | Path,
) -> QuoteBot:
    if isinstance(store_target, Path):
        settings = replace(bot_settings, db_path=store_target)
    else:
        settings = replace(bot_settings, db_url=store_target)
    return await launch_quotebot(settings, clock=clock)


async def channel_seen(
    emulator: DiscordEmulator, world: World, bot: QuoteBot, name: str
) -> Channel:
    made = emulator.create_text_channel(world.guild, name)
    await eventually(lambda: bot.get_channel(made.id) is not None, f"#{name} to reach the bot")
    return made


def quote_ids(posts: list) -> list[str]:  # type: ignore[type-arg]
    return [str(p.embed["description"]) for p in posts]


async def test_each_channel_posts_once_a_day_from_its_own_bag(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    quotes = await channel_seen(emulator, world, dbot, "quotes")
    assert (await set_daily(emulator, world, world.general)).ephemeral
    added = await set_daily(emulator, world, quotes, "10:00")
    assert "10:00" in added.content and f"<#{quotes.id}>" in added.content
    await advance_to(dbot, clock, SLOT + timedelta(days=2, hours=2))
    general_posts, quote_posts = daily_posts(emulator, world.general), daily_posts(emulator, quotes)
    assert len(general_posts) == 3 and len(quote_posts) == 3  # one a day in each channel
    store = dbot.library.store
    for channel in (world.general, quotes):
        days = [p.day for p in await store.daily_history(world.guild.id, channel.id)]
        assert sorted(days) == ["2024-06-01", "2024-06-02", "2024-06-03"]
        post = await store.daily_post(world.guild.id, channel.id, "2024-06-01")
        assert post is not None and post.nonce == nonce_for(
            world.guild.id, channel.id, "2024-06-01"
        )
        used = await store.daily_used(world.guild.id, channel.id)
        assert len(used) == 3  # each channel's bag holds its own three quotes
    assert len(set(quote_ids(general_posts))) == 3 and len(set(quote_ids(quote_posts))) == 3

    # status without a channel lists both; with one, that one in full.
    listed = text_of(await daily(emulator, world, "status"))
    assert f"<#{world.general.id}>" in listed and f"<#{quotes.id}>" in listed
    assert "2 of at most 5 on" in listed
    one = text_of(await daily(emulator, world, "status", {"channel": str(quotes.id)}))
    assert "10:00 Europe/Berlin" in one and f"/{quotes.id}/{quote_posts[-1].id}" in one

    # Setting an existing channel again changes that schedule, it does not add one.
    await set_daily(emulator, world, quotes, "11:00")
    rows = await store.daily_schedules(world.guild.id)
    assert [(r.channel_id, r.local_time) for r in rows] == sorted(
        [(world.general.id, "09:00"), (quotes.id, "11:00")]
    )


async def test_a_sixth_channel_is_refused_with_the_five_named(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot
) -> None:
    channels = [await channel_seen(emulator, world, dbot, f"q{n}") for n in range(MAX_SCHEDULES)]
    for channel in channels:
        assert "Daily quote set" in (await set_daily(emulator, world, channel)).content
    refused = await set_daily(emulator, world, world.general)
    assert refused.ephemeral and "already has 5 daily quotes" in refused.content
    assert all(f"#{c.name}" in refused.content for c in channels), refused.content
    assert await dbot.library.store.daily_get(world.guild.id, world.general.id) is None
    # Changing one of the five still works; turning one off makes room.
    assert "10:30" in (await set_daily(emulator, world, channels[0], "10:30")).content
    off = await daily(emulator, world, "off", {"channel": f"<#{channels[2].id}>"})
    assert off.ephemeral and f"<#{channels[2].id}> turned off" in off.content
    assert "Daily quote set" in (await set_daily(emulator, world, world.general)).content


async def test_off_status_and_preview_ask_which_channel_when_it_is_unclear(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    first = await channel_seen(emulator, world, dbot, "morning")
    second = await channel_seen(emulator, world, dbot, "evening")
    nothing = await daily(emulator, world, "off")
    assert nothing.ephemeral and "not on" in nothing.content
    await set_daily(emulator, world, first)
    await set_daily(emulator, world, second, "18:00")
    # Run from #general, which has none: the command says which channels have one.
    for sub in ("off", "preview"):
        unclear = await daily(emulator, world, sub)
        assert unclear.ephemeral and "#morning and #evening" in unclear.content
        assert "`channel`" in unclear.content
    missing = await daily(emulator, world, "status", {"channel": f"<#{world.general.id}>"})
    assert "There is no daily quote in #general" in missing.content
    assert "#morning" in missing.content
    # Autocomplete offers the schedules, and its value names the channel.
    choices = await emulator.autocomplete(
        "daily", {}, focused="channel", subcommand="off", guild=world.guild,
        channel=world.general, user=world.moderator,
    )  # fmt: skip
    assert {c["value"] for c in choices} == {str(first.id), str(second.id)}
    assert any(c["name"].startswith("#evening · 18:00 Europe/Berlin") for c in choices)
    preview = await daily(emulator, world, "preview", {"channel": "evening"})
    assert f"<#{second.id}> at 18:00" in preview.content
    off = await daily(emulator, world, "off", {"channel": str(first.id)})
    assert f"<#{first.id}> turned off" in off.content
    again = await daily(emulator, world, "off", {"channel": "#morning"})
    assert "in #morning is already off" in again.content
    # Now one is on: it is the default.
    preview = await daily(emulator, world, "preview")
    assert f"<#{second.id}>" in preview.content
    await advance_to(dbot, clock, SLOT + timedelta(days=1, hours=10))
    assert daily_posts(emulator, first) == [] and len(daily_posts(emulator, second)) == 2


async def test_a_deleted_channel_pauses_only_its_schedule(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    doomed = await channel_seen(emulator, world, dbot, "doomed")
    await set_daily(emulator, world, world.general)
    await set_daily(emulator, world, doomed)
    emulator.delete_channel(doomed)
    await advance_to(dbot, clock, SLOT + timedelta(days=2, hours=1))
    assert len(daily_posts(emulator, world.general)) == 3
    rows = {r.channel_id: r for r in await dbot.library.store.daily_schedules(world.guild.id)}
    assert "deleted" in (rows[doomed.id].paused_reason or "")
    assert rows[world.general.id].paused_reason is None
    listed = text_of(await daily(emulator, world, "status"))
    assert "Paused" in listed and "deleted" in listed and "**On.**" in listed
    # The deleted channel can still be named (by id) to turn its schedule off.
    off = await daily(emulator, world, "off", {"channel": str(doomed.id)})
    assert f"<#{doomed.id}> turned off" in off.content
