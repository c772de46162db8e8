"""The benchmark's query generator: each kind makes the change it names, nothing else."""

from __future__ import annotations

import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import querygen as qg  # noqa: E402
from benchmarks.corpus import synthetic_passages  # noqa: E402


@dataclass(frozen=True)
class Answer:
    id: str
    sentences: tuple[str, ...]
    question: str | None = None


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


SENTENCE = "We always put all the money on the screen, because we’re competing with studios."


def test_words_are_typed_form() -> None:
    assert qg.words("It’s the COLOUR, isn’t it?") == ["it's", "the", "colour", "isn't", "it"]
    assert qg.typed("Forty-two — 40!") == "forty two 40"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "zero"), (12, "twelve"), (40, "forty"), (42, "forty-two"), (250, "two hundred and fifty"),
     (1998, "nineteen ninety-eight"), (1905, "nineteen oh five"), (2000, "two thousand"),
     (2014, "twenty fourteen")],
)  # fmt: skip
def test_number_words(n: int, text: str) -> None:
    assert qg.number_words(n) == text


def test_word_number_reads_back() -> None:
    for n in range(100):
        if " " not in qg.number_words(n):
            assert qg.word_number(qg.number_words(n)) == n
    assert qg.word_number("screen") is None


def test_typos_reach_every_position_first_letter_included() -> None:
    rng = random.Random(1)
    word = "cinematographer"
    firsts = 0
    for _ in range(2000):
        typed = qg.typo(word, rng)
        assert _edit_distance(word, typed) == 1
        firsts += typed[0] != "c"
    assert firsts > 0
    lasts = sum(qg.typo(word, rng)[-1] != "r" for _ in range(2000))
    assert lasts > 0


def test_first_letter_kind_always_changes_a_first_letter() -> None:
    rng = random.Random(3)
    answer = Answer("a", ("Sunlight poured across the painted theatre ceiling tonight.",))
    original = set(qg.words(answer.sentences[0]))
    for _ in range(100):
        text = qg.make_query("first_letter", answer, rng)
        assert text is not None
        changed = [w for w in text.split() if w not in original]
        assert len(changed) == 1
        near = [w for w in original if _edit_distance(w, changed[0]) == 1]
        assert near, changed
        assert any(
            w[1:] == changed[0][1:] or w == changed[0][1:] or w[1:] == changed[0] for w in near
        ), (changed, near)


def test_transposition_swaps_two_neighbouring_letters() -> None:
    rng = random.Random(4)
    for _ in range(200):
        swapped = qg.transpose("money", rng)
        assert swapped is not None and swapped != "money"
        assert sorted(swapped) == sorted("money")
        diff = [i for i in range(5) if swapped[i] != "money"[i]]
        assert len(diff) == 2 and diff[1] == diff[0] + 1
    assert qg.transpose("aaaa", rng) is None


def test_spelling_flips_british_and_american() -> None:
    rng = random.Random(5)
    answer = Answer("a", ("The colour of the theatre lights changed every night.",))
    seen: Counter[str] = Counter()
    for _ in range(100):
        text = qg.make_query("spelling", answer, rng)
        assert text is not None
        ws = text.split()
        seen["color"] += "color" in ws
        seen["theater"] += "theater" in ws
        assert ("color" in ws) + ("theater" in ws) == 1  # exactly one word respelt
    assert seen["color"] and seen["theater"]


def test_numbers_become_words_and_words_digits() -> None:
    rng = random.Random(6)
    digits = Answer("a", ("We shot it in 12 days with maybe 40 people on set.",))
    spelled = Answer("b", ("We shot it in twelve days with maybe forty people on set.",))
    for _ in range(50):
        text = qg.make_query("numbers", digits, rng)
        assert text is not None and ("twelve" in text.split() or "forty" in text.split())
        text = qg.make_query("numbers", spelled, rng)
        assert text is not None and ("12" in text.split() or "40" in text.split())


def test_split_join_changes_one_compound() -> None:
    rng = random.Random(7)
    closed = Answer("a", ("I walked to the lighthouse every single weekend that year.",))
    opened = Answer("b", ("The frame rate of the old camera was always too low.",))
    for _ in range(50):
        text = qg.make_query("split_join", closed, rng)
        assert text is not None and ("light house" in text or "week end" in text)
        text = qg.make_query("split_join", opened, rng)
        assert text is not None and "framerate" in text.split()


def test_inflection_changes_a_word_form_only() -> None:
    rng = random.Random(8)
    assert qg.inflect("ran", rng) == "runs"
    assert qg.inflect("bruised", rng) in {"bruises", "bruising"}
    for word in ("walked", "paintings", "jumping", "carries"):
        other = qg.inflect(word, rng)
        assert other is not None and other != word and other[:3] == word[:3]
    assert qg.inflect("the", rng) is None


def test_question_kind_uses_the_question_not_the_answer() -> None:
    rng = random.Random(9)
    answer = Answer(
        "a",
        ("It was mostly luck, honestly.",),
        question="How did the hurricane change your vineyard harvest schedule?",
    )
    for _ in range(30):
        text = qg.make_query("question", answer, rng)
        assert text is not None
        ws = text.split()
        assert 3 <= len(ws) <= 4
        assert set(ws) <= set(qg.words(answer.question or ""))
        assert not set(ws) & set(qg.words(answer.sentences[0]))
    assert qg.make_query("question", Answer("b", ("x y z",)), rng) is None


def test_two_sentence_spans_a_boundary() -> None:
    rng = random.Random(10)
    answer = Answer("a", ("First we rented the big hall downtown.", "Then nobody came at all."))
    made = [qg.make_query("two_sentence", answer, rng) for _ in range(60)]
    spans = [text for text in made if text is not None]
    assert len(spans) > 10  # None only when the last sentence was picked: nothing follows it
    assert all("downtown then" in text for text in spans)


def test_dropped_and_added_change_the_word_count() -> None:
    rng = random.Random(11)
    answer = Answer("a", (SENTENCE,))
    source = qg.typed(SENTENCE)
    for _ in range(50):
        dropped = qg.make_query("dropped", answer, rng)
        assert dropped is not None and dropped not in source and 5 <= len(dropped.split()) <= 9
        added = qg.make_query("added", answer, rng)
        assert added is not None and added not in source
        fillers = {w for f in qg.FILLERS for w in f.split()}
        assert [w for w in added.split() if w not in fillers] == [
            w for w in added.split() if w not in fillers and w in source.split()
        ]


def test_every_kind_comes_from_the_synthetic_corpus_and_seeds_differ() -> None:
    passages = synthetic_passages(3000, with_seed=False)
    tuning = qg.make_queries(passages, 20, seed=1)
    reporting = qg.make_queries(passages, 20, seed=2)
    assert Counter(q.kind for q in reporting) == {kind: 20 for kind in qg.KINDS}
    shared = {(q.kind, q.text) for q in tuning} & {(q.kind, q.text) for q in reporting}
    assert len(shared) < 5  # different seeds, different queries
    by_id = {p.id: p for p in passages}
    for q in reporting:
        answer = by_id[q.expected]
        if q.kind == "exact":
            assert q.text in answer.text
        elif q.kind == "partial":
            assert q.text in qg.typed(answer.text)


def test_prefixes_are_typed_starts() -> None:
    passages = synthetic_passages(500, with_seed=False)
    by_id = {p.id: p for p in passages}
    for q in qg.make_prefixes(passages, 50, seed=3):
        *head, part = q.text.split()
        assert 2 <= len(head) <= 5 and 1 <= len(part) <= 4
        assert any(q.text in qg.typed(s) for s in by_id[q.expected].sentences)
