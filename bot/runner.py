"""Process entry points that talk to Discord: `quotebot run` and `quotebot sync`."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp
import discord

from bot.client import QuoteBot
from bot.endpoints import apply_endpoints
from bot.recovery import check_at_start, clear_running, explain, mark_running
from bot.settings import Settings
from bot.store import StoreError

log = logging.getLogger(__name__)

NO_TOKEN = """\
quotebot: no DISCORD_TOKEN is set.

To run the bot on Discord:
  1. Create an application at https://discord.com/developers/applications
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env beside pyproject.toml:  DISCORD_TOKEN=...
     (see .env.example for every setting), then run `quotebot run` again.
  4. Invite it with the "bot" and "applications.commands" scopes.

To see the bot without a Discord account first, run:  quotebot try
"""


def _settings_for(settings: Settings, db: Path | None) -> Settings:
    if db is None:
        return settings
    from dataclasses import replace

    return replace(settings, db_path=db)


async def _run(settings: Settings) -> None:
    # The database first: a bad file is a clear message before anything talks to Discord.
    # (PostgreSQL checks its own pages and recovers itself: no file to check or mark.)
    if settings.db_url is None:
        check = await check_at_start(settings.db_path)
        log.info(
            "database checked with %s",
            "integrity_check (the last run did not shut down cleanly)"
            if check.thorough
            else "quick_check",
        )
        if check.problem is not None:
            raise StoreError(check.problem)
    apply_endpoints(settings.api_url, settings.gateway_url)
    bot = QuoteBot(settings)
    loop = asyncio.get_running_loop()

    stopping: set[asyncio.Future[None]] = set()
    signals: list[signal.Signals] = []

    def stop(sig: signal.Signals) -> None:
        log.info("%s received: shutting down", sig.name)
        signals.append(sig)
        task = asyncio.ensure_future(bot.close())
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig)
    marker = None if settings.db_url else mark_running(settings.db_path)
    try:
        async with bot:
            assert settings.token is not None
            await bot.start(settings.token)
    except Exception as exc:
        if not signals:
            raise
        # Stopped while logging in or loading: whatever was cut short failed because the
        # connections were closing, and every database write is all-or-nothing.
        log.info("stopped during start-up (%s cut short)", type(exc).__name__)
    finally:
        # start() returns as soon as the gateway closes; the shutdown a signal began still
        # has the database to close, so wait for all of it (close() runs only once).
        await bot.close()
        clear_running(marker)  # not reached if closing failed: the next start checks fully


def run_bot(settings: Settings, db: Path | None = None) -> int:
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        asyncio.run(_run(_settings_for(settings, db)))
    except discord.LoginFailure:
        print(
            "quotebot: Discord rejected the token. Reset it in the developer portal.",
            file=sys.stderr,
        )
        return 2
    except (StoreError, sqlite3.DatabaseError) as exc:
        print(f"quotebot: {explain(exc)}", file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError, discord.HTTPException) as exc:
        where = settings.api_url or "Discord"
        print(
            f"quotebot: stopped: could not talk to {where} ({type(exc).__name__}: {exc}). "
            "Check the network (and DISCORD_API_URL if set), then start again.",
            file=sys.stderr,
        )
        return 1
    return 0


async def sync_once(settings: Settings, guild_id: int | None) -> int:
    """Log in over REST only (no gateway), register the commands, log out.

    discord.py's login() runs setup_hook, which opens the data and loads every cog, so the
    tree holds exactly the commands `quotebot run` serves.
    """
    apply_endpoints(settings.api_url, settings.gateway_url)
    bot = QuoteBot(settings, sync_on_start=False)
    async with bot:
        assert settings.token is not None
        await bot.login(settings.token)
        synced = await bot.sync_commands(guild_id)
    where = f"guild {guild_id}" if guild_id else "globally (may take up to an hour to appear)"
    print(f"Registered {len(synced)} command(s) {where}.")
    return 0


def sync_commands(settings: Settings, guild_id: int | None = None, db: Path | None = None) -> int:
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        return asyncio.run(sync_once(_settings_for(settings, db), guild_id))
    except discord.LoginFailure:
        print(
            "quotebot: Discord rejected the token. Reset it in the developer portal.",
            file=sys.stderr,
        )
        return 2
    except discord.HTTPException as exc:
        where = f"guild {guild_id}" if guild_id else "globally"
        print(f"quotebot: Discord refused to register the commands {where}: {exc}", file=sys.stderr)
        if guild_id:
            print(
                "  Is the bot in that guild, invited with the applications.commands scope?",
                file=sys.stderr,
            )
        return 1
