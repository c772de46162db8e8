"""Trivia core: generator fairness (seed and synthetic transcripts), the no-repeat pool,
scoring, the store's rounds, answers and scores, and stopping a bank build. The curated
questions' checks (file:line errors) are tests/test_trivia_curated.py."""

from __future__ import annotations

import asyncio
import random
import re
import sys
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Interview, InterviewMeta, Passage
from bot.store import Store
from bot.topics import fold
from bot.transcript import parse_transcript, read_transcript
from bot.trivia import (
    BLANK,
    STOPWORDS,
    BankBuildStopped,
    Question,
    Score,
    TriviaBank,
    apply_answer,
    choose,
    generate,
    generated,
    load_curated,
    model,
    points_for,
    shuffled_choices,
    spans,
    stopping,
    word_class,
)

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import synthetic_passages  # noqa: E402

SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"
TRIVIA = ROOT / "data" / "trivia.toml"
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed() -> Interview:
    return read_transcript(SEED, InterviewMeta(title="Sean Baker on making “Anora”"))


def squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- generation


def corpus_text(passages: list[Passage]) -> str:
    chunks = [s for p in passages for s in p.sentences]
    chunks += [p.question for p in passages if p.question]
    return "".join(f" {fold(c)} \0" for c in chunks)


def split_blank(q: Question) -> tuple[str, str]:
    quoted = q.text.split("\n", 1)[1]
    assert quoted.startswith("“") and quoted.endswith("”")
    blanked = quoted[1:-1]
    assert blanked.count(BLANK) == 1
    before, after = blanked.split(BLANK)
    return before, after


def check_fair(questions: list[Question], passages: list[Passage]) -> None:
    """The generator's rules, checked independently of how it enforces them."""
    text = corpus_text(passages)
    by_id = {p.id: p for p in passages}
    titles_in_corpus = {
        fold(m)
        for p in passages
        for m in re.findall(r"[“\"]([^”\"]+)[”\"]", f"{p.text} {p.question or ''}")
    }
    # Who said each sentence, and in which interview: every sentence folded once (folding
    # them again for each "who" question was most of this check's time).
    speakers_of: dict[str, set[str]] = defaultdict(set)
    interviews_of: dict[str, set[str]] = defaultdict(set)
    if any(q.kind == "who" for q in questions):
        for p in passages:
            for sentence in p.sentences:
                speakers_of[fold(sentence)].add(p.speaker)
                interviews_of[fold(sentence)].add(p.interview_id)
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    for q in questions:
        passage = by_id[q.passage_id]
        assert len({fold(c) for c in q.choices}) == len(q.choices) >= 2
        assert all(0 < len(c) <= 80 for c in q.choices)
        assert q.difficulty in ("easy", "medium", "hard")
        if q.kind == "complete":
            assert len(q.distractors) == 3
            assert q.evidence in passage.sentences
            before, after = split_blank(q)
            assert before + q.answer + after == q.evidence
            key = fold(q.answer)
            assert key and key not in STOPWORDS
            assert any(len(w) >= 3 or w.isdigit() for w in key.split())
            prev = fold(before).split()[-1:]
            nxt = fold(after).split()[:1]
            for d in q.distractors:
                phrase = " ".join([*prev, fold(d), *nxt])
                assert f" {phrase} " not in text, f"{d!r} also fits: {q.text}"
                assert f" {fold(d)} " not in f" {fold(q.evidence)} "
                # the same kind as the answer
                if q.answer.isdigit():
                    assert d.isdigit()
                elif q.answer.islower():
                    assert d.islower() and word_class(d) == word_class(q.answer)
                else:
                    assert d[0].isupper() or d[0].isdigit()
                    if key in titles_in_corpus and key not in {
                        fold(w) for w in passage.text.split()
                    }:
                        assert fold(d) in titles_in_corpus
        elif q.kind == "who":
            owners = speakers_of.get(fold(q.evidence), set())
            if q.text.startswith("Who said this?"):
                assert owners == {passage.speaker} and q.answer == passage.speaker[:80]
                assert all(fold(d) != fold(passage.speaker) for d in q.distractors)
            else:
                interviews = interviews_of.get(fold(q.evidence), set())
                assert interviews == {passage.interview_id}
            assert q.evidence in passage.sentences


def test_generator_rules_hold_on_the_seed(seed: Interview) -> None:
    questions = generate(list(seed.passages), {seed.id: seed.title})
    complete = [q for q in questions if q.kind == "complete"]
    assert len(complete) >= 30
    assert not [q for q in questions if q.kind == "who"]  # one speaker, one interview
    check_fair(questions, list(seed.passages))
    assert generate(list(seed.passages), {seed.id: seed.title}) == questions  # deterministic
    kinds = {q.answer[0].isupper() for q in complete}
    assert kinds == {True, False}  # names/titles and words both appear


PEOPLE = ["Tom Hardy", "Mia Farrow", "Ken Loach", "Ava Gardner", "Lee Marvin", "Jane Campion"]
PLACES = ["Paris", "Berlin", "Tokyo", "Lisbon", "Oslo", "Dublin"]
TITLES = ["Blue Velvet", "Night Train", "The Long Walk", "Red Desert", "Quiet Earth", "Sea Fog"]
NOUNS = ["camera", "script", "budget", "rehearsal", "costume", "studio", "ending", "lighting"]
VERBS = ["filmed", "edited", "painted", "planned", "rehearsed", "rewrote"]
TEMPLATES = [
    "I met {person} in {place} after the premiere of “{title}” last spring.",
    "We {verb} the {noun} for {number} days in {place} with {person}.",
    "My favourite {noun} was in “{title}”, which {person} shot in {place}.",
    "The {noun} of “{title}” was {verb} twice before {person} agreed to it.",
    "In {place} we {verb} every {noun} by hand, and it took {number} weeks.",
    "Honestly the {noun} mattered more to me than anything {person} said about it.",
]
SPEAKERS = ["Ann Lee", "Bob Stone", "Cara Diaz"]


@st.composite
def synthetic(draw: st.DrawFn) -> list[Interview]:
    n_interviews = draw(st.integers(1, 2))
    n_speakers = draw(st.integers(1, 3))
    interviews = []
    for n in range(n_interviews):
        lines = ["An introduction to the conversation."]
        for turn in range(draw(st.integers(2, 5))):
            speaker = SPEAKERS[draw(st.integers(0, n_speakers - 1))]
            sentences = []
            for _ in range(draw(st.integers(1, 4))):
                template = draw(st.sampled_from(TEMPLATES))
                sentences.append(
                    template.format(
                        person=draw(st.sampled_from(PEOPLE)),
                        place=draw(st.sampled_from(PLACES)),
                        title=draw(st.sampled_from(TITLES)),
                        noun=draw(st.sampled_from(NOUNS)),
                        verb=draw(st.sampled_from(VERBS)),
                        number=draw(st.integers(2, 99)),
                    )
                )
            lines.append(f"What happened next, part {turn}?")
            lines.append(f"{speaker}: {' '.join(sentences)}")
        interviews.append(
            parse_transcript(
                "\n".join(lines) + "\n",
                interview_id=f"iv{n}",
                source=f"iv{n}.txt",
                meta=InterviewMeta(title=f"Interview number {n}"),
            )
        )
    return interviews


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(synthetic())
def test_generator_rules_hold_on_synthetic_transcripts(interviews: list[Interview]) -> None:
    passages = [p for iv in interviews for p in iv.passages]
    titles = {iv.id: iv.title for iv in interviews}
    questions = generate(passages, titles)
    check_fair(questions, passages)
    speakers = {p.speaker for p in passages}
    who = [q for q in questions if q.kind == "who"]
    if len(speakers) == 1 and len(interviews) == 1:
        assert not who
    for q in who:
        if len(speakers) >= 2:
            assert q.text.startswith("Who said this?")
            assert set(q.choices) <= speakers
        else:
            assert set(q.choices) <= set(titles.values())


def test_who_said_it_with_two_speakers() -> None:
    text = (
        "Intro.\nFirst question?\nAnn Lee: The camera was older than the whole crew put "
        "together, and it still worked.\nSecond question?\nBob Stone: I rewrote the ending "
        "nine times before the studio finally agreed to shoot it.\n"
    )
    iv = parse_transcript(text, interview_id="two", source="two.txt", meta=InterviewMeta("Two"))
    who = [q for q in generate(list(iv.passages), {"two": "Two"}) if q.kind == "who"]
    assert {(q.answer, q.distractors) for q in who} == {
        ("Ann Lee", ("Bob Stone",)),
        ("Bob Stone", ("Ann Lee",)),
    }


# --------------------------------------------------------------------------- pool


def make_questions(n: int, curated: int = 0) -> list[Question]:
    return [
        Question(
            id=f"q{i:03d}",
            kind="curated" if i < curated else "complete",
            text=f"Question {i}?",
            answer="a",
            distractors=("b", "c", "d"),
            difficulty=("easy", "medium", "hard")[i % 3],
            evidence="a",
            interview_id="iv",
            passage_id=f"p{i % 4}",
        )
        for i in range(n)
    ]


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(0, 30), st.integers(0, 2**32))
def test_no_question_twice_until_the_pool_is_exhausted(size: int, curated: int, seed: int) -> None:
    pool = make_questions(size, min(curated, size))
    rng = random.Random(seed)
    seen: set[str] = set()
    asked: list[str] = []
    for _ in range(size):
        q, reset = choose(pool, seen, rng)
        assert not reset and q.id not in seen
        seen.add(q.id)
        asked.append(q.id)
    assert sorted(asked) == sorted(q.id for q in pool)
    q, reset = choose(pool, seen, rng, last=asked[-1])
    assert reset
    if size > 1:
        assert q.id != asked[-1]


def test_bank_filters_by_topic_and_difficulty(seed: Interview) -> None:
    curated, _ = load_curated(TRIVIA, [seed])
    bank = TriviaBank.build(curated, list(seed.passages), {seed.id: seed.title})
    counts = bank.counts()
    assert counts["curated"] == len(curated) and counts["complete"] >= 30
    music = {p.id for p in seed.passages if "Take That" in p.text}
    hard_music = bank.pool(passage_ids=music, difficulty="hard")
    assert hard_music and all(q.passage_id in music and q.difficulty == "hard" for q in hard_music)
    assert bank.questions[0].kind == "curated"
    with pytest.raises(ValueError):
        choose([], set(), random.Random(1))


def test_shuffled_choices_keep_the_answer(seed: Interview) -> None:
    curated, _ = load_curated(TRIVIA, [seed])
    rng = random.Random(3)
    positions = set()
    for q in curated:
        choices, correct = shuffled_choices(q, rng)
        assert choices[correct] == q.answer and sorted(choices) == sorted(q.choices)
        positions.add(correct)
    assert len(positions) > 1


# --------------------------------------------------------------------------- scoring


def test_points_reward_right_answers_and_speed() -> None:
    assert points_for(True, 0, 20) == 15
    assert points_for(True, 10, 20) == 12  # 10 + round(2.5) (banker's rounding) = 12
    assert points_for(True, 20, 20) == 10
    assert points_for(True, 99, 20) == 10
    assert points_for(False, 0, 20) == 0
    values = [points_for(True, t / 10, 20) for t in range(0, 201)]
    assert values == sorted(values, reverse=True)


def test_streaks() -> None:
    score = Score(1, 2)
    for correct in (True, True, True, False, True):
        score = apply_answer(score, correct, 12 if correct else 0)
    assert (score.points, score.correct, score.answered) == (48, 4, 5)
    assert (score.streak, score.best_streak) == (1, 3)
    assert score.accuracy == pytest.approx(0.8)


# --------------------------------------------------------------------------- store


# `store`: tests/storefixtures.py, on SQLite and on PostgreSQL


async def start(store: Store, q: Question, channel: int = 10, seconds: float = 20) -> int | None:
    choices, correct = shuffled_choices(q, random.Random(1))
    return await store.trivia_start_round(
        guild_id=1,
        channel_id=channel,
        question=q,
        choices=choices,
        correct=correct,
        started_at=T0,
        ends_at=T0 + timedelta(seconds=seconds),
        started_by=5,
    )


async def test_round_lifecycle_in_the_store(
    store: Store, open_store: Callable[[], Awaitable[Store]]
) -> None:
    q = make_questions(1)[0]
    round_id = await start(store, q)
    assert round_id is not None
    assert await start(store, q) is None  # one active round per channel
    assert await start(store, q, channel=11) is not None  # another channel is fine
    await store.trivia_set_message(round_id, 999)
    found = await store.trivia_round(round_id)
    assert found is not None and found.message_id == 999 and found.question == q
    assert found.choices[found.correct] == q.answer and found.seconds == 20
    assert await store.trivia_seen(1) == {q.id}

    wrong = (found.correct + 1) % 4
    results = await asyncio.gather(
        *[
            store.trivia_answer(round_id, user, found.correct, True, 14, T0 + timedelta(seconds=2))
            for user in range(100, 110)
        ],
        store.trivia_answer(round_id, 200, wrong, False, 0, T0 + timedelta(seconds=3)),
        store.trivia_answer(round_id, 200, found.correct, True, 13, T0 + timedelta(seconds=3)),
    )
    outcomes = [r[0] for r in results]
    assert outcomes[:10] == ["recorded"] * 10
    assert sorted(outcomes[10:]) == ["already", "recorded"]
    kept = results[10][1]
    assert kept is not None and results[11][1] == kept  # both report the one answer kept
    late = await store.trivia_answer(round_id, 300, 0, False, 0, T0 + timedelta(seconds=21))
    assert late == ("closed", None)
    answers = await store.trivia_answers(round_id)
    assert len(answers) == 11

    ended = await store.trivia_end_round(round_id)
    assert ended is not None and len(ended) == 11
    assert await store.trivia_end_round(round_id) is None  # only once
    after = await store.trivia_answer(round_id, 301, 0, False, 0, T0 + timedelta(seconds=1))
    assert after == ("closed", None)

    board = await store.trivia_leaderboard(1)
    assert [s.points for s in board] == sorted((s.points for s in board), reverse=True)
    top = board[0]
    assert top.points == 14 and top.rank == 1
    assert sum(1 for s in board if s.rank == 1) == 10  # equal points share a rank
    mine = await store.trivia_score(1, 200)
    assert mine is not None and mine.answered == 1
    assert await store.trivia_score(1, 12345) is None

    # rounds and settings survive closing the database
    await store.set_trivia_round_seconds(1, 7.5, by=5)
    await store.close_lanes()
    await store.close()
    again = await open_store()
    try:
        active = await again.trivia_active_rounds()
        assert [r.channel_id for r in active] == [11]
        assert await again.trivia_round_seconds(1) == 7.5
        assert await again.trivia_round_seconds(2) is None
        cancelled = await again.trivia_end_round(active[0].id, cancel=True)
        assert cancelled == []
        assert await again.trivia_active_round(11) is None
    finally:
        await again.close_lanes()
        await again.close()


async def test_streaks_and_seen_in_the_store(store: Store) -> None:
    questions = make_questions(4)
    for n, q in enumerate(questions):
        round_id = await start(store, q)
        assert round_id is not None
        found = await store.trivia_round(round_id)
        assert found is not None
        right = n != 2
        choice = found.correct if right else (found.correct + 1) % 4
        await store.trivia_answer(round_id, 7, choice, right, 10 if right else 0, T0)
        await store.trivia_end_round(round_id)
    score = await store.trivia_score(1, 7)
    assert score is not None
    assert (score.points, score.streak, score.best_streak, score.answered) == (30, 1, 2, 4)
    assert await store.trivia_seen(1) == {q.id for q in questions}
    await store.trivia_forget_seen(1, [questions[0].id])
    assert await store.trivia_seen(1) == {q.id for q in questions[1:]}


class _StopWhenRead(list[Passage]):
    """Passages that set `stop` once the build has read them (the build is under way)."""

    def __init__(self, passages: list[Passage], stop: threading.Event) -> None:
        super().__init__(passages)
        self.stop = stop

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from super().__iter__()
        self.stop.set()


def test_a_bank_build_stops_when_asked(seed: Interview) -> None:
    titles = {seed.id: seed.title}
    stop = threading.Event()
    stop.set()
    with pytest.raises(BankBuildStopped):
        TriviaBank.build([], list(seed.passages), titles, stop)
    stop = threading.Event()
    with pytest.raises(BankBuildStopped):  # set while it runs
        TriviaBank.build([], _StopWhenRead(list(seed.passages), stop), titles, stop)
    assert TriviaBank.build([], list(seed.passages), titles, threading.Event()).questions


class _Watched(threading.Event):
    """A stop event that notes how much work (`folded` calls) the build had done at each look."""

    def __init__(self, work: list[int]) -> None:
        super().__init__()
        self.work = work
        self.looks: list[int] = []

    def is_set(self) -> bool:
        self.looks.append(self.work[0])
        return super().is_set()


def test_a_stopped_build_ends_after_a_bounded_amount_of_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopping is only as prompt as the longest stretch between two looks at the event:
    every phase (reading, the corpus text, completion and "who said" questions) must look
    every STOP_EVERY items, else a stop during it waits for the whole phase (SIGTERM waited
    for the warm-up with a large corpus). Work is counted in `folded` calls, not seconds."""
    passages = synthetic_passages(300)  # many speakers and interviews: every phase runs
    titles = {p.interview_id: p.interview_id for p in passages}
    work = [0]

    original = model.folded

    def counted(text: str) -> str:
        work[0] += 1
        return original(text)

    for module in (model, spans, generated):
        monkeypatch.setattr(module, "folded", counted)
    monkeypatch.setattr(stopping, "STOP_EVERY", 8)
    stop = _Watched(work)
    bank = TriviaBank.build([], passages, titles, stop)
    assert {q.kind for q in bank.questions} >= {"complete", "who"}
    gaps = [b - a for a, b in zip([0, *stop.looks], [*stop.looks, work[0]], strict=True)]
    assert max(gaps) <= work[0] // 100, (max(gaps), work[0], len(stop.looks))
