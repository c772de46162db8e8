"""Member commands: /quote, /random, /topic, /about. Thin: read options, ask the catalog, render."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog, QuoteView
from bot.client import QuoteBot, member_cooldown
from bot.errors import UserError
from bot.facets import Facets
from bot.lane import SearchLane
from bot.render import (
    PAGE_SIZE,
    about_embed,
    full_answer_embed,
    quote_embed,
    safe,
    topic_page_embed,
)
from bot.render_search import (
    Search,
    count_label,
    filter_words,
    match_footer,
    search_from,
)
from bot.respond import compute, in_time, send
from bot.textutil import paginate, truncate
from bot.views import GuardedItem
from cogs.cards import ShareImageButton, post_card

QUERY_MAX = 200
MAX_MATCHES = 25
TOPIC_PER_PAGE = 5


def topic_key(slug: str) -> str:
    """A short, stable handle for a topic that fits in a custom_id."""
    return hashlib.sha1(slug.encode()).hexdigest()[:10]


def catalog_of(interaction: discord.Interaction[Any]) -> Catalog:
    client: QuoteBot = interaction.client
    return client.library.catalog


def quote_buttons(quote: QuoteView, owner: int, rank: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FullAnswerButton(quote.passage.id, 0))
    view.add_item(AnotherMatchButton(owner, rank))
    view.add_item(ShareImageButton(quote.passage.id, quote.sentence_index))
    return view


class FullAnswerButton(GuardedItem, template=r"qb:full:(?P<pid>[0-9a-f]{6,32}):(?P<page>\d{1,4})"):
    """Shows the whole answer, privately, paged when long. Anyone may read a public quote."""

    def __init__(
        self, passage_id: str, page: int, *, label: str = "Full answer", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary
                if label == "Full answer"
                else discord.ButtonStyle.secondary,
                custom_id=f"qb:full:{passage_id}:{max(0, page)}",
                disabled=disabled,
            )
        )
        self.passage_id = passage_id
        self.page = page

    @classmethod
    def from_match(cls, match: re.Match[str]) -> FullAnswerButton:
        return cls(match["pid"], int(match["page"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        catalog = catalog_of(interaction)
        view = catalog.view(self.passage_id)
        if view is None:
            raise UserError("That quote is no longer in the collection (the data was reloaded).")
        pages = paginate(view.passage.text, PAGE_SIZE)
        page = max(0, min(self.page, len(pages) - 1))
        embed = full_answer_embed(view, pages, page)
        buttons = discord.ui.View(timeout=None)
        if len(pages) > 1:
            buttons.add_item(
                FullAnswerButton(self.passage_id, page - 1, label="Previous", disabled=page == 0)
            )
            buttons.add_item(
                FullAnswerButton(
                    self.passage_id, page + 1, label="Next", disabled=page >= len(pages) - 1
                )
            )
        message = interaction.message
        if (
            message is not None
            and message.flags.ephemeral
            and message.embeds
            and "full answer" in (message.embeds[0].title or "")
        ):
            await interaction.response.edit_message(embed=embed, view=buttons)
        else:
            await interaction.response.send_message(embed=embed, view=buttons, ephemeral=True)


class AnotherMatchButton(GuardedItem, template=r"qb:next:(?P<owner>\d{1,20}):(?P<rank>\d{1,2})"):
    """Replaces the quote with the next search result; only the member who searched may."""

    def __init__(self, owner: int, rank: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Another match",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qb:next:{owner}:{rank}",
            )
        )
        self.owner = owner
        self.rank = rank

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AnotherMatchButton:
        return cls(int(match["owner"]), int(match["rank"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.owner:
            raise UserError(
                "Only the member who searched can flip through these matches; try /quote yourself."
            )
        if isinstance(interaction.client, QuoteBot):
            await interaction.client.check_button_cooldown("another match", interaction.user)
        search = search_from(interaction.message)
        if search is None:
            raise UserError("I can't tell what this search was any more; please run /quote again.")
        catalog = catalog_of(interaction)
        rank = self.rank + 1
        speakers, interview = catalog.filters(search.speaker, search.interview)
        lane = interaction.client.search_lane if isinstance(interaction.client, QuoteBot) else None
        found = await in_time(
            interaction,
            (lane or SearchLane()).quote(
                catalog,
                search.query,
                min(rank + 1, MAX_MATCHES),
                speakers=speakers,
                interview=interview,
            ),
        )
        if rank >= len(found.results):
            raise UserError("That was the last match. Try /quote with other words.")
        view = found.results[rank]
        await interaction.response.edit_message(
            embed=quote_embed(view, footer=match_footer(rank, search)),
            view=quote_buttons(view, self.owner, rank),
        )


class TopicPageButton(
    GuardedItem,
    template=r"qb:topic:(?P<owner>\d{1,20}):(?P<key>[0-9a-f]{10}):(?P<page>\d{1,4}):(?P<dir>[pn])",
):
    """Previous/Next on a /topic listing; only the invoker may page, and pages expire."""

    def __init__(
        self, owner: int, key: str, page: int, direction: str, *, disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label="Previous" if direction == "p" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qb:topic:{owner}:{key}:{max(0, page)}:{direction}",
                disabled=disabled,
            )
        )
        self.owner, self.key, self.page, self.direction = owner, key, page, direction

    @classmethod
    def from_match(cls, match: re.Match[str]) -> TopicPageButton:
        return cls(int(match["owner"]), match["key"], int(match["page"]), match["dir"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.owner:
            raise UserError("These pages belong to the member who asked; run /topic yourself.")
        cog = interaction.client.get_cog("Quotes")
        timeout = cog.topic_timeout if isinstance(cog, Quotes) else 300.0
        message = interaction.message
        if (
            message is not None
            and (datetime.now(UTC) - message.created_at).total_seconds() > timeout
        ):
            await interaction.response.edit_message(
                view=topic_buttons(self.owner, self.key, 0, 1, disabled=True)
            )
            await interaction.followup.send(
                "These pages have expired; run /topic again.", ephemeral=True
            )
            return
        catalog = catalog_of(interaction)
        topic = next((t for t in catalog.topics.values() if topic_key(t.slug) == self.key), None)
        if topic is None:
            raise UserError("That topic is no longer in the collection (the data was reloaded).")
        views = catalog.topic_quotes(topic)
        pages = max(1, -(-len(views) // TOPIC_PER_PAGE))
        page = max(0, min(self.page, pages - 1))
        await interaction.response.edit_message(
            embed=topic_page_embed(topic, views, page, TOPIC_PER_PAGE),
            view=topic_buttons(self.owner, self.key, page, pages),
        )


def topic_buttons(
    owner: int, key: str, page: int, pages: int, *, disabled: bool = False
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TopicPageButton(owner, key, page - 1, "p", disabled=disabled or page <= 0))
    view.add_item(
        TopicPageButton(owner, key, page + 1, "n", disabled=disabled or page >= pages - 1)
    )
    return view


class Quotes(commands.Cog):
    """What members use all day."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.topic_timeout = 300.0
        self.last_random: dict[int, str] = {}
        self._warm: asyncio.Future[Facets] | None = None

    @property
    def catalog(self) -> Catalog:
        return self.bot.library.catalog

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FullAnswerButton, AnotherMatchButton, TopicPageButton)
        # The filters' rows per speaker and interview: read now, in the search lane, rather
        # than on the first filtered search or autocomplete (after a reload: on first use).
        catalog = self.catalog
        self._warm = asyncio.ensure_future(self.bot.search_lane.run(lambda: catalog.facets))

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(FullAnswerButton, AnotherMatchButton, TopicPageButton)
        if self._warm is not None:
            await asyncio.gather(self._warm, return_exceptions=True)

    # --- /quote -------------------------------------------------------------

    @app_commands.command(
        name="quote", description="Find a quote from the interviews by a few words"
    )
    @app_commands.describe(
        query="Words you remember from the quote; typos and any order are fine",
        private="Only you see the reply",
        image="Reply with the quote as an image card",
        speaker="Only quotes by this person",
        interview="Only quotes from this interview",
    )
    @member_cooldown("quote")
    async def quote(
        self,
        interaction: discord.Interaction[QuoteBot],
        query: app_commands.Range[str, 1, QUERY_MAX],
        private: bool = False,
        image: bool = False,
        speaker: app_commands.Range[str, 1, 100] | None = None,
        interview: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        speakers, interview_id = self.catalog.filters(speaker, interview)
        search = Search(
            query,
            speaker,
            None if interview_id is None else self.catalog.interviews[interview_id].meta.title,
        )
        found = await in_time(
            interaction,
            self.bot.search_lane.quote(  # one quote is shown: only its answer is read
                self.catalog, query, 5, speakers=speakers, interview=interview_id, shown=1
            ),
            ephemeral=private,
        )
        if not found.results:
            text = f"No quote{filter_words(search)} matches “{safe(query, 100)}”."
            if found.suggestions:
                tips = "\n".join(f"• {safe(s, 100)}" for s in found.suggestions[:5])
                text += f"\nClosest I have:\n{tips}"
            else:
                text += " Try fewer or different words, or /topic to browse."
            await send(interaction, content=truncate(text, 2000), ephemeral=True)
            return
        view = found.results[0]
        if image:
            await post_card(interaction, view, ephemeral=private, buttons=random_buttons(view))
            return
        await send(
            interaction,
            embed=quote_embed(view, footer=match_footer(0, search)),
            view=quote_buttons(view, interaction.user.id, 0),
            ephemeral=private,
        )

    @quote.autocomplete("query")
    async def quote_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if not current.strip():
            return []
        speakers, interview_id = self.typed_filters(interaction.namespace)
        suggestions = await self.bot.search_lane.suggest(
            interaction.user.id,
            self.catalog,
            current[:QUERY_MAX],
            25,
            speakers=speakers,
            interview=interview_id,
        )
        if suggestions is None:
            return []  # the member typed on: their client shows only the newer request's answer
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()
        for s in suggestions:
            label = truncate(" ".join(s.label.split()), 100)
            if label and label not in seen:
                seen.add(label)
                choices.append(app_commands.Choice(name=label, value=label))
        return choices[:25]

    def typed_filters(
        self, namespace: app_commands.Namespace
    ) -> tuple[list[str] | None, str | None]:
        """The `speaker` and `interview` already typed in /quote, as the search takes them.
        A value that names nothing (still being typed) is left out rather than emptying
        the suggestions: /quote itself says it names nothing when it is sent."""
        speaker, interview = namespace.speaker, namespace.interview
        speakers = None
        if isinstance(speaker, str) and speaker.strip():
            speakers = self.catalog.match_speakers(speaker[:100]) or None
        interview_id = None
        if isinstance(interview, str) and interview.strip():
            found = self.catalog.find_interview(interview[:100])
            interview_id = None if found is None else found.id
        return speakers, interview_id

    @quote.autocomplete("speaker")
    async def quote_speaker_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.speaker_choices(current)

    @quote.autocomplete("interview")
    async def quote_interview_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        speaker = interaction.namespace.speaker
        return await self.interview_choices(current, speaker if isinstance(speaker, str) else None)

    async def speaker_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Speakers with their quote counts (computed off the loop the first time)."""
        found = await self.bot.search_lane.run(self.catalog.speaker_choices, current[:100], 25)
        return [
            app_commands.Choice(name=count_label(name, count), value=truncate(name, 100))
            for name, count in found
        ]

    async def interview_choices(
        self, current: str, speaker: str | None = None
    ) -> list[app_commands.Choice[str]]:
        """Interviews with their quote counts (of the chosen speaker, when one is)."""
        speakers = self.catalog.match_speakers(speaker) if speaker else None
        found = await self.bot.search_lane.run(
            functools.partial(
                self.catalog.interview_choices, current[:100], 25, speakers=speakers or None
            )
        )
        return [
            app_commands.Choice(
                name=count_label(interview.meta.title, count),
                value=interview.id
                if len(interview.id) <= 100
                else truncate(interview.meta.title, 100),
            )
            for interview, count in found
        ]

    # --- /random ------------------------------------------------------------

    @app_commands.command(
        name="random", description="A random quote, optionally on a topic or by a speaker"
    )
    @app_commands.describe(
        topic="Only quotes about this topic",
        speaker="Only quotes by this person",
        interview="Only quotes from this interview",
    )
    @member_cooldown("random")
    async def random_quote(
        self,
        interaction: discord.Interaction[QuoteBot],
        topic: app_commands.Range[str, 1, 100] | None = None,
        speaker: app_commands.Range[str, 1, 100] | None = None,
        interview: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        chosen = None
        if topic:
            chosen = self.catalog.find_topic(topic)
            if chosen is None:
                raise UserError(
                    f"I don't know a topic called “{safe(topic, 100)}”. Pick one from the list."
                )
        if speaker and not any(speaker.casefold() in s.casefold() for s in self.catalog.speakers()):
            raise UserError(f"No speaker called “{safe(speaker, 100)}” in the interviews.")
        _, interview_id = self.catalog.filters(None, interview)
        channel_id = interaction.channel_id or 0
        view = await compute(
            interaction,
            functools.partial(
                self.catalog.random,
                self.bot.rng,
                topic=chosen,
                speaker=speaker,
                exclude=self.last_random.get(channel_id),
                interview=interview_id,
            ),
        )
        if view is None:
            raise UserError("No quote fits that combination.")
        self.last_random[channel_id] = view.passage.id
        await send(
            interaction,
            embed=quote_embed(view, footer=f"Random quote · {view.passage.id}"),
            view=shareable_buttons(view),
        )

    @random_quote.autocomplete("topic")
    async def random_topic_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.topic_choices(current)

    @random_quote.autocomplete("speaker")
    async def speaker_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.speaker_choices(current)

    @random_quote.autocomplete("interview")
    async def random_interview_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        speaker = interaction.namespace.speaker
        return await self.interview_choices(current, speaker if isinstance(speaker, str) else None)

    # --- /topic -------------------------------------------------------------

    def topic_choices(self, current: str) -> list[app_commands.Choice[str]]:
        choices = []
        for t in self.catalog.topic_choices(current[:100], limit=25):
            count = len(t.passage_ids)
            label = truncate(f"{t.name} ({count} quote{'s' if count != 1 else ''})", 100)
            choices.append(app_commands.Choice(name=label, value=truncate(t.slug, 100)))
        return choices

    @app_commands.command(name="topic", description="Every quote about one topic, page by page")
    @app_commands.describe(name="The topic; start typing to see them with their quote counts")
    @member_cooldown("topic")
    async def topic(
        self, interaction: discord.Interaction[QuoteBot], name: app_commands.Range[str, 1, 100]
    ) -> None:
        topic = self.catalog.find_topic(name)
        if topic is None:
            close = ", ".join(t.name for t in self.catalog.topic_choices(name, limit=5))
            hint = (
                f" Did you mean: {safe(close, 300)}?" if close else " Start typing to see the list."
            )
            raise UserError(f"I don't know a topic called “{safe(name, 100)}”.{hint}")
        views = self.catalog.topic_quotes(topic)
        pages = max(1, -(-len(views) // TOPIC_PER_PAGE))
        embed = topic_page_embed(topic, views, 0, TOPIC_PER_PAGE)
        if pages == 1:
            await send(interaction, embed=embed)
            return
        key = topic_key(topic.slug)
        await send(interaction, embed=embed, view=topic_buttons(interaction.user.id, key, 0, pages))
        self.bot.loop.create_task(self._expire_topic(interaction, key, pages))

    async def _expire_topic(
        self, interaction: discord.Interaction[QuoteBot], key: str, pages: int
    ) -> None:
        """Disable the page buttons when they time out, so nobody presses dead ones."""
        await asyncio.sleep(self.topic_timeout)
        with contextlib.suppress(discord.HTTPException):  # deleted message: nothing to disable
            await interaction.edit_original_response(
                view=topic_buttons(interaction.user.id, key, 0, pages, disabled=True)
            )

    @topic.autocomplete("name")
    async def topic_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.topic_choices(current)

    # --- /about -------------------------------------------------------------

    @app_commands.command(name="about", description="What this bot knows and how to use it")
    async def about(self, interaction: discord.Interaction[QuoteBot]) -> None:
        facts = self.catalog.about()
        embed = about_embed(facts.stats, facts.titles, facts.topics)
        await send(interaction, embed=embed, ephemeral=True)


def random_buttons(view: QuoteView) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(FullAnswerButton(view.passage.id, 0))
    return buttons


def shareable_buttons(view: QuoteView) -> discord.ui.View:
    """Full answer and Share as image, for a /random reply."""
    buttons = random_buttons(view)
    buttons.add_item(ShareImageButton(view.passage.id, view.sentence_index))
    return buttons


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Quotes(bot))
