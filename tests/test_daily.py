"""Daily quote core: times and zones, slots across DST in real zones, the bag and the clocks
(no Discord here). The scheduler itself is tests/test_daily_scheduler.py."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, SystemClock
from bot.daily_bag import bag_progress, draw
from bot.daily_claims import nonce_for
from bot.daily_time import (
    find_zone,
    first_slot,
    next_slot,
    parse_time,
    slot_after,
    slot_for,
    zone_choices,
)

NY, BERLIN, AUCKLAND = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Pacific/Auckland"),
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, tz: ZoneInfo, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz, fold=fold)


# --- parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", dtime(9)),
        ("9:05", dtime(9, 5)),
        ("21.30", dtime(21, 30)),
        (" 00:00 ", dtime(0)),
        ("23h59", dtime(23, 59)),
    ],
)
def test_parse_time_accepts_24h(text: str, expected: dtime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9am", "12:60", "", "noon", "1:2", "123:00"])
def test_parse_time_rejects_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM|00-23"):
        parse_time(text)


def test_zones_are_found_by_name_or_city_and_autocompleted() -> None:
    assert find_zone("europe/berlin") == "Europe/Berlin"
    assert find_zone("America/New York") == "America/New_York"
    assert find_zone("Auckland") == "Pacific/Auckland"
    assert find_zone("UTC") == "UTC"
    assert find_zone("Mars/Olympus") is None
    assert find_zone("../../etc/passwd") is None
    assert find_zone("") is None
    choices = zone_choices("new y")
    assert choices[0] == "America/New_York"
    assert zone_choices("berl")[0] == "Europe/Berlin"
    assert "Europe/Berlin" in zone_choices("") and len(zone_choices("")) <= 25
    assert all(len(c) <= 100 for c in zone_choices("a", limit=25))


# --- slots across DST -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected"),
    [
        # New York, spring forward 2024-03-10 02:00 -> 03:00: 02:30 does not exist -> 03:00 EDT
        (NY, "2024-03-10", "02:30", "2024-03-10T07:00"),
        (NY, "2024-03-10", "02:00", "2024-03-10T07:00"),
        (NY, "2024-03-10", "01:59", "2024-03-10T06:59"),
        (NY, "2024-03-10", "03:00", "2024-03-10T07:00"),
        (NY, "2024-03-10", "09:00", "2024-03-10T13:00"),
        (NY, "2024-03-09", "09:00", "2024-03-09T14:00"),
        # New York, fall back 2024-11-03 02:00 -> 01:00: 01:30 happens twice -> the first (EDT)
        (NY, "2024-11-03", "01:30", "2024-11-03T05:30"),
        (NY, "2024-11-04", "01:30", "2024-11-04T06:30"),
        # Berlin: last Sunday of March 02:00 -> 03:00, last Sunday of October 03:00 -> 02:00
        (BERLIN, "2024-03-31", "02:30", "2024-03-31T01:00"),
        (BERLIN, "2024-03-30", "02:30", "2024-03-30T01:30"),
        (BERLIN, "2024-10-27", "02:30", "2024-10-27T00:30"),
        (BERLIN, "2024-10-28", "02:30", "2024-10-28T01:30"),
        # Auckland: first Sunday of April 03:00 NZDT -> 02:00 NZST (02:30 twice),
        # last Sunday of September 02:00 NZST -> 03:00 NZDT (02:30 missing)
        (AUCKLAND, "2024-04-07", "02:30", "2024-04-06T13:30"),
        (AUCKLAND, "2024-04-08", "02:30", "2024-04-07T14:30"),
        (AUCKLAND, "2024-09-29", "02:30", "2024-09-28T14:00"),
        (AUCKLAND, "2024-09-28", "02:30", "2024-09-27T14:30"),
        (AUCKLAND, "2024-09-30", "02:30", "2024-09-29T13:30"),
    ],
)
def test_slot_for_dst_days(tz: ZoneInfo, day: str, at: str, expected: str) -> None:
    assert slot_for(date.fromisoformat(day), parse_time(at), tz) == utc(expected)


def test_a_skipped_day_has_no_slot_and_next_slot_moves_on() -> None:
    apia = ZoneInfo("Pacific/Apia")  # Samoa skipped 30 December 2011 entirely
    assert slot_for(date(2011, 12, 30), dtime(9), apia) is None
    day, instant = next_slot(date(2011, 12, 30), dtime(9), apia)
    assert day == date(2011, 12, 31)
    assert instant.astimezone(apia).replace(tzinfo=None) == datetime(2011, 12, 31, 9)


def test_a_gap_running_into_the_next_day_posts_before_it_not_on_the_next_day() -> None:
    nuuk = ZoneInfo("America/Nuuk")  # 2024-03-30 23:00 -> 2024-03-31 00:00
    instant = slot_for(date(2024, 3, 30), dtime(23, 30), nuuk)
    assert instant is not None
    assert instant.astimezone(nuuk).date() == date(2024, 3, 30)
    assert instant.astimezone(nuuk).strftime("%H:%M:%S") == "22:59:59"
    nxt = slot_for(date(2024, 3, 31), dtime(23, 30), nuuk)
    assert nxt is not None and nxt - instant > timedelta(hours=23)


@pytest.mark.parametrize("tz", [NY, BERLIN, AUCKLAND], ids=lambda z: z.key)
def test_every_day_of_a_year_has_exactly_one_slot_on_that_day(tz: ZoneInfo) -> None:
    """No skipped or doubled day, whatever the time: 366 days x times around transitions."""
    times = [dtime(h, m) for h in (0, 1, 2, 3, 9, 23) for m in (0, 30, 59)]
    for at in times:
        previous: datetime | None = None
        for n in range(366):
            day = date(2024, 1, 1) + timedelta(days=n)
            instant = slot_for(day, at, tz)
            assert instant is not None
            wall = instant.astimezone(tz)
            assert wall.date() == day
            if wall.time() != at:  # only in a spring-forward gap: the end of the gap
                assert wall.time() > at
                assert (wall - timedelta(seconds=1)).astimezone(tz).utcoffset() != wall.utcoffset()
            if previous is not None:
                assert timedelta(hours=22) < instant - previous < timedelta(hours=26)
            previous = instant


def test_first_slot_and_slot_after_semantics() -> None:
    at = dtime(9)
    before = local("2024-06-01T08:00", BERLIN)
    after = local("2024-06-01T10:00", BERLIN)
    assert first_slot(before, at, BERLIN)[0] == date(2024, 6, 1)
    assert first_slot(after, at, BERLIN)[0] == date(2024, 6, 2)  # no instant post on set
    # already posted today: moving the time later waits for tomorrow
    assert first_slot(before, dtime(12), BERLIN, taken=date(2024, 6, 1))[0] == date(2024, 6, 2)
    # after a post, the next day; a post that lands after midnight skips that day too
    assert slot_after(date(2024, 6, 1), after, at, BERLIN)[0] == date(2024, 6, 2)
    late = local("2024-06-02T00:00:30", BERLIN)
    assert slot_after(date(2024, 6, 1), late, at, BERLIN)[0] == date(2024, 6, 3)
    # a missed day catches up today, even when today's slot is already past
    day, instant = slot_after(
        date(2024, 6, 1), local("2024-06-03T10:00", BERLIN), at, BERLIN, catch_up=True
    )
    assert day == date(2024, 6, 3) and instant < local("2024-06-03T10:00", BERLIN)


def test_nonce_is_short_stable_and_distinct() -> None:
    g, c = 123456789012345678, 223456789012345678
    a = nonce_for(g, c, "2024-03-10")
    assert len(a) <= 25 and a == nonce_for(g, c, "2024-03-10")
    assert a != nonce_for(g, c, "2024-03-11")
    assert a != nonce_for(g + 1, c, "2024-03-10")
    assert a != nonce_for(g, c + 1, "2024-03-10")  # each channel's schedule has its own


# --- the bag ----------------------------------------------------------------------------


def _cycles(pool: list[str], cycles: int, rng: random.Random) -> list[str]:
    """Draw `cycles` times the pool's size, checking each draw; the quotes drawn."""
    used: set[str] = set()
    last = None
    seen: list[str] = []
    for _ in range(cycles * len(pool)):
        chosen = draw(pool, used, rng, last)
        assert chosen is not None and chosen.quote_id != last
        assert chosen.reset or chosen.quote_id not in used
        if chosen.reset:
            used -= set(chosen.reset)
        used.add(chosen.quote_id)
        seen.append(chosen.quote_id)
        last = chosen.quote_id
    for cycle in range(cycles):
        assert sorted(seen[cycle * len(pool) : (cycle + 1) * len(pool)]) == sorted(pool)
    return seen


def test_bag_posts_every_quote_before_any_repeats_and_never_back_to_back() -> None:
    _cycles([f"q{n}" for n in range(10)], 3, random.Random(7))


def test_a_large_bag_still_posts_every_quote_once_per_cycle() -> None:
    """A large pool is drawn from by sampling while little of it is posted; the cycle
    guarantees hold through the switch to the exact path near its end."""
    pool = [f"q{n:03d}" for n in range(300)]
    seen = _cycles(pool, 3, random.Random(3))
    assert len(set(seen[:100])) == 100 and seen[:100] != pool[:100]  # random, not in order


def test_bag_follows_the_data_removed_quotes_leave_new_ones_join() -> None:
    rng = random.Random(1)
    used = {"a", "b", "gone"}
    assert bag_progress(["a", "b", "c"], used) == (2, 3)
    chosen = draw(["a", "b", "c"], used, rng)
    assert chosen is not None and chosen.quote_id == "c" and not chosen.reset
    assert draw(["a", "b", "c", "new"], used | {"c"}, rng) == draw(["new"], set(), random.Random(0))
    assert draw([], used, rng) is None
    single = draw(["a"], {"a"}, rng, last="a")
    assert single is not None and single.quote_id == "a" and single.reset == ("a",)


# --- clocks ---------------------------------------------------------------------------------


async def test_manual_clock_wakes_sleepers_in_order_and_never_goes_back() -> None:
    clock = ManualClock(utc("2024-01-01T00:00"))
    woke: list[str] = []

    async def sleeper(name: str, when: datetime) -> None:
        await clock.sleep_until(when)
        woke.append(name)

    tasks = [
        asyncio.create_task(sleeper("late", utc("2024-01-01T02:00"))),
        asyncio.create_task(sleeper("early", utc("2024-01-01T01:00"))),
    ]
    await asyncio.sleep(0)
    assert clock.next_deadline() == utc("2024-01-01T01:00")
    clock.advance(timedelta(minutes=90))
    await asyncio.sleep(0)
    assert woke == ["early"]
    clock.set(utc("2024-01-01T02:00"))
    await asyncio.gather(*tasks)
    assert woke == ["early", "late"]
    with pytest.raises(ValueError):
        clock.set(utc("2023-12-31T00:00"))
    with pytest.raises(ValueError):
        clock.set(datetime(2025, 1, 1))
    await clock.sleep_until(utc("2000-01-01T00:00"))  # past: returns at once


async def test_system_clock_sleeps_in_naps_until_the_instant() -> None:
    clock = SystemClock(max_nap=0.01)
    target = clock.now() + timedelta(seconds=0.05)
    async with asyncio.timeout(60):  # a bound on a hang, not a speed test
        await clock.sleep_until(target)
    assert clock.now() >= target
