"""What the /daily commands call, without Discord: set a schedule up (its first slot),
turn it off, list a guild's schedules, a schedule's status, and a quote its bag could post
next (the preview). `DailySetup` is a part of `DailyScheduler`; a change wakes it."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.daily_bag import bag_progress, draw
from bot.daily_claims import PoolFor
from bot.daily_time import (
    day_key,
    epoch,
    first_slot,
    format_time,
    from_epoch,
    local_day,
    zone,
)

if TYPE_CHECKING:
    from bot.store import DailyPostRow, DailyRow, Store

PROBLEM_SHOWN = timedelta(days=7)  # /daily status mentions a missed day for a week


@dataclass(frozen=True, slots=True)
class DailyStatus:
    schedule: DailyRow | None
    next_post: datetime | None  # in the guild's zone
    last_post: DailyPostRow | None
    problem: DailyPostRow | None  # the latest missed or unconfirmed day in the last week
    posted_in_cycle: int
    eligible: int


class DailySetup:
    """The schedules as the commands see them; the scheduler supplies these attributes."""

    store: Store
    clock: Clock
    pool_for: PoolFor
    rng: random.Random

    def wake(self) -> None:
        raise NotImplementedError

    async def configure(
        self,
        guild_id: int,
        channel_id: int,
        at: dtime,
        timezone: str,
        topic: str | None,
        by: int | None = None,
        *,
        mention_role_id: int | None = None,
        thread: bool = False,
    ) -> tuple[date, datetime]:
        """Create or change the schedule of (guild, channel); returns the first day and its
        slot (UTC). Raises TooManySchedules for a new channel past MAX_SCHEDULES.

        A day that already has a post (or a post in flight) is never posted again, so moving
        the time later on the same day waits for tomorrow. Every option is replaced: a
        `/daily set` without `mention` turns the mention off.
        """
        tz = zone(timezone)
        now = self.clock.now()
        taken = await self.store.daily_latest_day(guild_id, channel_id)
        day, due = first_slot(now, at, tz, date.fromisoformat(taken) if taken else None)
        await self.store.daily_put(
            guild_id,
            channel_id,
            format_time(at),
            tz.key,
            topic,
            epoch(due),
            day_key(day),
            epoch(now),
            by,
            mention_role_id=mention_role_id,
            thread=thread,
        )
        self.wake()
        return day, due

    async def turn_off(self, guild_id: int, channel_id: int, by: int | None = None) -> bool:
        changed = await self.store.daily_disable(guild_id, channel_id, epoch(self.clock.now()), by)
        self.wake()
        return changed

    async def schedules(self, guild_id: int) -> list[DailyRow]:
        """The guild's schedules (on, paused and off), by channel."""
        return await self.store.daily_schedules(guild_id)

    async def status(self, guild_id: int, channel_id: int) -> DailyStatus:
        row = await self.store.daily_get(guild_id, channel_id)
        last = await self.store.daily_last_post(guild_id, channel_id)
        problem = await self.store.daily_last_problem(guild_id, channel_id)
        next_post = None
        pool: Sequence[str] = ()
        if row is not None:
            with contextlib.suppress(ValueError):
                today = local_day(self.clock.now(), zone(row.timezone))
                if problem is not None and problem.day < day_key(today - PROBLEM_SHOWN):
                    problem = None  # old news
            pool = self.pool_for(row.topic)
            if row.enabled and row.next_due is not None and row.paused_reason is None:
                with contextlib.suppress(ValueError):
                    next_post = from_epoch(row.next_due).astimezone(zone(row.timezone))
        used = await self.store.daily_used(guild_id, channel_id)
        posted, eligible = await asyncio.to_thread(bag_progress, pool, used)
        return DailyStatus(row, next_post, last, problem, posted, eligible)

    async def sample(self, guild_id: int, channel_id: int, topic: str | None) -> str | None:
        """A quote the channel's bag could post next, without taking it out (for /daily
        preview)."""
        used, last = await self.store.daily_bag(guild_id, channel_id)
        rng = random.Random(self.rng.random())
        chosen = await asyncio.to_thread(draw, self.pool_for(topic), used, rng, last)
        return None if chosen is None else chosen.quote_id
