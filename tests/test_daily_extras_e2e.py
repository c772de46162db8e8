"""/daily set mention and thread, end to end: the real bot against the emulator, a manual
clock, real SQLite. Role mention payloads and threads are checked as the emulator stored them."""

from __future__ import annotations

from datetime import timedelta

import discord
import pytest
from test_daily_e2e import (  # tests/ is on sys.path (rootdir-less test modules)
    SLOT,
    START,
    Launch,
    _send_then_crash,
    advance_to,
    daily,
    daily_posts,
    eventually,
    post_requests,
    set_daily,
    text_of,
)

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.daily import thread_name
from bot.emulator import DiscordEmulator, Permission, World
from bot.emulator.models import Message, Role


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def opt_in_role(emulator: DiscordEmulator, world: World, *, mentionable: bool = True) -> Role:
    """A role members take to be pinged (made before the bot connects, so its cache has it)."""
    role = emulator.create_role(world.guild, "Daily quote")
    role.mentionable = mentionable
    return role


def only_pings(message: Message, role: Role) -> None:
    """The post pings exactly the role: allowed_mentions names it and parses nothing."""
    rules = message.allowed_mentions
    assert rules is not None
    assert rules.get("parse") == [] and [str(r) for r in rules.get("roles") or []] == [str(role.id)]
    assert not rules.get("users") and not rules.get("replied_user")
    assert message.pings() == frozenset({f"role:{role.id}"})


async def bot_sees(bot: QuoteBot, channel_id: int, permission: str, value: bool) -> None:
    def seen() -> bool:
        channel = bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return False
        return getattr(channel.permissions_for(channel.guild.me), permission) is value

    await eventually(seen, f"{permission}={value} to reach the bot")


async def test_posts_mention_the_role_only_and_open_a_thread_each_day(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    role = opt_in_role(emulator, world)
    bot = await launch_quotebot(clock=clock)
    reply = await set_daily(emulator, world, world.general, mention=role, thread=True)
    assert reply.ephemeral
    assert f"mentions <@&{role.id}> and opens a thread" in reply.content
    assert not reply.pings()  # the reply names the role without pinging it

    await advance_to(bot, clock, SLOT + timedelta(days=1))
    posts = daily_posts(emulator, world.general)
    assert len(posts) == 2
    for post, day in zip(posts, ("2024-06-01", "2024-06-02"), strict=True):
        assert post.content == f"<@&{role.id}>"
        only_pings(post, role)
        assert post.thread is not None and post.thread.parent_id == world.general.id
        view = bot.library.catalog.view(
            (await bot.library.store.daily_post(world.guild.id, world.general.id, day)).quote_id  # type: ignore[union-attr,arg-type]
        )
        assert view is not None
        assert post.thread.name == thread_name(view.title, day) == f"{view.title} · {day}"
        record = await bot.library.store.daily_post(world.guild.id, world.general.id, day)
        assert record is not None and record.thread_id == post.thread.id and record.note is None

    status = text_of(await daily(emulator, world, "status"))
    assert f"<@&{role.id}>" in status and "opened on each post" in status
    assert f"thread <#{posts[-1].thread.id}>" in status  # type: ignore[union-attr]
    preview = await daily(emulator, world, "preview")
    assert f"mentions <@&{role.id}>" in preview.content and not preview.pings()


async def test_the_thread_is_named_after_the_schedules_topic(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    bot = await launch_quotebot(clock=clock)
    topic = next(iter(bot.library.catalog.topics.values()))
    await set_daily(emulator, world, world.general, topic=topic.slug, thread=True)
    await advance_to(bot, clock, SLOT)
    [post] = daily_posts(emulator, world.general)
    assert post.thread is not None and post.thread.name == f"{topic.name} · 2024-06-01"
    assert post.content == "" and not post.pings()  # no mention asked for: nobody pinged


async def test_set_refuses_what_the_bot_could_not_do_in_the_channel(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    closed = opt_in_role(emulator, world, mentionable=False)
    bot = await launch_quotebot(clock=clock)
    store = bot.library.store

    reply = await set_daily(emulator, world, world.general, mention=closed)
    assert "can't mention" in reply.content and "Mention Everyone" in reply.content
    reply = await set_daily(emulator, world, world.general, mention=world.guild.everyone)
    assert "does not mention @" in reply.content and "everyone" in reply.content
    assert await store.daily_get(world.guild.id, world.general.id) is None

    emulator.set_permissions(world.general, deny=Permission.CREATE_PUBLIC_THREADS)
    await bot_sees(bot, world.general.id, "create_public_threads", False)
    reply = await set_daily(emulator, world, world.general, thread=True)
    assert "Create Public Threads" in reply.content
    assert await store.daily_get(world.guild.id, world.general.id) is None

    # With Mention Everyone in the channel, a role that is not mentionable is fine.
    emulator.set_permissions(world.general, allow=Permission.MENTION_EVERYONE)
    await bot_sees(bot, world.general.id, "mention_everyone", True)
    reply = await set_daily(emulator, world, world.general, mention=closed)
    row = await store.daily_get(world.guild.id, world.general.id)
    assert row is not None and row.mention_role_id == closed.id and not row.thread, reply.content
    await advance_to(bot, clock, SLOT)
    [post] = daily_posts(emulator, world.general)
    only_pings(post, closed)

    # Setting again without the options turns them off.
    await set_daily(emulator, world, world.general, "10:00")
    row = await store.daily_get(world.guild.id, world.general.id)
    assert row is not None and row.mention_role_id is None and not row.thread


async def test_a_lost_thread_permission_still_posts_and_status_says_why(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    role = opt_in_role(emulator, world)
    bot = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general, mention=role, thread=True)
    emulator.set_permissions(world.general, deny=Permission.CREATE_PUBLIC_THREADS)
    await bot_sees(bot, world.general.id, "create_public_threads", False)

    await advance_to(bot, clock, SLOT)
    [post] = daily_posts(emulator, world.general)
    assert post.thread is None
    only_pings(post, role)  # the mention still went out
    record = await bot.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.thread_id is None
    assert record.note is not None and "Create Public Threads" in record.note
    status = text_of(await daily(emulator, world, "status"))
    assert "no thread" in status and "Create Public Threads" in status
    assert "Paused" not in status

    # Not paused: the next day posts, and with the permission back it has its thread again.
    emulator.set_permissions(world.general)
    await bot_sees(bot, world.general.id, "create_public_threads", True)
    await advance_to(bot, clock, SLOT + timedelta(days=1))
    posts = daily_posts(emulator, world.general)
    assert len(posts) == 2 and posts[1].thread is not None


async def test_a_role_deleted_or_made_unmentionable_posts_without_pinging(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    """Discord would silently drop the ping: the post goes out, the day says why."""
    role = opt_in_role(emulator, world)
    bot = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general, mention=role)
    role.mentionable = False  # the server changed the role (the bot hears of it by an update)
    emulator.set_role_permissions(role, role.permissions)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await eventually(
        lambda: (found := guild.get_role(role.id)) is not None and not found.mentionable,
        "the role update",
    )
    await advance_to(bot, clock, SLOT)
    [post] = daily_posts(emulator, world.general)
    assert post.content == "" and not post.pings()
    record = await bot.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and "not mentionable" in (record.note or "")
    assert "nobody was mentioned" in text_of(await daily(emulator, world, "status"))


async def test_a_crash_after_the_post_and_its_thread_makes_neither_twice(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch, clock: ManualClock
) -> None:
    bot = await launch_quotebot(clock=clock)
    await set_daily(emulator, world, world.general, thread=True)
    store = bot.library.store
    _send_then_crash(bot)  # the first record fails: after the post and its thread
    emulator.nonce_window = 0  # only the history can tell the post went out
    await advance_to(bot, clock, SLOT + timedelta(hours=1))
    [post] = daily_posts(emulator, world.general)
    assert post_requests(emulator, world.general) == 1
    threads = [r for r in emulator.requests if r.method == "POST" and r.path.endswith("/threads")]
    assert len(threads) == 2  # the retry asked again and Discord said it exists (160004)
    assert [r.status for r in threads] == [201, 400]
    record = await store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.message_id == post.id
    assert post.thread is not None and record.thread_id == post.thread.id and record.note is None
