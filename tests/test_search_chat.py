"""Queries typed the way members chat: contractions without apostrophes, shorthand and
fillers are read as the words a transcript holds; a query that paraphrases the question
an answer replied to finds that answer when no answer says its words; and chat noise
alone still answers "no match" with a big corpus loaded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.search import SearchIndex
from bot.search.text import _cut_query

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import synthetic_passages  # noqa: E402
from tests.test_search_rank import _answer  # noqa: E402  # an interviewee's answer

ANSWERS = [
    _answer(
        "rank-0",
        "Mostly the night bus, and I read. The drivers know me by name by now.",
        "How do you get home after a late shift?",
    ),
    _answer(
        "rank-1",
        "The ward was quiet after midnight, but the pagers never stopped going off.",
        "What was the hospital like?",
    ),
    _answer(
        "rank-2",
        "I kept a diary of every patient I lost, forty-one names in eleven years.",
        "Did you ever write any of it down?",
    ),
    _answer(
        "rank-3",
        "I don't care what the rota says, nobody works three nights in a row on my ward.",
        "Who decides the schedule?",
    ),
    _answer(
        "rank-4",
        "Twenty-two years on nights, and I'd do it all again tomorrow.",
        "How long were you a nurse?",
    ),
]


def test_chat_words_become_the_words_the_index_holds() -> None:
    assert _cut_query("lol i dont care what the rota says tbh") == (
        "i don t care what the rota says"
    )
    assert _cut_query("whats she like, im not sure") == "what s she like i m not sure"
    assert _cut_query("22 yrs on nights ppl") == "22 years on nights people"
    # Words that are also words stay as typed; a last word still being typed stays too.
    assert _cut_query("its ill well") == "its ill well"
    assert _cut_query("the night im", open_last=True) == "the night im"
    assert _cut_query("lol") == ""
    # A word the corpus holds as typed is meant so: a transcript without apostrophes, "HR".
    assert _cut_query("i dont know hr", known={"dont", "hr"}) == "i dont know hr"
    assert _cut_query("lol hr", known={"lol"}) == "hour"  # fillers go all the same


def test_pointing_at_a_quote_is_cut_off_the_words_to_find() -> None:
    assert _cut_query("that quote where she says hope is a discipline") == ("hope is a discipline")
    assert _cut_query("the bit where he talks about cumin") == "cumin"
    assert _cut_query("remember when frank said low and slow") == "low and slow"
    assert _cut_query("what did maya say about the buns") == "the buns"
    # A quote that starts like one stays as typed; pointing alone keeps a word or two.
    assert _cut_query("when i was nine") == "when i was nine"
    assert _cut_query("the part where the engine went quiet") == "the engine went quiet"
    assert _cut_query("the one where she says") == "she says"
    assert _cut_query("that quote") == "that quote"


@pytest.mark.parametrize("which", ["small", "big"])
def test_a_quote_pointed_at_is_found(which: str, request: pytest.FixtureRequest) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    for query, want in (
        ("the bit where rosa talks about the pagers", "rank-1"),
        ("what did rosa say about forty one names", "rank-2"),
        ("remember when she said nobody works three nights in a row", "rank-3"),
    ):
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == want, (query, hits)


def test_a_transcript_without_apostrophes_is_found_as_typed() -> None:
    plain = [_answer("rank-0", "I dont know why HR sent me to the night shift.", "Why nights?")]
    plain += ANSWERS[1:]
    hits = SearchIndex.build(plain).search("dont know why hr sent me").hits
    assert hits and hits[0].passage_id == "rank-0" and hits[0].exact


@pytest.fixture(scope="module")
def small() -> SearchIndex:
    return SearchIndex.build(ANSWERS)


@pytest.fixture(scope="module")
def big() -> SearchIndex:
    mixed = synthetic_passages(20_000, seed=7, with_seed=False)
    mixed[10_000:10_000] = ANSWERS
    return SearchIndex.build(mixed)


@pytest.mark.parametrize("which", ["small", "big"])
def test_apostrophes_dropped_and_shorthand_still_find_the_quote(
    which: str, request: pytest.FixtureRequest
) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    for query, want in (
        ("i dont care what the rota says", "rank-3"),
        ("22 yrs on nights id do it all again", "rank-4"),
    ):
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == want, (query, hits)


@pytest.mark.parametrize("which", ["small", "big"])
def test_a_paraphrased_question_leads_to_its_answer(
    which: str, request: pytest.FixtureRequest
) -> None:
    index: SearchIndex = request.getfixturevalue(which)
    # No answer says "home", "late" or "shift": the question it replied to does.
    hits = index.search("when she was asked how she gets home after late shifts").hits
    assert [h.passage_id for h in hits] == ["rank-0"]


def test_an_answer_that_says_the_words_beats_a_question_that_asked_them(
    small: SearchIndex,
) -> None:
    hits = small.search("diary of every patient she lost").hits
    assert hits and hits[0].passage_id == "rank-2"
    hits = small.search("the pagers never stopped on the ward").hits
    assert hits and hits[0].passage_id == "rank-1"


@pytest.mark.parametrize(
    "query",
    [
        "lol ok",
        "lmao 🔥🔥🔥",
        "tbh idk",
        "ngl bruh",
        "lol the dentist on the moon",
        "that quote where she says",
        "the bit where he talks about tax law on mars",
    ],
)
def test_chat_noise_alone_is_no_match(big: SearchIndex, query: str) -> None:
    assert big.search(query).hits == []


def test_a_question_leads_to_its_own_answer_whatever_the_answer_scored() -> None:
    """The question lead is weighed against the best answer; when that answer is the one
    that replied to the question, both point at the same passage: it is the match (the
    answer says "guarantee" and "inspection", its question "inspections", the query
    "inspect"), shown with the answer's own best sentence."""
    answers = [
        _answer(
            "lead-0",
            "Estimate, not guarantee, and I'm fussy about that word. We can say the odds are "
            "going up. We can say the gauges are high and the rainfall numbers are climbing. "
            "What we can't do is give you a date and a time like a bus timetable. Anyone who "
            "tells you they can guarantee an inspection to the day is selling something.",
            "So can you guarantee inspections?",
        ),
        _answer(
            "lead-1",
            "A big flood can move a riverbank a whole field over in one night.",
            "What does a flood do to the land?",
        ),
        _answer(
            "lead-2", "I grew up by the river, so the river was the weather.", "How did you start?"
        ),
        _answer(
            "lead-3",
            "The levee held in the end, but only just, and we slept in the truck.",
            "Did the levee hold?",
        ),
    ]
    index = SearchIndex.build(answers)
    query = "can you guarantee when the river will inspect"
    plan = index._plan(query, suggest=False)
    assert plan is not None
    best = index._rank(plan, 32)[0]
    assert index.ids[best.row] == "lead-0" and best.score < 50.0  # under the floor
    hits = index.search(query).hits
    assert [h.passage_id for h in hits] == ["lead-0"]
    assert hits[0].sentence_index == best.sentence  # the answer's sentence, not none
