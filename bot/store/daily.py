"""The daily post's schedules, claims and bags.

A schedule is a (guild, channel): a server has up to `MAX_SCHEDULES` of them, and each
has its own posts and no-repeat bag (every table is keyed by guild and channel).

The scheduler makes many small transactions, concurrently with commands: they go through
the "daily" lane. A post is claimed by inserting its (guild, channel, day) row before it
is sent: the primary key makes that insert succeed once, whichever process or database
runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.store.base import StoreBase
from bot.store.dialect import for_update, serialise
from bot.store.rows import DailyPostRow, DailyRow, _daily_post_row, _daily_row

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


class DailyStore(StoreBase):
    """The daily scheduler's rows."""

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

    async def daily_post(self, guild_id: int, channel_id: int, day: str) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{_POST} WHERE {_KEY} AND day = :day", _key(guild_id, channel_id, day=day)
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_post(self, guild_id: int, channel_id: int) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{_POST} WHERE {_KEY} AND status = 'posted' ORDER BY day DESC LIMIT 1",
            _key(guild_id, channel_id),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_problem(self, guild_id: int, channel_id: int) -> DailyPostRow | None:
        """The latest day that was missed or could not be confirmed."""
        rows = await self._daily_rows(
            f"{_POST} WHERE {_KEY} AND status IN ('missed', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1",
            _key(guild_id, channel_id),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_latest_day(self, guild_id: int, channel_id: int) -> str | None:
        """The latest day that has (or may have) a post: it must not get another."""
        rows = await self._daily_rows(
            f"SELECT max(day) FROM daily_posts WHERE {_KEY} "
            "AND status IN ('sending', 'posted', 'unconfirmed')",
            _key(guild_id, channel_id),
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    async def daily_history(
        self, guild_id: int, channel_id: int, limit: int = 100
    ) -> list[DailyPostRow]:
        rows = await self._daily_rows(
            f"{_POST} WHERE {_KEY} ORDER BY day DESC LIMIT :limit",
            _key(guild_id, channel_id, limit=limit),
        )
        return [_daily_post_row(r) for r in rows]

    async def daily_used(self, guild_id: int, channel_id: int) -> set[str]:
        return (await self.daily_bag(guild_id, channel_id))[0]

    async def daily_bag(self, guild_id: int, channel_id: int) -> tuple[set[str], str | None]:
        """The quotes posted in this cycle, and the last quote posted (or being posted)."""
        rows = await self._daily_rows(
            f"SELECT quote_id, 0 FROM daily_bag WHERE {_KEY} UNION ALL "
            f"SELECT * FROM (SELECT quote_id, 1 FROM daily_posts WHERE {_KEY} "
            "AND quote_id IS NOT NULL AND status IN ('sending', 'posted', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1) last_post",
            _key(guild_id, channel_id),
        )
        used = {str(r[0]) for r in rows if r[1] == 0}
        last = next((str(r[0]) for r in rows if r[1] == 1), None)
        return used, last

    async def daily_claim(
        self,
        guild_id: int,
        day: str,
        quote_id: str,
        nonce: str,
        channel_id: int,
        now: int,
        reset: Sequence[str],
        lease_until: int,
    ) -> bool:
        """Claim (guild, channel, day) before sending: False when it is taken or no longer
        due.

        The claim is the insert of the (guild, channel, day) row: its primary key lets one
        insert succeed, in this process or any other, and the rest of the claim is written
        only with it.
        """
        key = _key(guild_id, channel_id)
        steps: list[Step] = [
            (
                "INSERT INTO daily_posts(guild_id, channel_id, day, status, quote_id, nonce, "
                "claimed_at, attempts) VALUES (:guild_id, :channel_id, :day, 'sending', "
                ":quote_id, :nonce, :now, 1) ON CONFLICT(guild_id, channel_id, day) DO NOTHING",
                {**key, "day": day, "quote_id": quote_id, "nonce": nonce, "now": now},
            ),
            *(
                (
                    f"DELETE FROM daily_bag WHERE {_KEY} AND quote_id = :quote_id",
                    {**key, "quote_id": q},
                )
                for q in reset
            ),
            (
                "INSERT INTO daily_bag(guild_id, channel_id, quote_id, used_at) VALUES "
                "(:guild_id, :channel_id, :quote_id, :now) "
                "ON CONFLICT(guild_id, channel_id, quote_id) DO UPDATE SET "
                "used_at = excluded.used_at",
                {**key, "quote_id": quote_id, "now": now},
            ),
            (
                f"UPDATE daily_schedules SET next_due = :lease_until WHERE {_KEY}",
                {**key, "lease_until": lease_until},
            ),
        ]
        guard: Step = (
            "SELECT 1 FROM daily_schedules s WHERE s.guild_id = :guild_id "
            "AND s.channel_id = :channel_id AND s.enabled = 1 "
            "AND s.due_day = :day AND s.next_due <= :now AND NOT EXISTS "
            "(SELECT 1 FROM daily_posts p WHERE p.guild_id = s.guild_id "
            "AND p.channel_id = s.channel_id AND p.day = :day)",
            {**key, "day": day, "now": now},
        )
        return await self._daily_atomic(steps, guard, must_insert=0)

    async def daily_attempt(
        self, guild_id: int, channel_id: int, day: str, now: int, lease_until: int
    ) -> int | None:
        """Take the lease for another attempt at a claimed day. Returns the attempt number, or
        None when the row is not due (another process holds the lease)."""
        key = _key(guild_id, channel_id, day=day)
        taken = await self._daily_atomic(
            [
                (
                    f"UPDATE daily_posts SET attempts = attempts + 1 WHERE {_KEY} AND day = :day",
                    key,
                ),
                (
                    f"UPDATE daily_schedules SET next_due = :lease_until WHERE {_KEY}",
                    {**key, "lease_until": lease_until},
                ),
            ],
            (
                f"SELECT 1 FROM daily_schedules WHERE {_KEY} AND due_day = :day "
                "AND enabled = 1 AND paused_reason IS NULL AND next_due <= :now",
                {**key, "now": now},
            ),
        )
        if not taken:
            return None
        rows = await self._daily_rows(
            f"SELECT attempts FROM daily_posts WHERE {_KEY} AND day = :day", key
        )
        return int(rows[0][0]) if rows else None

    async def daily_record(
        self,
        guild_id: int,
        channel_id: int,
        day: str,
        message_id: int,
        posted_at: int,
        next_due: int,
        next_day: str,
        keep_from: str,
        *,
        thread_id: int | None = None,
        note: str | None = None,
    ) -> None:
        """The post went out: keep its message id (and thread, and `note`: what of the
        mention or thread could not be made) and move the schedule to the next day."""
        key = _key(guild_id, channel_id, day=day)
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'posted', message_id = :message_id, "
                    "posted_at = :posted_at, thread_id = :thread_id, note = :note "
                    f"WHERE {_KEY} AND day = :day",
                    {
                        **key,
                        "message_id": message_id,
                        "posted_at": posted_at,
                        "thread_id": thread_id,
                        "note": note,
                    },
                ),
                (_MOVE_ON, {**key, "next_due": next_due, "next_day": next_day}),
                (
                    f"DELETE FROM daily_posts WHERE {_KEY} AND day < :keep_from",
                    _key(guild_id, channel_id, keep_from=keep_from),
                ),
            ],
            None,
        )

    async def daily_settle(
        self,
        guild_id: int,
        channel_id: int,
        day: str,
        status: str,
        note: str,
        now: int,
        next_due: int,
        next_day: str,
    ) -> None:
        """Close a day without a confirmed post ('missed' or 'unconfirmed') and move on."""
        key = _key(guild_id, channel_id, day=day)
        await self._daily_atomic(
            [
                (
                    "INSERT INTO daily_posts(guild_id, channel_id, day, status, claimed_at, "
                    "attempts, note) VALUES (:guild_id, :channel_id, :day, :status, :now, 0, "
                    ":note) ON CONFLICT(guild_id, channel_id, day) DO UPDATE SET "
                    "status = excluded.status, note = excluded.note",
                    {**key, "status": status, "now": now, "note": note},
                ),
                (_MOVE_ON, {**key, "next_due": next_due, "next_day": next_day}),
            ],
            None,
        )

    async def daily_advance(
        self, guild_id: int, channel_id: int, day: str, next_due: int, next_day: str
    ) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = :next_due, due_day = :next_day, "
                    f"failures = 0 WHERE {_KEY} AND due_day = :day AND enabled = 1",
                    _key(guild_id, channel_id, day=day, next_due=next_due, next_day=next_day),
                )
            ],
            None,
        )

    async def daily_pause(
        self, guild_id: int, channel_id: int, day: str, reason: str, now: int
    ) -> None:
        """Stop posting with `reason`. A claim for `day` is released (nothing went out), and
        its quote goes back in the bag."""
        key = _key(guild_id, channel_id, day=day)
        await self._daily_atomic(
            [
                (_UNBAG_CLAIM, key),
                (_DROP_CLAIM, key),
                (
                    "UPDATE daily_schedules SET next_due = NULL, paused_reason = :reason, "
                    f"last_error = :reason, updated_at = :now WHERE {_KEY} AND due_day = :day",
                    {**key, "reason": reason, "now": now},
                ),
            ],
            None,
        )

    async def daily_release(self, guild_id: int, channel_id: int, day: str) -> None:
        """Forget a claim that is known not to have been sent; its quote goes back in the bag."""
        key = _key(guild_id, channel_id, day=day)
        await self._daily_atomic([(_UNBAG_CLAIM, key), (_DROP_CLAIM, key)], None)

    async def daily_retry(
        self, guild_id: int, channel_id: int, day: str, next_due: int, failures: int, error: str
    ) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = :next_due, failures = :failures, "
                    f"last_error = :error WHERE {_KEY} AND due_day = :day "
                    "AND enabled = 1 AND paused_reason IS NULL",
                    _key(
                        guild_id,
                        channel_id,
                        day=day,
                        next_due=next_due,
                        failures=failures,
                        error=error,
                    ),
                )
            ],
            None,
        )

    async def daily_expire_leases(self, now: int, owns: Callable[[int], bool] | None = None) -> int:
        """At start-up, claims in flight for the guilds this process serves belong to a
        process that is gone (this one, before it stopped): make them due now. Guilds that
        `owns` says another process serves are left alone: their claim may be in flight
        there right now."""
        rows = await self._daily_rows(
            "SELECT s.guild_id, s.channel_id FROM daily_schedules s JOIN daily_posts p "
            "ON p.guild_id = s.guild_id AND p.channel_id = s.channel_id AND p.day = s.due_day "
            "WHERE s.next_due > :now AND p.status = 'sending'",
            {"now": now},
        )
        expired = 0
        for guild_id, channel_id in rows:
            if owns is not None and not owns(guild_id):
                continue
            result = await self._run(
                DAILY,
                f"UPDATE daily_schedules SET next_due = :now WHERE {_KEY} AND next_due > :now",
                _key(guild_id, channel_id, now=now),
            )
            expired += int(result.rowcount)
        return expired
