# ruff: noqa: F811  (the fixtures qbot and settings come from tests/admin_helpers.py)
"""/admin import end to end: preview, confirm or cancel an uploaded transcript on the real bot,
through the loopback emulator (who may, reload, status, sync and audit: tests/test_admin_e2e.py)."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from typing import Any

from admin_helpers import (
    INTERVIEW,
    NEW_QUERY,
    REPO,
    admin,
    cog,
    embed_length,
    fields_of,
    launch,
    private_reply,
    qbot,  # noqa: F401 - a fixture
    quote_text,
    reply,
    settings,  # noqa: F401 - a fixture
    settled,
)

from bot import admin as admin_core
from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, Message, StartBot, Upload, World
from bot.settings import Settings
from bot.store import Store
from cogs.admin import PENDING_TTL

# --- import ---------------------------------------------------------------------------


async def preview(
    emulator: DiscordEmulator, world: World, data: bytes, name: str = "jane_doe.txt", **opts: Any
) -> Message:
    handle = await admin(emulator, "import", world.owner, {"file": Upload(name, data), **opts})
    return await reply(handle)


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
