"""The rank stage's decisions on a few hand-made answers, alone and inside 20k synthetic
ones: two answers that hold the words equally are not shown as the match (new in the
rank work; the code before it showed one of them), and guards for what must keep
working around it: the exact phrase settles a tie, an answer and its question together
overrule "no match", phrases are found through a word's variants and added words, and an
added filler that is a common word of other answers does not let them win (align.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.models import Passage
from bot.search import Hit, SearchIndex
from bot.search.align import LoosePhrase
from bot.search.rank import _Scored
from bot.transcript import split_sentences

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import synthetic_passages  # noqa: E402


def _answer(pid: str, text: str, question: str | None = None) -> Passage:
    return Passage(
        id=pid,
        interview_id="rank",
        position=int(pid.rsplit("-", 1)[-1]),
        speaker="Ada",
        role="interviewee",
        question=question,
        paragraphs=(text,),
        sentences=tuple(split_sentences(text)),
        line=1,
    )


ANSWERS = [
    _answer(
        "rank-0", "We painted the barn red in June. The goats hated the smell.", "What colour?"
    ),
    _answer("rank-1", "We painted the barn red in July. The hens did not care.", "And later?"),
    _answer(
        "rank-2",
        "The harbour master kept a ledger of every boat that came in after dark.",
        "Who kept records at the port?",
    ),
    _answer(
        "rank-3",
        "I pack earplugs, lozenges and a kettle, and I rehearse the transitions.",
        "How do you prepare for a tour?",
    ),
    _answer("rank-4", "My sister tends the bees and I tend the orchard and we both sell honey."),
]


@pytest.fixture(scope="module")
def small() -> SearchIndex:
    return SearchIndex.build(ANSWERS)


@pytest.fixture(scope="module")
def large() -> SearchIndex:
    corpus = synthetic_passages(20_000, with_seed=False)
    corpus[10_000:10_000] = ANSWERS
    return SearchIndex.build(corpus)


def test_two_answers_holding_the_words_equally_are_not_shown_as_the_match(
    small: SearchIndex,
) -> None:
    result = small.search("barn painted red")
    assert result.hits == []
    assert any("June" in s for s in result.suggestions)
    assert any("July" in s for s in result.suggestions)


def test_the_exact_phrase_settles_a_tie(small: SearchIndex) -> None:
    assert small.search("barn red in july").hits[0].passage_id == "rank-1"
    assert small.search("painted the barn red").hits  # both hold it: the phrase is a match


def test_a_question_and_its_answer_together_overrule_no_match(small: SearchIndex) -> None:
    # "pack" is only in the answer, "tour" only in the question it replied to.
    hits = small.search("what does she pack for a tour").hits
    assert [h.passage_id for h in hits][:1] == ["rank-3"]


@pytest.mark.parametrize(
    "query",
    [
        "the harbor master kept a really big ledger",  # an added word, US spelling
        "harbour master kept a ledger of every boats",  # another form of a word
        "the harbour masters kept a ledger",  # a form that is itself a corpus word
        "so the harbour master you know kept a ledger",  # fillers
    ],
)
def test_a_phrase_is_found_through_variants_and_added_words(
    small: SearchIndex, large: SearchIndex, query: str
) -> None:
    for index in (small, large):
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == "rank-2", (query, hits)


def test_a_slip_that_is_itself_a_word_still_finds_the_phrase(large: SearchIndex) -> None:
    hits = large.search("my sister tends the bees and i tent the orchard").hits
    assert hits and hits[0].passage_id == "rank-4"


def _scored(row: int, score: float, phrase: float, coverage: float = 1.0) -> _Scored:
    return _Scored(row, score, False, 0, 0.0, 0.0, phrase, coverage)


def test_a_near_tie_is_settled_by_the_whole_query_s_alignment(small: SearchIndex) -> None:
    """Within NEAR_TIE of the top, the answer the query (stop words and order included)
    aligns with best goes first, and scores stay non-increasing down the list."""
    plan = small._plan("barn painted red", suggest=False)
    assert plan is not None
    ranked = [_scored(0, 95.0, 60.0), _scored(1, 94.0, 100.0), _scored(2, 60.0, 100.0)]
    broken = small._break_near_tie(plan, ranked)
    assert [s.row for s in broken] == [1, 0, 2]
    assert [s.score for s in broken] == [94.0, 94.0, 60.0]


def test_a_top_not_clearly_better_than_the_next_is_not_a_match(small: SearchIndex) -> None:
    first = Hit(small.ids[0], 60.0, 0, False)
    # Two answers that each hold part of the query about as well: neither is THE match.
    assert small._ambiguous([_scored(0, 60.0, 70.0), _scored(1, 59.0, 68.0)], [first])
    # Clearly ahead, or the runner-up holds less of the query as typed: shown.
    assert not small._ambiguous([_scored(0, 60.0, 90.0), _scored(1, 59.0, 50.0)], [first])
    assert not small._ambiguous([_scored(0, 60.0, 70.0), _scored(1, 59.0, 70.0, 0.8)], [first])
    # Holding every word, the margin asked for is smaller (AMBIGUOUS).
    top = Hit(small.ids[0], 95.0, 0, False)
    assert not small._ambiguous([_scored(0, 95.0, 70.0), _scored(1, 91.0, 70.0)], [top])
    assert small._ambiguous([_scored(0, 95.0, 70.0), _scored(1, 94.0, 70.0)], [top])
    # A hit its question lifted above the answers is compared with the next hit.
    lifted = Hit(small.ids[2], 95.8, None, False)
    close = Hit(small.ids[0], 95.5, 0, False)
    ranked = [_scored(0, 95.5, 70.0), _scored(1, 80.0, 70.0)]
    assert small._ambiguous(ranked, [lifted, close])
    assert not small._ambiguous(ranked, [lifted])


def test_the_same_words_twice_are_no_ambiguity() -> None:
    """Two answers word for word alike (an interview loaded twice) tie exactly: either is
    the quote, so it is shown."""
    text = "The lighthouse keeper painted the lamp room green every spring."
    index = SearchIndex.build([_answer("twin-0", text), _answer("twin-1", text)])
    hits = index.search("keeper painted lamp room green spring").hits
    assert hits and hits[0].passage_id in {"twin-0", "twin-1"}


# --- the loose phrase (bot/search/align.py): a quote typed with a filler added, where the
# filler is a common word of other answers that hold the quote's words scattered.

TARGET = "The old lighthouse keeper counted every ship that passed the point at night."
DECOY = (
    "Really, every ship that passed was counted in the end, the keeper of the lighthouse told me."
)


def _index() -> SearchIndex:
    # "really" is in most answers (a common word here), so it may be one a member added.
    answers = [_answer("align-0", TARGET), _answer("align-1", DECOY)]
    for i in range(2, 40):
        filler = "really " if i % 2 else ""
        answers.append(_answer(f"align-{i}", f"It was {filler}cold in winter number {i}."))
    return SearchIndex.build(answers)


def test_an_added_common_word_does_not_let_scattered_words_win() -> None:
    index = _index()
    hits = index.search("lighthouse keeper really counted every ship that passed").hits
    assert hits and hits[0].passage_id == "align-0", hits


def test_the_phrase_must_start_and_end_as_typed_and_leave_out_few_words() -> None:
    words = "lighthouse keeper really counted every ship that passed".split()
    accept = [frozenset((w,)) for w in words]
    optional = [w in {"really", "every", "that"} for w in words]
    loose = LoosePhrase.of(accept, optional)
    assert loose is not None and loose.budget == 2

    def found(text: str) -> bool:
        return loose.found_in(text, set(text.split()))

    assert found("the lighthouse keeper counted every ship that passed at night")
    assert not found("lighthouse keeper really counted every ship that passed")  # all of it
    assert not found("keeper counted every ship that passed")  # its first word left out
    assert not found("lighthouse keeper counted ship passed")  # three left out
    assert not found("lighthouse keeper really counted every boat that passed")  # required
    assert LoosePhrase.of(accept[:4], optional[:4]) is None  # too short to leave one out


def test_a_phrase_with_a_word_left_out_is_found_by_the_phrase_scan() -> None:
    """The phrase scan (which finds the answer saying the query among thousands holding
    its words) also tries the phrase with one word between two of its words: a word the
    member forgot ("came sailing past")."""
    decoys = [
        _answer(
            f"gap-{i}", f"Every ship {i} that came past the rocks was counted by the old keeper."
        )
        for i in range(60)
    ]
    target = _answer(
        "gap-60",
        "On the cape the old keeper counted every ship that came sailing past the rocks "
        "in the storm season, year after year, and wrote it all down in a logbook.",
    )
    index = SearchIndex.build([*decoys, target])
    plan = index._plan("the old keeper counted every ship that came past the rocks", suggest=False)
    assert plan is not None
    pool = index._joined(np.arange(61))
    found = {
        (loose, gapped): index._phrase_rows(re.compile(phrase[0], re.DOTALL), pool, 32)
        for loose, gapped in ((False, False), (True, False), (False, True))
        if (phrase := index._phrase_plan(plan, loose, gapped)) is not None
    }
    assert found[(False, True)] == [60]
    assert all(rows == [] for mode, rows in found.items() if mode != (False, True))


def test_a_question_holding_the_words_better_than_any_answer_is_not_passed_over() -> None:
    """The words of a question, typed as asked, and another answer holding them over two
    sentences: that answer used to be shown as the match (a question counted 0.85)."""
    index = SearchIndex.build(
        [
            _answer(
                "ask-0",
                "We sold the boat in the spring and moved inland.",
                "What made you give up the lighthouse keeper job on the rocks?",
            ),
            _answer(
                "ask-1",
                "My uncle was a keeper of goats for a job. Up on the rocks by the lighthouse "
                "the wind never stopped.",
                "Where did you grow up?",
            ),
            *[_answer(f"ask-{i}", f"We baked bread number {i} on Sunday.") for i in range(2, 40)],
        ]
    )
    result = index.search("lighthouse keeper job rocks")
    assert [h.passage_id for h in result.hits][:1] in ([], ["ask-0"]), result.hits


# --- a candidate standing clearly alone under the floor (verdict._clear_lead) -------------


def test_a_remembered_quote_standing_clear_of_the_rest_is_a_match() -> None:
    """TUNING set queries the floor threw away although their answer stood 20+ points
    clear of every other: a word swapped ("dad" for "father") and a typo on top ("paer")."""
    from benchmarks.heldout import TUNING, load_heldout

    passages, _ = load_heldout(TUNING)
    index = SearchIndex.build(passages)
    for query, fragment in [
        ("my dad was a platelayer and so was grandad", "My father was a platelayer"),
        ("carry a flashlight and a paer map", "carry a torch and a paper map"),
    ]:
        (want,) = [p.id for p in passages if fragment in p.text]
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == want, (query, index.search(query).suggestions)


def test_a_half_remembered_quote_with_one_more_slip_still_stands_clear() -> None:
    """A remembered quote already under the floor (a word swapped for a synonym) that the
    member also mistypes: two words run together, or a word of their own put in.  Each
    still stands 16-20 points clear of every other answer, but the slip costs it score
    (33.8, under the old LEAD_SCORE of 35) or alignment (64.7, under the old LEAD_PHRASE
    of 65).  No negative of the held-out sets, perturbed every bench_perturb way, stood
    more than 10.8 clear of a runner-up, nor aligned over 58 with no runner-up."""
    from benchmarks.heldout import TUNING, load_heldout

    passages, _ = load_heldout(TUNING)
    index = SearchIndex.build(passages)
    for query, fragment in [
        ("my dad was a platelayer andso was grandad", "My father was a platelayer"),
        ("cows on the line in the honestly fog in sixty eight", "in the autumn of 1968"),
    ]:
        (want,) = [p.id for p in passages if fragment in p.text]
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == want, (query, index.search(query).suggestions)


def test_a_quote_said_in_order_in_one_answer_only_leads_although_others_share_its_words() -> None:
    """TUNING set queries with a slip (a typo, a transposition, the quote cut short)
    whose answer leads by only 5-8 points (another answer holds some of the same words
    scattered) and under the floor, but is the one answer that says the query in order:
    it aligns 72-74, 16-24 better than any other candidate."""
    from benchmarks.heldout import TUNING, load_heldout

    passages, _ = load_heldout(TUNING)
    index = SearchIndex.build(passages)
    for query, fragment in [
        ("about 2/3 of the cremws are volunteers", "About two thirds"),
        ("about 2/3 of the cresw are volunteers", "About two thirds"),
        ("the dehumidifier broke and", "One August the dehumidifier died"),
    ]:
        (want,) = [p.id for p in passages if fragment in p.text]
        hits = index.search(query).hits
        assert hits and hits[0].passage_id == want, (query, index.search(query).suggestions)


def test_a_lead_needs_the_score_the_gap_and_the_alignment() -> None:
    texts = ["Bees swarm in June.", "Pilots climb slowly.", "Divers breathe helium."]
    index = SearchIndex.build([_answer(f"r-{i}", t) for i, t in enumerate(texts)])

    def scored(row: int, score: float, phrase: float) -> _Scored:
        return _Scored(row, score, False, 0, 0.0, 0.0, phrase, 0.5)

    assert index._clear_lead([scored(0, 40.0, 70.0), scored(1, 20.0, 50.0)]) is not None
    assert index._clear_lead([scored(0, 40.0, 70.0)]) is not None  # no other answer
    assert index._clear_lead([scored(0, 40.0, 65.0), scored(1, 30.0, 50.0)]) is None  # gap
    assert index._clear_lead([scored(0, 40.0, 55.0), scored(1, 20.0, 50.0)]) is None  # phrase
    assert index._clear_lead([scored(0, 25.0, 70.0), scored(1, 5.0, 50.0)]) is None  # score
    # not clear by score, but said in order there and clearly less anywhere else
    near = [scored(0, 35.0, 72.0), scored(1, 30.0, 56.0), scored(2, 25.0, 50.0)]
    assert index._clear_lead(near) is not None
    assert index._clear_lead([near[0], scored(1, 30.0, 60.0)]) is None  # aligns as well
    assert index._clear_lead([scored(0, 35.0, 68.0), near[1]]) is None  # aligns too little
    assert index._clear_lead([scored(0, 28.0, 72.0), near[1]]) is None  # score
    # the same answer twice is no runner-up: the next other answer is
    same = [scored(0, 40.0, 70.0), scored(0, 39.0, 70.0), scored(2, 20.0, 50.0)]
    assert index._clear_lead(same) is not None


_FILLER = "brisk copper dune ember fable gusto harbor ivory jolly kettle".split()


@pytest.fixture(scope="module")
def common() -> SearchIndex:
    """Many answers holding the words "lanterns", "orchard" and "keepers" (more than the
    rerank scores), each over several sentences; one holds them in one sentence."""
    answers = [
        _answer(
            f"common-{i}",
            f"The lanterns were {_FILLER[i % 10]} and {_FILLER[(i * 3) % 10]}. "
            f"Nobody knew the orchard {_FILLER[(i * 7) % 10]} in {1900 + i}. "
            f"Its keepers left early, {_FILLER[(i + 4) % 10]} as ever.",
        )
        for i in range(60)
    ]
    answers.append(
        _answer(
            "common-60",
            "Lanterns were swinging while the orchard keepers argued about which cider "
            "presses they would buy before winter.",
            "What did they quarrel over at the mill?",
        )
    )
    return SearchIndex.build(answers)


def test_a_typed_phrase_is_not_matched_by_its_words_scattered(common: SearchIndex) -> None:
    """The words of a phrase typed as said, in one sentence but far from it, are offered
    as the closest, not shown as the match, when many answers hold those words."""
    query = "they were keepers of an orchard with the lanterns"
    plan = common._plan(query, suggest=False)
    assert plan is not None
    best = common._rank(plan, 32)[0]
    assert common.ids[best.row] == "common-60" and best.score >= 75.0 and best.phrase < 60.0
    result = common.search(query)
    assert result.hits == []
    assert any("swinging" in s for s in result.suggestions)


def test_a_best_answer_far_from_the_typed_query_is_not_shown(
    common: SearchIndex, small: SearchIndex
) -> None:
    """_misaligned: a best answer holding part of the query must align with it at least
    LOOSE_PARTIAL; one holding every word, LOOSE_PHRASE when the query was typed as a
    phrase (half its words stop words); keywords, when more than LOOSE_HOLDERS answers
    hold them all, must be said as typed.  Only when more answers hold the rarest word
    than the rerank scores."""
    typed = common._plan("and then the keepers were in the orchard with lanterns", suggest=False)
    keywords = common._plan("keepers orchard lanterns", suggest=False)
    assert typed is not None and keywords is not None
    part = Hit(common.ids[0], 60.0, 0, False)
    assert common._misaligned(typed, [_scored(0, 60.0, 60.0)], [part])
    assert not common._misaligned(typed, [_scored(0, 60.0, 75.0)], [part])
    every = Hit(common.ids[0], 93.0, 0, False)
    assert common._misaligned(typed, [_scored(0, 93.0, 55.0)], [every])
    assert not common._misaligned(typed, [_scored(0, 93.0, 75.0)], [every])
    # Keywords must be said as typed only when more than LOOSE_HOLDERS answers hold
    # them all: 61 here.
    assert not common._misaligned(keywords, [_scored(0, 93.0, 55.0)], [every])
    assert common._holders(keywords) == 61
    # A hit lifted by its question or a lead is not the best answer's own score.
    lifted = Hit(common.ids[2], 93.0, None, False)
    assert not common._misaligned(typed, [_scored(0, 93.0, 55.0)], [lifted])
    # The answer's question holds a word of the query the answer lacks.
    asked = common._plan("and then they quarrel in the orchard with lanterns", suggest=False)
    assert asked is not None
    row = common.ids.index("common-60")
    answer = Hit("common-60", 60.0, 0, False)
    assert not common._misaligned(asked, [_scored(row, 60.0, 60.0)], [answer])
    assert common._misaligned(asked, [_scored(0, 60.0, 60.0)], [part])
    # Rare words: every answer holding them was reranked.
    rare = small._plan("and then the barn was painted red by us", suggest=False)
    assert rare is not None
    assert not small._misaligned(
        rare, [_scored(0, 60.0, 60.0)], [Hit(small.ids[0], 60.0, 0, False)]
    )


def test_many_answers_holding_every_keyword_ask_for_them_as_typed(
    common: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.search.verdict as verdict

    keywords = common._plan("keepers orchard lanterns", suggest=False)
    assert keywords is not None
    every = Hit(common.ids[0], 93.0, 0, False)
    monkeypatch.setattr(verdict, "LOOSE_HOLDERS", 50)
    assert common._misaligned(keywords, [_scored(0, 93.0, 55.0)], [every])
    monkeypatch.setattr(verdict, "HOLDERS_SAMPLE", 30)
    assert common._holders(keywords) == 62  # every second of the 61 (31), counted twice


def test_a_sentence_holding_a_split_word_joined_holds_the_words_together() -> None:
    """The split "water fall" said as "waterfall" in one sentence is every word together (the top
    tier), not below an answer holding "water" and "fall" apart in a sentence."""
    index = SearchIndex.build(
        [
            _answer("split-0", "The hikers rested for an hour by the waterfall."),
            _answer("split-1", "The hikers said the water felt colder every fall."),
            _answer("split-2", "Our waterfall photos came out blurry."),
        ]
    )
    plan = index._plan("hikers by the water fall", suggest=False)
    assert plan is not None
    scored = {index.ids[row]: index._score(plan, row, 0.0) for row in range(3)}
    assert scored["split-0"].score >= 75.0 > scored["split-2"].score
    # ...where the whole query's alignment puts it first (the near tie, NEAR_TIE).
    assert index.ids[index._rank(plan, 32)[0].row] == "split-0"


def test_every_word_scattered_is_shown_when_every_answer_holding_them_was_weighed() -> None:
    """_misaligned does not withhold a best answer that holds every word of the query,
    scattered over it, when at most RERANK answers hold them all: the rerank weighed each
    one that could be meant (here 80 answers hold some of the words, one all)."""
    answers = []
    for i in range(40):
        answers.append(
            _answer(
                f"goats-{i}",
                f"The goats wandered down to the river at an age when nobody minded, season {i}.",
                "And then?",
            )
        )
        answers.append(
            _answer(f"count-{i + 40}", f"We counted 12 sheep and 4 hens in week {i}.", "Then?")
        )
    answers.append(
        _answer(
            "meant-99",
            "We started with two goats, learning. Four goats is plenty, mind. You are up "
            "and down the hill all day after them. I had four by the age of twelve, and "
            "proud of it.",
            "How many goats did you keep?",
        )
    )
    index = SearchIndex.build(answers)
    query = "by the age of 12 I had 4 goats"
    plan = index._plan(query, suggest=False)
    assert plan is not None
    best = index._rank(plan, 32)[0]
    assert index.ids[best.row] == "meant-99"
    assert best.score < 75.0 and best.phrase < 68.0  # scattered, and aligning loosely
    assert index._rarest_df(plan) > 32 and index._holders(plan) == 1
    assert [h.passage_id for h in index.search(query).hits][:1] == ["meant-99"]


def test_a_partial_hit_the_naive_scorer_contradicts_is_not_the_match(small: SearchIndex) -> None:
    """_contradicted: a best hit holding only part of the query, while the naive scorer
    clearly prefers another answer holding two of its words, is no better evidence than a
    lead under the floor, so search() lets the leads decide; a hit holding every word,
    standing LEAD_GAP clear, or a naive favourite without the margin, stands."""
    plan = small._plan("the orchard bees and the honey", suggest=False)
    assert plan is not None
    barn, bees = small.ids.index("rank-0"), small.ids.index("rank-4")

    def ranked(score: float, naive_barn: float) -> list[_Scored]:
        return [
            _Scored(barn, score, False, 0, 0.0, naive_barn, 60.0, 0.6),
            _Scored(bees, 45.0, False, 0, 0.0, 80.0, 60.0, 0.5),
        ]

    first = Hit("rank-0", 52.0, 0, False)
    assert small._contradicted(plan, ranked(52.0, 40.0), first)
    assert not small._contradicted(plan, ranked(52.0, 75.0), first)  # no clear favourite
    clear = Hit("rank-0", 62.0, 0, False)
    assert not small._contradicted(plan, ranked(62.0, 40.0), clear)  # LEAD_GAP clear
    every = Hit("rank-0", 80.0, 0, False)
    assert not small._contradicted(plan, ranked(80.0, 40.0), every)  # every word: stands
    assert not small._contradicted(plan, ranked(52.0, 40.0), Hit("rank-4", 52.0, 0, False))
