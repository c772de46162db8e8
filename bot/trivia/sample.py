"""Which answers generated questions are drawn from: a bounded, deterministic sample.

Generating questions costs time per answer (spans, distractors, "does it also fit?"
checks), so over a large corpus the bank is built from at most `SAMPLE_ANSWERS` answers
instead of all of them: the warm-up after a start or reload then takes about the same time
at 10k answers as at 100k. The sample is made of whole speakers (every answer of each
one chosen), taken in an order fixed by a hash of the speaker's name, so:

* the same corpus always gives the same sample (and the same questions);
* loading one more interview moves the sample little (other speakers keep their place);
* "who said it?" stays exact: every choice is a sampled speaker, and every sentence of a
  sampled speaker is in the sample, so a sentence said by two of the choices is seen;
* "complete the quote" checks its distractors against everything the quoted speaker
  said (and every other sampled answer).

A speaker with more answers than the whole budget is sampled by interview instead (whole
interviews in hash order) when nothing else has been taken: then the sample has one
speaker and "who said it?" asks which interview, among the sampled ones.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol

from bot.models import Passage
from bot.trivia.stopping import checked

SAMPLE_ANSWERS = 2_000
"""Answers generated questions are drawn from: ~8k questions, a few seconds of CPU."""


def _order(key: str) -> bytes:
    return hashlib.sha1(f"sample\0{key}".encode()).digest()


class AnswerShelf(Protocol):
    """Where stored answers are read from (the store's `PassageShelf`)."""

    def facets(self) -> Iterable[tuple[str, str, str]]: ...

    def get(self, passage_id: str) -> Passage | None: ...


def sample_ids(
    keys: Iterable[tuple[str, str, str]],
    limit: int = SAMPLE_ANSWERS,
    stop: threading.Event | None = None,
) -> list[str]:
    """The ids of the sampled answers, from (answer id, speaker, interview id) of every
    answer: all of them when there are at most `limit`. Grouped by speaker."""
    by_speaker: dict[str, list[tuple[str, str]]] = defaultdict(list)
    total = 0
    for pid, speaker, interview_id in checked(keys, stop):
        by_speaker[speaker].append((pid, interview_id))
        total += 1
    if total <= limit:
        return [pid for group in by_speaker.values() for pid, _ in group]
    chosen: list[tuple[str, str]] = []
    for speaker in sorted(by_speaker, key=_order):
        group = by_speaker[speaker]
        if len(chosen) + len(group) <= limit:
            chosen.extend(group)
        elif not chosen:
            chosen = _by_interview(group, limit)
            break
    return [pid for pid, _ in chosen]


def _by_interview(answers: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """Whole interviews of one speaker in hash order, up to `limit` answers (at least one)."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pid, iid in answers:
        grouped[iid].append((pid, iid))
    chosen: list[tuple[str, str]] = []
    for iid in sorted(grouped, key=_order):
        if chosen and len(chosen) + len(grouped[iid]) > limit:
            continue
        chosen.extend(grouped[iid])
    return chosen


def sample_answers(
    passages: Iterable[Passage],
    limit: int = SAMPLE_ANSWERS,
    stop: threading.Event | None = None,
) -> list[Passage]:
    """The interviewee answers generated questions are made from (all of them when the
    corpus has at most `limit`), grouped by speaker."""
    quotable = {p.id: p for p in checked(passages, stop) if p.role == "interviewee"}
    keys = ((p.id, p.speaker, p.interview_id) for p in quotable.values())
    return [quotable[pid] for pid in sample_ids(keys, limit, stop)]


def sampled_from_shelf(
    shelf: AnswerShelf, limit: int = SAMPLE_ANSWERS, stop: threading.Event | None = None
) -> Iterator[Passage]:
    """The sample read from the store: first who said what (ids, speakers and interviews
    only, cheap), then only the sampled answers in full. At 100k answers this reads 2,000
    answers instead of decoding all of them."""
    for pid in checked(sample_ids(shelf.facets(), limit, stop), stop):
        found = shelf.get(pid)
        if found is not None:
            yield found
