"""A daily post's claim and settlement, without Discord (see `bot.daily` for why a day is
claimed before anything is sent): the claim of (guild, channel, day) with the quote drawn
from the channel's bag and the nonce, or the same claim again after a restart; and what
the poster's outcome does to the schedule (recorded, paused, given up, retried, drawn
again). `DailyClaims` is a part of `DailyScheduler`."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.daily_bag import draw
from bot.daily_delivery import DailyJob, GiveUp, Gone, Posted, PostResult, Redraw
from bot.daily_time import day_key, epoch, from_epoch, slot_after

if TYPE_CHECKING:
    from bot.store import DailyPostRow, DailyRow, Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row is not picked up again for this long
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
KEEP_DAYS = 60  # post records older than this are pruned

PoolFor = Callable[[str | None], Sequence[str]]
"""The quotes a schedule's topic may post (every quote for None)."""


def nonce_for(guild_id: int, channel_id: int, day: str) -> str:
    """Discord's nonce is at most 25 characters and unique per author: derive it from the
    schedule (guild, channel) and its local day."""
    return "d" + hashlib.sha256(f"daily:{guild_id}:{channel_id}:{day}".encode()).hexdigest()[:24]


def retry_delay(failures: int) -> timedelta:
    delay: timedelta = RETRY_FIRST * (2 ** min(failures, 12))
    return min(delay, RETRY_MAX)


def _job(
    row: DailyRow, day: str, quote_id: str, nonce: str, claimed_at: datetime, attempt: int
) -> DailyJob:
    """A job for `row`'s `day`, carrying the schedule's options (topic, mention, thread)."""
    return DailyJob(
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        day=day,
        quote_id=quote_id,
        nonce=nonce,
        claimed_at=claimed_at,
        attempt=attempt,
        topic=row.topic,
        mention_role_id=row.mention_role_id,
        thread=row.thread,
    )


class DailyClaims:
    """Claiming a day and settling it; the scheduler supplies these attributes."""

    store: Store
    clock: Clock
    pool_for: PoolFor
    rng: random.Random

    async def _claim(
        self, row: DailyRow, day: str, post: DailyPostRow | None, now: datetime
    ) -> DailyJob | None:
        lease_until = epoch(now + LEASE)
        if post is not None:  # an earlier attempt claimed this day: same quote, same nonce
            attempts = await self.store.daily_attempt(
                row.guild_id, row.channel_id, day, epoch(now), lease_until
            )
            if attempts is None:
                return None  # another process is on it
            return _job(
                row,
                day,
                post.quote_id or "",
                post.nonce or nonce_for(row.guild_id, row.channel_id, day),
                from_epoch(post.claimed_at),
                attempts,
            )
        pool = self.pool_for(row.topic)
        used, last = await self.store.daily_bag(row.guild_id, row.channel_id)
        chosen = await asyncio.to_thread(draw, pool, used, self.rng, last)
        if chosen is None:
            await self._retry(row, day, "there are no quotes to post (is the data loaded?)")
            return None
        nonce = nonce_for(row.guild_id, row.channel_id, day)
        claimed = await self.store.daily_claim(
            row.guild_id,
            day,
            chosen.quote_id,
            nonce,
            row.channel_id,
            epoch(now),
            chosen.reset,
            lease_until,
        )
        if not claimed:
            log.info(
                "daily: guild %s channel %s day %s was claimed elsewhere",
                row.guild_id,
                row.channel_id,
                day,
            )
            return None
        return _job(row, day, chosen.quote_id, nonce, now, 1)

    async def _settle(
        self, row: DailyRow, job: DailyJob, result: PostResult, tz: ZoneInfo, at: dtime
    ) -> None:
        now = self.clock.now()
        guild, channel = row.guild_id, row.channel_id
        if isinstance(result, Posted):
            next_day, due = slot_after(date.fromisoformat(job.day), now, at, tz)
            keep = day_key(date.fromisoformat(job.day) - timedelta(days=KEEP_DAYS))
            if result.note:
                log.warning("daily: channel %s posted %s, but %s", channel, job.day, result.note)
            await self.store.daily_record(
                guild,
                channel,
                job.day,
                result.message_id,
                epoch(now),
                epoch(due),
                day_key(next_day),
                keep,
                thread_id=result.thread_id,
                note=result.note,
            )
        elif isinstance(result, Gone):
            log.warning("daily: guild %s channel %s paused: %s", guild, channel, result.reason)
            await self.store.daily_pause(guild, channel, job.day, result.reason, epoch(now))
        elif isinstance(result, GiveUp):
            log.warning("daily: channel %s gave up %s: %s", channel, job.day, result.reason)
            next_day, due = slot_after(date.fromisoformat(job.day), now, at, tz)
            await self.store.daily_settle(
                guild,
                channel,
                job.day,
                "unconfirmed",
                result.reason,
                epoch(now),
                epoch(due),
                day_key(next_day),
            )
        elif isinstance(result, Redraw):
            await self.store.daily_release(guild, channel, job.day)
            await self._retry(row, job.day, result.reason)
        else:
            await self._retry(row, job.day, result.reason)

    async def _retry(self, row: DailyRow, day: str, reason: str) -> None:
        delay = retry_delay(row.failures)
        log.warning("daily: channel %s will retry in %s: %s", row.channel_id, delay, reason)
        when = epoch(self.clock.now() + delay)
        await self.store.daily_retry(
            row.guild_id, row.channel_id, day, when, row.failures + 1, reason
        )

    async def _advance(
        self, row: DailyRow, day: str, now: datetime, tz: ZoneInfo, at: dtime
    ) -> None:
        next_day, due = slot_after(date.fromisoformat(day), now, at, tz)
        await self.store.daily_advance(
            row.guild_id, row.channel_id, day, epoch(due), day_key(next_day)
        )
