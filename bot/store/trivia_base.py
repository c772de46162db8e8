"""The trivia lane: members click answers concurrently, so trivia statements run on their
own connection ("trivia" lane), one at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.store.base import StoreBase

_ROUND_SELECT = (
    "SELECT id, guild_id, channel_id, message_id, question, choices, correct, started_at, "
    "ends_at, status, started_by, game_id, game_round FROM trivia_rounds"
)
Params = Sequence[Any] | Mapping[str, Any]  # new statements use named binds (:name)


class TriviaBase(StoreBase):
    async def _trivia_rows(self, sql: str, params: Params = ()) -> list[Any]:
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock, conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _trivia_write(self, sql: str, params: Params = ()) -> int:
        """One statement (atomic by itself); returns the number of rows it changed."""
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            cur = await conn.execute(sql, params)
            await cur.close()
        return int(cur.rowcount)
