"""The search lane: bounded worker threads, newest-only autocomplete per member."""

from __future__ import annotations

import asyncio
import threading

from bot.lane import SearchLane


async def test_runs_in_a_worker_thread_at_most_width_at_once() -> None:
    lane = SearchLane(width=2)
    release = threading.Event()
    running = 0
    most = 0
    lock = threading.Lock()

    def work(n: int) -> tuple[int, str]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(10)
        with lock:
            running -= 1
        return n, threading.current_thread().name

    tasks = [asyncio.ensure_future(lane.run(work, n)) for n in range(6)]
    while running < 2:  # noqa: ASYNC110 - two have started; the other four wait on the loop
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert running == 2
    release.set()
    results = await asyncio.gather(*tasks)
    assert [n for n, _ in results] == list(range(6))
    assert most == 2
    assert all(name != threading.main_thread().name for _, name in results)


async def test_autocomplete_overtaken_while_waiting_is_skipped_newest_runs() -> None:
    lane = SearchLane(width=1)
    release = threading.Event()
    ran: list[str] = []

    def busy() -> None:
        release.wait(10)

    def suggest(text: str) -> str:
        ran.append(text)
        return text.upper()

    blocker = asyncio.ensure_future(lane.run(busy))
    await asyncio.sleep(0.01)
    # Member 1 types three keystrokes while the lane is busy; member 2 types one.
    first = asyncio.ensure_future(lane.latest(1, suggest, "ca"))
    second = asyncio.ensure_future(lane.latest(1, suggest, "cat"))
    other = asyncio.ensure_future(lane.latest(2, suggest, "dog"))
    third = asyncio.ensure_future(lane.latest(1, suggest, "cats"))
    await asyncio.sleep(0.01)
    assert lane.waiting == 2
    release.set()
    await blocker
    assert await first is None
    assert await second is None
    assert await third == "CATS"
    assert await other == "DOG"
    assert sorted(ran) == ["cats", "dog"]
    assert lane.skipped == 2
    assert lane.waiting == 0  # members are forgotten once nothing of theirs waits


async def test_a_failing_search_frees_its_slot_and_its_member() -> None:
    lane = SearchLane(width=1)

    def broken(_: str) -> str:
        raise ValueError("bad")

    for _ in range(3):
        try:
            await lane.latest(7, broken, "x")
        except ValueError:
            pass
        else:  # pragma: no cover - the search raised
            raise AssertionError("the error was swallowed")
    assert lane.waiting == 0
    assert await lane.run(str.upper, "ok") == "OK"
