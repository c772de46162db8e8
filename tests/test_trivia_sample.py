"""The bounded sample generated questions come from, and the remembered fold: the warm-up's
work stops growing with the corpus while the questions stay grounded and fair."""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from bot.models import Passage
from bot.store import Store
from bot.topics import fold
from bot.trivia import TriviaBank, generate
from bot.trivia.bank import topic_sample
from bot.trivia.games import TriviaOptions
from bot.trivia.model import folded
from bot.trivia.sample import sample_answers, sample_ids
from bot.trivia_questions import QuestionPicker

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import synthetic_passages  # noqa: E402
from tests.test_trivia import check_fair  # noqa: E402


@given(st.text(max_size=80))
def test_folded_is_fold(text: str) -> None:
    assert folded(text) == fold(text)


def test_folded_is_fold_on_ascii_punctuation_and_underscores() -> None:
    for text in ("Hello,  World_wide!", "it's 40-50 (ok)", "__", "", "A.B.C", "tab\tnew\nline"):
        assert folded(text) == fold(text)


def _speakers(passages: list[Passage]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for p in passages:
        ids[p.speaker].add(p.id)
    return ids


def test_the_sample_is_bounded_deterministic_and_made_of_whole_speakers() -> None:
    passages = synthetic_passages(3000, with_seed=False)
    sample = sample_answers(passages, 500)
    assert 400 <= len(sample) <= 500
    again = sample_answers(list(reversed(passages)), 500)
    assert {p.id for p in again} == {p.id for p in sample}  # the order of reading is irrelevant
    everyone = _speakers(passages)
    for speaker, ids in _speakers(sample).items():
        assert ids == everyone[speaker], speaker  # every answer of a sampled speaker
    # One more speaker's interview moves the sample by little: the others keep their place.
    extra = [
        replace(p, speaker="Zed Newcomer", id=f"x{n}", interview_id="new")
        for n, p in enumerate(synthetic_passages(12, seed=99, with_seed=False))
    ]
    grown = {p.id for p in sample_answers([*passages, *extra], 500)}
    kept = len(grown & {p.id for p in sample}) / len(sample)
    assert kept >= 0.8


def test_a_small_corpus_is_used_whole() -> None:
    passages = synthetic_passages(200, with_seed=False)
    assert len(sample_answers(passages, 2000)) == len(passages)


def test_one_speaker_over_the_budget_is_sampled_by_interview() -> None:
    passages = [
        Passage(
            id=f"p{n}",
            interview_id=f"iv{n // 10}",
            position=n % 10,
            speaker="Solo Speaker",
            role="interviewee",
            question="Why?",
            paragraphs=(f"Answer {n}.",),
            sentences=(f"Answer {n}.",),
            line=n,
        )
        for n in range(100)
    ]
    sample = sample_answers(passages, 35)
    assert len(sample) == 30  # three whole interviews of ten
    assert len({p.interview_id for p in sample}) == 3


def test_questions_from_a_sample_stay_fair_against_the_whole_corpus() -> None:
    """With a sample much smaller than the corpus: every "who said it?" choice is checked
    against everything every speaker said (not only the sample), and every "complete the
    quote" distractor against everything the sampled speakers said."""
    passages = synthetic_passages(400)  # the seed interview in the middle, many speakers
    titles = {p.interview_id: p.interview_id for p in passages}
    questions = generate(passages, titles, sample=120)
    assert {q.kind for q in questions} == {"complete", "who"}
    sampled = {p.id for p in sample_answers(passages, 120)}
    assert {q.passage_id for q in questions} <= sampled
    speakers = {p.speaker for p in passages if p.id in sampled}
    check_fair(
        [q for q in questions if q.kind == "complete"],
        [p for p in passages if p.speaker in speakers],
    )
    check_fair([q for q in questions if q.kind == "who"], passages)
    assert generate(passages, titles, sample=120) == questions  # deterministic


def test_the_bank_has_the_same_questions_whatever_the_corpus_size_beyond_the_sample() -> None:
    """Bounded work: a bank over 2,000 answers asks about as many questions as over 1,000."""
    small = synthetic_passages(1000, with_seed=False)
    large = synthetic_passages(2000, with_seed=False)
    titles = {p.interview_id: p.interview_id for p in large}
    a = TriviaBank.build([], small, titles, sample=200)
    b = TriviaBank.build([], large, titles, sample=200)
    assert abs(len(a.questions) - len(b.questions)) <= len(a.questions) // 4


def test_topic_samples_are_bounded_and_fixed() -> None:
    ids = [f"p{n}" for n in range(1000)]
    chosen = topic_sample(ids, 50)
    assert len(chosen) == 50 and set(chosen) <= set(ids)
    assert topic_sample(list(reversed(ids)), 50) == chosen
    assert (
        topic_sample(ids[:10], 50) == topic_sample(ids[:10], 50)
        and len(topic_sample(ids[:10])) == 10
    )


async def test_a_topic_outside_the_sample_gets_questions_made_for_it(tmp_path: Path) -> None:
    """Over a corpus larger than the sample, /trivia play topic:… still finds questions
    about a topic whose answers were left out: they are made for it on demand, fair
    against the topic's text, and remembered until the bank is rebuilt."""
    passages = synthetic_passages(600, with_seed=False)
    titles = {p.interview_id: p.interview_id for p in passages}
    bank = TriviaBank.build([], passages, titles, sample=100)
    outside = [p for p in passages if p.id not in bank.sampled]
    topic = {p.id for p in outside[:40]}
    assert not bank.covers(topic) and not bank.pool(passage_ids=topic)
    catalog = SimpleNamespace(
        passages={p.id: p for p in passages},
        interviews={
            iid: SimpleNamespace(meta=SimpleNamespace(title=t)) for iid, t in titles.items()
        },
    )
    bot = SimpleNamespace(library=SimpleNamespace(catalog=catalog))
    store = await Store.open(tmp_path / "t.db")
    try:

        async def the_bank() -> TriviaBank:
            return bank

        picker = QuestionPicker(lambda: store, lambda: bot.library.catalog, the_bank)
        rng = random.Random(3)
        asked = set()
        for _ in range(5):
            question = await picker.pick(1, topic, None, TriviaOptions(), rng)
            assert question is not None and question.passage_id in topic
            assert question.kind == "complete"
            asked.add(question.id)
        assert len(asked) == 5  # no repeats while unseen ones remain
        made = picker._topics[frozenset(topic)]
        check_fair(list(made), [p for p in passages if p.id in set(topic_sample(topic))])
        # a server that turned generated questions off gets none, and is told so
        assert await picker.pick(1, topic, None, TriviaOptions(use_generated=False), rng) is None
        # a topic the sample covers is not made again
        inside = {q.passage_id for q in bank.questions[:30]}
        await picker.pick(1, inside, None, TriviaOptions(), rng)
        assert frozenset(inside) not in picker._topics
    finally:
        await store.close()


def test_the_sample_from_who_said_what_is_the_sample_of_the_answers() -> None:
    """The bot samples from (id, speaker, interview) rows and then reads only the sampled
    answers; that gives the same sample as sampling the answers themselves."""
    passages = synthetic_passages(1200)
    keys = [(p.id, p.speaker, p.interview_id) for p in passages]
    for limit in (50, 300, 5000):
        assert sample_ids(keys, limit) == [p.id for p in sample_answers(passages, limit)]
