"""Stopping a question-bank build: the bot is shutting down and a build over a large
corpus must not hold up the exit."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar


class BankBuildStopped(Exception):
    """A question-bank build was asked to stop before it finished."""


def check_stop(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise BankBuildStopped


STOP_EVERY = 1024
"""Items (answers, sentences, question slots) a build handles between two looks at `stop`:
well under a second of work, so a stopped build ends about that soon."""

T = TypeVar("T")


def checked(items: Iterable[T], stop: threading.Event | None) -> Iterator[T]:
    """`items`, raising BankBuildStopped before every STOP_EVERY-th once `stop` is set.

    Every loop of a build over the corpus goes through this, so none runs on after a stop.
    """
    if stop is None:
        yield from items
        return
    for n, item in enumerate(items):
        if not n % STOP_EVERY:
            check_stop(stop)
        yield item
