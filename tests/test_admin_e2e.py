# ruff: noqa: F811  (the fixtures qbot and settings come from tests/admin_helpers.py)
"""/admin end to end: the real bot, the real cog and store, driven through the loopback emulator.
Who may, reload, status, sync, audit and `quotebot try` here; import:
tests/test_admin_import_e2e.py; shared set-up: tests/admin_helpers.py."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from admin_helpers import (
    INTERVIEW,
    NEW_QUERY,
    SEED_QUERY,
    admin,
    embed_length,
    fields_of,
    launch,
    qbot,  # noqa: F401 - a fixture
    quote_text,
    reply,
    settings,  # noqa: F401 - a fixture
    text_of,
)

import bot.library as library_module
from bot.client import QuoteBot
from bot.emulator import CommandNotVisible, DiscordEmulator, StartBot, Upload, World
from bot.endpoints import apply_endpoints
from bot.runner import sync_once
from bot.settings import Settings
from bot.store import Store

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
