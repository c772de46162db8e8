"""The real process: `python -m bot` against an emulator in this test, stopped by signals;
and what start-up does with a database file it cannot use.

The bot runs in a subprocess exactly as deployed (settings from the environment, logs on
stderr at DEBUG); the emulator runs in the test's event loop, so the test plays Discord and
the members while the process runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest

from bot import cli
from bot.client import RESTARTING, QuoteBot
from bot.emulator import DiscordEmulator, World, build_world
from bot.emulator.launch import stop_bot
from bot.endpoints import apply_endpoints
from bot.recovery import running_marker
from bot.trivia import TriviaBank

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = r"/interactions/\d+/[^/]+/callback"


@dataclass
class BotProcess:
    """A running `python -m bot`, its stderr (the log) read line by line as it comes."""

    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    stdout: str = ""
    reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode("utf-8", "replace"))
            self.changed.set()
            self.changed = asyncio.Event()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def wait_log(self, text: str, timeout: float = 10.0, *, after: int = 0) -> None:
        """Wait until a line (from line `after` on) contains `text`."""
        try:
            async with asyncio.timeout(timeout):
                while not any(text in line for line in self.lines[after:]):
                    await self.changed.wait()
        except TimeoutError:
            tail = [line for line in self.lines if "WebSocket Event" not in line][-40:]
            raise AssertionError(f"{text!r} not logged; the log ends:\n{''.join(tail)}") from None

    async def finish(self, timeout: float = 60.0) -> int:
        """Wait for the exit; returns the exit status (the output is kept). A process that
        never exits fails the test; the bound is for that, not for speed: with both cores
        busy a stop that first lets start-up finish took over 15 s once."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            out = await self.proc.stdout.read()
            code = await self.proc.wait()
            if self.reader is not None:
                await self.reader
        self.stdout = out.decode("utf-8", "replace")
        return code


@pytest.fixture
async def discord_env(
    tmp_path: Path,
) -> AsyncIterator[tuple[DiscordEmulator, World, dict[str, str]]]:
    """An emulator with a realistic secret token, and the environment a deployment sets."""
    token = "MTE" + secrets.token_urlsafe(56)
    async with DiscordEmulator(token=token) as emu:
        world = build_world(emu)
        data = tmp_path / "data"
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "DISCORD_"))}
        env.update(
            DISCORD_TOKEN=token,
            DISCORD_API_URL=emu.api_url,
            DISCORD_GATEWAY_URL=emu.gateway_url,
            DEV_GUILD_ID=str(world.guild.id),
            QUOTEBOT_DB=str(tmp_path / "q.db"),
            QUOTEBOT_SEEDS_DIR=str(ROOT / "seeds"),
            QUOTEBOT_DATA_DIR=str(data),
            LOG_LEVEL="DEBUG",
        )
        yield emu, world, env
        assert not emu.take_violations()


Spawn = Callable[[dict[str, str]], Awaitable[BotProcess]]


@pytest.fixture
async def spawn(
    tmp_path: Path, prebuilt_env: Callable[[dict[str, str]], None]
) -> AsyncIterator[Spawn]:
    """`await spawn(env)` starts `python -m bot`; any process a failed test left running is
    killed at teardown. A first start on a new SQLite file with the standard inputs begins
    from the session's prebuilt database (see conftest's `launch_quotebot`): what these tests
    watch is the process, not a first load."""
    started: list[BotProcess] = []

    async def start(env: dict[str, str]) -> BotProcess:
        prebuilt_env(env)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=16 * 2**20,  # a log line longer than the default 64 KiB would end the reader
        )
        bot = BotProcess(proc)
        bot.reader = asyncio.create_task(bot._read())
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot.proc.returncode is None:
            bot.proc.kill()
            await bot.proc.wait()
        if bot.reader is not None:
            await bot.reader


def identified(emu: DiscordEmulator) -> int:
    return sum(1 for r in emu.gateway_log if r.kind == "identify")


async def ready(emu: DiscordEmulator, world: World, bot: BotProcess, before: int = 0) -> None:
    """Synced to the dev guild and connected with a new session (`before` sessions existed)."""
    await emu.wait_until(
        lambda: bool(emu.commands.get(world.guild.id)) and identified(emu) > before,
        20.0,
        what="the bot process to connect",
    )
    await bot.wait_log("catalog ready")


def assert_clean_exit(bot: BotProcess, code: int, token: str, db: Path) -> None:
    output = bot.stdout + bot.log
    assert code == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert token not in output
    assert token[: len(token) // 2] not in output  # not even a part of it
    assert "voice will NOT be supported" not in output  # the bot has no voice: no noise
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    # Every connection closed cleanly: SQLite checkpoints and removes the WAL on the last close.
    assert not db.with_name(db.name + "-wal").exists()
    assert not running_marker(db).exists()  # so the next start runs only quick_check


async def test_sigterm_lets_the_reply_in_flight_finish_refuses_new_work_and_exits_cleanly(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]], spawn: Spawn
) -> None:
    emu, world, env = discord_env
    bot = await spawn(env)
    await ready(emu, world, bot)

    # The owner checks the status: the token is nowhere in it.
    status = await emu.slash("admin", subcommand="status", user=world.owner)
    shown = await status.wait_original(timeout=10)
    assert shown.embed is not None and "quotebot status" in shown.embed["title"]
    assert emu.token not in str(shown.to_payload())

    # A reply in flight: Discord takes a second to accept it.
    emu.inject_rest_fault("POST", CALLBACK, 200, delay=1.0)
    slow = await emu.slash("about", user=world.member)
    async with asyncio.timeout(5):  # the emulator records a request before it delays it
        while not slow.original_message_id and len(emu.requests_to("POST", CALLBACK)) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert slow.original_message_id is None  # still in flight
    bot.proc.send_signal(signal.SIGTERM)
    await bot.wait_log("waiting for 1 reply(ies) in flight")

    # Meanwhile a new command is refused politely, not dropped.
    late = await emu.slash("quote", {"query": "money"}, user=world.moderator)
    refused = await late.wait_original(timeout=5)
    assert refused.content == RESTARTING and refused.ephemeral

    answered = await slow.wait_original(timeout=5)
    assert answered.embed is not None and answered.embed["title"] == "quotebot"
    code = await bot.finish()
    assert "SIGTERM received: shutting down" in bot.log
    assert_clean_exit(bot, code, emu.token, Path(env["QUOTEBOT_DB"]))


async def test_sigint_when_idle_keeps_the_daily_schedule_and_the_next_start_resumes(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]], spawn: Spawn
) -> None:
    emu, world, env = discord_env
    bot = await spawn(env)
    await ready(emu, world, bot)
    handle = await emu.slash(
        "daily",
        {"channel": world.general, "time": "09:00", "timezone": "Europe/Berlin"},
        subcommand="set",
        user=world.moderator,
    )
    assert "Daily quote set" in (await handle.wait_original(timeout=10)).content
    bot.proc.send_signal(signal.SIGINT)
    code = await bot.finish()
    db = Path(env["QUOTEBOT_DB"])
    assert_clean_exit(bot, code, emu.token, db)
    with sqlite3.connect(db) as conn:
        (sending,) = conn.execute("SELECT count(*) FROM daily_posts WHERE status = 'sending'")
    conn.close()
    assert sending == (0,)

    # The same database serves the next start, with the schedule intact.
    again = await spawn(env)
    await ready(emu, world, again, before=identified(emu))
    status = await emu.slash("daily", subcommand="status", user=world.moderator)
    assert "09:00" in str((await status.wait_original(timeout=10)).to_payload())
    again.proc.send_signal(signal.SIGTERM)
    code = await again.finish()
    assert_clean_exit(again, code, emu.token, db)


def _damage_pages_start_up_never_reads(db: Path) -> None:
    """Fill a table nothing reads with ~200 pages, then overwrite the file's last three
    (its pages: they were appended last). Only a check that reads every page sees it."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE filler (x BLOB)")
        conn.executemany("INSERT INTO filler VALUES (?)", [(os.urandom(3000),) for _ in range(250)])
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    raw = bytearray(db.read_bytes())
    raw[-3 * page :] = bytes([0xA5]) * (3 * page)
    db.write_bytes(bytes(raw))


async def test_a_kill_then_a_full_check_and_after_a_clean_stop_checks_after_ready(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]], spawn: Spawn
) -> None:
    """After a kill the next start runs the full integrity_check first. After a clean
    stop the quick_check and the index cache's checksum run after ready: a damaged index
    cache is rebuilt while the bot serves; a damaged database stops the bot with the way
    out, and leaves the marker so the next start checks in full first. (One chain of
    starts on one database: each start is the state the one before left.)"""
    emu, world, env = discord_env
    db = Path(env["QUOTEBOT_DB"])
    bot = await spawn(env)
    await ready(emu, world, bot)
    assert running_marker(db).is_file()
    bot.proc.kill()  # no shutdown at all: the marker stays
    await bot.finish()
    assert running_marker(db).is_file()

    first = await spawn(env)
    await first.wait_log("database checked with integrity_check (the last run did not shut")
    await ready(emu, world, first, before=identified(emu))
    first.proc.send_signal(signal.SIGTERM)
    assert_clean_exit(first, await first.finish(), emu.token, db)

    cache = db.with_suffix(".index")
    raw = bytearray(cache.read_bytes())
    raw[-10] ^= 0xFF  # in text nothing reads before the checksum
    cache.write_bytes(bytes(raw))
    mended = await spawn(env)  # after that clean stop, the cheap check
    await mended.wait_log("database checked with quick_check, after ready", 60)
    await ready(emu, world, mended, before=identified(emu))
    await mended.wait_log("is damaged; rebuilding it", 60)
    await mended.wait_log("checks after ready done", 60)
    assert cache.read_bytes() != bytes(raw)  # written anew
    mended.proc.send_signal(signal.SIGTERM)
    assert_clean_exit(mended, await mended.finish(), emu.token, db)

    _damage_pages_start_up_never_reads(db)
    damaged = await spawn(env)
    await ready(emu, world, damaged, before=identified(emu))  # served, then checked
    await damaged.wait_log("the database check after start-up failed", 60)
    code = await damaged.finish(timeout=60)
    assert code == 1, damaged.log[-3000:]
    assert "--rebuild" in damaged.stdout + damaged.log
    assert "Traceback" not in damaged.stdout + damaged.log
    assert running_marker(db).is_file()  # the next start runs the full check first
    again = await spawn(env)
    await again.wait_log("database checked with integrity_check", 60)
    assert await again.finish(timeout=60) == 1


@pytest.mark.parametrize("moment", ["logging in", "loading the data"])
async def test_a_signal_during_start_up_stops_it_cleanly(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]], spawn: Spawn, moment: str
) -> None:
    emu, _, env = discord_env
    data = Path(env["QUOTEBOT_DATA_DIR"])
    for n in range(15):  # enough to load that start-up takes a moment
        answers = "".join(
            f"What about part {k} of story {n}?\nAnn Lee: Part {k} of story {n} was about "
            "the river, the winter light and the people who stayed.\n"
            for k in range(25)
        )
        (data / f"story-{n}.txt").write_text(answers, encoding="utf-8")
    bot = await spawn(env)
    await bot.wait_log("logging in using static token")  # the signal handlers are installed
    if moment == "loading the data":  # the first query of setup_hook's database
        await bot.wait_log("PRAGMA application_id", after=len(bot.lines) - 1)
    bot.proc.send_signal(signal.SIGTERM)
    code = await bot.finish()
    if moment == "loading the data":
        assert "letting start-up finish first" in bot.log
    assert_clean_exit(bot, code, emu.token, Path(env["QUOTEBOT_DB"]))


def test_a_start_logs_no_voice_warnings(
    bot_settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.py warns once per process that PyNaCl and davey are missing; a bot with no
    voice says nothing. (A plain client, with the flags set again, still warns: the check
    would see the warnings if they came.)"""
    caplog.set_level(logging.DEBUG, logger="discord")
    for flag in ("warn_nacl", "warn_dave"):
        monkeypatch.setattr(discord.VoiceClient, flag, True)
    QuoteBot(bot_settings)
    assert "voice will NOT be supported" not in caplog.text
    for flag in ("warn_nacl", "warn_dave"):
        monkeypatch.setattr(discord.VoiceClient, flag, True)
    discord.Client(intents=discord.Intents.none())
    warned = [r.getMessage() for r in caplog.records if "voice will NOT" in r.getMessage()]
    assert len(warned) == 2, warned


def test_discord_unreachable_at_start_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in list(os.environ):
        if key.startswith(("QUOTEBOT_", "DISCORD_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUOTEBOT_SEEDS_DIR", str(ROOT / "seeds"))
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(ROOT / "data"))
    monkeypatch.setenv("DISCORD_TOKEN", "MTEsecret.token.value")
    monkeypatch.setenv("DISCORD_API_URL", "http://127.0.0.1:9/api/v10")  # nothing listens
    try:
        assert cli.main(["run", "--db", str(tmp_path / "q.db")]) == 1
    finally:
        apply_endpoints(None, None)
    err = capsys.readouterr().err
    assert "could not talk to http://127.0.0.1:9/api/v10" in err and "Check the network" in err
    assert "Traceback" not in err and "MTEsecret" not in err


async def test_a_rejected_token_is_a_message_and_is_never_printed(
    discord_env: tuple[DiscordEmulator, World, dict[str, str]], spawn: Spawn
) -> None:
    emu, _, env = discord_env
    wrong = "MTE" + secrets.token_urlsafe(56)
    bot = await spawn({**env, "DISCORD_TOKEN": wrong})
    code = await bot.finish()
    output = bot.stdout + bot.log
    assert code == 2, output[-2000:]
    assert "Discord rejected the token" in output and "Traceback" not in output
    assert wrong not in output and wrong[:20] not in output and emu.token not in output


async def test_close_closes_every_database_connection_the_features_opened(
    emulator: DiscordEmulator, world: World, launch_quotebot: Any, bot_settings: Any
) -> None:
    bot = await launch_quotebot()
    # Each feature writes on its own connection: admin (audit), daily, trivia.
    for name, options, sub, user in (
        ("admin", {}, "status", world.owner),
        (
            "daily",
            {"channel": world.general, "time": "09:00", "timezone": "UTC"},
            "set",
            world.moderator,
        ),
        ("trivia", {}, "play", world.member),
    ):
        await (await emulator.slash(name, options, subcommand=sub, user=user)).wait_original()
    db = bot_settings.db_path
    assert db.with_name(db.name + "-wal").exists()
    await stop_bot(bot)
    # The WAL is checkpointed and removed only when the last connection to the file closes.
    assert not db.with_name(db.name + "-wal").exists()


async def test_closing_stops_a_trivia_bank_build_in_its_thread(
    launch_quotebot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bank warms up in a worker thread; the exit must not wait for it to finish."""
    started, ended = threading.Event(), threading.Event()
    told_to_stop: list[bool] = []
    original = TriviaBank.build

    def slow(curated: Any, passages: Any, titles: Any, stop: Any = None) -> TriviaBank:
        started.set()
        try:
            told_to_stop.append(stop is not None and stop.wait(30))
            return original(curated, passages, titles, stop)
        finally:
            ended.set()

    monkeypatch.setattr(TriviaBank, "build", staticmethod(slow))
    bot = await launch_quotebot()
    assert await asyncio.to_thread(started.wait, 10)
    await stop_bot(bot)
    assert await asyncio.to_thread(ended.wait, 10)
    assert told_to_stop == [True]
