"""The naive scan as evidence (bot/search/naive.py): candidates, scores, the match decision.

Queries here are on the TUNING set (benchmarks/heldout/tuning), which the naive-evidence
thresholds were tuned on; the reporting sets stay out of the tests' reach.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests
    sys.path.insert(0, str(ROOT))

from test_search_rank import _answer as _passage_of  # noqa: E402

from benchmarks.corpus import synthetic_passages  # noqa: E402
from benchmarks.heldout import TUNING, load_heldout  # noqa: E402
from bot.models import Passage  # noqa: E402
from bot.search import SearchIndex, normalise  # noqa: E402
from bot.search.params import MATCH_FLOOR, NAIVE_SCAN_BYTES  # noqa: E402
from bot.search.plan import content_words  # noqa: E402
from bot.search.results import Hit  # noqa: E402


@pytest.fixture(scope="module")
def tuning() -> tuple[list[Passage], SearchIndex]:
    passages, _ = load_heldout(TUNING)
    return passages, SearchIndex.build(passages)


def _answer_id(passages: list[Passage], fragment: str) -> str:
    found = [p.id for p in passages if fragment in p.text.replace("’", "'")]
    assert len(found) == 1
    return found[0]


def _first_hit(tuning: tuple[list[Passage], SearchIndex], query: str, fragment: str) -> Hit:
    """The query's first hit, asserted to be the answer holding `fragment`."""
    passages, index = tuning
    hits = index.search(query).hits
    assert hits, index.search(query).suggestions
    assert hits[0].passage_id == _answer_id(passages, fragment)
    return hits[0]


# Paraphrases keeping two or three content words, which the rerank put first but under
# MATCH_FLOOR (so "No quote matches" with the right answer as a suggestion) before the
# naive evidence counted.
PARAPHRASES = [
    ("the nearest crew can be an hour and a half away", "ninety minutes away from the patient"),
    ("only three people applied and one was his nephew", "This spring I had three applicants"),
    ("started as a lad porter in nineteen fifty seven", "I started as a lad porter at Malton"),
]


@pytest.mark.parametrize(("query", "fragment"), PARAPHRASES)
def test_a_paraphrase_the_naive_scorer_clearly_prefers_is_a_match(
    tuning: tuple[list[Passage], SearchIndex], query: str, fragment: str
) -> None:
    assert _first_hit(tuning, query, fragment).score >= MATCH_FLOOR


# The same paraphrases with a typo the index finds (one edit from a corpus word): the naive
# scorer compares characters, so the typo as typed cost them the naive evidence.
TYPO_PARAPHRASES = [
    ("the nearet crew can be an hour and a half away", "ninety minutes away from the patient"),
    ("only three people applied and one was his nrphew", "This spring I had three applicants"),
]


@pytest.mark.parametrize(("query", "fragment"), TYPO_PARAPHRASES)
def test_a_paraphrase_with_a_typo_is_still_a_match(
    tuning: tuple[list[Passage], SearchIndex], query: str, fragment: str
) -> None:
    _first_hit(tuning, query, fragment)


def test_the_naive_scorer_sees_a_typo_as_the_word_it_misspells() -> None:
    """A word the corpus lacks, one edit from exactly one corpus word, is that word to the
    naive scorer; a corpus word, another form of one, a word with two neighbours one edit
    away, or a short word stays as typed."""
    texts = [
        "The lighthouse keeper polished the lamp.",
        "The batter and the butter went in the parish kitchen.",
    ]
    index = SearchIndex.build([_passage_of(f"a-{i}", t) for i, t in enumerate(texts)])
    plan = index._plan("the lighthuose keeper polished lamps", suggest=False)
    assert plan is not None
    assert plan.content == "lighthouse keeper polished lamps"  # "lamps": a form of "lamp"
    plan = index._plan("bitter kitchen", suggest=False)  # "bitter": batter and butter
    assert plan is not None
    assert plan.content == "bitter kitchen"
    plan = index._plan("paris kitchen", suggest=False)  # one edit from "parish", but short
    assert plan is not None
    assert plan.content == "paris kitchen"


def test_the_naive_scorer_sees_a_split_or_joined_word_as_the_corpus_words() -> None:
    """Two query pieces the corpus lacks one of, which make a corpus word, are that word to
    the naive scorer; a word the corpus lacks that runs two corpus words together (with no
    other reading) is those words; corpus words, and another form of one, stay as typed."""
    texts = [
        "My nephew polished the lighthouse lamp.",
        "Nobody forgets the keeper's dollars.",
    ]
    index = SearchIndex.build([_passage_of(f"a-{i}", t) for i, t in enumerate(texts)])
    plan = index._plan("his nep hew polished the light house", suggest=False)
    assert plan is not None
    # "nep" and "hew", "light" and "house": not corpus words; "nephew", "lighthouse" are.
    assert plan.content == "nephew polished lighthouse"
    plan = index._plan("hisnephew polishedthe lamp", suggest=False)
    assert plan is not None
    assert plan.content == "nephew polished lamp"
    plan = index._plan("nobody forget the do llars", suggest=False)
    assert plan is not None
    assert plan.content == "nobody forget dollars"  # "forget": a form of "forgets", kept


# Tuning-set queries with a word split in two or two words run together (bench_perturb's
# split and join, seed 1): the slots found the words, the naive evidence did not.
SPLIT_PARAPHRASES = [
    ("only three people applied and one was his nep hew", "This spring I had three applicants"),
    ("only three people applied and one was hisnephew", "This spring I had three applicants"),
    ("thenearest crew can be an hour and a half away", "ninety minutes away from the patient"),
]


@pytest.mark.parametrize(("query", "fragment"), SPLIT_PARAPHRASES)
def test_a_paraphrase_with_a_split_or_joined_word_is_still_a_match(
    tuning: tuple[list[Passage], SearchIndex], query: str, fragment: str
) -> None:
    _first_hit(tuning, query, fragment)


def test_the_naive_scorers_pick_is_no_match_when_the_rerank_clearly_prefers_another(
    tuning: tuple[list[Passage], SearchIndex],
) -> None:
    """A quote typed with a word split ("cr osword") and a typo: its answer is ranked
    first, 15 points clear and aligned 90 with the query, but under the floor; the naive
    scorer, which sees "cr" and "osword" as two unknown words, prefers another answer
    that shares "weather" and "hills".  That answer was shown as the match."""
    passages, index = tuning
    query = "did the cr osword and watched the weather coming over the hils"
    plan = index._plan(query, suggest=False)
    assert plan is not None
    ranked = index._rank(plan, 32)
    picked = index._naive_lead(plan, ranked)
    want = _answer_id(passages, "I used to do the crossword")
    assert picked is not None and index._ids[picked.row] != want  # the naive scorer's pick
    assert index._answer_naive_lead(plan, ranked) is None
    hits = index.search(query).hits
    assert hits and hits[0].passage_id == want, index.search(query).suggestions


def test_the_index_is_never_behind_the_naive_scan_on_the_tuning_set(
    tuning: tuple[list[Passage], SearchIndex],
) -> None:
    passages, index = tuning
    _, queries = load_heldout(TUNING)
    answers = [p for p in passages if p.role == "interviewee"]
    texts = [normalise(p.text) for p in answers]
    ours = naive = 0
    for q in queries:
        hits = index.search(q.text).hits
        ours += bool(hits) and hits[0].passage_id == q.expected
        best = process.extractOne(
            normalise(q.text), texts, scorer=fuzz.token_set_ratio, processor=None
        )
        naive += best is not None and answers[best[2]].id == q.expected
    assert ours >= naive
    assert ours >= 60, ours  # 58 of 65 before the naive evidence


def test_one_long_shared_word_is_not_evidence_enough() -> None:
    """ "apartments" alone gives token_set_ratio ~57 against an off-topic query: the naive
    lead needs two of the query's words in the answer."""
    passages = [
        _passage_of("n-0", "We lived in three apartments before the house, all of them damp."),
        _passage_of("n-1", "The garden took us ten years to get right."),
        _passage_of("n-2", "My sister moved to the coast and opened a bakery."),
    ]
    index = SearchIndex.build(passages)
    query = "best dog breed for apartments"
    words = content_words(normalise(query))
    assert fuzz.token_set_ratio(words, content_words(normalise(passages[0].text))) >= 55
    assert index.search(query).hits == []


def test_stop_words_do_not_make_a_naive_match() -> None:
    """Over whole texts token_set_ratio scores 100 for "it is what it is" against most
    answers; the naive evidence compares content words, so it is no match."""
    passages = [_passage_of(f"n-{i}", f"It is what it is, said the {w} man.") for i, w in
                enumerate(["old", "tall", "quiet"])]  # fmt: skip
    index = SearchIndex.build(passages)
    assert (
        index.search("it is what it is").hits == []
        or index.search("it is what it is").hits[0].exact
    )  # an exact phrase is a match by the phrase, not by the naive scan
    assert index.search("of the and to in").hits == []


def test_the_scan_runs_only_within_its_budget(tuning: tuple[list[Passage], SearchIndex]) -> None:
    _, small = tuning
    assert small._scan_affordable(None)
    large = SearchIndex.build(synthetic_passages(3000, with_seed=False))
    assert len(large._blob) > NAIVE_SCAN_BYTES
    assert not large._scan_affordable(None)
    few = np.zeros(len(large), dtype=bool)
    few[:50] = True  # a speaker's answers: a scan of those fits
    assert large._scan_affordable(few)
    plan = large._plan(large._normalised_sentences(7)[0], suggest=False)
    assert plan is not None
    assert 7 in large._naive_rows(plan, few)
    assert large._plain is None  # the whole corpus's texts were never made for 50 answers


def test_the_scan_respects_within(tuning: tuple[list[Passage], SearchIndex]) -> None:
    passages, index = tuning
    plan = index._plan("nearest free crew ninety minutes", suggest=False)
    assert plan is not None
    right = index.ids.index(_answer_id(passages, "ninety minutes away from the patient"))
    assert right in index._naive_rows(plan)
    within = np.ones(len(index), dtype=bool)
    within[right] = False
    assert right not in index._naive_rows(plan, within)
