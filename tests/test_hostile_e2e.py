"""Hostile members, through the emulator: mention and markdown injection (in options, names,
transcripts and uploads), every admin path tried by non-owners (crafted custom_ids
included), per-member cooldowns, and oversized or malicious imports."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from longmode import budget

from bot.admin import MAX_IMPORT_BYTES
from bot.client import COOLDOWNS, QuoteBot
from bot.emulator import DiscordEmulator, InteractionHandle, Message, Upload, World
from bot.render import safe
from bot.settings import Settings

Launch = Callable[..., Awaitable[QuoteBot]]
USER_ID, ROLE_ID, CHANNEL_ID = "111111111111111111", "222222222222222222", "333333333333333333"
HOSTILE = (
    f"@everyone @here <@{USER_ID}> <@!{USER_ID}> <@&{ROLE_ID}> <#{CHANNEL_ID}> "
    "[click me](https://evil.example/x) [](https://evil.example/empty) ||SPOILED secret|| "
    "```fence``` # Heading -# small **bold** ~~gone~~ \u202eevil\u202c zero\u200bwidth"
)
# What must never be live in text Discord renders as markdown (content, embed titles,
# descriptions and fields): the injected mentions, masked links to the injected site, spoilers.
LIVE = {
    "mass mention": re.compile(r"@(?:everyone|here)\b"),
    "user mention": re.compile(rf"<@!?{USER_ID}>"),
    "role mention": re.compile(rf"<@&{ROLE_ID}>"),
    "channel mention": re.compile(rf"<#{CHANNEL_ID}>"),
    "masked link": re.compile(r"(?<!\\)\[[^\]\n]*\]\(\s*<?https?://evil\.example"),
    "spoiler": re.compile(r"(?<!\\)\|\|"),
}


def rendered(message: Message) -> Iterator[tuple[str, str]]:
    """(where, text) for every part of a message that Discord renders as markdown."""
    yield "content", message.content
    for n, embed in enumerate(message.embeds):
        for key in ("title", "description"):
            yield f"embed {n} {key}", str(embed.get(key) or "")
        for field in embed.get("fields") or []:
            yield f"embed {n} field name", field["name"]
            yield f"embed {n} field {field['name'][:30]!r}", field["value"]


def nothing_live(message: Message) -> None:
    mentions = message.allowed_mentions
    assert mentions is not None, f"message {message.id} was sent without allowed_mentions"
    assert message.pings() == frozenset(), f"message {message.id} pings {message.pings()}"
    for where, text in rendered(message):
        for what, pattern in LIVE.items():
            assert not pattern.search(text), f"a live {what} in {where}: {text[:300]!r}"


def every_message(emulator: DiscordEmulator) -> list[Message]:
    return [m for c in emulator.channels.values() for m in emulator.messages(c)]


async def reply(handle: InteractionHandle) -> Message:
    return await handle.wait_original(timeout=10)


def text_of(message: Message) -> str:
    return json.dumps({"content": message.content, "embeds": message.embeds}, ensure_ascii=False)


# --- mention and markdown injection --------------------------------------------------------


@pytest.fixture
def hostile_data(bot_settings: Settings) -> Settings:
    """A transcript whose title, answers and questions are all hostile."""
    folder = bot_settings.data_dir
    (folder / "rude.toml").write_text(
        f"title = {json.dumps(HOSTILE)}\ninterviewee = {json.dumps('Ann Lee ' + HOSTILE)}\n",
        encoding="utf-8",
    )
    (folder / "rude.txt").write_text(
        f"Why the zebras? {HOSTILE}\n"
        f"Ann Lee: The zebra parade came first. {HOSTILE}\n"
        f"And then? {HOSTILE}\n"
        f"Lee: Then the giraffe parade, of course. {HOSTILE} The giraffes were late.\n",
        encoding="utf-8",
    )
    return bot_settings


async def test_hostile_text_never_pings_or_hides_anything_anywhere(
    emulator: DiscordEmulator, world: World, hostile_data: Settings, launch_quotebot: Launch
) -> None:
    bot = await launch_quotebot(hostile_data)
    troll = emulator.create_user(f"{HOSTILE[:60]}")
    emulator.add_member(world.guild, troll)
    members = {"member": world.member, "troll": troll, "mod": world.moderator}

    async def run(name: str, options: dict[str, Any], sub: str | None, who: str) -> Message:
        user = world.owner if who == "owner" else members[who]
        return await reply(await emulator.slash(name, options, subcommand=sub, user=user))

    # Member input echoed back, and the hostile interview shown every way it can be.
    quote = await run("quote", {"query": "zebra parade"}, None, "member")
    assert "zebra parade" in text_of(quote)
    full = await emulator.click(quote, label="Full answer", user=world.member)
    assert "giraffe" not in text_of(await full.wait_original())  # the first answer only
    await run("quote", {"query": HOSTILE[:200]}, None, "troll")
    await run("random", {"speaker": "Ann Lee"}, None, "member")
    await run("random", {"topic": HOSTILE[:100]}, None, "troll")
    await run("random", {"speaker": HOSTILE[:100]}, None, "troll")
    await run("topic", {"name": HOSTILE[:100]}, None, "troll")
    for topic in bot.library.catalog.topic_choices("", limit=25):
        if any(p in bot.library.catalog.passages for p in topic.passage_ids):
            await run("topic", {"name": topic.slug}, None, "owner")
    await run("about", {}, None, "troll")
    await run("trivia", {"topic": HOSTILE[:100]}, "play", "troll")
    await run("trivia", {}, "stats", "member")
    await run("trivia", {"member": troll}, "stats", "member")
    await run("trivia", {}, "leaderboard", "troll")
    daily = {"channel": world.general, "time": "09:00", "timezone": "Europe/Berlin"}
    bad_time = await run("daily", {**daily, "time": HOSTILE[:20]}, "set", "mod")
    await run("daily", {**daily, "timezone": HOSTILE[:100]}, "set", "mod")
    await run("daily", {**daily, "topic": HOSTILE[:100]}, "set", "mod")
    await run("daily", {}, "preview", "mod")
    upload = Upload(f"{HOSTILE[:40]}.txt", f"Q: Why?\nA: {HOSTILE} and more.\n".encode())
    preview = await run("admin", {"file": upload, "title": HOSTILE[:200]}, "import", "owner")
    assert preview.embed is not None, preview.content
    registered = emulator.find_command("admin", world.guild.id)
    assert registered is not None
    del registered["default_member_permissions"]  # a server lets everyone see /admin
    await run("admin", {}, "reload", "troll")  # denied, and audited with the troll's name
    await run("admin", {}, "status", "owner")
    await run("admin", {}, "audit", "owner")

    # The autocomplete lists show interview text and names as they are, within limits.
    for name, option, sub in (("quote", "query", None), ("topic", "name", None)):
        choices = await emulator.autocomplete(
            name, {option: "zebra"}, focused=option, subcommand=sub
        )
        assert all(len(c["name"]) <= 100 for c in choices)

    messages = every_message(emulator)
    assert len(messages) >= 25
    assert "is not a time" in bad_time.content
    for message in messages:
        nothing_live(message)
    assert not emulator.take_violations()


async def test_a_bad_daily_time_is_shown_inert(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    options = {"channel": world.general, "time": "@everyone 9", "timezone": "Europe/Berlin"}
    handle = await emulator.slash("daily", options, subcommand="set", user=world.moderator)
    nothing_live(await reply(handle))


def test_safe_escapes_every_masked_link_mention_and_spoiler() -> None:
    # discord.utils.escape_markdown alone leaves the second link of a line, and empty ones.
    text = "[a](https://evil.example/1) and [b](https://evil.example/2) [](https://evil.example/3)"
    shown = safe(f"{text} ||s|| @everyone <@&{ROLE_ID}> [[n]](https://evil.example/4)", 500)
    for what, pattern in LIVE.items():
        assert not pattern.search(shown), what
    assert shown.count("\\[") == 5


# --- admin paths from non-owners --------------------------------------------------------------


async def test_no_admin_path_is_reachable_by_a_non_owner(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot, bot_settings: Settings
) -> None:
    registered = emulator.find_command("admin", world.guild.id)
    assert registered is not None
    del registered["default_member_permissions"]  # a server lets everyone see /admin
    store = quotebot.library.store
    catalog = quotebot.library.catalog
    commands_before = copy.deepcopy(emulator.commands)
    upload = Upload("jane.txt", b"Why?\nJane Doe: Because the river was the whole world.\n")

    attempts = 0
    for user in (world.member, world.moderator):
        for sub, options in (
            ("reload", {}),
            ("sync", {}),
            ("sync", {"scope": "global"}),
            ("import", {"file": upload, "title": "Mine"}),
        ):
            message = await reply(await emulator.slash("admin", options, subcommand=sub, user=user))
            attempts += 1
            assert message.ephemeral and "Only the bot's owners" in message.content, (sub, user)
        for sub in ("status", "audit"):  # open to Manage Server, by design; not to members
            message = await reply(await emulator.slash("admin", subcommand=sub, user=user))
            attempts += 1
            assert ("Manage Server" in message.content) == (user is world.member)

    # The owner's real pending import, attacked with crafted Confirm/Cancel custom_ids.
    owner_preview = await reply(
        await emulator.slash("admin", {"file": upload}, subcommand="import", user=world.owner)
    )
    token = owner_preview.buttons[0]["custom_id"].split(":")[3]
    for user in (world.member, world.moderator):
        for forged_token in (token, "ab" * 8):
            for claimed in (world.owner.id, user.id):
                for act in ("y", "n"):
                    press = emulator.forged_click(
                        owner_preview, f"qb:adm:imp:{forged_token}:{claimed}:{act}", user=user
                    )
                    (answer,) = await press.followups(1, timeout=10)
                    attempts += 1
                    assert answer.ephemeral and (
                        "Only the admin who uploaded" in answer.content
                        or "Only the bot's owners" in answer.content
                        or "already confirmed or cancelled" in answer.content
                    ), answer.content
    # Ids that match no handler are ignored: nothing runs.
    for junk in ("qb:adm:reload", "qb:adm:imp:../../etc:1:y", "qb:adm:imp:" + "f" * 89):
        emulator.forged_click(owner_preview, junk, user=world.member)
        attempts += 1
    await asyncio.sleep(0.2)

    assert await store.pending_import_owner(token) == world.owner.id  # still the owner's
    assert not (bot_settings.data_dir / "interviews").exists()  # nothing was imported
    assert quotebot.library.catalog is catalog  # nothing was reloaded
    assert emulator.commands == commands_before
    rows = await store.admin_actions(limit=100)
    # Non-owners were denied, or (a made-up token) found nothing to act on: never "ok".
    assert {r.result for r in rows if r.user_id != world.owner.id} <= {"denied", "refused"}
    print(f"\nadmin paths: {attempts} attempts by non-owners, none got through")


# --- cooldowns ----------------------------------------------------------------------------------


async def test_expensive_commands_have_per_member_cooldowns_owners_exempt(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    uses, per = COOLDOWNS["quote"]
    for _ in range(uses):
        ok = await reply(await emulator.slash("quote", {"query": "money"}, user=world.member))
        assert ok.embeds
    limited = await reply(await emulator.slash("quote", {"query": "money"}, user=world.member))
    assert limited.ephemeral and limited.content.startswith("Easy there")
    seconds = int(re.search(r"again in (\d+) s", limited.content)[1])  # type: ignore[index]
    assert 1 <= seconds <= per
    # Someone else is not slowed down by it; the owner never is.
    other = await reply(await emulator.slash("quote", {"query": "money"}, user=world.moderator))
    assert other.embeds
    for _ in range(uses + 3):
        assert (await reply(await emulator.slash("quote", {"query": "money"}))).embeds

    # /random, /topic and /trivia play are limited the same way.
    topic = quotebot.library.catalog.topic_choices("", limit=1)[0].slug
    for name, options, sub in (
        ("random", {}, None),
        ("topic", {"name": topic}, None),
        ("trivia", {}, "play"),
    ):
        key = f"{name} {sub}" if sub else name
        replies = [
            await reply(await emulator.slash(name, options, subcommand=sub, user=world.member))
            for _ in range(COOLDOWNS[key][0] + 1)
        ]
        assert replies[-1].content.startswith("Easy there"), (key, replies[-1].content)
        assert not any(r.content.startswith("Easy there") for r in replies[:-1]), key

    # A hostile moderator hammering /admin reload: refused, then rate limited, so the audit
    # table gets a bounded number of rows.
    for _ in range(10):
        await reply(await emulator.slash("admin", subcommand="reload", user=world.moderator))
    denied = await quotebot.library.store.admin_actions(actions=["reload"], limit=100)
    assert len(denied) == COOLDOWNS["admin reload"][0]


async def test_another_match_has_a_per_member_cooldown_owners_exempt(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    """Each press of "Another match" runs a search: a member cannot hammer it."""
    uses, per = COOLDOWNS["another match"]

    async def press(message: Any, user: Any) -> str:
        click = await emulator.click(message, label="Another match", user=user)
        if (await click.response()).type == 7:  # the quote was replaced in place
            return "updated"
        return (await click.wait_original()).content

    for user, presses in ((world.member, uses + 1), (world.owner, uses + 3)):
        message = await reply(await emulator.slash("quote", {"query": "money"}, user=user))
        answers = [await press(message, user) for _ in range(presses)]
        limited = [a for a in answers if a.startswith("Easy there")]
        if user is world.owner:
            assert not limited, answers
            continue
        assert limited == [answers[-1]], answers
        seconds = int(re.search(r"again in (\d+) s", answers[-1])[1])  # type: ignore[index]
        assert 1 <= seconds <= per


# --- malicious imports --------------------------------------------------------------------------


def zip_bytes() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", "0" * 5_000_000)  # 5 MB that compresses to a few KB
    return buffer.getvalue()


async def test_oversized_or_malicious_imports_are_refused_cleanly_and_the_bot_keeps_serving(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot, bot_settings: Settings
) -> None:
    async def upload(name: str, data: bytes, timeout: float = 10.0) -> Message:
        handle = await emulator.slash(
            "admin", {"file": Upload(name, data)}, subcommand="import", user=world.owner
        )
        return await handle.wait_original(timeout=timeout)

    cases = {
        "huge": ("huge.txt", b"Q: x?\nA: y.\n" * (MAX_IMPORT_BYTES // 12 + 1), "the limit is"),
        "zip bomb named .txt": ("notes.txt", zip_bytes(), "not UTF-8"),
        "binary": ("photo.txt", bytes(range(256)) * 40, "not UTF-8"),
        "NUL bytes": ("nul.txt", b"Q: a?\nA: b\x00c\n" * 100, "binary"),
        "UTF-16": ("wide.txt", "Q: Why?\nA: Because.\n".encode("utf-16"), "UTF-16"),
        "executable": ("run.exe", b"MZ\x90\x00", "not a transcript"),
        "empty": ("empty.txt", b"", "empty"),
    }
    for what, (name, data, expected) in cases.items():
        message = await upload(name, data)
        assert message.ephemeral and expected in message.content, (what, message.content)
        assert not message.buttons, what

    # A file that explodes into thousands of tiny answers (with QUOTEBOT_FUZZ=long, one just
    # under the limit: 40,000): the preview is prepared off the event loop, so members are
    # answered meanwhile.
    lines = "".join(f"Q{n}?\nAnn Lee: a{n}.\n" for n in range(budget(10_000, 40_000))).encode()[
        : MAX_IMPORT_BYTES - 10
    ]
    # Parsing them takes a second or more of CPU (twice: a draft for the title, then the
    # final): the wait is a bound on a hang, not a speed target, for a busy machine.
    crowd = asyncio.ensure_future(upload("many.txt", lines, timeout=90.0))
    served = await reply(await emulator.slash("quote", {"query": "money"}, user=world.member))
    # Answered while the import (all that parsing) is still being prepared: counted in
    # events, not seconds, so a busy machine cannot fail it.
    assert served.embeds and not crowd.done()
    await asyncio.wait_for(crowd, 100)

    # A path in the file name never leaves the imports folder.
    sneaky = await upload("..\\..\\..\\etc\\evil.txt", b"Why?\nJane Doe: Sneaky but fine.\n")
    assert sneaky.embed is not None and "..\\\\" not in text_of(sneaky), sneaky.content
    confirm = await emulator.click(sneaky, label="Confirm", user=world.owner)
    await confirm.response()
    folder = bot_settings.data_dir / "interviews"
    await emulator.wait_until(lambda: folder.exists() and any(folder.glob("*.txt")), 10.0)
    assert [p.name for p in folder.iterdir()] and all(p.parent == folder for p in folder.iterdir())
    assert not list(Path(bot_settings.data_dir).parent.glob("etc*"))
    assert not emulator.take_violations()
