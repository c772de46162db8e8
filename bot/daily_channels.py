"""Which daily quote a /daily command means: the `channel` option (autocomplete's id, a
mention, or a name), else the server's only one, else the current channel's; and channels
named for messages ("#name", or "deleted channel <id>")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.errors import UserError
from bot.render import safe
from bot.store import DailyRow

CHANNEL_REF = re.compile(r"^\s*(?:<#)?(\d{15,21})>?\s*$")  # a channel id or mention


async def schedule_for(
    interaction: discord.Interaction[Any], typed: str | None, rows: list[DailyRow]
) -> DailyRow | None:
    """The schedule a command means: the `channel` typed, else the only one, else the
    current channel's. None when the server has none (and no channel was named); a
    clear error naming the channels when it is ambiguous or the channel has none."""
    bot = interaction.client
    if typed:
        wanted = channel_id(interaction, typed)
        found = next((r for r in rows if r.channel_id == wanted), None)
        if found is None:
            where = channel_name(bot, wanted) if wanted else f"“{safe(typed, 100)}”"
            have = (
                f" It has some in {channel_list(bot, [r.channel_id for r in rows])}."
                if rows
                else " `/daily set` starts one."
            )
            raise UserError(f"There is no daily quote in {where}.{have}")
        return found
    if len(rows) == 1:
        return rows[0]
    here = next((r for r in rows if r.channel_id == interaction.channel_id), None)
    if here is not None or not rows:
        return here
    raise UserError(
        f"This server has daily quotes in {channel_list(bot, [r.channel_id for r in rows])}: "
        "say which with the `channel` option."
    )


def channel_id(interaction: discord.Interaction[Any], typed: str) -> int | None:
    """A channel id from autocomplete's value, a mention, or a channel's name."""
    ref = CHANNEL_REF.match(typed)
    if ref:
        return int(ref.group(1))
    name = typed.strip().lstrip("#").casefold()
    guild = interaction.guild
    if guild is not None:
        for channel in guild.channels:
            if channel.name.casefold() == name:
                return channel.id
    return None


def channel_name(bot: discord.Client, channel_id: int) -> str:
    """ "#name" from the cache (error messages make mentions inert: names read better),
    or "deleted channel <id>"."""
    name = getattr(bot.get_channel(channel_id), "name", None)
    return f"#{name}" if name else f"deleted channel {channel_id}"


def channel_list(bot: discord.Client, channels: Sequence[int]) -> str:
    return names_list([channel_name(bot, c) for c in channels])


def names_list(names: Sequence[str]) -> str:
    """ "#a, #b and #c" """
    marks = list(names) or ["no channel"]
    return marks[0] if len(marks) == 1 else ", ".join(marks[:-1]) + " and " + marks[-1]
