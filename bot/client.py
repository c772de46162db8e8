"""The Discord bot: a `commands.Bot` whose setup_hook opens the data and loads the cogs."""

from __future__ import annotations

import logging
import random
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.errors import UserError
from bot.library import Library, ensure_loaded, open_library
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = ("cogs.quotes", "cogs.admin", "cogs.daily", "cogs.trivia")
APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again later."


def user_message(error: BaseException) -> str | None:
    """The short text a member should see for `error`, or None when it is a bug."""
    original = getattr(error, "original", None) or error
    if isinstance(original, UserError):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Easy there: you can use this again in {error.retry_after:.0f} s."
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
    if message is None:
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error("unhandled error in %s (user %s)", command, interaction.user.id, exc_info=error)
        message = APOLOGY
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about an error", interaction.user.id, exc_info=True)


class QuoteTree(app_commands.CommandTree["QuoteBot"]):
    async def on_error(
        self, interaction: discord.Interaction[QuoteBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class QuoteBot(commands.Bot):
    """Holds its dependencies as attributes; nothing is a module global."""

    def __init__(
        self,
        settings: Settings,
        *,
        library: Library | None = None,
        rng: random.Random | None = None,
        sync_on_start: bool = True,
        clock: Clock | None = None,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=QuoteTree,
        )
        self.settings = settings
        self._library = library
        self._owns_library = library is None
        self.rng = rng or random.Random()
        self.clock: Clock = clock or SystemClock()
        self.sync_on_start = sync_on_start
        self.started_at = time.monotonic()

    @property
    def library(self) -> Library:
        if self._library is None:
            raise RuntimeError("the library is opened in setup_hook")
        return self._library

    async def setup_hook(self) -> None:
        if self._library is None:
            self._library = await open_library(self.settings)
        outcome = await ensure_loaded(self._library)
        if outcome is not None and not outcome.ok:
            for err in outcome.errors:
                log.error("load error: %s", err)
        stats = self._library.catalog.stats()
        log.info("catalog ready: %s", stats)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_on_start and self.settings.dev_guild_id:
            synced = await self.sync_commands(self.settings.dev_guild_id)
            log.info(
                "synced %d command(s) to dev guild %s", len(synced), self.settings.dev_guild_id
            )

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

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self._library is not None and self._owns_library:
                await self._library.store.close()
                self._library = None
