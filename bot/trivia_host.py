"""Hosting trivia in channels: round timers, reveals, the rounds of a game one after the
other, and its final table. Discord side (it edits and sends messages); the rules are in
`bot.trivia`, the SQL in the store, the embeds in `bot.render_trivia`.

Everything a round or a game needs is a database row from the moment it starts, so after a
restart `resume()` picks each one up where it was: an open round is revealed at its end, a
game waiting between rounds asks its next question when the pause is over, a game whose
last round ended while the bot was down posts its final table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.clock import Clock
from bot.errors import UserError
from bot.render import safe
from bot.render_trivia import final_embed, question_embed, reveal_embed
from bot.store import Store
from bot.trivia import Question, Round, RoundAnswer, shuffled_choices
from bot.trivia.games import BETWEEN_ROUNDS, Game, TriviaOptions, standings
from bot.trivia_questions import QuestionPicker
from bot.views_trivia import round_view

log = logging.getLogger(__name__)

EDIT_ATTEMPTS = 3
NO_PINGS = discord.AllowedMentions.none()

Poster = Callable[[Round, Game | None, TriviaOptions], Awaitable[int]]
"""Sends a round's question; returns its message id."""


class TriviaHost:
    """The timers of every open round and waiting game of the bot."""

    def __init__(
        self,
        bot: Any,
        store: Callable[[], Store],
        clock: Callable[[], Clock],
        questions: QuestionPicker,
        default_seconds: Callable[[], float],
    ) -> None:
        self.bot = bot
        self._store, self._clock = store, clock
        self.questions = questions
        self._default_seconds = default_seconds
        self.timers: dict[str, asyncio.Task[None]] = {}

    @property
    def store(self) -> Store:
        return self._store()

    @property
    def clock(self) -> Clock:
        return self._clock()

    async def options(self, guild_id: int) -> TriviaOptions:
        return await self.store.trivia_options(guild_id, self._default_seconds())

    def interview_title(self, question: Question) -> str | None:
        interview = self.bot.library.catalog.interviews.get(question.interview_id)
        return interview.meta.title if interview else None

    # --- start-up and shutdown ----------------------------------------------------

    async def resume(self) -> None:
        # Another process serves the other shards' guilds and resumes their rounds and games.
        rounds = [
            r for r in await self.store.trivia_active_rounds() if self.bot.owns_guild(r.guild_id)
        ]
        for round_ in rounds:
            log.info("resuming trivia round %s in channel %s", round_.id, round_.channel_id)
            self.schedule_round(round_)
        running = {r.game_id for r in rounds if r.game_id}
        for game in await self.store.trivia_active_games():
            if game.id not in running and self.bot.owns_guild(game.guild_id):
                log.info("resuming trivia game %s in channel %s", game.id, game.channel_id)
                self._schedule_next(game)

    async def stop(self) -> None:
        tasks = list(self.timers.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _spawn(self, key: str, work: Awaitable[None]) -> None:
        if key in self.timers:
            if asyncio.iscoroutine(work):
                work.close()
            return
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.timers[key] = task
        task.add_done_callback(lambda _: self.timers.pop(key, None))

    async def _at(
        self,
        when: datetime | None,
        action: Callable[[], Awaitable[None]],
        failure: str,
        *args: object,
    ) -> None:
        """Run `action` at `when` (now if None); a failure is logged ("trivia " + `failure`),
        as nobody awaits a timer."""
        try:
            if when is not None:
                await self.clock.sleep_until(when)
            await action()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("trivia " + failure, *args)

    # --- starting a round -------------------------------------------------------------

    async def open_round(
        self,
        *,
        guild_id: int,
        channel_id: int,
        question: Question,
        options: TriviaOptions,
        started_by: int | None,
        rng: random.Random,
        post: Poster,
        game: Game | None = None,
    ) -> Round | None:
        """Store a round, post it, record its message and start its timer; None when the
        channel is busy (or the game is over)."""
        choices, correct = shuffled_choices(question, rng)
        started = self.clock.now()
        ends = started + timedelta(seconds=options.round_seconds)
        round_id = await self.store.trivia_start_round(
            guild_id=guild_id,
            channel_id=channel_id,
            question=question,
            choices=choices,
            correct=correct,
            started_at=started,
            ends_at=ends,
            started_by=started_by,
            game_id=game.id if game else None,
        )
        if round_id is None:
            return None
        round_ = await self.store.trivia_round(round_id)
        assert round_ is not None
        if game is not None:
            game = await self.store.trivia_game(game.id) or game
        try:
            message_id = await post(round_, game, options)
        except BaseException:
            await self.store.trivia_end_round(round_id, cancel=True)
            raise
        await self.store.trivia_set_message(round_id, message_id)
        found = await self.store.trivia_round(round_id)
        assert found is not None
        self.schedule_round(found)
        return found

    # --- a round's end ---------------------------------------------------------------

    def schedule_round(self, round_: Round) -> None:
        self._spawn(
            f"round:{round_.id}",
            self._at(
                round_.ends_at,
                lambda: self.finish(round_.id),
                "round %s could not be finished",
                round_.id,
            ),
        )

    async def finish(self, round_id: int) -> None:
        """End a round once: score it, reveal the answer on its message and, in a game,
        go on to the next round or the final table.

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
        else:
            await self._edit(found, await self.reveal(found, answers))
        if found.game_id is not None:
            await self.advance(found.game_id)

    async def reveal(self, round_: Round, answers: list[RoundAnswer]) -> discord.Embed:
        """The reveal of a finished round (with the game's standings when in one)."""
        options = await self.options(round_.guild_id)
        hinted = await self.store.trivia_hinted(round_.id)
        game = table = None
        if round_.game_id is not None:
            game = await self.store.trivia_game(round_.game_id)
            table = standings(
                (r, a)
                for r, a in await self.store.trivia_game_answers(round_.game_id)
                if r.game_round is not None
                and round_.game_round is not None
                and r.game_round <= round_.game_round
            )
        return reveal_embed(
            round_,
            answers,
            self.interview_title(round_.question),
            evidence=options.reveal_evidence,
            hinted=hinted,
            game=game,
            table=table,
        )

    async def _edit(self, round_: Round, embed: discord.Embed) -> None:
        assert round_.message_id is not None
        channel = self.bot.get_partial_messageable(round_.channel_id, guild_id=round_.guild_id)
        message = channel.get_partial_message(round_.message_id)
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

    # --- games -------------------------------------------------------------------------

    async def advance(self, game_id: int) -> None:
        """After a round of a game: the final table if it was the last, else a pause and
        the next question."""
        game = await self.store.trivia_game(game_id)
        if game is None or game.status != "active":
            return
        if game.over:
            await self.end_game(game)
            return
        when = self.clock.now() + timedelta(seconds=BETWEEN_ROUNDS)
        await self.store.trivia_game_next_at(game.id, when)
        game = await self.store.trivia_game(game.id) or game
        self._schedule_next(game)

    def _schedule_next(self, game: Game) -> None:
        self._spawn(
            f"game:{game.id}",
            self._at(
                game.next_at,
                lambda: self.next_round(game.id),
                "game %s: the next round could not start",
                game.id,
            ),
        )

    async def next_round(self, game_id: int) -> None:
        game = await self.store.trivia_game(game_id)
        if game is None or game.status != "active":
            return
        if game.over:
            await self.end_game(game)
            return
        options = await self.options(game.guild_id)
        passage_ids = None
        if game.topic:
            topic = self.bot.library.catalog.find_topic(game.topic)
            passage_ids = set(topic.passage_ids) if topic else set()
        question = await self.questions.pick(
            game.guild_id, passage_ids, game.difficulty, options, self.bot.rng
        )
        if question is None:
            await self.end_game(game, note="No question is left for this game's topic.")
            return
        channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)

        async def post(round_: Round, current: Game | None, opts: TriviaOptions) -> int:
            sent = await channel.send(
                embed=question_embed(round_, points=opts.right_points, game=current),
                view=round_view(round_),
                allowed_mentions=NO_PINGS,
            )
            return sent.id

        try:
            opened = await self.open_round(
                guild_id=game.guild_id,
                channel_id=game.channel_id,
                question=question,
                options=options,
                started_by=game.started_by,
                rng=self.bot.rng,
                post=post,
                game=game,
            )
        except (discord.NotFound, discord.Forbidden) as exc:
            log.info("trivia game %s stopped: cannot post in its channel (%s)", game.id, exc)
            await self.store.trivia_end_game(game.id, cancel=True)
            return
        if opened is None:
            log.info("trivia game %s: its channel is busy or the game is over", game.id)

    async def stop_early(self, round_: Round | None, game: Game | None, by: int) -> bool:
        """/trivia stop: end the channel's game and its open round now. False when they
        had already ended.

        The game is closed first, in the database: from then on nothing asks its next
        question, and a restart does not resume it. The open round then ends as if its
        time were up (the answers already given score and are revealed), and the final
        table of the rounds played is posted."""
        stopped = False
        if game is not None:
            stopped = await self.store.trivia_end_game(game.id, cancel=True)
        if round_ is not None:
            ended = await self.store.trivia_round(round_.id)
            stopped = stopped or (ended is not None and ended.status == "active")
            await self.finish(round_.id)  # once: a timer (or another click) may be there first
        if game is not None and stopped:
            game = await self.store.trivia_game(game.id) or game
            await self._post_final(game, note="Stopped early with /trivia stop.", cancelled=True)
        return stopped

    async def end_game(self, game: Game, *, note: str | None = None) -> None:
        """Close a game once and post its final table."""
        if not await self.store.trivia_end_game(game.id, cancel=note is not None):
            return
        await self._post_final(game, note=note, cancelled=note is not None)

    async def _post_final(self, game: Game, *, note: str | None, cancelled: bool) -> None:
        table = standings(await self.store.trivia_game_answers(game.id))
        embed = final_embed(game, table, cancelled=cancelled)
        if note:
            embed.description = f"{safe(note, 300)}\n\n{embed.description or ''}"
        channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
        try:
            await channel.send(embed=embed, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info("trivia game %s: cannot post its final table (%s)", game.id, exc)


def busy_text(running: Round | None, game: Game | None) -> str:
    if game is not None:
        return (
            "A trivia game is running in this channel "
            f"(question {game.played} of {game.total}): play along, or start one elsewhere."
        )
    when = f" It ends <t:{int(running.ends_at.timestamp())}:R>." if running else ""
    return f"A trivia round is already running in this channel: answer that one first.{when}"


def refuse_busy(running: Round | None, game: Game | None) -> None:
    raise UserError(busy_text(running, game))
