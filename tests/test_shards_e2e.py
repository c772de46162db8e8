"""The real QuoteBot sharded against the emulator: several shards in one process, and two
"processes" (two bots in this test, one SQLite file, SHARD_COUNT=2 with SHARD_IDS 0 and 1)
that each serve only their guilds: gateway events, slash commands, daily posts, trivia rounds.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from storefixtures import store_target
from test_admin_e2e import INTERVIEW
from test_daily_e2e import daily_posts, scheduler_of

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import (
    Channel,
    DiscordEmulator,
    Guild,
    NoShardSession,
    StartBot,
    shard_of,
    stop_bot,
)
from bot.settings import Settings
from bot.shards import ShardPlan

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2024, 6, 1, 8, 0, tzinfo=BERLIN)
SLOT = datetime(2024, 6, 1, 9, 0, tzinfo=BERLIN)
COUNT = 2
Launch = Callable[[ShardPlan], Awaitable[QuoteBot]]
__all__ = ["store_target"]  # SQLite and PostgreSQL for the tests that share a database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def places(emulator: DiscordEmulator) -> list[tuple[Guild, Channel]]:
    """Two guilds on each of the COUNT shards, each with #general."""
    made = []
    for shard_id in range(COUNT):
        for n in range(2):
            guild = emulator.create_guild(f"shard{shard_id}-{n}", shard=(shard_id, COUNT))
            made.append((guild, emulator.create_text_channel(guild, "general")))
    return made


@pytest.fixture
def shared_settings(bot_settings: Settings, store_target: str | Path) -> Settings:
    """What every process of a test shares: one database, SQLite or PostgreSQL."""
    if isinstance(store_target, Path):
        return replace(bot_settings, db_path=store_target)
    return replace(bot_settings, db_url=store_target)


@pytest.fixture
def launch(
    emulator: DiscordEmulator, start_bot: StartBot, shared_settings: Settings, clock: ManualClock
) -> Launch:
    """Start a QuoteBot on the shared test database with its share of the shards."""

    async def start(plan: ShardPlan) -> QuoteBot:
        bot = QuoteBot(replace(shared_settings, shards=plan), rng=random.Random(7), clock=clock)
        await start_bot(emulator, bot)
        await bot.sync_commands()  # global: every guild, whichever process answers
        return bot

    return start


@pytest.fixture
async def both(launch: Launch) -> tuple[QuoteBot, QuoteBot]:
    """Process 1 (shard 0 of 2) and process 2 (shard 1 of 2), started in that order."""
    return await launch(ShardPlan(COUNT, (0,))), await launch(ShardPlan(COUNT, (1,)))


def session_shard(emulator: DiscordEmulator, interaction_id: int) -> list[int] | None:
    """The shard of the one session the interaction was delivered on."""
    [session] = [
        s
        for s in emulator.gateway.sessions.values()
        if any(
            p["t"] == "INTERACTION_CREATE" and p["d"]["id"] == str(interaction_id)
            for p in s.backlog
        )
    ]
    return session.shard


async def random_quote(emulator: DiscordEmulator, channel: Channel) -> int:
    """/random in `channel`, answered; returns the interaction's id."""
    handle = await emulator.slash("random", channel=channel)
    message = await handle.wait_original(timeout=10.0)
    assert message.embed is not None or message.content
    return handle.id


async def settle(*bots: QuoteBot) -> None:
    async with asyncio.timeout(10):
        for bot in bots:
            await scheduler_of(bot).wait_idle()


async def test_one_process_runs_the_recommended_shards(
    emulator: DiscordEmulator,
    places: list[tuple[Guild, Channel]],
    start_bot: StartBot,
    bot_settings: Settings,
) -> None:
    emulator.recommended_shards = COUNT
    bot = QuoteBot(bot_settings, rng=random.Random(7))
    await start_bot(emulator, bot)
    await bot.sync_commands()
    assert bot.shard_count == COUNT and sorted(bot.shards) == list(range(COUNT))
    assert len(emulator.requests_to("GET", r"/gateway/bot")) == 1
    for guild, channel in places:
        assert bot.owns_guild(guild.id)
        found = bot.get_guild(guild.id)
        assert found is not None and found.shard_id == shard_of(guild.id, COUNT)
        asked = await random_quote(emulator, channel)
        assert session_shard(emulator, asked) == [shard_of(guild.id, COUNT), COUNT]


async def test_two_processes_split_guilds_commands_and_daily_posts(
    emulator: DiscordEmulator,
    places: list[tuple[Guild, Channel]],
    both: tuple[QuoteBot, QuoteBot],
    launch: Launch,
    clock: ManualClock,
) -> None:
    first, second = both
    for guild, channel in places:
        shard_id = shard_of(guild.id, COUNT)
        owner, other = (first, second) if shard_id == 0 else (second, first)
        assert owner.get_guild(guild.id) is not None and other.get_guild(guild.id) is None
        assert owner.owns_guild(guild.id) and not other.owns_guild(guild.id)
        asked = await random_quote(emulator, channel)
        assert session_shard(emulator, asked) == [shard_id, COUNT]
        # /daily set is answered by the owning process, into the shared database
        handle = await emulator.slash(
            "daily",
            {"channel": channel, "time": "09:00", "timezone": "Europe/Berlin"},
            subcommand="set",
            channel=channel,
        )
        await handle.wait_original(timeout=10.0)
    assert len(await first.library.store.daily_due(int(SLOT.timestamp()), 100)) == len(places)

    # Process 2 is down at the slot: process 1 posts its own guilds and leaves the others.
    await stop_bot(second)
    await clock.run_until(SLOT, lambda: settle(first))
    posted = {guild.id: len(daily_posts(emulator, channel)) for guild, channel in places}
    assert posted == {g.id: int(shard_of(g.id, COUNT) == 0) for g, _ in places}

    # Back (with any new ids of its own): it posts its overdue guilds, once each.
    clock.advance(timedelta(minutes=3))
    second = await launch(ShardPlan(COUNT, (1,)))
    await settle(first, second)
    assert {len(daily_posts(emulator, channel)) for _, channel in places} == {1}


async def test_trivia_rounds_resume_only_in_their_own_process(
    emulator: DiscordEmulator,
    places: list[tuple[Guild, Channel]],
    both: tuple[QuoteBot, QuoteBot],
    launch: Launch,
    clock: ManualClock,
) -> None:
    first, second = both
    guild, channel = next((g, c) for g, c in places if shard_of(g.id, COUNT) == 1)
    handle = await emulator.slash("trivia play", {}, channel=channel)
    message = await handle.wait_original(lambda m: bool(m.buttons), timeout=10.0)
    assert session_shard(emulator, handle.id) == [1, COUNT]

    # Process 2 stops mid-round; process 1 restarts after the round's end: not its round.
    await stop_bot(second)
    await stop_bot(first)
    clock.advance(timedelta(hours=1))
    first = await launch(ShardPlan(COUNT, (0,)))
    assert not first.get_cog("Trivia")._timers  # type: ignore[union-attr]  # nothing resumed
    [still] = await first.library.store.trivia_active_rounds()
    assert still.guild_id == guild.id
    with pytest.raises(NoShardSession, match="shard 1 of 2"):
        await emulator.click(message, message.buttons[0]["custom_id"])

    # Process 2 comes back: it resumes its round and reveals the answer at once.
    second = await launch(ShardPlan(COUNT, (1,)))

    def revealed() -> bool:
        found = emulator.get_message(message.id)
        return found is not None and all(b.get("disabled") for b in found.buttons)

    await emulator.wait_until(revealed, 10.0, what="the reveal by the owning process")
    assert await second.library.store.trivia_active_rounds() == []


async def test_a_reload_in_one_process_reaches_the_other(
    emulator: DiscordEmulator,
    places: list[tuple[Guild, Channel]],
    both: tuple[QuoteBot, QuoteBot],
    bot_settings: Settings,
) -> None:
    """/admin reload answered by process 1 stores the new corpus; process 2 notices the new
    catalog generation in the database and re-reads its catalog: /quote there finds it.
    On PostgreSQL it is told by NOTIFY (its poll is then 30 s, longer than this test waits)."""
    first, second = both
    (_, here), (_, there) = (
        next(p for p in places if shard_of(p[0].id, COUNT) == shard_id) for shard_id in (0, 1)
    )
    before = set(second.library.catalog.interviews)
    (bot_settings.data_dir / "jane-doe.txt").write_text(INTERVIEW, encoding="utf-8")
    handle = await emulator.slash("admin", subcommand="reload", channel=here)
    report = await handle.wait_original(timeout=30.0)
    assert report.embed is not None and "+1 added" in report.embed["description"]
    assert session_shard(emulator, handle.id) == [0, COUNT]

    assert second.catalog_sync is not None
    assert second.catalog_sync.listening is (second.library.store.kind == "postgresql")
    async with asyncio.timeout(20):  # SQLite: the peer polls every 2 s
        while set(second.library.catalog.interviews) == before:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert second.library.generation == first.library.generation is not None
    handle = await emulator.slash("quote", {"query": "river was the whole world"}, channel=there)
    answer = await handle.wait_original(timeout=10.0)
    assert session_shard(emulator, handle.id) == [1, COUNT]
    assert "I grew up in that town" in json.dumps(answer.embeds, ensure_ascii=False)
    assert first.catalog_sync is not None and first.catalog_sync.refreshes == 0
    assert second.catalog_sync is not None and second.catalog_sync.refreshes == 1
