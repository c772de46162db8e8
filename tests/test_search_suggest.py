"""Autocomplete: the answer a half-typed phrase came from is among the choices."""

from __future__ import annotations

import itertools
import string

import numpy as np
import pytest

from bot.models import Passage
from bot.search import SearchIndex
from bot.search import suggest as search_suggest
from bot.search.params import SUGGEST_PHRASE_BYTES, SUGGEST_POOL


def _answer(pid: str, text: str) -> Passage:
    return Passage(pid, "i", 0, "A", "interviewee", None, (text,), (text,), 1)


def _crowded(next_word: str) -> list[Passage]:
    """One short answer holding "harbour pilots <next_word>", 1,800 longer ones holding
    "harbour pilots" then a rarer word that starts like `next_word`, and 3,000 with
    `next_word` elsewhere (so it is the stem's most frequent completion)."""
    stem = next_word[:2]
    rare = [stem + "".join(p) for p in itertools.permutations(string.ascii_lowercase[-6:], 3)]
    passages = []
    for i in range(1800):
        passages.append(
            _answer(f"d{i}", f"Then the harbour pilots {rare[i % 11]} calmly, as on every night.")
        )
    for i in range(3000):
        passages.append(
            _answer(f"f{i}", f"Pilots {next_word} in the harbour, {rare[20 + i % 30]}.")
        )
    source = f"So the harbour pilots {next_word} there."
    return [*passages, _answer("source", source)]  # last: no help from ties broken by row


def test_unfinished_word_weighs_no_more_than_what_it_may_become() -> None:
    """The unfinished last word may become any of its completions, most likely a frequent
    one: answers holding a rare completion must not crowd out the one the member typed."""
    index = SearchIndex.build(_crowded("waited"))
    choices = index.suggest("harbour pilots wa")
    assert choices and len(choices) <= 25
    assert "source" in {s.passage_id for s in choices}


def _filler(i: int) -> str:
    """A different made-up word for each i (so distractors differ in their other words)."""
    letters = string.ascii_lowercase
    return "".join(letters[(i // 26**k) % 26] for k in range(3)) + "ly"


def test_typed_phrase_is_found_among_thousands_holding_the_same_words() -> None:
    """Typed words in order are found even when every one of them is common: 4,000 short
    answers and 1,600 longer ones hold "harbour", "pilots" and "waited" in another order,
    so BM25 ranks the answer they were typed from below thousands of them (past the
    search's phrase pool and the answers it reads beyond it)."""

    def talk(i: int, n: int) -> str:
        return " ".join(f"We talked about {_filler(i + j)} and {_filler(i + 3)}." for j in range(n))

    short = [
        _answer(f"d{i}", f"Pilots {_filler(i)} waited, the harbour {_filler(i + 7)}.")
        for i in range(4000)
    ]
    longer = [
        _answer(f"l{i}", f"{talk(i, 60)} The pilots {_filler(i)} waited by the harbour.")
        for i in range(1600)
    ]
    source = f"{talk(0, 30)} So the harbour pilots waited there until dawn."
    index = SearchIndex.build([*short[:2000], *longer, _answer("source", source), *short[2000:]])
    for typed in ("the harbour pilots wai", "so the harbour pilots waited th"):
        choices = index.suggest(typed)
        assert 0 < len(choices) <= 25
        assert "source" in {s.passage_id for s in choices}, typed
        shown = next(s.label for s in choices if s.passage_id == "source")
        assert "harbour pilots waited" in shown and len(shown) <= 100


def test_last_typed_word_may_be_unfinished_even_when_it_is_a_stop_word() -> None:
    """ "harbour pilots on" may be going on to "one": a stop word typed last, with no
    space after it, is a word being typed, not a finished "on"."""
    passages = [
        _answer(f"d{i}", f"On {_filler(i)} the harbour pilots sat, {_filler(i + 5)}.")
        for i in range(3000)
    ]
    source = "And the harbour pilots one by one went home, tired of it all, as you might think."
    index = SearchIndex.build([*passages, _answer("source", source)])
    assert "source" in {s.passage_id for s in index.suggest("the harbour pilots on")}
    # Finished (a space typed after it), "on" is the word itself and the source is not
    # what was typed; an answer that says "harbour pilots on" then comes first.
    index = SearchIndex.build(
        [*passages, _answer("source", source), _answer("on", "The harbour pilots on duty.")]
    )
    assert index.suggest("the harbour pilots on ")[0].passage_id == "on"


def test_stop_words_alone_are_found_in_a_few_interviews() -> None:
    """ "it is what it is" holds no word the index keeps; in a few interviews' worth of
    answers (or one speaker's) every answer is read for it instead."""
    passages = [
        _answer(f"d{i}", f"It was {_filler(i)} what they said, and it is {_filler(i + 1)}.")
        for i in range(300)
    ]
    source = "Well, it is what it is, and you get on with it."
    index = SearchIndex.build([*passages, _answer("source", source)])
    for typed in ("it is what it", "it is what it i", "and you get on wi"):
        choices = index.suggest(typed)
        assert [s.passage_id for s in choices] == ["source"], typed
        assert choices[0].label == source
    assert index.suggest("it was what they") == []  # not as typed anywhere: no guess
    within = np.zeros(len(index), dtype=bool)
    within[[0, len(index) - 1]] = True  # one speaker's answers, say
    assert [s.passage_id for s in index.suggest("it is what", within=within)] == ["source"]


def test_stop_words_alone_are_found_through_their_pairs_in_a_large_corpus() -> None:
    """Past the scan budget (here ~3 MB of answers) stop words alone are still found: the
    answers holding each two neighbouring stop words typed ("it is", "is what", "what
    it") are few, and only they are read."""
    passages = [
        _answer(
            f"d{i}",
            f"It is {_filler(i)}, what it {_filler(i + 1)} said, and it is so. " * 4,
        )
        for i in range(12_000)
    ]
    source = "Well, it is what it is, and you get on with it."
    index = SearchIndex.build([*passages[:6000], _answer("source", source), *passages[6000:]])
    assert int(index._offsets[-1]) > SUGGEST_PHRASE_BYTES
    for typed in ("it is what it", "it is what it i", "well it is wh"):
        assert [s.passage_id for s in index.suggest(typed)] == ["source"], typed
    assert index.suggest("it is what they") == []  # not as typed anywhere: no guess
    within = np.ones(len(index), dtype=bool)
    within[6000] = False  # another speaker's answer
    assert index.suggest("it is what it", within=within) == []


def test_typed_phrase_is_found_past_the_candidates_through_stop_word_pairs() -> None:
    """Common words typed with two neighbouring stop words ("of the") are found even when
    the answer they came from is past the best candidates and the scan budget: 9,000
    answers hold "harbour", "pilots", "of" and "the", never "of the" side by side, and
    rank above the longer source."""
    distractors = [
        _answer(
            f"d{i}",
            f"The harbour pilots {_filler(i)} of {_filler(i + 1)} watched the {_filler(i + 2)} "
            f"all night, {_filler(i + 3)} and {_filler(i + 4)} as ever, then went home.",
        )
        for i in range(9000)
    ]
    talk = " ".join(f"We talked about {_filler(j)} and {_filler(j + 3)}." for j in range(12))
    source = f"{talk} So the harbour pilots of the watch stayed."
    index = SearchIndex.build([*distractors, _answer("source", source)])
    rows, _ = index._candidates(index._plan("harbour pilots", suggest=True), SUGGEST_POOL)
    assert len(index) - 1 not in rows.tolist()  # BM25 alone never reaches it
    for typed in ("the harbour pilots of the wa", "harbour pilots of the watch st"):
        assert "source" in {s.passage_id for s in index.suggest(typed)}, typed


def test_pool_is_read_candidates_first_then_a_bounded_few_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answers postings allow are read best BM25 first, then in corpus order, and no
    more of the others than SUGGEST_POOL (a common word's pool is most of the corpus)."""
    monkeypatch.setattr(search_suggest, "SUGGEST_POOL", 3)
    index = SearchIndex.build([_answer(f"a{i}", f"Answer number {i}.") for i in range(20)])
    pool = np.array([1, 2, 4, 6, 8, 10, 12, 14], dtype=np.uint32)
    candidates = np.array([8, 3, 2, 19], dtype=np.int64)
    assert index._pool_order(pool, candidates).tolist() == [8, 2, 1, 4, 6]
    assert index._pool_order(pool[:0], candidates).tolist() == []
