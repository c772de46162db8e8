"""What the /admin end-to-end tests share: a copy of the seeds and data per test, the real bot
started on it against the emulator (`qbot`), and short ways to run a subcommand and read its
replies."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.client import QuoteBot
from bot.emulator import (
    DiscordEmulator,
    InteractionHandle,
    Message,
    StartBot,
    World,
)
from bot.settings import Settings
from cogs.admin import Admin

REPO = Path(__file__).resolve().parents[1]
SEED_QUERY = "producer of my films"
NEW_QUERY = "river was the whole world"
INTERVIEW = """\
Jane Doe on making quiet films
Jane Doe has made six films. We spoke in March.
What drew you to the story?
Jane Doe: I grew up in that town. The river was the whole world to us, and I wanted to film it.
How did you cast it?
Doe: We cast locals. Nobody had acted before, and that was the point.
Most of them still live there.
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    seeds, data = tmp_path / "seeds", tmp_path / "data"
    shutil.copytree(REPO / "seeds", seeds)
    data.mkdir()
    for name in ("topics.toml", "trivia.toml"):
        shutil.copy(REPO / "data" / name, data / name)
    return Settings(db_path=tmp_path / "q.db", seeds_dir=seeds, data_dir=data)


async def launch(emulator: DiscordEmulator, start_bot: StartBot, settings: Settings) -> QuoteBot:
    bot = QuoteBot(settings, rng=random.Random(7), sync_on_start=False)
    await start_bot(emulator, bot)
    await bot.sync_commands(None)
    return bot


@pytest.fixture
async def qbot(emulator: DiscordEmulator, start_bot: StartBot, settings: Settings) -> QuoteBot:
    return await launch(emulator, start_bot, settings)


def cog(bot: QuoteBot) -> Admin:
    found = bot.get_cog("Admin")
    # load_extension builds a fresh module per bot, so the class is not this module's Admin.
    assert type(found).__qualname__ == "Admin"
    return found  # type: ignore[return-value]


async def admin(
    emulator: DiscordEmulator, sub: str, user: Any, options: dict[str, Any] | None = None
) -> InteractionHandle:
    return await emulator.slash("admin", options, subcommand=sub, user=user)


async def reply(handle: InteractionHandle) -> Message:
    return await handle.wait_original(timeout=5.0)


async def settled(
    emulator: DiscordEmulator, message: Message, done: Callable[[Message], bool]
) -> Message:
    """`message` once the bot's edits make `done` true (buttons acknowledge, then edit)."""
    found: list[Message] = []

    def check() -> bool:
        current = emulator.get_message(message.id)
        if current is not None and done(current):
            found.append(current)
            return True
        return False

    await emulator.wait_until(check, 5.0, what=f"message {message.id} to settle")
    return found[0]


async def private_reply(handle: InteractionHandle) -> Message:
    """The ephemeral follow-up a button click answered with."""
    (message,) = await handle.followups(1)
    assert message.ephemeral
    return message


def text_of(message: Message) -> str:
    """Everything a reader sees: content and embed text."""
    return json.dumps({"content": message.content, "embeds": message.embeds}, ensure_ascii=False)


async def quote_text(emulator: DiscordEmulator, world: World, query: str) -> str:
    handle = await emulator.slash("quote", {"query": query}, user=world.member)
    return text_of(await reply(handle))


def fields_of(message: Message) -> dict[str, str]:
    assert message.embed is not None
    return {f["name"]: f["value"] for f in message.embed["fields"]}


def embed_length(message: Message) -> int:
    """Characters Discord counts toward an embed's 6000: title, description, fields, footer."""
    embed = message.embed or {}
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = len(embed.get("footer", {}).get("text", ""))
    return len(embed.get("title", "")) + len(embed.get("description", "")) + fields + footer
