"""Local time for the daily quote: parsing `HH:MM` and zone names, and the wall-clock slots.

A slot is the UTC instant a local `HH:MM` falls on a given local day; DST gaps and folds are
resolved here (see `slot_for`), so the scheduler only ever deals in UTC epochs and day keys.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

COMMON_ZONES = (  # offered before anything is typed
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Singapore",
    "Asia/Dubai",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Asia/Jakarta",
)
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.hH]\s*(\d{2})\s*$")


# --- parsing ------------------------------------------------------------------------


def parse_time(text: str) -> dtime:
    """A 24-hour "HH:MM" (also "9:05", "21.30", "21h30"), or ValueError saying what is wrong."""
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"“{text[:20]}” is not a time: use 24-hour HH:MM, like 09:00 or 21:30.")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text[:20]}” is not a time of day: hours go 00-23, minutes 00-59.")
    return dtime(hour, minute)


def format_time(at: dtime) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    names = {n for n in available_timezones() if "/" in n or n == "UTC"}
    names -= {n for n in names if n.startswith(("Etc/", "SystemV/", "posix/", "right/"))}
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def _zone_index() -> dict[str, str]:
    return {_zone_key(n): n for n in available_timezones()}


def _zone_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip()).casefold()


def find_zone(text: str) -> str | None:
    """The canonical IANA name for `text` ("europe/berlin", "America/New York"), or None."""
    key = _zone_key(text)
    if not key:
        return None
    name = _zone_index().get(key)
    if name is None:  # a bare city: "Berlin", "new york"
        hits = [n for n in _zone_names() if _zone_key(n.rsplit("/", 1)[-1]) == key]
        name = hits[0] if len(hits) == 1 else None
    return name


def zone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: names starting with the text, then city matches, then any."""
    key = _zone_key(prefix)
    names = _zone_names()
    if not key:
        return [n for n in COMMON_ZONES if n in names][:limit]
    starts = [n for n in names if _zone_key(n).startswith(key)]
    cities = [
        n for n in names if n not in starts and _zone_key(n.rsplit("/", 1)[-1]).startswith(key)
    ]
    contains = [n for n in names if key in _zone_key(n) and n not in starts and n not in cities]
    return [*starts, *cities, *contains][:limit]


def zone(name: str) -> ZoneInfo:
    """The zone for a stored name; ValueError when this system does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


# --- slots --------------------------------------------------------------------------


def epoch(instant: datetime) -> int:
    """Whole UTC seconds (floor), the unit `next_due` is stored in."""
    return int(instant.timestamp() // 1)


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def day_key(day: date) -> str:
    return day.isoformat()


def _wall(seconds: int, tz: ZoneInfo) -> datetime:
    return from_epoch(seconds).astimezone(tz).replace(tzinfo=None)


def slot_for(day: date, at: dtime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of `day`'s slot, or None when `day` has no valid instant at or after
    `at` (only when the whole day, or its end, was skipped)."""
    wall = datetime.combine(day, at)
    first = epoch(wall.replace(tzinfo=tz, fold=0))
    second = epoch(wall.replace(tzinfo=tz, fold=1))
    if _wall(first, tz) == wall:
        return from_epoch(first)  # exists; when ambiguous, fold=0 is the first occurrence
    # In a gap: the transition lies between the two readings. Find the first second whose
    # wall time is at or after the chosen time: the next valid instant.
    lo, hi = min(first, second), max(first, second)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(mid, tz) >= wall:
            hi = mid
        else:
            lo = mid
    if _wall(hi, tz).date() == day:
        return from_epoch(hi)
    # The gap runs past midnight: the last instant before it still belongs to `day`.
    if _wall(lo, tz).date() == day:
        return from_epoch(lo)
    return None


def next_slot(first_day: date, at: dtime, tz: ZoneInfo) -> tuple[date, datetime]:
    """The first day on or after `first_day` that has a slot, and that slot."""
    day = first_day
    for _ in range(4):  # at most one day in a row ever went missing
        instant = slot_for(day, at, tz)
        if instant is not None:
            return day, instant
        day += timedelta(days=1)
    raise ValueError(f"no valid {format_time(at)} in {tz.key} around {first_day}")


def first_slot(
    now: datetime, at: dtime, tz: ZoneInfo, taken: date | None = None
) -> tuple[date, datetime]:
    """The first slot strictly after `now` on a day after `taken` (a day already posted)."""
    day = local_day(now, tz)
    if taken is not None and taken >= day:
        day = taken + timedelta(days=1)
    while True:
        day, instant = next_slot(day, at, tz)
        if instant > now:
            return day, instant
        day += timedelta(days=1)


def slot_after(
    day: date, now: datetime, at: dtime, tz: ZoneInfo, *, catch_up: bool = False
) -> tuple[date, datetime]:
    """The slot that follows `day` once it is settled at `now`.

    After a post: the day after both `day` and today, so a post that lands after midnight
    still leaves one post per local calendar day. After a day with no post (`catch_up`):
    today when `day` is over, whose slot may be past already: catch-up posts once, late.
    """
    today = local_day(now, tz)
    if catch_up:
        return next_slot(max(day + timedelta(days=1), today), at, tz)
    return next_slot(max(day, today) + timedelta(days=1), at, tz)
