"""The daily quote, without Discord: local-time slots, the no-repeat bag and the scheduler.

Schedules. A guild has up to MAX_SCHEDULES of them, one per channel; each is keyed by
(guild, channel) and has its own time, options, posts and no-repeat bag. Everything below
holds per schedule.

Slots. A schedule has a wall-clock time in an IANA zone. Each *local calendar day* has at
most one slot, keyed by its ISO date ("2024-03-10"):
- a time that does not exist that day (spring forward: 02:30 in New York on 10 March 2024)
  posts at the next valid instant, the end of the gap (03:00 EDT);
- a time that exists twice (fall back: 01:30 on 3 November 2024) posts once, at the first
  occurrence (EDT), because the day key, not the instant, is what is claimed;
- a day that does not exist at all (Samoa skipped 30 December 2011) has no slot.

Restart safety: claim, then send, then record. A post is *claimed* for (guild, channel,
day) in one transaction (the primary key) before anything is sent, together with the quote
it will carry and a nonce derived from (guild, channel, day). Only then is the message sent (with
Discord's `nonce` + `enforce_nonce`, so a retried create within a few minutes returns the
first message instead of making a second), and then the message id is recorded.

If the process dies between send and record, the claim is found again on restart. The
retry reuses the claim's quote and nonce, and the poster first looks in the channel for the
message it may already have sent (footer marker, author = the bot, after the claim time).
Found: recorded, nothing sent. Not found and the history was readable: sent (same nonce).
When neither the nonce window nor the history can prove the message is absent, the day is
given up and shown as "unconfirmed" in /daily status instead of risking a second post.
That is the lesser evil: the issue's hard rule is "never twice"; a skipped day is visible
and logged, a doubled one cannot be taken back. Claiming *after* sending would make a
crash in between post twice with nothing to check against.

The scheduler keeps `next_due` (UTC) per schedule in the database, sleeps until the earliest
one (woken early when a schedule changes), then handles every due row in batches with
bounded concurrency. Delivery is a callback (`Poster`) so this module stays discord-free.
Its parts: the loop and one pass over what is due (here), a day's claim and settlement
(`bot.daily_claims`), and what the commands call (`bot.daily_setup`).

Several processes (shards split across them) each run a scheduler with an `owns` predicate
and handle only their guilds; the claim above keeps a schedule posted once even if two did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.daily_claims import DailyClaims, PoolFor
from bot.daily_delivery import (
    Poster,
    Retry,
)
from bot.daily_setup import DailySetup
from bot.daily_time import (
    day_key,
    epoch,
    from_epoch,
    local_day,
    parse_time,
    slot_after,
    zone,
)

if TYPE_CHECKING:
    from bot.store import DailyPostRow, DailyRow, Store

log = logging.getLogger(__name__)

NONCE_WINDOW = timedelta(minutes=2)  # Discord dedups nonces "for a few minutes": stay well inside
ERROR_PAUSE = timedelta(seconds=30)  # after an unexpected scheduler error: no hot loop
FOREIGN_RECHECK = timedelta(seconds=5)  # only other processes' guilds are due: look again soon

THREAD_NAME_MAX = 100  # Discord's limit on a thread name


def thread_name(label: str, day: str) -> str:
    """The discussion thread's name: the quote's topic or interview, and the day."""
    suffix = f" · {day}"
    words = " ".join(label.split()) or "Quote of the day"
    if len(words) + len(suffix) > THREAD_NAME_MAX:
        words = words[: THREAD_NAME_MAX - len(suffix) - 1].rstrip() + "…"
    return words + suffix


Key = tuple[int, int]
"""A schedule: (guild, channel)."""
Owns = Callable[[int], bool]
"""Whether this process serves a guild (its shard is one of ours)."""


class DailyScheduler(DailyClaims, DailySetup):
    """One task for every guild: sleep until the earliest `next_due`, post what is due."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        poster: Poster,
        pool_for: PoolFor,
        *,
        rng: random.Random | None = None,
        concurrency: int = 8,
        batch_size: int = 200,
        owns: Owns | None = None,
    ) -> None:
        self.store = store
        self.owns = owns
        self.clock = clock
        self.poster = poster
        self.pool_for = pool_for
        self.rng = rng or random.Random()
        self.batch_size = batch_size
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._parked = False
        self._parked_until: datetime | None = None
        self._changed = asyncio.Event()

    # --- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="daily-scheduler")
            self._task.add_done_callback(lambda _: self._notify())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """A schedule changed: look at the database again now."""
        self._wake.set()
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def idle(self) -> bool:
        """Parked with nothing due at the clock's current time (what tests wait for)."""
        if not self._parked or self._wake.is_set():
            return False
        return self._parked_until is None or self._parked_until > self.clock.now()

    async def wait_idle(self) -> None:
        """Wait until everything due at `clock.now()` has been handled (wrap it in a timeout)."""
        while not self.idle():
            if self._task is None or self._task.done():
                if self._task is not None:
                    self._task.result()  # surface a crash instead of hanging
                raise RuntimeError("the daily scheduler is not running")
            await self._changed.wait()

    async def _run(self) -> None:
        try:  # claims left by a process that stopped mid-post: look at them at once
            await self.store.daily_expire_leases(epoch(self.clock.now()), self.owns)
        except Exception:
            log.exception("daily: could not release old claims; they retry when their lease ends")
        while True:
            self._wake.clear()
            pause: datetime | None
            try:
                handled = await self.run_due()
                due = await self.store.daily_next_due()
                pause = None if due is None else from_epoch(due)
                now = self.clock.now()
                if pause is not None and pause <= now:
                    rows = await self._owned_due(epoch(now))
                    if not rows:
                        # What is due belongs to other processes (is one of them down?). Theirs
                        # to post; ours may become due meanwhile, so no sleeping past it long.
                        pause = now + FOREIGN_RECHECK
                    elif not {(row.guild_id, row.channel_id) for row, _ in rows} & handled:
                        continue  # became due while the pass ran: go again at once
                    else:
                        # Handled in this pass and still due: something keeps failing.
                        log.error("daily: schedule(s) still due after being handled; pausing")
                        pause = now + ERROR_PAUSE
            except Exception:
                log.exception("daily scheduler pass failed; trying again shortly")
                pause = self.clock.now() + ERROR_PAUSE
            await self._park(pause)

    async def _park(self, until: datetime | None) -> None:
        waits: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
        if until is not None:
            waits.add(asyncio.ensure_future(self.clock.sleep_until(until)))
        try:
            await asyncio.sleep(0)  # let the sleepers register before we call ourselves idle
            self._parked, self._parked_until = True, until
            self._notify()
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
            self._parked = False
            self._notify()

    # --- one pass ---------------------------------------------------------------

    async def run_due(self) -> set[Key]:
        """Handle every row due now, oldest first, in batches. Returns the schedules handled."""
        seen: set[Key] = set()
        while True:
            due = await self._owned_due(epoch(self.clock.now()))
            due = [(row, post) for row, post in due if (row.guild_id, row.channel_id) not in seen]
            if not due:
                return seen
            seen.update((row.guild_id, row.channel_id) for row, _ in due)
            outcomes = await asyncio.gather(
                *(self._guarded(row, post) for row, post in due), return_exceptions=True
            )
            for outcome in outcomes:  # let the whole batch finish, then report a failure
                if isinstance(outcome, BaseException):
                    raise outcome

    async def _owned_due(self, now: int) -> list[tuple[DailyRow, DailyPostRow | None]]:
        """Up to a batch of the rows due at `now` that this process serves, earliest first.

        Other processes' due rows come first in the store's order when one of them lags, so
        the store is asked for more until a batch of ours is found or nothing more is due."""
        limit = self.batch_size
        while True:
            rows = await self.store.daily_due(now, limit)
            if self.owns is None:
                return rows
            owned = [(row, post) for row, post in rows if self.owns(row.guild_id)]
            if len(owned) >= self.batch_size or len(rows) < limit:
                return owned[: self.batch_size]
            limit *= 4

    async def _guarded(self, row: DailyRow, post: DailyPostRow | None) -> None:
        async with self._limit:
            try:
                await self._process(row, post)
            except Exception as exc:
                log.exception(
                    "daily: guild %s channel %s failed unexpectedly", row.guild_id, row.channel_id
                )
                if row.due_day is not None:
                    await self._retry(row, row.due_day, f"internal error: {exc}")

    async def _process(self, row: DailyRow, post: DailyPostRow | None) -> None:
        """Post `row`'s due day (`post`: its record, if any) or settle it."""
        now = self.clock.now()
        if row.due_day is None:
            return
        try:
            tz = zone(row.timezone)
            at = parse_time(row.local_time)
        except ValueError as exc:
            await self.store.daily_pause(
                row.guild_id,
                row.channel_id,
                row.due_day,
                f"the schedule is invalid: {exc}",
                epoch(now),
            )
            return
        for _ in range(2):
            day = row.due_day
            if day is None:
                return
            if post is not None and post.status != "sending":
                await self._advance(row, day, now, tz, at)  # settled elsewhere; move on
                return
            if local_day(now, tz) <= date.fromisoformat(day):
                break
            if post is None:
                status, note = "missed", "the bot was offline from the slot to the end of the day"
            else:
                status = "unconfirmed"
                note = "the bot stopped while posting and could not confirm it before the day ended"
            log.warning(
                "daily: guild %s channel %s %s %s: %s",
                row.guild_id,
                row.channel_id,
                status,
                day,
                note,
            )
            next_day, due = slot_after(date.fromisoformat(day), now, at, tz, catch_up=True)
            await self.store.daily_settle(
                row.guild_id,
                row.channel_id,
                day,
                status,
                note,
                epoch(now),
                epoch(due),
                day_key(next_day),
            )
            if due > now:
                return
            # Back on a later local day, after its slot: post today's once, late.
            fresh = await self.store.daily_get(row.guild_id, row.channel_id)
            if fresh is None or fresh.due_day != day_key(next_day) or not fresh.enabled:
                return
            post = await self.store.daily_post(row.guild_id, row.channel_id, day_key(next_day))
            row = fresh
        else:
            return
        job = await self._claim(row, day, post, now)
        if job is None:
            return
        try:
            result = await self.poster(job)
        except Exception as exc:
            log.exception("daily: posting in channel %s raised", row.channel_id)
            result = Retry(f"unexpected error while posting: {exc}")
        await self._settle(row, job, result, tz, at)
