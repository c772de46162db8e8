"""What the daily store's two halves share: the SQL pieces, the lane, the atomic step runner.

See `bot.store.daily` (schedules) and `bot.store.daily_posts` (each day's post: claims,
outcomes, the no-repeat bag)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.store.base import StoreBase
from bot.store.dialect import for_update

DAILY = "daily"
MAX_SCHEDULES = 5  # daily schedules (channels) a server may have on at once
_SCHEDULE = (
    "SELECT guild_id, channel_id, local_time, timezone, topic, enabled, next_due, due_day, "
    "paused_reason, failures, last_error, updated_at, updated_by, mention_role_id, thread "
    "FROM daily_schedules"
)
_POST_COLUMNS = (
    "guild_id",
    "day",
    "status",
    "quote_id",
    "nonce",
    "channel_id",
    "message_id",
    "claimed_at",
    "posted_at",
    "attempts",
    "note",
    "thread_id",
)
_POST = f"SELECT {', '.join(_POST_COLUMNS)} FROM daily_posts"
_KEY = "guild_id = :guild_id AND channel_id = :channel_id"  # one schedule's rows
_UNBAG_CLAIM = (  # a claim's quote goes back in the bag
    f"DELETE FROM daily_bag WHERE {_KEY} AND quote_id = (SELECT quote_id "
    f"FROM daily_posts WHERE {_KEY} AND day = :day AND status = 'sending')"
)
_DROP_CLAIM = f"DELETE FROM daily_posts WHERE {_KEY} AND day = :day AND status = 'sending'"
_MOVE_ON = (
    "UPDATE daily_schedules SET next_due = :next_due, due_day = :next_day, failures = 0, "
    f"last_error = NULL WHERE {_KEY} AND due_day = :day AND enabled = 1 "
    "AND paused_reason IS NULL"
)


def _key(guild_id: int, channel_id: int, **more: Any) -> dict[str, Any]:
    return {"guild_id": guild_id, "channel_id": channel_id, **more}


Step = tuple[str, Mapping[str, Any]]


class _Taken(Exception):
    """A step that had to change a row changed none: the transaction is rolled back."""


class TooManySchedules(Exception):
    """The server already has `MAX_SCHEDULES` schedules on, none in this channel."""

    def __init__(self, channels: Sequence[int]) -> None:
        super().__init__(f"{len(channels)} daily schedules already: {list(channels)}")
        self.channels = list(channels)


class DailyBase(StoreBase):
    """The daily lane's rows and its all-or-nothing transactions."""

    async def _daily_rows(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        return await self._all(DAILY, statement, params)

    async def _daily_atomic(
        self, steps: Sequence[Step], guard: Step | None, *, must_insert: int | None = None
    ) -> bool:
        """Run `steps` in one writer's transaction. When `guard` (a SELECT; its rows are
        locked on PostgreSQL) finds no row, or step number `must_insert` changes no row,
        nothing is written and the answer is False."""
        try:
            async with self._tx(DAILY) as tx:
                if guard is not None:
                    found = await tx.execute(guard[0] + for_update(self.kind), guard[1])
                    if found.first() is None:
                        return False
                for n, (statement, params) in enumerate(steps):
                    result = await tx.execute(statement, params)
                    if n == must_insert and result.rowcount == 0:
                        raise _Taken
        except _Taken:
            return False
        return True
