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
from collections.abc import Iterable

from bot.models import Passage
from bot.trivia.stopping import checked

SAMPLE_ANSWERS = 2_000
"""Answers generated questions are drawn from: ~8k questions, a few seconds of CPU."""


def _order(key: str) -> bytes:
    return hashlib.sha1(f"sample\0{key}".encode()).digest()


def sample_answers(
    passages: Iterable[Passage],
    limit: int = SAMPLE_ANSWERS,
    stop: threading.Event | None = None,
) -> list[Passage]:
    """The interviewee answers generated questions are made from (all of them when the
    corpus has at most `limit`), grouped by speaker."""
    by_speaker: dict[str, list[Passage]] = defaultdict(list)
    total = 0
    for p in checked(passages, stop):  # may be streamed from the database
        if p.role == "interviewee":
            by_speaker[p.speaker].append(p)
            total += 1
    if total <= limit:
        return [p for group in by_speaker.values() for p in group]
    chosen: list[Passage] = []
    for speaker in sorted(by_speaker, key=_order):
        group = by_speaker[speaker]
        if len(chosen) + len(group) <= limit:
            chosen.extend(group)
        elif not chosen:
            chosen = _by_interview(group, limit)
            break
    return chosen


def _by_interview(passages: list[Passage], limit: int) -> list[Passage]:
    """Whole interviews of one speaker in hash order, up to `limit` answers (at least one)."""
    grouped: dict[str, list[Passage]] = defaultdict(list)
    for p in passages:
        grouped[p.interview_id].append(p)
    chosen: list[Passage] = []
    for iid in sorted(grouped, key=_order):
        if chosen and len(chosen) + len(grouped[iid]) > limit:
            continue
        chosen.extend(grouped[iid])
    return chosen
