"""Per-server settings of the quote commands (the quote cards' theme)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.base import StoreBase


class QuoteSettingsStore(StoreBase):
    """`quote_settings` rows, through their own lane (small writes beside any reload)."""

    async def card_theme(self, guild_id: int) -> str | None:
        """The server's chosen card theme, or None when it never chose one."""
        lane = self._lane("quote_settings")
        conn = await lane.connection()
        async with conn.execute(
            "SELECT card_theme FROM quote_settings WHERE guild_id = :guild_id",
            {"guild_id": guild_id},
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set_card_theme(self, guild_id: int, theme: str, *, by: int | None = None) -> None:
        lane = self._lane("quote_settings")
        async with lane.lock:
            conn = await lane.connection()
            await conn.execute(
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
