"""Crash safety of the running bot: SIGKILL during a daily post and during a trivia reveal,
many times (see tests/test_crash.py for how the kills are aimed and counted)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from crash_helpers import KILLS, ROOT, SEED, Forker, Run, answers, tries
from longmode import budget

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import start_bot, stop_bot
from bot.endpoints import apply_endpoints
from bot.recovery import check_database
from bot.settings import Settings

pytestmark = pytest.mark.usefixtures("quick_trivia_bank", "kills_landed")


DAILY_KILLS = budget(4, 12)
TRIVIA_KILLS = budget(4, 12)


# --- kill -9 during a daily post and a trivia reveal ------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
SLOT = datetime(2024, 6, 1, 9, 0, tzinfo=BERLIN)  # the daily post's time, the first day
T0 = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)
SEED_QUERY = "put all the money on the screen"


def bot_request(
    settings: Settings, emulator: DiscordEmulator, when: datetime, until: str
) -> list[str]:
    """The real bot in the child, against this test's emulator, its clock at `when`."""
    return [
        "bot",
        str(settings.db_path),
        str(settings.seeds_dir),
        str(settings.data_dir),
        emulator.api_url,
        emulator.gateway_url,
        emulator.token,
        when.isoformat(),
        until,
    ]


@contextlib.asynccontextmanager
async def running(
    emulator: DiscordEmulator, settings: Settings, when: datetime, **kwargs: Any
) -> AsyncIterator[QuoteBot]:
    """The real bot in this process, its clock at `when`."""
    bot = QuoteBot(settings, clock=ManualClock(when), sync_on_start=False, **kwargs)
    await start_bot(emulator, bot, timeout=60)  # bounds a hang; a busy machine is slow
    try:
        yield bot
    finally:
        await stop_bot(bot)
        apply_endpoints(None, None)


def daily_posts(emulator: DiscordEmulator, world: World, day: str) -> list[int]:
    return [
        m.id
        for m in emulator.messages(world.general, ephemeral=False)
        if m.embed and m.embed.get("footer", {}).get("text") == f"Daily quote · {day}"
    ]


async def kill_once(
    forker: Forker,
    request: list[str],
    n: int,
    aimed: Sequence[str],
    window: float,
    rng: random.Random,
    db: Path,
) -> tuple[str, Run]:
    """Run `n`: odd ones stop at each of `aimed` in turn and are killed there, even ones are
    killed a random moment (within `window` s) after the start. Checks the exit status and
    every page of the database; returns where the kill was aimed and the run."""
    if n % 2:
        at = aimed[n // 2 % len(aimed)]
        where, run = f"at {at}", await forker.run(request, at=at)
    else:
        delay = rng.uniform(0.0, window)
        where, run = "a moment after start", await forker.run(request, at="start", after=delay)
    assert run.code in (0, -signal.SIGKILL), forker.log.read_text()[-2000:]
    assert await check_database(db) is None
    return where, run


def crash_settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    return Settings(db_path=tmp_path / "q.db", seeds_dir=ROOT / "seeds", data_dir=data)


async def test_sigkill_during_a_daily_post_and_the_next_start_posts_it_once(
    tmp_path: Path, forker: Forker, emulator: DiscordEmulator, world: World
) -> None:
    """Killed between the claim and the record (before or after the send), or at a random
    moment: the next start posts that day's quote exactly once and records it."""
    settings = crash_settings(tmp_path)
    async with running(emulator, settings, SLOT - timedelta(hours=1)) as bot:
        await bot.sync_commands(world.guild.id)
        options = {"channel": world.general, "time": "09:00", "timezone": "Europe/Berlin"}
        handle = await emulator.slash("daily", options, subcommand="set", user=world.moderator)
        assert "Daily quote set" in (await handle.wait_original(timeout=60)).content
    # A clean post, for how long a run takes (only to spread the random kills).
    window = await forker.timed(bot_request(settings, emulator, SLOT, "recorded"))
    assert len(daily_posts(emulator, world, SLOT.date().isoformat())) == 1

    rng = random.Random(SEED + 2)
    outcomes: Counter[str] = Counter()
    kills = n = 0
    while kills < DAILY_KILLS:
        n += 1
        assert n <= tries(DAILY_KILLS), f"only {kills} kills landed: {outcomes}"
        when = SLOT + timedelta(days=n, minutes=1)
        day = when.date().isoformat()
        request = bot_request(settings, emulator, when, "recorded")
        # Claimed (nothing sent yet), or sent and about to be recorded; or anywhere.
        where, run = await kill_once(
            forker, request, n, ["claimed", "recording"], window, rng, settings.db_path
        )
        kills += run.killed
        sent = len(daily_posts(emulator, world, day))
        # The next start: a little later, as a restart takes a moment.
        async with running(emulator, settings, when + timedelta(minutes=5)) as bot:
            scheduler = bot.get_cog("Daily").scheduler  # type: ignore[union-attr]
            async with asyncio.timeout(60):
                await scheduler.wait_idle()
            posts = daily_posts(emulator, world, day)
            assert len(posts) == 1, f"day {day}, killed {where}: {len(posts)} posts"
            record = await bot.library.store.daily_post(world.guild.id, world.general.id, day)
            assert record is not None and record.status == "posted", record
            assert record.message_id == posts[0]
            await answers(emulator, world, SEED_QUERY)
        result = (
            "finished"
            if not run.killed
            else "sent, recorded by the restart"
            if sent
            else "posted by the restart"
        )
        outcomes[f"{where}: {result}"] += 1
    KILLS["daily post"] = kills
    print(f"\ndaily post: {kills} SIGKILLs in {n} runs: {dict(outcomes)}")
    assert any("sent, recorded" in k for k in outcomes) and any("posted by" in k for k in outcomes)


async def test_sigkill_during_a_trivia_reveal_and_the_round_is_scored_once(
    tmp_path: Path, forker: Forker, emulator: DiscordEmulator, world: World
) -> None:
    """A round is asked and answered, the bot stops; the next start reveals it and is
    killed before scoring, after scoring (message not yet revealed) or at a random moment.
    The start after that: the round is over, the answer counted exactly once, the message
    revealed (by the restart, or by the next click on its stale buttons)."""
    settings = crash_settings(tmp_path)
    player = emulator.create_user("player")
    emulator.add_member(world.guild, player)

    async def asked(start: datetime) -> tuple[int, int]:
        """A round on a bot that then stops: (round id, message id)."""
        async with running(emulator, settings, start, rng=random.Random(start.hour)) as bot:
            if not emulator.commands.get(world.guild.id):
                await bot.sync_commands(world.guild.id)
            handle = await emulator.slash("trivia", {}, subcommand="play", user=world.owner)
            message = await handle.wait_original(lambda m: bool(m.buttons), timeout=60)
            store = bot.library.store
            async with asyncio.timeout(60):  # the message id is recorded just after the send
                while (round_ := await store.trivia_active_round(world.general.id)) is None or (  # noqa: ASYNC110 - a database row has no change event
                    round_.message_id != message.id
                ):
                    await asyncio.sleep(0.01)
            pressed = await emulator.click(
                message, f"qb:tv:{round_.id}:{round_.correct}", user=player
            )
            assert "✅" in str((await pressed.response(timeout=60)).data.get("content"))
        return round_.id, message.id

    def revealed(message_id: int) -> bool:
        found = emulator.get_message(message_id)
        return found is not None and all(b.get("disabled") for b in found.buttons)

    rng = random.Random(SEED + 3)
    outcomes: Counter[str] = Counter()
    window = 0.0
    kills = n = 0
    while kills < TRIVIA_KILLS:
        n += 1
        assert n <= tries(TRIVIA_KILLS) + 1, f"only {kills} kills landed: {outcomes}"
        start = T0 + timedelta(hours=n)
        round_id, message_id = await asked(start)
        request = bot_request(settings, emulator, start + timedelta(minutes=1), "revealed")
        if n == 1:  # a clean reveal first, for how long a run takes
            where, window, run = "clean", await forker.timed(request), Run(0, [])
        else:  # before the scoring transaction, or scored but not yet revealed; or anywhere
            where, run = await kill_once(
                forker, request, n, ["ending", "ended"], window, rng, settings.db_path
            )
        kills += run.killed
        async with running(emulator, settings, start + timedelta(minutes=2)) as bot:
            store = bot.library.store
            async with asyncio.timeout(60):  # the restart resumes and finishes the round
                while (  # noqa: ASYNC110 - a database row has no change event
                    found := await store.trivia_round(round_id)
                ) is None or found.status == "active":
                    await asyncio.sleep(0.01)
            assert found.status == "finished", found
            score = await store.trivia_score(world.guild.id, player.id)
            assert score is not None and (score.answered, score.correct) == (n, n), score
            how = "revealed"
            if not revealed(message_id):  # scored before the kill, never edited
                how = "revealed by the next click"
                click = await emulator.click(message_id, f"qb:tv:{round_id}:0", user=world.owner)
                await click.response(timeout=60)
            await emulator.wait_until(lambda m=message_id: revealed(m), 60, what="the reveal")
            await answers(emulator, world, SEED_QUERY)
        outcomes[f"{where}: {how}" if run.killed else f"finished: {how}"] += 1
    KILLS["trivia reveal"] = kills
    print(f"\ntrivia reveal: {kills} SIGKILLs in {n} runs: {dict(outcomes)}")
