"""Trivia embeds: the question, the reveal, the leaderboard and a member's stats."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.render import COLOUR, EMBED_DESCRIPTION, FIELD_VALUE, FOOTER, TITLE, safe
from bot.textutil import truncate
from bot.trivia import BASE_POINTS, SPEED_BONUS, Round, RoundAnswer, Score

KIND_NAMES = {"curated": "Curated", "complete": "Complete the quote", "who": "Who said it?"}
MAX_NAMED = 25  # members listed by name in a reveal; the rest are counted
RIGHT_COLOUR = discord.Colour.from_rgb(67, 160, 71)
OVER_COLOUR = discord.Colour.light_grey()


def _epoch(round_: Round) -> int:
    return int(round_.ends_at.timestamp())


def question_embed(round_: Round) -> discord.Embed:
    q = round_.question
    embed = discord.Embed(
        title=truncate(f"Trivia · {q.difficulty}", TITLE),
        description=(
            f"{safe(q.text, EMBED_DESCRIPTION - 200)}\n\n"
            f"Pick an answer below: one try each. The answer is revealed <t:{_epoch(round_)}:R>."
        ),
        colour=COLOUR,
    )
    embed.set_footer(
        text=truncate(
            f"{KIND_NAMES.get(q.kind, q.kind)} · right: {BASE_POINTS} points, "
            f"+ up to {SPEED_BONUS} for speed · round {round_.id}",
            FOOTER,
        )
    )
    return embed


def evidence_text(round_: Round, title: str | None) -> str:
    q = round_.question
    who = q.speaker or "the interviewer"
    where = f", *{safe(title, 200)}*" if title else ""
    quote = safe(q.evidence, FIELD_VALUE - 260)
    return truncate(f"“{quote}”\n— {safe(who, 60)}{where}", FIELD_VALUE)


def _members(answers: Sequence[RoundAnswer], *, points: bool) -> str:
    shown = [f"<@{a.user_id}>" + (f" +{a.points}" if points else "") for a in answers[:MAX_NAMED]]
    text = ", ".join(shown)
    if len(answers) > MAX_NAMED:
        text += f" and {len(answers) - MAX_NAMED} more"
    return truncate(text, FIELD_VALUE)


def reveal_embed(
    round_: Round, answers: Sequence[RoundAnswer], interview_title: str | None
) -> discord.Embed:
    """The round is over: the answer, who got it right (fastest first), and the proof."""
    q = round_.question
    right = sorted((a for a in answers if a.correct), key=lambda a: a.answered_at)
    wrong = [a for a in answers if not a.correct]
    embed = discord.Embed(
        title=truncate(f"Trivia · {q.difficulty} · answer revealed", TITLE),
        description=safe(q.text, EMBED_DESCRIPTION - 200),
        colour=RIGHT_COLOUR,
    )
    embed.add_field(
        name="Answer", value=f"**{safe(round_.choices[round_.correct], 200)}**", inline=False
    )
    if right:
        embed.add_field(
            name=f"Right ({len(right)})", value=_members(right, points=True), inline=False
        )
    else:
        embed.add_field(name="Right", value="Nobody this time.", inline=False)
    if wrong:
        embed.add_field(
            name=f"Wrong ({len(wrong)})", value=_members(wrong, points=False), inline=False
        )
    embed.add_field(name="Evidence", value=evidence_text(round_, interview_title), inline=False)
    embed.set_footer(
        text=truncate(
            f"{KIND_NAMES.get(q.kind, q.kind)} · round {round_.id} · /trivia play for another, "
            "/trivia leaderboard for the scores",
            FOOTER,
        )
    )
    return embed


def cancelled_embed(round_: Round, reason: str) -> discord.Embed:
    embed = discord.Embed(
        title="Trivia · round cancelled",
        description=f"{safe(round_.question.text, EMBED_DESCRIPTION - 600)}\n\n{safe(reason, 500)}",
        colour=OVER_COLOUR,
    )
    embed.set_footer(
        text=f"round {round_.id} · no points were given · /trivia play to start another"
    )
    return embed


def leaderboard_embed(
    guild_name: str, top: Sequence[Score], me: Score | None, my_id: int
) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"Trivia leaderboard · {guild_name}", TITLE), colour=COLOUR
    )
    if not top:
        embed.description = (
            "Nobody has answered a trivia question here yet. Start with /trivia play."
        )
        return embed
    lines = []
    for score in top:
        lines.append(
            f"**#{score.rank}** <@{score.user_id}> — {score.points} pts · "
            f"{score.correct}/{score.answered} right · best streak {score.best_streak}"
        )
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)
    if me is None:
        mine = "You have not answered any trivia here yet."
    else:
        mine = (
            f"#{me.rank} with {me.points} pts · {me.correct}/{me.answered} right · "
            f"streak {me.streak} (best {me.best_streak})"
        )
    embed.add_field(name="You", value=mine, inline=False)
    embed.set_footer(text="Members with equal points share a rank.")
    return embed


def stats_embed(member_name: str, member_id: int, score: Score | None) -> discord.Embed:
    embed = discord.Embed(title=truncate(f"Trivia stats · {member_name}", TITLE), colour=COLOUR)
    if score is None:
        embed.description = f"<@{member_id}> has not answered any trivia here yet."
        return embed
    embed.description = f"<@{member_id}> is **#{score.rank}** here."
    embed.add_field(name="Points", value=str(score.points))
    embed.add_field(
        name="Right", value=f"{score.correct} of {score.answered} ({score.accuracy:.0%})"
    )
    embed.add_field(name="Streak", value=f"{score.streak} now · best {score.best_streak}")
    return embed
