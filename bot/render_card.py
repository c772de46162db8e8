"""Discord rendering of quote cards: the message text beside the image, the file, the colour.

The image is drawn by :mod:`bot.card` (plain Pillow); this module turns a quote into what the
card shows and what Discord is sent: the PNG as an attachment whose description (alt text)
is the quote, and the quote's words in the message itself, for screen readers and search.
"""

from __future__ import annotations

import io

import discord

from bot.card import CardQuote
from bot.catalog import QuoteView
from bot.render import COLOUR, CONTENT, safe
from bot.textutil import one_line, truncate

ALT_TEXT = 1024  # an attachment's description
CARD_QUOTE_TEXT = 1600  # of the message's 2,000 characters; the rest names the source

__all__ = ["accent_of", "card_file", "card_message", "card_quote"]


def card_quote(view: QuoteView) -> CardQuote:
    """What the card shows: the excerpt the reply showed, the speaker, the interview."""
    meta = view.interview.meta
    source = " · ".join(p for p in (meta.title, meta.publication, meta.date) if p)
    return CardQuote(view.excerpt, one_line(view.speaker), one_line(source))


def card_message(view: QuoteView) -> str:
    """The message text posted with the card: the quote and where it is from."""
    text = f"“{safe(one_line(view.excerpt), CARD_QUOTE_TEXT)}”"
    source = f"— **{safe(one_line(view.speaker), 100)}**, *{safe(view.title, 200)}*"
    return truncate(f"{text}\n{source}", CONTENT)


def card_file(png: bytes, view: QuoteView) -> discord.File:
    alt = f"Quote card: “{one_line(view.excerpt)}” — {one_line(view.speaker)}, {view.title}"
    return discord.File(
        io.BytesIO(png),
        filename=f"quote-{view.passage.id[:12]}.png",
        description=truncate(alt, ALT_TEXT),
    )


def accent_of(guild: discord.Guild | None) -> tuple[int, int, int]:
    """The server's colour for the bot: its top coloured role, else quotebot's red."""
    colour = guild.me.colour if guild is not None and guild.me is not None else None
    if colour is None or colour.value == 0:
        colour = COLOUR
    return colour.to_rgb()
