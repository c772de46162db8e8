"""A round: one question posted in a channel, its choices in button order, its answers."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.trivia.model import Question


@dataclass(frozen=True, slots=True)
class RoundAnswer:
    user_id: int
    choice: int
    correct: bool
    points: int
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Round:
    """A question as posted in a channel: the choices in button order and the right one."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: Question
    choices: tuple[str, ...]
    correct: int
    started_at: datetime
    ends_at: datetime
    status: Literal["active", "finished", "cancelled"]
    started_by: int | None = None
    game_id: int | None = None  # None: a single round, not part of a game
    game_round: int | None = None  # 1-based number in its game

    @property
    def seconds(self) -> float:
        return (self.ends_at - self.started_at).total_seconds()


def shuffled_choices(question: Question, rng: random.Random) -> tuple[tuple[str, ...], int]:
    """The choices in a random order and the index of the right one."""
    order = list(question.choices)
    rng.shuffle(order)
    return tuple(order), order.index(question.answer)


def snapshot(question: Question) -> str:
    return json.dumps(question.to_json(), ensure_ascii=False, sort_keys=True)
