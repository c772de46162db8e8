"""Shared Discord view pieces: the base of every button that must survive a restart."""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.client import QuoteBot, report_error


class GuardedItem(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qb:never"):
    """Base for persistent buttons (state in the custom_id): errors go through the bot's one
    error reporter, and a shutdown lets the reply finish."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if isinstance(interaction.client, QuoteBot):
            interaction.client.track_interaction()
        try:
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls.from_match(match)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The button rebuilt from its custom_id's `template` groups (after a restart too)."""
        raise NotImplementedError
