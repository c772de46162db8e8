"""The questions a guild can be asked (curated first), and drawing one without repeats."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.models import Passage
from bot.trivia.generated import generate
from bot.trivia.model import Question, question_id
from bot.trivia.sample import SAMPLE_ANSWERS, sample_answers

CURATED_SHARE = 0.6  # chance of drawing a curated question while unseen ones remain


@dataclass(frozen=True, slots=True)
class TriviaBank:
    """Every question a guild can be asked, curated first."""

    questions: tuple[Question, ...] = ()
    by_id: dict[str, Question] = field(default_factory=dict)
    sampled: frozenset[str] = frozenset()  # the answers generated questions were made from

    @classmethod
    def build(
        cls,
        curated: Sequence[Question],
        passages: Iterable[Passage],
        titles: Mapping[str, str],
        stop: threading.Event | None = None,
        *,
        sample: int = SAMPLE_ANSWERS,
    ) -> TriviaBank:
        """The bank for a corpus: every curated question, and questions generated from at
        most `sample` answers (see `bot.trivia.sample`). Raises BankBuildStopped once
        `stop` is set."""
        quotable = sample_answers(passages, sample, stop)
        generated = generate(quotable, titles, sample=len(quotable), stop=stop)
        questions = tuple(dict({q.id: q for q in [*generated, *curated]}).values())
        ordered = tuple(sorted(questions, key=lambda q: (q.kind != "curated", q.id)))
        return cls(ordered, {q.id: q for q in ordered}, frozenset(p.id for p in quotable))

    def covers(self, passage_ids: Collection[str]) -> bool:
        """Whether every one of these answers was in the sample questions were made from."""
        return all(pid in self.sampled for pid in passage_ids)

    def pool(
        self,
        *,
        passage_ids: Collection[str] | None = None,
        difficulty: str | None = None,
    ) -> list[Question]:
        """Questions about the given passages (a topic) and of the given difficulty."""
        return [
            q
            for q in self.questions
            if (passage_ids is None or q.passage_id in passage_ids)
            and (difficulty is None or q.difficulty == difficulty)
        ]

    def counts(self) -> dict[str, int]:
        return dict(Counter(q.kind for q in self.questions))


TOPIC_MIN = 12
"""Generated questions a topic should have; with fewer in the bank (its answers fell
outside the bank's sample), more are made for it on demand."""
TOPIC_SAMPLE = 300  # answers of a topic those are made from


def topic_sample(passage_ids: Collection[str], limit: int = TOPIC_SAMPLE) -> list[str]:
    """A topic's answers to make questions from: the first `limit` in an order fixed by a
    hash of their ids (the same topic always gives the same questions)."""
    return sorted(passage_ids, key=lambda pid: question_id("topic", pid))[:limit]


def topic_questions(
    passages: Sequence[Passage], titles: Mapping[str, str], stop: threading.Event | None = None
) -> list[Question]:
    """ "Complete the quote" questions about a topic's sampled answers. No "who said it?":
    its fairness needs every answer of each speaker, which a topic's answers are not."""
    return generate(passages, titles, who_per_interview=0, sample=len(passages), stop=stop)


def choose(
    pool: Sequence[Question],
    seen: Collection[str],
    rng: random.Random,
    *,
    last: str | None = None,
) -> tuple[Question, bool]:
    """A question not yet seen; when the pool is exhausted, start over (returns reset=True).

    After a reset the question asked last is avoided when there is any other.
    """
    if not pool:
        raise ValueError("empty pool")
    unseen = [q for q in pool if q.id not in seen]
    reset = not unseen
    if reset:
        unseen = [q for q in pool if q.id != last] or list(pool)
    curated = [q for q in unseen if q.kind == "curated"]
    other = [q for q in unseen if q.kind != "curated"]
    group = curated if curated and (not other or rng.random() < CURATED_SHARE) else other
    return rng.choice(group), reset
