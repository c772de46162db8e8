"""The daily post's schedules, claims and bag.

The scheduler makes many small transactions, concurrently with commands: they go through
the "daily" lane. A post is claimed by inserting its (guild, day) row before it is sent:
the primary key makes that insert succeed once, whichever process or database runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.store.base import StoreBase
from bot.store.dialect import for_update
from bot.store.rows import DailyPostRow, DailyRow, _daily_post_row, _daily_row

DAILY = "daily"
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
_UNBAG_CLAIM = (  # a claim's quote goes back in the bag
    "DELETE FROM daily_bag WHERE guild_id = :guild_id AND quote_id = (SELECT quote_id "
    "FROM daily_posts WHERE guild_id = :guild_id AND day = :day AND status = 'sending')"
)
_DROP_CLAIM = (
    "DELETE FROM daily_posts WHERE guild_id = :guild_id AND day = :day AND status = 'sending'"
)
_MOVE_ON = (
    "UPDATE daily_schedules SET next_due = :next_due, due_day = :next_day, failures = 0, "
    "last_error = NULL WHERE guild_id = :guild_id AND due_day = :day AND enabled = 1 "
    "AND paused_reason IS NULL"
)

Step = tuple[str, Mapping[str, Any]]


class _Taken(Exception):
    """A step that had to change a row changed none: the transaction is rolled back."""


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

    async def daily_get(self, guild_id: int) -> DailyRow | None:
        rows = await self._daily_rows(
            f"{_SCHEDULE} WHERE guild_id = :guild_id", {"guild_id": guild_id}
        )
        return _daily_row(rows[0]) if rows else None

    async def daily_due(self, now: int, limit: int) -> list[tuple[DailyRow, DailyPostRow | None]]:
        """Rows due at `now` (epoch seconds), earliest first (the next_due index), each with
        the post record of its due day if there is one."""
        columns = ", ".join(f"p.{c}" for c in _POST_COLUMNS)
        rows = await self._daily_rows(
            f"SELECT s.*, {columns} FROM ({_SCHEDULE} WHERE next_due IS NOT NULL "
            "AND next_due <= :now ORDER BY next_due, guild_id LIMIT :limit) s "
            "LEFT JOIN daily_posts p ON p.guild_id = s.guild_id AND p.day = s.due_day "
            "ORDER BY s.next_due, s.guild_id",
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
    ) -> None:
        """Create or replace a schedule (every option), enabled and unpaused. A post still
        being retried is settled as unconfirmed: the new schedule starts clean and never
        re-posts that day."""
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'unconfirmed', "
                    "note = 'the schedule changed while this post was being retried' "
                    "WHERE guild_id = :guild_id AND status = 'sending'",
                    {"guild_id": guild_id},
                ),
                (
                    "INSERT INTO daily_schedules(guild_id, channel_id, local_time, timezone, "
                    "topic, enabled, next_due, due_day, paused_reason, failures, last_error, "
                    "updated_at, updated_by, mention_role_id, thread) VALUES (:guild_id, "
                    ":channel_id, :local_time, :timezone, :topic, 1, :next_due, :due_day, NULL, "
                    "0, NULL, :now, :by, :mention_role_id, :thread) "
                    "ON CONFLICT(guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
                    "local_time = excluded.local_time, timezone = excluded.timezone, "
                    "topic = excluded.topic, enabled = 1, next_due = excluded.next_due, "
                    "due_day = excluded.due_day, paused_reason = NULL, failures = 0, "
                    "last_error = NULL, updated_at = excluded.updated_at, "
                    "updated_by = excluded.updated_by, "
                    "mention_role_id = excluded.mention_role_id, thread = excluded.thread",
                    {
                        "guild_id": guild_id,
                        "channel_id": channel_id,
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
                ),
            ],
            None,
        )

    async def daily_disable(self, guild_id: int, now: int, by: int | None) -> bool:
        """Turn a schedule off (the bag and the history are kept). False if there was none."""
        return await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'unconfirmed', "
                    "note = 'the schedule was turned off while this post was being retried' "
                    "WHERE guild_id = :guild_id AND status = 'sending'",
                    {"guild_id": guild_id},
                ),
                (
                    "UPDATE daily_schedules SET enabled = 0, next_due = NULL, failures = 0, "
                    "updated_at = :now, updated_by = :by WHERE guild_id = :guild_id",
                    {"now": now, "by": by, "guild_id": guild_id},
                ),
            ],
            (
                "SELECT 1 FROM daily_schedules WHERE guild_id = :guild_id AND enabled = 1",
                {"guild_id": guild_id},
            ),
        )

    async def daily_post(self, guild_id: int, day: str) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{_POST} WHERE guild_id = :guild_id AND day = :day", {"guild_id": guild_id, "day": day}
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_post(self, guild_id: int) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{_POST} WHERE guild_id = :guild_id AND status = 'posted' ORDER BY day DESC LIMIT 1",
            {"guild_id": guild_id},
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_problem(self, guild_id: int) -> DailyPostRow | None:
        """The latest day that was missed or could not be confirmed."""
        rows = await self._daily_rows(
            f"{_POST} WHERE guild_id = :guild_id AND status IN ('missed', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1",
            {"guild_id": guild_id},
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_latest_day(self, guild_id: int) -> str | None:
        """The latest day that has (or may have) a post: it must not get another."""
        rows = await self._daily_rows(
            "SELECT max(day) FROM daily_posts WHERE guild_id = :guild_id "
            "AND status IN ('sending', 'posted', 'unconfirmed')",
            {"guild_id": guild_id},
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    async def daily_history(self, guild_id: int, limit: int = 100) -> list[DailyPostRow]:
        rows = await self._daily_rows(
            f"{_POST} WHERE guild_id = :guild_id ORDER BY day DESC LIMIT :limit",
            {"guild_id": guild_id, "limit": limit},
        )
        return [_daily_post_row(r) for r in rows]

    async def daily_used(self, guild_id: int) -> set[str]:
        return (await self.daily_bag(guild_id))[0]

    async def daily_bag(self, guild_id: int) -> tuple[set[str], str | None]:
        """The quotes posted in this cycle, and the last quote posted (or being posted)."""
        rows = await self._daily_rows(
            "SELECT quote_id, 0 FROM daily_bag WHERE guild_id = :guild_id UNION ALL "
            "SELECT * FROM (SELECT quote_id, 1 FROM daily_posts WHERE guild_id = :guild_id "
            "AND quote_id IS NOT NULL AND status IN ('sending', 'posted', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1) last_post",
            {"guild_id": guild_id},
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
        """Claim (guild, day) before sending: False when it is taken or no longer due.

        The claim is the insert of the (guild, day) row: its primary key lets one insert
        succeed, in this process or any other, and the rest of the claim is written only
        with it.
        """
        steps: list[Step] = [
            (
                "INSERT INTO daily_posts(guild_id, day, status, quote_id, nonce, channel_id, "
                "claimed_at, attempts) VALUES (:guild_id, :day, 'sending', :quote_id, :nonce, "
                ":channel_id, :now, 1) ON CONFLICT(guild_id, day) DO NOTHING",
                {
                    "guild_id": guild_id,
                    "day": day,
                    "quote_id": quote_id,
                    "nonce": nonce,
                    "channel_id": channel_id,
                    "now": now,
                },
            ),
            *(
                (
                    "DELETE FROM daily_bag WHERE guild_id = :guild_id AND quote_id = :quote_id",
                    {"guild_id": guild_id, "quote_id": q},
                )
                for q in reset
            ),
            (
                "INSERT INTO daily_bag(guild_id, quote_id, used_at) VALUES (:guild_id, "
                ":quote_id, :now) ON CONFLICT(guild_id, quote_id) DO UPDATE SET "
                "used_at = excluded.used_at",
                {"guild_id": guild_id, "quote_id": quote_id, "now": now},
            ),
            (
                "UPDATE daily_schedules SET next_due = :lease_until WHERE guild_id = :guild_id",
                {"lease_until": lease_until, "guild_id": guild_id},
            ),
        ]
        guard: Step = (
            "SELECT 1 FROM daily_schedules s WHERE s.guild_id = :guild_id AND s.enabled = 1 "
            "AND s.due_day = :day AND s.next_due <= :now AND NOT EXISTS "
            "(SELECT 1 FROM daily_posts p WHERE p.guild_id = s.guild_id AND p.day = :day)",
            {"guild_id": guild_id, "day": day, "now": now},
        )
        return await self._daily_atomic(steps, guard, must_insert=0)

    async def daily_attempt(
        self, guild_id: int, day: str, now: int, lease_until: int
    ) -> int | None:
        """Take the lease for another attempt at a claimed day. Returns the attempt number, or
        None when the row is not due (another process holds the lease)."""
        key = {"guild_id": guild_id, "day": day}
        taken = await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET attempts = attempts + 1 "
                    "WHERE guild_id = :guild_id AND day = :day",
                    key,
                ),
                (
                    "UPDATE daily_schedules SET next_due = :lease_until WHERE guild_id = :guild_id",
                    {"lease_until": lease_until, "guild_id": guild_id},
                ),
            ],
            (
                "SELECT 1 FROM daily_schedules WHERE guild_id = :guild_id AND due_day = :day "
                "AND enabled = 1 AND paused_reason IS NULL AND next_due <= :now",
                {**key, "now": now},
            ),
        )
        if not taken:
            return None
        rows = await self._daily_rows(
            "SELECT attempts FROM daily_posts WHERE guild_id = :guild_id AND day = :day", key
        )
        return int(rows[0][0]) if rows else None

    async def daily_record(
        self,
        guild_id: int,
        day: str,
        message_id: int,
        channel_id: int,
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
        key = {"guild_id": guild_id, "day": day}
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'posted', message_id = :message_id, "
                    "channel_id = :channel_id, posted_at = :posted_at, thread_id = :thread_id, "
                    "note = :note WHERE guild_id = :guild_id AND day = :day",
                    {
                        **key,
                        "message_id": message_id,
                        "channel_id": channel_id,
                        "posted_at": posted_at,
                        "thread_id": thread_id,
                        "note": note,
                    },
                ),
                (_MOVE_ON, {**key, "next_due": next_due, "next_day": next_day}),
                (
                    "DELETE FROM daily_posts WHERE guild_id = :guild_id AND day < :keep_from",
                    {"guild_id": guild_id, "keep_from": keep_from},
                ),
            ],
            None,
        )

    async def daily_settle(
        self,
        guild_id: int,
        day: str,
        status: str,
        note: str,
        now: int,
        next_due: int,
        next_day: str,
    ) -> None:
        """Close a day without a confirmed post ('missed' or 'unconfirmed') and move on."""
        key = {"guild_id": guild_id, "day": day}
        await self._daily_atomic(
            [
                (
                    "INSERT INTO daily_posts(guild_id, day, status, claimed_at, attempts, note) "
                    "VALUES (:guild_id, :day, :status, :now, 0, :note) "
                    "ON CONFLICT(guild_id, day) DO UPDATE SET "
                    "status = excluded.status, note = excluded.note",
                    {**key, "status": status, "now": now, "note": note},
                ),
                (_MOVE_ON, {**key, "next_due": next_due, "next_day": next_day}),
            ],
            None,
        )

    async def daily_advance(self, guild_id: int, day: str, next_due: int, next_day: str) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = :next_due, due_day = :next_day, "
                    "failures = 0 WHERE guild_id = :guild_id AND due_day = :day AND enabled = 1",
                    {"guild_id": guild_id, "day": day, "next_due": next_due, "next_day": next_day},
                )
            ],
            None,
        )

    async def daily_pause(self, guild_id: int, day: str, reason: str, now: int) -> None:
        """Stop posting with `reason`. A claim for `day` is released (nothing went out), and
        its quote goes back in the bag."""
        key = {"guild_id": guild_id, "day": day}
        await self._daily_atomic(
            [
                (_UNBAG_CLAIM, key),
                (_DROP_CLAIM, key),
                (
                    "UPDATE daily_schedules SET next_due = NULL, paused_reason = :reason, "
                    "last_error = :reason, updated_at = :now "
                    "WHERE guild_id = :guild_id AND due_day = :day",
                    {**key, "reason": reason, "now": now},
                ),
            ],
            None,
        )

    async def daily_release(self, guild_id: int, day: str) -> None:
        """Forget a claim that is known not to have been sent; its quote goes back in the bag."""
        key = {"guild_id": guild_id, "day": day}
        await self._daily_atomic([(_UNBAG_CLAIM, key), (_DROP_CLAIM, key)], None)

    async def daily_retry(
        self, guild_id: int, day: str, next_due: int, failures: int, error: str
    ) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = :next_due, failures = :failures, "
                    "last_error = :error WHERE guild_id = :guild_id AND due_day = :day "
                    "AND enabled = 1 AND paused_reason IS NULL",
                    {
                        "guild_id": guild_id,
                        "day": day,
                        "next_due": next_due,
                        "failures": failures,
                        "error": error,
                    },
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
            "SELECT s.guild_id FROM daily_schedules s JOIN daily_posts p "
            "ON p.guild_id = s.guild_id AND p.day = s.due_day "
            "WHERE s.next_due > :now AND p.status = 'sending'",
            {"now": now},
        )
        expired = 0
        for (guild_id,) in rows:
            if owns is not None and not owns(guild_id):
                continue
            result = await self._run(
                DAILY,
                "UPDATE daily_schedules SET next_due = :now "
                "WHERE guild_id = :guild_id AND next_due > :now",
                {"now": now, "guild_id": guild_id},
            )
            expired += int(result.rowcount)
        return expired
