"""/trivia play, Discord side: refuse a busy channel, read the topic, pick a question, open
a game when several questions are asked for, and post the first question as the command's
reply (the round and the game are database rows before anything is sent; `TriviaHost`
times them from there)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import UserError
from bot.render import safe
from bot.render_trivia import question_embed
from bot.respond import DEFER_AFTER
from bot.trivia import Round, TriviaBank
from bot.trivia.games import Game, TriviaOptions
from bot.trivia_host import TriviaHost, busy_text
from bot.views_trivia import round_view


class TriviaStarter:
    """Starts what /trivia play asks for in the channel it was typed in."""

    def __init__(self, host: TriviaHost, bank: Callable[[], Awaitable[TriviaBank]]) -> None:
        self.host = host
        self._bank = bank

    async def play(
        self,
        interaction: discord.Interaction[Any],
        topic: str | None,
        level: str | None,
        questions: int | None,
    ) -> None:
        """A round, or a game of `questions` rounds, on `topic` (a name or slug) at `level`;
        a `UserError` says why not."""
        guild_id, channel_id = interaction.guild_id, interaction.channel_id
        if guild_id is None or channel_id is None:
            raise UserError("Trivia is played in a server channel.")
        await self._refuse_if_busy(channel_id)
        passage_ids: set[str] | None = None
        about, slug = "", None
        if topic:
            found = self.host.bot.library.catalog.find_topic(topic)
            if found is None:
                raise UserError(
                    f"I don't know a topic called “{safe(topic, 100)}”. Pick one from the list."
                )
            passage_ids, about, slug = set(found.passage_ids), f" about {found.name}", found.slug
        await self._bank_in_time(interaction)
        options = await self.host.options(guild_id)
        question = await self.host.questions.pick(
            guild_id, passage_ids, level, options, self.host.bot.rng
        )
        if question is None:
            at = f" at {level} difficulty" if level else ""
            raise UserError(
                f"I have no trivia question{safe(about, 120)}{at} yet. Try another topic or level."
            )
        game: Game | None = None
        if questions is not None:
            game_id = await self.host.store.trivia_start_game(
                guild_id=guild_id,
                channel_id=channel_id,
                total=questions,
                topic=slug,
                difficulty=level,
                started_by=interaction.user.id,
                at=self.host.clock.now(),
            )
            if game_id is None:
                await self._refuse_if_busy(channel_id)
                raise UserError(busy_text(None, None))
            game = await self.host.store.trivia_game(game_id)

        async def post(round_: Round, current: Game | None, opts: TriviaOptions) -> int:
            return await self._post(interaction, round_, current, opts)

        try:
            opened = await self.host.open_round(
                guild_id=guild_id,
                channel_id=channel_id,
                question=question,
                options=options,
                started_by=interaction.user.id,
                rng=self.host.bot.rng,
                post=post,
                game=game,
            )
        except BaseException:
            if game is not None:
                await self.host.store.trivia_end_game(game.id, cancel=True)
            raise
        if opened is None:
            if game is not None:
                await self.host.store.trivia_end_game(game.id, cancel=True)
            await self._refuse_if_busy(channel_id)
            raise UserError(busy_text(None, None))

    async def _refuse_if_busy(self, channel_id: int) -> None:
        running = await self.host.store.trivia_active_round(channel_id)
        game = await self.host.store.trivia_active_game(channel_id)
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

    async def _bank_in_time(self, interaction: discord.Interaction[Any]) -> TriviaBank:
        """The bank; if building it is slow (a large corpus just reloaded), acknowledge the
        command first so Discord's 3 s limit is kept."""
        task = asyncio.ensure_future(self._bank())
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done and not interaction.response.is_done():
            await interaction.response.defer(thinking=True)
        return await task
