"""Shared fixtures.

Emulator fixtures (keep at the top): ``emulator`` is a started :class:`DiscordEmulator` holding
the standard :class:`World` (guild "Test Guild", #general, owner, member, moderator), ``world``
is that cast, and ``start_bot`` is a factory that connects any ``discord.Client`` or
``commands.Bot`` to an emulator and closes it again at teardown (before the emulator). A test
fails at teardown if the bot sent anything Discord would reject, unless the test took those
violations itself with ``emulator.take_violations()``.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pgcluster import pg_cluster, pg_url, report_header
from storefixtures import open_store, store, store_target

from bot.emulator import DiscordEmulator, StartBot, World, build_world, launch
from bot.settings import Settings

# PostgreSQL fixtures: see tests/pgcluster.py; the store on both backends: tests/storefixtures.py
__all__ = ["open_store", "pg_cluster", "pg_url", "store", "store_target"]

if TYPE_CHECKING:
    from bot.client import QuoteBot


def pytest_report_header() -> str:
    """Say up front whether the PostgreSQL tests will run, be skipped, or fail."""
    return report_header()


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
    async with launch.bot_starter() as start:
        yield start


# --- QuoteBot fixtures: the real bot, real SQLite in tmp_path, against the emulator ---------

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    """Settings for a bot with its own database and a private copy of data/ (safe to write)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    return Settings(
        db_path=tmp_path / "quotebot.db",
        seeds_dir=ROOT / "seeds",
        data_dir=data,
        dev_guild_id=None,
    )


@pytest.fixture
async def launch_quotebot(
    emulator: DiscordEmulator, world: World, start_bot: StartBot, bot_settings: Settings
) -> Callable[..., Awaitable[QuoteBot]]:
    """``await launch_quotebot()`` starts a QuoteBot (again, for restart tests) and syncs its
    commands to the test guild, as an owner would with /admin sync or `quotebot sync`."""

    from bot.client import QuoteBot  # imported here so emulator-only tests need no bot code

    async def launch(settings: Settings | None = None, **kwargs: Any) -> QuoteBot:
        kwargs.setdefault("rng", random.Random(7))
        bot = QuoteBot(settings or bot_settings, **kwargs)
        await start_bot(emulator, bot)
        await bot.sync_commands(world.guild.id)
        return bot

    return launch


@pytest.fixture
async def quotebot(launch_quotebot: Callable[..., Awaitable[QuoteBot]]) -> QuoteBot:
    return await launch_quotebot()
