"""Points for an answer and a member's running score.

10 points for a right answer plus a speed bonus of up to 5, scaled by the share of the
round's time still left when the member answered. A wrong answer scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_POINTS = 10
SPEED_BONUS = 5


def points_for(correct: bool, elapsed: float, duration: float, base: int = BASE_POINTS) -> int:
    """`base` (10 unless the server set another) for a right answer, plus up to half of it
    for speed (the share of time left, rounded)."""
    if not correct:
        return 0
    if duration <= 0:
        return base
    left = min(1.0, max(0.0, 1.0 - elapsed / duration))
    return base + round(base * SPEED_BONUS / BASE_POINTS * left)


@dataclass(frozen=True, slots=True)
class Score:
    guild_id: int
    user_id: int
    points: int = 0
    correct: int = 0
    answered: int = 0
    streak: int = 0
    best_streak: int = 0
    rank: int | None = None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def apply_answer(score: Score, correct: bool, points: int) -> Score:
    """A member's score after one answered round: a wrong answer ends the streak.

    Rounds a member does not answer leave the streak as it is.
    """
    streak = score.streak + 1 if correct else 0
    return Score(
        guild_id=score.guild_id,
        user_id=score.user_id,
        points=score.points + points,
        correct=score.correct + int(correct),
        answered=score.answered + 1,
        streak=streak,
        best_streak=max(score.best_streak, streak),
    )
