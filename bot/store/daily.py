"""The daily post's schedules, claims and bags.

A schedule is a (guild, channel): a server has up to `MAX_SCHEDULES` of them, and each
has its own posts and no-repeat bag (every table is keyed by guild and channel).

The scheduler makes many small transactions, concurrently with commands: they go through
the "daily" lane. A post is claimed by inserting its (guild, channel, day) row before it
is sent: the primary key makes that insert succeed once, whichever process or database
runs it.
"""

from __future__ import annotations

from bot.store.daily_base import (
    _KEY,
    _POST_COLUMNS,
    _SCHEDULE,
    DAILY,
    MAX_SCHEDULES,
    TooManySchedules,
    _key,
)
from bot.store.daily_posts import DailyPostStore
from bot.store.dialect import serialise
from bot.store.rows import DailyPostRow, DailyRow, _daily_post_row, _daily_row

__all__ = ["MAX_SCHEDULES", "DailyStore", "TooManySchedules"]


class DailyStore(DailyPostStore):
    """The daily scheduler's rows: the schedules here, their posts in `DailyPostStore`."""

    async def daily_get(self, guild_id: int, channel_id: int) -> DailyRow | None:
        rows = await self._daily_rows(f"{_SCHEDULE} WHERE {_KEY}", _key(guild_id, channel_id))
        return _daily_row(rows[0]) if rows else None

    async def daily_schedules(self, guild_id: int) -> list[DailyRow]:
        """A server's schedules (on, paused and off), by channel."""
        rows = await self._daily_rows(
            f"{_SCHEDULE} WHERE guild_id = :guild_id ORDER BY channel_id", {"guild_id": guild_id}
        )
        return [_daily_row(r) for r in rows]

    async def daily_due(self, now: int, limit: int) -> list[tuple[DailyRow, DailyPostRow | None]]:
        """Rows due at `now` (epoch seconds), earliest first (the next_due index), each with
        the post record of its due day if there is one."""
        columns = ", ".join(f"p.{c}" for c in _POST_COLUMNS)
        rows = await self._daily_rows(
            f"SELECT s.*, {columns} FROM ({_SCHEDULE} WHERE next_due IS NOT NULL "
            "AND next_due <= :now ORDER BY next_due, guild_id, channel_id LIMIT :limit) s "
            "LEFT JOIN daily_posts p ON p.guild_id = s.guild_id "
            "AND p.channel_id = s.channel_id AND p.day = s.due_day "
            "ORDER BY s.next_due, s.guild_id, s.channel_id",
            {"now": now, "limit": limit},
        )
        width = len(_POST_COLUMNS)
        return [
            (_daily_row(r[:-width]), None if r[-width] is None else _daily_post_row(r[-width:]))
            for r in rows
        ]

    async def daily_next_due(self) -> int | None:
        rows = await self._daily_rows(
            "SELECT min(next_due) FROM daily_schedules WHERE next_due IS NOT NULL"
        )
        return None if not rows or rows[0][0] is None else int(rows[0][0])

    async def daily_put(
        self,
        guild_id: int,
        channel_id: int,
        local_time: str,
        timezone: str,
        topic: str | None,
        next_due: int,
        due_day: str,
        now: int,
        by: int | None,
        *,
        mention_role_id: int | None = None,
        thread: bool = False,
        limit: int | None = MAX_SCHEDULES,
    ) -> None:
        """Create or replace the schedule of (guild, channel) (every option), enabled and
        unpaused. A post still being retried there is settled as unconfirmed: the new
        schedule starts clean and never re-posts that day. Raises TooManySchedules, writing
        nothing, when it would be a new one past `limit` schedules on in the server."""
        key = _key(guild_id, channel_id)
        async with self._tx(DAILY) as tx:
            await serialise(tx, guild_id)  # PostgreSQL: two /daily set cannot both be the 5th
            if limit is not None:
                others = await tx.execute(
                    "SELECT channel_id FROM daily_schedules WHERE guild_id = :guild_id "
                    "AND channel_id <> :channel_id AND enabled = 1 ORDER BY channel_id",
                    key,
                )
                if len(others.rows) >= limit:
                    raise TooManySchedules([int(r[0]) for r in others.rows])
            await tx.execute(
                "UPDATE daily_posts SET status = 'unconfirmed', "
                "note = 'the schedule changed while this post was being retried' "
                f"WHERE {_KEY} AND status = 'sending'",
                key,
            )
            await tx.execute(
                "INSERT INTO daily_schedules(guild_id, channel_id, local_time, timezone, "
                "topic, enabled, next_due, due_day, paused_reason, failures, last_error, "
                "updated_at, updated_by, mention_role_id, thread) VALUES (:guild_id, "
                ":channel_id, :local_time, :timezone, :topic, 1, :next_due, :due_day, NULL, "
                "0, NULL, :now, :by, :mention_role_id, :thread) "
                "ON CONFLICT(guild_id, channel_id) DO UPDATE SET "
                "local_time = excluded.local_time, timezone = excluded.timezone, "
                "topic = excluded.topic, enabled = 1, next_due = excluded.next_due, "
                "due_day = excluded.due_day, paused_reason = NULL, failures = 0, "
                "last_error = NULL, updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by, "
                "mention_role_id = excluded.mention_role_id, thread = excluded.thread",
                {
                    **key,
                    "local_time": local_time,
                    "timezone": timezone,
                    "topic": topic,
                    "next_due": next_due,
                    "due_day": due_day,
                    "now": now,
                    "by": by,
                    "mention_role_id": mention_role_id,
                    "thread": int(thread),
                },
            )

    async def daily_disable(self, guild_id: int, channel_id: int, now: int, by: int | None) -> bool:
        """Turn a schedule off (the bag and the history are kept). False if there was none."""
        key = _key(guild_id, channel_id)
        return await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'unconfirmed', "
                    "note = 'the schedule was turned off while this post was being retried' "
                    f"WHERE {_KEY} AND status = 'sending'",
                    key,
                ),
                (
                    "UPDATE daily_schedules SET enabled = 0, next_due = NULL, failures = 0, "
                    f"updated_at = :now, updated_by = :by WHERE {_KEY}",
                    {**key, "now": now, "by": by},
                ),
            ],
            (f"SELECT 1 FROM daily_schedules WHERE {_KEY} AND enabled = 1", key),
        )
