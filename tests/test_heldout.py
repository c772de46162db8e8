"""The held-out benchmark set loads, is as big and varied as promised, and every query
names exactly one answer."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.heldout import FRESH, load_heldout  # noqa: E402


def test_heldout_set_is_big_varied_and_resolves() -> None:
    passages, queries = load_heldout()
    per_interview = Counter(p.interview_id for p in passages)
    assert len(per_interview) >= 6
    assert all(12 <= n <= 25 for n in per_interview.values()), per_interview
    assert all(p.question for p in passages)  # every answer knows its question
    assert len(queries) >= 80
    kinds = Counter(q.kind for q in queries)
    for kind in ("typo", "reordered", "paraphrase", "numbers", "question", "two_sentence",
                 "split_join", "spelling"):  # fmt: skip
        assert kinds[kind] >= 3, kinds
    ids = {p.id for p in passages}
    assert all(q.expected in ids for q in queries)
    assert len({q.expected for q in queries}) >= 60  # spread over the answers


def test_fresh_heldout_set_resolves_in_three_layouts() -> None:
    passages, queries = load_heldout(FRESH)
    per_interview = Counter(p.interview_id for p in passages)
    assert len(per_interview) == 3
    assert all(p.role == "interviewee" for p in passages)  # hosts are never quotable
    assert all(p.question for p in passages[1:])
    assert len(queries) >= 45
    kinds = Counter(q.kind for q in queries)
    for kind in ("paraphrase", "numbers", "question_words", "spelling"):
        assert kinds[kind] >= 5, kinds
    assert len({q.expected for q in queries}) >= 25
