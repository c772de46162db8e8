"""Each day's daily post: the claim that makes it happen once, its outcome, what follows
it (retry, pause, the next day), the history and the no-repeat bag."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.store.daily_base import (
    _DROP_CLAIM,
    _KEY,
    _MOVE_ON,
    _POST,
    _UNBAG_CLAIM,
    DAILY,
    DailyBase,
    Step,
    _key,
)
from bot.store.rows import DailyPostRow, _daily_post_row


class DailyPostStore(DailyBase):
    """A schedule's posts, claims and bag."""

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
