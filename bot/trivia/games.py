"""Games of several rounds in a row, hints, per-server options and seasons: the rules,
without storage or Discord.

A game is N rounds (1 to MAX_GAME_QUESTIONS) played one after the other in a channel, with
a short pause between them. Its standings rank members by points, then right answers, then
their fastest right answer. A hint narrows a round's choices to the right one and one other
(the same two for everyone who asks, fixed by the round); whoever used it scores
`hinted_points` of what a right answer would have given them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.trivia.rounds import Round, RoundAnswer
from bot.trivia.scoring import BASE_POINTS

MIN_GAME_QUESTIONS = 1
MAX_GAME_QUESTIONS = 20
BETWEEN_ROUNDS = 5.0  # seconds between a reveal and the next question of a game
HINT_SHARE = 0.5  # a hinted right answer earns half (rounded down), at least 1
MIN_RIGHT_POINTS = 1
MAX_RIGHT_POINTS = 100
ALL_TIME: Literal["all-time"] = "all-time"

Status = Literal["active", "finished", "cancelled"]


@dataclass(frozen=True, slots=True)
class TriviaOptions:
    """A server's trivia settings; a None in the store means the default here."""

    round_seconds: float = 20.0
    right_points: int = BASE_POINTS
    reveal_evidence: bool = True
    use_generated: bool = True


@dataclass(frozen=True, slots=True)
class Game:
    id: int
    guild_id: int
    channel_id: int
    total: int
    played: int  # rounds started so far
    topic: str | None  # a topic slug, or None for any
    difficulty: str | None
    status: Status
    started_by: int | None
    started_at: datetime
    next_at: datetime | None  # when the next round starts (None while one runs)

    @property
    def over(self) -> bool:
        return self.played >= self.total


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: int
    points: int
    correct: int
    answered: int
    fastest: float | None  # seconds to their fastest right answer
    rank: int = 0


def standings(answers: Iterable[tuple[Round, RoundAnswer]]) -> list[Standing]:
    """A game's table: points, then right answers, then the fastest right answer; members
    level on all three share a rank."""
    totals: dict[int, list[float | int | None]] = {}
    for round_, a in answers:
        row = totals.setdefault(a.user_id, [0, 0, 0, None])
        row[0] = int(row[0] or 0) + a.points
        row[1] = int(row[1] or 0) + int(a.correct)
        row[2] = int(row[2] or 0) + 1
        if a.correct:
            took = max(0.0, (a.answered_at - round_.started_at).total_seconds())
            row[3] = took if row[3] is None else min(float(row[3]), took)
    table = [
        Standing(
            user_id=user,
            points=int(p or 0),
            correct=int(c or 0),
            answered=int(n or 0),
            fastest=None if f is None else float(f),
        )
        for user, (p, c, n, f) in totals.items()
    ]

    def key(s: Standing) -> tuple[int, int, float]:
        return (-s.points, -s.correct, s.fastest if s.fastest is not None else float("inf"))

    table.sort(key=lambda s: (key(s), s.user_id))
    ranked: list[Standing] = []
    for n, s in enumerate(table):
        same = ranked and key(ranked[-1]) == key(s)
        rank = ranked[-1].rank if same else n + 1
        ranked.append(Standing(s.user_id, s.points, s.correct, s.answered, s.fastest, rank=rank))
    return ranked


def hint_choices(round_: Round) -> tuple[int, int]:
    """The two choices a hint leaves (button indexes, in button order): the right one and
    one other, the same for everyone who asks in this round."""
    wrong = [n for n in range(len(round_.choices)) if n != round_.correct]
    other = random.Random(round_.id).choice(wrong)
    first, second = sorted((round_.correct, other))
    return first, second


def hinted_points(points: int) -> int:
    """What a right answer earns after a hint: HINT_SHARE of it, at least 1 (0 stays 0)."""
    if points <= 0:
        return 0
    return max(1, int(points * HINT_SHARE))


@dataclass(frozen=True, slots=True)
class Season:
    guild_id: int
    number: int
    name: str
    started_at: datetime
    ended_at: datetime | None  # None: the current season
    started_by: int | None = None

    @property
    def current(self) -> bool:
        return self.ended_at is None


def season_name(number: int, name: str | None) -> str:
    """The name given (one line, at most 60 characters), or "Season N"."""
    text = " ".join((name or "").split())[:60]
    return text or f"Season {number}"


def parse_season(value: str | None) -> int | Literal["all-time"] | None:
    """The leaderboard's `season` option: None (the current season), "all-time", or a
    season number ("3", "season 3", "#3")."""
    if value is None or not value.strip():
        return None
    text = value.strip().casefold()
    if text in (ALL_TIME, "all time", "alltime", "all"):
        return ALL_TIME
    digits = text.removeprefix("season").strip().lstrip("#").strip()
    if digits.isdigit() and 0 < int(digits) < 1_000_000:
        return int(digits)
    raise ValueError(value)
