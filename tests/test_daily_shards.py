"""The daily scheduler split across processes: each schedules only the guilds of its shards.

Two schedulers (two processes' worth) share one real SQLite file and a manual clock; each is
given its process's ownership (`ShardPlan.owns`). Guild ids are real snowflake shapes whose
shard is known: ``(n << 22) | low`` is on shard ``n % count``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.daily import FOREIGN_RECHECK, DailyScheduler
from bot.daily_delivery import DailyJob, Posted, PostResult
from bot.daily_time import epoch
from bot.shards import ShardPlan, shard_for
from bot.store import Store

START = datetime(2024, 6, 1, 6, 0, tzinfo=UTC)
SLOT = datetime(2024, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
POOL = tuple(f"quote{n:02d}" for n in range(12))
COUNT = 2


def guild(n: int) -> int:
    """A guild id on shard n % COUNT (with some low bits set, as real ids have)."""
    return ((1_000_000 + n) << 22) | (n * 7919 & 0x3FFFFF)


class Posts:
    """Every post any scheduler made, by which process."""

    def __init__(self) -> None:
        self.by: list[tuple[str, int, datetime]] = []

    def poster(self, name: str, clock: ManualClock) -> object:
        async def post(job: DailyJob) -> PostResult:
            self.by.append((name, job.guild_id, clock.now()))
            return Posted(len(self.by))

        return post

    def guilds(self, name: str | None = None) -> list[int]:
        return sorted(g for who, g, _ in self.by if name in (None, who))


class Cluster:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock = ManualClock(START)
        self.posts = Posts()
        self.schedulers: dict[str, DailyScheduler] = {}

    def start(self, name: str, plan: ShardPlan, batch_size: int = 200) -> DailyScheduler:
        scheduler = DailyScheduler(
            self.store,
            self.clock,
            self.posts.poster(name, self.clock),  # type: ignore[arg-type]
            lambda _topic: POOL,
            rng=random.Random(len(self.schedulers)),
            batch_size=batch_size,
            owns=plan.owns,
        )
        scheduler.start()
        self.schedulers[name] = scheduler
        return scheduler

    async def stop(self, name: str) -> None:
        await self.schedulers.pop(name).stop()

    async def settle(self) -> None:
        """Every running scheduler has handled what is due now (a hot loop never settles)."""
        async with asyncio.timeout(10):
            for scheduler in self.schedulers.values():
                await scheduler.wait_idle()

    async def run_until(self, end: datetime) -> None:
        await self.clock.run_until(end, self.settle)

    async def schedule(self, guilds: list[int], at: datetime = SLOT) -> None:
        for g in guilds:
            await self.store.daily_put(
                g, g + 1, at.strftime("%H:%M"), "UTC", None, epoch(at), "2024-06-01", 0, None
            )
        for scheduler in self.schedulers.values():
            scheduler.wake()


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    store = await Store.open(tmp_path / "daily.db")
    made = Cluster(store)
    try:
        yield made
    finally:
        for name in list(made.schedulers):
            await made.stop(name)
        await store.close_lanes()
        await store.close()


def test_guild_helper_spreads_over_the_shards() -> None:
    assert [shard_for(guild(n), COUNT) for n in range(6)] == [0, 1, 0, 1, 0, 1]


async def test_each_process_posts_only_its_shards_guilds(cluster: Cluster) -> None:
    guilds = [guild(n) for n in range(60)]
    cluster.start("a", ShardPlan(COUNT, (0,)))
    cluster.start("b", ShardPlan(COUNT, (1,)))
    await cluster.schedule(guilds)
    await cluster.run_until(SLOT)
    assert cluster.posts.guilds() == sorted(guilds)  # each exactly once
    assert cluster.posts.guilds("a") == sorted(g for g in guilds if shard_for(g, COUNT) == 0)
    assert cluster.posts.guilds("b") == sorted(g for g in guilds if shard_for(g, COUNT) == 1)
    assert {t for _, _, t in cluster.posts.by} == {SLOT}


async def test_a_process_whose_peer_is_down_posts_its_own_on_time_and_does_not_spin(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    """B is down: its 50 guilds stay due, ahead of A's in the store's order (and more than a
    batch of them). A still finds and posts its own on time, parks instead of looping, and
    B posts its guilds once when it comes back."""
    theirs = [guild(2 * n + 1) for n in range(50)]
    ours = [guild(2 * n) for n in range(30)]
    cluster.start("a", ShardPlan(COUNT, (0,)), batch_size=10)
    await cluster.schedule(theirs, at=SLOT - timedelta(minutes=1))
    await cluster.schedule(ours)
    later = [guild(100), guild(102)]
    due_later = SLOT + timedelta(minutes=2, seconds=2)  # off any 5 s or 30 s grid from SLOT
    await cluster.schedule(later, at=due_later)
    with caplog.at_level(logging.WARNING, logger="bot.daily"):
        await cluster.run_until(SLOT + timedelta(minutes=3))
    assert not caplog.records  # no "still due after being handled": theirs are not ours

    assert cluster.posts.guilds("a") == sorted(ours + later)
    times = {g: t for _, g, t in cluster.posts.by}
    assert {times[g] for g in ours} == {SLOT}
    # Rechecks while B's guilds are overdue cost at most FOREIGN_RECHECK of lateness.
    assert all(due_later <= times[g] <= due_later + FOREIGN_RECHECK for g in later)
    assert await cluster.store.daily_due(epoch(cluster.clock.now()), 1000) != []

    cluster.start("b", ShardPlan(COUNT, (1,)), batch_size=10)
    await cluster.settle()
    assert cluster.posts.guilds("b") == sorted(theirs)
    assert cluster.posts.guilds() == sorted(ours + later + theirs)
    assert await cluster.store.daily_due(epoch(cluster.clock.now()), 1000) == []


async def test_overlapping_owners_still_post_each_guild_once(cluster: Cluster) -> None:
    """A misconfiguration (both processes claim shard 0) cannot double-post: the (guild, day)
    claim decides."""
    guilds = [guild(n) for n in range(40)]
    cluster.start("a", ShardPlan(COUNT, (0, 1)))
    cluster.start("b", ShardPlan(COUNT, (0,)))
    await cluster.schedule(guilds)
    await cluster.run_until(SLOT)
    assert cluster.posts.guilds() == sorted(guilds)
