"""/trivia: questions for the whole channel, games of several rounds, hints, seasons.

Thin: the rules live in `bot.trivia`, the SQL in `bot.store`, the embeds in
`bot.render_trivia*`, the buttons in `bot.views_trivia` (what they do in
`bot.trivia_buttons`), the question bank and the choice of question in
`bot.trivia_questions`, what /trivia play starts in `bot.trivia_play`, and the timers of
rounds and games in `bot.trivia_host`. A round and
a game are database rows from the moment they start, so the buttons (state in their
custom_id) and the timers survive a restart. /trivia-settings is `cogs.trivia_settings`.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot, member_cooldown
from bot.clock import Clock, SystemClock
from bot.errors import UserError
from bot.render import safe
from bot.render_trivia_board import board_name, stats_embed
from bot.respond import send
from bot.store import Store
from bot.textutil import truncate
from bot.trivia import DIFFICULTIES, TriviaBank
from bot.trivia.games import (
    ALL_TIME,
    MAX_GAME_QUESTIONS,
    MIN_GAME_QUESTIONS,
    parse_season,
)
from bot.trivia_buttons import TriviaButtons
from bot.trivia_host import TriviaHost
from bot.trivia_play import TriviaStarter
from bot.trivia_questions import BankKeeper, QuestionPicker
from bot.views_trivia import ALL_TIME_KEY, PERSISTENT
from cogs.trivia_settings import require_manage

log = logging.getLogger(__name__)

DEFAULT_ROUND_SECONDS = 20.0


class Trivia(commands.Cog):
    """Rounds, games, scores and seasons; a guild's settings are kept in the store."""

    trivia = app_commands.Group(
        name="trivia",
        description="Multiple-choice trivia about the interviews, for the whole channel",
        guild_only=True,
    )
    season = app_commands.Group(
        name="season", description="Trivia seasons: scores start again", parent=trivia
    )

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.default_seconds = DEFAULT_ROUND_SECONDS
        self._system_clock = SystemClock()
        self.keeper = BankKeeper(lambda: bot.library.catalog, lambda: self.store)
        questions = QuestionPicker(lambda: self.store, lambda: bot.library.catalog, self.bank)
        self.host = TriviaHost(
            bot, lambda: self.store, lambda: self.clock, questions, lambda: self.default_seconds
        )
        self.buttons = TriviaButtons(self.host)
        self.starter = TriviaStarter(self.host, self.bank)

    @property
    def clock(self) -> Clock:
        """The bot's injectable clock when it has one (tests move it by hand)."""
        found = getattr(self.bot, "clock", None)
        return found if found is not None else self._system_clock

    @property
    def store(self) -> Store:
        return self.bot.library.store

    @property
    def _timers(self) -> dict[str, asyncio.Task[None]]:
        return self.host.timers

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*PERSISTENT)
        await self.host.resume()
        self.keeper.warm_up()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*PERSISTENT)
        await self.keeper.stop()
        await self.host.stop()

    async def bank(self) -> TriviaBank:
        return await self.keeper.bank()

    async def finish(self, round_id: int) -> None:
        await self.host.finish(round_id)

    # --- /trivia play ---------------------------------------------------------

    @trivia.command(
        name="play", description="Ask this channel a trivia question (or a game of several)"
    )
    @app_commands.describe(
        topic="Only questions about this topic",
        difficulty="Only questions of this difficulty",
        questions="A game of this many questions in a row (1 to 20), with standings",
    )
    @app_commands.choices(difficulty=[app_commands.Choice(name=d, value=d) for d in DIFFICULTIES])
    @member_cooldown("trivia play")
    async def play(
        self,
        interaction: discord.Interaction[QuoteBot],
        topic: app_commands.Range[str, 1, 100] | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        questions: app_commands.Range[int, MIN_GAME_QUESTIONS, MAX_GAME_QUESTIONS] | None = None,
    ) -> None:
        level = difficulty.value if difficulty else None
        await self.starter.play(interaction, topic, level, questions)

    # --- /trivia stop -----------------------------------------------------------

    @trivia.command(name="stop", description="End the trivia round or game in this channel now")
    async def stop(self, interaction: discord.Interaction[QuoteBot]) -> None:
        """Manage Server, or the member who started it: the final table so far is posted."""
        channel_id = interaction.channel_id
        if interaction.guild_id is None or channel_id is None:
            raise UserError("Trivia is played in a server channel.")
        running = await self.store.trivia_active_round(channel_id)
        game = await self.store.trivia_active_game(channel_id)
        if running is None and game is None:
            raise UserError("No trivia round or game is running in this channel.")
        starter = game.started_by if game is not None else running.started_by if running else None
        perms = interaction.permissions
        if not (perms.manage_guild or perms.administrator or interaction.user.id == starter):
            raise UserError(
                "Only the member who started it, or someone with the Manage Server permission, "
                "can stop it."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        stopped = await self.host.stop_early(running, game, interaction.user.id)
        what = "game" if game is not None else "round"
        text = (
            f"Trivia {what} stopped." + (" The final table is posted." if game else "")
            if stopped
            else f"That trivia {what} had just ended."
        )
        await send(interaction, content=text, ephemeral=True)

    @play.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = []
        for t in self.bot.library.catalog.topic_choices(current[:100], limit=25):
            choices.append(
                app_commands.Choice(name=truncate(t.name, 100), value=truncate(t.slug, 100))
            )
        return choices

    # --- scores and seasons -----------------------------------------------------

    @trivia.command(
        name="leaderboard", description="Trivia standings here: this season, another, or all-time"
    )
    @app_commands.describe(season="A season (default: the current one) or all-time")
    async def leaderboard(
        self,
        interaction: discord.Interaction[QuoteBot],
        season: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia scores are kept per server.")
        try:
            wanted = parse_season(season)
        except ValueError:
            raise UserError(
                f"“{safe(season or '', 40)}” is not a season: pick one from the list, or all-time."
            ) from None
        if wanted is None:
            current = await self.store.trivia_season(guild_id)
            key = str(current.number) if current else ALL_TIME_KEY
        else:
            key = ALL_TIME_KEY if wanted == ALL_TIME else str(wanted)
        embed, view = await self.buttons.board_page(interaction, interaction.user.id, key, 0)
        if view is None:
            await send(interaction, embed=embed)
        else:
            await send(interaction, embed=embed, view=view)

    @leaderboard.autocomplete("season")
    async def season_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = interaction.guild_id
        seasons = await self.store.trivia_seasons(guild_id) if guild_id else []
        typed = current.casefold().strip()
        choices = [app_commands.Choice(name="All-time", value=ALL_TIME)]
        choices += [
            app_commands.Choice(name=truncate(board_name(s), 100), value=str(s.number))
            for s in seasons
        ]
        return [c for c in choices if typed in c.name.casefold()][:25]

    @trivia.command(
        name="stats", description="Trivia points and rank of a member, season and all-time"
    )
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(
        self,
        interaction: discord.Interaction[QuoteBot],
        member: discord.Member | discord.User | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia scores are kept per server.")
        who = member or interaction.user
        current = await self.store.trivia_season(guild_id)
        in_season = (
            await self.store.trivia_member_score(guild_id, who.id, current.number)
            if current
            else None
        )
        all_time = await self.store.trivia_member_score(guild_id, who.id, ALL_TIME)
        embed = stats_embed(safe(who.display_name, 100), who.id, current, in_season, all_time)
        await send(interaction, embed=embed)

    @season.command(name="start", description="End the current trivia season and start a new one")
    @app_commands.describe(name="The new season's name (default: Season N)")
    async def season_start(
        self,
        interaction: discord.Interaction[QuoteBot],
        name: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia seasons are per server.")
        await require_manage(interaction, "start a trivia season")
        closed, opened = await self.store.trivia_start_season(
            guild_id, name, interaction.user.id, self.clock.now()
        )
        ended = (
            f"**{safe(board_name(closed).removesuffix(' (ended)'), 100)}** is over. "
            if closed
            else ""
        )
        await send(
            interaction,
            content=(
                f"{ended}**{safe(opened.name, 100)}** (season {opened.number}) starts now: "
                "everyone is back to 0 for the season; all-time scores keep counting."
            ),
        )


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Trivia(bot))
