"""The daily post's schedules, claims and bag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.store.base import StoreBase
from bot.store.rows import DailyPostRow, DailyRow, _daily_post_row, _daily_row


class DailyStore(StoreBase):
    """The daily scheduler's rows."""

    # --- daily ------------------------------------------------------------------
    # The scheduler makes many small transactions, concurrently with commands: they go
    # through the "daily" lane, never `self.conn`.

    _DAILY_SCHEDULE = (
        "SELECT guild_id, channel_id, local_time, timezone, topic, enabled, next_due, due_day, "
        "paused_reason, failures, last_error, updated_at, updated_by, mention_role_id, thread "
        "FROM daily_schedules"
    )
    _DAILY_POST_COLUMNS = (
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
    _DAILY_POST = f"SELECT {', '.join(_DAILY_POST_COLUMNS)} FROM daily_posts"

    async def _daily_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            async with conn.execute(sql, params) as cur:
                return list(await cur.fetchall())

    async def _daily_atomic(
        self,
        steps: Sequence[tuple[str, Sequence[Any] | Mapping[str, Any]]],
        guard: tuple[str, Sequence[Any]] | None,
    ) -> bool:
        """Run `steps` in one IMMEDIATE transaction; when `guard` (a SELECT) finds no row,
        nothing is written and the answer is False."""
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                if guard is not None:
                    async with conn.execute(*guard) as cur:
                        if await cur.fetchone() is None:
                            await conn.execute("ROLLBACK")
                            return False
                for sql, params in steps:
                    await conn.execute(sql, params)
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return True

    async def daily_get(self, guild_id: int) -> DailyRow | None:
        rows = await self._daily_rows(f"{self._DAILY_SCHEDULE} WHERE guild_id = ?", (guild_id,))
        return _daily_row(rows[0]) if rows else None

    async def daily_due(self, now: int, limit: int) -> list[tuple[DailyRow, DailyPostRow | None]]:
        """Rows due at `now` (epoch seconds), earliest first (the next_due index), each with
        the post record of its due day if there is one."""
        columns = ", ".join(f"p.{c}" for c in self._DAILY_POST_COLUMNS)
        rows = await self._daily_rows(
            f"SELECT s.*, {columns} FROM ({self._DAILY_SCHEDULE} WHERE next_due IS NOT NULL "
            "AND next_due <= ? ORDER BY next_due, guild_id LIMIT ?) s LEFT JOIN daily_posts p "
            "ON p.guild_id = s.guild_id AND p.day = s.due_day ORDER BY s.next_due, s.guild_id",
            (now, limit),
        )
        width = len(self._DAILY_POST_COLUMNS)
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
                    "WHERE guild_id = ? AND status = 'sending'",
                    (guild_id,),
                ),
                (
                    "UPDATE daily_schedules SET enabled = 0, next_due = NULL, failures = 0, "
                    "updated_at = ?, updated_by = ? WHERE guild_id = ?",
                    (now, by, guild_id),
                ),
            ],
            ("SELECT 1 FROM daily_schedules WHERE guild_id = ? AND enabled = 1", (guild_id,)),
        )

    async def daily_post(self, guild_id: int, day: str) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND day = ?", (guild_id, day)
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_post(self, guild_id: int) -> DailyPostRow | None:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND status = 'posted' "
            "ORDER BY day DESC LIMIT 1",
            (guild_id,),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_last_problem(self, guild_id: int) -> DailyPostRow | None:
        """The latest day that was missed or could not be confirmed."""
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? AND status IN ('missed', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1",
            (guild_id,),
        )
        return _daily_post_row(rows[0]) if rows else None

    async def daily_latest_day(self, guild_id: int) -> str | None:
        """The latest day that has (or may have) a post: it must not get another."""
        rows = await self._daily_rows(
            "SELECT max(day) FROM daily_posts WHERE guild_id = ? "
            "AND status IN ('sending', 'posted', 'unconfirmed')",
            (guild_id,),
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    async def daily_history(self, guild_id: int, limit: int = 100) -> list[DailyPostRow]:
        rows = await self._daily_rows(
            f"{self._DAILY_POST} WHERE guild_id = ? ORDER BY day DESC LIMIT ?", (guild_id, limit)
        )
        return [_daily_post_row(r) for r in rows]

    async def daily_used(self, guild_id: int) -> set[str]:
        return (await self.daily_bag(guild_id))[0]

    async def daily_bag(self, guild_id: int) -> tuple[set[str], str | None]:
        """The quotes posted in this cycle, and the last quote posted (or being posted)."""
        rows = await self._daily_rows(
            "SELECT quote_id, 0 FROM daily_bag WHERE guild_id = ? UNION ALL "
            "SELECT * FROM (SELECT quote_id, 1 FROM daily_posts WHERE guild_id = ? "
            "AND quote_id IS NOT NULL AND status IN ('sending', 'posted', 'unconfirmed') "
            "ORDER BY day DESC LIMIT 1)",
            (guild_id, guild_id),
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
        """Claim (guild, day) before sending: False when it is taken or no longer due."""
        steps: list[tuple[str, Sequence[Any]]] = [
            (
                "INSERT INTO daily_posts(guild_id, day, status, quote_id, nonce, channel_id, "
                "claimed_at, attempts) VALUES (?, ?, 'sending', ?, ?, ?, ?, 1)",
                (guild_id, day, quote_id, nonce, channel_id, now),
            ),
            *(
                ("DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = ?", (guild_id, q))
                for q in reset
            ),
            (
                "INSERT OR REPLACE INTO daily_bag(guild_id, quote_id, used_at) VALUES (?, ?, ?)",
                (guild_id, quote_id, now),
            ),
            (
                "UPDATE daily_schedules SET next_due = ? WHERE guild_id = ?",
                (lease_until, guild_id),
            ),
        ]
        guard = (
            "SELECT 1 FROM daily_schedules s WHERE s.guild_id = ? AND s.enabled = 1 "
            "AND s.due_day = ? AND s.next_due <= ? AND NOT EXISTS "
            "(SELECT 1 FROM daily_posts p WHERE p.guild_id = s.guild_id AND p.day = ?)",
            (guild_id, day, now, day),
        )
        return await self._daily_atomic(steps, guard)

    async def daily_attempt(
        self, guild_id: int, day: str, now: int, lease_until: int
    ) -> int | None:
        """Take the lease for another attempt at a claimed day. Returns the attempt number, or
        None when the row is not due (another process holds the lease)."""
        taken = await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET attempts = attempts + 1 WHERE guild_id = ? AND day = ?",
                    (guild_id, day),
                ),
                (
                    "UPDATE daily_schedules SET next_due = ? WHERE guild_id = ?",
                    (lease_until, guild_id),
                ),
            ],
            (
                "SELECT 1 FROM daily_schedules WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                "AND paused_reason IS NULL AND next_due <= ?",
                (guild_id, day, now),
            ),
        )
        if not taken:
            return None
        rows = await self._daily_rows(
            "SELECT attempts FROM daily_posts WHERE guild_id = ? AND day = ?", (guild_id, day)
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
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_posts SET status = 'posted', message_id = :message_id, "
                    "channel_id = :channel_id, posted_at = :posted_at, thread_id = :thread_id, "
                    "note = :note WHERE guild_id = :guild_id AND day = :day",
                    {
                        "message_id": message_id,
                        "channel_id": channel_id,
                        "posted_at": posted_at,
                        "thread_id": thread_id,
                        "note": note,
                        "guild_id": guild_id,
                        "day": day,
                    },
                ),
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0, "
                    "last_error = NULL WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                    "AND paused_reason IS NULL",
                    (next_due, next_day, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day < ?",
                    (guild_id, keep_from),
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
        await self._daily_atomic(
            [
                (
                    "INSERT INTO daily_posts(guild_id, day, status, claimed_at, attempts, note) "
                    "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(guild_id, day) DO UPDATE SET "
                    "status = excluded.status, note = excluded.note",
                    (guild_id, day, status, now, note),
                ),
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0, "
                    "last_error = NULL WHERE guild_id = ? AND due_day = ? AND enabled = 1 "
                    "AND paused_reason IS NULL",
                    (next_due, next_day, guild_id, day),
                ),
            ],
            None,
        )

    async def daily_advance(self, guild_id: int, day: str, next_due: int, next_day: str) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = ?, due_day = ?, failures = 0 "
                    "WHERE guild_id = ? AND due_day = ? AND enabled = 1",
                    (next_due, next_day, guild_id, day),
                )
            ],
            None,
        )

    async def daily_pause(self, guild_id: int, day: str, reason: str, now: int) -> None:
        """Stop posting with `reason`. A claim for `day` is released (nothing went out), and
        its quote goes back in the bag."""
        await self._daily_atomic(
            [
                (
                    "DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = (SELECT quote_id "
                    "FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending')",
                    (guild_id, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending'",
                    (guild_id, day),
                ),
                (
                    "UPDATE daily_schedules SET next_due = NULL, paused_reason = ?, "
                    "last_error = ?, updated_at = ? WHERE guild_id = ? AND due_day = ?",
                    (reason, reason, now, guild_id, day),
                ),
            ],
            None,
        )

    async def daily_release(self, guild_id: int, day: str) -> None:
        """Forget a claim that is known not to have been sent; its quote goes back in the bag."""
        await self._daily_atomic(
            [
                (
                    "DELETE FROM daily_bag WHERE guild_id = ? AND quote_id = (SELECT quote_id "
                    "FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending')",
                    (guild_id, guild_id, day),
                ),
                (
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day = ? AND status = 'sending'",
                    (guild_id, day),
                ),
            ],
            None,
        )

    async def daily_retry(
        self, guild_id: int, day: str, next_due: int, failures: int, error: str
    ) -> None:
        await self._daily_atomic(
            [
                (
                    "UPDATE daily_schedules SET next_due = ?, failures = ?, last_error = ? "
                    "WHERE guild_id = ? AND due_day = ? AND enabled = 1 AND paused_reason IS NULL",
                    (next_due, failures, error, guild_id, day),
                )
            ],
            None,
        )

    async def daily_expire_leases(self, now: int) -> int:
        """At start-up every claim in flight belongs to a process that is gone: due now."""
        async with self._lane("daily").lock:
            conn = await self._lane("daily").connection()
            cur = await conn.execute(
                "UPDATE daily_schedules SET next_due = ? WHERE next_due > ? AND EXISTS "
                "(SELECT 1 FROM daily_posts p WHERE p.guild_id = daily_schedules.guild_id "
                "AND p.day = daily_schedules.due_day AND p.status = 'sending')",
                (now, now),
            )
            await cur.close()
        return int(cur.rowcount)
