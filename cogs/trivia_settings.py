"""/trivia-settings: how long a server's rounds last, the points, the reveal's evidence and
whether generated questions are asked. Loaded after `cogs.trivia`, whose `TriviaHost` reads
the settings (with the round length's default)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot
from bot.errors import NotAllowed, UserError
from bot.render_trivia import settings_text
from bot.respond import send
from bot.trivia.games import MAX_RIGHT_POINTS, MIN_RIGHT_POINTS
from bot.trivia_host import TriviaHost

MIN_ROUND_SECONDS = 5
MAX_ROUND_SECONDS = 300


async def require_manage(interaction: discord.Interaction[QuoteBot], what: str) -> None:
    """Manage Server (or a bot owner), checked when the command runs."""
    if not (
        interaction.permissions.manage_guild
        or await interaction.client.is_bot_owner(interaction.user)
    ):
        raise NotAllowed(f"You need the Manage Server permission to {what}.")


class TriviaSettings(commands.Cog):
    """A guild's trivia settings, kept in the store."""

    def __init__(self, bot: QuoteBot, host: TriviaHost) -> None:
        self.bot = bot
        self.host = host

    @app_commands.command(name="trivia-settings", description="See or change trivia settings here")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        round_seconds="Seconds members have to answer (5 to 300)",
        right_points="Points for a right answer, before the speed bonus (1 to 100)",
        reveal_evidence="Whether the reveal quotes the transcript that proves the answer",
        generated_questions="Whether questions generated from the transcripts are asked",
    )
    async def settings(
        self,
        interaction: discord.Interaction[QuoteBot],
        round_seconds: app_commands.Range[int, MIN_ROUND_SECONDS, MAX_ROUND_SECONDS] | None = None,
        right_points: app_commands.Range[int, MIN_RIGHT_POINTS, MAX_RIGHT_POINTS] | None = None,
        reveal_evidence: bool | None = None,
        generated_questions: bool | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia settings are per server.")
        await require_manage(interaction, "change trivia settings")
        changed = any(
            v is not None
            for v in (round_seconds, right_points, reveal_evidence, generated_questions)
        )
        if round_seconds is not None:
            await self.bot.library.store.set_trivia_round_seconds(
                guild_id, float(round_seconds), interaction.user.id
            )
        if any(v is not None for v in (right_points, reveal_evidence, generated_questions)):
            await self.bot.library.store.set_trivia_options(
                guild_id,
                interaction.user.id,
                right_points=right_points,
                reveal_evidence=reveal_evidence,
                use_generated=generated_questions,
            )
        options = await self.host.options(guild_id)
        await send(interaction, content=settings_text(options, changed=changed), ephemeral=True)


async def setup(bot: QuoteBot) -> None:
    host = getattr(bot.get_cog("Trivia"), "host", None)
    if not isinstance(host, TriviaHost):
        raise RuntimeError("cogs.trivia_settings is loaded after cogs.trivia")
    await bot.add_cog(TriviaSettings(bot, host))
