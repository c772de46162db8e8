"""The held-out benchmark set loads, is as big and varied as promised, and every query
names exactly one answer."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.heldout import (  # noqa: E402
    FIFTH,
    FOURTH,
    FRESH,
    THIRD,
    load_heldout,
    load_negatives,
)


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


def test_third_heldout_set_resolves_in_four_layouts_with_negatives() -> None:
    passages, queries = load_heldout(THIRD)
    per_interview = Counter(p.interview_id for p in passages)
    assert sorted(per_interview) == ["firefighter", "folksinger", "founder", "marinebio"]
    assert all(12 <= n <= 20 for n in per_interview.values()), per_interview
    assert all(p.role == "interviewee" and p.question for p in passages)
    assert len(queries) >= 50
    kinds = Counter(q.kind for q in queries)
    for kind in ("reordered", "synonym", "name_typo", "numbers", "casual", "wrapper",
                 "fragments", "question", "short"):  # fmt: skip
        assert kinds[kind] >= 5, kinds
    assert len({q.expected for q in queries}) >= 45
    negatives = load_negatives(THIRD)
    assert len(negatives) >= 8
    said = " ".join(p.text.lower() for p in passages)
    assert not any(n.lower() in said for n in negatives)  # nobody said them
    assert load_negatives(FRESH) == []  # a set without the table has none


def test_fourth_heldout_set_resolves_in_the_hidden_sets_classes_with_negatives() -> None:
    passages, queries = load_heldout(FOURTH)
    per_interview = Counter(p.interview_id for p in passages)
    assert sorted(per_interview) == ["beekeeper", "bookbinder", "controller", "diver"]
    assert all(12 <= n <= 20 for n in per_interview.values()), per_interview
    assert all(p.role == "interviewee" and p.question for p in passages)
    assert len(queries) >= 70
    kinds = Counter(q.kind for q in queries)
    for kind in ("typo", "first_letter", "split_join", "inflection", "spelling", "numbers",
                 "question", "two_sentence", "paraphrase", "mixed"):  # fmt: skip
        assert kinds[kind] >= 5, kinds
    assert len({q.expected for q in queries}) >= 45
    negatives = load_negatives(FOURTH)
    assert len(negatives) >= 10
    said = " ".join(p.text.lower() for p in passages)
    assert not any(n.lower() in said for n in negatives)  # nobody said them


def test_fifth_heldout_set_resolves_in_four_new_layouts_with_negatives() -> None:
    """The fifth set (tuned on after its blind first run: benchmarks/heldout/fifth_tuned)."""
    passages, queries = load_heldout(FIFTH)
    answers = [p for p in passages if p.question]  # header lines some layouts turn into turns
    per_interview = Counter(p.interview_id for p in answers)
    assert sorted(per_interview) == ["committee", "setter", "volcano", "weaver"]
    assert all(15 <= n <= 30 for n in per_interview.values()), per_interview
    assert len(queries) >= 80
    kinds = Counter(q.kind for q in queries)
    for kind in ("typo", "first_letter", "split_join", "inflection", "spelling", "numbers",
                 "question", "two_sentence", "paraphrase", "fragments", "reordered",
                 "casual", "wrapper"):  # fmt: skip
        assert kinds[kind] >= 5, kinds
    by_id = {p.id: p for p in passages}
    assert all(by_id[q.expected].question for q in queries)  # every answer is a real answer
    assert len({q.expected for q in queries}) >= 55
    negatives = load_negatives(FIFTH)
    assert len(negatives) >= 12
    said = " ".join(p.text.lower() for p in passages)
    assert not any(n.lower() in said for n in negatives)  # nobody said them
