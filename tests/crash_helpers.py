"""What the SIGKILL tests share: the fork server that runs a code path in a child we may kill
(tests/crash_child.py), synthetic transcripts, a comparable snapshot of a database, whether
the real bot serves from it, and the count of kills that landed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from longmode import LONG

from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import start_bot, stop_bot
from bot.endpoints import apply_endpoints
from bot.settings import Settings
from bot.store import Store
from bot.trivia import TriviaBank

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("crash_child.py")
SEED = 20241125


KILLS: Counter[str] = Counter()
"""SIGKILLs that landed, per test (printed at the end of the session: `kills_landed`)."""


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


# --- what every bot these tests start shares, and the kill count ----------------------------


@pytest.fixture
def quick_trivia_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bot these tests start warms up its trivia bank in a worker thread; dozens of
    starts would pile up dozens of builds on two cores. The bank is not what is tested
    here, so it is built from the curated questions only."""
    original = TriviaBank.build

    def curated_only(curated: Any, passages: Any, titles: Any, stop: Any = None) -> TriviaBank:
        return original(curated, [], titles, stop)

    monkeypatch.setattr(TriviaBank, "build", staticmethod(curated_only))


@pytest.fixture(scope="session")
def kills_landed() -> Iterator[None]:
    """Print the kills that landed per test at the end of the session (shown with -s); in the
    long mode, when every killing test ran, check there were more than 50. The killing tests
    use it (their modules' `pytestmark`); tests/conftest.py makes it one for the session."""
    KILLS.clear()
    yield
    print(f"\nSIGKILLs landed: {sum(KILLS.values())} {dict(KILLS)}")
    if LONG and len(KILLS) == 4:
        assert sum(KILLS.values()) >= 50
