"""Per-server settings of the quote commands (the quote cards' theme)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.base import StoreBase

QUOTE_SETTINGS = "quote_settings"  # the lane: small writes beside any reload


class QuoteSettingsStore(StoreBase):
    """`quote_settings` rows."""

    async def card_theme(self, guild_id: int) -> str | None:
        """The server's chosen card theme, or None when it never chose one."""
        theme = await self._scalar(
            QUOTE_SETTINGS,
            "SELECT card_theme FROM quote_settings WHERE guild_id = :guild_id",
            {"guild_id": guild_id},
        )
        return None if theme is None else str(theme)

    async def set_card_theme(self, guild_id: int, theme: str, *, by: int | None = None) -> None:
        await self._run(
            QUOTE_SETTINGS,
            "INSERT INTO quote_settings(guild_id, card_theme, updated_at, updated_by) "
            "VALUES (:guild_id, :theme, :at, :by) "
            "ON CONFLICT (guild_id) DO UPDATE SET card_theme = excluded.card_theme, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            {
                "guild_id": guild_id,
                "theme": theme,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "by": by,
            },
        )
