"""/daily end to end: the real bot and discord.py against the emulator, a manual clock, and
real SQLite. Posts are checked as the emulator stored them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.client import QuoteBot
from bot.clock import ManualClock, WarpClock
from bot.daily import DailyScheduler
from bot.emulator import (
    Channel,
    CommandNotVisible,
    DiscordEmulator,
    InteractionHandle,
    Permission,
    World,
    stop_bot,
)
from bot.emulator.models import Message

Launch = Callable[..., Awaitable[QuoteBot]]
BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")
START = datetime(2024, 6, 1, 8, 0, tzinfo=BERLIN)
SLOT = datetime(2024, 6, 1, 9, 0, tzinfo=BERLIN)
FOOTER = "Daily quote · {day}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def dbot(launch_quotebot: Launch, clock: ManualClock) -> QuoteBot:
    return await launch_quotebot(clock=clock)


def scheduler_of(bot: QuoteBot) -> DailyScheduler:
    cog = bot.get_cog("Daily")
    assert cog is not None
    scheduler = cog.scheduler  # type: ignore[attr-defined]
    assert isinstance(scheduler, DailyScheduler)
    return scheduler


async def settle(bot: QuoteBot) -> None:
    async with asyncio.timeout(10):
        await scheduler_of(bot).wait_idle()


async def advance_to(bot: QuoteBot, clock: ManualClock, when: datetime) -> None:
    """Move the clock wake-up by wake-up to `when`, letting the bot post at each one."""
    await settle(bot)
    while clock.now() < when:
        deadline = clock.next_deadline()
        clock.set(when if deadline is None or deadline > when else deadline)
        await settle(bot)


async def eventually(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Poll bot-side state (gateway events reach the bot after the emulator changes)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - discord.py's cache has no change event
            await asyncio.sleep(0.01)


def daily_posts(emulator: DiscordEmulator, channel: Channel) -> list[Message]:
    return [
        m
        for m in emulator.messages(channel, ephemeral=False)
        if m.embed and str(m.embed.get("footer", {}).get("text", "")).startswith("Daily quote")
    ]


def text_of(message: Message) -> str:
    return json.dumps({"content": message.content, "embeds": message.embeds}, ensure_ascii=False)


async def daily(
    emulator: DiscordEmulator,
    world: World,
    sub: str,
    options: dict[str, Any] | None = None,
    *,
    user: Any = None,
) -> Message:
    handle: InteractionHandle = await emulator.slash(
        "daily", options or {}, subcommand=sub, user=user or world.moderator, channel=world.general
    )
    message = await handle.wait_original(timeout=5.0)
    assert handle.first_response_seconds is not None and handle.first_response_seconds < 3
    return message


async def set_daily(
    emulator: DiscordEmulator,
    world: World,
    channel: Channel,
    time: str = "09:00",
    timezone: str = "Europe/Berlin",
    **extra: Any,
) -> Message:
    options = {"channel": channel, "time": time, "timezone": timezone, **extra}
    return await daily(emulator, world, "set", options)


def no_pings(message: Message) -> None:
    mentions = message.allowed_mentions
    assert mentions is not None
    assert not mentions.get("parse") and not mentions.get("users") and not mentions.get("roles")


def post_requests(emulator: DiscordEmulator, channel: Channel) -> int:
    return sum(
        1
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith(f"/channels/{channel.id}/messages")
    )


# --- setting up and seeing the post -------------------------------------------------------


async def test_set_then_the_post_arrives_at_the_slot_once_a_day(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    reply = await set_daily(emulator, world, world.general)
    assert reply.ephemeral
    assert "09:00" in reply.content and "Europe/Berlin" in reply.content
    assert "Sat 1 Jun 2024, 09:00 CEST" in reply.content

    await advance_to(dbot, clock, SLOT - timedelta(seconds=1))
    assert daily_posts(emulator, world.general) == []
    await advance_to(dbot, clock, SLOT)
    [post] = daily_posts(emulator, world.general)
    embed = post.embed
    assert embed is not None
    assert embed["title"] == "Quote of the day"
    assert embed["footer"]["text"] == FOOTER.format(day="2024-06-01")
    assert embed["description"].startswith("“")
    assert [b["label"] for b in post.buttons] == ["Full answer"]
    assert post.author.id == emulator.bot_user.id
    assert post.nonce is not None and len(post.nonce) <= 25
    no_pings(post)

    await advance_to(dbot, clock, SLOT + timedelta(days=2, hours=1))
    posts = daily_posts(emulator, world.general)
    assert [p.embed["footer"]["text"] for p in posts] == [  # type: ignore[index]
        FOOTER.format(day=d) for d in ("2024-06-01", "2024-06-02", "2024-06-03")
    ]
    descriptions = [p.embed["description"] for p in posts]  # type: ignore[index]
    assert len(set(descriptions)) == 3  # no repeats

    status = await daily(emulator, world, "status")
    text = text_of(status)
    assert status.ephemeral
    assert f"<#{world.general.id}>" in text and "09:00 Europe/Berlin" in text
    assert "Tue 4 Jun 2024, 09:00 CEST" in text
    assert f"/{world.general.id}/{posts[-1].id}" in text  # link to the last post
    assert "3 of " in text

    # The Full answer button on the daily post works like everywhere else.
    click = await emulator.click(posts[0], label="Full answer", user=world.member)
    answer = await click.wait_original(timeout=5.0)
    assert answer.ephemeral and "full answer" in answer.embed["title"]  # type: ignore[index]


async def test_dst_spring_forward_in_new_york_posts_at_three(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    clock = ManualClock(datetime(2024, 3, 9, 12, 0, tzinfo=NY))
    bot = await launch_quotebot(clock=clock)
    reply = await set_daily(emulator, world, world.general, "02:30", "America/New_York")
    assert "Sun 10 Mar 2024, 03:00 EDT" in reply.content
    assert "does not exist" in reply.content
    when: list[datetime] = []
    for _ in range(2):
        await settle(bot)
        deadline = clock.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        await settle(bot)
        assert len(daily_posts(emulator, world.general)) == len(when) + 1
        when.append(clock.now())
    assert when == [
        datetime(2024, 3, 10, 7, 0, tzinfo=UTC),  # 03:00 EDT: 02:30 does not exist
        datetime(2024, 3, 11, 6, 30, tzinfo=UTC),  # 02:30 EDT
    ]


async def test_preview_shows_the_post_privately_and_uses_nothing_up(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot
) -> None:
    before = await daily(emulator, world, "preview")
    assert before.ephemeral and "not set up" in before.content
    await set_daily(emulator, world, world.general)
    preview = await daily(emulator, world, "preview")
    assert preview.ephemeral
    assert preview.embed is not None and preview.embed["title"] == "Quote of the day"
    assert "Nothing was posted" in preview.content
    assert daily_posts(emulator, world.general) == []
    assert await dbot.library.store.daily_used(world.guild.id, world.general.id) == set()


async def test_autocomplete_and_bad_options_get_clear_answers(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot
) -> None:
    zones = await emulator.autocomplete(
        "daily",
        {"channel": world.general, "time": "09:00"},
        focused="timezone",
        subcommand="set",
        user=world.moderator,
    )
    assert zones[0]["value"] == "Europe/Berlin" or any(z["value"] == "Europe/Berlin" for z in zones)
    berl = await emulator.autocomplete(
        "daily",
        {"channel": world.general, "time": "09:00", "timezone": "berl"},
        focused="timezone",
        subcommand="set",
        user=world.moderator,
    )
    assert berl[0]["value"] == "Europe/Berlin" and len(berl) <= 25
    topics = await emulator.autocomplete(
        "daily",
        {"channel": world.general, "time": "09:00", "timezone": "UTC"},
        focused="topic",
        subcommand="set",
        user=world.moderator,
    )
    assert 0 < len(topics) <= 25 and all(len(t["name"]) <= 100 for t in topics)

    bad_time = await set_daily(emulator, world, world.general, "9am")
    assert bad_time.ephemeral and "HH:MM" in bad_time.content
    bad_zone = await set_daily(emulator, world, world.general, "09:00", "Mars/Olympus")
    assert bad_zone.ephemeral and "time zone" in bad_zone.content
    bad_topic = await set_daily(emulator, world, world.general, topic="zzzz qqqq xxxx")
    assert bad_topic.ephemeral and "topic" in bad_topic.content
    city = await set_daily(emulator, world, world.general, "21:30", "new york")
    assert "America/New_York" in city.content
    topic = await set_daily(emulator, world, world.general, topic=topics[0]["value"])
    assert "about" in topic.content
    off = await daily(emulator, world, "off")
    assert "turned off" in off.content
    again = await daily(emulator, world, "off")
    assert again.ephemeral and "not on" in again.content


async def test_only_manage_server_and_checked_again_at_run_time(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot
) -> None:
    registered = emulator.find_command("daily", world.guild.id)
    assert registered is not None
    assert int(registered["default_member_permissions"]) == Permission.MANAGE_GUILD
    with pytest.raises(CommandNotVisible):
        await daily(emulator, world, "status", user=world.member)
    del registered["default_member_permissions"]  # a server override shows it to everyone
    handle = await emulator.slash(
        "daily",
        {"channel": world.general, "time": "09:00", "timezone": "UTC"},
        subcommand="set",
        user=world.member,
    )
    message = await handle.wait_original(timeout=5.0)
    assert message.ephemeral and "Manage Server" in message.content
    assert await dbot.library.store.daily_get(world.guild.id, world.general.id) is None


async def test_refuses_a_channel_it_cannot_post_in(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot
) -> None:
    quiet = emulator.create_text_channel(world.guild, "quiet")
    emulator.set_permissions(quiet, deny=Permission.SEND_MESSAGES)

    def denied() -> bool:
        channel = dbot.get_channel(quiet.id)
        guild = dbot.get_guild(world.guild.id)
        if not isinstance(channel, discord.TextChannel) or guild is None:
            return False
        return not channel.permissions_for(guild.me).send_messages

    await eventually(denied, "the overwrite to reach the bot")
    reply = await set_daily(emulator, world, quiet)
    assert reply.ephemeral and "Send Messages" in reply.content
    assert await dbot.library.store.daily_get(world.guild.id, quiet.id) is None


# --- failures ------------------------------------------------------------------------------


async def test_deleted_channel_pauses_with_the_reason_and_no_retry_storm(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    quotes = emulator.create_text_channel(world.guild, "quotes")
    await eventually(lambda: dbot.get_channel(quotes.id) is not None, "the new channel")
    await set_daily(emulator, world, quotes)
    emulator.delete_channel(quotes)
    await advance_to(dbot, clock, SLOT + timedelta(days=3))
    assert post_requests(emulator, quotes) == 1
    status = text_of(await daily(emulator, world, "status"))
    assert "Paused" in status and "deleted" in status
    assert "/daily set" in status
    row = await dbot.library.store.daily_get(world.guild.id, quotes.id)
    assert row is not None and row.next_due is None
    # A schedule in a live channel posts (the deleted channel's stays paused).
    await set_daily(emulator, world, world.general, "12:00")
    await advance_to(dbot, clock, clock.now() + timedelta(days=1))
    assert len(daily_posts(emulator, world.general)) == 1


async def test_lost_permission_403_pauses_and_is_shown(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    await set_daily(emulator, world, world.general)
    emulator.set_permissions(world.general, deny=Permission.SEND_MESSAGES)
    await advance_to(dbot, clock, SLOT + timedelta(days=2))
    assert daily_posts(emulator, world.general) == []
    assert post_requests(emulator, world.general) == 1
    status = text_of(await daily(emulator, world, "status"))
    assert "Paused" in status and "Send Messages" in status
    assert "Next post" in status and "—" in status


async def test_discord_errors_back_off_and_rate_limits_are_respected(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    await set_daily(emulator, world, world.general)
    route = rf"/channels/{world.general.id}/messages"
    emulator.inject_rest_fault("POST", route, 503, count=3)
    await advance_to(dbot, clock, SLOT + timedelta(minutes=5))
    assert daily_posts(emulator, world.general) == []
    assert post_requests(emulator, world.general) == 3  # 09:00, 09:01, 09:03: backing off
    status = text_of(await daily(emulator, world, "status"))
    assert "Retrying" in status and "503" in status
    await advance_to(dbot, clock, SLOT + timedelta(hours=1))
    assert len(daily_posts(emulator, world.general)) == 1  # 09:07
    assert post_requests(emulator, world.general) == 4
    nonces = {r.json["nonce"] for r in emulator.requests_to("POST", route)}
    assert len(nonces) == 1  # every attempt is the same idempotent create

    # A 429 is waited out by discord.py (retry_after), then the post goes out once.
    emulator.inject_rest_fault("POST", route, 429, count=2, retry_after=0.05)
    await advance_to(dbot, clock, SLOT + timedelta(days=1))
    assert len(daily_posts(emulator, world.general)) == 2
    assert post_requests(emulator, world.general) == 7


# --- restarts ---------------------------------------------------------------------------


async def test_restart_just_before_the_slot_posts_once(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    first = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general)
    await advance_to(first, clock, SLOT - timedelta(seconds=5))
    await stop_bot(first)
    second = await launch_quotebot(clock=clock)
    await advance_to(second, clock, SLOT + timedelta(hours=1))
    assert len(daily_posts(emulator, world.general)) == 1


async def test_restarts_at_and_after_the_slot_post_once(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    first = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general)
    await settle(first)
    await stop_bot(first)  # down at the slot ...
    clock.set(SLOT + timedelta(hours=2, minutes=15))  # ... back the same day: once, late
    second = await launch_quotebot(clock=clock)
    await settle(second)
    [late] = daily_posts(emulator, world.general)
    for _ in range(2):  # more restarts / reconnects the same day post nothing more
        await stop_bot(second)
        second = await launch_quotebot(clock=clock)
        await advance_to(second, clock, clock.now() + timedelta(minutes=30))
    assert daily_posts(emulator, world.general) == [late]
    await advance_to(second, clock, SLOT + timedelta(days=1))
    assert len(daily_posts(emulator, world.general)) == 2


async def test_gateway_reconnects_around_the_slot_do_not_double_post(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    await set_daily(emulator, world, world.general)
    await advance_to(dbot, clock, SLOT - timedelta(seconds=1))
    await emulator.disconnect(resume=False)  # a full re-identify just before the slot
    await advance_to(dbot, clock, SLOT)
    await emulator.disconnect(resume=True)  # and a resume just after it
    await eventually(lambda: dbot.is_ready() and not dbot.is_closed(), "the reconnect")
    await advance_to(dbot, clock, SLOT + timedelta(hours=3))
    assert len(daily_posts(emulator, world.general)) == 1


async def test_down_for_days_marks_the_miss_and_catches_up_today(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    first = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general)
    await settle(first)
    await stop_bot(first)
    clock.set(SLOT + timedelta(days=2, hours=3))
    second = await launch_quotebot(clock=clock)
    await settle(second)
    posts = daily_posts(emulator, world.general)
    assert [p.embed["footer"]["text"] for p in posts] == [  # type: ignore[index]
        FOOTER.format(day="2024-06-03")
    ]
    status = text_of(await daily(emulator, world, "status"))
    assert "Missed: 2024-06-01" in status and "offline" in status


class Crash(Exception):
    """Stands in for the process dying between the send and the record."""


def _send_then_crash(bot: QuoteBot) -> None:
    """Make the next record of a post fail after Discord has the message."""
    store = bot.library.store
    real = store.daily_record
    calls = {"n": 0}

    async def failing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash("crashed after sending")
        await real(*args, **kwargs)

    store.daily_record = failing  # type: ignore[method-assign]


async def test_crash_between_send_and_record_finds_the_post_in_history(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    await set_daily(emulator, world, world.general)
    _send_then_crash(dbot)
    emulator.nonce_window = 0  # Discord's dedup has expired: only the history can tell
    await advance_to(dbot, clock, SLOT + timedelta(hours=1))
    [post] = daily_posts(emulator, world.general)
    assert post_requests(emulator, world.general) == 1
    record = await dbot.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.message_id == post.id


async def test_crash_without_history_access_is_deduplicated_by_the_nonce(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    await set_daily(emulator, world, world.general)
    emulator.set_permissions(world.general, deny=Permission.READ_MESSAGE_HISTORY)
    _send_then_crash(dbot)
    await advance_to(dbot, clock, SLOT + timedelta(hours=1))
    [post] = daily_posts(emulator, world.general)
    assert post_requests(emulator, world.general) == 2  # the retry was the same create
    record = await dbot.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.message_id == post.id


async def test_crash_with_nothing_to_check_against_gives_the_day_up(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    """No history and no nonce window left: never risk a second post; say so in status."""
    await set_daily(emulator, world, world.general)
    emulator.set_permissions(world.general, deny=Permission.READ_MESSAGE_HISTORY)
    emulator.nonce_window = 0
    store = dbot.library.store
    real = store.daily_record

    async def crash_then_stall(*args: Any, **kwargs: Any) -> None:
        store.daily_record = real  # type: ignore[method-assign]
        clock.advance(timedelta(minutes=5))  # the restart takes a while
        raise Crash("crashed after sending")

    store.daily_record = crash_then_stall  # type: ignore[method-assign]
    await advance_to(dbot, clock, SLOT + timedelta(hours=2))
    assert len(daily_posts(emulator, world.general)) == 1
    status = text_of(await daily(emulator, world, "status"))
    assert "Not confirmed: 2024-06-01" in status and "did not post again" in status
    await advance_to(dbot, clock, SLOT + timedelta(days=1))
    assert len(daily_posts(emulator, world.general)) == 2


async def test_real_restart_between_send_and_record_posts_once(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    first = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general)
    stalled = asyncio.Event()

    async def never(*args: Any, **kwargs: Any) -> None:
        stalled.set()
        await asyncio.Event().wait()

    first.library.store.daily_record = never  # type: ignore[method-assign]
    await settle(first)
    clock.set(SLOT)
    async with asyncio.timeout(5):
        await stalled.wait()
    assert len(daily_posts(emulator, world.general)) == 1
    await stop_bot(first)  # the process dies with the post sent but not recorded
    second = await launch_quotebot(clock=clock)
    await advance_to(second, clock, SLOT + timedelta(hours=1))
    [post] = daily_posts(emulator, world.general)
    record = await second.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.message_id == post.id


# --- scale ------------------------------------------------------------------------------


async def test_two_hundred_guilds_due_the_same_minute_each_get_one_post(
    emulator: DiscordEmulator, world: World, dbot: QuoteBot, clock: ManualClock
) -> None:
    channels = [world.general]
    for n in range(199):
        guild = emulator.create_guild(f"Guild {n}")
        channels.append(emulator.create_text_channel(guild, "daily"))
    await eventually(
        lambda: all(dbot.get_channel(c.id) is not None for c in channels),
        "every guild to reach the bot",
        10,
    )
    scheduler = scheduler_of(dbot)
    for channel in channels:
        await scheduler.configure(channel.guild_id, channel.id, dtime(9), "Europe/Berlin", None)
    await advance_to(dbot, clock, SLOT)
    counts = [len(daily_posts(emulator, c)) for c in channels]
    assert counts == [1] * 200
    assert not emulator.take_violations()


# --- the playground's clock -----------------------------------------------------------------


async def test_with_the_playground_clock_a_jump_to_the_slot_brings_the_post(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    """`quotebot try` keeps real time (trivia rounds run) and jumps ahead to see a daily post."""
    clock = WarpClock()
    bot = await launch_quotebot(clock=clock)
    local_now = clock.now().astimezone(BERLIN)
    slot = (local_now + timedelta(hours=3)).replace(second=0, microsecond=0)
    await set_daily(emulator, world, world.general, slot.strftime("%H:%M"))
    clock.set(slot)
    post = await emulator.wait_for_message(
        world.general, predicate=lambda m: m.embed is not None and "Daily quote" in str(m.embed)
    )
    assert post.embed is not None and post.embed["title"] == "Quote of the day"
    assert len(daily_posts(emulator, world.general)) == 1
    await settle(bot)
