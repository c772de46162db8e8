"""Crash safety: SIGKILL during a load, an import, a daily post and a trivia reveal, many
times; and what start-up does with a database file it cannot use.

After every kill the database must pass `PRAGMA integrity_check`, hold the old data or the
new data completely (compared with digests of both, taken from clean runs), and the real
bot must start on it and answer /quote through the emulator. The kills are seeded, so a
failure replays.

The child announces the points it reaches (tests/crash_child.py); about half the kills stop
it at one of them and kill it there, so they land where they were aimed however busy the
machine is, and the rest let it run on and kill it a random moment later. Each test goes on
until it has the kills it needs (the bound is on tries, never on time). With
``QUOTEBOT_FUZZ=long`` the tests kill more than 50 times in all; ``-s`` prints the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from longmode import LONG, budget

from bot import cli
from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import start_bot, stop_bot
from bot.endpoints import apply_endpoints
from bot.library import open_library
from bot.recovery import check_database, mark_running
from bot.settings import Settings
from bot.store import Store
from bot.trivia import TriviaBank

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("crash_child.py")
SEED = 20241125
LOAD_KILLS = budget(10, 40)  # 5 aimed points, each killed at least once, and as many at random
IMPORT_KILLS = budget(6, 15)
DAILY_KILLS = budget(4, 12)
TRIVIA_KILLS = budget(4, 12)


KILLS: Counter[str] = Counter()
"""SIGKILLs that landed, per test (printed at the end of the module)."""


def tries(kills: int) -> int:
    """The bound on runs to get `kills`: every other run is killed at a point it stopped at,
    which always lands, so this is never reached unless kills stop landing."""
    return 3 * kills + 10


FIRST = "Ann Ben Cara Dev Eli Fay Gus Hana Ivo Jun Kai Lena Milo Nora Omar Pia".split()
LAST = "Lee Park Moreau Silva Novak Costa Berg Ito Okafor Haas Lund Rossi Adler Vance".split()
WORDS = (
    "film camera light scene actor money budget story city night river winter studio edit "
    "sound music color frame crew festival audience script dream street family friend train "
    "window ocean memory silence rhythm shadow theatre dance paper mirror garden"
).split()


# --- synthetic transcripts ----------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + rng.choice(".!.")


def transcript(rng: random.Random, tag: str, answers: int) -> str:
    """An interview whose every answer ends with a findable marker: `Marker <tag> <n>.`"""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    lines = [f"{first} {last} on {tag}", f"We spoke with {first} {last} about {tag}."]
    for n in range(answers):
        lines.append(f"{_sentence(rng)[:-1]}, and why?")
        who = f"{first} {last}" if n == 0 else last
        body = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        lines.append(f"{who}: {body} Marker {tag} {n}.")
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, tag: str, count: int, answers: int = 25) -> None:
    rng = random.Random(f"{SEED}-{tag}")
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"{tag}{n}.txt").write_text(
            transcript(rng, f"{tag}{n}", answers), encoding="utf-8"
        )


# --- the fork server and what a kill leaves ------------------------------------------------


@dataclass
class Run:
    """One child's run: its exit status (-9 when killed) and the checkpoints it reached."""

    code: int
    reached: list[str]

    @property
    def killed(self) -> bool:
        return self.code == -signal.SIGKILL


def _state(pid: int) -> str:
    """The process's state letter (T: stopped); "X" once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "X"


async def _stopped(pid: int) -> None:
    """Until the child has stopped itself (SIGSTOP) after announcing a checkpoint."""
    async with asyncio.timeout(60):  # a generous bound: it stops right after announcing
        while _state(pid) not in ("T", "t", "Z", "X"):  # noqa: ASYNC110 - no event for it
            await asyncio.sleep(0.001)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@dataclass
class Forker:
    """tests/crash_child.py: runs a code path in a fresh child, which we may SIGKILL."""

    proc: asyncio.subprocess.Process
    log: Path

    async def run(
        self, request: Sequence[str], *, at: str | None = None, after: float | None = None
    ) -> Run:
        """Run `request` in a fresh child. With `at`, the child stops at that checkpoint
        and is killed there (`after` None), or continued and killed `after` seconds later
        unless it has finished by then. A child that never reaches `at` just finishes."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        message = [request[0], str(self.log), [at] if at else [], *request[1:]]
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        await self.proc.stdin.drain()
        pid = int(await self.proc.stdout.readline())
        reached: list[str] = []
        timer: asyncio.TimerHandle | None = None
        async with asyncio.timeout(120):  # a bound on a hang, not on how fast the child is
            while (line := (await self.proc.stdout.readline()).decode()).startswith("at "):
                reached.append(line[3:].strip())
                if reached[-1] != at or reached.count(at) > 1:
                    continue
                if after is None:
                    _kill(pid)
                else:
                    await _stopped(pid)
                    os.kill(pid, signal.SIGCONT)
                    timer = asyncio.get_running_loop().call_later(after, _kill, pid)
        if timer is not None:
            timer.cancel()
        return Run(int(line), reached)

    async def timed(self, request: Sequence[str]) -> float:
        started = time.perf_counter()
        run = await self.run(request)
        assert run.code == 0, self.log.read_text(encoding="utf-8")[-2000:]
        return time.perf_counter() - started


@pytest.fixture
async def forker(tmp_path: Path) -> AsyncIterator[Forker]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "DISCORD_"))}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # no threads to fork around
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    yield Forker(proc, tmp_path / "child.log")
    assert proc.stdin is not None
    proc.stdin.close()
    async with asyncio.timeout(10):
        await proc.wait()


@dataclass(frozen=True)
class Snapshot:
    """Everything a load writes, comparable: interviews, quotes, topics, curated trivia."""

    interviews: frozenset[tuple[str, str]]
    passages: frozenset[str]
    topics: frozenset[tuple[str, tuple[str, ...]]]
    trivia: frozenset[str]
    ids: frozenset[str] = field(compare=False)


async def snapshot(db: Path) -> Snapshot:
    """Open as the bot does (which recovers the WAL), check every page, read the data."""
    store = await Store.open(db)
    try:
        assert await store.integrity_ok(), f"{db} fails PRAGMA integrity_check"
        corpus = await store.read_corpus()
        passages = frozenset(p.id for p in store.passages.stream())
        trivia = await store.read_trivia()
    finally:
        await store.close()
    return Snapshot(
        interviews=frozenset((iv.id, iv.content_hash) for iv in corpus.interviews),
        passages=passages,
        topics=frozenset((t.slug, tuple(sorted(t.passage_ids))) for t in corpus.topics),
        trivia=frozenset(q.id for q in trivia),
        ids=frozenset(iv.id for iv in corpus.interviews),
    )


async def serves(emulator: DiscordEmulator, world: World, settings: Settings, query: str) -> None:
    """The real bot starts on the database and answers /quote with the expected quote."""
    bot = QuoteBot(settings, rng=random.Random(SEED), sync_on_start=False)
    await start_bot(emulator, bot, timeout=60)  # bounds a hang; a busy machine is slow
    try:
        if not emulator.commands.get(world.guild.id):
            await bot.sync_commands(world.guild.id)
        await answers(emulator, world, query)
    finally:
        await stop_bot(bot)
        apply_endpoints(None, None)
    assert not index_temporaries(settings.db_path), "start-up left a killed save's temporary"


async def answers(emulator: DiscordEmulator, world: World, query: str) -> None:
    """/quote answers with the expected quote."""
    handle = await emulator.slash("quote", {"query": query}, user=world.owner)
    reply = await handle.wait_original(timeout=60)
    assert reply.embed is not None, reply.content
    assert query in reply.embed["description"], (query, reply.embed["description"][:300])


def index_temporaries(db: Path) -> list[Path]:
    """What a kill during the search index cache's save leaves (start-up removes them)."""
    return sorted(db.parent.glob(f".{db.with_suffix('.index').name}.*.tmp"))


def wal_bytes(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.rglob(".*.tmp"))


# --- kill -9 during quotebot load ---------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_trivia_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bot these tests start warms up its trivia bank in a worker thread; dozens of
    starts would pile up dozens of builds on two cores. The bank is not what is tested
    here, so it is built from the curated questions only."""
    original = TriviaBank.build

    def curated_only(curated: Any, passages: Any, titles: Any, stop: Any = None) -> TriviaBank:
        return original(curated, [], titles, stop)

    monkeypatch.setattr(TriviaBank, "build", staticmethod(curated_only))


async def test_sigkill_during_load_leaves_the_old_or_the_new_data_and_the_bot_starts(
    tmp_path: Path, forker: Forker, emulator: DiscordEmulator, world: World
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    inputs = {"a": tmp_path / "set-a", "b": tmp_path / "set-b"}
    for tag, folder in inputs.items():
        write_corpus(folder, tag, 12)
    db = tmp_path / "q.db"
    settings = Settings(db_path=db, seeds_dir=ROOT / "seeds", data_dir=data)
    trace = tmp_path / "trace.json"

    def load(tag: str) -> list[str]:
        return ["load", str(db), str(ROOT / "seeds"), str(data), str(inputs[tag])]

    # Clean runs: what "old" and "new" look like, and how long the stretches of a load
    # take (only to spread the kills that come a random moment after a checkpoint).
    expected: dict[str, Snapshot] = {}
    runs: list[tuple[float, float, float]] = []
    for tag in ("a", "b", "a", "b"):
        total = await forker.timed(["load-traced", str(trace), *load(tag)[1:]])
        begin, end = json.loads(trace.read_text())
        runs.append((total, begin, end))
        expected.setdefault(tag, await snapshot(db))
        assert await snapshot(db) == expected[tag]
    assert expected["a"] != expected["b"]
    total = max(r[0] for r in runs[1:])  # the first run also created the schema
    begin = min(r[1] for r in runs[1:])
    end = max(r[2] for r in runs[1:])
    # Killed where it stopped: before the transaction, inside it (rows being written, about
    # to commit), after the commit, with the index cache written but not renamed. Or let go
    # at a point and killed a random moment later: anywhere, in the transaction, after it.
    aimed = ["begin", "inserting", "committing", "committed", "fsync"]
    spans = {"start": total, "begin": end - begin, "committed": total - end}

    rng = random.Random(SEED)
    current = "b"  # what the last clean run loaded
    seen: dict[str, Counter[str]] = {}
    kills = attempt = 0
    while kills < LOAD_KILLS:
        attempt += 1
        assert attempt <= tries(LOAD_KILLS), f"only {kills} kills landed: {seen}"
        target = "b" if current == "a" else "a"
        assert wal_bytes(db) == 0  # every clean close checkpoints and removes the WAL
        if attempt % 2:
            at, after = aimed[attempt // 2 % len(aimed)], None
        else:
            at = rng.choice(sorted(spans))
            after = rng.uniform(0.0, spans[at])
        run = await forker.run(load(target), at=at, after=after)
        kills += run.killed
        state = await snapshot(db)
        how = f"at {at}" if after is None else f"{after:.3f}s after {at}"
        where = f"attempt {attempt}: killed {how} (exit {run.code}, reached {run.reached})"
        assert state in (expected[current], expected[target]), where
        assert run.code in (0, -signal.SIGKILL), (where, forker.log.read_text()[-2000:])
        result = "finished" if not run.killed else "old" if state == expected[current] else "new"
        seen.setdefault(how if after is None else f"after {at}", Counter())[result] += 1
        if index_temporaries(db):
            seen.setdefault("index temporary left", Counter())["removed at start"] += 1
        current = target if state == expected[target] else current
        await serves(emulator, world, settings, f"Marker {current}3 7")  # removes temporaries
    KILLS["load"] = kills
    print(
        f"\nload: {kills} SIGKILLs in {attempt} runs (the others finished first); a clean "
        f"load takes {total:.2f}s, its transaction {begin:.2f}-{end:.2f}s after the fork; "
        f"outcome by where the kill came: { {k: dict(v) for k, v in seen.items()} }"
    )
    results = {r for by in seen.values() for r in by}
    assert {"old", "new"} <= results  # kills landed before and after the commit
    # A kill at the index cache's fsync comes after the commit. Whether it leaves the
    # cache's temporary varies from run to run here (not understood yet: see the issue
    # note); start-up's removal of one is tested on its own in tests/test_catalog.py.
    assert seen["at fsync"]["new"]


# --- kill -9 during /admin import's Confirm --------------------------------------------------


async def test_sigkill_during_an_import_keeps_files_and_database_whole(
    tmp_path: Path, forker: Forker, emulator: DiscordEmulator, world: World
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    write_corpus(data / "bulk", "bulk", 5)
    db = tmp_path / "q.db"
    settings = Settings(db_path=db, seeds_dir=ROOT / "seeds", data_dir=data)
    folder = data / "interviews"

    def upload(n: int) -> tuple[str, Path]:
        path = tmp_path / f"upload-{n}.txt"
        path.write_text(transcript(random.Random(f"{SEED}-up{n}"), f"up{n}", 20), encoding="utf-8")
        return f"upload-{n}.txt", path

    def confirm(n: int) -> list[str]:
        name, path = upload(n)
        return ["import", str(db), str(ROOT / "seeds"), str(data), name, str(path)]

    assert (await forker.run(["load", str(db), str(ROOT / "seeds"), str(data)])).code == 0
    window = max([await forker.timed(confirm(100)), await forker.timed(confirm(101))])
    # Killed where it stopped: the transcript written but not renamed into place, the
    # reload's transaction entered, writing, about to commit, committed. Or let go at the
    # start and killed a random moment later (the second half: files written, reload, index).
    aimed = ["fsync", "begin", "inserting", "committing", "committed"]

    rng = random.Random(SEED + 1)
    outcomes = {"nothing": 0, "files-only": 0, "stored": 0, "finished": 0, "temp left": 0}
    kills = n = 0
    while kills < IMPORT_KILLS:
        n += 1
        assert n <= tries(IMPORT_KILLS), f"only {kills} kills landed: {outcomes}"
        before = await snapshot(db)
        slug = f"upload-{n}"
        if n % 2:
            run = await forker.run(confirm(n), at=aimed[n // 2 % len(aimed)])
        else:
            delay = rng.uniform(0.0 if n % 4 else window / 2, window)
            run = await forker.run(confirm(n), at="start", after=delay)
        kills += run.killed
        code = run.code
        after = await snapshot(db)
        transcript_file = folder / f"{slug}.txt"
        if transcript_file.exists():  # written atomically: all of it, with its sidecar
            assert transcript_file.read_bytes() == (tmp_path / f"{slug}.txt").read_bytes()
            assert transcript_file.with_suffix(".toml").is_file()
        visible = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        assert visible <= {
            f"upload-{k}.{ext}" for k in [*range(n + 1), 100, 101] for ext in ("txt", "toml")
        }
        # What an owner's /admin reload (or the next import) does next: load what is on disk.
        library = await open_library(settings)
        try:
            outcome = await library.reload()
        finally:
            await library.store.close()
        assert outcome.ok, outcome.errors
        final = await snapshot(db)
        assert (slug in final.ids) == transcript_file.exists()
        assert after in (before, final), f"import {n}: a database between old and new"
        if code == 0:
            outcomes["finished"] += 1
        elif after == before:
            outcomes["files-only" if transcript_file.exists() else "nothing"] += 1
        else:
            outcomes["stored"] += 1
        query = f"Marker up{n} 3" if transcript_file.exists() else "Marker bulk2 5"
        await serves(emulator, world, settings, query)
        # An import's own temporary (a kill before its rename) is a hidden file the loader
        # skips; nothing removes it yet, so the test does.
        for stray in leftovers(tmp_path):
            outcomes["temp left"] += 1
            stray.unlink()
    KILLS["import"] = kills
    print(
        f"\nimport: {kills} SIGKILLs in {n} confirms (a clean one takes {window:.2f}s): {outcomes}"
    )


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


@pytest.fixture(scope="module", autouse=True)
def kills_landed() -> Iterator[None]:
    """Print the kills that landed per test (shown with -s); in the long mode, when every
    killing test ran, check there were more than 50."""
    KILLS.clear()
    yield
    print(f"\nSIGKILLs landed: {sum(KILLS.values())} {dict(KILLS)}")
    if LONG and len(KILLS) == 4:
        assert sum(KILLS.values()) >= 50


# --- a database the bot cannot use ------------------------------------------------------------


def _garbage(db: Path) -> None:
    db.write_bytes(b"this is not a database, it is a text file someone put here\n" * 200)


def _other_app(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE notes(body TEXT)")
        conn.commit()


def _foreign_tables(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        conn.commit()


def _damaged_pages(db: Path) -> None:
    assert cli.main(["load", "--db", str(db)]) == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        # three b-tree pages of the answers, wherever the schema puts them (a fixed share
        # of the file lands on empty tables once migrations add some)
        numbers = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'passages'")]
    raw = bytearray(db.read_bytes())
    middle = len(numbers) // 2
    for number in sorted(numbers)[middle : middle + 3]:
        n = number - 1  # dbstat counts pages from 1
        raw[n * page : (n + 1) * page] = bytes([0xA5]) * page
    db.write_bytes(bytes(raw))


BAD_DATABASES = {
    "not sqlite": _garbage,
    "another program's": _other_app,
    "foreign tables": _foreign_tables,
    "damaged pages": _damaged_pages,
}


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith(("QUOTEBOT_", "DISCORD_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("QUOTEBOT_SEEDS_DIR", str(ROOT / "seeds"))
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(ROOT / "data"))
    monkeypatch.setenv("DISCORD_TOKEN", "MTEfake.token.value")
    # Nothing listens here: getting as far as Discord would be a different error.
    monkeypatch.setenv("DISCORD_API_URL", "http://127.0.0.1:9/api/v10")
    return tmp_path / "q.db"


@pytest.mark.parametrize("kind", BAD_DATABASES)
def test_a_bad_database_stops_start_up_with_the_way_out_which_works(
    kind: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = cli_env
    BAD_DATABASES[kind](db)
    if kind == "damaged pages":
        # After a clean stop the page check runs after ready (tests/test_shutdown.py shows
        # it stopping the bot then); after an unclean one it runs first, as here.
        mark_running(db)
    capsys.readouterr()
    original = db.read_bytes()

    assert cli.main(["run", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "quotebot load --rebuild" in err and str(db) in err
    assert "Traceback" not in err and "MTEfake" not in err
    assert db.read_bytes() == original  # not touched
    assert cli.main(["quote", "money", "--db", str(db)]) == 1  # every command says the same
    assert "--rebuild" in capsys.readouterr().err

    assert cli.main(["load", "--rebuild", "--db", str(db)]) == 0
    out = capsys.readouterr()
    (aside,) = db.parent.glob("q.db.corrupt-*Z")
    assert f"Moved it to {aside}" in out.err and "interviews +1 added" in out.out
    assert aside.read_bytes() == original  # kept, for whoever wants to look
    assert asyncio.run(check_database(db)) is None

    # A healthy database is never moved by --rebuild.
    assert cli.main(["load", "--rebuild", "--db", str(db)]) == 0
    assert list(db.parent.glob("q.db.corrupt-*Z")) == [aside]
    assert "Moved" not in capsys.readouterr().err


async def test_the_bot_starts_on_a_rebuilt_database(
    cli_env: Path, emulator: DiscordEmulator, world: World
) -> None:
    db = cli_env
    await asyncio.to_thread(_damaged_pages, db)
    assert "damaged" in (await check_database(db) or "")
    assert await asyncio.to_thread(cli.main, ["load", "--rebuild", "--db", str(db)]) == 0
    settings = replace(Settings(db_path=db), seeds_dir=ROOT / "seeds", data_dir=ROOT / "data")
    await serves(emulator, world, settings, "put all the money on the screen")
