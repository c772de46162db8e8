"""/trivia: a question for the whole channel, answer buttons, a timed reveal, scores.

Thin: the rules live in `bot.trivia`, the SQL in `bot.store`, the embeds in
`bot.render_trivia`. A round is a database row from the moment it starts, so the buttons
(state in their custom_id) and the reveal timer both survive a restart: on start-up every
active round is resumed, and finished (or cancelled) by editing its message at its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot, member_cooldown
from bot.clock import Clock, SystemClock
from bot.errors import NotAllowed, UserError
from bot.render import safe
from bot.render_trivia import (
    cancelled_embed,
    leaderboard_embed,
    question_embed,
    reveal_embed,
    stats_embed,
)
from bot.respond import DEFER_AFTER, send
from bot.store import Store
from bot.textutil import truncate
from bot.trivia import (
    DIFFICULTIES,
    BankBuildStopped,
    Question,
    Round,
    RoundAnswer,
    TriviaBank,
    choose,
    points_for,
    shuffled_choices,
)
from bot.views import GuardedItem

log = logging.getLogger(__name__)

DEFAULT_ROUND_SECONDS = 20.0
MIN_ROUND_SECONDS = 5
MAX_ROUND_SECONDS = 300
LEADERBOARD_SIZE = 10
EDIT_ATTEMPTS = 3


class TriviaAnswerButton(GuardedItem, template=r"qb:tv:(?P<round>\d{1,19}):(?P<choice>\d)"):
    """One answer of one round. The round id and choice are all the state it needs."""

    def __init__(
        self,
        round_id: int,
        choice: int,
        label: str = "…",
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.primary,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80) or "…",
                style=style,
                custom_id=f"qb:tv:{round_id}:{choice}",
                disabled=disabled,
            )
        )
        self.round_id = round_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TriviaAnswerButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["round"]), int(match["choice"]), label or "…")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("Trivia")
        if not isinstance(cog, Trivia):
            raise UserError("Trivia is not available right now.")
        await cog.answer(interaction, self.round_id, self.choice)


def round_view(round_: Round, *, over: bool = False) -> discord.ui.View:
    """The answer buttons; once the round is over, disabled with the right one in green."""
    view = discord.ui.View(timeout=None)
    for n, label in enumerate(round_.choices):
        style = discord.ButtonStyle.primary
        if over:
            style = (
                discord.ButtonStyle.success
                if n == round_.correct
                else discord.ButtonStyle.secondary
            )
        view.add_item(TriviaAnswerButton(round_.id, n, label, style=style, disabled=over))
    return view


class Trivia(commands.Cog):
    """Rounds, scores and the leaderboard; a guild's settings are kept in the store."""

    trivia = app_commands.Group(
        name="trivia",
        description="Multiple-choice trivia about the interviews, for the whole channel",
        guild_only=True,
    )

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.default_seconds = DEFAULT_ROUND_SECONDS
        self._system_clock = SystemClock()
        self._bank: TriviaBank | None = None
        self._bank_source: object | None = None
        self._bank_lock = asyncio.Lock()
        self._timers: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, str] = {}  # guild -> the question asked last
        self._warm: asyncio.Task[None] | None = None
        self._stop_building = threading.Event()  # set on unload: a bank build in a thread ends

    @property
    def clock(self) -> Clock:
        """The bot's injectable clock when it has one (tests move it by hand)."""
        found = getattr(self.bot, "clock", None)
        return found if found is not None else self._system_clock

    @property
    def store(self) -> Store:
        return self.bot.library.store

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TriviaAnswerButton)
        for round_ in await self.store.trivia_active_rounds():
            if not self.bot.owns_guild(round_.guild_id):
                continue  # another process serves that guild's shard and resumes it
            log.info("resuming trivia round %s in channel %s", round_.id, round_.channel_id)
            self._schedule(round_)
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
        self.bot.remove_dynamic_items(TriviaAnswerButton)
        self._stop_building.set()
        timers = [*self._timers.values(), *([self._warm] if self._warm else [])]
        for task in timers:
            task.cancel()
        for task in timers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

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
                    catalog.passages.stream(),
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

    def interview_title(self, question: Question) -> str | None:
        interview = self.bot.library.catalog.interviews.get(question.interview_id)
        return interview.meta.title if interview else None

    # --- rounds ---------------------------------------------------------------

    def _schedule(self, round_: Round) -> None:
        if round_.id in self._timers:
            return
        task = asyncio.create_task(self._run(round_), name=f"trivia-round-{round_.id}")
        self._timers[round_.id] = task
        task.add_done_callback(lambda _: self._timers.pop(round_.id, None))

    async def _run(self, round_: Round) -> None:
        try:
            await self.clock.sleep_until(round_.ends_at)
            await self.finish(round_.id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("trivia round %s could not be finished", round_.id)

    async def finish(self, round_id: int) -> None:
        """End a round once: score it and reveal the answer on its message.

        A round whose message was never recorded (the bot stopped while posting it) is
        cancelled instead: there is nothing to reveal on.
        """
        found = await self.store.trivia_round(round_id)
        if found is None or found.status != "active":
            return
        cancel = found.message_id is None
        answers = await self.store.trivia_end_round(round_id, cancel=cancel)
        if answers is None:
            return  # something else ended it first
        if cancel:
            log.info("trivia round %s cancelled: its message was never posted", round_id)
            return
        await self._edit(found, answers)

    async def _edit(self, round_: Round, answers: list[RoundAnswer]) -> None:
        assert round_.message_id is not None
        channel = self.bot.get_partial_messageable(round_.channel_id, guild_id=round_.guild_id)
        message = channel.get_partial_message(round_.message_id)
        embed = reveal_embed(round_, answers, self.interview_title(round_.question))
        for attempt in range(1, EDIT_ATTEMPTS + 1):
            try:
                await message.edit(embed=embed, view=round_view(round_, over=True))
                return
            except (discord.NotFound, discord.Forbidden) as exc:
                # The message or channel is gone, or we may no longer see it: the round is
                # scored; a click on a copy of its buttons still shows the reveal.
                log.info("trivia round %s: cannot edit its message (%s)", round_.id, exc)
                return
            except discord.HTTPException:
                if attempt == EDIT_ATTEMPTS:
                    log.warning("trivia round %s: reveal edit failed", round_.id, exc_info=True)
                    return
                await asyncio.sleep(0.5 * attempt)

    async def _post(self, interaction: discord.Interaction[Any], round_: Round) -> int:
        """Send the question; returns its message id."""
        embed, view = question_embed(round_), round_view(round_)
        mentions = discord.AllowedMentions.none()
        if interaction.response.is_done():
            sent = await interaction.followup.send(
                embed=embed, view=view, allowed_mentions=mentions, wait=True
            )
            return sent.id
        await interaction.response.send_message(embed=embed, view=view, allowed_mentions=mentions)
        original = await interaction.original_response()
        return original.id

    # --- /trivia play ---------------------------------------------------------

    @trivia.command(
        name="play", description="Ask this channel a trivia question about the interviews"
    )
    @app_commands.describe(
        topic="Only questions about this topic",
        difficulty="Only questions of this difficulty",
    )
    @app_commands.choices(difficulty=[app_commands.Choice(name=d, value=d) for d in DIFFICULTIES])
    @member_cooldown("trivia play")
    async def play(
        self,
        interaction: discord.Interaction[QuoteBot],
        topic: app_commands.Range[str, 1, 100] | None = None,
        difficulty: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id, channel_id = interaction.guild_id, interaction.channel_id
        if guild_id is None or channel_id is None:
            raise UserError("Trivia is played in a server channel.")
        running = await self.store.trivia_active_round(channel_id)
        if running is not None:
            raise UserError(self._busy(running))
        catalog = self.bot.library.catalog
        passage_ids: set[str] | None = None
        about = ""
        if topic:
            found = catalog.find_topic(topic)
            if found is None:
                raise UserError(
                    f"I don't know a topic called “{safe(topic, 100)}”. Pick one from the list."
                )
            passage_ids, about = set(found.passage_ids), f" about {found.name}"
        bank = await self._bank_in_time(interaction)
        level = difficulty.value if difficulty else None
        pool = bank.pool(passage_ids=passage_ids, difficulty=level)
        if not pool:
            at = f" at {level} difficulty" if level else ""
            raise UserError(
                f"I have no trivia question{safe(about, 120)}{at} yet. Try another topic or level."
            )
        seen = await self.store.trivia_seen(guild_id)
        question, reset = choose(pool, seen, self.bot.rng, last=self._last.get(guild_id))
        if reset:
            await self.store.trivia_forget_seen(guild_id, [q.id for q in pool])
        self._last[guild_id] = question.id
        choices, correct = shuffled_choices(question, self.bot.rng)
        seconds = await self.store.trivia_round_seconds(guild_id) or self.default_seconds
        started = self.clock.now()
        ends = started + timedelta(seconds=seconds)
        round_id = await self.store.trivia_start_round(
            guild_id=guild_id,
            channel_id=channel_id,
            question=question,
            choices=choices,
            correct=correct,
            started_at=started,
            ends_at=ends,
            started_by=interaction.user.id,
        )
        if round_id is None:
            running = await self.store.trivia_active_round(channel_id)
            raise UserError(self._busy(running))
        round_ = Round(
            id=round_id,
            guild_id=guild_id,
            channel_id=channel_id,
            message_id=None,
            question=question,
            choices=choices,
            correct=correct,
            started_at=started,
            ends_at=ends,
            status="active",
            started_by=interaction.user.id,
        )
        try:
            message_id = await self._post(interaction, round_)
        except BaseException:
            await self.store.trivia_end_round(round_id, cancel=True)
            raise
        await self.store.trivia_set_message(round_id, message_id)
        self._schedule(replace(round_, message_id=message_id))

    @staticmethod
    def _busy(running: Round | None) -> str:
        when = f" It ends <t:{int(running.ends_at.timestamp())}:R>." if running else ""
        return f"A trivia round is already running in this channel: answer that one first.{when}"

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

    # --- answering ------------------------------------------------------------

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
        now = self.clock.now()
        correct = choice == found.correct
        elapsed = (now - found.started_at).total_seconds()
        points = points_for(correct, elapsed, found.seconds)
        outcome, kept = await self.store.trivia_answer(
            round_id, interaction.user.id, choice, correct, points, now
        )
        reveal = f"<t:{int(found.ends_at.timestamp())}:R>"
        if outcome == "recorded":
            if correct:
                text = f"✅ Right! You earn {points} points when the round ends {reveal}."
            else:
                text = f"❌ Not quite. The answer is revealed {reveal}."
        elif outcome == "already" and kept is not None:
            picked = safe(found.choices[kept.choice], 100)
            text = f"You already answered this round (you picked “{picked}”). One try each!"
        else:
            text = "Time's up for this round: the answer is being revealed."
            if round_id not in self._timers:
                self._schedule(found)
        await interaction.response.send_message(text, ephemeral=True)

    async def _show_over(self, interaction: discord.Interaction[Any], round_: Round) -> None:
        """A click on a round that has ended: bring its message up to date, say so."""
        if round_.status == "finished":
            answers = await self.store.trivia_answers(round_.id)
            embed = reveal_embed(round_, answers, self.interview_title(round_.question))
        else:
            embed = cancelled_embed(round_, "This round was cancelled.")
        await interaction.response.edit_message(embed=embed, view=round_view(round_, over=True))
        await interaction.followup.send("This round is over.", ephemeral=True)

    # --- scores ---------------------------------------------------------------

    @trivia.command(name="leaderboard", description="The top 10 trivia players here, and your rank")
    async def leaderboard(self, interaction: discord.Interaction[QuoteBot]) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia scores are kept per server.")
        top = await self.store.trivia_leaderboard(guild_id, LEADERBOARD_SIZE)
        me = await self.store.trivia_score(guild_id, interaction.user.id)
        name = interaction.guild.name if interaction.guild else "this server"
        await send(interaction, embed=leaderboard_embed(name, top, me, interaction.user.id))

    @trivia.command(name="stats", description="Trivia points, rank and streaks of a member")
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
        score = await self.store.trivia_score(guild_id, who.id)
        await send(interaction, embed=stats_embed(safe(who.display_name, 100), who.id, score))

    # --- settings -------------------------------------------------------------

    @app_commands.command(
        name="trivia-settings", description="See or set how long trivia rounds last here"
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(round_seconds="Seconds members have to answer (5 to 300)")
    async def settings(
        self,
        interaction: discord.Interaction[QuoteBot],
        round_seconds: app_commands.Range[int, MIN_ROUND_SECONDS, MAX_ROUND_SECONDS] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("Trivia settings are per server.")
        if not (
            interaction.permissions.manage_guild or await self.bot.is_bot_owner(interaction.user)
        ):
            raise NotAllowed("You need the Manage Server permission to change trivia settings.")
        if round_seconds is None:
            current = await self.store.trivia_round_seconds(guild_id)
            text = (
                f"Trivia rounds here last {current:g} s."
                if current
                else f"Trivia rounds here last {self.default_seconds:g} s (the default)."
            )
        else:
            await self.store.set_trivia_round_seconds(
                guild_id, float(round_seconds), interaction.user.id
            )
            text = f"Trivia rounds here now last {round_seconds} s (from the next round on)."
        await send(interaction, content=text, ephemeral=True)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Trivia(bot))
