"""Trivia embeds: the question, the reveal (with a game's standings), a game's final table.
The leaderboard and stats are in `bot.render_trivia_board`."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import discord

from bot.render import COLOUR, EMBED_DESCRIPTION, FIELD_VALUE, FOOTER, TITLE, safe
from bot.textutil import truncate
from bot.trivia import BASE_POINTS, SPEED_BONUS, Round, RoundAnswer
from bot.trivia.games import HINT_SHARE, Game, Standing, TriviaOptions

KIND_NAMES = {"curated": "Curated", "complete": "Complete the quote", "who": "Who said it?"}
STANDINGS_SHOWN = 10  # members in the standings under a reveal
FINAL_SHOWN = 20  # members in a game's final table
MAX_NAMED = 25  # members listed by name in a reveal; the rest are counted
RIGHT_COLOUR = discord.Colour.from_rgb(67, 160, 71)
OVER_COLOUR = discord.Colour.light_grey()


def _epoch(round_: Round) -> int:
    return int(round_.ends_at.timestamp())


def question_embed(
    round_: Round, *, points: int = BASE_POINTS, game: Game | None = None
) -> discord.Embed:
    q = round_.question
    where = f" · question {round_.game_round}/{game.total}" if game and round_.game_round else ""
    embed = discord.Embed(
        title=truncate(f"Trivia{where} · {q.difficulty}", TITLE),
        description=(
            f"{safe(q.text, EMBED_DESCRIPTION - 200)}\n\n"
            f"Pick an answer below: one try each. The answer is revealed <t:{_epoch(round_)}:R>."
        ),
        colour=COLOUR,
    )
    bonus = round(points * SPEED_BONUS / BASE_POINTS)
    hint = f" · 💡 a hint leaves {HINT_SHARE:.0%} of them" if len(round_.choices) > 2 else ""
    embed.set_footer(
        text=truncate(
            f"{KIND_NAMES.get(q.kind, q.kind)} · right: {points} points, + up to {bonus} for "
            f"speed{hint} · round {round_.id}",
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


def _members(answers: Sequence[RoundAnswer], *, points: bool, hinted: Collection[int] = ()) -> str:
    shown = [
        f"<@{a.user_id}>"
        + (f" +{a.points}" if points else "")
        + (" 💡" if a.user_id in hinted else "")
        for a in answers[:MAX_NAMED]
    ]
    text = ", ".join(shown)
    if len(answers) > MAX_NAMED:
        text += f" and {len(answers) - MAX_NAMED} more"
    return truncate(text, FIELD_VALUE)


def reveal_embed(
    round_: Round,
    answers: Sequence[RoundAnswer],
    interview_title: str | None,
    *,
    evidence: bool = True,
    hinted: Collection[int] = (),
    game: Game | None = None,
    table: Sequence[Standing] | None = None,
) -> discord.Embed:
    """The round is over: the answer, who got it right (fastest first), the proof (unless
    the server turned it off) and, in a game, the standings so far."""
    q = round_.question
    right = sorted((a for a in answers if a.correct), key=lambda a: a.answered_at)
    wrong = [a for a in answers if not a.correct]
    where = f" · question {round_.game_round}/{game.total}" if game and round_.game_round else ""
    embed = discord.Embed(
        title=truncate(f"Trivia{where} · {q.difficulty} · answer revealed", TITLE),
        description=safe(q.text, EMBED_DESCRIPTION - 200),
        colour=RIGHT_COLOUR,
    )
    embed.add_field(
        name="Answer", value=f"**{safe(round_.choices[round_.correct], 200)}**", inline=False
    )
    if right:
        embed.add_field(
            name=f"Right ({len(right)})",
            value=_members(right, points=True, hinted=hinted),
            inline=False,
        )
    else:
        embed.add_field(name="Right", value="Nobody this time.", inline=False)
    if wrong:
        embed.add_field(
            name=f"Wrong ({len(wrong)})",
            value=_members(wrong, points=False, hinted=hinted),
            inline=False,
        )
    if evidence:
        embed.add_field(name="Evidence", value=evidence_text(round_, interview_title), inline=False)
    if game is not None and table is not None:
        embed.add_field(
            name=f"Standings after {round_.game_round} of {game.total}",
            value=standings_text(table, limit=STANDINGS_SHOWN),
            inline=False,
        )
    after = (
        "the next question follows shortly"
        if game and not game.over
        else "/trivia play for another"
    )
    embed.set_footer(
        text=truncate(
            f"{KIND_NAMES.get(q.kind, q.kind)} · round {round_.id} · {after}"
            + (" · 💡 used a hint" if hinted else ""),
            FOOTER,
        )
    )
    return embed


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def standings_text(table: Sequence[Standing], *, limit: int) -> str:
    """One line a member: rank, mention, points, right answers, fastest right answer."""
    if not table:
        return "Nobody has answered yet."
    lines = [
        f"**#{s.rank}** <@{s.user_id}> — {s.points} pts · {s.correct} right · "
        f"fastest {_seconds(s.fastest)}"
        for s in table[:limit]
    ]
    if len(table) > limit:
        lines.append(f"… and {len(table) - limit} more")
    return truncate("\n".join(lines), FIELD_VALUE)


def final_embed(game: Game, table: Sequence[Standing], *, cancelled: bool = False) -> discord.Embed:
    """A game's last word: the final table, its winner(s) and the fastest answer."""
    played = f"{game.played} of {game.total} questions" if cancelled else f"{game.total} questions"
    embed = discord.Embed(
        title=truncate(f"Trivia game {'stopped' if cancelled else 'over'} · {played}", TITLE),
        colour=OVER_COLOUR if cancelled else RIGHT_COLOUR,
    )
    if not table:
        embed.description = "Nobody answered in this game."
    else:
        winners = [s for s in table if s.rank == 1]
        names = ", ".join(f"<@{s.user_id}>" for s in winners[:10])
        embed.description = truncate(
            f"🏆 {names} with {winners[0].points} points.\n\n"
            + standings_text(table, limit=FINAL_SHOWN),
            EMBED_DESCRIPTION,
        )
        timed = [s for s in table if s.fastest is not None]
        if timed:
            best = min(timed, key=lambda s: (s.fastest or 0.0, s.user_id))
            embed.add_field(
                name="Fastest answer", value=f"<@{best.user_id}> in {_seconds(best.fastest)}"
            )
    embed.set_footer(text=f"game {game.id} · points count for the season and all-time")
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


def settings_text(options: TriviaOptions, *, changed: bool) -> str:
    """/trivia-settings' reply: a guild's settings, after a change or as they are."""
    head = (
        "Trivia settings here now (from the next round on):" if changed else "Trivia settings here:"
    )
    return (
        f"{head}\n"
        f"• rounds last {options.round_seconds:g} s\n"
        f"• a right answer earns {options.right_points} points (+ up to "
        f"{round(options.right_points / 2)} for speed; half after a hint)\n"
        f"• the reveal {'quotes' if options.reveal_evidence else 'does not quote'} the evidence\n"
        f"• questions: {'curated and generated' if options.use_generated else 'curated only'}"
    )
