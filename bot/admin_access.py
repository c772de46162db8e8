"""Who may run an /admin command, and the audit row every admin action leaves (denials too).

Reload, import, sync and export change or hand out global data: only the bot's owners (the
application's owner or team, plus OWNER_IDS). Status and audit are also open to members with
Manage Server."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import NotAllowed
from bot.textutil import truncate

if TYPE_CHECKING:
    from bot.client import QuoteBot

log = logging.getLogger(__name__)

OWNERS_ONLY = (
    "Only the bot's owners can {what} (the application's owner or team, or a user listed "
    "in OWNER_IDS): it changes the data every server sees."
)


class AdminAccess:
    """The checks and the audit trail; `now` is the cog's clock (tests move it)."""

    def __init__(self, bot: QuoteBot, now: Callable[[], datetime]) -> None:
        self.bot = bot
        self.now = now

    async def audit(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        result: str,
        *,
        detail: str = "",
        message: str = "",
    ) -> None:
        """Write one audit row; an audit failure is logged, never hides the action's reply."""
        try:
            await self.bot.library.store.record_admin_action(
                user_id=interaction.user.id,
                user_name=str(interaction.user),
                guild_id=interaction.guild_id,
                action=action,
                detail=truncate(detail, 200),
                result=result,
                message=truncate(message, 1000),
                at=self.now(),
            )
        except Exception:
            log.exception("could not write the audit row for %s by %s", action, interaction.user.id)

    async def require_owner(
        self, interaction: discord.Interaction[Any], action: str, what: str, detail: str = ""
    ) -> None:
        if await self.bot.is_bot_owner(interaction.user):
            return
        await self.audit(interaction, action, "denied", detail=detail, message="not an owner")
        raise NotAllowed(OWNERS_ONLY.format(what=what))

    async def require_manager(self, interaction: discord.Interaction[Any], action: str) -> None:
        if interaction.permissions.manage_guild or await self.bot.is_bot_owner(interaction.user):
            return
        await self.audit(interaction, action, "denied", message="no Manage Server")
        raise NotAllowed(
            "You need the Manage Server permission (or to be one of the bot's owners) for this."
        )
