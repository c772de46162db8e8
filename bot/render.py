"""Discord rendering: embeds and button rows built from core objects, within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.catalog import QuoteView
from bot.models import Topic
from bot.textutil import defuse_mentions, truncate

COLOUR = discord.Colour.from_rgb(214, 64, 69)
EMBED_DESCRIPTION = 4096
FIELD_VALUE = 1024
FIELD_NAME = 256
FOOTER = 2048
TITLE = 256
CONTENT = 2000
QUESTION_IN_QUOTE = 400  # the question under a quote; the full answer view shows all of it
PAGE_SIZE = 3800  # full-answer page: under the description limit with room for quotes marks


_BRACKET = "\ue000"  # a private-use stand-in for `[` while discord.py escapes the rest


def safe(text: str, limit: int) -> str:
    """Displayed text from quotes or members: no fake mentions, no hidden markdown, fits.

    discord.py's escape_markdown treats `[...](...)` greedily: on a line with a masked link
    it escapes only the first `[` and nothing after it (a later ||spoiler|| or second link
    stays live), and it misses links with empty text. So `[` is held out of its way and
    every one is escaped afterwards: `[x](url)` never becomes a live link.
    """
    held = defuse_mentions(text).replace(_BRACKET, "").replace("[", _BRACKET)
    cleaned = discord.utils.escape_markdown(held).replace(_BRACKET, "\\[")
    return truncate(cleaned, limit)


def quote_embed(view: QuoteView, *, footer: str | None = None) -> discord.Embed:
    meta = view.interview.meta
    embed = discord.Embed(
        description=f"“{safe(view.excerpt, EMBED_DESCRIPTION - 4)}”",
        colour=COLOUR,
    )
    embed.set_author(name=truncate(view.speaker, 256))
    if view.passage.question:
        embed.add_field(
            name="Asked", value=safe(view.passage.question, QUESTION_IN_QUOTE), inline=False
        )
    title = safe(meta.title, 200)
    source = f"[{title}]({meta.url})" if meta.url else title
    details = [p for p in (meta.publication, meta.date) if p]
    if details:
        source += f" · {safe(' · '.join(details), 200)}"
    embed.add_field(name="From", value=truncate(source, FIELD_VALUE), inline=False)
    embed.set_footer(text=truncate(footer or f"Quote {view.passage.id}", FOOTER))
    return embed


def full_answer_embed(view: QuoteView, pages: list[str], page: int) -> discord.Embed:
    body = safe(pages[page], EMBED_DESCRIPTION - 4)
    embed = discord.Embed(
        title=truncate(f"{view.speaker} — full answer", TITLE),
        description=body,
        colour=COLOUR,
    )
    if view.passage.question and page == 0:
        embed.add_field(name="Asked", value=safe(view.passage.question, FIELD_VALUE), inline=False)
    footer = f"{view.interview.meta.title} · quote {view.passage.id}"
    if len(pages) > 1:
        footer = f"Page {page + 1} of {len(pages)} · {footer}"
    embed.set_footer(text=truncate(footer, FOOTER))
    return embed


def topic_page_embed(
    topic: Topic, views: list[QuoteView], page: int, per_page: int
) -> discord.Embed:
    pages = max(1, -(-len(views) // per_page))
    page = max(0, min(page, pages - 1))
    chunk = views[page * per_page : (page + 1) * per_page]
    embed = discord.Embed(
        title=truncate(f"Topic: {topic.name}", TITLE),
        description=f"{len(views)} quote(s) about this topic.",
        colour=COLOUR,
    )
    for n, view in enumerate(chunk, start=page * per_page + 1):
        name = truncate(f"{n}. {view.speaker} — {view.title}", FIELD_NAME)
        embed.add_field(name=name, value=f"“{safe(view.excerpt, 300)}”", inline=False)
    embed.set_footer(text=f"Page {page + 1} of {pages} · /quote to search, Full answer for context")
    return embed


def about_embed(
    stats: dict[str, int], interviews: Sequence[str], topics: Sequence[str]
) -> discord.Embed:
    """`interviews`: the first titles (up to 10 are listed; `stats` has how many in all)."""
    embed = discord.Embed(
        title="quotebot",
        description=(
            "Quotes, topics and trivia from interview transcripts.\n"
            f"I hold **{stats['interviews']}** interview(s) with **{stats['speakers']}** "
            f"speaker(s): **{stats['quotes']}** quotes on **{stats['topics']}** topics."
        ),
        colour=COLOUR,
    )
    if interviews:
        listing = "\n".join(f"• {safe(t, 120)}" for t in interviews[:10])
        if stats["interviews"] > len(interviews[:10]):
            listing += f"\n…and {stats['interviews'] - len(interviews[:10])} more"
        embed.add_field(name="Interviews", value=truncate(listing, FIELD_VALUE), inline=False)
    if topics:
        embed.add_field(
            name="Some topics", value=truncate(", ".join(topics), FIELD_VALUE), inline=False
        )
    embed.add_field(
        name="How to use",
        value=(
            "`/quote` find a quote by a few words (typos are fine), by a speaker or in an "
            "interview if you like; **Share as image** posts it as a card\n"
            "`/random` a random quote, optionally on a topic, by a speaker, from an interview\n"
            "`/topic` every quote about a topic\n"
            "`/trivia play` a trivia round (or a game: `questions`) for the channel; "
            "`/trivia leaderboard`\n"
            "`/daily set` (Manage Server) a quote every day at a local time\n"
            "`/quote-settings` (Manage Server) how quote cards look\n"
            "`/about` this message"
        ),
        inline=False,
    )
    return embed
