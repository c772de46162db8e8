"""Quote cards: the Share as image button, /quote … image:true's card, and /quote-settings.

Thin: the card is drawn by bot.card (off the event loop, cached by quote and theme), the
message by bot.render_card; this cog reads options and the server's theme and sends.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal, Protocol, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.card import CardRenderer, make_theme
from bot.cardfonts import default_chain
from bot.catalog import QuoteView
from bot.client import QuoteBot
from bot.errors import UserError
from bot.render_card import accent_of, card_file, card_message, card_quote
from bot.respond import compute, send
from bot.views import GuardedItem

DEFAULT_THEME = "accent"
THEME_NAMES = {"accent": "the server's colour", "light": "light", "dark": "dark"}


class CardSource(Protocol):
    renderer: CardRenderer

    async def theme_name(self, guild_id: int | None) -> str: ...


def cards_of(client: discord.Client) -> CardSource:
    """The loaded Cards cog. Found by name and shape: the extension loader runs this module
    again as a new module object, so its class is not the one importers of this module see."""
    # QuoteBot is an AutoShardedBot, which is a BotBase but not a commands.Bot.
    cog = client.get_cog("Cards") if isinstance(client, commands.bot.BotBase) else None
    if cog is None or not isinstance(getattr(cog, "renderer", None), CardRenderer):
        raise RuntimeError("the Cards cog is not loaded")
    return cast(CardSource, cog)


async def post_card(
    interaction: discord.Interaction[Any],
    view: QuoteView,
    *,
    ephemeral: bool = False,
    buttons: discord.ui.View | None = None,
) -> None:
    """Render `view`'s card in the server's theme (off the loop) and send it with its text."""
    cards = cards_of(interaction.client)
    theme = make_theme(await cards.theme_name(interaction.guild_id), accent_of(interaction.guild))
    png = await compute(
        interaction, cards.renderer.render, card_quote(view), theme, ephemeral=ephemeral
    )
    extra: dict[str, Any] = {} if buttons is None else {"view": buttons}
    await send(
        interaction,
        content=card_message(view),
        file=card_file(png, view),
        ephemeral=ephemeral,
        **extra,
    )


class ShareImageButton(
    GuardedItem, template=r"qb:card:(?P<pid>[0-9a-f]{6,32}):(?P<sentence>-|\d{1,4})"
):
    """Posts the quote as an image card, publicly, for whoever pressed it (state in the id)."""

    def __init__(self, passage_id: str, sentence_index: int | None) -> None:
        sentence = "-" if sentence_index is None else str(max(0, sentence_index))
        super().__init__(
            discord.ui.Button(
                label="Share as image",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qb:card:{passage_id}:{sentence}",
            )
        )
        self.passage_id = passage_id
        self.sentence_index = sentence_index

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ShareImageButton:
        sentence = None if match["sentence"] == "-" else int(match["sentence"])
        return cls(match["pid"], sentence)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        if isinstance(client, QuoteBot):
            await client.check_button_cooldown("card", interaction.user)
            view = client.library.catalog.view(self.passage_id, self.sentence_index)
        else:
            view = None
        if view is None:
            raise UserError("That quote is no longer in the collection (the data was reloaded).")
        await post_card(interaction, view)


class Cards(commands.Cog):
    """Quote cards and the server's choice of their look."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.renderer = CardRenderer(default_chain(bot.settings.card_fonts))
        self._warm: asyncio.Task[object] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ShareImageButton)
        # The fonts' character maps (~0.3 s) are read in the background, not on a first share.
        self._warm = asyncio.create_task(asyncio.to_thread(lambda: self.renderer.fonts.coverage))

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ShareImageButton)
        if self._warm is not None:
            await asyncio.gather(self._warm, return_exceptions=True)

    async def theme_name(self, guild_id: int | None) -> str:
        if guild_id is None:
            return DEFAULT_THEME
        return await self.bot.library.store.card_theme(guild_id) or DEFAULT_THEME

    @app_commands.command(
        name="quote-settings", description="How this server's quote cards look (Manage Server)"
    )
    @app_commands.describe(theme="The look of quote cards; leave empty to see the current one")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def quote_settings(
        self,
        interaction: discord.Interaction[QuoteBot],
        theme: Literal["accent", "light", "dark"] | None = None,
    ) -> None:
        perms = interaction.permissions
        if not (perms.manage_guild or perms.administrator):
            raise UserError("You need the Manage Server permission to change quote cards.")
        assert interaction.guild_id is not None  # guild_only
        if theme is None:
            current = await self.theme_name(interaction.guild_id)
            text = f"Quote cards use the **{THEME_NAMES[current]}** theme."
        else:
            await self.bot.library.store.set_card_theme(
                interaction.guild_id, theme, by=interaction.user.id
            )
            text = f"Quote cards now use the **{THEME_NAMES[theme]}** theme."
        text += " Change it with `/quote-settings theme:` (accent, light or dark)."
        await send(interaction, content=text, ephemeral=True)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Cards(bot))
