"""/admin end to end: the real bot, the real cog and store, driven through the loopback emulator."""

from __future__ import annotations

import asyncio
import io
import json
import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.library as library_module
from bot import admin as admin_core
from bot.client import QuoteBot
from bot.emulator import (
    CommandNotVisible,
    DiscordEmulator,
    InteractionHandle,
    Message,
    StartBot,
    Upload,
    World,
)
from bot.endpoints import apply_endpoints
from bot.runner import sync_once
from bot.settings import Settings
from bot.store import Store
from cogs.admin import PENDING_TTL, Admin

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


# --- who may --------------------------------------------------------------------------


async def test_admin_is_hidden_from_members_and_denied_to_non_owners(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    registered = emulator.find_command("admin", None)
    assert registered is not None and int(registered["default_member_permissions"]) == 1 << 5
    with pytest.raises(CommandNotVisible):
        await admin(emulator, "reload", world.member)

    # A moderator sees the group (Manage Server) but is not an owner: denied, ephemerally, with why.
    for sub in ("reload", "sync"):
        handle = await admin(emulator, sub, world.moderator)
        message = await reply(handle)
        assert message.ephemeral
        assert "Only the bot's owners" in message.content
    upload = Upload("jane.txt", INTERVIEW.encode())
    message = await reply(await admin(emulator, "import", world.moderator, {"file": upload}))
    assert message.ephemeral and "Only the bot's owners" in message.content
    assert not (qbot.settings.data_dir / "interviews").exists()

    # A server admin may let everyone use /admin (an integration permission override):
    # the run-time checks still hold.
    del registered["default_member_permissions"]
    forced = await admin(emulator, "status", world.member)
    assert "Manage Server" in (await reply(forced)).content

    rows = await qbot.library.store.admin_actions()
    assert [(r.action, r.result, r.user_id) for r in rows] == [
        ("status", "denied", world.member.id),
        ("import", "denied", world.moderator.id),
        ("sync", "denied", world.moderator.id),
        ("reload", "denied", world.moderator.id),
    ]


async def test_owner_ids_setting_makes_an_owner(
    emulator: DiscordEmulator, world: World, start_bot: StartBot, settings: Settings
) -> None:
    await launch(emulator, start_bot, replace(settings, owner_ids=frozenset({world.moderator.id})))
    message = await reply(await admin(emulator, "reload", world.moderator))
    assert message.embed is not None and message.embed["title"].startswith("Reloaded")


# --- reload ---------------------------------------------------------------------------


async def test_reload_reports_the_diff_and_serves_new_data(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.ephemeral and message.embed is not None
    assert "Nothing changed" in message.embed["description"]
    assert " s" in message.embed["title"]  # the time taken

    (settings.data_dir / "jane-doe.txt").write_text(INTERVIEW, encoding="utf-8")
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.embed is not None
    lines = message.embed["description"].splitlines()
    assert lines[0] == "Interviews: +1 added, −0 removed, ~0 changed"
    assert lines[1] == "Quotes: +2 added, −0 removed, ~0 changed"
    assert lines[2].startswith("Topics: ")
    assert "I grew up in that town" in await quote_text(emulator, world, NEW_QUERY)

    (settings.data_dir / "jane-doe.txt").unlink()
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.embed is not None
    assert message.embed["description"].splitlines()[:2] == [
        "Interviews: +0 added, −1 removed, ~0 changed",
        "Quotes: +0 added, −2 removed, ~0 changed",
    ]
    rows = await qbot.library.store.admin_actions(actions=["reload"])
    assert [r.result for r in rows] == ["ok", "ok", "ok"]
    assert rows[1].message.startswith("Interviews: +1 added")


async def test_a_broken_file_does_not_block_the_rest_and_is_reported_with_its_line(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    before = qbot.library.catalog
    curated = {t.name for t in before.topics.values() if t.curated}
    (settings.data_dir / "good.txt").write_text(INTERVIEW, encoding="utf-8")
    (settings.data_dir / "broken.txt").write_bytes(b"Q: fine\nA: fine too\nA: caf\xe9\n")
    (settings.data_dir / "topics.toml").write_text("[[topic]]\nname = \n", encoding="utf-8")
    message = await reply(await admin(emulator, "reload", world.owner))
    embed = message.embed
    assert embed is not None and embed["title"].endswith(", 2 problem(s)")
    description = embed["description"]
    assert description.startswith("Interviews: +1 added, −0 removed, ~0 changed\n")
    skipped = description.index("**Skipped, new and not loaded (fix the file, then load again)**")
    topics = description.index("**Curated topics: the ones loaded before stay**")
    assert description.index("data/broken.txt:3: not UTF-8") in range(skipped, topics)
    assert description.index("data/topics.toml:2: ") > topics
    assert len(description) <= 4096
    # The good file is served, the broken one is not, the curated topics stay.
    assert qbot.library.catalog is not before
    assert "I grew up" in await quote_text(emulator, world, NEW_QUERY)
    assert "producer" in await quote_text(emulator, world, SEED_QUERY)
    assert {t.name for t in qbot.library.catalog.topics.values() if t.curated} == curated
    assert (await qbot.library.store.counts())["interviews"] == 2
    (last,) = await qbot.library.store.admin_actions(limit=1)
    assert last.result == "ok" and last.message.startswith("2 problem(s): Interviews: +1")
    assert (
        "Skipped, new and not loaded (fix the file, then load again): data/broken.txt:3"
        in last.message
    )

    # A loaded file that breaks keeps the version loaded before.
    (settings.data_dir / "good.txt").write_bytes(INTERVIEW.encode() + b"Doe: caf\xe9\n")
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.embed is not None
    description = message.embed["description"]
    assert description.startswith("Nothing changed")
    kept = description.index(
        "**Kept at the version loaded before (fix the file, then load again)**"
    )
    assert description.index("data/good.txt:8: not UTF-8") > kept
    assert "I grew up" in await quote_text(emulator, world, NEW_QUERY)


async def test_many_broken_files_fit_one_reply(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    for n in range(80):
        name = f"broken-{n:02d}-{'x' * 60}.txt"
        (settings.data_dir / name).write_bytes(b"Q: fine\nA: fine too\nA: caf\xe9\n")
    (settings.data_dir / "good.txt").write_text(INTERVIEW, encoding="utf-8")
    (settings.data_dir / "trivia.toml").write_text("[[question]]\nquestion = 1\n", "utf-8")
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.embed is not None  # the emulator refuses anything over Discord's limits
    description = message.embed["description"]
    problems = int(message.embed["title"].rsplit(", ", 1)[1].split()[0])
    assert problems > 80  # every broken transcript and the trivia file's
    assert description.startswith("Interviews: +1 added")
    assert "data/broken-00-" in description and "more problem(s)" in description
    assert "**Trivia questions: the ones loaded before stay**" in description
    assert len(description) <= 4096 and embed_length(message) <= 6000
    assert "I grew up" in await quote_text(emulator, world, NEW_QUERY)


async def test_a_crash_in_the_middle_of_storing_keeps_the_old_data(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (settings.data_dir / "jane.txt").write_text(INTERVIEW, encoding="utf-8")
    before = qbot.library.catalog
    calls = 0
    real_insert = Store._insert_interviews

    async def crash_after_writing(self: Store, interviews: Any, loaded_at: str) -> None:
        nonlocal calls
        calls += 1
        await real_insert(self, interviews, loaded_at)
        raise OSError("disk went away mid-reload")

    monkeypatch.setattr(Store, "_insert_interviews", crash_after_writing)
    message = await reply(await admin(emulator, "reload", world.owner))
    assert "Sorry, something went wrong" in message.content and message.ephemeral
    assert calls == 1
    monkeypatch.undo()
    assert qbot.library.catalog is before
    assert (await qbot.library.store.counts())["interviews"] == 1  # rolled back
    assert "producer" in await quote_text(emulator, world, SEED_QUERY)
    (last,) = await qbot.library.store.admin_actions(limit=1)
    assert (last.action, last.result) == ("reload", "error")
    message = await reply(await admin(emulator, "reload", world.owner))
    assert message.embed is not None and "Interviews: +1 added" in message.embed["description"]


def gate_loading(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the next reload's parsing wait until released (it runs in a worker thread)."""
    entered, release = threading.Event(), threading.Event()
    real = library_module.parse_inputs

    def slow(paths: Any) -> Any:
        entered.set()
        release.wait(10)
        return real(paths)

    monkeypatch.setattr(library_module, "parse_inputs", slow)
    return entered, release


async def test_concurrent_reloads_are_refused_and_quotes_answer_meanwhile(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release = gate_loading(monkeypatch)
    (settings.data_dir / "jane.txt").write_text(INTERVIEW, encoding="utf-8")
    try:
        first = await admin(emulator, "reload", world.owner)
        await asyncio.to_thread(entered.wait, 5)
        assert qbot.library.reloading

        # The bot keeps answering, with the old data, while the reload parses.
        quoted = await emulator.slash("quote", {"query": SEED_QUERY}, user=world.member)
        assert "producer" in text_of(await reply(quoted))
        assert (quoted.first_response_seconds or 9) < 3
        assert "I grew up" not in await quote_text(emulator, world, NEW_QUERY)

        second = await reply(await admin(emulator, "reload", world.owner))
        assert second.ephemeral
        assert "reload started by owner" in second.content and "still running" in second.content
        status = await reply(await admin(emulator, "status", world.owner))
        assert status.embed is not None
        fields = {f["name"]: f["value"] for f in status.embed["fields"]}
        assert fields["Reloading now"] == "yes"
    finally:
        release.set()
    done = await reply(first)
    assert done.embed is not None and "Interviews: +1 added" in done.embed["description"]
    assert (first.first_response_seconds or 9) < 3
    assert "I grew up" in await quote_text(emulator, world, NEW_QUERY)
    results = [r.result for r in await qbot.library.store.admin_actions(actions=["reload"])]
    assert results == ["ok", "refused"]


# --- import ---------------------------------------------------------------------------


async def preview(
    emulator: DiscordEmulator, world: World, data: bytes, name: str = "jane_doe.txt", **opts: Any
) -> Message:
    handle = await admin(emulator, "import", world.owner, {"file": Upload(name, data), **opts})
    return await reply(handle)


def fields_of(message: Message) -> dict[str, str]:
    assert message.embed is not None
    return {f["name"]: f["value"] for f in message.embed["fields"]}


async def test_import_preview_then_confirm_stores_it_for_good(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    settings: Settings,
    start_bot: StartBot,
) -> None:
    message = await preview(emulator, world, INTERVIEW.encode())
    assert message.ephemeral and message.embed is not None
    assert message.embed["title"] == "Import: Jane Doe on making quiet films"
    fields = fields_of(message)
    assert "guessed" in fields["Title"]
    assert fields["Speakers and roles"] == (
        "**Jane Doe**: interviewee · 2 passage(s) · 2 turn(s) · from text"
    )
    assert fields["Kept out of quotes"] == "nothing"
    hint = fields["A role is wrong?"]
    assert "quotebot inspect" in hint
    assert 'interviewees = ["Jane Doe"]\ninterviewers = []' in hint
    assert embed_length(message) <= 6000
    assert (fields["Questions"], fields["Answers"]) == ("2", "2")
    assert fields["First quote — Jane Doe"].startswith("“I grew up in that town.")
    assert fields["File"] == "jane\\_doe.txt · 325 bytes\nSaved as `data/interviews/jane-doe.txt`"
    assert [b["label"] for b in message.buttons] == ["Confirm", "Cancel"]
    assert not (settings.data_dir / "interviews").exists()  # nothing stored before Confirm
    assert "I grew up" not in await quote_text(emulator, world, NEW_QUERY)

    await emulator.click(message, label="Confirm", user=world.owner)
    result = await settled(emulator, message, lambda m: bool(m.embed and not m.buttons))
    assert result.embed is not None
    assert result.embed["title"] == "Imported “Jane Doe on making quiet films”"
    assert result.embed["description"].startswith("Saved as `data/interviews/jane-doe.txt`.\n")
    assert "Interviews: +1 added" in result.embed["description"]
    saved = settings.data_dir / "interviews" / "jane-doe.txt"
    assert saved.read_bytes() == INTERVIEW.encode()
    assert saved.with_suffix(".toml").is_file()
    assert "I grew up in that town" in await quote_text(emulator, world, NEW_QUERY)

    # It survives a reload (it is in the data directory) and a restart.
    again = await reply(await admin(emulator, "reload", world.owner))
    assert again.embed is not None and "Nothing changed" in again.embed["description"]
    await qbot.close()
    await launch(emulator, start_bot, settings)
    assert "I grew up in that town" in await quote_text(emulator, world, NEW_QUERY)

    actions = [(r.action, r.result) for r in await stored_actions(settings)]
    assert ("import-confirm", "ok") in actions and ("import", "ok") in actions


PODCAST_VTT = """\
WEBVTT

00:00:01.000 --> 00:00:04.000
<v Mira Holt>Welcome to Tide Tables. I'm Mira Holt, and my guest is Oskar Lind, who

00:00:04.000 --> 00:00:07.000
<v Mira Holt>maps the seabed off Gotland. Oskar, how do you map it?

00:00:07.000 --> 00:00:12.000
<v Oskar Lind>We tow a sonar behind a small boat and sweep back and forth,
like mowing a lawn that happens to be forty metres down.

00:00:12.000 --> 00:00:15.000
<v Oskar Lind>A good day covers four square kilometres.

00:00:15.000 --> 00:00:17.000
<v Mira Holt>What surprised you most down there?

00:00:17.000 --> 00:00:22.000
<v Oskar Lind>Shipwrecks. Hundreds of them, most never recorded, sitting upright in
the cold brackish water.

00:00:22.000 --> 00:00:24.000
<v Mira Holt>Oskar Lind, thank you.
"""


async def test_import_of_a_webvtt_podcast_shows_roles_and_quotes_only_the_guest(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await preview(emulator, world, PODCAST_VTT.encode(), name="tide-tables.vtt")
    assert message.embed is not None, message.content
    fields = fields_of(message)
    roles = fields["Speakers and roles"].splitlines()
    assert roles[0].startswith("**Oskar Lind**: interviewee · 2 passage(s)")
    assert roles[1].startswith("**Mira Holt**: interviewer · 0 passage(s)")
    assert fields["Layout"] == "webvtt"
    assert (
        'interviewees = ["Oskar Lind"]\ninterviewers = ["Mira Holt"]' in fields["A role is wrong?"]
    )
    assert "Saved as `data/interviews/tide-tables.vtt`" in fields["File"]
    await emulator.click(message, label="Confirm", user=world.owner)
    result = await settled(emulator, message, lambda m: not m.buttons)
    assert result.embed is not None and result.embed["title"].startswith("Imported")
    assert "forty metres down" in await quote_text(emulator, world, "mowing a lawn forty metres")
    # The host's question is never a quote: typed in, it leads to the guest's answer.
    host = json.loads(await quote_text(emulator, world, "what surprised you most down there"))
    assert host["embeds"], host["content"]
    assert "Shipwrecks" in host["embeds"][0]["description"]
    assert "surprised" not in host["embeds"][0]["description"]
    stored = [p for p in qbot.library.store.passages.stream() if p.interview_id == "tide-tables"]
    assert {p.speaker for p in stored} == {"Oskar Lind"} and len(stored) == 2
    assert stored[1].question == "What surprised you most down there?"


async def test_import_preview_with_many_speakers_fits_discord_limits(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    names = [
        f"Bartholomew Featherstonehaugh{chr(65 + n // 26)}{chr(97 + n % 26)}" for n in range(40)
    ]
    turns = "".join(
        f"What do you think, {name.split()[0]}?\n{name}: I think the harbour is lovely in May. "
        f"It is number {n}.\n"
        for n, name in enumerate(names)
    )
    message = await preview(emulator, world, turns.encode(), name="panel.txt")
    assert message.embed is not None  # the emulator refuses an embed over Discord's limits
    roles = fields_of(message)["Speakers and roles"]
    assert len(roles) <= 1024 and roles.endswith(" more")
    assert roles.startswith("**Bartholomew FeatherstonehaughAa**: interviewee · 1 passage(s)")
    assert embed_length(message) <= 6000


def embed_length(message: Message) -> int:
    """Characters Discord counts toward an embed's 6000: title, description, fields, footer."""
    embed = message.embed or {}
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = len(embed.get("footer", {}).get("text", ""))
    return len(embed.get("title", "")) + len(embed.get("description", "")) + fields + footer


async def stored_actions(settings: Settings) -> list[Any]:
    store = await Store.open(settings.db_path)
    try:
        return await store.admin_actions()
    finally:
        await store.close()


async def test_import_cancel_stores_nothing(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await preview(emulator, world, INTERVIEW.encode(), title="My own title")
    assert "as given" in fields_of(message)["Title"]
    await emulator.click(message, label="Cancel", user=world.owner)
    result = await settled(emulator, message, lambda m: not m.buttons)
    assert "cancelled: nothing was stored" in result.content
    assert not result.buttons and not result.embeds
    assert not (settings.data_dir / "interviews").exists()
    assert await qbot.library.store.pending_import_owner("0" * 16) is None
    assert await qbot.library.store.pending_import_count() == 0


async def test_bad_uploads_are_refused_with_the_reason(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    latin1 = "Q: Where?\nA: At the café.\n".encode("latin-1")
    message = await preview(emulator, world, latin1, name="latin.txt")
    assert message.ephemeral and "not UTF-8" in message.content and "line 2" in message.content

    big = b"Q: x\nA: y\n" * (admin_core.MAX_IMPORT_BYTES // 10 + 1)
    message = await preview(emulator, world, big, name="big.txt")
    assert message.ephemeral and "the limit is 1.0 MB" in message.content

    message = await preview(emulator, world, b"just prose\n", name="prose.txt")
    assert "prose.txt:1" in message.content and "no speaker lines" in message.content

    message = await preview(emulator, world, b"\x89PNG", name="photo.png")
    assert "not a transcript" in message.content

    message = await preview(emulator, world, (REPO / "seeds").glob("*.txt").__next__().read_bytes())
    assert "already loaded" in message.content and "Sean Baker" in message.content

    assert not (settings.data_dir / "interviews").exists()
    results = [r.result for r in await qbot.library.store.admin_actions(actions=["import"])]
    assert results == ["refused"] * 5


async def test_only_the_uploader_may_confirm_even_with_a_crafted_custom_id(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await preview(emulator, world, INTERVIEW.encode())
    confirm = message.buttons[0]["custom_id"]
    token = confirm.split(":")[3]

    # Someone else presses the real button.
    click = await emulator.click(message, label="Confirm", user=world.moderator)
    assert "Only the admin who uploaded" in (await private_reply(click)).content

    # A non-owner forges a custom_id with their own id and the real token.
    forged = emulator.forged_click(
        message, f"qb:adm:imp:{token}:{world.moderator.id}:y", user=world.moderator
    )
    assert "Only the admin who uploaded" in (await private_reply(forged)).content
    # ...or with the uploader's id: the clicker is still not the uploader.
    forged = emulator.forged_click(
        message, f"qb:adm:imp:{token}:{world.owner.id}:y", user=world.member
    )
    assert "Only the admin who uploaded" in (await private_reply(forged)).content
    # A made-up token leads nowhere either.
    forged = emulator.forged_click(
        message, f"qb:adm:imp:{'ab' * 8}:{world.member.id}:y", user=world.member
    )
    assert "Only the bot's owners" in (await private_reply(forged)).content

    assert not (settings.data_dir / "interviews").exists()
    assert await qbot.library.store.pending_import_owner(token) == world.owner.id
    denied = await qbot.library.store.admin_actions(results=["denied"])
    assert len(denied) == 4


async def test_a_pending_import_survives_a_restart_and_expires(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    settings: Settings,
    start_bot: StartBot,
) -> None:
    first = await preview(emulator, world, INTERVIEW.encode())
    second = await preview(emulator, world, INTERVIEW.replace("six", "seven").encode(), "b.txt")
    await qbot.close()
    restarted = await launch(emulator, start_bot, settings)

    await emulator.click(first, label="Confirm", user=world.owner)
    await settled(emulator, first, lambda m: not m.buttons)
    assert (settings.data_dir / "interviews" / "jane-doe.txt").is_file()

    later = cog(restarted).now() + PENDING_TTL + timedelta(seconds=1)
    cog(restarted).now = lambda: later
    await emulator.click(second, label="Confirm", user=world.owner)
    result = await settled(emulator, second, lambda m: not m.buttons)
    assert "expired" in result.content and not result.embeds
    assert not (settings.data_dir / "interviews" / "b.txt").exists()


async def test_an_unrelated_broken_file_does_not_block_an_import(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await preview(emulator, world, INTERVIEW.encode())
    (settings.data_dir / "broken.txt").write_text("no speakers here\n", encoding="utf-8")
    await emulator.click(message, label="Confirm", user=world.owner)
    result = await settled(emulator, message, lambda m: not m.buttons)
    assert result.embed is not None
    assert result.embed["title"] == "Imported “Jane Doe on making quiet films”"
    description = result.embed["description"]
    assert "Interviews: +1 added" in description
    assert "**Skipped, new and not loaded" in description and "\ndata/broken.txt:1: " in description
    assert (settings.data_dir / "interviews" / "jane-doe.txt").is_file()
    assert "I grew up in that town" in await quote_text(emulator, world, NEW_QUERY)


async def test_confirm_whose_reload_is_refused_removes_its_files(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, settings: Settings
) -> None:
    message = await preview(emulator, world, INTERVIEW.encode())
    shutil.rmtree(settings.seeds_dir)  # a missing input folder refuses the whole load
    before = qbot.library.catalog
    await emulator.click(message, label="Confirm", user=world.owner)
    result = await settled(emulator, message, lambda m: not m.buttons)
    assert result.embed is not None and "failed: nothing was stored" in result.embed["title"]
    assert "seeds: no such file or directory" in result.embed["description"]
    assert list((settings.data_dir / "interviews").iterdir()) == []
    assert qbot.library.catalog is before
    (last,) = await qbot.library.store.admin_actions(limit=1)
    assert (last.action, last.result) == ("import-confirm", "failed")


# --- status and sync ------------------------------------------------------------------


async def test_status_shows_the_essentials_and_never_the_token(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    await reply(await admin(emulator, "reload", world.owner))
    message = await reply(await admin(emulator, "status", world.moderator))
    assert message.ephemeral
    fields = fields_of(message)
    assert fields["Version"] == "0.1.0"
    assert fields["Servers"] == "1"
    assert fields["Gateway latency"].endswith("ms") or fields["Gateway latency"] == "—"
    assert "schema" in fields["Database"] and (
        "KB" in fields["Database"] or "MB" in fields["Database"]
    )
    assert "Interviews **1**" in fields["Data"] and "Quotes **" in fields["Data"]
    trivia = await qbot.library.store.admin_trivia_count()
    assert trivia > 0 and f"Trivia **{trivia}**" in fields["Data"]
    assert "reload" in fields["Last reload"] and "owner" in fields["Last reload"]
    assert ": ok" in fields["Last reload"]
    assert emulator.token not in text_of(message)
    assert emulator.token not in json.dumps(message.to_payload())


async def test_admin_sync_registers_to_this_guild_on_purpose(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    assert emulator.commands.get(world.guild.id) == {}
    message = await reply(await admin(emulator, "sync", world.owner, {"scope": "guild"}))
    assert message.ephemeral and "to this server" in message.content
    names = {c["name"] for c in emulator.commands[world.guild.id].values()}
    assert {"admin", "quote"} <= names
    message = await reply(await admin(emulator, "sync", world.owner, {"scope": "global"}))
    assert "globally" in message.content


async def test_quotebot_sync_cli_registers_commands(
    emulator: DiscordEmulator, world: World, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_settings = replace(
        settings, token=emulator.token, api_url=emulator.api_url, gateway_url=emulator.gateway_url
    )
    try:
        assert await sync_once(cli_settings, world.guild.id) == 0
        assert await sync_once(cli_settings, None) == 0
    finally:
        apply_endpoints(None, None)
    names = {c["name"] for c in emulator.commands[world.guild.id].values()}
    assert {"admin", "quote", "topic"} <= names
    admin_cmd = emulator.find_command("admin", None)
    assert admin_cmd is not None
    subs = {o["name"] for o in admin_cmd["options"]}
    assert {"reload", "import", "sync", "status", "audit"} <= subs
    out = capsys.readouterr().out
    assert f"guild {world.guild.id}" in out and "globally" in out


async def test_audit_lists_actions(emulator: DiscordEmulator, world: World, qbot: QuoteBot) -> None:
    await reply(await admin(emulator, "reload", world.moderator))
    await reply(await admin(emulator, "reload", world.owner))
    message = await reply(await admin(emulator, "audit", world.moderator, {"count": 5}))
    assert message.embed is not None
    lines = message.embed["description"].splitlines()
    assert "**reload** by owner" in lines[0] and ": ok" in lines[0]
    assert "**reload** by moderator" in lines[1] and ": denied" in lines[1]


async def test_quotebot_try_lets_the_owner_import_and_reload(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.playground import _main

    # The import's reload is slow, as at scale: the script's next line must wait for the
    # edit the Confirm promised (it used to run at once and race the reload).
    real, imported = library_module.parse_inputs, settings.data_dir / "interviews" / "jane-doe.txt"
    slowed: list[bool] = []

    def slow(paths: Any) -> Any:
        if imported.is_file() and not slowed:
            slowed.append(True)
            time.sleep(1.5)
        return real(paths)

    monkeypatch.setattr(library_module, "parse_inputs", slow)
    upload = tmp_path / "jane_doe.txt"
    upload.write_text(INTERVIEW, encoding="utf-8")
    script = f"/admin import file:{upload}\n1\n/quote {NEW_QUERY}\n/admin reload\n"
    try:
        assert await _main(settings, io.StringIO(script)) == 0
    finally:
        apply_endpoints(None, None)
    out = capsys.readouterr().out
    assert "Import: Jane Doe on making quiet films" in out and "[1] Confirm" in out
    assert "Imported “Jane Doe on making quiet films”" in out
    assert "I grew up in that town" in out
    assert "Nothing changed" in out
    assert imported.is_file() and slowed
