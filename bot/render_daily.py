"""Discord rendering for the daily quote: the post itself and /daily status."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.catalog import QuoteView
from bot.daily_setup import DailyStatus
from bot.render import COLOUR, FIELD_VALUE, quote_embed, safe
from bot.store import DailyRow
from bot.textutil import truncate

FOOTER = "Daily quote · {day}"


def footer_for(day: str) -> str:
    """The footer of the post for `day`; also how a restart recognises a post it already sent."""
    return FOOTER.format(day=day)


def is_daily_post(message: discord.Message, me: int, day: str) -> bool:
    if message.author.id != me or not message.embeds:
        return False
    return message.embeds[0].footer.text == footer_for(day)


def daily_embed(view: QuoteView, day: str) -> discord.Embed:
    embed = quote_embed(view, footer=footer_for(day))
    embed.title = "Quote of the day"
    return embed


def daily_mentions(role_id: int | None) -> discord.AllowedMentions:
    """Exactly the opted-in role may be pinged by a daily post; never anyone else."""
    if role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False
    )


def extras_text(mention: str | None, thread: bool) -> str:
    """ "Mentions @Role, opens a thread": the options beyond channel, time and topic."""
    parts = []
    if mention:
        parts.append(f"mentions {mention}")
    if thread:
        parts.append("opens a thread for discussion")
    text = " and ".join(parts) or "no mention, no thread"
    return "Each post " + text if parts else text.capitalize()


def local_when(instant: datetime) -> str:
    """`Sat 1 Jun 2024, 09:00 CEST` in the instant's own zone, and Discord's relative time."""
    text = f"{instant:%a} {instant.day} {instant:%b %Y, %H:%M} {instant.tzname() or ''}".strip()
    return f"{text} · <t:{int(instant.timestamp())}:R>"


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


NOT_SET_UP = "Not set up in this server. An admin can start it with `/daily set`."


def state_text(row: DailyRow) -> str:
    """On, off, paused (and why) or retrying (and why)."""
    if not row.enabled:
        return "**Off.** `/daily set` starts it again (the no-repeat bag is kept)."
    if row.paused_reason:
        return (
            f"**Paused:** {safe(row.paused_reason, 300)}\n"
            "Fix that, then run `/daily set` again to resume."
        )
    if row.failures:
        return f"**Retrying** after a Discord problem: {safe(row.last_error or 'unknown', 300)}"
    return "**On.**"


def schedules_embed(found: list[tuple[DailyStatus, str | None]], most: int) -> discord.Embed:
    """/daily status without a channel: every schedule of the server, one field each."""
    embed = discord.Embed(title="Daily quotes", colour=COLOUR)
    rows = [(s, s.schedule, name) for s, name in found if s.schedule is not None]
    if not rows:
        embed.description = NOT_SET_UP
        return embed
    on = sum(1 for _, row, _ in rows if row.enabled)
    embed.description = (
        f"{on} of at most {most} on. `/daily status channel:` shows one in full "
        "(its last post, a missed day, its no-repeat bag)."
    )
    for status, row, topic_name in rows:
        about = safe(topic_name or row.topic, 100) if row.topic else "every quote"
        lines = [
            f"<#{row.channel_id}> · {row.local_time} {row.timezone} · {about}",
            state_text(row),
        ]
        if status.next_post is not None:
            lines.append(f"Next: {local_when(status.next_post)}")
        if status.last_post is not None:
            lines.append(f"Last: {status.last_post.day}")
        embed.add_field(
            name=f"#{len(embed.fields) + 1}",
            value=truncate("\n".join(lines), FIELD_VALUE),
            inline=False,
        )
    return embed


def status_embed(status: DailyStatus, topic_name: str | None) -> discord.Embed:
    row = status.schedule
    embed = discord.Embed(title="Daily quote", colour=COLOUR)
    if row is None:
        embed.description = NOT_SET_UP
        return embed
    embed.description = state_text(row)
    embed.add_field(name="Channel", value=f"<#{row.channel_id}>", inline=True)
    embed.add_field(name="Time", value=f"{row.local_time} {row.timezone}", inline=True)
    if row.topic:
        label = (
            safe(topic_name, 100)
            if topic_name
            else (f"{safe(row.topic, 100)} (no longer in the data: posting from every quote)")
        )
    else:
        label = "Every quote"
    embed.add_field(name="Topic", value=truncate(label, FIELD_VALUE), inline=True)
    mention = f"<@&{row.mention_role_id}>" if row.mention_role_id else "nobody"
    embed.add_field(name="Mentions", value=mention, inline=True)
    embed.add_field(name="Thread", value="opened on each post" if row.thread else "no", inline=True)
    embed.add_field(
        name="Next post",
        value=local_when(status.next_post) if status.next_post else "—",
        inline=False,
    )
    last = status.last_post
    if last is not None and last.message_id and last.channel_id:
        link = message_link(row.guild_id, last.channel_id, last.message_id)
        value = f"{last.day} · [open]({link})"
        if last.thread_id:
            value += f" · thread <#{last.thread_id}>"
        if last.note:  # posted, but a mention or thread could not be made
            value += f"\nBut {safe(last.note, 400)}."
        embed.add_field(name="Last post", value=truncate(value, FIELD_VALUE), inline=False)
    else:
        embed.add_field(name="Last post", value="None yet", inline=False)
    if status.problem is not None:
        problem = status.problem
        word = "Missed" if problem.status == "missed" else "Not confirmed"
        embed.add_field(
            name=f"{word}: {problem.day}",
            value=safe(problem.note or "no details", 300),
            inline=False,
        )
    embed.set_footer(
        text=(
            f"{status.posted_in_cycle} of {status.eligible} quotes posted this cycle · "
            "none repeats until all have been posted"
        )
    )
    return embed
