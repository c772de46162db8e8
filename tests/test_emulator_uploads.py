"""Files sent by the real discord.py client reach the emulator the way they reach Discord:
multipart ``payload_json`` + ``files[n]`` on message create, interaction callbacks and webhook
follow-ups/edits, with Discord's size limits answered 413/40005."""

from __future__ import annotations

import io
import struct

import discord
import pytest
from discord.ext import commands

from bot.emulator import DiscordEmulator, StartBot, UploadLimits, World


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG (signature + IHDR): enough for its dimensions."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0" * 4


def as_file(data: bytes, filename: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=filename)


class Seen:
    def __init__(self) -> None:
        self.errors: list[discord.HTTPException] = []
        self.filesize_limits: list[int] = []


def make_bot() -> tuple[commands.Bot, Seen]:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    seen = Seen()

    @bot.tree.command(name="card", description="Answer with an image")
    async def card(interaction: discord.Interaction) -> None:
        seen.filesize_limits.append(interaction.filesize_limit)
        await interaction.response.send_message(
            "a card", file=as_file(png_header(1200, 630), "card.png")
        )

    @bot.tree.command(name="swap", description="Answer with a file, then replace it")
    async def swap(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first", file=as_file(b"AAA", "a.txt"))
        await interaction.edit_original_response(
            content="second", attachments=[as_file(b"BBBB", "b.txt")]
        )

    @bot.tree.command(name="later", description="Defer, then follow up with files and edit one")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(
            "two files", files=[as_file(b"1,2\n", "scores.csv"), as_file(b"{}", "quotes.json")]
        )
        extra = await interaction.followup.send("one more", file=as_file(b"x", "x.txt"), wait=True)
        [kept] = extra.attachments
        await extra.edit(attachments=[kept, as_file(b"yy", "y.txt")])

    @bot.tree.command(name="huge", description="Try a file over the limit, then apologise")
    async def huge(interaction: discord.Interaction) -> None:
        size = interaction.filesize_limit + 1
        try:
            await interaction.response.send_message(file=as_file(b"\0" * size, "big.bin"))
        except discord.HTTPException as exc:
            seen.errors.append(exc)
            await interaction.response.send_message("that file is too large", ephemeral=True)

    return bot, seen


async def started(emulator: DiscordEmulator, start_bot: StartBot) -> tuple[commands.Bot, Seen]:
    bot, seen = make_bot()
    await start_bot(emulator, bot)
    return bot, seen


def channel_of(bot: commands.Bot, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_channel_message_with_files(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    sent = await channel_of(bot, world).send(
        "export", files=[as_file(b"id,answer\n1,hi\n", "quotes.csv"), as_file(b"{}", "q.json")]
    )
    [stored] = emulator.messages(world.general)
    assert stored.content == "export"
    assert [(a.filename, a.data, a.size) for a in stored.attachments] == [
        ("quotes.csv", b"id,answer\n1,hi\n", 15),
        ("q.json", b"{}", 2),
    ]
    assert [a.content_type for a in stored.attachments] == ["text/csv", "application/json"]
    request = emulator.requests_to("POST", r"/channels/\d+/messages")[-1]
    assert [f.filename for f in request.files] == ["quotes.csv", "q.json"]
    # What discord.py parsed back, and the file served at the attachment's URL.
    assert [a.filename for a in sent.attachments] == ["quotes.csv", "q.json"]
    assert await sent.attachments[0].read() == b"id,answer\n1,hi\n"


async def test_interaction_response_with_image(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    _, seen = await started(emulator, start_bot)
    handle = await emulator.slash("card", user=world.member)
    reply = await handle.wait_original()
    [image] = reply.attachments
    assert reply.content == "a card" and image.filename == "card.png"
    assert image.content_type == "image/png" and image.dimensions == (1200, 630)
    assert image.to_payload()["width"] == 1200 and image.url.endswith("/card.png")
    assert seen.filesize_limits == [emulator.upload_limits.per_file] == [20 * 1024 * 1024]


async def test_editing_the_original_replaces_unlisted_attachments(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    handle = await emulator.slash("swap")
    reply = await handle.wait_original(lambda m: m.content == "second")
    assert [(a.filename, a.data) for a in reply.attachments] == [("b.txt", b"BBBB")]


async def test_followups_with_files_and_an_edit_that_keeps_one(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    handle = await emulator.slash("later")
    first, extra = await handle.followups(2)
    await emulator.wait_until(lambda: extra.edits > 0, what="the edit of the second follow-up")
    # The first follow-up after "thinking…" replaces it, files included.
    assert first.id == handle.original_message_id and first.content == "two files"
    assert [(a.filename, a.data) for a in first.attachments] == [
        ("scores.csv", b"1,2\n"),
        ("quotes.json", b"{}"),
    ]
    assert [(a.filename, a.data) for a in extra.attachments] == [("x.txt", b"x"), ("y.txt", b"yy")]


async def test_file_over_the_limit_is_refused_like_discord(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    _, seen = await started(emulator, start_bot)
    emulator.upload_limits = UploadLimits(per_file=1000, per_request=10_000)
    handle = await emulator.slash("huge", user=world.member)
    reply = await handle.wait_original()
    assert reply.content == "that file is too large" and not reply.attachments
    [error] = seen.errors
    assert (error.status, error.code) == (413, 40005)
    assert error.text == "Request entity too large"
    [violation] = emulator.take_violations()
    assert violation.kind == "request_entity_too_large" and "big.bin" in violation.detail


async def test_total_request_over_the_limit_is_refused(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    emulator.upload_limits = UploadLimits(per_file=1000, per_request=2500)
    channel = channel_of(bot, world)
    files = [as_file(b"z" * 900, f"part{i}.txt") for i in range(3)]  # each fits, not all three
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("parts", files=files)
    assert (refused.value.status, refused.value.code) == (413, 40005)
    assert emulator.messages(world.general) == []
    assert [v.kind for v in emulator.take_violations()] == ["request_entity_too_large"]
    await channel.send("parts", files=[as_file(b"z" * 900, f"part{i}.txt") for i in range(2)])
    [stored] = emulator.messages(world.general)
    assert [a.size for a in stored.attachments] == [900, 900]


async def test_default_limit_is_twenty_mib_per_file(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    channel = channel_of(bot, world)
    limit = 20 * 1024 * 1024
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send(file=as_file(b"\0" * (limit + 1), "over.bin"))
    assert refused.value.code == 40005
    emulator.take_violations()
    await channel.send(file=as_file(b"\0" * limit, "exact.bin"))
    [stored] = emulator.messages(world.general)
    assert stored.attachments[0].size == limit
