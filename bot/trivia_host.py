"""Hosting trivia in channels: the rounds of a game one after the other, its final table,
/trivia stop, and the resume after a restart, over a round's own timer and reveal
(`bot.trivia_round_host.RoundHost`). Discord side (it edits and sends messages); the rules
are in `bot.trivia`, the SQL in the store, the embeds in `bot.render_trivia`.

Everything a round or a game needs is a database row from the moment it starts, so after a
restart `resume()` picks each one up where it was: an open round is revealed at its end, a
game waiting between rounds asks its next question when the pause is over, a game whose
last round ended while the bot was down posts its final table. Closing a game marks its
final table due in the same write, so a game closed (by its last round or /trivia stop)
whose table had not gone out when the bot stopped reveals its open round and posts the
table at the next start.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

import discord

from bot.errors import UserError
from bot.render import safe
from bot.render_trivia import final_embed, question_embed
from bot.trivia import Round
from bot.trivia.games import BETWEEN_ROUNDS, Game, TriviaOptions, standings
from bot.trivia_round_host import RoundHost
from bot.views_trivia import round_view

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
STOPPED_NOTE = "Stopped early with /trivia stop."


class TriviaHost(RoundHost):
    """The timers of every open round and waiting game of the bot."""

    # --- start-up and shutdown ----------------------------------------------------

    async def resume(self) -> None:
        # Another process serves the other shards' guilds and resumes their rounds and games.
        rounds = [
            r for r in await self.store.trivia_active_rounds() if self.bot.owns_guild(r.guild_id)
        ]
        finals = [
            (game, note)
            for game, note in await self.store.trivia_finals_due()
            if self.bot.owns_guild(game.guild_id)
        ]
        closed = {game.id for game, _ in finals}
        for round_ in rounds:
            if round_.game_id not in closed:  # a closed game's round is revealed now, below
                log.info("resuming trivia round %s in channel %s", round_.id, round_.channel_id)
                self.schedule_round(round_)
        for game, note in finals:
            log.info("trivia game %s: posting its final table after a restart", game.id)
            open_rounds = [r.id for r in rounds if r.game_id == game.id]
            self._spawn(
                f"final:{game.id}",
                self._at(
                    None,
                    partial(self._close_out, game, note, open_rounds),
                    "game %s: its final table could not be posted",
                    game.id,
                ),
            )
        running = {r.game_id for r in rounds if r.game_id}
        for game in await self.store.trivia_active_games():
            if game.id not in running and self.bot.owns_guild(game.guild_id):
                log.info("resuming trivia game %s in channel %s", game.id, game.channel_id)
                self._schedule_next(game)

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
            stopped = await self.store.trivia_end_game(
                game.id, cancel=True, final=True, note=STOPPED_NOTE
            )
        if round_ is not None:
            ended = await self.store.trivia_round(round_.id)
            stopped = stopped or (ended is not None and ended.status == "active")
            await self.finish(round_.id)  # once: a timer (or another click) may be there first
        if game is not None and stopped:
            game = await self.store.trivia_game(game.id) or game
            await self._post_final(game, note=STOPPED_NOTE, cancelled=True)
        return stopped

    async def end_game(self, game: Game, *, note: str | None = None) -> None:
        """Close a game once and post its final table."""
        cancel = note is not None
        if not await self.store.trivia_end_game(game.id, cancel=cancel, final=True, note=note):
            return
        await self._post_final(game, note=note, cancelled=cancel)

    async def _close_out(self, game: Game, note: str | None, open_rounds: list[int]) -> None:
        """At start: a game closed before its final table went out. Its open round (a
        /trivia stop that was cut short) is revealed first, then the table is posted."""
        for round_id in open_rounds:
            await self.finish(round_id)  # the game is closed: finish asks nothing more
        await self._post_final(game, note=note, cancelled=game.status == "cancelled")

    async def _post_final(self, game: Game, *, note: str | None, cancelled: bool) -> None:
        """Post the game's final table and mark it posted; a post Discord refuses is given
        up (logged), as a retry at the next start could come arbitrarily late."""
        table = standings(await self.store.trivia_game_answers(game.id))
        embed = final_embed(game, table, cancelled=cancelled)
        if note:
            embed.description = f"{safe(note, 300)}\n\n{embed.description or ''}"
        channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
        try:
            await channel.send(embed=embed, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info("trivia game %s: cannot post its final table (%s)", game.id, exc)
        await self.store.trivia_final_posted(game.id)


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
