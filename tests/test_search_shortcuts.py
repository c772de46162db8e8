"""Shortcuts that skip work must give what the full path gives, on a real index.

Each test runs the shortcut and the path it replaced side by side over many queries of
every kind the benchmark makes (its tuning seed), plus answers written to trip the
shortcut: capitals, curly quotes, dashes, no-break spaces, accents, other scripts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests
    sys.path.insert(0, str(ROOT))

from benchmarks import querygen  # noqa: E402
from benchmarks.corpus import synthetic_passages  # noqa: E402
from bot.models import Passage  # noqa: E402
from bot.search import SearchIndex  # noqa: E402
from bot.search.params import PHRASE_POOL  # noqa: E402

TRICKY = [
    "Don’t STOP—believing… the Harbour wall held.",
    "We said “harbour wall” twice, then the\u00a0harbour\u00a0wall again.",
    "The café owner—Zoë—ran the harbour café for forty years.",
    "Привет harbour, привет wall: a mixed-script answer.",
    "harbourwall, harbour-wall and harbour_wall are not the same as harbour wall",
    "HARBOUR WALLS and the harbour walled town",
    "the the the harbour the wall the",
]
TRICKY_QUERIES = [
    "harbour wall",
    "the harbour wall",
    "Harbour Wall held",
    "don t stop believing",
    "harbour cafe",
    "café owner",
    "привет harbour",
    "harbour walls",
    "harbour wal",
    "the harbour the wall",
]


def _tricky() -> list[Passage]:
    return [
        Passage(f"t{i}", "tricky", i, "Ann", "interviewee", None, (text,), (text,), i)
        for i, text in enumerate(TRICKY)
    ]


@pytest.fixture(scope="module")
def corpus() -> tuple[SearchIndex, list[str]]:
    passages = synthetic_passages(3000, seed=1) + _tricky()
    synthetic = [p for p in passages if p.id.startswith("s")]
    queries = [q.text for q in querygen.make_queries(synthetic, 5, seed=101)]
    queries += [q.text for q in querygen.make_prefixes(synthetic, 20, seed=201)]
    return SearchIndex.build(passages), queries + TRICKY_QUERIES


def test_the_phrase_scan_over_answers_holding_the_words_finds_what_the_full_scan_finds(
    corpus: tuple[SearchIndex, list[str]],
) -> None:
    index, queries = corpus
    compared = found_some = filtered_out = 0
    everyone = np.arange(len(index), dtype=np.int64)
    whole = index._joined(everyone)
    for text in queries:
        for suggest in (False, True):
            plan = index._plan(text, suggest=suggest)
            if plan is None:
                continue
            pool, _ = index._candidates(plan, PHRASE_POOL)
            joined = index._joined(pool)
            for mode in ((False, False, False), (True, False, False), (True, False, True)):
                phrase = index._phrase_plan(plan, *mode)
                if phrase is None:
                    continue
                source, required = phrase
                pattern = re.compile(source, re.DOTALL)
                for rows, buffer in ((pool, joined), (everyone, whole)):
                    for k in (3, len(rows)):
                        full = index._phrase_rows(pattern, buffer, k)
                        assert index._phrase_rows_among(source, required, rows, k) == full
                        compared += 1
                        found_some += bool(full)
                filtered_out += len(index._holding(required, everyone)) < len(index)
    assert compared > 1000 and found_some > 300 and filtered_out > 300


def test_the_tricky_answers_are_found_through_the_shortcut(
    corpus: tuple[SearchIndex, list[str]],
) -> None:
    index, _ = corpus
    shown = index.search("harbour wall held").hits
    assert shown and shown[0].passage_id == "t0" and shown[0].exact
    assert index.search("the harbour wall again").hits[0].passage_id == "t1"


def _asked(answers: list[tuple[str | None, str]]) -> list[Passage]:
    return [
        Passage(f"a{i}", "asked", i, "Bo", "interviewee", q, (text,), (text,), i)
        for i, (q, text) in enumerate(answers)
    ]


OTHERS = [
    (f"What happened in week {n} of the season?", f"Week {n}: we fished the {where} banks.")
    for n, where in enumerate(["north", "south", "east", "west", "outer", "inner"] * 5)
]
ASKED = [
    ("Why did you leave the harbour?", "The tides turned against the boats."),
    ("What was the worst storm?", "Ninety-one, the year the pier went."),
    ("Who taught you to mend nets?", "My grandmother, with a wooden needle."),
]


@pytest.mark.parametrize("unasked", [False, True])
def test_the_questions_share_the_answers_ids_only_when_every_answer_was_asked(
    unasked: bool, tmp_path: Path
) -> None:
    answers = [*ASKED, (None, "Nobody asked me about the lighthouse.")] if unasked else ASKED
    index = SearchIndex.build(_asked(answers + OTHERS))
    sub = index._questions
    assert sub is not None
    assert (sub._ids is index._ids) == (not unasked)
    index.save(tmp_path / "x.index")
    loaded = SearchIndex.load(tmp_path / "x.index", index.fingerprint)
    assert loaded is not None and loaded._questions is not None
    assert list(loaded._questions._ids) == list(sub._ids)
    for found in (index, loaded):  # a question's words lead to its own answer, shared or not
        assert found.search("worst storm").hits[0].passage_id == "a1"
        assert found.search("who taught you to mend nets").hits[0].passage_id == "a2"


MIXED = [
    "Plain ASCII, nothing to fold here.",
    "Zoë and José met at the Café Müller—twice.",
    "Combining: cafe\u0301 and nai\u0308ve, ﬁne ligatures, ＦＵＬＬＷＩＤＴＨ letters.",
    "ΟΔΟΣ and οδος; Straße; İstanbul; ǅemal.",
    "Emoji 🎉 and 🤷\u200d♀️ between words, a\u00a0no-break space, and a \u2010hyphen\u2011.",
    "Привет, мир! 你好世界 and العربية text.",
    "A lone surrogate \ud800 in the middle.",
    "It’s “quoted” – dashed … and ASCII again",
    "",
]


def test_folding_only_the_non_ascii_sentences_gives_the_words_of_folding_the_whole_chunk() -> None:
    from bot.search.build import _fold_sentences
    from bot.search.text import _SENTENCE_TABLE, _blank_common_punct, _fold

    for start in range(len(MIXED)):  # each sentence first, so every order of kinds is seen
        sentences = MIXED[start:] + MIXED[:start]
        text = "\x1f".join(sentences) + "\x1f"
        raw = np.frombuffer(bytearray(text.encode("utf-8", "replace")), dtype=np.uint8)
        seps = np.flatnonzero(raw == 0x1F)
        plain = raw.copy()
        assert not _blank_common_punct(plain)
        whole = _fold(text).encode("utf-8", "replace").translate(_SENTENCE_TABLE)
        mine = _fold_sentences(raw, plain, seps)
        assert [s.split() for s in mine.split(b"\x1f")] == [s.split() for s in whole.split(b"\x1f")]
        assert len(mine.split(b"\x1f")) == len(sentences) + 1


def test_an_index_of_mixed_scripts_finds_its_words() -> None:
    passages = [
        Passage(f"m{i}", "mixed", i, "Ann", "interviewee", None, (s,), (s,), i)
        for i, s in enumerate(MIXED)
        if s
    ]
    index = SearchIndex.build(passages)
    assert index.search("zoe and jose met at the cafe muller").hits[0].passage_id == "m1"
    assert index.search("привет мир").hits[0].passage_id == "m5"
    assert index.search("fine ligatures fullwidth letters").hits[0].passage_id == "m2"
