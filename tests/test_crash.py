"""Crash safety: SIGKILL during a load and during an /admin import, many times (during a daily
post and a trivia reveal: tests/test_crash_daily_trivia.py; a database start-up cannot use:
tests/test_bad_database.py; the fork server and helpers: tests/crash_helpers.py).

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

import json
import random
import shutil
import signal
from collections import Counter
from pathlib import Path

import pytest
from crash_helpers import (
    KILLS,
    ROOT,
    SEED,
    Forker,
    Snapshot,
    index_temporaries,
    leftovers,
    serves,
    snapshot,
    transcript,
    tries,
    wal_bytes,
    write_corpus,
)
from longmode import budget

from bot.emulator import DiscordEmulator, World
from bot.library import open_library
from bot.settings import Settings

pytestmark = pytest.mark.usefixtures("quick_trivia_bank", "kills_landed")

LOAD_KILLS = budget(10, 40)  # 5 aimed points, each killed at least once, and as many at random
IMPORT_KILLS = budget(6, 15)


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
