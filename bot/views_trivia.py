"""Trivia's persistent buttons: answers, the hint, and leaderboard pages.

All their state is in the custom_id, so they keep working after a restart:
`qb:tv:<round>:<choice>` (an answer), `qb:th:<round>` (the hint),
`qb:tl:<asker>:<board>:<page>` (a leaderboard page; board is a season number or `a` for
all-time). The work is done by the Trivia cog's `TriviaActions` (`bot.trivia_buttons`).
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.errors import UserError
from bot.textutil import truncate
from bot.trivia import Round
from bot.views import GuardedItem

ALL_TIME_KEY = "a"


@runtime_checkable
class TriviaActions(Protocol):
    async def answer(
        self, interaction: discord.Interaction[Any], round_id: int, choice: int
    ) -> None: ...

    async def hint(self, interaction: discord.Interaction[Any], round_id: int) -> None: ...

    async def turn_page(
        self, interaction: discord.Interaction[Any], asker: int, board: str, page: int
    ) -> None: ...


def _actions(interaction: discord.Interaction[Any]) -> TriviaActions:
    actions = getattr(interaction.client.get_cog("Trivia"), "buttons", None)
    if not isinstance(actions, TriviaActions):
        raise UserError("Trivia is not available right now.")
    return actions


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
        await _actions(interaction).answer(interaction, self.round_id, self.choice)


class TriviaHintButton(GuardedItem, template=r"qb:th:(?P<round>\d{1,19})"):
    """A round's hint: any member may ask once; it costs them part of their points."""

    def __init__(self, round_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Hint",
                emoji="💡",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qb:th:{round_id}",
                disabled=disabled,
            )
        )
        self.round_id = round_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> TriviaHintButton:
        return cls(int(match["round"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _actions(interaction).hint(interaction, self.round_id)


class TriviaPageButton(
    GuardedItem,
    template=r"qb:tl:(?P<asker>\d{1,20}):(?P<board>a|\d{1,6}):(?P<page>\d{1,6}):(?P<dir>[pn])",
):
    """Previous/next page of a leaderboard; only the member who asked may turn it."""

    def __init__(
        self, asker: int, board: str, page: int, *, forward: bool, disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label="Next ▶" if forward else "◀ Previous",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qb:tl:{asker}:{board}:{page}:{'n' if forward else 'p'}",
                disabled=disabled,
            )
        )
        self.asker, self.board, self.page = asker, board, page

    @classmethod
    def from_match(cls, match: re.Match[str]) -> TriviaPageButton:
        return cls(
            int(match["asker"]), match["board"], int(match["page"]), forward=match["dir"] == "n"
        )

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _actions(interaction).turn_page(interaction, self.asker, self.board, self.page)


PERSISTENT = (TriviaAnswerButton, TriviaHintButton, TriviaPageButton)


def round_view(round_: Round, *, over: bool = False) -> discord.ui.View:
    """The answer buttons (one row of up to 5) and, with 3 choices or more, the hint on a
    second row; once the round is over, all disabled with the right answer in green."""
    view = discord.ui.View(timeout=None)
    for n, label in enumerate(round_.choices):
        style = discord.ButtonStyle.primary
        if over:
            style = (
                discord.ButtonStyle.success
                if n == round_.correct
                else discord.ButtonStyle.secondary
            )
        item = TriviaAnswerButton(round_.id, n, label, style=style, disabled=over)
        item.item.row = 0
        view.add_item(item)
    if hint_helps(round_):
        hint = TriviaHintButton(round_.id, disabled=over)
        hint.item.row = 1
        view.add_item(hint)
    return view


def hint_helps(round_: Round) -> bool:
    """A hint leaves two choices: with two or fewer it would not narrow anything."""
    return len(round_.choices) > 2


def board_view(asker: int, board: str, page: int, pages: int) -> discord.ui.View | None:
    """Previous/next buttons for a leaderboard with more than one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        TriviaPageButton(asker, board, max(0, page - 1), forward=False, disabled=page <= 0)
    )
    view.add_item(
        TriviaPageButton(asker, board, page + 1, forward=True, disabled=page + 1 >= pages)
    )
    return view
