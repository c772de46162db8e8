"""Injectable time: the real clock, and a manual one for tests and the playground.

Code that schedules work asks a `Clock` for `now()` and awaits `sleep_until(when)`, so a
test (or `quotebot try`) can move time forward in one step and see what would have happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("the clock only deals in timezone-aware datetimes")
    return when.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return once `now() >= when` (at once if it already is)."""
        ...


class SystemClock:
    """Wall-clock time. Long sleeps are taken in naps so a wall-clock jump (NTP correction,
    a suspended laptop) delays a wake-up by at most one nap, never by hours."""

    def __init__(self, max_nap: float = 60.0) -> None:
        self.max_nap = max_nap

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime) -> None:
        when = _aware(when)
        while True:
            delay = (when - self.now()).total_seconds()
            if delay <= 0:
                return
            await asyncio.sleep(min(delay, self.max_nap))


class ManualClock:
    """Time that moves only when told to. `advance`/`set` wake every sleeper that is due.

    Sleepers are woken in deadline order; they run when the caller next yields to the loop.
    """

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        when = _aware(when)
        if when <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (when, next(self._order), future))
        await future

    def next_deadline(self) -> datetime | None:
        """The earliest instant someone is sleeping until, if anyone is."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)  # a cancelled sleeper
        return self._sleepers[0][0] if self._sleepers else None

    def set(self, when: datetime) -> None:
        """Jump to `when` (never backwards) and wake the sleepers that are due."""
        when = _aware(when)
        if when < self._now:
            raise ValueError(f"the clock does not go backwards ({when} < {self._now})")
        self._now = when
        while self._sleepers and self._sleepers[0][0] <= when:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by `delta` (seconds or a timedelta); returns the new now."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        self.set(self._now + step)
        return self._now

    async def run_until(self, end: datetime, settle: Callable[[], Awaitable[object]]) -> None:
        """Jump from deadline to deadline up to `end`, awaiting `settle()` first and after
        each jump, so every sleeper runs at exactly its instant."""
        await settle()
        while self._now < end:
            deadline = self.next_deadline()
            self.set(end if deadline is None or deadline > end else deadline)
            await settle()


class WarpClock:
    """Real time that can also jump ahead: for `quotebot try`.

    Everything keeps running in real time (a trivia round still lasts its 20 s), and
    `advance`/`set` skip forward at once (to see tomorrow's daily quote arrive now), waking
    every sleeper whose moment has come. It never goes back.
    """

    def __init__(self, max_nap: float = 60.0) -> None:
        self.max_nap = max_nap
        self.offset = timedelta(0)
        self._jumped = asyncio.Event()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def sleep_until(self, when: datetime) -> None:
        when = _aware(when)
        while True:
            delay = (when - self.now()).total_seconds()
            if delay <= 0:
                return
            with contextlib.suppress(TimeoutError):  # a nap ended: look at the time again
                await asyncio.wait_for(self._jumped.wait(), min(delay, self.max_nap))

    def advance(self, delta: timedelta | float) -> datetime:
        """Jump forward by `delta` (seconds or a timedelta); returns the new now."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("the clock does not go backwards")
        self.offset += step
        woken, self._jumped = self._jumped, asyncio.Event()
        woken.set()
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Jump to `when` (at least now): e.g. a minute before tomorrow's slot."""
        return self.advance(max(timedelta(0), _aware(when) - self.now()))
