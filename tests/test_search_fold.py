"""Word folding and typo look-ups used by the search (plain functions, no index)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.search.fold import (
    americanise,
    fold_key,
    is_number,
    number_runs,
    number_variants,
    spelled_words,
    word_forms,
)
from bot.search.vocab import VocabTypos


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("colour", "color"),
        ("colours", "colors"),
        ("favourite", "favorite"),
        ("theatre", "theater"),
        ("fibres", "fibers"),
        ("organised", "organized"),
        ("organisation", "organization"),
        ("analyse", "analyze"),
        ("catalogue", "catalog"),
        ("dialogues", "dialogs"),
        ("travelled", "traveled"),
        ("modelling", "modeling"),
        ("programme", "program"),
        ("grey", "gray"),
        ("defence", "defense"),
    ],
)
def test_british_spellings_fold_to_american(british: str, american: str) -> None:
    assert americanise(british) == american
    assert fold_key(british) == fold_key(american)
    assert american in word_forms(british)
    assert british in word_forms(american)


@pytest.mark.parametrize(
    "words",
    [
        ("run", "runs", "ran", "running"),
        ("bruise", "bruised", "bruises", "bruising"),
        ("plant", "planted", "plants"),
        ("study", "studies", "studied"),
        ("child", "children"),
        ("think", "thought"),
    ],
)
def test_inflections_share_a_key(words: tuple[str, ...]) -> None:
    assert len({fold_key(w) for w in words}) == 1
    for word in words:
        assert set(words) - {word} <= word_forms(word)


@pytest.mark.parametrize(
    ("one", "other"),
    [("four", "hour"), ("your", "you"), ("general", "generous"), ("filled", "filed")],
)
def test_different_words_stay_apart(one: str, other: str) -> None:
    assert fold_key(one) != fold_key(other)


def test_number_words_and_digits() -> None:
    assert number_variants("twelve") == ("12",)
    assert number_variants("12") == ("twelve",)
    assert number_variants("third") == ("3rd",)
    assert number_variants("3rd") == ("third",)
    assert number_variants("21st") == ()
    assert number_variants("film") == ()
    assert spelled_words("11000") == ("eleven", "thousand")
    assert spelled_words("45") == ("forty", "five")
    assert "nineteen" in spelled_words("2019") and "twenty" in spelled_words("2019")
    assert spelled_words("0123") == () and spelled_words("x") == ()
    assert is_number("40") and is_number("forty") and is_number("1st") and not is_number("f0")


def test_number_runs() -> None:
    tokens = "forty five and eleven thousand trees twenty nineteen".split()
    assert number_runs(tokens) == [(0, 2, "45"), (3, 5, "11000"), (6, 8, "2019")]
    assert number_runs("one hundred and ten days".split()) == [(0, 4, "110")]
    assert number_runs("forty to fifty".split()) == []


def test_years_said_in_two_parts() -> None:
    """A year of three words was read as two numbers ("nineteen sixty" 1960, then "two")."""
    assert number_runs("in nineteen sixty two".split()) == [(1, 4, "1962")]
    assert number_runs("eighteen oh five".split()) == [(0, 3, "1805")]
    assert number_runs("twenty twenty one".split()) == [(0, 3, "2021")]
    assert number_runs("oh five".split()) == []
    assert number_runs("sixty two oh".split()) == [(0, 2, "62")]
    assert number_runs("five five".split()) == []


def test_typos_at_any_position() -> None:
    vocab = ["cinematographer", "cinema", "binoculars", "lighthouse", "tinsel", "pinsel"]
    typos = VocabTypos(vocab, np.ones(len(vocab), dtype=np.int64))

    def found(word: str) -> list[str]:
        return [vocab[t] for t, _ in typos.typos(word)]

    assert found("vinematographer") == ["cinematographer"]  # first letter
    assert found("cinematogrpaher") == ["cinematographer"]  # transposition
    assert found("cinematografer") == ["cinematographer"]  # two edits
    assert found("inoculars") == ["binoculars"]  # first letter dropped
    assert found("kighthouse") == ["lighthouse"]
    assert found("tinsle") == ["tinsel"]  # "pinsel" is two edits off a 6-letter word
    assert found("cinema") == []  # the word itself is no neighbour
    assert found("abc") == [] and found("1234") == []
