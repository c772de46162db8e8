"""/admin export end to end: the real bot uploads the files through the emulator's multipart
route, and the test parses them back from what the emulator stored."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

from test_export import add_scores  # tests/ is on sys.path (rootdir-less test modules)

from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, InteractionHandle, World
from bot.emulator.models import Attachment, Message
from bot.export import QUOTE_FIELDS, SCORE_FIELDS


async def export_messages(
    emulator: DiscordEmulator, world: World, bot: QuoteBot
) -> tuple[InteractionHandle, list[Message]]:
    """Every message an owner's /admin export answered with (a finished export is audited
    after its last message is sent)."""
    handle = await emulator.slash("admin", {}, subcommand="export", user=world.owner)
    async with asyncio.timeout(60):
        while not await bot.library.store.admin_actions(actions=["export"]):  # noqa: ASYNC110 - a database row, no event
            await asyncio.sleep(0.02)
    await handle.wait_original(timeout=10.0)  # a refusal is audited first, then answered
    ids = handle.followup_ids or [handle.original_message_id]  # an error edits the original
    found = [emulator.get_message(i) for i in ids if i is not None]
    return handle, [m for m in found if m is not None]


def csv_rows(attachment: Attachment) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"), newline="")))


def parse(attachments: list[Attachment]) -> dict[str, list[dict[str, Any]]]:
    """Rows by kind ("quotes.csv", "quotes.json", "trivia-scores.csv"), parts joined in order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(attachments, key=lambda a: part_key(a.filename)):
        stem, suffix = a.filename.rsplit(".", 1)
        kind = f"{stem.split('-')[0] if stem.startswith('quotes') else 'trivia-scores'}.{suffix}"
        rows = json.loads(a.data) if suffix == "json" else csv_rows(a)
        found.setdefault(kind, []).extend(rows)
    return found


def part_key(name: str) -> tuple[str, int]:
    stem, suffix = name.rsplit(".", 1)
    bits = stem.split("-")
    number = int(bits[-3]) if len(bits) >= 4 and bits[-2] == "of" else 0
    return (f"{bits[0]}.{suffix}", number)


async def test_owner_gets_every_quote_and_this_servers_scores_privately(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    store = quotebot.library.store
    await add_scores(store, world.guild.id, {world.member.id: 14, world.owner.id: 9})
    await add_scores(store, world.guild.id + 1, {4242: 3})  # another server's: not exported

    _, [message] = await export_messages(emulator, world, quotebot)
    assert message.ephemeral
    assert [a.filename for a in message.attachments] == [
        "quotes.csv",
        "quotes.json",
        "trivia-scores.csv",
    ]
    assert "trivia score(s) of this server" in message.content
    rows = parse(message.attachments)
    catalog = quotebot.library.catalog
    quotes = catalog.stats()["quotes"]
    assert len(rows["quotes.csv"]) == len(rows["quotes.json"]) == quotes
    assert list(rows["quotes.json"][0]) == list(QUOTE_FIELDS)
    some = rows["quotes.json"][len(rows["quotes.json"]) // 2]
    view = catalog.view(some["id"])
    assert view is not None and some["answer"] == view.passage.text
    assert some["interview"] == view.title and some["speaker"] == view.speaker
    with_topics = [r for r in rows["quotes.json"] if r["topics"]]
    assert with_topics, "the seed data has topics"
    scores = rows["trivia-scores.csv"]
    assert list(scores[0]) == list(SCORE_FIELDS)
    # Names come from the bot's member cache (no members intent): the one asking is known.
    member, owner = str(world.member.id), str(world.owner.id)
    assert [(r["season"], r["user_id"], r["points"], r["rank"]) for r in scores] == [
        ("Season 1", member, "14", "1"),
        ("Season 1", owner, "9", "2"),
        ("all-time", member, "14", "1"),
        ("all-time", owner, "9", "2"),
    ]
    assert scores[1]["user_name"] == "owner"
    [row] = await store.admin_actions(actions=["export"])
    assert row.result == "ok" and f"{quotes} quotes, 4 scores, 3 files" == row.message
    assert not message.pings()


async def test_a_small_upload_limit_splits_files_over_several_messages(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    """A server whose upload limit is small (Discord announces it with the interaction): the
    files are split into parts under it, sent 10 to a message, and all accepted."""
    limit = 3_000  # the test data is ~14 KB per format, its longest answer ~2.4 KB: >10 parts
    emulator.upload_limits.per_file = limit
    _, messages = await export_messages(emulator, world, quotebot)
    assert len(messages) >= 2, [len(m.attachments) for m in messages]
    attachments = [a for m in messages for a in m.attachments]
    for m in messages:
        assert m.ephemeral and 1 <= len(m.attachments) <= 10
    names = [a.filename for a in attachments]
    parts = [n for n in names if n.startswith("quotes-") and n.endswith(".csv")]
    assert len(parts) >= 3 and parts[0] == f"quotes-1-of-{len(parts)}.csv"
    assert all(len(a.data) <= limit for a in attachments)
    rows = parse(attachments)
    quotes = quotebot.library.catalog.stats()["quotes"]
    assert len(rows["quotes.csv"]) == len(rows["quotes.json"]) == quotes
    assert {r["id"] for r in rows["quotes.csv"]} == {r["id"] for r in rows["quotes.json"]}


async def test_non_owners_are_refused_and_audited(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot, tmp_path: Path
) -> None:
    handle = await emulator.slash("admin", {}, subcommand="export", user=world.moderator)
    message = await handle.wait_original(timeout=5.0)
    assert message.ephemeral and "Only the bot's owners" in message.content
    assert not message.attachments
    [row] = await quotebot.library.store.admin_actions(actions=["export"])
    assert row.result == "denied" and row.user_id == world.moderator.id


async def test_an_answer_larger_than_the_limit_is_explained_not_cut(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    emulator.upload_limits.per_file = 1_000  # the longest test answer is ~2.4 KB
    _, [message] = await export_messages(emulator, world, quotebot)
    assert message.ephemeral and not message.attachments
    assert "could not be made" in message.content and "more than the 1,000-byte" in message.content
    [row] = await quotebot.library.store.admin_actions(actions=["export"])
    assert row.result == "refused"
