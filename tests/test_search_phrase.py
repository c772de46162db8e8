"""The phrase scan's patterns (bot/search/phrase.py) on a few hand-made answers: a word
typed in two pieces or two words run together, a phrase ending at an ellipsis, a loose
phrase that starts at a word the answer holds, and one whose every word but the first
content word may be an added one.  Each test looks at the patterns directly: which
answers each mode's regex finds among all of them."""

from __future__ import annotations

import re

import numpy as np

from bot.models import Passage
from bot.search import SearchIndex
from bot.transcript import split_sentences

Mode = tuple[bool, bool, bool]
MODES: tuple[Mode, ...] = (
    (False, False, False),
    (True, False, False),
    (False, True, False),
    (True, False, True),
)


def _answer(pid: str, text: str) -> Passage:
    return Passage(
        id=pid,
        interview_id="phrase",
        position=int(pid.rsplit("-", 1)[-1]),
        speaker="Ada",
        role="interviewee",
        question=None,
        paragraphs=(text,),
        sentences=tuple(split_sentences(text)),
        line=1,
    )


def _found(texts: list[str], query: str) -> dict[Mode, list[int]]:
    """Rows each mode's pattern matches (modes with no pattern are left out)."""
    index = SearchIndex.build([_answer(f"p-{i}", t) for i, t in enumerate(texts)])
    plan = index._plan(query, suggest=False)
    assert plan is not None
    pool = index._joined(np.arange(len(texts)))
    return {
        mode: index._phrase_rows(re.compile(phrase[0], re.DOTALL), pool, 32)
        for mode in MODES
        if (phrase := index._phrase_plan(plan, *mode)) is not None
    }


FILLER = [f"Answer {i} is about the weather and the tides on the coast." for i in range(30)]


def test_two_words_typed_apart_match_the_word_they_make() -> None:
    """ "home work" for "homework": the pair as one word of the answer (it used to need
    a separator between a variant of each, so only BM25 could find the answer)."""
    texts = [
        *FILLER,
        "At home we work hard.",
        "She did her homework every night before the ferry left.",
    ]
    found = _found(texts, "she did her home work every night")
    assert found[(False, False, False)] == [31]


def test_a_word_running_two_together_matches_them_apart() -> None:
    """ "homework" (not a word of these answers) for "home work" said apart."""
    texts = [*FILLER, "She did her home work every night before the ferry left.", "Work."]
    found = _found(texts, "she did her homework every night")
    assert found[(False, False, False)] == [30]


def test_a_phrase_ending_at_an_ellipsis_is_found() -> None:
    """The phrase's last word followed by "…" (a separator, though its bytes are not
    ASCII): the end-of-word check used to read them as letters."""
    texts = [*FILLER, "Then the kettle boiled over\u2026 and nobody moved."]
    found = _found(texts, "the kettle boiled over")
    assert found[(False, False, False)] == [30]


def test_the_loose_phrase_does_not_start_at_a_common_word_the_member_added() -> None:
    """ "really" is in a third of the answers (a word a member adds): the loose phrase
    starts at the next content word the answer must hold, not at "really"."""
    texts = [
        *[f"It was really {w} out there." for w in ("cold", "wet", "grey", "calm")] * 3,
        *FILLER,
        "The turquoise kettle boiled over on the stove.",
    ]
    found = _found(texts, "the really turquoise kettle boiled over")
    assert found.get((True, False, False)) == [len(texts) - 1]
    assert found[(False, False, False)] == []


def test_a_loose_phrase_of_added_words_still_ends_on_its_last_word() -> None:
    """Every word after "lighthouse" a stop word or a common word: the loose phrase used
    to be dropped (nothing required); now the answer saying the first and last words
    with some of the rest between them is found, and one saying the first alone is not."""
    texts = [
        *[f"It was really {w} out there." for w in ("cold", "wet", "grey", "calm")] * 3,
        *FILLER,
        "We kept the lighthouse lamp lit every night.",
        "We kept the lighthouse and then i was gone for a year.",
    ]
    found = _found(texts, "lighthouse really and then i was")
    assert (True, False, False) not in found
    assert found[(True, False, True)] == [len(texts) - 1]


def test_number_words_typed_match_the_digits_said() -> None:
    """ "five hundred and fifty" for "550": the run of number words as one number (each
    word's own variants, "5" and "50", cannot make it)."""
    texts = [*FILLER, "She was paid 550 dollars for the boat.", "Five boats, fifty nets."]
    found = _found(texts, "she was paid five hundred and fifty dollars")
    assert found[(False, False, False)] == [30]
