"""Autocomplete: the answer a half-typed phrase came from is among the choices."""

from __future__ import annotations

import itertools
import string

from bot.models import Passage
from bot.search import SearchIndex


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
