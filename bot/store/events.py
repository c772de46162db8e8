"""Telling the other processes that share the database that something changed.

PostgreSQL's LISTEN/NOTIFY: `/admin reload` in one process notifies, every other process
refreshes its catalog from the database. SQLite is one process's file: nothing to tell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.store.base import MAIN, StoreBase
from bot.store.dialect import POSTGRESQL

RELOAD_CHANNEL = "quotebot_reload"
LISTEN = "listen"  # the lane whose connection only listens (asyncpg delivers to it)


class EventsStore(StoreBase):
    """`notify_reload` and `listen_reloads`."""

    async def notify_reload(self, fingerprint: str) -> bool:
        """Tell every listening process (this one too) that the stored corpus is now the one
        with `fingerprint`. False on SQLite, where no other process shares the database."""
        if self.kind != POSTGRESQL:
            return False
        await self._run(
            MAIN,
            "SELECT pg_notify(:channel, :payload)",
            {"channel": RELOAD_CHANNEL, "payload": fingerprint},
        )
        return True

    async def listen_reloads(self, callback: Callable[[str], Any]) -> bool:
        """Call `callback(fingerprint)` on the event loop for every `notify_reload`, from any
        process, until the store closes. False on SQLite (nothing will ever arrive)."""
        if self.kind != POSTGRESQL:
            return False
        lane = self._lane(LISTEN)
        await lane.connect()

        def deliver(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            callback(payload)

        await lane.driver.add_listener(RELOAD_CHANNEL, deliver)
        return True
