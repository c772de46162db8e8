"""The emulator's thread route and role mentions, driven by a plain discord.py client."""

from __future__ import annotations

import discord
import pytest
from test_emulator import started, text_channel  # tests/ is on sys.path

from bot.emulator import DiscordEmulator, Permission, StartBot, World


async def test_a_thread_from_a_message_once_with_the_permission(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    channel = text_channel(bot, world.general.id)
    message = await channel.send("talk about it")
    thread = await message.create_thread(name="Harbour · 2024-06-01", auto_archive_duration=1440)
    assert thread.id == message.id and thread.parent_id == world.general.id
    assert thread.name == "Harbour · 2024-06-01" and thread.auto_archive_duration == 1440
    [stored] = emulator.messages(world.general)
    assert stored.thread is not None and stored.thread.name == thread.name
    fetched = await channel.fetch_message(message.id)
    assert fetched.thread is not None and fetched.thread.id == thread.id

    with pytest.raises(discord.HTTPException) as raised:
        await message.create_thread(name="again")
    assert raised.value.status == 400 and raised.value.code == 160004

    other = await channel.send("no threads here")
    emulator.set_permissions(world.general, deny=Permission.CREATE_PUBLIC_THREADS)
    with pytest.raises(discord.Forbidden) as forbidden:
        await other.create_thread(name="denied")
    assert forbidden.value.code == 50013
    assert emulator.messages(world.general)[1].thread is None


async def test_a_bad_thread_name_is_invalid_form_body(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    message = await text_channel(bot, world.general.id).send("x")
    with pytest.raises(discord.HTTPException) as raised:
        await message.create_thread(name="n" * 101)
    assert raised.value.code == 50035 and "name" in raised.value.text
    [violation] = emulator.take_violations()
    assert violation.kind == "invalid_form_body"


async def test_role_mentions_ping_only_the_allowed_role(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    fans = emulator.create_role(world.guild, "Fans")
    fans.mentionable = True
    others = emulator.create_role(world.guild, "Others")
    bot, _ = await started(emulator, start_bot)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.get_role(fans.id) is not None
    assert guild.get_role(fans.id).mentionable  # type: ignore[union-attr]
    only = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(fans.id)])
    await text_channel(bot, world.general.id).send(
        f"<@&{fans.id}> <@&{others.id}> @everyone <@{world.member.id}>", allowed_mentions=only
    )
    [message] = emulator.messages(world.general)
    assert message.pings() == {f"role:{fans.id}"}
