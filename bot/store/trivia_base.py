"""The trivia lane: members click answers concurrently, so trivia statements run on their
own connection ("trivia" lane), one at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.store.base import StoreBase

TRIVIA = "trivia"
_ROUND_SELECT = (
    "SELECT id, guild_id, channel_id, message_id, question, choices, correct, started_at, "
    "ends_at, status, started_by, game_id, game_round FROM trivia_rounds"
)


class TriviaBase(StoreBase):
    async def _trivia_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return await self._all(TRIVIA, sql, params)

    async def _trivia_write(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """One statement (atomic by itself); returns the number of rows it changed."""
        return (await self._run(TRIVIA, sql, params)).rowcount
