"""/daily: a quote posted every day at a local time in channels the server's admins choose.

A server has up to MAX_SCHEDULES schedules, one per channel: `/daily set` in a new channel
adds one, in a channel that has one changes it; `off`, `status` and `preview` take the
channel (default: the only schedule, else the current channel's).

Thin: options are checked here, the scheduling and the no-repeat bag are `bot.daily`, the
post is rendered by `bot.render_daily`. The cog owns the one `DailyScheduler` for all guilds
(started in cog_load, stopped in cog_unload) and is its poster: the only code that talks to
Discord for the daily post.

Who may: the group is registered with Manage Server as its default member permission, so
other members do not see it, and every command checks the permission again at run time
(a server can override the default in its integration settings).

Restart safety (see `bot.daily` for the whole argument): the scheduler claims (guild,
channel, day) before calling `post`; `post` sends with a nonce derived from them, which Discord
deduplicates for a few minutes (`enforce_nonce`). On a retry of a claim it first looks in
the channel for the post it may already have made; if it can neither find it nor prove it
absent, it gives the day up rather than risk posting twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.client import QuoteBot
from bot.daily import (
    NONCE_WINDOW,
    DailyJob,
    DailyScheduler,
    GiveUp,
    Gone,
    Posted,
    PostResult,
    Redraw,
    Retry,
    thread_name,
)
from bot.daily_time import find_zone, format_time, parse_time, zone, zone_choices
from bot.errors import UserError
from bot.render import safe
from bot.render_daily import (
    daily_embed,
    daily_mentions,
    extras_text,
    is_daily_post,
    local_when,
    schedules_embed,
    status_embed,
)
from bot.respond import send
from bot.store import DailyRow
from bot.store.daily import MAX_SCHEDULES, TooManySchedules
from bot.textutil import truncate
from cogs.quotes import random_buttons

log = logging.getLogger(__name__)

HISTORY_SCAN = 200  # messages read after a claim when looking for a post already made
CLOCK_SKEW = timedelta(seconds=30)  # look a little before the claim: clocks differ
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
PERMISSION_NAMES = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "mention_everyone": "Mention Everyone",
}
CHANNEL_REF = re.compile(r"^\s*(?:<#)?(\d{15,21})>?\s*$")  # a channel id or mention
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


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
        self.scheduler = DailyScheduler(
            bot.library.store, bot.clock, self.post, self.pool, rng=bot.rng, owns=bot.owns_guild
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

    # --- delivery (the scheduler's poster) -----------------------------------------

    async def post(self, job: DailyJob) -> PostResult:
        channel = self.bot.get_partial_messageable(job.channel_id, guild_id=job.guild_id)
        history_checked = False
        if job.recovering:
            found = await self._find_existing(channel, job)
            if isinstance(found, Posted):
                return await self._with_thread(channel, found, job)
            if isinstance(found, Gone):
                return found
            history_checked = found == "absent"
            within_nonce = self.bot.clock.now() - job.claimed_at < NONCE_WINDOW
            if not history_checked and not within_nonce:
                return GiveUp(
                    "the bot stopped while posting, and without Read Message History in the "
                    "channel it could not check whether the post went out, so it did not post "
                    "again"
                )
        view = self.bot.library.catalog.view(job.quote_id)
        if view is None:
            reason = "the chosen quote was removed by a data reload before it was posted"
            # Only redraw when nothing can have gone out (first attempt, or history checked).
            return Redraw(reason) if not job.recovering or history_checked else GiveUp(reason)
        role_id, mention_note = self._mention(job)
        try:
            message = await channel.send(
                content=f"<@&{role_id}>" if role_id else None,
                embed=daily_embed(view, job.day),
                view=random_buttons(view),
                nonce=job.nonce,
                allowed_mentions=daily_mentions(role_id),
            )
        except discord.HTTPException as exc:
            return self._failure(job, exc)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return Retry(f"could not reach Discord ({type(exc).__name__})")
        return await self._with_thread(channel, Posted(message.id, note=mention_note), job)

    # --- the extras: a role mention and a discussion thread -----------------------------
    # Neither ever holds the post back: what could not be done is recorded on the day's
    # post and shown by /daily status.

    def _mention(self, job: DailyJob) -> tuple[int | None, str | None]:
        """The role to mention, or None and why not (deleted; not mentionable by the bot)."""
        if job.mention_role_id is None:
            return None, None
        guild = self.bot.get_guild(job.guild_id)
        if guild is None:  # not in the cache (an outage): try; Discord applies its own rules
            return job.mention_role_id, None
        role = guild.get_role(job.mention_role_id)
        if role is None:
            return None, "the role to mention was deleted, so nobody was mentioned"
        if not role.mentionable and not self._can_mention_everyone(job.channel_id):
            return None, (
                f"@{role.name} is not mentionable and I lack the Mention Everyone permission in "
                f"<#{job.channel_id}>, so nobody was mentioned"
            )
        return role.id, None

    def _can_mention_everyone(self, channel_id: int) -> bool:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return False
        return channel.permissions_for(channel.guild.me).mention_everyone

    async def _with_thread(
        self, channel: discord.PartialMessageable, posted: Posted, job: DailyJob
    ) -> Posted:
        """Open the discussion thread on the post (once: after a restart, Discord's "already
        created" means it exists), or note why it could not be opened."""
        if not job.thread:
            return posted
        view = self.bot.library.catalog.view(job.quote_id)
        label = self.topic_name(job.topic) or (view.title if view else "")
        thread_id: int | None
        note: str | None
        try:
            thread = await channel.get_partial_message(posted.message_id).create_thread(
                name=thread_name(label, job.day), auto_archive_duration=1440
            )
            thread_id, note = thread.id, None
        except discord.HTTPException as exc:
            thread_id, note = self._thread_failure(posted.message_id, job.channel_id, exc)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            thread_id, note = None, f"no thread: could not reach Discord ({type(exc).__name__})"
        notes = "; ".join(n for n in (posted.note, note) if n) or None
        return Posted(posted.message_id, thread_id, notes)

    def _thread_failure(
        self, message_id: int, channel_id: int, exc: discord.HTTPException
    ) -> tuple[int | None, str | None]:
        if exc.code == THREAD_EXISTS:
            return message_id, None  # a thread shares its starter message's id
        if isinstance(exc, discord.Forbidden):
            return (
                None,
                f"no thread: I lack the Create Public Threads permission in <#{channel_id}>",
            )
        return None, f"no thread: Discord refused it ({exc.status}: {truncate(exc.text, 150)})"

    async def _find_existing(
        self, channel: discord.PartialMessageable, job: DailyJob
    ) -> Posted | Gone | Literal["absent", "unknown"]:
        """Look for the post for `job.day` among the channel's messages since the claim:
        Posted when found, "absent" when the history proves there is none, "unknown" when it
        could not be read completely, Gone when the channel is gone."""
        me = self.bot.user
        if me is None:
            return "unknown"
        after = discord.Object(id=discord.utils.time_snowflake(job.claimed_at - CLOCK_SKEW))
        seen = 0
        try:
            async for message in channel.history(limit=HISTORY_SCAN, after=after):
                seen += 1
                if is_daily_post(message, me.id, job.day):
                    log.info(
                        "daily: guild %s %s was already posted (message %s)",
                        job.guild_id,
                        job.day,
                        message.id,
                    )
                    return Posted(message.id)
        except discord.NotFound:
            return Gone(f"the channel <#{job.channel_id}> was deleted")
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError, OSError):
            return "unknown"  # no Read Message History, or Discord trouble
        return "absent" if seen < HISTORY_SCAN else "unknown"

    def _failure(self, job: DailyJob, exc: discord.HTTPException) -> PostResult:
        where = f"<#{job.channel_id}>"
        if isinstance(exc, discord.NotFound):
            return Gone(f"the channel {where} was deleted (or I can no longer see it)")
        if isinstance(exc, discord.Forbidden):
            missing = self._missing_permissions(job.channel_id)
            if missing:
                return Gone(f"I lost the {missing} permission in {where}")
            return Gone(f"I am not allowed to post in {where} any more ({exc.text or '403'})")
        if exc.status >= 500 or exc.status == 429:
            return Retry(f"Discord answered {exc.status}")
        return Gone(f"Discord refused the post ({exc.status}: {truncate(exc.text, 200)})")

    def _missing_permissions(self, channel_id: int, extra: tuple[str, ...] = ()) -> str:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return ""
        perms = channel.permissions_for(channel.guild.me)
        missing = [
            PERMISSION_NAMES[p] for p in (*POST_PERMISSIONS, *extra) if not getattr(perms, p)
        ]
        return ", ".join(missing)

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
        missing = self._missing_permissions(channel.id)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I need the {missing} permission there."
            )
        self._check_extras(channel, mention, thread)
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
                f"have: in {self.channel_list(full.channels)}. Turn one off with `/daily off "
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
        if self._missing_permissions(channel.id, ("read_message_history",)):
            lines.append(
                "Tip: give me Read Message History there too. After a crash in the middle "
                "of posting I use it to check for the post instead of skipping the day."
            )
        await send(interaction, content="\n".join(lines), ephemeral=True)

    def _check_extras(
        self, channel: discord.TextChannel, mention: discord.Role | None, thread: bool
    ) -> None:
        """Refuse, at set time, a mention or thread the bot could not make in `channel`."""
        perms = channel.permissions_for(channel.guild.me)
        if mention is not None:
            if mention.is_default():
                raise UserError(
                    "The daily post does not mention @everyone. Pick a role members can opt "
                    "into (for example a “Daily quote” role)."
                )
            if not mention.mentionable and not perms.mention_everyone:
                raise UserError(
                    f"I can't mention {mention.mention} in {channel.mention}: make the role "
                    "mentionable (Server Settings → Roles → Allow anyone to @mention this "
                    "role), or give me the Mention Everyone permission there."
                )
        if thread and not perms.create_public_threads:
            raise UserError(
                f"I can't open threads in {channel.mention}: I need the Create Public Threads "
                "permission there (or set the daily quote without `thread`)."
            )

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

    async def _schedule_for(
        self,
        interaction: discord.Interaction[QuoteBot],
        typed: str | None,
        rows: list[DailyRow],
    ) -> DailyRow | None:
        """The schedule a command means: the `channel` typed, else the only one, else the
        current channel's. None when the server has none (and no channel was named); a
        clear error naming the channels when it is ambiguous or the channel has none."""
        if typed:
            wanted = self._channel_id(interaction, typed)
            found = next((r for r in rows if r.channel_id == wanted), None)
            if found is None:
                where = self.channel_name(wanted) if wanted else f"“{safe(typed, 100)}”"
                have = (
                    f" It has some in {self.channel_list([r.channel_id for r in rows])}."
                    if rows
                    else " `/daily set` starts one."
                )
                raise UserError(f"There is no daily quote in {where}.{have}")
            return found
        if len(rows) == 1:
            return rows[0]
        here = next((r for r in rows if r.channel_id == interaction.channel_id), None)
        if here is not None or not rows:
            return here
        raise UserError(
            f"This server has daily quotes in {self.channel_list([r.channel_id for r in rows])}: "
            "say which with the `channel` option."
        )

    def _channel_id(self, interaction: discord.Interaction[QuoteBot], typed: str) -> int | None:
        """A channel id from autocomplete's value, a mention, or a channel's name."""
        ref = CHANNEL_REF.match(typed)
        if ref:
            return int(ref.group(1))
        name = typed.strip().lstrip("#").casefold()
        guild = interaction.guild
        if guild is not None:
            for channel in guild.channels:
                if channel.name.casefold() == name:
                    return channel.id
        return None

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
        row = await self._schedule_for(interaction, channel, rows)
        if row is None:
            raise UserError("The daily quote is not on in this server. `/daily set` starts it.")
        if not await self.scheduler.turn_off(
            interaction.guild_id, row.channel_id, interaction.user.id
        ):
            raise UserError(
                f"The daily quote in {self.channel_name(row.channel_id)} is already off."
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
            row = await self._schedule_for(interaction, channel, rows)
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
        row = await self._schedule_for(
            interaction, channel, await self._candidates(guild_id, channel)
        )
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

    def channel_name(self, channel_id: int) -> str:
        """ "#name" from the cache (error messages make mentions inert: names read better),
        or "deleted channel <id>"."""
        name = getattr(self.bot.get_channel(channel_id), "name", None)
        return f"#{name}" if name else f"deleted channel {channel_id}"

    def channel_list(self, channels: Sequence[int]) -> str:
        return names_list([self.channel_name(c) for c in channels])

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
            name = self.channel_name(row.channel_id)
            if typed and typed not in name.casefold() and typed not in str(row.channel_id):
                continue
            state = "off" if not row.enabled else "paused" if row.paused_reason else "on"
            label = f"{name} · {row.local_time} {row.timezone} · {state}"
            choices.append(
                app_commands.Choice(name=truncate(label, 100), value=str(row.channel_id))
            )
        return choices[:25]


def names_list(names: Sequence[str]) -> str:
    """ "#a, #b and #c" """
    marks = list(names) or ["no channel"]
    return marks[0] if len(marks) == 1 else ", ".join(marks[:-1]) + " and " + marks[-1]


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Daily(bot))
