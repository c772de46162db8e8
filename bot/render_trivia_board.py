"""Trivia leaderboards (a season's or all-time, a page at a time) and a member's stats."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.render import COLOUR, EMBED_DESCRIPTION, TITLE, safe
from bot.textutil import truncate
from bot.trivia import Score
from bot.trivia.games import Season


def board_name(season: Season | None) -> str:
    """ "Season 3 · Spring cup" (the current one says so), or "All-time"."""
    if season is None:
        return "All-time"
    label = (
        season.name
        if season.name == f"Season {season.number}"
        else (f"Season {season.number} · {season.name}")
    )
    return f"{label} (current)" if season.current else f"{label} (ended)"


def _line(score: Score) -> str:
    return (
        f"**#{score.rank}** <@{score.user_id}> — {score.points} pts · "
        f"{score.correct}/{score.answered} right · best streak {score.best_streak}"
    )


def leaderboard_embed(
    guild_name: str,
    board: str,
    page_scores: Sequence[Score],
    me: Score | None,
    *,
    page: int,
    pages: int,
    total: int,
) -> discord.Embed:
    """One page (10 members) of a leaderboard, and the asker's own rank whatever the page."""
    embed = discord.Embed(
        title=truncate(f"Trivia leaderboard · {safe(guild_name, 100)} · {board}", TITLE),
        colour=COLOUR,
    )
    if not page_scores:
        embed.description = (
            "Nobody has answered a trivia question here yet. Start with /trivia play."
            if total == 0
            else "This page is empty."
        )
    else:
        embed.description = truncate("\n".join(_line(s) for s in page_scores), EMBED_DESCRIPTION)
    if me is None:
        mine = "You have no points on this board yet."
    else:
        mine = (
            f"#{me.rank} of {total} with {me.points} pts · {me.correct}/{me.answered} right · "
            f"streak {me.streak} (best {me.best_streak})"
        )
    embed.add_field(name="You", value=mine, inline=False)
    embed.set_footer(
        text=f"Page {page + 1} of {max(1, pages)} · {total} players · "
        "members with equal points share a rank"
    )
    return embed


def _score_text(score: Score | None) -> str:
    if score is None:
        return "No answers yet."
    return (
        f"**#{score.rank}** · {score.points} pts\n"
        f"{score.correct} of {score.answered} right ({score.accuracy:.0%})\n"
        f"streak {score.streak} · best {score.best_streak}"
    )


def stats_embed(
    member_name: str,
    member_id: int,
    season: Season | None,
    season_score: Score | None,
    all_time: Score | None,
) -> discord.Embed:
    """A member's rank and points this season and all-time."""
    embed = discord.Embed(title=truncate(f"Trivia stats · {member_name}", TITLE), colour=COLOUR)
    if all_time is None:
        embed.description = f"<@{member_id}> has not answered any trivia here yet."
        return embed
    embed.description = f"<@{member_id}> is **#{all_time.rank}** here all-time."
    embed.add_field(
        name=truncate(board_name(season) if season else "This season", 256),
        value=_score_text(season_score),
    )
    embed.add_field(name="All-time", value=_score_text(all_time))
    return embed
