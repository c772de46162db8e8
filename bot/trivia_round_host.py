"""A trivia round's life, Discord side: started (stored, posted, its message recorded, its
timer set), ended once at its time (scored, the reveal edited onto its message). Its timers
are tasks kept by key, so a round is never timed twice. `TriviaHost` adds games and the
resume after a restart; `advance` is where a game goes on after one of its rounds."""

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
from bot.render_trivia import reveal_embed
from bot.store import Store
from bot.trivia import Question, Round, RoundAnswer, shuffled_choices
from bot.trivia.games import Game, TriviaOptions, standings
from bot.trivia_questions import QuestionPicker
from bot.views_trivia import round_view

log = logging.getLogger(__name__)

EDIT_ATTEMPTS = 3

Poster = Callable[[Round, Game | None, TriviaOptions], Awaitable[int]]
"""Sends a round's question; returns its message id."""


class RoundHost:
    """The timers of every open round of the bot."""

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

    async def advance(self, game_id: int) -> None:
        """After a round of game `game_id` ended (TriviaHost: the next round or the table)."""
