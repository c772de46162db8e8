"""Quote cards end to end: the real bot and discord.py against the emulator, files included."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import pytest
from PIL import Image

from bot.card import make_theme
from bot.client import QuoteBot
from bot.emulator import CommandNotVisible, DiscordEmulator, World
from bot.emulator.models import Message
from bot.render import COLOUR
from cogs.cards import CardSource, cards_of

Launch = Callable[..., Awaitable[QuoteBot]]
QUERY = "put the money on screen"
PHRASE = "put all the money on the screen"


def no_pings(message: Message) -> None:
    mentions = message.allowed_mentions
    assert mentions is not None and not mentions.get("parse")
    assert not mentions.get("users") and not mentions.get("roles")


def card_image(message: Message) -> Image.Image:
    [attachment] = message.attachments
    assert attachment.filename.endswith(".png") and attachment.content_type == "image/png"
    image = Image.open(io.BytesIO(attachment.data))
    assert image.format == "PNG"
    image.load()
    assert image.width == 1200 and 630 <= image.height <= 1600
    assert attachment.dimensions == image.size
    assert 10_000 < attachment.size < 2_000_000
    return image


def background(image: Image.Image) -> tuple[int, int, int]:
    pixel = image.convert("RGB").getpixel((image.width // 2, 4))
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def renderer_of(bot: QuoteBot) -> CardSource:
    return cards_of(bot)


async def quote(emulator: DiscordEmulator, world: World, **options: object) -> Message:
    handle = await emulator.slash(
        "quote", {"query": QUERY, **options}, guild=world.guild, channel=world.general
    )
    return await handle.wait_original()


async def share(emulator: DiscordEmulator, message: Message, world: World) -> Message:
    click = await emulator.click(message, label="Share as image", user=world.member)
    return await click.wait_original(lambda m: bool(m.attachments))


async def test_share_as_image_posts_a_public_png_with_the_quote_text(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    message = await quote(emulator, world)
    assert [b["label"] for b in message.buttons] == [
        "Full answer",
        "Another match",
        "Share as image",
    ]
    card = await share(emulator, message, world)
    assert not card.ephemeral
    assert PHRASE in card.content and "Sean Baker" in card.content
    assert len(card.content) <= 2000
    [attachment] = card.attachments
    assert attachment.description is not None and PHRASE in attachment.description
    image = card_image(card)
    assert background(image) == COLOUR.to_rgb()  # default theme: the server's colour
    no_pings(card)
    # A second share of the same quote in the same theme is served from the cache.
    assert renderer_of(quotebot).renderer.renders == 1
    again = await share(emulator, message, world)
    assert again.id != card.id and again.attachments[0].data == attachment.data
    assert renderer_of(quotebot).renderer.renders == 1


async def test_quote_with_image_option_replies_with_the_card(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    message = await quote(emulator, world, image=True)
    assert PHRASE in message.content and not message.embeds
    card_image(message)
    assert [b["label"] for b in message.buttons] == ["Full answer"]
    private = await quote(emulator, world, image=True, private=True)
    assert private.ephemeral and private.attachments


async def test_random_offers_share_as_image(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    handle = await emulator.slash("random", guild=world.guild, channel=world.general)
    message = await handle.wait_original()
    assert [b["label"] for b in message.buttons] == ["Full answer", "Share as image"]
    card = await share(emulator, message, world)
    shown = message.embed["description"].strip("“”")  # type: ignore[index]
    assert shown[:40] in card.content
    card_image(card)


async def test_quote_settings_theme_is_per_server_and_survives_restart(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    bot = await launch_quotebot()
    with pytest.raises(CommandNotVisible):
        await emulator.slash("quote-settings", {"theme": "dark"}, user=world.member)
    shown = await emulator.slash("quote-settings", user=world.moderator)
    assert "server's colour" in (await shown.wait_original()).content
    changed = await emulator.slash("quote-settings", {"theme": "dark"}, user=world.moderator)
    reply = await changed.wait_original()
    assert reply.ephemeral and "dark" in reply.content
    message = await quote(emulator, world)
    dark = card_image(await share(emulator, message, world))
    assert background(dark) == make_theme("dark", COLOUR.to_rgb()).background

    await bot.close()
    await launch_quotebot()  # the theme is stored, and the old message's button still works
    light = await emulator.slash("quote-settings", {"theme": "light"}, user=world.owner)
    await light.wait_original()
    lit = card_image(await share(emulator, message, world))
    assert background(lit) == make_theme("light", COLOUR.to_rgb()).background

    other = emulator.create_guild("Other Guild")
    channel = emulator.create_text_channel(other, "general")
    emulator.add_member(other, world.member)
    handle = await emulator.slash("random", guild=other, channel=channel, user=world.member)
    elsewhere = await handle.wait_original()
    card = await share(emulator, elsewhere, world)
    assert background(card_image(card)) == COLOUR.to_rgb()  # the other server kept the default


async def test_accent_theme_takes_the_bots_role_colour(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    emulator.bot_role(world.guild).colour = 0x2F6F4F  # set by the server's admins
    await launch_quotebot()
    card = await share(emulator, await quote(emulator, world), world)
    assert background(card_image(card)) == (0x2F, 0x6F, 0x4F)


async def test_quote_settings_refused_without_manage_server_at_run_time(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    registered = emulator.find_command("quote-settings", world.guild.id)
    assert registered is not None
    del registered["default_member_permissions"]  # a server override shows it to everyone
    handle = await emulator.slash("quote-settings", {"theme": "light"}, user=world.member)
    reply = await handle.wait_original()
    assert reply.ephemeral and "Manage Server" in reply.content
    assert await quotebot.library.store.card_theme(world.guild.id) is None
