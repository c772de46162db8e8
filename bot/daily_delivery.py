"""What the daily scheduler hands its poster (a job) and what the poster answers: the
post went out, the schedule must pause, try again later, give the day up, or draw again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DailyJob:
    guild_id: int
    channel_id: int
    day: str
    quote_id: str
    nonce: str
    claimed_at: datetime
    attempt: int  # 1 for a fresh claim; more means an earlier attempt may have gone out
    topic: str | None = None
    mention_role_id: int | None = None  # the opted-in role the post mentions
    thread: bool = False  # open a thread on the post

    @property
    def recovering(self) -> bool:
        return self.attempt > 1


@dataclass(frozen=True, slots=True)
class Posted:
    """The post is out. `note` says what of the extras (mention, thread) could not be done:
    they never hold the post back."""

    message_id: int
    thread_id: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Gone:
    """Cannot post as configured (channel deleted, permission lost): pause the schedule."""

    reason: str


@dataclass(frozen=True, slots=True)
class Retry:
    """Transient (Discord down, timeouts): try again later with the same claim and nonce."""

    reason: str


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Cannot tell whether an earlier attempt went out: give the day up, never post twice."""

    reason: str


@dataclass(frozen=True, slots=True)
class Redraw:
    """Nothing went out, and the claimed quote cannot be posted (a reload removed it):
    release the claim and draw another quote shortly."""

    reason: str


PostResult = Posted | Gone | Retry | GiveUp | Redraw
Poster = Callable[[DailyJob], Awaitable[PostResult]]
