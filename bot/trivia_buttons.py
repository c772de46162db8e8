"""Trivia's buttons at work, Discord side: an answer (one per member, feedback only to
them), the hint (two choices left, half the points), a click on a round that has ended (its
message brought up to date), and the leaderboard's pages (only for the member who asked).
The buttons themselves are `bot.views_trivia`; the Trivia cog holds one `TriviaButtons`.
"""

from __future__ import annotations

from typing import Any, Literal

import discord

from bot.clock import Clock
from bot.errors import UserError
from bot.render import safe
from bot.render_trivia import cancelled_embed
from bot.render_trivia_board import board_name, leaderboard_embed
from bot.store import Store
from bot.trivia import Round, points_for
from bot.trivia.games import ALL_TIME, Season, hint_choices, hinted_points
from bot.trivia_host import TriviaHost
from bot.views_trivia import ALL_TIME_KEY, board_view, hint_helps, round_view

PAGE_SIZE = 10


class TriviaButtons:
    """Answers, hints and leaderboard pages (the `TriviaActions` the buttons call)."""

    def __init__(self, host: TriviaHost) -> None:
        self.host = host

    @property
    def store(self) -> Store:
        return self.host.store

    @property
    def clock(self) -> Clock:
        return self.host.clock

    async def _active(self, interaction: discord.Interaction[Any], round_id: int) -> Round | None:
        """The round a button belongs to while it is open; None (and the message brought up
        to date) when it has ended."""
        found = await self.store.trivia_round(round_id)
        if found is None:
            raise UserError("This trivia round no longer exists.")
        if found.status != "active":
            await self._show_over(interaction, found)
            return None
        return found

    async def answer(
        self, interaction: discord.Interaction[Any], round_id: int, choice: int
    ) -> None:
        """A member's click: one answer each, feedback only to them."""
        found = await self._active(interaction, round_id)
        if found is None:
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
        found = await self._active(interaction, round_id)
        if found is None:
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

    # --- leaderboard pages ------------------------------------------------------

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

    async def board_page(
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

    async def turn_page(
        self, interaction: discord.Interaction[Any], asker: int, board: str, page: int
    ) -> None:
        """A page button: only the member who asked for the leaderboard may turn it."""
        if interaction.user.id != asker:
            raise UserError(
                "Only the member who asked can turn these pages: /trivia leaderboard gives you "
                "your own."
            )
        embed, view = await self.board_page(interaction, asker, board, page)
        await interaction.response.edit_message(embed=embed, view=view)
