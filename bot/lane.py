"""The search lane: where the bot's CPU-bound searches run, off the event loop.

Searches (``/quote``, autocomplete) are pure Python and numpy: run on the event loop they
stall every other member's interaction, and run in as many threads as there are requests
they only fight over the interpreter lock while the queue of half-done work grows. The lane
runs at most ``width`` of them at once in worker threads; the rest wait their turn on the
loop, where waiting costs nothing.

Autocomplete is special: Discord sends a request per pause in typing and the member's
client shows only the answer to the newest one. :meth:`SearchLane.latest` skips (returns
None) a request that a newer one from the same member overtook while it waited, so a busy
bot spends its time on what members will actually see.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["SearchLane", "default_width"]

T = TypeVar("T")


def default_width() -> int:
    """One search per core, between 1 and 4."""
    return max(1, min(4, os.cpu_count() or 1))


class SearchLane:
    """At most `width` searches at once in worker threads; newest-only autocomplete."""

    def __init__(self, width: int | None = None) -> None:
        self.width = width or default_width()
        self._slots = asyncio.Semaphore(self.width)
        self._newest: dict[Hashable, int] = {}
        self._tickets = 0
        self.skipped = 0  # requests overtaken while they waited (for logs and tests)

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """`func(*args)` in a worker thread once a slot is free."""
        async with self._slots:
            return await asyncio.to_thread(func, *args)

    async def latest(self, key: Hashable, func: Callable[..., T], *args: Any) -> T | None:
        """Like :meth:`run`, but None if a newer call with the same `key` came meanwhile."""
        self._tickets += 1
        ticket = self._newest[key] = self._tickets
        try:
            async with self._slots:
                if self._newest.get(key) != ticket:
                    self.skipped += 1
                    return None
                return await asyncio.to_thread(func, *args)
        finally:
            if self._newest.get(key) == ticket:
                del self._newest[key]  # nothing newer is waiting: forget the member

    @property
    def waiting(self) -> int:
        """Members with an autocomplete request queued or running."""
        return len(self._newest)
