"""The daily post's delivery: the scheduler's poster, the one code that talks to Discord
for it (`DailyPoster.post`), and the permission checks `/daily set` makes up front.

Restart safety (see `bot.daily` for the whole argument): the scheduler claims (guild,
channel, day) before calling `post`; `post` sends with a nonce derived from them, which Discord
deduplicates for a few minutes (`enforce_nonce`). On a retry of a claim it first looks in
the channel for the post it may already have made; if it can neither find it nor prove it
absent, it gives the day up rather than risk posting twice.

The extras (a role mention and a discussion thread) never hold the post back: what could not
be done is recorded on the day's post and shown by /daily status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import aiohttp
import discord

from bot.daily import NONCE_WINDOW, thread_name
from bot.daily_delivery import DailyJob, GiveUp, Gone, Posted, PostResult, Redraw, Retry
from bot.errors import UserError
from bot.render_daily import daily_embed, daily_mentions, is_daily_post
from bot.textutil import truncate

if TYPE_CHECKING:
    from bot.catalog import QuoteView
    from bot.client import QuoteBot

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
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


class DailyPoster:
    """Posts a `DailyJob` in its channel and says how it went (`PostResult`). `buttons` are
    the post's buttons (the quotes cog's), `topic_name` a topic slug's name (the thread's)."""

    def __init__(
        self,
        bot: QuoteBot,
        topic_name: Callable[[str | None], str | None],
        buttons: Callable[[QuoteView], discord.ui.View],
    ) -> None:
        self.bot = bot
        self.topic_name = topic_name
        self.buttons = buttons

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
                view=self.buttons(view),
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
            missing = missing_permissions(self.bot, job.channel_id)
            if missing:
                return Gone(f"I lost the {missing} permission in {where}")
            return Gone(f"I am not allowed to post in {where} any more ({exc.text or '403'})")
        if exc.status >= 500 or exc.status == 429:
            return Retry(f"Discord answered {exc.status}")
        return Gone(f"Discord refused the post ({exc.status}: {truncate(exc.text, 200)})")


def missing_permissions(bot: QuoteBot, channel_id: int, extra: tuple[str, ...] = ()) -> str:
    """The permissions (their names, comma-separated) the bot lacks in `channel_id` to post
    there, and `extra` ones; "" when it has them all or the channel is not in the cache."""
    channel = bot.get_channel(channel_id)
    if not isinstance(channel, discord.abc.GuildChannel):
        return ""
    perms = channel.permissions_for(channel.guild.me)
    missing = [PERMISSION_NAMES[p] for p in (*POST_PERMISSIONS, *extra) if not getattr(perms, p)]
    return ", ".join(missing)


def check_extras(channel: discord.TextChannel, mention: discord.Role | None, thread: bool) -> None:
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
