"""The Discord bot: a `commands.Bot` whose setup_hook opens the data and loads the cogs."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog_sync import CatalogSync
from bot.clock import Clock, SystemClock
from bot.errors import UserError
from bot.lane import SearchLane
from bot.library import Library, ensure_loaded, open_library
from bot.settings import Settings
from bot.textutil import defuse_mentions, truncate

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.quotes",
    "cogs.cards",
    "cogs.admin",
    "cogs.daily",
    "cogs.trivia",
    "cogs.trivia_settings",  # after cogs.trivia: it uses the Trivia cog's host
)
APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again later."
RESTARTING = "I'm restarting right now; please try again in a minute."
DISCORD_TROUBLE = "Discord had trouble delivering my answer just now; please try again in a moment."
WORKER_NICE = 0  # search workers' niceness (see README, under load)
SHUTDOWN_GRACE = 8.0  # seconds replies in flight get to finish on shutdown (docker stop: 10)

T = TypeVar("T")

# --- per-member cooldowns -------------------------------------------------------------

COOLDOWNS: dict[str, tuple[int, float]] = {
    "quote": (5, 30.0),
    "random": (5, 30.0),
    "topic": (3, 30.0),
    "trivia play": (2, 60.0),
    "admin reload": (2, 60.0),
    "admin import": (3, 60.0),
    "another match": (10, 30.0),
    "card": (3, 60.0),
}
"""(uses, per seconds) for each member on the commands that cost real work. The bot's
owners are exempt; for everyone else a refused /admin attempt is rate limited too, which
also bounds how fast a hostile member can write audit rows."""


def member_cooldown(command: str) -> Callable[[T], T]:
    """`@member_cooldown("quote")`: the COOLDOWNS rate per member, owners exempt."""
    rate, per = COOLDOWNS[command]

    async def bucket(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
        client = interaction.client
        if isinstance(client, QuoteBot) and await client.is_bot_owner(interaction.user):
            return None
        return app_commands.Cooldown(rate, per)

    return app_commands.checks.dynamic_cooldown(bucket)


def cooldown_message(retry_after: float) -> str:
    return f"Easy there: you can use this again in {math.ceil(retry_after)} s."


def user_message(error: BaseException) -> str | None:
    """The short text a member should see for `error`, or None when it is a bug."""
    original = getattr(error, "original", None) or error
    if isinstance(original, UserError):
        return str(original)
    if isinstance(original, discord.HTTPException) and (
        original.status >= 500 or original.status == 429
    ):
        return DISCORD_TROUBLE  # Discord's outage or rate limit outlasted the retries: not a bug
    if isinstance(error, app_commands.CommandOnCooldown):
        return cooldown_message(error.retry_after)
    if isinstance(error, app_commands.MissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {perms} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {perms} permission here to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand {error.value!r} for that option."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here."
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The one place errors reach members: short for their mistakes, an apology for bugs."""
    message = user_message(error)
    command = interaction.command.qualified_name if interaction.command else interaction.data
    if message is None:
        log.error("unhandled error in %s (user %s)", command, interaction.user.id, exc_info=error)
        message = APOLOGY
    elif message == DISCORD_TROUBLE:
        log.warning(
            "Discord failed while answering %s (user %s): %s", command, interaction.user.id, error
        )
    # Error texts may quote what the member typed: whatever it was, it must not look like a ping.
    message = truncate(defuse_mentions(message), 2000)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about an error", interaction.user.id, exc_info=True)


def quiet_voice_warnings() -> None:
    """The bot never joins voice: discord.py's "PyNaCl/davey is not installed, voice will
    NOT be supported" warnings on every start are noise. Clearing the VoiceClient flags it
    checks before warning is the way its maintainers point to (Rapptz/discord.py#9220);
    voice would still refuse to start without the libraries."""
    for flag in ("warn_nacl", "warn_dave"):
        if hasattr(discord.VoiceClient, flag):
            setattr(discord.VoiceClient, flag, False)


def shard_options(settings: Settings) -> dict[str, Any]:
    """AutoShardedBot's shard_count/shard_ids: none given -> Discord's recommended count."""
    options: dict[str, Any] = {"shard_count": settings.shards.count}
    if settings.shards.ids is not None:
        options["shard_ids"] = list(settings.shards.ids)
    return options


class QuoteTree(app_commands.CommandTree["QuoteBot"]):
    async def interaction_check(self, interaction: discord.Interaction[QuoteBot], /) -> bool:
        """Every command is tracked until it has answered; none starts while shutting down."""
        client = interaction.client
        if client.shutting_down and interaction.type is discord.InteractionType.application_command:
            raise app_commands.CheckFailure(RESTARTING)
        client.track_interaction()
        return True

    async def on_error(
        self, interaction: discord.Interaction[QuoteBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class QuoteBot(commands.AutoShardedBot):
    """Holds its dependencies as attributes; nothing is a module global.

    Sharded always: without SHARD_COUNT it runs Discord's recommended number of shards in this
    one process; with SHARD_COUNT/SHARD_IDS it runs its share and serves only those guilds
    (`owns_guild`: the daily posts it schedules, the trivia rounds it resumes)."""

    def __init__(
        self,
        settings: Settings,
        *,
        library: Library | None = None,
        rng: random.Random | None = None,
        sync_on_start: bool = True,
        clock: Clock | None = None,
        shutdown_grace: float = SHUTDOWN_GRACE,
        defer_checks: bool = False,
    ) -> None:
        quiet_voice_warnings()
        intents = discord.Intents.default()
        # Slash commands, buttons and autocomplete arrive as interactions whatever the
        # intents; nothing here reads messages, reactions or typing. Without these, Discord
        # no longer sends the bot every message posted where it is (its own replies
        # included), each of which discord.py parsed: ~1 ms of the bot's CPU per /quote.
        intents.message_content = False
        intents.messages = False
        intents.reactions = False
        intents.typing = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=QuoteTree,
            **shard_options(settings),
        )
        self.settings = settings
        self._library = library
        self._owns_library = library is None
        self.rng = rng or random.Random()
        self.clock: Clock = clock or SystemClock()
        self.sync_on_start = sync_on_start
        self.started_at = time.monotonic()
        self.shutdown_grace = shutdown_grace
        self.defer_checks = defer_checks  # the index cache's checksum after ready (runner)
        self.shutting_down = False
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._shutdown: asyncio.Future[None] | None = None
        self._setup_task: asyncio.Task[Any] | None = None
        self._setup_done = asyncio.Event()
        self._button_cooldowns: dict[tuple[str, int], app_commands.Cooldown] = {}
        self.search_lane = SearchLane()
        self._workers_task: asyncio.Task[None] | None = None
        self.catalog_sync: CatalogSync | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            raise RuntimeError("the library is opened in setup_hook")
        return self._library

    async def setup_hook(self) -> None:
        self._setup_task = asyncio.current_task()
        try:
            await self._set_up()
        finally:
            self._setup_done.set()

    async def _set_up(self) -> None:
        if self._library is None:
            self._library = await open_library(self.settings, defer_checks=self.defer_checks)
        outcome = await ensure_loaded(self._library)
        if outcome is not None and not outcome.ok:
            for err in outcome.errors:
                log.error("load error: %s", err)
        stats = self._library.catalog.stats()
        log.info("catalog ready: %s", stats)
        log.info("serving %s", self.settings.shards.describe())
        self.catalog_sync = CatalogSync(self._library)  # other processes' reloads reach us
        await self.catalog_sync.start()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.worker_count():
            self._workers_task = asyncio.ensure_future(self._start_search_workers())
        if self.sync_on_start and self.settings.dev_guild_id:
            synced = await self.sync_commands(self.settings.dev_guild_id)
            log.info(
                "synced %d command(s) to dev guild %s", len(synced), self.settings.dev_guild_id
            )

    async def _start_search_workers(self) -> None:
        """The search worker processes start once the bot is ready, so their imports do
        not slow a restart; until then (and whenever none is alive) searches use threads."""
        await self.wait_until_ready()
        if self.shutting_down:
            return
        try:
            await self.search_lane.start_workers(
                self.settings.worker_count(), self.library.index_cache, nice=WORKER_NICE
            )
        except Exception:
            log.exception("search workers did not start; searching in threads")

    def owns_guild(self, guild_id: int) -> bool:
        """Whether this process serves `guild_id` (its shard is one this process runs)."""
        return self.settings.shards.owns(guild_id)

    async def sync_commands(self, guild_id: int | None = None) -> list[app_commands.AppCommand]:
        """Register the commands on purpose: to one guild (instant) or globally."""
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    async def is_bot_owner(self, user: discord.abc.User) -> bool:
        """The application's owner or team, plus OWNER_IDS."""
        if user.id in self.settings.owner_ids:
            return True
        return await self.is_owner(user)

    async def check_button_cooldown(self, name: str, user: discord.abc.User) -> None:
        """Raise a UserError when `user` pressed button `name` too often (COOLDOWNS).

        Slash commands get app_commands cooldowns; buttons have no such hook, so their
        per-member windows are kept here.  Owners are exempt.
        """
        if await self.is_bot_owner(user):
            return
        rate, per = COOLDOWNS[name]
        now = time.time()
        if len(self._button_cooldowns) > 4096:  # forget members whose window has passed
            self._button_cooldowns = {
                key: c for key, c in self._button_cooldowns.items() if c.get_tokens(now) < c.rate
            }
        cooldown = self._button_cooldowns.setdefault(
            (name, user.id), app_commands.Cooldown(rate, per)
        )
        retry_after = cooldown.update_rate_limit(now)
        if retry_after:
            raise UserError(cooldown_message(retry_after))

    # --- shutdown -------------------------------------------------------------

    def track_interaction(self) -> None:
        """Count the running task as a reply in flight: close() lets it finish first."""
        task = asyncio.current_task()
        if task is not None and task not in self._in_flight:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def launch_shard(self, gateway: Any, shard_id: int, *, initial: bool = False) -> None:
        """discord.py retries a shard's connection every 5 s, forever, also once the bot was
        told to stop while it started (its HTTP session is closed by then): stop instead."""
        if self.shutting_down or self.is_closed():
            log.info("shutting down: shard %s not connected", shard_id)
            return
        await super().launch_shard(gateway, shard_id, initial=initial)

    async def close(self) -> None:
        """Shut down gracefully, once however often it is called (signals, `async with`).

        New commands are refused with a short message; replies in flight get up to
        `shutdown_grace` seconds to finish; then the cogs unload (stopping the daily
        scheduler and trivia timers), the gateway and HTTP session close, and last the
        database with every side connection.
        """
        if self._shutdown is None:
            caller = asyncio.current_task()  # never wait for the task asking us to close
            self._shutdown = asyncio.ensure_future(self._close_once(caller))
        await asyncio.shield(self._shutdown)

    async def _close_once(self, caller: asyncio.Task[Any] | None) -> None:
        self.shutting_down = True
        try:
            if self._setup_task not in (None, caller) and not self._setup_done.is_set():
                # Stopped while starting: let start-up finish, so whatever it opens (the
                # database, the cogs' schedulers) exists to be closed below.
                log.info("shutting down: letting start-up finish first")
                await self._setup_done.wait()
            await self._drain(self.shutdown_grace, caller)
            await super().close()
        finally:
            if self._workers_task is not None:
                self._workers_task.cancel()
                await asyncio.gather(self._workers_task, return_exceptions=True)
            await self.search_lane.close()
            if self.catalog_sync is not None:
                await self.catalog_sync.stop()
            if self._library is not None and self._owns_library:
                await self._library.store.close()
                self._library = None

    async def _drain(self, grace: float, caller: asyncio.Task[Any] | None) -> None:
        """Wait for the replies in flight (and any button pressed meanwhile), up to `grace` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        announced = False
        while pending := {t for t in self._in_flight if t is not caller and not t.done()}:
            if not announced:
                log.info("shutting down: waiting for %d reply(ies) in flight", len(pending))
                announced = True
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning(
                    "shutting down with %d reply(ies) unfinished after %.0f s", len(pending), grace
                )
                return
            await asyncio.wait(pending, timeout=remaining)
