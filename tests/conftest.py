"""Shared fixtures.

Emulator fixtures (keep at the top): ``emulator`` is a started :class:`DiscordEmulator` holding
the standard :class:`World` (guild "Test Guild", #general, owner, member, moderator), ``world``
is that cast, and ``start_bot`` is a factory that connects any ``discord.Client`` or
``commands.Bot`` to an emulator and closes it again at teardown (before the emulator). A test
fails at teardown if the bot sent anything Discord would reject, unless the test took those
violations itself with ``emulator.take_violations()``.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from crash_helpers import forker, kills_landed, quick_trivia_bank
from fuzz_helpers import examples_per_target
from pgcluster import pg_cluster, pg_url, report_header
from storefixtures import open_store, store, store_target

from bot.emulator import DiscordEmulator, StartBot, World, build_world, launch
from bot.settings import Settings

# PostgreSQL fixtures: see tests/pgcluster.py; the store on both backends: tests/storefixtures.py;
# the SIGKILL tests' fork server and kill count: tests/crash_helpers.py; the fuzzing tests'
# count of examples: tests/fuzz_helpers.py
__all__ = [
    "examples_per_target",
    "forker",
    "kills_landed",
    "open_store",
    "pg_cluster",
    "pg_url",
    "quick_trivia_bank",
    "store",
    "store_target",
]

if TYPE_CHECKING:
    from bot.client import QuoteBot


def pytest_report_header() -> str:
    """Say up front whether the PostgreSQL tests will run, be skipped, or fail."""
    return report_header()


@pytest.fixture
async def _emulator_world() -> AsyncIterator[tuple[DiscordEmulator, World]]:
    async with DiscordEmulator() as emu:
        yield emu, build_world(emu)
        leftover = emu.take_violations()
        if leftover:
            pytest.fail(
                "the bot sent payloads Discord would reject:\n"
                + "\n".join(str(v) for v in leftover),
                pytrace=False,
            )


@pytest.fixture
def emulator(_emulator_world: tuple[DiscordEmulator, World]) -> DiscordEmulator:
    return _emulator_world[0]


@pytest.fixture
def world(_emulator_world: tuple[DiscordEmulator, World]) -> World:
    return _emulator_world[1]


@pytest.fixture
async def start_bot(emulator: DiscordEmulator) -> AsyncIterator[StartBot]:
    """``await start_bot(emu, bot)`` returns once the bot is ready."""
    async with launch.bot_starter() as start:
        yield start


# --- QuoteBot fixtures: the real bot, real SQLite in tmp_path, against the emulator ---------

ROOT = Path(__file__).resolve().parents[1]


IGNORED_IN_DATA = ("*.db*", "*.index")


def _inputs_digest(data_dir: Path) -> str:
    """What a load reads from `data_dir` (names and bytes; not databases or index caches)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        if any(path.match(pattern) for pattern in IGNORED_IN_DATA):
            continue
        digest.update(str(path.relative_to(data_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def prebuilt_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """seeds/ and data/ loaded once per session (the database and its search index cache),
    and the digest of the data/ it was loaded from: see `launch_quotebot`."""
    from bot.library import ensure_loaded, open_library

    folder = tmp_path_factory.mktemp("prebuilt")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(*IGNORED_IN_DATA))
    settings = Settings(
        db_path=folder / "quotebot.db", seeds_dir=ROOT / "seeds", data_dir=data, dev_guild_id=None
    )

    async def load() -> None:
        library = await open_library(settings)
        try:
            outcome = await ensure_loaded(library)
            assert outcome is not None and outcome.ok, outcome
        finally:
            await library.store.close()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whoever asks for it
        pool.submit(asyncio.run, load()).result()
    return settings.db_path, _inputs_digest(data)


def _use_prebuilt(settings: Settings, prebuilt: tuple[Path, str]) -> None:
    """A bot's first start on the standard inputs (seeds/ and an unchanged copy of data/)
    gets the database those make, already loaded, instead of loading them again (~0.3 s a
    test). Anything else (another database, changed inputs, a restart) starts as it would."""
    db = settings.db_path
    if settings.db_url or db.exists() or settings.seeds_dir != ROOT / "seeds":
        return
    source, digest = prebuilt
    if _inputs_digest(settings.data_dir) != digest:
        return
    shutil.copyfile(source, db)
    shutil.copyfile(source.with_suffix(".index"), db.with_suffix(".index"))


@pytest.fixture
def prebuilt_env(prebuilt_db: tuple[Path, str]) -> Callable[[dict[str, str]], None]:
    """`prebuilt_env(env)` before starting a bot process with `env` (QUOTEBOT_DB a file,
    QUOTEBOT_SEEDS_DIR and QUOTEBOT_DATA_DIR set): as for `launch_quotebot`, its first start
    on the standard inputs begins from the session's prebuilt database; anything else (a
    PostgreSQL URL, changed inputs, a database already there) starts as it would."""

    def use(env: dict[str, str]) -> None:
        target = env.get("QUOTEBOT_DB", "")
        if not target or "://" in target or not env.get("QUOTEBOT_DATA_DIR"):
            return
        settings = Settings(
            db_path=Path(target),
            seeds_dir=Path(env.get("QUOTEBOT_SEEDS_DIR", "")),
            data_dir=Path(env["QUOTEBOT_DATA_DIR"]),
            dev_guild_id=None,
        )
        _use_prebuilt(settings, prebuilt_db)

    return use


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    """Settings for a bot with its own database and a private copy of data/ (safe to write)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    return Settings(
        db_path=tmp_path / "quotebot.db",
        seeds_dir=ROOT / "seeds",
        data_dir=data,
        dev_guild_id=None,
    )


@pytest.fixture
async def launch_quotebot(
    emulator: DiscordEmulator,
    world: World,
    start_bot: StartBot,
    bot_settings: Settings,
    prebuilt_db: tuple[Path, str],
) -> Callable[..., Awaitable[QuoteBot]]:
    """``await launch_quotebot()`` starts a QuoteBot (again, for restart tests) and syncs its
    commands to the test guild, as an owner would with /admin sync or `quotebot sync`.

    A first start on the standard inputs begins from the session's prebuilt database: the
    rows a first load writes, but for the time of the load and the path of the curated
    trivia file (the session's copy of data/; a reload's diff ignores where a question is
    written). A test that changes the inputs before the first start gets a real first load."""

    from bot.client import QuoteBot  # imported here so emulator-only tests need no bot code

    async def launch(settings: Settings | None = None, **kwargs: Any) -> QuoteBot:
        kwargs.setdefault("rng", random.Random(7))
        settings = settings or bot_settings
        _use_prebuilt(settings, prebuilt_db)
        bot = QuoteBot(settings, **kwargs)
        await start_bot(emulator, bot)
        await bot.sync_commands(world.guild.id)
        return bot

    return launch


@pytest.fixture
async def quotebot(launch_quotebot: Callable[..., Awaitable[QuoteBot]]) -> QuoteBot:
    return await launch_quotebot()
