"""The daily quote's scheduler against a real SQLite file with a manual clock and a
recording poster (no Discord here): once per local day across DST and restarts, crashes
mid-post, downtime, failures and back-off, many guilds, two schedulers on one database."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, WarpClock
from bot.daily import DailyScheduler
from bot.daily_delivery import DailyJob, GiveUp, Gone, Posted, PostResult, Retry
from bot.daily_time import local_day, parse_time
from bot.store import Store

NY, BERLIN, AUCKLAND = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Pacific/Auckland"),
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, tz: ZoneInfo, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz, fold=fold)


# --- the scheduler ---------------------------------------------------------------------------

GUILD, CHANNEL = 1001, 2001
POOL = tuple(f"quote{n:02d}" for n in range(12))


@dataclass
class Recorder:
    """A poster that records each job with the time it ran, answering from a script."""

    clock: ManualClock
    calls: list[tuple[datetime, DailyJob]] = field(default_factory=list)
    script: list[PostResult | BaseException] = field(default_factory=list)
    next_id: int = 9000
    hook: Callable[[DailyJob], object] | None = None

    async def __call__(self, job: DailyJob) -> PostResult:
        self.calls.append((self.clock.now(), job))
        if self.hook is not None:
            await asyncio.sleep(0)
            self.hook(job)
        if self.script:
            outcome = self.script.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        self.next_id += 1
        return Posted(self.next_id)

    @property
    def times(self) -> list[datetime]:
        return [t for t, _ in self.calls]


@dataclass
class Harness:
    store: Store
    clock: ManualClock
    poster: Recorder
    scheduler: DailyScheduler
    pool: list[str]

    def restart(self, poster: Recorder | None = None) -> DailyScheduler:
        self.poster = poster or Recorder(self.clock)
        self.scheduler = DailyScheduler(
            self.store, self.clock, self.poster, lambda _t: self.pool, rng=random.Random(3)
        )
        self.scheduler.start()
        return self.scheduler

    async def settle(self) -> None:
        # A hang detector, not a speed check: 1,000 posts on a machine with both cores busy
        # took over 10 s of wall clock (the speed assertion counts CPU time instead).
        async with asyncio.timeout(90):
            await self.scheduler.wait_idle()

    async def run_until(self, end: datetime) -> None:
        """Jump from wake-up to wake-up (so posts happen exactly at their instants)."""
        await self.settle()
        while self.clock.now() < end:
            deadline = self.clock.next_deadline()
            self.clock.set(end if deadline is None or deadline > end else deadline)
            await self.settle()


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Callable[[datetime], Harness]]:
    harnesses: list[Harness] = []
    stores: list[Store] = []

    async def opened() -> Store:
        store = await Store.open(tmp_path / "daily.db")
        stores.append(store)
        return store

    store = await opened()

    def factory(start: datetime) -> Harness:
        clock = ManualClock(start)
        pool = list(POOL)
        poster = Recorder(clock)
        scheduler = DailyScheduler(store, clock, poster, lambda _t: pool, rng=random.Random(3))
        h = Harness(store, clock, poster, scheduler, pool)
        scheduler.start()
        harnesses.append(h)
        return h

    yield factory
    for h in harnesses:
        await h.scheduler.stop()
    for s in stores:
        await s.close_lanes()
        await s.close()


DST_CASES = [
    # zone, time, first local day, days, expected UTC instants (one per local day)
    (
        NY,
        "02:30",
        "2024-03-08",
        4,
        ["2024-03-08T07:30", "2024-03-09T07:30", "2024-03-10T07:00", "2024-03-11T06:30"],
    ),
    (NY, "01:30", "2024-11-02", 3, ["2024-11-02T05:30", "2024-11-03T05:30", "2024-11-04T06:30"]),
    (NY, "09:00", "2024-03-09", 2, ["2024-03-09T14:00", "2024-03-10T13:00"]),
    (
        BERLIN,
        "02:30",
        "2024-03-30",
        3,
        ["2024-03-30T01:30", "2024-03-31T01:00", "2024-04-01T00:30"],
    ),
    (
        BERLIN,
        "02:30",
        "2024-10-26",
        3,
        ["2024-10-26T00:30", "2024-10-27T00:30", "2024-10-28T01:30"],
    ),
    (
        AUCKLAND,
        "02:30",
        "2024-04-06",
        3,
        ["2024-04-05T13:30", "2024-04-06T13:30", "2024-04-07T14:30"],
    ),
    (
        AUCKLAND,
        "02:30",
        "2024-09-28",
        3,
        ["2024-09-27T14:30", "2024-09-28T14:00", "2024-09-29T13:30"],
    ),
]


@pytest.mark.parametrize(("tz", "at", "first", "days", "expected"), DST_CASES)
async def test_scheduler_posts_once_per_local_day_across_dst(
    make: Callable[[datetime], Harness],
    tz: ZoneInfo,
    at: str,
    first: str,
    days: int,
    expected: list[str],
) -> None:
    h = make(local(f"{first}T00:00", tz))
    await h.scheduler.configure(GUILD, CHANNEL, parse_time(at), tz.key, None)
    await h.run_until(local(f"{first}T00:00", tz) + timedelta(days=days))
    assert h.poster.times == [utc(e) for e in expected]
    jobs = [job for _, job in h.poster.calls]
    assert [j.day for j in jobs] == [
        (date.fromisoformat(first) + timedelta(days=n)).isoformat() for n in range(days)
    ]
    assert len({j.quote_id for j in jobs}) == days  # no repeats
    assert all(not j.recovering for j in jobs)
    history = await h.store.daily_history(GUILD, CHANNEL)
    assert [p.status for p in history] == ["posted"] * days


async def test_stepping_the_clock_in_hours_wakes_the_scheduler_too(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-03-09T00:00", NY))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(2, 30), "America/New_York", None)
    await h.settle()
    for _ in range(72):
        h.clock.advance(timedelta(hours=1))
        await h.settle()
    # each post happens within the hour after its slot; one per local day, none skipped
    assert [local_day(t, NY).isoformat() for t in h.poster.times] == [
        "2024-03-09",
        "2024-03-10",
        "2024-03-11",
    ]


async def test_restart_just_before_the_slot_posts_once_on_time(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.run_until(local("2024-06-01T08:59:59", BERLIN))
    await h.scheduler.stop()
    h.restart()
    await h.run_until(local("2024-06-01T12:00", BERLIN))
    assert h.poster.times == [local("2024-06-01T09:00", BERLIN)]


async def test_restart_after_the_slot_same_day_posts_once_late(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.settle()
    await h.scheduler.stop()  # down from 08:00 ...
    h.clock.set(local("2024-06-01T11:15", BERLIN))  # ... to 11:15
    h.restart()
    await h.run_until(local("2024-06-02T08:00", BERLIN))
    assert h.poster.times == [local("2024-06-01T11:15", BERLIN)]
    await h.scheduler.stop()  # a second restart the same day posts nothing more
    h.restart()
    await h.run_until(local("2024-06-02T10:00", BERLIN))
    assert h.poster.times == [local("2024-06-02T09:00", BERLIN)]


async def test_restart_after_the_post_is_recorded_posts_nothing_more(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.run_until(local("2024-06-01T09:00:01", BERLIN))
    assert len(h.poster.calls) == 1
    for _ in range(3):  # repeated restarts / reconnects around the slot
        await h.scheduler.stop()
        h.restart()
        await h.run_until(h.clock.now() + timedelta(minutes=5))
        assert h.poster.calls == []


async def test_crash_while_posting_retries_the_same_claim_with_the_same_nonce(
    make: Callable[[datetime], Harness],
) -> None:
    """Claim, then the process dies before the outcome is recorded (sent or not)."""
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    stuck = asyncio.Event()
    h.poster.hook = lambda _job: stuck.set()
    h.poster.script = [asyncio.CancelledError()]  # the task dies mid-post
    await h.settle()
    h.clock.set(local("2024-06-01T09:00", BERLIN))
    async with asyncio.timeout(5):
        await stuck.wait()
    await h.scheduler.stop()
    first = h.poster.calls[0][1]
    post = await h.store.daily_post(GUILD, CHANNEL, "2024-06-01")
    assert post is not None and post.status == "sending"
    h.clock.advance(timedelta(seconds=20))
    h.restart()
    await h.run_until(local("2024-06-01T12:00", BERLIN))
    assert len(h.poster.calls) == 1
    retry = h.poster.calls[0][1]
    assert retry.recovering and retry.attempt == 2
    assert (retry.nonce, retry.quote_id, retry.day) == (first.nonce, first.quote_id, first.day)
    assert retry.claimed_at == first.claimed_at
    assert h.poster.times == [local("2024-06-01T09:00:20", BERLIN)]  # at once, not after the lease
    post = await h.store.daily_post(GUILD, CHANNEL, "2024-06-01")
    assert post is not None and post.status == "posted" and post.message_id is not None


async def test_give_up_when_a_post_cannot_be_confirmed_never_posts_that_day_again(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    h.poster.script = [Retry("timeout"), GiveUp("cannot read the channel's history")]
    await h.run_until(local("2024-06-02T08:00", BERLIN))
    assert [j.attempt for _, j in h.poster.calls] == [1, 2]
    post = await h.store.daily_post(GUILD, CHANNEL, "2024-06-01")
    assert post is not None and post.status == "unconfirmed"
    status = await h.scheduler.status(GUILD, CHANNEL)
    assert status.problem is not None and "history" in (status.problem.note or "")
    assert status.next_post == local("2024-06-02T09:00", BERLIN)
    await h.run_until(local("2024-06-02T10:00", BERLIN))
    assert h.poster.calls[-1][1].day == "2024-06-02"


async def test_downtime_over_days_marks_the_miss_and_catches_up_today_once(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.settle()
    await h.scheduler.stop()
    h.clock.set(local("2024-06-04T10:30", BERLIN))  # down for three days, back after the slot
    h.restart()
    await h.run_until(local("2024-06-05T12:00", BERLIN))
    assert h.poster.times == [local("2024-06-04T10:30", BERLIN), local("2024-06-05T09:00", BERLIN)]
    assert [j.day for _, j in h.poster.calls] == ["2024-06-04", "2024-06-05"]
    history = {p.day: p.status for p in await h.store.daily_history(GUILD, CHANNEL)}
    assert history == {"2024-06-01": "missed", "2024-06-04": "posted", "2024-06-05": "posted"}


async def test_downtime_back_before_the_slot_posts_on_time(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.settle()
    await h.scheduler.stop()
    h.clock.set(local("2024-06-03T07:00", BERLIN))
    h.restart()
    await h.run_until(local("2024-06-03T12:00", BERLIN))
    assert h.poster.times == [local("2024-06-03T09:00", BERLIN)]


async def test_gone_pauses_with_the_reason_and_never_retries(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    h.poster.script = [Gone("the channel was deleted")]
    await h.run_until(local("2024-06-04T12:00", BERLIN))
    assert len(h.poster.calls) == 1
    status = await h.scheduler.status(GUILD, CHANNEL)
    assert (
        status.schedule is not None and status.schedule.paused_reason == "the channel was deleted"
    )
    assert status.next_post is None
    assert await h.store.daily_post(GUILD, CHANNEL, "2024-06-01") is None  # claim released
    assert await h.store.daily_used(GUILD, CHANNEL) == set()  # the quote goes back in the bag
    # a schedule in another channel is another schedule: it posts, this one stays paused
    await h.scheduler.configure(GUILD, CHANNEL + 1, dtime(13), "Europe/Berlin", None)
    await h.run_until(local("2024-06-04T13:00:01", BERLIN))
    assert h.poster.calls[-1][1].channel_id == CHANNEL + 1
    assert h.poster.times[-1] == local("2024-06-04T13:00", BERLIN)
    assert (await h.scheduler.status(GUILD, CHANNEL)).schedule.paused_reason  # type: ignore[union-attr]
    # fixing it (a new /daily set on its channel) resumes its next slot
    await h.scheduler.configure(GUILD, CHANNEL, dtime(14), "Europe/Berlin", None)
    await h.run_until(local("2024-06-04T14:00:01", BERLIN))
    assert h.poster.calls[-1][1].channel_id == CHANNEL
    assert h.poster.times[-1] == local("2024-06-04T14:00", BERLIN)


async def test_transient_failures_back_off_without_a_storm(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    h.poster.script = [Retry("503")] * 5 + [RuntimeError("boom")]
    await h.run_until(local("2024-06-01T12:00", BERLIN))
    gaps = [
        (b - a).total_seconds() / 60
        for a, b in zip(h.poster.times, h.poster.times[1:], strict=False)
    ]
    assert gaps[:6] == [1, 2, 4, 8, 16, 32]
    days = {j.day for _, j in h.poster.calls}
    assert days == {"2024-06-01"}
    nonces = {j.nonce for _, j in h.poster.calls}
    assert len(nonces) == 1  # every retry is the same Discord-idempotent create
    post = await h.store.daily_post(GUILD, CHANNEL, "2024-06-01")
    assert post is not None and post.status == "posted" and post.attempts == 7


async def test_unexpected_poster_errors_and_no_quotes_are_retried_not_lost(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    h.pool.clear()
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.run_until(local("2024-06-01T09:30", BERLIN))
    assert h.poster.calls == []
    row = await h.store.daily_get(GUILD, CHANNEL)
    assert row is not None and "no quotes" in (row.last_error or "") and row.failures >= 1
    h.pool.extend(["fresh"])  # a reload brings quotes
    await h.run_until(local("2024-06-01T11:00", BERLIN))
    assert [j.quote_id for _, j in h.poster.calls] == ["fresh"]


async def test_off_stops_and_configure_the_same_day_never_posts_twice(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.run_until(local("2024-06-01T09:30", BERLIN))
    day, due = await h.scheduler.configure(GUILD, CHANNEL, dtime(18), "Europe/Berlin", None)
    assert day == date(2024, 6, 2) and due == local("2024-06-02T18:00", BERLIN)
    assert await h.scheduler.turn_off(GUILD, CHANNEL)
    assert not await h.scheduler.turn_off(GUILD, CHANNEL)
    await h.run_until(local("2024-06-04T00:00", BERLIN))
    assert len(h.poster.calls) == 1
    status = await h.scheduler.status(GUILD, CHANNEL)
    assert status.schedule is not None and not status.schedule.enabled and status.next_post is None
    assert status.last_post is not None and status.last_post.day == "2024-06-01"


async def test_a_new_schedule_wakes_the_sleeping_scheduler(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(20), "Europe/Berlin", None)
    await h.settle()
    assert h.clock.next_deadline() == local("2024-06-01T20:00", BERLIN)
    await h.scheduler.configure(GUILD + 1, CHANNEL, dtime(8, 30), "Europe/Berlin", None)
    await h.settle()
    assert h.clock.next_deadline() == local("2024-06-01T08:30", BERLIN)
    await h.run_until(local("2024-06-01T21:00", BERLIN))
    assert [(j.guild_id, t) for t, j in h.poster.calls] == [
        (GUILD + 1, local("2024-06-01T08:30", BERLIN)),
        (GUILD, local("2024-06-01T20:00", BERLIN)),
    ]


async def test_bag_survives_restarts_and_reloads(make: Callable[[datetime], Harness]) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    h.pool[:] = ["a", "b", "c", "d"]
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    await h.run_until(local("2024-06-02T10:00", BERLIN))
    first_two = [j.quote_id for _, j in h.poster.calls]
    await h.scheduler.stop()
    h.restart()
    h.pool[:] = [q for q in ["a", "b", "c", "d"] if q != first_two[0]] + ["e"]  # reload
    await h.run_until(local("2024-06-05T10:00", BERLIN))
    rest = [j.quote_id for _, j in h.poster.calls]
    assert sorted(first_two + rest) == sorted(["a", "b", "c", "d", "e"])
    status = await h.scheduler.status(GUILD, CHANNEL)
    assert (status.posted_in_cycle, status.eligible) == (4, 4)  # the removed one no longer counts
    await h.run_until(local("2024-06-06T10:00", BERLIN))  # a new cycle begins
    assert (await h.scheduler.status(GUILD, CHANNEL)).posted_in_cycle == 1


async def test_two_hundred_guilds_due_the_same_minute_each_post_once(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    h.scheduler.batch_size = 50  # several batches
    for n in range(200):  # 09:00 in Berlin is 08:00 in London: the same minute
        at, zone_name = (dtime(9), "Europe/Berlin") if n % 2 else (dtime(8), "Europe/London")
        await h.scheduler.configure(GUILD + n, CHANNEL + n, at, zone_name, None)
    await h.run_until(local("2024-06-01T09:00", BERLIN))
    assert sorted(j.guild_id for _, j in h.poster.calls) == [GUILD + n for n in range(200)]
    assert set(h.poster.times) == {local("2024-06-01T09:00", BERLIN)}
    assert await h.store.daily_due(int(h.clock.now().timestamp()), 1000) == []


async def test_a_thousand_guilds_in_one_minute_go_out_faster_than_discord_allows(
    make: Callable[[datetime], Harness],
) -> None:
    """Discord's global limit is 50 requests/s: the scheduler's own cost must stay well
    under that (here: 1000 guilds, one minute, in a few seconds of database work)."""
    h = make(local("2024-06-01T08:00", BERLIN))
    due = int(local("2024-06-01T09:00", BERLIN).timestamp())
    for n in range(1, 1001):
        await h.store.daily_put(n, n, "09:00", "Europe/Berlin", None, due, "2024-06-01", 0, None)
    h.scheduler.wake()
    await h.settle()
    # CPU time (all of this process's threads), not wall-clock: other processes on a busy
    # machine do not count against it.
    started = time.process_time()
    await h.run_until(local("2024-06-01T09:00", BERLIN))
    elapsed = time.process_time() - started
    assert sorted(j.guild_id for _, j in h.poster.calls) == list(range(1, 1001))
    assert 1000 / elapsed > 100, f"{1000 / elapsed:.0f} guilds/s"


async def test_two_schedulers_on_one_database_never_post_a_day_twice(
    make: Callable[[datetime], Harness],
) -> None:
    """A rolling restart: the old process is still running when the new one starts."""
    h = make(local("2024-06-01T08:00", BERLIN))
    for n in range(20):
        await h.scheduler.configure(GUILD + n, CHANNEL, dtime(9), "Europe/Berlin", None)
    other = Recorder(h.clock)
    second = DailyScheduler(h.store, h.clock, other, lambda _t: POOL, rng=random.Random(9))
    second.start()
    try:
        await h.run_until(local("2024-06-01T09:00", BERLIN))
        async with asyncio.timeout(5):
            await second.wait_idle()
    finally:
        await second.stop()
    guilds = [j.guild_id for _, j in h.poster.calls] + [j.guild_id for _, j in other.calls]
    assert sorted(guilds) == [GUILD + n for n in range(20)]


async def test_status_reports_next_post_in_local_time_and_bag_progress(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-03-09T12:00", NY))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(2, 30), "America/New_York", None)
    status = await h.scheduler.status(GUILD, CHANNEL)
    assert status.next_post == local("2024-03-10T03:00", NY)
    assert status.next_post is not None and status.next_post.tzinfo == NY
    assert (status.posted_in_cycle, status.eligible) == (0, len(POOL))
    assert status.last_post is None and status.problem is None
    assert await h.scheduler.sample(GUILD, CHANNEL, None) in POOL
    empty = await h.scheduler.status(GUILD + 99, CHANNEL)
    assert empty.schedule is None and empty.next_post is None


async def test_warp_clock_runs_in_real_time_and_jumps_ahead_waking_sleepers() -> None:
    clock = WarpClock(max_nap=0.05)
    start = clock.now()
    far = start + timedelta(hours=5)
    sleeper = asyncio.create_task(clock.sleep_until(far))
    near = asyncio.create_task(clock.sleep_until(start + timedelta(seconds=0.05)))
    await asyncio.wait_for(near, 2)  # real time still passes
    assert not sleeper.done()
    clock.advance(timedelta(hours=4, minutes=59))
    await asyncio.sleep(0.01)
    assert not sleeper.done()
    clock.set(far)
    await asyncio.wait_for(sleeper, 2)
    assert clock.now() >= far
    with pytest.raises(ValueError):
        clock.advance(-1)


async def test_a_broken_database_write_pauses_instead_of_spinning(
    make: Callable[[datetime], Harness],
) -> None:
    h = make(local("2024-06-01T08:00", BERLIN))
    await h.scheduler.configure(GUILD, CHANNEL, dtime(9), "Europe/Berlin", None)
    h.poster.script = [Retry("503")] * 100

    async def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    h.store.daily_retry = broken  # type: ignore[method-assign]
    await h.run_until(local("2024-06-01T09:10", BERLIN))
    # the claim's lease and the error pause space the attempts out: no hot loop
    assert 3 <= len(h.poster.calls) <= 10
    assert all(
        b - a >= timedelta(seconds=30)
        for a, b in zip(h.poster.times, h.poster.times[1:], strict=False)
    )
