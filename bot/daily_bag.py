"""The daily post's no-repeat bag, without storage: which quote a schedule posts next."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Draw:
    quote_id: str
    reset: tuple[str, ...] = ()  # the pool's part of the bag to empty first: a new cycle


def draw(
    pool: Collection[str], used: Collection[str], rng: random.Random, last: str | None = None
) -> Draw | None:
    """A quote from `pool` not yet in the bag (`used`); when every one has been posted,
    a new cycle starts (without `last`, so the boundary never repeats back to back).

    The bag is the set of quotes posted in this cycle, so quotes removed from the data
    simply stop counting and new ones are eligible at once. A pool's ids are distinct.
    """
    used_set = set(used)
    if isinstance(pool, Sequence) and len(pool) > 2 * len(used_set) + 16:
        # Mostly unposted (a large corpus): draw until an unposted quote comes up, about
        # one try, instead of sorting and filtering a million ids (seconds on the loop).
        for _ in range(32):
            quote = pool[rng.randrange(len(pool))]
            if quote not in used_set:
                return Draw(quote)
    ids = sorted(set(pool))
    if not ids:
        return None
    remaining = [q for q in ids if q not in used_set]
    if remaining:
        return Draw(rng.choice(remaining))
    fresh = [q for q in ids if q != last] or ids
    return Draw(rng.choice(fresh), reset=tuple(ids))


def bag_progress(pool: Collection[str], used: Collection[str]) -> tuple[int, int]:
    """(posted this cycle, eligible in all) for the status line.

    `draw` and this walk the whole pool (a million ids at scale: ~0.4 s), so the scheduler
    calls both in a worker thread.
    """
    ids = set(pool)
    return sum(1 for quote in set(used) if quote in ids), len(ids)
