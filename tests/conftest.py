"""Shared fixtures.

Emulator fixtures (keep at the top): ``emulator`` is a started :class:`DiscordEmulator` holding
the standard :class:`World` (guild "Test Guild", #general, owner, member, moderator), ``world``
is that cast, and ``start_bot`` is a factory that connects any ``discord.Client`` or
``commands.Bot`` to an emulator and closes it again at teardown (before the emulator). A test
fails at teardown if the bot sent anything Discord would reject, unless the test took those
violations itself with ``emulator.take_violations()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from bot.emulator import DiscordEmulator, StartBot, World, build_world, launch
from bot.endpoints import apply_endpoints


@pytest.fixture
async def _emulator_world() -> AsyncIterator[tuple[DiscordEmulator, World]]:
    async with DiscordEmulator() as emu:
        yield emu, build_world(emu)
        leftover = emu.take_violations()
        if leftover:
            pytest.fail(
                "the bot sent payloads Discord would reject:\n"
                + "\n".join(str(v) for v in leftover),
                pytrace=False,
            )


@pytest.fixture
def emulator(_emulator_world: tuple[DiscordEmulator, World]) -> DiscordEmulator:
    return _emulator_world[0]


@pytest.fixture
def world(_emulator_world: tuple[DiscordEmulator, World]) -> World:
    return _emulator_world[1]


@pytest.fixture
async def start_bot(emulator: DiscordEmulator) -> AsyncIterator[StartBot]:
    """``await start_bot(emu, bot)`` returns once the bot is ready."""
    started: list[discord.Client] = []

    async def start(emu: DiscordEmulator, bot: discord.Client) -> None:
        started.append(bot)
        await launch.start_bot(emu, bot)

    yield start
    for bot in reversed(started):
        await launch.stop_bot(bot)
    apply_endpoints(None, None)
