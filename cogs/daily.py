"""/daily: a quote posted every day at a local time in channels the server's admins choose.

A server has up to MAX_SCHEDULES schedules, one per channel: `/daily set` in a new channel
adds one, in a channel that has one changes it; `off`, `status` and `preview` take the
channel (default: the only schedule, else the current channel's: `bot.daily_channels`).

Thin: options are checked here, the scheduling and the no-repeat bag are `bot.daily`, the
post is rendered by `bot.render_daily` and delivered by `bot.daily_poster` (the only code
that talks to Discord for the daily post). The cog owns the one `DailyScheduler` for all
guilds (started in cog_load, stopped in cog_unload) and its `DailyPoster`.

Who may: the group is registered with Manage Server as its default member permission, so
other members do not see it, and every command checks the permission again at run time
(a server can override the default in its integration settings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot
from bot.daily import DailyScheduler
from bot.daily_channels import channel_list, channel_name, schedule_for
from bot.daily_poster import DailyPoster, check_extras, missing_permissions
from bot.daily_time import find_zone, format_time, parse_time, zone, zone_choices
from bot.errors import UserError
from bot.render import safe
from bot.render_daily import (
    daily_embed,
    extras_text,
    local_when,
    schedules_embed,
    status_embed,
)
from bot.respond import send
from bot.store import DailyRow
from bot.store.daily import MAX_SCHEDULES, TooManySchedules
from bot.textutil import truncate
from cogs.quotes import random_buttons


class Daily(commands.Cog):
    """Set up, inspect and preview the daily quote; deliver it when the scheduler says so."""

    daily = app_commands.Group(
        name="daily",
        description="A quote posted every day at a time you choose",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.poster = DailyPoster(bot, self.topic_name, random_buttons)
        self.scheduler = DailyScheduler(
            bot.library.store,
            bot.clock,
            self.poster.post,
            self.pool,
            rng=bot.rng,
            owns=bot.owns_guild,
        )

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Manage Server, checked again at run time (the default permission can be overridden)."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        perms = interaction.permissions
        if not (perms.manage_guild or perms.administrator):
            # A CheckFailure (not a UserError): only those reach the tree's error handler from here.
            raise app_commands.CheckFailure(
                "You need the Manage Server permission to manage the daily quote."
            )
        return True

    # --- the core's view of the data -------------------------------------------

    def pool(self, topic: str | None) -> Sequence[str]:
        """Quotes eligible for a guild: its topic's, or every quote (also when the topic is gone)."""
        catalog = self.bot.library.catalog
        if topic is not None:
            found = catalog.topics.get(topic)
            if found is not None and found.passage_ids:
                return found.passage_ids
        return catalog.quotable

    def topic_name(self, slug: str | None) -> str | None:
        if slug is None:
            return None
        found = self.bot.library.catalog.topics.get(slug)
        return None if found is None else found.name

    # --- /daily set --------------------------------------------------------------

    @daily.command(name="set", description="Post a quote every day in a channel at a local time")
    @app_commands.describe(
        channel="Where the quote is posted",
        time="Local time, 24-hour HH:MM (e.g. 09:00 or 18:30)",
        timezone="Your IANA time zone, e.g. Europe/Berlin; start typing a city",
        topic="Only quotes about this topic (default: every quote)",
        mention="A role to mention in each post (members opt in by taking the role)",
        thread="Open a thread on each post for discussion (default: no)",
    )
    async def set_daily(
        self,
        interaction: discord.Interaction[QuoteBot],
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 100],
        topic: app_commands.Range[str, 1, 100] | None = None,
        mention: discord.Role | None = None,
        thread: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        try:
            at = parse_time(time)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        zone_name = find_zone(timezone)
        if zone_name is None:
            raise UserError(
                f"I don't know the time zone “{safe(timezone, 60)}”. Pick one from the list "
                "(start typing a city, e.g. Berlin or New York)."
            )
        slug = None
        if topic:
            found = self.bot.library.catalog.find_topic(topic)
            if found is None:
                raise UserError(
                    f"I don't know a topic called “{safe(topic, 100)}”. Pick one from the list, "
                    "or leave it empty for every quote."
                )
            slug = found.slug
        missing = missing_permissions(self.bot, channel.id)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I need the {missing} permission there."
            )
        check_extras(channel, mention, thread)
        try:
            day, due = await self.scheduler.configure(
                interaction.guild_id,
                channel.id,
                at,
                zone_name,
                slug,
                interaction.user.id,
                mention_role_id=mention.id if mention else None,
                thread=thread,
            )
        except TooManySchedules as full:
            raise UserError(
                f"This server already has {len(full.channels)} daily quotes, the most it can "
                f"have: in {channel_list(self.bot, full.channels)}. Turn one off with `/daily off "
                "channel:` (or change one by running `/daily set` on its channel)."
            ) from full
        local_due = due.astimezone(zone(zone_name))
        lines = [
            f"Daily quote set: every day at **{format_time(at)}** ({zone_name}) in "
            f"{channel.mention}"
            + (f", about **{safe(self.topic_name(slug) or slug, 100)}**." if slug else "."),
            f"First post: {local_when(local_due)}.",
        ]
        if mention or thread:
            lines.append(extras_text(mention.mention if mention else None, thread) + ".")
        if local_due.strftime("%H:%M") != format_time(at):
            lines.append(
                f"({format_time(at)} does not exist on {day:%d %b} because of the clock "
                f"change, so that day's post comes at {local_due:%H:%M}.)"
            )
        if missing_permissions(self.bot, channel.id, ("read_message_history",)):
            lines.append(
                "Tip: give me Read Message History there too. After a crash in the middle "
                "of posting I use it to check for the post instead of skipping the day."
            )
        await send(interaction, content="\n".join(lines), ephemeral=True)

    @set_daily.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in zone_choices(current[:100])]

    @set_daily.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = []
        for t in self.bot.library.catalog.topic_choices(current[:100], limit=25):
            count = len(t.passage_ids)
            label = truncate(f"{t.name} ({count} quote{'s' if count != 1 else ''})", 100)
            choices.append(app_commands.Choice(name=label, value=truncate(t.slug, 100)))
        return choices

    # --- /daily off, status, preview ---------------------------------------------

    async def _candidates(self, guild_id: int, typed: str | None) -> list[DailyRow]:
        """Where a command looks: every schedule when a channel is named (an off one too),
        else the ones that are on (the default is chosen among them)."""
        rows = await self.scheduler.schedules(guild_id)
        return rows if typed else [r for r in rows if r.enabled]

    @daily.command(name="off", description="Stop the daily quote in a channel")
    @app_commands.describe(channel="Which daily quote (default: the only one, or this channel's)")
    async def off(
        self,
        interaction: discord.Interaction[QuoteBot],
        channel: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        rows = await self._candidates(interaction.guild_id, channel)
        row = await schedule_for(interaction, channel, rows)
        if row is None:
            raise UserError("The daily quote is not on in this server. `/daily set` starts it.")
        if not await self.scheduler.turn_off(
            interaction.guild_id, row.channel_id, interaction.user.id
        ):
            raise UserError(
                f"The daily quote in {channel_name(self.bot, row.channel_id)} is already off."
            )
        await send(
            interaction,
            content=(
                f"Daily quote in <#{row.channel_id}> turned off. `/daily set` there starts it "
                "again; quotes already posted there still won't repeat until every quote has "
                "been posted."
            ),
            ephemeral=True,
        )

    @daily.command(name="status", description="Channel, next post, last post, and any problem")
    @app_commands.describe(channel="Which daily quote (default: every one in this server)")
    async def status(
        self,
        interaction: discord.Interaction[QuoteBot],
        channel: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        rows = await self.scheduler.schedules(guild_id)
        if channel or len(rows) == 1:
            row = await schedule_for(interaction, channel, rows)
            assert row is not None
            found = await self.scheduler.status(guild_id, row.channel_id)
            embed = status_embed(found, self.topic_name(row.topic))
        else:
            found_all = [await self.scheduler.status(guild_id, r.channel_id) for r in rows]
            embed = schedules_embed(
                [(f, self.topic_name(f.schedule.topic if f.schedule else None)) for f in found_all],
                MAX_SCHEDULES,
            )
        await send(interaction, embed=embed, ephemeral=True)

    @daily.command(name="preview", description="See what the daily post looks like (only you)")
    @app_commands.describe(channel="Which daily quote (default: the only one, or this channel's)")
    async def preview(
        self,
        interaction: discord.Interaction[QuoteBot],
        channel: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        row = await schedule_for(interaction, channel, await self._candidates(guild_id, channel))
        topic = row.topic if row is not None else None
        bag = row.channel_id if row is not None else interaction.channel_id or 0
        quote_id = await self.scheduler.sample(guild_id, bag, topic)
        if quote_id is None:
            raise UserError("There are no quotes to post yet; an owner can load some.")
        view = self.bot.library.catalog.view(quote_id)
        if view is None:
            raise UserError("That quote was just removed by a data reload; try the preview again.")
        today = self.bot.clock.now()
        if row is not None:
            today = today.astimezone(zone(row.timezone))
            mention = f"<@&{row.mention_role_id}>" if row.mention_role_id else None
            where = (
                f"Preview: this is how the daily quote looks in <#{row.channel_id}> at "
                f"{row.local_time} ({row.timezone}). {extras_text(mention, row.thread)}. "
                "Nothing was posted and no quote was used up."
            )
        else:
            where = "Preview: the daily quote is not set up here yet; `/daily set` starts it."
        await send(
            interaction,
            content=where,
            embed=daily_embed(view, today.date().isoformat()),
            view=random_buttons(view),
            ephemeral=True,
        )

    @off.autocomplete("channel")
    @status.autocomplete("channel")
    @preview.autocomplete("channel")
    async def channel_autocomplete(
        self, interaction: discord.Interaction[QuoteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """The server's schedules (also one whose channel was deleted: it can be named)."""
        if interaction.guild_id is None:
            return []
        typed = current.strip().lstrip("#").casefold()
        choices = []
        for row in await self.scheduler.schedules(interaction.guild_id):
            name = channel_name(self.bot, row.channel_id)
            if typed and typed not in name.casefold() and typed not in str(row.channel_id):
                continue
            state = "off" if not row.enabled else "paused" if row.paused_reason else "on"
            label = f"{name} · {row.local_time} {row.timezone} · {state}"
            choices.append(
                app_commands.Choice(name=truncate(label, 100), value=str(row.channel_id))
            )
        return choices[:25]


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Daily(bot))
