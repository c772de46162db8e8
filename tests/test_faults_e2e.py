"""Discord misbehaving, through the emulator: 429 storms, 5xx, gateway drops and resumes, a
slow REST answer, replies and follow-ups that fail. Nothing may be lost (every member gets an
answer, no duplicate daily post), no button may go dead, and the bot recovers by itself.

Each test prints how many faults it injected (`pytest tests/test_faults_e2e.py -rP`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest
from discord import app_commands

from bot.client import APOLOGY, DISCORD_TROUBLE, QuoteBot, user_message
from bot.clock import ManualClock
from bot.emulator import DiscordEmulator, InteractionHandle, Message, RestFault, User, World
from bot.emulator.launch import stop_bot
from bot.trivia_round_host import EDIT_ATTEMPTS

Launch = Callable[..., Awaitable[QuoteBot]]
CALLBACK = r"/interactions/\d+/[^/]+/callback"
FOLLOWUP = r"/webhooks/\d+/[^/]+"
EDIT_ORIGINAL = r"/webhooks/\d+/[^/]+/messages/@original"
CHANNEL_POST = r"/channels/\d+/messages"
MESSAGE_EDIT = r"/channels/\d+/messages/\d+"


def injected(faults: list[RestFault]) -> int:
    return sum(f.hits for f in faults)


def members(emulator: DiscordEmulator, world: World, n: int) -> list[User]:
    found = []
    for k in range(n):
        user = emulator.create_user(f"storm-{k}")
        emulator.add_member(world.guild, user)
        found.append(user)
    return found


async def answer(handle: InteractionHandle, timeout: float = 10.0) -> Message:
    reply = await handle.wait_original(timeout=timeout)
    assert handle.first_response_seconds is not None and handle.first_response_seconds < 3
    return reply


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll: the emulator counts fault hits without waking its waiters."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def visible_text(message: Message) -> str:
    return message.content + " ".join(str(e.get("description", "")) for e in message.embeds)


# --- rate limits ------------------------------------------------------------------------------


async def test_a_429_storm_on_every_route_loses_no_reply(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    faults = [
        emulator.inject_rest_fault("POST", CALLBACK, 429, count=12, retry_after=0.05),
        emulator.inject_rest_fault("POST", FOLLOWUP, 429, count=4, retry_after=0.05),
        emulator.inject_rest_fault("PATCH", EDIT_ORIGINAL, 429, count=2, retry_after=0.05),
    ]
    crowd = members(emulator, world, 8)
    calls: list[tuple[str, dict[str, Any], str | None, User]] = []
    topics = [t.name for t in quotebot.library.catalog.topic_choices("", limit=4)]
    for n, user in enumerate(crowd):
        calls += [
            ("quote", {"query": "put the money on screen"}, None, user),
            ("random", {}, None, user),
            ("topic", {"name": topics[n % len(topics)]}, None, user),
        ]
    calls += [("admin", {}, "status", world.owner), ("trivia", {}, "play", crowd[0])]
    handles = [
        await emulator.slash(name, options, subcommand=sub, user=user)
        for name, options, sub, user in calls
    ]
    replies = await asyncio.gather(*(answer(h) for h in handles))
    for reply, (name, _, _, _) in zip(replies, calls, strict=True):
        assert APOLOGY not in reply.content, name
        assert reply.embeds, f"/{name} answered {reply.content!r}"
    assert faults[0].exhausted and faults[1].hits >= 1  # every reply route was rate limited
    print(
        f"\n429 storm: {injected(faults)} rate-limited requests, {len(handles)} replies, none lost"
    )


# --- server errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "told"), [(503, True), (429, True), (500, True), (404, False)])
def test_discord_failing_after_its_retries_is_explained_not_apologised_for(
    status: int, told: bool
) -> None:
    response = SimpleNamespace(status=status, reason="injected")
    error: discord.HTTPException = (
        discord.DiscordServerError(response, "x")  # type: ignore[arg-type]
        if status >= 500
        else discord.HTTPException(response, "x")  # type: ignore[arg-type]
    )
    wrapped = app_commands.CommandInvokeError(SimpleNamespace(name="quote"), error)  # type: ignore[arg-type]
    assert (user_message(wrapped) == DISCORD_TROUBLE) is told
    assert told or user_message(wrapped) is None  # anything else stays a bug to look at


async def test_server_errors_on_replies_are_retried_and_nothing_is_lost(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py retries 5xx on interaction callbacks and follow-ups (after 1 s): the first
    # response still beats Discord's 3 s, and a deferred follow-up just arrives later.
    faults = [
        emulator.inject_rest_fault("POST", CALLBACK, 500),
        emulator.inject_rest_fault("POST", CALLBACK, 502),
        emulator.inject_rest_fault("POST", FOLLOWUP, 503),
    ]
    handles = [
        await emulator.slash("quote", {"query": "tinsel in her hair"}, user=world.member),
        await emulator.slash("random", {}, user=world.moderator),
        await emulator.slash("admin", subcommand="status", user=world.owner),
    ]
    replies = await asyncio.gather(*(answer(h) for h in handles))
    assert "tinsel" in visible_text(replies[0])
    assert replies[1].embeds and replies[2].embeds
    assert replies[2].embed["title"] == "quotebot status"  # type: ignore[index]
    assert all(f.exhausted for f in faults)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    print(f"\n5xx: {injected(faults)} server errors injected, retried, every reply delivered")


async def test_a_follow_up_that_cannot_be_delivered_loses_no_data_and_the_bot_carries_on(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot, caplog: pytest.LogCaptureFixture
) -> None:
    # The reload's reply cannot be delivered (its interaction token is gone, as after
    # Discord's 15 minutes): the reload itself is done and audited all the same.
    fault = emulator.inject_rest_fault("POST", FOLLOWUP, 404, count=2)
    handle = await emulator.slash("admin", subcommand="reload", user=world.owner)
    await until(lambda: fault.exhausted)
    rows = await quotebot.library.store.admin_actions(actions=["reload"])
    assert [(r.action, r.result) for r in rows] == [("reload", "ok")]
    assert handle.original is not None and handle.original.loading  # Discord shows the failure
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not tell user" in m for m in warned)
    again = await answer(await emulator.slash("admin", subcommand="reload", user=world.owner))
    assert again.embed is not None and again.embed["title"].startswith("Reloaded")
    print(f"\nfollow-up failure: {fault.hits} faults injected, data kept, next command fine")


async def test_a_trivia_round_whose_question_cannot_be_posted_frees_the_channel(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    # Discord refuses the question (the interaction is gone): no round may stay half-open.
    fault = emulator.inject_rest_fault("POST", CALLBACK, 404, count=2)
    handle = await emulator.slash("trivia", subcommand="play", user=world.member)
    await until(lambda: fault.exhausted)
    async with asyncio.timeout(5):
        while await quotebot.library.store.trivia_active_round(world.general.id):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert handle.original is None
    retry = await answer(await emulator.slash("trivia", subcommand="play", user=world.member))
    assert retry.embeds and retry.buttons
    print(f"\ntrivia post failure: {fault.hits} faults injected, the round was cancelled")


async def test_a_reveal_that_cannot_be_edited_leaves_no_dead_buttons(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    clock = ManualClock(datetime(2024, 6, 1, 12, 0, tzinfo=ZoneInfo("UTC")))
    bot = await launch_quotebot(clock=clock)
    question = await answer(await emulator.slash("trivia", subcommand="play", user=world.member))
    # Every edit of the question fails while the round ends (the reveal cannot be shown).
    fault = emulator.inject_rest_fault("PATCH", MESSAGE_EDIT, 503, count=100)
    cog = bot.get_cog("Trivia")
    assert cog is not None
    clock.set(clock.now() + timedelta(minutes=10))
    async with asyncio.timeout(10):
        while any(r.status == "active" for r in await bot.library.store.trivia_active_rounds()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await until(lambda: fault.hits == EDIT_ATTEMPTS)  # the cog tried, and gave up
    fault.count = fault.hits  # Discord is well again
    assert emulator.get_message(question.id).buttons[0].get("disabled") is not True  # type: ignore[union-attr]
    # A stale button still answers: it brings the message up to date with the reveal.
    click = await emulator.click(
        question, custom_id=question.buttons[0]["custom_id"], user=world.member
    )
    assert (await click.response()).type == 7
    current = emulator.get_message(question.id)
    assert current is not None and all(b.get("disabled") for b in current.buttons)
    print(f"\nreveal edit failures: {fault.hits} faults injected, the stale button still worked")


# --- the gateway --------------------------------------------------------------------------------


async def test_gateway_drops_and_resumes_lose_no_interaction_and_keep_buttons_alive(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    before = await answer(await emulator.slash("quote", {"query": "audience"}, user=world.member))
    drops = 0
    for how in ("close", "reconnect"):
        await emulator.disconnect(resume=True, via=how)  # type: ignore[arg-type]
        drops += 1
        # Sent while the socket is down: Discord queues it and replays it on RESUME.
        handle = await emulator.slash("quote", {"query": "tinsel"}, user=world.moderator)
        assert "tinsel" in visible_text(await answer(handle))
    await emulator.disconnect(resume=False)  # invalid session: a fresh IDENTIFY
    drops += 1
    await emulator.wait_until(lambda: bool(emulator.gateway.live_sessions()), 10.0)
    async with asyncio.timeout(10):
        while not quotebot.is_ready():  # noqa: ASYNC110 - discord.py has no event for this
            await asyncio.sleep(0.02)
    kinds = [r.kind for r in emulator.gateway_log]
    assert kinds.count("resumed") >= 2 and kinds.count("identify") >= 2
    # Buttons on a message from before every drop still work.
    full = await emulator.click(before, label="Full answer", user=world.member)
    assert "audience" in visible_text(await full.wait_original())
    after = await answer(await emulator.slash("random", {}, user=world.member))
    assert after.embeds
    print(f"\ngateway: {drops} drops (2 resumed, 1 re-identified), no interaction lost")


# --- a slow REST answer ---------------------------------------------------------------------------


async def test_a_slow_rest_answer_does_not_hold_up_other_members(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    slow = emulator.inject_rest_fault("POST", FOLLOWUP, 200, delay=1.5)
    status = await emulator.slash("admin", subcommand="status", user=world.owner)
    await status.response()  # deferred at once; its follow-up now hangs for 2 s
    loop = asyncio.get_running_loop()
    started = loop.time()
    quick = await answer(await emulator.slash("quote", {"query": "audience"}, user=world.member))
    assert loop.time() - started < 1.0 and quick.embeds
    assert (await status.wait_original(timeout=5)).embeds  # the slow one arrives too
    print(f"\nslow REST: {slow.hits} answer delayed 1.5 s; others were served meanwhile")


# --- the daily post ---------------------------------------------------------------------------------


async def test_the_daily_post_goes_out_once_through_errors_drops_and_a_restart(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    clock = ManualClock(datetime(2024, 6, 1, 8, 0, tzinfo=berlin))
    bot = await launch_quotebot(clock=clock)
    handle = await emulator.slash(
        "daily",
        {"channel": world.general, "time": "09:00", "timezone": "Europe/Berlin"},
        subcommand="set",
        user=world.moderator,
    )
    assert "Daily quote set" in (await answer(handle)).content
    faults = [  # in this order: discord.py waits 1 s + 2 s per earlier attempt after a 500
        emulator.inject_rest_fault("POST", CHANNEL_POST, 500, count=1),
        emulator.inject_rest_fault("POST", CHANNEL_POST, 429, count=2, retry_after=0.05),
    ]
    await emulator.disconnect(resume=False)
    clock.set(datetime(2024, 6, 1, 9, 0, tzinfo=berlin))

    def posts() -> list[Message]:
        return [
            m
            for m in emulator.messages(world.general, ephemeral=False)
            if m.embed and str(m.embed.get("footer", {}).get("text", "")).startswith("Daily quote")
        ]

    await emulator.wait_until(lambda: bool(posts()), 10.0, what="the daily post")
    await stop_bot(bot)  # and a restart the same morning
    clock.set(datetime(2024, 6, 1, 9, 30, tzinfo=berlin))
    again = await launch_quotebot(clock=clock)
    daily = again.get_cog("Daily")
    async with asyncio.timeout(10):  # the new scheduler has looked at the day
        await daily.scheduler.wait_idle()  # type: ignore[union-attr]
    assert len(posts()) == 1
    record = await again.library.store.daily_post(world.guild.id, world.general.id, "2024-06-01")
    assert record is not None and record.status == "posted" and record.message_id == posts()[0].id
    print(f"\ndaily: {injected(faults)} faults, 1 gateway drop and a restart: exactly one post")
