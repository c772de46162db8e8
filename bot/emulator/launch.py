"""Run any discord.py client (``commands.Bot`` included) in-process against an emulator."""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable

import discord

from ..endpoints import apply_endpoints
from .server import DiscordEmulator

__all__ = ["GUILD_READY_TIMEOUT", "StartBot", "bot_starter", "start_bot", "stop_bot"]

GUILD_READY_TIMEOUT = 0.05
"""discord.py waits ``guild_ready_timeout`` (2 s by default) after the last GUILD_CREATE before
READY fires. The emulator sends all guilds in one burst on loopback, so a short quiet period is
enough and keeps bot start-up well under a second."""

StartBot = Callable[[DiscordEmulator, discord.Client], Awaitable[None]]
"""The shape of the ``start_bot`` pytest fixture: ``await start_bot(emu, bot)``."""

_connect_tasks: weakref.WeakKeyDictionary[discord.Client, asyncio.Task[None]] = (
    weakref.WeakKeyDictionary()
)


async def _identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """The emulator has no IDENTIFY rate limit, so re-identifying need not wait."""


async def start_bot(
    emu: DiscordEmulator,
    bot: discord.Client,
    *,
    timeout: float = 5.0,
    fast_reidentify: bool = True,
) -> None:
    """Point discord.py at ``emu``, log in, connect, and return once the bot is ready.

    Runs ``setup_hook`` (so a bot that syncs its command tree there syncs against the emulator).
    Raises whatever made the connection fail, or ``TimeoutError``. Pair with :func:`stop_bot`.

    discord.py sleeps 5 s before every non-initial IDENTIFY (``Client.before_identify_hook``) to
    respect Discord's identify rate limit; with ``fast_reidentify`` that wait is skipped, unless
    the bot's class overrides the hook itself.
    """
    apply_endpoints(emu.api_url, emu.gateway_url)
    # Private attribute: the option is only accepted by the constructor, and the bot is built
    # by the caller.
    bot._connection.guild_ready_timeout = GUILD_READY_TIMEOUT
    hook = type(bot).before_identify_hook
    if fast_reidentify and hook in (
        discord.Client.before_identify_hook,
        discord.AutoShardedClient.before_identify_hook,
    ):
        bot.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    await bot.login(emu.token)
    connect = asyncio.create_task(bot.connect(reconnect=True), name="emulated-bot-connect")
    _connect_tasks[bot] = connect
    ready = asyncio.create_task(bot.wait_until_ready(), name="emulated-bot-ready")
    done, _ = await asyncio.wait(
        {connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready in done:
        return
    ready.cancel()
    if connect in done and connect.exception() is not None:
        await stop_bot(bot)
        raise connect.exception()  # type: ignore[misc]
    await stop_bot(bot)
    raise TimeoutError(f"bot was not ready within {timeout}s")


async def stop_bot(bot: discord.Client) -> None:
    """Close the bot and wait for its gateway task to finish."""
    await bot.close()
    connect = _connect_tasks.pop(bot, None)
    if connect is not None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(connect, 5.0)


@contextlib.asynccontextmanager
async def bot_starter(timeout: float = 60.0) -> AsyncIterator[StartBot]:
    """``start(emu, bot)`` for a test's bots: on exit every bot it started is stopped, newest
    first, and discord.py's endpoints are Discord's again. The default timeout bounds a hang;
    start-up (loading the data) is slow on a busy machine."""
    started: list[discord.Client] = []

    async def start(emu: DiscordEmulator, bot: discord.Client) -> None:
        started.append(bot)
        await start_bot(emu, bot, timeout=timeout)

    try:
        yield start
    finally:
        for bot in reversed(started):
            await stop_bot(bot)
        apply_endpoints(None, None)
