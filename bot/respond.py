"""Answering interactions within Discord's 3 s, whatever the work costs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from bot.lane import SearchLane

T = TypeVar("T")
DEFER_AFTER = 1.5  # seconds of work before we acknowledge with "thinking…" first


async def compute(
    interaction: discord.Interaction[Any],
    func: Callable[..., T],
    *args: Any,
    ephemeral: bool = False,
) -> T:
    """Run `func` off the event loop (in the bot's search lane when it has one); if it is
    slow, defer so the first response is in time."""
    lane = getattr(interaction.client, "search_lane", None)
    work = lane.run(func, *args) if isinstance(lane, SearchLane) else asyncio.to_thread(func, *args)
    return await in_time(interaction, work, ephemeral=ephemeral)


async def in_time(
    interaction: discord.Interaction[Any], work: Awaitable[T], *, ephemeral: bool = False
) -> T:
    """Await `work`; if it takes over DEFER_AFTER, defer so the first response is in time."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    return await task


async def send(
    interaction: discord.Interaction[Any], *, ephemeral: bool = False, **kwargs: Any
) -> None:
    """Send the reply as the first response, or as a follow-up after a defer."""
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
