"""End-to-end tests of the Discord emulator with an unmodified discord.py client."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.emulator import DiscordEmulator, Message, ResponseType, StartBot, World


class CounterView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.clicks = 0

    @discord.ui.button(label="Count", custom_id="counter:count", style=discord.ButtonStyle.primary)
    async def count(
        self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]
    ) -> None:
        self.clicks += 1
        await interaction.response.edit_message(content=f"clicked {self.clicks}")


def make_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())

    @bot.tree.command(name="hello", description="Say hello with an embed")
    async def hello(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Hello", description="from the emulator")
        embed.add_field(name="who", value=interaction.user.name)
        await interaction.response.send_message(embed=embed, view=CounterView())

    return bot


async def test_slash_command_embed_and_button(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot = make_bot()
    await start_bot(emulator, bot)

    handle = await emulator.slash("hello", user=world.member)
    callback = await handle.response()
    assert callback.type == ResponseType.CHANNEL_MESSAGE
    original = handle.original
    assert isinstance(original, Message)
    assert original.embed is not None
    assert original.embed["title"] == "Hello"
    assert original.embed["fields"] == [{"name": "who", "value": "member", "inline": True}]
    assert not original.ephemeral

    click = await emulator.click(original, label="Count", user=world.member)
    assert (await click.response()).type == ResponseType.UPDATE_MESSAGE
    assert emulator.get_message(original.id) is not None
    assert handle.original is not None and handle.original.content == "clicked 1"
