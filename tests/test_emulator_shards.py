"""The emulator serves several shards to the real discord.py AutoShardedClient.

Guild events reach only the shard that owns the guild (``(guild_id >> 22) % shard_count``),
READY carries ``shard`` and lists only that shard's guilds, ``GET /gateway/bot`` recommends the
configured count, and an interaction is delivered on exactly one connection: the owning
shard's, or refused with :class:`NoShardSession` while no session owns that shard.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.ext import commands

from bot.emulator import (
    DiscordEmulator,
    Guild,
    NoShardSession,
    ResponseType,
    StartBot,
    build_world,
    launch,
    shard_of,
)
from bot.emulator.gateway import GatewaySession

SHARDS = 3


def sharded_bot(
    shard_count: int | None = None, shard_ids: list[int] | None = None
) -> commands.AutoShardedBot:
    """An AutoShardedBot whose /where answers with the shard its guild is on."""
    bot = commands.AutoShardedBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )

    @bot.tree.command(name="where", description="Which shard serves this guild")
    async def where(interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await interaction.response.send_message(f"shard {interaction.guild.shard_id}")

    return bot


def guilds_on_shards(emu: DiscordEmulator, count: int, per_shard: int = 2) -> list[Guild]:
    guilds = []
    for shard_id in range(count):
        for n in range(per_shard):
            guild = emu.create_guild(f"g{shard_id}.{n}", shard=(shard_id, count))
            emu.create_text_channel(guild, "general")
            guilds.append(guild)
    return guilds


def ready_payloads(emu: DiscordEmulator) -> dict[int, dict[str, object]]:
    """Shard id -> the READY its session was sent."""
    ready = {}
    for session in emu.gateway.sessions.values():
        assert session.shard is not None
        [payload] = [p["d"] for p in session.backlog if p["t"] == "READY"]
        ready[session.shard[0]] = payload
    return ready


def delivered_on(emu: DiscordEmulator, event: str, key: str, value: str) -> list[GatewaySession]:
    """The sessions that were sent ``event`` whose payload has ``key == value``."""
    return [
        s
        for s in emu.gateway.sessions.values()
        if any(p["t"] == event and p["d"].get(key) == value for p in s.backlog)
    ]


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(recommended_shards=SHARDS) as emulator:
        yield emulator
        assert not emulator.take_violations()


@pytest.fixture
async def start_bot() -> AsyncIterator[StartBot]:
    """Like conftest's, without the standard world's emulator: these tests build their own."""
    async with launch.bot_starter() as start:
        yield start


def test_guild_ids_for_a_shard_follow_discords_formula() -> None:
    emu = DiscordEmulator()
    for count in (1, 2, 3, 16):
        for shard_id in range(count):
            guild = emu.create_guild("x", shard=(shard_id, count))
            assert (guild.id >> 22) % count == shard_id == shard_of(guild.id, count)


@pytest.mark.parametrize("explicit_count", [True, False], ids=["shard_count", "recommended"])
async def test_each_shard_gets_only_its_guilds(
    emu: DiscordEmulator, start_bot: StartBot, explicit_count: bool
) -> None:
    guilds = guilds_on_shards(emu, SHARDS)
    bot = sharded_bot(SHARDS if explicit_count else None)
    await start_bot(emu, bot)

    assert bot.shard_count == SHARDS
    assert sorted(bot.shards) == list(range(SHARDS))
    asked = emu.requests_to("GET", r"/gateway/bot")
    assert len(asked) == (0 if explicit_count else 1)  # discord.py asks only without a count
    ready = ready_payloads(emu)
    assert sorted(ready) == list(range(SHARDS))
    for shard_id, payload in ready.items():
        assert payload["shard"] == [shard_id, SHARDS]
        listed = {int(g["id"]) for g in payload["guilds"]}  # type: ignore[attr-defined]
        assert listed == {g.id for g in guilds if shard_of(g.id, SHARDS) == shard_id}
    for guild in guilds:
        seen = bot.get_guild(guild.id)
        assert seen is not None and seen.shard_id == shard_of(guild.id, SHARDS)
        [session] = delivered_on(emu, "GUILD_CREATE", "id", str(guild.id))
        assert session.shard == [shard_of(guild.id, SHARDS), SHARDS]

    # A guild joined later, and its channel, go to their shard alone.
    # Waited for on the bot's side (its event), not the emulator's: nothing changes in the
    # emulator when the bot takes the channel in.
    created = asyncio.ensure_future(bot.wait_for("guild_channel_create", timeout=5.0))
    late = emu.create_guild("late", shard=(1, SHARDS))
    channel = emu.create_text_channel(late, "news")
    assert (await created).id == channel.id and bot.get_channel(channel.id) is not None
    [session] = delivered_on(emu, "CHANNEL_CREATE", "id", str(channel.id))
    assert session.shard == [1, SHARDS]


async def test_interactions_arrive_on_the_owning_shard_only(
    emu: DiscordEmulator, start_bot: StartBot
) -> None:
    guilds = guilds_on_shards(emu, SHARDS)
    bot = sharded_bot(SHARDS)
    await start_bot(emu, bot)
    await bot.tree.sync()
    for guild in guilds:
        handle = await emu.slash("where", guild=guild)
        assert (await handle.response()).type == ResponseType.CHANNEL_MESSAGE
        shard_id = shard_of(guild.id, SHARDS)
        assert handle.original is not None and handle.original.content == f"shard {shard_id}"
        [session] = delivered_on(emu, "INTERACTION_CREATE", "id", str(handle.id))
        assert session.shard == [shard_id, SHARDS]


async def test_two_clients_split_the_shards(emu: DiscordEmulator, start_bot: StartBot) -> None:
    """Two 'processes' (clients with disjoint shard_ids): each serves only its guilds, and a
    guild whose shard nobody serves gets no interaction until its shard connects."""
    count = 4
    guilds = guilds_on_shards(emu, count)
    first, second = sharded_bot(count, [0, 1]), sharded_bot(count, [2, 3])
    await start_bot(emu, first)
    await first.tree.sync()

    for guild in guilds:
        owned = shard_of(guild.id, count) in (0, 1)
        assert (first.get_guild(guild.id) is not None) is owned
        if owned:
            handle = await emu.slash("where", guild=guild)
            await handle.response()
        else:
            with pytest.raises(NoShardSession, match=f"shard {shard_of(guild.id, count)} of 4"):
                await emu.slash("where", guild=guild)

    await start_bot(emu, second)
    for guild in guilds:
        mine, other = (first, second) if shard_of(guild.id, count) < 2 else (second, first)
        assert mine.get_guild(guild.id) is not None and other.get_guild(guild.id) is None
        handle = await emu.slash("where", guild=guild)
        await handle.response()
        assert handle.original is not None
        assert handle.original.content == f"shard {shard_of(guild.id, count)}"
    assert len(emu.gateway.shards()) == count


async def test_unsharded_client_still_gets_everything(
    emu: DiscordEmulator, start_bot: StartBot
) -> None:
    world = build_world(emu)
    other = emu.create_guild("other", shard=(2, SHARDS))
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    await start_bot(emu, bot)
    assert {g.id for g in bot.guilds} == {world.guild.id, other.id}
    [session] = emu.gateway.sessions.values()
    assert session.shard is None


async def _identify(
    http: aiohttp.ClientSession, emu: DiscordEmulator, shard: object
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, object] | None]:
    """A raw gateway connection that identifies with ``shard``: the socket and READY (if any)."""
    ws = await http.ws_connect(emu.gateway_url)
    hello = await ws.receive_json()
    assert hello["op"] == 10
    await ws.send_json(
        {"op": 2, "d": {"token": emu.token, "intents": 1, "properties": {}, "shard": shard}}
    )
    message = await ws.receive()
    if message.type is not aiohttp.WSMsgType.TEXT:
        return ws, None
    payload = json.loads(message.data)
    assert payload["t"] == "READY"
    return ws, payload["d"]


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], [0], "0,1", [True, 2]])
async def test_invalid_shard_is_closed_with_4010(emu: DiscordEmulator, shard: object) -> None:
    async with aiohttp.ClientSession() as http:
        ws, ready = await _identify(http, emu, shard)
        assert ready is None
        assert ws.close_code == 4010
    assert [r.kind for r in emu.gateway_log][-2:] == ["invalid_shard", "closed"]


async def test_restarted_shard_replaces_its_dead_session(emu: DiscordEmulator) -> None:
    """A process that died (socket gone without 1000/1001) leaves a resumable session; a new
    IDENTIFY for the same shard replaces it, so interactions reach the new process."""
    world = build_world(emu)
    shard_id = shard_of(world.guild.id, 2)
    async with aiohttp.ClientSession() as http:
        dead, _ = await _identify(http, emu, [shard_id, 2])
        await dead.close(code=4000)  # not a clean goodbye: Discord keeps the session resumable
        await emu.wait_until(lambda: emu.gateway_log[-1].kind == "closed", what="the close")
        handle = await emu.slash("anything", guild=world.guild)  # queued for a RESUME
        [old] = emu.gateway.live_sessions()
        assert old.backlog[-1]["d"]["id"] == str(handle.id)

        fresh, ready = await _identify(http, emu, [shard_id, 2])
        assert ready is not None and ready["shard"] == [shard_id, 2]
        assert not old.resumable and "replaced" in [r.kind for r in emu.gateway_log]
        handle = await emu.slash("anything", guild=world.guild)
        async with asyncio.timeout(5):
            while True:
                payload = await fresh.receive_json()
                if payload.get("t") == "INTERACTION_CREATE":
                    break
        assert payload["d"]["id"] == str(handle.id)
        await fresh.close()
