"""/trivia: questions for the whole channel, games of several rounds, hints, seasons.

Thin: the rules live in `bot.trivia`, the SQL in `bot.store`, the embeds in
`bot.render_trivia*`, the buttons in `bot.views_trivia`, and the timers of rounds and games
in `bot.trivia_host`. A round and a game are database rows from the moment they start, so
the buttons (state in their custom_id) and the timers survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot, member_cooldown
from bot.clock import Clock, SystemClock
from bot.errors import NotAllowed, UserError
from bot.render import safe
from bot.render_trivia import cancelled_embed, question_embed
from bot.render_trivia_board import board_name, leaderboard_embed, stats_embed
from bot.respond import DEFER_AFTER, send
from bot.store import Store
from bot.textutil import truncate
from bot.trivia import DIFFICULTIES, BankBuildStopped, Round, TriviaBank, points_for
from bot.trivia.games import (
    ALL_TIME,
    MAX_GAME_QUESTIONS,
    MAX_RIGHT_POINTS,
    MIN_GAME_QUESTIONS,
    MIN_RIGHT_POINTS,
    Game,
    Season,
    TriviaOptions,
    hint_choices,
    hinted_points,
    parse_season,
)
from bot.trivia.sample import sampled_from_shelf
from bot.trivia_host import TriviaHost, busy_text
from bot.views_trivia import ALL_TIME_KEY, PERSISTENT, board_view, hint_helps, round_view

log = logging.getLogger(__name__)

DEFAULT_ROUND_SECONDS = 20.0
MIN_ROUND_SECONDS = 5
MAX_ROUND_SECONDS = 300
PAGE_SIZE = 10


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
        self._bank: TriviaBank | None = None
        self._bank_source: object | None = None
        self._bank_lock = asyncio.Lock()
        self._warm: asyncio.Task[None] | None = None
        self._stop_building = threading.Event()  # set on unload: a bank build in a thread ends
        self.host = TriviaHost(
            bot, lambda: self.store, lambda: self.clock, self.bank, lambda: self.default_seconds
        )

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
        self._warm = asyncio.create_task(self._warm_up(), name="trivia-bank")

    async def _warm_up(self) -> None:
        """Build the question bank in the background, so the first /trivia play is quick."""
        try:
            await self.bank()
        except BankBuildStopped:
            log.info("trivia bank build stopped: shutting down")
        except Exception:
            log.exception("could not build the trivia bank; it is retried on /trivia play")

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*PERSISTENT)
        self._stop_building.set()
        await self.host.stop()
        if self._warm:
            self._warm.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._warm

    # --- the question bank ----------------------------------------------------

    async def bank(self) -> TriviaBank:
        """Curated questions from the store plus ones generated from the current catalog,
        rebuilt (off the event loop) only when a reload has swapped the catalog."""
        catalog = self.bot.library.catalog
        if self._bank is not None and self._bank_source is catalog:
            return self._bank
        async with self._bank_lock:
            catalog = self.bot.library.catalog
            if self._bank is None or self._bank_source is not catalog:
                curated = await self.store.read_trivia()
                titles = {iid: iv.meta.title for iid, iv in catalog.interviews.items()}
                self._bank = await asyncio.to_thread(
                    TriviaBank.build,
                    curated,
                    sampled_from_shelf(catalog.passages, stop=self._stop_building),
                    titles,
                    self._stop_building,
                )
                self._bank_source = catalog
                log.info("trivia bank built: %s", self._bank.counts())
            return self._bank

    async def _bank_in_time(self, interaction: discord.Interaction[Any]) -> TriviaBank:
        """The bank; if building it is slow (a large corpus just reloaded), acknowledge the
        command first so Discord's 3 s limit is kept."""
        task = asyncio.ensure_future(self.bank())
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done and not interaction.response.is_done():
            await interaction.response.defer(thinking=True)
        return await task

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
        guild_id, channel_id = interaction.guild_id, interaction.channel_id
        if guild_id is None or channel_id is None:
            raise UserError("Trivia is played in a server channel.")
        await self._refuse_if_busy(channel_id)
        passage_ids: set[str] | None = None
        about, slug = "", None
        if topic:
            found = self.bot.library.catalog.find_topic(topic)
            if found is None:
                raise UserError(
                    f"I don't know a topic called “{safe(topic, 100)}”. Pick one from the list."
                )
            passage_ids, about, slug = set(found.passage_ids), f" about {found.name}", found.slug
        await self._bank_in_time(interaction)
        level = difficulty.value if difficulty else None
        options = await self.host.options(guild_id)
        question = await self.host.pick(guild_id, passage_ids, level, options, self.bot.rng)
        if question is None:
            at = f" at {level} difficulty" if level else ""
            raise UserError(
                f"I have no trivia question{safe(about, 120)}{at} yet. Try another topic or level."
            )
        game: Game | None = None
        if questions is not None:
            game_id = await self.store.trivia_start_game(
                guild_id=guild_id,
                channel_id=channel_id,
                total=questions,
                topic=slug,
                difficulty=level,
                started_by=interaction.user.id,
                at=self.clock.now(),
            )
            if game_id is None:
                await self._refuse_if_busy(channel_id)
                raise UserError(busy_text(None, None))
            game = await self.store.trivia_game(game_id)

        async def post(round_: Round, current: Game | None, opts: TriviaOptions) -> int:
            return await self._post(interaction, round_, current, opts)

        try:
            opened = await self.host.open_round(
                guild_id=guild_id,
                channel_id=channel_id,
                question=question,
                options=options,
                started_by=interaction.user.id,
                rng=self.bot.rng,
                post=post,
                game=game,
            )
        except BaseException:
            if game is not None:
                await self.store.trivia_end_game(game.id, cancel=True)
            raise
        if opened is None:
            if game is not None:
                await self.store.trivia_end_game(game.id, cancel=True)
            await self._refuse_if_busy(channel_id)
            raise UserError(busy_text(None, None))

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

    async def _refuse_if_busy(self, channel_id: int) -> None:
        running = await self.store.trivia_active_round(channel_id)
        game = await self.store.trivia_active_game(channel_id)
        if running is not None or game is not None:
            raise UserError(busy_text(running, game))

    async def _post(
        self,
        interaction: discord.Interaction[Any],
        round_: Round,
        game: Game | None,
        options: TriviaOptions,
    ) -> int:
        """Send the question as the command's reply; returns its message id."""
        embed = question_embed(round_, points=options.right_points, game=game)
        view, mentions = round_view(round_), discord.AllowedMentions.none()
        if interaction.response.is_done():
            sent = await interaction.followup.send(
                embed=embed, view=view, allowed_mentions=mentions, wait=True
            )
            return sent.id
        await interaction.response.send_message(embed=embed, view=view, allowed_mentions=mentions)
        original = await interaction.original_response()
        return original.id

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

    # --- answering and hints --------------------------------------------------

    async def answer(
        self, interaction: discord.Interaction[Any], round_id: int, choice: int
    ) -> None:
        """A member's click: one answer each, feedback only to them."""
        found = await self.store.trivia_round(round_id)
        if found is None:
            raise UserError("This trivia round no longer exists.")
        if found.status != "active":
            await self._show_over(interaction, found)
            return
        if not 0 <= choice < len(found.choices):
            raise UserError("That button is not part of this round.")
        options = await self.host.options(found.guild_id)
        now = self.clock.now()
        correct = choice == found.correct
        elapsed = (now - found.started_at).total_seconds()
        points = points_for(correct, elapsed, found.seconds, options.right_points)
        outcome, kept = await self.store.trivia_answer(
            round_id, interaction.user.id, choice, correct, points, now, hinted_points(points)
        )
        reveal = f"<t:{int(found.ends_at.timestamp())}:R>"
        if outcome == "recorded" and kept is not None:
            if correct:
                hinted = " (after a hint)" if kept.points != points else ""
                text = (
                    f"✅ Right! You earn {kept.points} points{hinted} when the round ends {reveal}."
                )
            else:
                text = f"❌ Not quite. The answer is revealed {reveal}."
        elif outcome == "already" and kept is not None:
            picked = safe(found.choices[kept.choice], 100)
            text = f"You already answered this round (you picked “{picked}”). One try each!"
        else:
            text = "Time's up for this round: the answer is being revealed."
            self.host.schedule_round(found)
        await interaction.response.send_message(text, ephemeral=True)

    async def hint(self, interaction: discord.Interaction[Any], round_id: int) -> None:
        """Narrow the round's choices to two, for the member who asked; it costs them."""
        found = await self.store.trivia_round(round_id)
        if found is None:
            raise UserError("This trivia round no longer exists.")
        if found.status != "active":
            await self._show_over(interaction, found)
            return
        if not hint_helps(found):
            raise UserError("This round has only two choices: there is no hint to give.")
        outcome = await self.store.trivia_use_hint(round_id, interaction.user.id, self.clock.now())
        if outcome == "answered":
            raise UserError("You already answered this round: a hint would not help now.")
        if outcome == "closed":
            self.host.schedule_round(found)
            raise UserError("Time's up for this round: the answer is being revealed.")
        first, second = (safe(found.choices[n], 100) for n in hint_choices(found))
        cost = "" if outcome == "again" else " A right answer now earns you half the points."
        await interaction.response.send_message(
            f"💡 It is either **{first}** or **{second}**.{cost}", ephemeral=True
        )

    async def _show_over(self, interaction: discord.Interaction[Any], round_: Round) -> None:
        """A click on a round that has ended: bring its message up to date, say so."""
        if round_.status == "finished":
            answers = await self.store.trivia_answers(round_.id)
            embed = await self.host.reveal(round_, answers)
        else:
            embed = cancelled_embed(round_, "This round was cancelled.")
        await interaction.response.edit_message(embed=embed, view=round_view(round_, over=True))
        await interaction.followup.send("This round is over.", ephemeral=True)

    # --- scores and seasons -----------------------------------------------------

    async def _board(
        self, guild_id: int, key: str
    ) -> tuple[int | Literal["all-time"], Season | None]:
        """A board key ("a" or a season number) as the store's board and its season."""
        if key == ALL_TIME_KEY:
            return ALL_TIME, None
        season = await self.store.trivia_season(guild_id, int(key))
        if season is None:
            raise UserError(f"This server has no season {safe(key, 10)}.")
        return season.number, season

    async def _board_page(
        self, interaction: discord.Interaction[Any], asker: int, key: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        guild_id = interaction.guild_id
        assert guild_id is not None
        board, season = await self._board(guild_id, key)
        scores, total = await self.store.trivia_board(
            guild_id, board, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages and total:
            page = pages - 1
            scores, total = await self.store.trivia_board(
                guild_id, board, offset=page * PAGE_SIZE, limit=PAGE_SIZE
            )
        me = await self.store.trivia_member_score(guild_id, asker, board)
        name = interaction.guild.name if interaction.guild else "this server"
        embed = leaderboard_embed(
            name, board_name(season), scores, me, page=page, pages=pages, total=total
        )
        return embed, board_view(asker, key, page, pages)

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
        embed, view = await self._board_page(interaction, interaction.user.id, key, 0)
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

    async def turn_page(
        self, interaction: discord.Interaction[Any], asker: int, board: str, page: int
    ) -> None:
        """A page button: only the member who asked for the leaderboard may turn it."""
        if interaction.user.id != asker:
            raise UserError(
                "Only the member who asked can turn these pages: /trivia leaderboard gives you "
                "your own."
            )
        embed, view = await self._board_page(interaction, asker, board, page)
        await interaction.response.edit_message(embed=embed, view=view)

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
        await self._require_manage(interaction, "start a trivia season")
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

    async def _require_manage(self, interaction: discord.Interaction[QuoteBot], what: str) -> None:
        if not (
            interaction.permissions.manage_guild or await self.bot.is_bot_owner(interaction.user)
        ):
            raise NotAllowed(f"You need the Manage Server permission to {what}.")

    # --- settings -------------------------------------------------------------

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
        await self._require_manage(interaction, "change trivia settings")
        changed = any(
            v is not None
            for v in (round_seconds, right_points, reveal_evidence, generated_questions)
        )
        if round_seconds is not None:
            await self.store.set_trivia_round_seconds(
                guild_id, float(round_seconds), interaction.user.id
            )
        if any(v is not None for v in (right_points, reveal_evidence, generated_questions)):
            await self.store.set_trivia_options(
                guild_id,
                interaction.user.id,
                right_points=right_points,
                reveal_evidence=reveal_evidence,
                use_generated=generated_questions,
            )
        options = await self.host.options(guild_id)
        head = (
            "Trivia settings here now (from the next round on):"
            if changed
            else "Trivia settings here:"
        )
        text = (
            f"{head}\n"
            f"• rounds last {options.round_seconds:g} s\n"
            f"• a right answer earns {options.right_points} points (+ up to "
            f"{round(options.right_points / 2)} for speed; half after a hint)\n"
            f"• the reveal {'quotes' if options.reveal_evidence else 'does not quote'} the evidence\n"
            f"• questions: {'curated and generated' if options.use_generated else 'curated only'}"
        )
        await send(interaction, content=text, ephemeral=True)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Trivia(bot))
