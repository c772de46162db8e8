"""Crash safety: SIGKILL at random moments of a load and of an import, many times; and what
start-up does with a database file it cannot use.

After every kill the database must pass `PRAGMA integrity_check`, hold the old data or the
new data completely (compared with digests of both, taken from clean runs), and the real
bot must start on it and answer /quote through the emulator. The kills are seeded, so a
failure replays.
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
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import start_bot, stop_bot
from bot.endpoints import apply_endpoints
from bot.library import open_library
from bot.recovery import check_database
from bot.settings import Settings
from bot.store import Store
from bot.trivia import TriviaBank

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("crash_child.py")
SEED = 20241125
LOAD_KILLS = 30
IMPORT_KILLS = 10

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
class Forker:
    """tests/crash_child.py: runs a code path in a fresh child, which we may SIGKILL."""

    proc: asyncio.subprocess.Process
    log: Path

    async def run(self, request: Sequence[str], kill_after: float | None = None) -> int:
        """The child's exit status: negative when killed (-9), else what the command returned."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(
            (json.dumps([request[0], str(self.log), *request[1:]]) + "\n").encode()
        )
        await self.proc.stdin.drain()
        pid = int(await self.proc.stdout.readline())
        exited = asyncio.ensure_future(self.proc.stdout.readline())
        done, _ = await asyncio.wait({exited}, timeout=kill_after)
        if not done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        async with asyncio.timeout(30):
            return int(await exited)

    async def timed(self, request: Sequence[str]) -> float:
        started = time.perf_counter()
        code = await self.run(request)
        assert code == 0, self.log.read_text(encoding="utf-8")[-2000:]
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
    await start_bot(emulator, bot)
    try:
        if not emulator.commands.get(world.guild.id):
            await bot.sync_commands(world.guild.id)
        handle = await emulator.slash("quote", {"query": query}, user=world.owner)
        reply = await handle.wait_original()
        assert reply.embed is not None, reply.content
        assert query in reply.embed["description"], (query, reply.embed["description"][:300])
    finally:
        await stop_bot(bot)
        apply_endpoints(None, None)


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

    # Clean runs: what "old" and "new" look like, how long a load takes, and when (after
    # the fork) the corpus transaction runs.
    expected: dict[str, Snapshot] = {}
    runs: list[tuple[float, float, float]] = []
    for tag in ("a", "b", "a", "b"):
        total = await forker.timed(["load-traced", str(trace), *load(tag)[1:]])
        begin, end = json.loads(trace.read_text())
        runs.append((total, begin, end))
        expected.setdefault(tag, await snapshot(db))
        assert await snapshot(db) == expected[tag]
    assert expected["a"] != expected["b"]
    total = max(r[0] for r in runs[1:]) * 1.05  # the first run also created the schema
    begin = min(r[1] for r in runs[1:])
    end = max(r[2] for r in runs[1:])

    rng = random.Random(SEED)
    current = "a"
    seen: dict[str, dict[str, int]] = {}
    kills = attempt = 0
    while kills < LOAD_KILLS:
        attempt += 1
        assert attempt <= 2 * LOAD_KILLS, f"only {kills} kills landed: {seen}"
        target = "b" if current == "a" else "a"
        assert wal_bytes(db) == 0  # every clean close checkpoints and removes the WAL
        # A third anywhere, a third aimed at the transaction, a third after the commit
        # (catalog and search index cache being rebuilt).
        low, high = [(0.0, total), (begin, end), (end, end + (total - end) * 0.7)][attempt % 3]
        delay = rng.uniform(low, high)
        code = await forker.run(load(target), kill_after=delay)
        kills += code != 0
        state = await snapshot(db)
        where = f"attempt {attempt}: kill after {delay:.3f}s (exit {code})"
        assert state in (expected[current], expected[target]), where
        assert code in (0, -signal.SIGKILL), (where, forker.log.read_text()[-2000:])
        phase = "before" if delay < begin else "in the transaction" if delay < end else "after"
        result = "finished" if code == 0 else "old" if state == expected[current] else "new"
        seen.setdefault(phase, {}).setdefault(result, 0)
        seen[phase][result] += 1
        if leftovers(tmp_path):
            seen[phase]["index temp file left"] = seen[phase].get("index temp file left", 0) + 1
            for stray in leftovers(tmp_path):
                stray.unlink()
        current = target if state == expected[target] else current
        await serves(emulator, world, settings, f"Marker {current}3 7")
    print(
        f"\nload: {kills} SIGKILLs survived in {attempt} runs (the others finished first); a "
        f"clean load takes {total:.2f}s, its transaction {begin:.2f}-{end:.2f}s after the fork; "
        f"outcome by kill time: {seen}"
    )
    results = {r for by in seen.values() for r in by}
    assert {"old", "new"} <= results  # kills landed before and after the commit


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

    assert await forker.run(["load", str(db), str(ROOT / "seeds"), str(data)]) == 0
    window = max([await forker.timed(confirm(100)), await forker.timed(confirm(101))]) * 1.1

    rng = random.Random(SEED + 1)
    outcomes = {"nothing": 0, "files-only": 0, "stored": 0, "finished": 0}
    kills = n = 0
    while kills < IMPORT_KILLS:
        n += 1
        assert n <= 2 * IMPORT_KILLS, f"only {kills} kills landed: {outcomes}"
        before = await snapshot(db)
        slug = f"upload-{n}"
        # Half anywhere, half in the second half (files written, reload, index rebuilt).
        delay = rng.uniform(0.0 if n % 2 else window / 2, window)
        code = await forker.run(confirm(n), kill_after=delay)
        kills += code != 0
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
        for stray in leftovers(tmp_path):
            stray.unlink()
        query = f"Marker up{n} 3" if transcript_file.exists() else "Marker bulk2 5"
        await serves(emulator, world, settings, query)
    print(
        f"\nimport: {kills} SIGKILLs survived in {n} confirms (a clean one takes "
        f"{window / 1.1:.2f}s): {outcomes}"
    )


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
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    raw = bytearray(db.read_bytes())
    for n in range(pages * 3 // 4, pages * 3 // 4 + 3):  # three b-tree pages of the data
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
