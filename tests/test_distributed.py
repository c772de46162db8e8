"""Two real bot processes (`python -m bot`, SHARD_COUNT=2, SHARD_IDS 0 and 1) on one database
(a SQLite file, and a real PostgreSQL) against the emulator in this test: 100 guilds with a
daily post due at the same instant get exactly 100 posts, none twice, also when one process
is SIGKILLed mid-round and restarted; a trivia round resumes after its process is killed.

The emulator answers every message post after a short delay (the message exists at once), so
a round of 50 posts takes long enough to be killed in the middle of (the test checks it was:
some of that process's posts were out, not all), and the kill lands while a post is out but
not yet answered. The processes share nothing but the database; the (guild, day)
claim and the post's nonce are what keep each guild to one post.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from storefixtures import store_target
from test_daily_e2e import daily_posts
from test_shutdown import ROOT, BotProcess, Spawn, spawn

from bot.daily_time import day_key
from bot.emulator import Channel, DiscordEmulator, Guild, shard_of
from bot.library import ensure_loaded, open_library
from bot.settings import Settings

__all__ = ["spawn", "store_target"]  # test_shutdown's process launcher; SQLite and PostgreSQL

GUILDS = 100
COUNT = 2
POST_DELAY = 0.2  # seconds the emulator takes to answer each message post
MESSAGES = r"/channels/\d+/messages"


@dataclass
class Fleet:
    emu: DiscordEmulator
    env: dict[str, str]
    places: list[tuple[Guild, Channel]]

    @property
    def settings(self) -> Settings:
        """What the processes read from their environment (the database among it).

        With a postgresql:// URL the local caches go beside the default `data/quotebot.db`,
        relative to the working directory: the processes' is the test's temp dir, and so is
        this process's here (not the repository's data/)."""
        settings = Settings.from_env(self.env, env_file=None)
        if settings.db_url is None:
            return settings
        return replace(settings, db_path=Path(self.env["QUOTEBOT_DATA_DIR"]) / "quotebot.db")

    def env_for(self, shard_id: int) -> dict[str, str]:
        return {**self.env, "SHARD_COUNT": str(COUNT), "SHARD_IDS": str(shard_id)}

    def posted(self, shard_id: int | None = None) -> int:
        """Channels (of `shard_id`'s guilds, or all) with at least one daily post."""
        return sum(
            1
            for guild, channel in self.places
            if shard_id in (None, shard_of(guild.id, COUNT)) and daily_posts(self.emu, channel)
        )

    async def serving(self, shard_id: int, proc: BotProcess, timeout: float = 90.0) -> None:
        """Wait until `proc`'s session for `shard_id` is connected (READY sent)."""

        await self.emu.wait_until(
            lambda: alive(proc) and shard_id in self.emu.gateway.shards(),
            timeout,
            what=f"shard {shard_id} to connect",
        )


def alive(proc: BotProcess) -> bool:
    """True while `proc` runs; its log in the failure when it has exited."""
    if proc.proc.returncode is not None:
        raise AssertionError(f"the bot exited ({proc.proc.returncode}):\n{proc.log[-3000:]}")
    return True


@pytest.fixture
async def fleet(
    tmp_path: Path, store_target: str | Path, prebuilt_env: Callable[[dict[str, str]], None]
) -> AsyncIterator[Fleet]:
    token = "MTE" + secrets.token_urlsafe(56)
    async with DiscordEmulator(token=token, recommended_shards=COUNT) as emu:
        places = []
        for n in range(GUILDS):
            guild = emu.create_guild(f"guild {n}", shard=(n % COUNT, COUNT))
            places.append((guild, emu.create_text_channel(guild, "general")))
        data = tmp_path / "data"
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("QUOTEBOT_", "DISCORD_", "SHARD_"))
        }
        env.update(
            DISCORD_TOKEN=token,
            DISCORD_API_URL=emu.api_url,
            DISCORD_GATEWAY_URL=emu.gateway_url,
            QUOTEBOT_DB=str(store_target),  # a SQLite file or a postgresql:// URL
            QUOTEBOT_SEEDS_DIR=str(ROOT / "seeds"),
            QUOTEBOT_DATA_DIR=str(data),
            LOG_LEVEL="INFO",
        )
        prebuilt_env(env)  # SQLite: the load `prepare` makes is the session's, copied
        yield Fleet(emu, env, places)
        assert not emu.take_violations()


def zone_at_midday(now: float) -> ZoneInfo:
    """A fixed-offset zone in which `now` is about noon, so a post due now is due on the
    same local day whenever the test runs (UTC would roll over near midnight)."""
    offset = 12 - datetime.fromtimestamp(now, UTC).hour  # -11 .. +12 hours from UTC
    return ZoneInfo(f"Etc/GMT{-offset:+d}")  # POSIX-style names: the sign is inverted


async def prepare(fleet: Fleet, *, due_now: bool = False) -> None:
    """Load the data once (as `quotebot load` would), so the processes start on a loaded
    database; with `due_now`, every guild has a daily post due from this moment on (the
    processes post it as soon as they have started)."""
    library = await open_library(fleet.settings)
    try:
        outcome = await ensure_loaded(library)
        assert outcome is None or outcome.ok
        if not due_now:
            return
        now = time.time()
        tz = zone_at_midday(now)
        local = datetime.fromtimestamp(int(now), tz)
        day, at = day_key(local.date()), local.strftime("%H:%M")
        for guild, channel in fleet.places:
            await library.store.daily_put(
                guild.id, channel.id, at, tz.key, None, int(now), day, int(now), None
            )
    finally:
        await library.store.close()


async def test_two_processes_post_each_guild_once_even_when_one_is_killed_mid_round(
    fleet: Fleet, spawn: Spawn
) -> None:
    emu = fleet.emu
    # Each post takes effect at once but is answered late: a kill leaves one that Discord
    # has and the process never heard of, which the restarted process must not post again.
    emu.inject_rest_fault("POST", MESSAGES, 200, count=10_000, answer_delay=POST_DELAY)
    await prepare(fleet, due_now=True)  # each process posts its guilds' as soon as it is up
    first = await spawn(fleet.env_for(0))
    second = await spawn(fleet.env_for(1))

    # Kill process 1 (shard 0) in the middle of its round.
    await emu.wait_until(
        lambda: alive(first) and fleet.posted(0) >= 6, 120, what="process 1's first posts"
    )
    first.proc.kill()
    await first.proc.wait()
    at_kill = fleet.posted(0)
    assert 0 < at_kill < GUILDS // COUNT, "the kill was not mid-round"

    restarted = await spawn(fleet.env_for(0))
    await fleet.serving(0, restarted)
    await fleet.serving(1, second)
    await emu.wait_until(lambda: fleet.posted() == GUILDS, 120, what="all 100 posts")
    # Nothing is still on its way: every day is recorded as posted, by one process or other.
    await settle_all(fleet)

    counts = [len(daily_posts(emu, channel)) for _, channel in fleet.places]
    assert counts == [1] * GUILDS, f"{sum(counts)} posts in {GUILDS} channels"
    resent = len(emu.requests_to("POST", MESSAGES)) - GUILDS
    checked = len(emu.requests_to("GET", MESSAGES))  # a restart's look for an unanswered post
    print(f"\nkilled after {at_kill} of 50 posts; {checked} history check(s), {resent} re-sends")
    for proc in (second, restarted):
        proc.proc.terminate()
        assert await proc.finish(30) == 0


async def settle_all(fleet: Fleet, timeout: float = 60.0) -> None:
    """Wait until the database records every guild's post as 'posted'."""
    from bot.store import Store

    store = await Store.open(fleet.settings.db_target)
    try:
        async with asyncio.timeout(timeout):
            while True:
                statuses = [await store.daily_last_post(g.id, c.id) for g, c in fleet.places]
                if all(s is not None and s.status == "posted" for s in statuses):
                    return
                await asyncio.sleep(0.2)
    finally:
        await store.close_lanes()
        await store.close()


# SQLite only: a SIGKILLed process's SQLite database (its WAL) is what the restart must
# recover, whereas PostgreSQL's server outlives the killed client. Resuming a round from a
# PostgreSQL database in another process is test_shards_e2e's
# test_trivia_rounds_resume_only_in_their_own_process[postgresql].
@pytest.mark.parametrize("store_target", ["sqlite"], indirect=True)
async def test_a_trivia_round_resumes_after_its_process_is_killed(
    fleet: Fleet, spawn: Spawn
) -> None:
    """A round in process 2's guild: an answer, SIGKILL, restart, and the restarted process
    reveals the round with the answer given before the kill."""
    emu = fleet.emu
    await prepare(fleet)
    second = await spawn(fleet.env_for(1))  # shard 0's process plays no part here
    await fleet.serving(1, second)
    _, channel = next(p for p in fleet.places if shard_of(p[0].id, COUNT) == 1)
    # The shortest round there is: the kill below comes a click after the question, far
    # within it (checked: the round is still open when the process dies).
    settings = await emu.slash("trivia-settings", {"round_seconds": 5}, channel=channel)
    changed = await settings.wait_original(timeout=60.0)
    assert "rounds last 5 s" in changed.content + json.dumps(changed.embeds), changed.content
    handle = await emu.slash("trivia play", {}, channel=channel)
    message = await handle.wait_original(lambda m: bool(m.buttons), timeout=60.0)
    click = await emu.click(message, message.buttons[0]["custom_id"])
    await click.response()

    second.proc.kill()
    await second.proc.wait()

    def revealed() -> bool:
        found = emu.get_message(message.id)
        return found is not None and all(b.get("disabled") for b in found.buttons)

    assert not revealed(), "the killed process revealed the round itself"
    restarted = await spawn(fleet.env_for(1))
    await fleet.serving(1, restarted)
    assert "replaced" in [r.kind for r in emu.gateway_log]  # the dead session, by the new one
    await emu.wait_until(revealed, 60.0, what="the reveal by the restarted process")
    final = emu.get_message(message.id)
    assert final is not None and final.embed is not None
    assert f"<@{emu.owner.id}>" in json.dumps(final.embed)  # the answer from before the kill
    restarted.proc.terminate()
    assert await restarted.finish(30) == 0
